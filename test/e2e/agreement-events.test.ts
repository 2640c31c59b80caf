import { randomUUID } from "node:crypto";
import { stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { privateAgreement } from "../support/agreements";
import { startTestHub, TestHub } from "../support/hub";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { token } from "../support/tokens";

/**
 * Agreement events through the gateway over graphql-ws: every change to an agreement (and every
 * case committed or released under it) is announced exactly once to `agreementChanged`, with
 * fields from other subgraphs resolved; a refused change announces nothing; a subscriber that
 * comes back with `after` gets what it missed, in order, once. This is what the gateway's response
 * cache and a regional office's board rely on to know that an agreement changed.
 */
let hub: TestHub;
const open: TestSubscription[] = [];
beforeAll(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => hub?.stop());

const today = stockholmDate();
const year = Number(today.slice(0, 4));

const CHANGED = /* GraphQL */ `
  subscription Changed($after: ID) {
    agreementChanged(after: $after) {
      id validUntil endReason
      event { id kind occurredAt }
      versions { version }
      priceLists { name }
      ceilings { usedCases }
      provider { name }
      parties { name }
    }
  }`;

const CHANGED_IDS = /* GraphQL */ `subscription($after: ID) { agreementChanged(after: $after) { id event { id kind } } }`;

function live(query: string, variables?: Record<string, unknown>, bearer?: string | null): TestSubscription {
  const subscription = subscribe(hub.url, query, variables, bearer);
  open.push(subscription);
  return subscription;
}

async function run(query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await hub.query(query, variables);
  expect(errors).toBeUndefined();
  return data;
}

async function cursor(): Promise<string> {
  return (await run("{ agreementEventCursor }")).agreementEventCursor;
}

/** The administration changes and commitments, each as the gateway's clients send them. */
const change = {
  create: async (overrides: Record<string, unknown> = {}): Promise<string> =>
    (
      await run(`mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`, {
        input: privateAgreement(overrides),
      })
    ).createAgreement.id,
  revise: async (id: string): Promise<string> =>
    (
      await run(`mutation($id: ID!, $input: ReviseAgreementInputType!) { reviseAgreement(agreementId: $id, input: $input) { id } }`, {
        id,
        input: {
          effectiveFrom: `${year}-07-01`,
          coverage: { coversAllPlannedCare: false, procedureCodes: ["KED22", "LCG21"] },
          changeNote: "Adds prolapse surgery",
        },
      })
    ).reviseAgreement.id,
  addPriceList: async (id: string): Promise<string> =>
    (
      await run(`mutation($id: ID!, $input: PriceListInputType!) { addPriceList(agreementId: $id, input: $input) { id } }`, {
        id,
        input: {
          name: `Avtalspriser ${year + 1}`,
          validFrom: `${year + 1}-01-01`,
          validUntil: `${year + 1}-12-31`,
          entries: [{ procedureCode: "KED22", priceSek: 39_500 }],
        },
      })
    ).addPriceList.id,
  commit: async (id: string, referralId: string): Promise<string> =>
    (
      await run(`mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id } }`, {
        input: { agreementId: id, referralId, specialty: "UROLOGY", procedureCode: "KED22", careDate: today },
      })
    ).commitReferralToAgreement.id,
  release: async (referralId: string): Promise<string> =>
    (await run(`mutation($r: ID!) { releaseAgreementCommitment(referralId: $r, reason: "Patient declined") { id } }`, { r: referralId }))
      .releaseAgreementCommitment.id,
  end: async (id: string, lastDay = today): Promise<void> => {
    await run(`mutation($id: ID!, $d: Date!) { endAgreement(agreementId: $id, lastDay: $d, reason: "Provider went bankrupt") { id } }`, {
      id,
      d: lastDay,
    });
  },
};

/**
 * What a subscriber heard before one more change (a new agreement), which it must hear next: the
 * log is delivered in order, so nothing that came before can still arrive after it.
 */
async function heardBeforeNextChange(subscription: TestSubscription): Promise<Array<{ data?: any }>> {
  const marker = await change.create();
  const isMarker = (result: { data?: any }) => result.data?.agreementChanged?.id === marker;
  const results = await subscription.waitUntil((all) => all.some(isMarker));
  return results.slice(0, results.findIndex(isMarker));
}

const eventIds = (results: Array<{ data?: any }>) => results.map((r) => Number(r.data.agreementChanged.event.id));
const kinds = (results: Array<{ data?: any }>) => results.map((r) => r.data.agreementChanged.event.kind);

/** Subscriptions the agreements subgraph is streaming (its /health says). */
async function upstreamCount(): Promise<number> {
  const response = await fetch(hub.hub.subgraphs.agreements.url.replace(/graphql$/, "health"));
  return ((await response.json()) as { liveSubscriptions: number }).liveSubscriptions;
}

describe("agreementChanged", () => {
  it("announces each change and each commitment exactly once, in order, with the agreement as the change left it", async () => {
    const from = await cursor();
    const board = live(CHANGED, { after: from });
    const next = async (count: number) => {
      const results = await board.waitFor(count);
      expect(results[count - 1].errors).toBeUndefined();
      return results[count - 1].data.agreementChanged;
    };

    // Each step waits for its event before the next change, so what the event shows is that change's result.
    const id = await change.create();
    expect(await next(1)).toMatchObject({
      id,
      event: { kind: "CREATED" },
      versions: [{ version: 1 }],
      priceLists: [{ name: "Avtalspriser" }],
      ceilings: [{ usedCases: 0 }],
      // Resolved by the capacity subgraph: the gateway ran the rest of the plan for the event.
      provider: { name: "Mälardalens Gynekologi & Urologi AB" },
      parties: [{ name: "Region Halland" }],
    });
    const versionId = await change.revise(id);
    expect(await next(2)).toMatchObject({ id, event: { kind: "REVISED" }, versions: [{ version: 1 }, { version: 2 }] });
    const priceListId = await change.addPriceList(id);
    expect(await next(3)).toMatchObject({
      id,
      event: { kind: "PRICE_LIST_ADDED" },
      priceLists: [{ name: `Avtalspriser ${year + 1}` }, { name: "Avtalspriser" }],
    });
    const referralId = randomUUID();
    const commitmentId = await change.commit(id, referralId);
    expect(await next(4)).toMatchObject({ id, event: { kind: "COMMITTED" }, ceilings: [{ usedCases: 1 }] });
    await change.release(referralId);
    expect(await next(5)).toMatchObject({ id, event: { kind: "COMMITMENT_RELEASED" }, ceilings: [{ usedCases: 0 }] });
    await change.end(id);
    expect(await next(6)).toMatchObject({ id, event: { kind: "ENDED" }, validUntil: today, endReason: "Provider went bankrupt" });

    // Read before the change that closes the board's check below moves it.
    const cursorAfterChanges = await cursor();
    // Nothing else trickles in: one event per change.
    const heard = await heardBeforeNextChange(board);
    expect(heard).toHaveLength(6);
    const ids = eventIds(heard);
    expect(new Set(ids).size).toBe(6);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids[0]).toBeGreaterThan(Number(from));
    for (const { data } of heard) expect(Date.parse(data.agreementChanged.event.occurredAt)).not.toBeNaN();

    // The cursor has moved to the last change's event.
    expect(cursorAfterChanges).toBe(String(ids[5]));

    // What the outbox keeps: ids of what changed, the hub's region, nothing about the patient.
    const rows: Array<{ type: string; origin_region_code: string; payload: Record<string, unknown> }> =
      await hub.hub.dataSources.agreements.query(
        "SELECT type, origin_region_code, payload FROM agreements.event_outbox WHERE aggregate_id = $1 ORDER BY id",
        [id],
      );
    expect(rows.map((r) => r.origin_region_code)).toEqual(Array(6).fill("13"));
    expect(rows.map((r) => [r.type, r.payload])).toEqual([
      ["AGREEMENT_CREATED", { agreementId: id, kind: "CREATED" }],
      ["AGREEMENT_REVISED", { agreementId: id, kind: "REVISED", versionId }],
      ["AGREEMENT_PRICE_LIST_ADDED", { agreementId: id, kind: "PRICE_LIST_ADDED", priceListId }],
      ["AGREEMENT_COMMITTED", { agreementId: id, kind: "COMMITTED", commitmentId, referralId }],
      ["AGREEMENT_COMMITMENT_RELEASED", { agreementId: id, kind: "COMMITMENT_RELEASED", commitmentId, referralId }],
      ["AGREEMENT_ENDED", { agreementId: id, kind: "ENDED" }],
    ]);
  });

  it("announces nothing for a refused change", async () => {
    const id = await change.create();
    const before = await cursor();
    const board = live(CHANGED_IDS, { after: before });
    const office = await token(Role.REGIONAL_OFFICE, "13");
    const refused: Array<[string, Promise<{ errors?: Array<{ extensions?: Record<string, any> }> }>]> = [
      [
        "BAD_USER_INPUT",
        hub.query(`mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`, {
          input: privateAgreement({ validUntil: `${year - 1}-12-31` }),
        }),
      ],
      [
        "BAD_USER_INPUT",
        hub.query(`mutation($id: ID!, $input: ReviseAgreementInputType!) { reviseAgreement(agreementId: $id, input: $input) { id } }`, {
          id,
          input: { effectiveFrom: `${year}-01-01`, changeNote: "Not after the first version" },
        }),
      ],
      [
        "BAD_USER_INPUT",
        hub.query(`mutation($id: ID!, $input: PriceListInputType!) { addPriceList(agreementId: $id, input: $input) { id } }`, {
          id,
          input: { name: "Negative", validFrom: `${year + 1}-01-01`, entries: [{ procedureCode: "KED22", priceSek: -5 }] },
        }),
      ],
      [
        "BAD_USER_INPUT",
        hub.query(`mutation { endAgreement(agreementId: "${randomUUID()}", lastDay: "${today}", reason: "Unknown") { id } }`),
      ],
      ["CONFLICT", hub.query(`mutation { endAgreement(agreementId: "${id}", lastDay: "${year + 3}-01-01", reason: "Later") { id } }`)],
      [
        "CONFLICT",
        hub.query(`mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id } }`, {
          input: { agreementId: id, referralId: randomUUID(), specialty: "UROLOGY", procedureCode: "KED22", careDate: `${year + 5}-01-01` },
        }),
      ],
      [
        "CONFLICT",
        hub.query(`mutation { releaseAgreementCommitment(referralId: "${randomUUID()}", reason: "Nothing to release") { id } }`),
      ],
      [
        "FORBIDDEN",
        hub.queryAs(office, `mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`, {
          input: privateAgreement(),
        }),
      ],
    ];
    for (const [code, attempt] of refused) expect((await attempt).errors?.[0].extensions?.code).toBe(code);
    expect(await cursor()).toBe(before);

    // The first event the subscriber gets is the next change that went through, not a refused one.
    await change.end(id);
    const [first] = await board.waitFor(1);
    expect(first.data.agreementChanged).toEqual({ id, event: { id: String(Number(before) + 1), kind: "ENDED" } });
    expect(await heardBeforeNextChange(board)).toHaveLength(1);
  });

  it("announces a superseded price list as ended, then the new one as added, in one change; an ended one likewise", async () => {
    const id = await change.create({
      validUntil: null,
      priceList: { name: "Avtalspriser", validFrom: `${year}-01-01`, entries: [{ procedureCode: "KED22", priceSek: 38_000 }] },
    });
    const from = await cursor();
    const board = live(CHANGED, { after: from });
    const [open] = (await run(`{ agreement(id: "${id}") { priceLists { id } } }`)).agreement.priceLists;
    const added = (
      await run(
        `mutation($id: ID!, $input: PriceListInputType!) { addPriceList(agreementId: $id, input: $input, supersede: true) { id } }`,
        {
          id,
          input: {
            name: `Avtalspriser ${year + 1}`,
            validFrom: `${year + 1}-01-01`,
            entries: [{ procedureCode: "KED22", priceSek: 39_500 }],
          },
        },
      )
    ).addPriceList.id;
    const results = await board.waitFor(2);
    expect(results.map((r) => r.data.agreementChanged)).toMatchObject([
      { id, event: { kind: "PRICE_LIST_ENDED" } },
      { id, event: { kind: "PRICE_LIST_ADDED" }, priceLists: [{ name: `Avtalspriser ${year + 1}` }, { name: "Avtalspriser" }] },
    ]);
    // A refused ending announces nothing; an accepted one is announced once.
    const END = `mutation($list: ID!, $d: Date!) { endPriceList(priceListId: $list, lastDay: $d, reason: "Omförhandlat") { id } }`;
    expect((await hub.query(END, { list: added, d: `${year}-12-31` })).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    await run(END, { list: added, d: `${year + 1}-06-30` });
    const all = await board.waitFor(3);
    expect(all[2].data.agreementChanged).toMatchObject({ id, event: { kind: "PRICE_LIST_ENDED" } });
    expect(await heardBeforeNextChange(board)).toHaveLength(3);

    const rows: Array<{ type: string; payload: Record<string, unknown> }> = await hub.hub.dataSources.agreements.query(
      "SELECT type, payload FROM agreements.event_outbox WHERE aggregate_id = $1 AND id > $2 ORDER BY id",
      [id, from],
    );
    expect(rows.map((r) => [r.type, r.payload])).toEqual([
      ["AGREEMENT_PRICE_LIST_ENDED", { agreementId: id, kind: "PRICE_LIST_ENDED", priceListId: open.id }],
      ["AGREEMENT_PRICE_LIST_ADDED", { agreementId: id, kind: "PRICE_LIST_ADDED", priceListId: added }],
      ["AGREEMENT_PRICE_LIST_ENDED", { agreementId: id, kind: "PRICE_LIST_ENDED", priceListId: added }],
    ]);
  });

  it("replays every missed event in order, without duplicates, to a subscriber that comes back with after", async () => {
    const start = await cursor();
    const first = live(CHANGED_IDS, { after: start });
    const id = await change.create();
    await change.revise(id);
    const seen = await first.waitFor(2);
    first.kill();
    const lastSeen = seen[1].data.agreementChanged.event.id;

    // Changes go on while the subscriber is away.
    await change.addPriceList(id);
    const referralId = randomUUID();
    await change.commit(id, referralId);
    await change.release(referralId);

    const second = live(CHANGED_IDS, { after: lastSeen });
    await second.waitFor(3);
    await change.end(id);
    const resumed = await second.waitFor(4);
    expect(await heardBeforeNextChange(second)).toHaveLength(4);

    const received = [...seen, ...resumed];
    expect(kinds(received)).toEqual(["CREATED", "REVISED", "PRICE_LIST_ADDED", "COMMITTED", "COMMITMENT_RELEASED", "ENDED"]);
    expect(received.every((r) => r.data.agreementChanged.id === id)).toBe(true);
    const ids = eventIds(received);
    expect(new Set(ids).size).toBe(6);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    // From the very start, the same events with the same ids.
    const replay = live(CHANGED_IDS, { after: start });
    expect(eventIds(await replay.waitFor(6))).toEqual(ids);
  });

  it("refuses a bad cursor with BAD_USER_INPUT", async () => {
    const bad = live(CHANGED_IDS, { after: "yesterday" });
    const ended = await Promise.race([bad.ended, bad.waitFor(1).then(() => bad.results[0])]);
    const errors = (ended as any)?.errors ?? (Array.isArray(ended) ? ended : undefined);
    expect(errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("is for any authenticated caller, as reading agreements is, and for no one without a token", async () => {
    const anonymous = live(CHANGED_IDS, {}, null);
    expect(((await anonymous.ended) as { code?: number }).code).toBe(4401);

    const before = await upstreamCount();
    const from = await cursor();
    const listeners = await Promise.all(
      [token(Role.REGIONAL_OFFICE, "12"), token(Role.PEER_REGION, "25"), token(Role.PROVIDER)].map(async (bearer) =>
        live(CHANGED_IDS, { after: from }, await bearer),
      ),
    );
    const id = await change.create();
    for (const listener of listeners) {
      const [result] = await listener.waitFor(1);
      expect(result.errors).toBeUndefined();
      expect(result.data.agreementChanged).toMatchObject({ id, event: { kind: "CREATED" } });
    }
    // The agreements subgraph's /health counts them (the gateway may share one upstream stream among identical subscriptions).
    expect(await upstreamCount()).toBeGreaterThan(before);
  });
});
