import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { totalSqlStatements } from "../../subgraphs/shared/db/data-source";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { patientId } from "../../seeds/data/patients";
import { startTestHub, TestHub } from "../support/hub";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { adminToken, token } from "../support/tokens";
import { waitFor } from "../support/wait";

/**
 * The gateway's response cache: repeated capacity searches are answered without the subgraphs,
 * but never with data older than a change whose event was delivered, never across access scopes,
 * and never for patient data (every read of it is audited).
 */
let hub: TestHub;
let other: TestHub;
let db: Client;
const open: TestSubscription[] = [];
beforeAll(async () => {
  hub = await startTestHub();
  // A second set of processes on the same database, as a second gateway in production.
  other = await startTestHub({}, { databaseUrl: hub.databaseUrl });
  db = new Client({ connectionString: hub.databaseUrl });
  await db.connect();
  await feedsLive(hub);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await db?.end();
  await other?.stop();
  await hub?.stop();
});

const today = stockholmDate();
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const KATTEGATT_UNIT = careUnitId("kattegatt-ortopedi");

const SEARCH = /* GraphQL */ `
  query Search($filter: FreeCapacityFilter, $first: Int) {
    freeCapacity(filter: $filter, first: $first) {
      totalCount
      edges { node { id availableSlots provider { name region { code } } coverage(homeRegionCode: "13") { status agreement { name } pricePerCaseSek } } }
    }
  }`;

