import { randomUUID } from "node:crypto";
import { Role } from "../../subgraphs/shared/identity";
import { startTestHub, TestHub } from "../support/hub";
import { subscribe } from "../support/subscriptions";
import { token } from "../support/tokens";

/**
 * The outside probe's costly requests, through the gateway: the cost counts page sizes passed as
 * variables or left to their defaults, so what was accepted before (ten aliased
 * `referrals(first: $n) { matches(first: $m) }`, ten `freeCapacity(first: $n)` with coverage from a
 * peer region's system) is refused before planning; and each client has a budget of cost a minute
 * (429 with Retry-After when spent) that leaves other clients alone.
 */
let hub: TestHub;
beforeAll(async () => {
  // The smallest budget allowed: one request of the largest cost a minute.
  hub = await startTestHub({ HUB_COST_PER_MINUTE: "20000" });
});
afterAll(async () => hub?.stop());

/** A token of its own subject, so each test spends its own budget. */
const client = (role: Role, organisation?: string) => token(role, organisation, { sub: `cost-test-${randomUUID()}` });

async function post(bearer: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(hub.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), json: (await response.json()) as any };
}

const REFERRALS_WITH_MATCHES = `query($n: Int, $m: Int) { ${Array.from({ length: 10 }, (_, i) => `r${i}: referrals(first: $n) { edges { node { id matches(first: $m) { rank explanation pricePerCaseSek offer { id } } } } }`).join(" ")} }`;
const CAPACITY_WITH_COVERAGE = `query($n: Int) { ${Array.from({ length: 10 }, (_, i) => `c${i}: freeCapacity(first: $n) { edges { node { id availableSlots earliestStart provider { name region { code } } coverage(homeRegionCode: "13") { status pricePerCaseSek agreement { name } } } } }`).join(" ")} }`;

describe("the cost of a request", () => {
  it("counts page sizes given as variables", async () => {
    const refused = await post(await client(Role.REGIONAL_OFFICE, "13"), REFERRALS_WITH_MATCHES, { n: 100, m: 50 });
    expect(refused.status).toBe(400);
    expect(refused.json.data).toBeUndefined();
    expect(refused.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(refused.json.errors[0].message).toMatch(/^The query costs [\d ]+, more than the limit of 20 000/);
    const peer = await post(await client(Role.PEER_REGION, "12"), CAPACITY_WITH_COVERAGE, { n: 100 });
    expect(peer.status).toBe(400);
    expect(peer.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("counts page sizes left to their defaults", async () => {
    // Ten default pages of referrals (20) with their default matches (10): 29 400 when the defaults
    // count, 210 when they counted as one.
    const query = `{ ${Array.from({ length: 10 }, (_, i) => `r${i}: referrals { edges { node { id matches { rank explanation pricePerCaseSek offer { id provider { name region { code } } } } } } }`).join(" ")} }`;
    const refused = await post(await client(Role.REGIONAL_OFFICE, "13"), query);
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].message).toMatch(/^The query costs 29 400, more than the limit/);
  });

  it("counts pages inside fragments", async () => {
    const query = `query($n: Int) { ...Boards } fragment Boards on Query { ${Array.from({ length: 10 }, (_, i) => `c${i}: freeCapacity(first: $n) { ...Page }`).join(" ")} }
      fragment Page on FreeCapacityConnection { edges { node { id availableSlots provider { name region { code } } coverage(homeRegionCode: "13") { status pricePerCaseSek agreement { name } } } } }`;
    const refused = await post(await client(Role.PEER_REGION, "12"), query, { n: 100 });
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("lets a page of the size asked for through when it fits", async () => {
    const ok = await post(await client(Role.PEER_REGION, "12"), `query($n: Int) { freeCapacity(first: $n) { edges { node { id } } } }`, {
      n: 5,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.data.freeCapacity.edges).toHaveLength(5);
  });
});

describe("the cost budget per client", () => {
  // Ten pages of 30 offers with coverage cost 6 600: three fit in a minute's 20 000, the fourth does not.
  const PAGE = CAPACITY_WITH_COVERAGE;

  it("answers 429 with Retry-After once a client's cost a minute is spent, and leaves other clients alone", async () => {
    const system = await client(Role.PEER_REGION, "12");
    for (let i = 0; i < 3; i++) expect((await post(system, PAGE, { n: 30 })).status).toBe(200);
    const spent = await post(system, PAGE, { n: 30 });
    expect(spent.status).toBe(429);
    expect(Number(spent.retryAfter)).toBeGreaterThan(0);
    expect(spent.json.errors[0].extensions).toMatchObject({ code: "RATE_LIMITED", limit: "COST_PER_MINUTE" });
    // The office is not crowded out by the system client's spending.
    const office = await post(await client(Role.REGIONAL_OFFICE, "13"), PAGE, { n: 30 });
    expect(office.status).toBe(200);
  });

  it("charges subscriptions to the same budget, counting their page sizes from variables", async () => {
    const office = await client(Role.REGIONAL_OFFICE, "13");
    for (let i = 0; i < 3; i++) expect((await post(office, PAGE, { n: 30 })).status).toBe(200);
    // Ten aliased matches(first: $m) with m = 50 cost about 11 500: more than is left this minute.
    const matches = Array.from(
      { length: 10 },
      (_, i) =>
        `m${i}: matches(first: $m) { rank tier pricePerCaseSek earliestStart startsByDeadline marginDays explanation agreement { name } offer { id availableSlots provider { name region { code name } } } }`,
    ).join(" ");
    const refused = subscribe(hub.url, `subscription($m: Int) { referralUpdated(regionCode: "13") { id ${matches} } }`, { m: 50 }, office);
    const ended = await refused.ended;
    await refused.close();
    expect(JSON.stringify(ended)).toMatch(/COST_PER_MINUTE/);
  });
});
