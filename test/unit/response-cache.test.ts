import { parse } from "graphql";
import { DeliveredEvents } from "../../gateway/change-feeds";
import { partsOf, ResponseCache, responseCachePlugin } from "../../gateway/response-cache";
import { loadConfig } from "../../subgraphs/shared/config";
import { Identity, Role } from "../../subgraphs/shared/identity";

/** The response cache's rules, on a hand-driven clock: what is kept, for whom, and what drops it. */
function identity(overrides: Partial<Identity> = {}): Identity {
  return {
    subject: "SE2321000032-E000000000001",
    issuer: "test",
    role: Role.REGIONAL_OFFICE,
    regionCode: "13",
    providerId: null,
    careUnitId: null,
    employeeHsaId: "SE2321000032-E000000000001",
    assignmentPurpose: "Vård och behandling",
    careUnitHsaId: null,
    careProviderHsaId: null,
    assuranceLevel: 3,
    expiresAt: 2_000_000_000,
    ...overrides,
  };
}

let clock = 0;
function cache(maxBytes = 1_000_000, ttlMs = 60_000): ResponseCache {
  clock = 1_000;
  const c = new ResponseCache({ cacheable: ["capacity", "agreements"], maxBytes, ttlMs, now: () => clock });
  c.setLive("capacity", true);
  c.setLive("agreements", true);
  return c;
}

// Every answer the same size (three digits), so sizes can be counted.
const answer = (n: number) => ({ data: { freeCapacity: { totalCount: 100 + n } } });
const keyOf = (c: ResponseCache, parts: Partial<Parameters<ResponseCache["key"]>[0]> = {}) =>
  c.key({ queryHash: "q1", operationName: "Search", variables: { first: 20 }, today: "2026-11-30", identity: identity(), ...parts });

