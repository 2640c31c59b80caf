import { randomBytes, randomUUID } from "node:crypto";
import { Client } from "pg";
import { patientId } from "../../seeds/data/patients";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Identity, Role } from "../../subgraphs/shared/identity";
import { SupergraphClient } from "../../subgraphs/shared/supergraph-client";
import { ReferralWorkflow } from "../../subgraphs/referrals/services/referral-workflow";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * Sending a referral is a saga over three services, and no database transaction is open while it
 * waits on the gateway: another transaction changes the referral's row without waiting during the
 * calls, and a send a crash left half-way (the process gone while capacity held the slot) is given
 * back by the recovery sweep, the referral left as it was and sendable again.
 *
 * The workflow here is the referrals subgraph's own class on the hub's database, asking the hub's
 * gateway through a client that lets the test act while a call is in flight.
 */
const SECRET = randomBytes(32).toString("base64");
const today = stockholmDate();
const TOLVAN = patientId("191212121212");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
let hub: TestHub;
let db: Client;

beforeAll(async () => {
  hub = await startTestHub({ HUB_INTERNAL_SECRET: SECRET });
  db = new Client({ connectionString: hub.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await hub?.stop();
});

const office: Identity = {
  subject: "SE9999999999-E000000000001",
  issuer: "test",
  role: Role.REGIONAL_OFFICE,
  regionCode: "13",
  providerId: null,
  careUnitId: null,
  employeeHsaId: "SE9999999999-E000000000001",
  assignmentPurpose: "Vård och behandling",
  careUnitHsaId: null,
  careProviderHsaId: null,
  assuranceLevel: 3,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
};
const scope = () => ({ requestId: randomUUID(), today, hubRegionCode: "13", identity: office });

/** The gateway client, with a hook that runs while a call (named by its operation) is in flight. */
class HookedClient extends SupergraphClient {
  hooks = new Map<string, () => Promise<void>>();

  override async request<T>(
    ctx: Parameters<SupergraphClient["request"]>[0],
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const operation = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "";
    const hook = this.hooks.get(operation);
    const answer = super.request<T>(ctx, query, variables);
    if (!hook) return answer;
    // The hook runs while the call is in flight; a hook that throws stands for a call that failed after it landed.
    const [settled, hooked] = await Promise.allSettled([answer, hook()]);
    if (hooked.status === "rejected") throw hooked.reason;
    if (settled.status === "rejected") throw settled.reason;
    return settled.value;
  }
}

async function ok(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await hub.queryAs(await bearer, query, variables);
  expect(errors).toBeUndefined();
  return data;
}

async function registered(): Promise<string> {
  const data = await ok(token(Role.CLINIC), `mutation($input: RegisterReferralInput!) { registerReferral(input: $input) { id } }`, {
    input: {
      patientId: TOLVAN,
      specialty: "ORTHOPAEDICS",
      procedureCode: "NFB49",
      visitType: "TREATMENT",
      decisionDate: addDays(today, -20),
      diagnosisCode: "M16.1",
    },
  });
  return data.registerReferral.id;
}

async function kattegattOffer(slots: number): Promise<string> {
  const data = await ok(
    token(Role.PROVIDER, KATTEGATT),
    `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
    {
      input: {
        reportedBy: "Booking system (test)",
        offers: [
          {
            careUnitId: careUnitId("kattegatt-ortopedi"),
            procedureCode: "NFB49",
            slots,
            validFrom: today,
            validUntil: addDays(today, 60),
            expectedWaitDays: 10,
          },
        ],
      },
    },
  );
  return data.publishCapacity.offers[0].id;
}

const freeSlots = async (offerId: string): Promise<number> =>
  (await ok(token(Role.REGIONAL_OFFICE, "13"), `query($id: ID!) { capacityOffer(id: $id) { availableSlots } }`, { id: offerId }))
    .capacityOffer.availableSlots;

const STATE = `query($id: ID!) { referral(id: $id) { status revision history { action } paymentCommitments { id } } }`;

function workflowWith(client: HookedClient): ReferralWorkflow {
  return new ReferralWorkflow(hub.hub.dataSources.referrals, "13", client, 14);
}

describe("sending a referral holds no lock while it waits on other services", () => {
  it("lets another transaction change the referral's row while capacity holds the slot and agreements commit the case", async () => {
    const id = await registered();
    const offer = await kattegattOffer(1);
    const client = new HookedClient(() => hub.url, SECRET, "referrals");
    const seen: string[] = [];
    const writeWithoutWaiting = (call: string) => async () => {
      // A lock held by the send would make this wait, and the lock timeout fail it.
      const other = new Client({ connectionString: hub.databaseUrl });
      await other.connect();
      try {
        await other.query(`SET lock_timeout = '1s'`);
        const { rowCount } = await other.query(`UPDATE referrals.referral SET registered_by = registered_by WHERE id = $1`, [id]);
        expect(rowCount).toBe(1);
        // …and no session of the referrals subgraph sits in an open transaction meanwhile.
        const { rows } = await other.query(
          `SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND query ILIKE '%referrals%'`,
        );
        expect(rows[0].open).toBe(0);
        seen.push(call);
      } finally {
        await other.end();
      }
    };
    client.hooks.set("HoldForReferral", writeWithoutWaiting("reserve"));
    client.hooks.set("CommitForReferral", writeWithoutWaiting("commit"));
    const sent = await workflowWith(client).send(scope(), id, { offerId: offer }, null);
    expect(sent.status).toBe("SENT");
    expect(seen).toEqual(["reserve", "commit"]);
    expect(await freeSlots(offer)).toBe(0);
  }, 60_000);

  it("refuses a second send of the same referral while the first is in flight, and gives everything back when the first fails", async () => {
    const id = await registered();
    const offer = await kattegattOffer(2);
    const client = new HookedClient(() => hub.url, SECRET, "referrals");
    let second: unknown;
    client.hooks.set("HoldForReferral", async () => {
      second = await workflowWith(new HookedClient(() => hub.url, SECRET, "referrals"))
        .send(scope(), id, { offerId: offer }, null)
        .catch((error) => error);
    });
    client.hooks.set("CommitForReferral", async () => {
      throw new Error("agreements went away");
    });
    await expect(workflowWith(client).send(scope(), id, { offerId: offer }, null)).rejects.toThrow("agreements went away");
    expect((second as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: "CONFLICT", rule: "SEND_IN_FLIGHT" });
    expect(await freeSlots(offer)).toBe(2);
    expect((await ok(token(Role.REGIONAL_OFFICE, "13"), STATE, { id })).referral).toMatchObject({
      status: "REGISTERED",
      history: [{ action: "REGISTER" }],
      paymentCommitments: [],
    });
    const { rows } = await db.query(`SELECT send_in_flight FROM referrals.referral WHERE id = $1`, [id]);
    expect(rows[0].send_in_flight).toBeNull();
  }, 60_000);
});

describe("a send a crash left half-way", () => {
  it("is given back by the recovery sweep: the slot and the agreement commitment released, the referral as it was and sendable again", async () => {
    const id = await registered();
    const offer = await kattegattOffer(1);
    const client = new HookedClient(() => hub.url, SECRET, "referrals");
    // The process "dies" while agreements commits the case: its send never returns, nothing of it compensates.
    let crashed!: () => void;
    const dead = new Promise<void>((resolve) => (crashed = resolve));
    const hanging = new Promise<never>(() => undefined);
    client.hooks.set("CommitForReferral", async () => {
      crashed();
      await hanging;
    });
    void workflowWith(client).send(scope(), id, { offerId: offer }, null);
    await dead;
    expect(await freeSlots(offer)).toBe(0);
    const { rows: before } = await db.query(`SELECT send_in_flight FROM referrals.referral WHERE id = $1`, [id]);
    expect(before[0].send_in_flight).toMatchObject({ offerId: offer, requestedBy: { role: "REGIONAL_OFFICE" } });
    // A send younger than the limit is left alone; an older one is recovered.
    const recovery = workflowWith(new HookedClient(() => hub.url, SECRET, "referrals"));
    expect(await recovery.recoverAbandonedSends(new Date(Date.now() - 60_000))).toBe(0);
    // Let agreements finish the commit the dead process asked for, so recovery has it to give back.
    const deadline = Date.now() + 10_000;
    const committed = async () =>
      (
        await db.query(`SELECT count(*)::int AS n FROM agreements.agreement_commitment WHERE referral_id = $1 AND released_at IS NULL`, [
          id,
        ])
      ).rows[0].n;
    while ((await committed()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await committed()).toBe(1);
    expect(await recovery.recoverAbandonedSends(new Date(Date.now() + 1000))).toBe(1);
    expect(await committed()).toBe(0);
    expect(await freeSlots(offer)).toBe(1);
    const { rows: after } = await db.query(`SELECT send_in_flight FROM referrals.referral WHERE id = $1`, [id]);
    expect(after[0].send_in_flight).toBeNull();
    expect((await ok(token(Role.REGIONAL_OFFICE, "13"), STATE, { id })).referral).toMatchObject({
      status: "REGISTERED",
      history: [{ action: "REGISTER" }],
      paymentCommitments: [],
    });
    // Sendable again, through the gateway as any client would.
    const resent = await ok(
      token(Role.REGIONAL_OFFICE, "13"),
      `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }) { status } }`,
      { id, offer },
    );
    expect(resent.sendReferral.status).toBe("SENT");
    expect(await freeSlots(offer)).toBe(0);
  }, 60_000);
});