interface Answer {
  cache: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function post(
  target: TestHub,
  bearer: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(target.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { cache: response.headers.get("x-hub-cache"), body: (await response.json()) as Answer["body"] };
}

/** The cache's figures in the gateway's /health. */
async function cacheStats(target: TestHub): Promise<{ live: string[]; invalidations: number } | undefined> {
  const health = (await (await fetch(target.url.replace(/graphql$/, "health"))).json()) as {
    responseCache?: { live: string[]; invalidations: number };
  };
  return health.responseCache;
}

/** The cache stores nothing until the gateway hears every change of the subgraphs it caches. */
async function feedsLive(target: TestHub): Promise<void> {
  await waitFor(
    async () => (await cacheStats(target))?.live.join() === "agreements,capacity",
    "the gateway's change feeds to be live",
    20_000,
  );
}

/**
 * Waits until the gateway's own change feed has heard a change since `invalidations` was read. A
 * client's subscription relays the same event over another socket, which nothing orders strictly
 * before or after the feed's: the cache's promise is about the event reaching the gateway.
 */
async function gatewayHeardChange(target: TestHub, invalidations: number): Promise<void> {
  await waitFor(async () => (await cacheStats(target))!.invalidations > invalidations, "the gateway's change feed to hear the change");
}

/** Where the capacity event log stands: a board subscribed with `after` set to it misses nothing, however late it starts. */
async function offerCursor(): Promise<string> {
  return (await hub.query(`{ offerEventCursor }`)).data.offerEventCursor;
}

async function publishVia(target: TestHub, careUnitId = KATTEGATT_UNIT, procedureCode = "NFB49"): Promise<string> {
  const { data, errors } = await target.query(
    `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
    {
      input: {
        reportedBy: "Booking system (cache test)",
        // Starting today, so it is first in a search ordered by earliest start.
        offers: [
          {
            careUnitId,
            procedureCode,
            slots: 2,
            validFrom: today,
            validUntil: addDays(today, 30),
            earliestStart: today,
            expectedWaitDays: 3,
          },
        ],
      },
    },
  );
  expect(errors).toBeUndefined();
  return data.publishCapacity.offers[0].id;
}

const ids = (answer: Answer): string[] => answer.body.data.freeCapacity.edges.map((e: any) => e.node.id);

describe("the response cache", () => {
  it("answers a repeated capacity search from the cache, with the same answer", async () => {
    const variables = { filter: { providerIds: [KATTEGATT], specialty: "ORTHOPAEDICS" }, first: 50 };
    const first = await post(hub, await adminToken(), SEARCH, variables);
    const second = await post(hub, await adminToken(), SEARCH, variables);
    expect(first.body.errors).toBeUndefined();
    expect(first.cache).toBe("miss");
    expect(second.cache).toBe("hit");
    expect(second.body).toEqual(first.body);
    expect(first.body.data.freeCapacity.edges[0].node.coverage.status).toBe("COVERED");
  });

  it("shares answers within an access scope only, and still authenticates every request", async () => {
    const variables = { filter: { procedureCode: "NGB49" }, first: 10 };
    expect((await post(hub, await token(Role.REGIONAL_OFFICE, "13"), SEARCH, variables)).cache).toBe("miss");
    // Another person of the same office: same scope (access follows the assignment, not the person).
    const colleague = await token(Role.REGIONAL_OFFICE, "13", { sub: "SE2321000032-E000000000099", hsa_id: "SE2321000032-E000000000099" });
    expect((await post(hub, colleague, SEARCH, variables)).cache).toBe("hit");
    expect((await post(hub, await token(Role.REGIONAL_OFFICE, "14"), SEARCH, variables)).cache).toBe("miss");
    expect((await post(hub, await token(Role.PEER_REGION, "13"), SEARCH, variables)).cache).toBe("miss");
    const forged = await post(hub, "not-a-token", SEARCH, variables);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(forged.body.data).toBeUndefined();
  });

  it("never serves data older than a change made through another gateway once its event was delivered", async () => {
    const variables = { filter: { providerIds: [KATTEGATT] }, first: 100 };
    const bearer = await adminToken();
    await post(hub, bearer, SEARCH, variables);
    const before = await post(hub, bearer, SEARCH, variables);
    expect(before.cache).toBe("hit");
    // A regional office's board on this gateway; the change is made through the other one.
    const board = subscribe(
      hub.url,
      `subscription($f: FreeCapacityFilter, $after: ID) { offerPublished(filter: $f, after: $after) { id } }`,
      {
        f: { providerIds: [KATTEGATT] },
        after: await offerCursor(),
      },
    );
    open.push(board);
    const heard = (await cacheStats(hub))!.invalidations;
    const offer = await publishVia(other);
    const [delivered] = await board.waitFor(1);
    expect(delivered.data.offerPublished.id).toBe(offer);
    await gatewayHeardChange(hub, heard);

    const after = await post(hub, bearer, SEARCH, variables);
    expect(after.cache).toBe("miss");
    expect(ids(after)).toContain(offer);
    expect(after.body.data.freeCapacity.totalCount).toBe(before.body.data.freeCapacity.totalCount + 1);
  });

  it("keeps a specialty's searches when another specialty's offer changes, and drops them when their own does", async () => {
    const variables = { filter: { specialty: "ORTHOPAEDICS" }, first: 100 };
    const bearer = await adminToken();
    await post(hub, bearer, SEARCH, variables);
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");
    const board = subscribe(hub.url, `subscription($after: ID) { offerPublished(after: $after) { id specialty } }`, {
      after: await offerCursor(),
    });
    open.push(board);

    let heard = (await cacheStats(hub))!.invalidations;
    await publishVia(other, careUnitId("sus-lund-urologi"), "KED22");
    await board.waitFor(1);
    await gatewayHeardChange(hub, heard);
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");
    // Also when the urology offer is published through this gateway.
    await publishVia(hub, careUnitId("sus-lund-urologi"), "KED22");
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");

    heard = (await cacheStats(hub))!.invalidations;
    const orthopaedic = await publishVia(other);
    await board.waitFor(3);
    await gatewayHeardChange(hub, heard);
    const after = await post(hub, bearer, SEARCH, variables);
    expect(after.cache).toBe("miss");
    expect(ids(after)).toContain(orthopaedic);
  });

  it("lets a caller read its own write at once: a mutation is answered after its change left the cache", async () => {
    const variables = { filter: { providerIds: [KATTEGATT], procedureCode: "NFB49" }, first: 100 };
    const bearer = await adminToken();
    await post(hub, bearer, SEARCH, variables);
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");
    const offer = await publishVia(hub);
    expect(ids(await post(hub, bearer, SEARCH, variables))).toContain(offer);
  });

  it("drops nothing for a mutation that changed nothing (a retried publish)", async () => {
    const variables = { filter: { providerIds: [KATTEGATT] }, first: 100 };
    const bearer = await adminToken();
    const PUBLISH = `mutation($input: PublishCapacityInput!, $key: String) { publishCapacity(input: $input, idempotencyKey: $key) { replayed offers { id } } }`;
    const input = {
      reportedBy: "Booking system (cache test)",
      offers: [
        {
          careUnitId: KATTEGATT_UNIT,
          procedureCode: "NFB49",
          slots: 1,
          validFrom: today,
          validUntil: addDays(today, 30),
          expectedWaitDays: 3,
        },
      ],
    };
    const key = `retry-${randomUUID()}`;
    const first = await hub.query(PUBLISH, { input, key });
    expect(first.data.publishCapacity.replayed).toBe(false);
    // The event ids the subgraph reports to the gateway stay between them.
    expect(JSON.stringify(first)).not.toContain("hubAppendedEvents");
    await post(hub, bearer, SEARCH, variables);
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");
    expect((await hub.query(PUBLISH, { input, key })).data.publishCapacity.replayed).toBe(true);
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");
  });

  it("hears agreement changes: coverage follows an agreement that ends", async () => {
    const variables = { filter: { providerIds: [KATTEGATT], procedureCode: "NFB49" }, first: 1 };
    const bearer = await adminToken();
    const before = await post(hub, bearer, SEARCH, variables);
    expect((await post(hub, bearer, SEARCH, variables)).cache).toBe("hit");
    const agreement = before.body.data.freeCapacity.edges[0].node.coverage.agreement.name;
    const { data } = await hub.query(`{ agreements { id name } }`);
    const id = data.agreements.find((a: { name: string }) => a.name === agreement).id;
    // Ended through the other gateway: only the event can tell this one.
    const ended = await other.query(
      `mutation($id: ID!, $day: Date!) { endAgreement(agreementId: $id, lastDay: $day, reason: "Procurement ended early") { id } }`,
      {
        id,
        day: addDays(today, -1),
      },
    );
    expect(ended.errors).toBeUndefined();
    const now = await waitFor(async () => {
      const answer = await post(hub, bearer, SEARCH, variables);
      return answer.body.data.freeCapacity.edges[0].node.coverage.agreement?.name !== agreement && answer;
    }, "the ended agreement to leave the cached answer");
    expect(now.body.data.freeCapacity.edges[0].node.coverage.agreement?.name).not.toBe(agreement);
  });

  it("asks the subgraphs once for identical searches that arrive together after a change", async () => {
    const variables = { filter: { specialty: "ORTHOPAEDICS" }, first: 20 };
    const bearer = await adminToken();
    await post(hub, bearer, SEARCH, variables); // the document is now known to be cacheable
    await publishVia(hub); // …and its answer gone
    let before = totalSqlStatements();
    const alone = await post(hub, bearer, SEARCH, variables);
    const one = totalSqlStatements() - before;
    expect(alone.cache).toBe("miss");
    await publishVia(hub);
    before = totalSqlStatements();
    const together = await Promise.all(Array.from({ length: 8 }, () => post(hub, bearer, SEARCH, variables)));
    const eight = totalSqlStatements() - before;
    expect(together.filter((answer) => answer.cache === "miss")).toHaveLength(1);
    for (const answer of together) expect(answer.body).toEqual(together[0].body);
    // The other seven waited for the first one's answer (the subgraphs' own statements, and a
    // stray sweep at most, not eight times as many).
    expect(eight).toBeLessThan(2 * one);
  });

  it("never caches patient data: every read reaches the patients subgraph and is audited", async () => {
    const TOLVAN = patientId("191212121212");
    const PATIENT = `query($id: ID!) { patient(id: $id) { givenName } }`;
    const requestId = `cache-${randomUUID()}`;
    const office = await token(Role.REGIONAL_OFFICE, "13");
    const first = await post(hub, office, PATIENT, { id: TOLVAN }, { "x-request-id": requestId });
    const second = await post(hub, office, PATIENT, { id: TOLVAN }, { "x-request-id": requestId });
    expect(first.body.data.patient.givenName).toBe("Tolvan");
    expect(second.cache).toBe("miss");
    const { rows } = await db.query("SELECT count(*)::int AS n FROM audit.patient_data_access WHERE request_id = $1", [requestId]);
    expect(rows[0].n).toBe(2);
  });

  it("does not keep answers with errors", async () => {
    const variables = { filter: { providerIds: ["not-a-uuid"] }, first: 5 };
    const first = await post(hub, await adminToken(), SEARCH, variables);
    expect(first.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await post(hub, await adminToken(), SEARCH, variables)).cache).toBe("miss");
  });
});