describe("ResponseCache", () => {
  it("returns what it stored, for the same key", () => {
    const c = cache();
    const key = keyOf(c);
    expect(c.get(key)).toBeUndefined();
    expect(c.store(key, answer(1), ["capacity"], c.snapshot())).toBe(true);
    expect(c.get(key)).toEqual(answer(1));
    expect(c.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1, stored: 1 });
  });

  it("keys by document, operation, variables, day and access scope, not by the person or the token", () => {
    const c = cache();
    const base = keyOf(c);
    expect(keyOf(c, { identity: identity({ subject: "someone else", employeeHsaId: "x", expiresAt: 1 }) })).toBe(base);
    expect(keyOf(c, { queryHash: "q2" })).not.toBe(base);
    expect(keyOf(c, { operationName: "Other" })).not.toBe(base);
    expect(keyOf(c, { variables: { first: 21 } })).not.toBe(base);
    expect(keyOf(c, { today: "2026-12-01" })).not.toBe(base);
    expect(keyOf(c, { identity: identity({ regionCode: "14" }) })).not.toBe(base);
    expect(keyOf(c, { identity: identity({ role: Role.PEER_REGION }) })).not.toBe(base);
    expect(keyOf(c, { identity: identity({ role: Role.PROVIDER, regionCode: null, providerId: "p1" }) })).not.toBe(
      keyOf(c, { identity: identity({ role: Role.PROVIDER, regionCode: null, providerId: "p2" }) }),
    );
    expect(keyOf(c, { identity: identity({ role: Role.CLINIC, careUnitId: "u1" }) })).not.toBe(
      keyOf(c, { identity: identity({ role: Role.CLINIC, careUnitId: "u2" }) }),
    );
    expect(keyOf(c, { identity: identity({ viaService: "referrals" }) })).not.toBe(base);
  });

  it("drops the answers that used a subgraph when it changes, and only those", () => {
    const c = cache();
    c.store("both", answer(1), ["capacity", "agreements"], c.snapshot());
    c.store("capacity", answer(2), ["capacity"], c.snapshot());
    c.store("agreements", answer(3), ["agreements"], c.snapshot());
    c.invalidate("agreements");
    expect(c.get("both")).toBeUndefined();
    expect(c.get("agreements")).toBeUndefined();
    expect(c.get("capacity")).toEqual(answer(2));
    c.invalidate("capacity");
    expect(c.get("capacity")).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it("does not keep an answer computed while a change arrived (it may predate the change)", () => {
    const c = cache();
    const since = c.snapshot();
    c.invalidate("capacity");
    expect(c.store("k", answer(1), ["capacity"], since)).toBe(false);
    expect(c.get("k")).toBeUndefined();
    // A change to a subgraph the answer did not use does not matter.
    const later = c.snapshot();
    c.invalidate("agreements");
    expect(c.store("k", answer(1), ["capacity"], later)).toBe(true);
  });

  it("drops answers of a part only when that part or all of the subgraph changes", () => {
    const c = cache();
    c.store("ortho", answer(1), ["capacity/specialty/ORTHOPAEDICS", "agreements"], c.snapshot());
    c.store("hips", answer(2), ["capacity/procedureCode/NFB49"], c.snapshot());
    c.store("all", answer(3), ["capacity"], c.snapshot());
    c.invalidate("capacity", ["specialty/UROLOGY", "procedureCode/KED22"]);
    expect(c.get("ortho")).toEqual(answer(1));
    expect(c.get("hips")).toEqual(answer(2));
    expect(c.get("all")).toBeUndefined(); // depends on every offer
    c.invalidate("capacity", ["specialty/ORTHOPAEDICS", "procedureCode/NGB49"]);
    expect(c.get("ortho")).toBeUndefined();
    expect(c.get("hips")).toEqual(answer(2));
    c.invalidate("capacity"); // a change of unknown extent
    expect(c.get("hips")).toBeUndefined();
  });

  it("refuses to keep a part's answer after a change to that part or to the whole subgraph, not after another part's", () => {
    const c = cache();
    let since = c.snapshot();
    c.invalidate("capacity", ["specialty/UROLOGY"]);
    expect(c.store("ortho", answer(1), ["capacity/specialty/ORTHOPAEDICS"], since)).toBe(true);
    expect(c.store("all", answer(1), ["capacity"], since)).toBe(false);
    since = c.snapshot();
    c.invalidate("capacity", ["specialty/ORTHOPAEDICS"]);
    expect(c.store("ortho", answer(1), ["capacity/specialty/ORTHOPAEDICS"], since)).toBe(false);
    since = c.snapshot();
    c.invalidate("capacity");
    expect(c.store("ortho", answer(1), ["capacity/specialty/ORTHOPAEDICS"], since)).toBe(false);
    expect(c.changedSince(["agreements"], since)).toBe(false);
  });

  it("keeps nothing that needs a subgraph whose change feed is not live, and forgets it when the feed breaks", () => {
    const c = new ResponseCache({ cacheable: ["capacity", "agreements"], maxBytes: 1_000_000, ttlMs: 60_000 });
    expect(c.enabled).toBe(false);
    c.setLive("capacity", true);
    expect(c.enabled).toBe(true);
    expect(c.store("a", answer(1), ["capacity", "agreements"], c.snapshot())).toBe(false);
    expect(c.store("c", answer(2), ["capacity"], c.snapshot())).toBe(true);
    c.setLive("capacity", false);
    expect(c.get("c")).toBeUndefined();
    expect(c.store("c", answer(2), ["capacity"], c.snapshot())).toBe(false);
  });

  it("forgets what changed while a feed was away when it comes back", () => {
    const c = cache();
    const since = c.snapshot();
    c.setLive("capacity", true);
    expect(c.store("k", answer(1), ["capacity"], since)).toBe(false);
  });

  it("never keeps answers of subgraphs it has no change feed for, or answers with errors", () => {
    const c = cache();
    expect(c.isCacheable("patients")).toBe(false);
    expect(c.store("p", answer(1), ["capacity", "patients"], c.snapshot())).toBe(false);
    expect(c.store("e", { data: null, errors: [{ message: "boom" }] }, ["capacity"], c.snapshot())).toBe(false);
  });

  it("lets an answer live no longer than its lifetime", () => {
    const c = cache(1_000_000, 5_000);
    c.store("k", answer(1), ["capacity"], c.snapshot());
    clock += 4_999;
    expect(c.get("k")).toEqual(answer(1));
    clock += 1;
    expect(c.get("k")).toBeUndefined();
    expect(c.stats().entries).toBe(0);
  });

  it("holds at most its size, dropping the least recently used answers first", () => {
    const one = Buffer.byteLength(JSON.stringify(answer(1)));
    const c = cache(one * 30);
    for (let i = 0; i < 3; i++) c.store(`k${i}`, answer(i), ["capacity"], c.snapshot());
    for (let i = 3; i < 30; i++) c.store(`k${i}`, answer(i), ["capacity"], c.snapshot());
    expect(c.get("k0")).toEqual(answer(0)); // k0 is now the most recently used
    c.store("k30", answer(30), ["capacity"], c.snapshot());
    c.store("k31", answer(31), ["capacity"], c.snapshot());
    expect(c.get("k0")).toEqual(answer(0));
    expect(c.get("k1")).toBeUndefined();
    expect(c.get("k2")).toBeUndefined();
    expect(c.stats().bytes).toBeLessThanOrEqual(one * 30);
  });

  it("does not let one huge answer push out everything else", () => {
    const c = cache(1_000);
    const huge = { data: { text: "x".repeat(200) } };
    expect(c.store("huge", huge, ["capacity"], c.snapshot())).toBe(false);
  });

  it("is off with a size of zero", () => {
    const c = cache(0);
    expect(c.enabled).toBe(false);
    expect(c.store("k", answer(1), ["capacity"], c.snapshot())).toBe(false);
  });
});

describe("what a search depends on (partsOf)", () => {
  const partitioning = { subgraph: "capacity", rootField: "freeCapacity", argument: "filter", by: ["specialty", "procedureCode"] };
  const parts = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
    partsOf(parse(query), operationName, variables, partitioning);

  it("names the specialty, else the procedure, of a search's filter, literal or variable", () => {
    expect(parts(`{ freeCapacity(filter: { specialty: ORTHOPAEDICS, procedureCode: "NFB49" }) { totalCount } }`)).toEqual([
      "specialty/ORTHOPAEDICS",
    ]);
    expect(parts(`query($f: FreeCapacityFilter) { freeCapacity(filter: $f) { totalCount } }`, { f: { procedureCode: "NFB49" } })).toEqual([
      "procedureCode/NFB49",
    ]);
    expect(parts(`query($s: Specialty) { freeCapacity(filter: { specialty: $s }) { totalCount } }`, { s: "UROLOGY" })).toEqual([
      "specialty/UROLOGY",
    ]);
    expect(
      parts(
        `{ a: freeCapacity(filter: { specialty: UROLOGY }) { totalCount } b: freeCapacity(filter: { procedureCode: "CJE20" }) { totalCount } __typename }`,
      ),
    ).toEqual(["specialty/UROLOGY", "procedureCode/CJE20"]);
  });

  it("says nothing (the whole subgraph) for searches not narrowed that way or operations asking more", () => {
    expect(parts(`{ freeCapacity { totalCount } }`)).toBeUndefined();
    expect(parts(`{ freeCapacity(filter: { regionCodes: ["13"] }) { totalCount } }`)).toBeUndefined();
    expect(parts(`query($f: FreeCapacityFilter) { freeCapacity(filter: $f) { totalCount } }`, { f: null })).toBeUndefined();
    expect(parts(`{ freeCapacity(filter: { specialty: UROLOGY }) { totalCount } offerEventCursor }`)).toBeUndefined();
    expect(parts(`{ ... on Query { freeCapacity(filter: { specialty: UROLOGY }) { totalCount } } }`)).toBeUndefined();
    expect(
      parts(`query A { freeCapacity(filter: { specialty: UROLOGY }) { totalCount } } query B { providers { id } }`, {}, "B"),
    ).toBeUndefined();
    expect(parts(`query A { freeCapacity(filter: { specialty: UROLOGY }) { totalCount } } query B { providers { id } }`, {}, "A")).toEqual([
      "specialty/UROLOGY",
    ]);
  });
});

describe("response cache settings", () => {
  it("holds 64 MiB for a minute by default, and is off with HUB_RESPONSE_CACHE_MB=0", () => {
    expect(loadConfig({}).responseCache).toEqual({ maxBytes: 64 * 1024 * 1024, ttlMs: 60_000 });
    expect(loadConfig({ HUB_RESPONSE_CACHE_MB: "0", HUB_RESPONSE_CACHE_TTL_SECONDS: "5" }).responseCache).toEqual({
      maxBytes: 0,
      ttlMs: 5_000,
    });
  });

  it("refuses settings that cannot be meant, naming the setting", () => {
    expect(() => loadConfig({ HUB_RESPONSE_CACHE_MB: "-1" })).toThrow(/HUB_RESPONSE_CACHE_MB must be a whole number of 0 or more/);
    expect(() => loadConfig({ HUB_RESPONSE_CACHE_MB: "lots" })).toThrow(/HUB_RESPONSE_CACHE_MB/);
    expect(() => loadConfig({ HUB_RESPONSE_CACHE_TTL_SECONDS: "0" })).toThrow(
      /HUB_RESPONSE_CACHE_TTL_SECONDS must be a whole number of at least 1/,
    );
  });
});

describe("delivered events (a mutation waits for its own)", () => {
  it("answers at once for events already delivered, and when the last awaited one arrives", async () => {
    const events = new DeliveredEvents();
    events.delivered("capacity", 7);
    await expect(events.waitFor("capacity", [7], 1_000)).resolves.toBe(true);
    const waiting = events.waitFor("capacity", [8, 9], 1_000);
    events.delivered("agreements", 8); // another feed's event 8 is not this one
    events.delivered("capacity", 9);
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    events.delivered("capacity", 8);
    await expect(waiting).resolves.toBe(true);
  });

  it("gives up after the time limit, or when the feed breaks", async () => {
    const events = new DeliveredEvents();
    await expect(events.waitFor("capacity", [1], 20)).resolves.toBe(false);
    const waiting = events.waitFor("capacity", [2], 10_000);
    const other = events.waitFor("agreements", [2], 10_000);
    events.abandon("capacity");
    await expect(waiting).resolves.toBe(false);
    events.delivered("agreements", 2);
    await expect(other).resolves.toBe(true);
  });

  it("remembers a bounded number of ids", async () => {
    const events = new DeliveredEvents(3);
    for (const id of [1, 2, 3, 4]) events.delivered("capacity", id);
    await expect(events.waitFor("capacity", [2, 3, 4], 1_000)).resolves.toBe(true);
    await expect(events.waitFor("capacity", [1], 10)).resolves.toBe(false);
  });
});

describe("the cache plugin and mutations", () => {
  /** Runs a mutation's willSendResponse with the events the subgraphs reported. */
  async function mutation(
    c: ResponseCache,
    appended: Array<[string, number[]]>,
    heard: (subgraph: string, ids: readonly number[]) => Promise<boolean>,
  ) {
    const plugin = responseCachePlugin(c, { heard });
    const hooks = (await plugin.requestDidStart!({} as never))!;
    const contextValue = {
      identity: identity(),
      today: "2026-11-30",
      fetchedFrom: new Set(appended.map(([name]) => name)),
      appendedEvents: new Map(appended),
    };
    await hooks.willSendResponse!({
      operation: { operation: "mutation" },
      contextValue,
      response: { body: { kind: "single", singleResult: {} } },
    } as never);
  }

  it("answers a mutation only after the feed delivered its events, and then drops only what they touched", async () => {
    const c = cache();
    c.store("ortho", answer(1), ["capacity/specialty/ORTHOPAEDICS"], c.snapshot());
    const order: string[] = [];
    await mutation(c, [["capacity", [41]]], async (subgraph, ids) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push(`heard ${subgraph} ${ids.join()}`);
      return true;
    });
    order.push("answered");
    expect(order).toEqual(["heard capacity 41", "answered"]);
    expect(c.get("ortho")).toEqual(answer(1)); // the feed, not the mutation, drops what the event touched
  });

  it("drops everything of the subgraph when its events are not heard in time", async () => {
    const c = cache();
    c.store("ortho", answer(1), ["capacity/specialty/ORTHOPAEDICS"], c.snapshot());
    c.store("deal", answer(2), ["agreements"], c.snapshot());
    await mutation(c, [["capacity", [42]]], async () => false);
    expect(c.get("ortho")).toBeUndefined();
    expect(c.get("deal")).toEqual(answer(2));
  });

  it("drops nothing for a mutation that appended no event, or only to subgraphs that are not cached", async () => {
    const c = cache();
    c.store("ortho", answer(1), ["capacity"], c.snapshot());
    let asked = 0;
    await mutation(c, [["referrals", [5]]], async () => {
      asked += 1;
      return false;
    });
    await mutation(c, [], async () => false);
    expect(asked).toBe(0);
    expect(c.get("ortho")).toEqual(answer(1));
  });
});
