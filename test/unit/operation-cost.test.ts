import { buildSchema, getOperationAST, parse } from "graphql";
import { CostBudget, CostInFlight, operationCost } from "../../gateway/cost";
import { Role, systemIdentity } from "../../subgraphs/shared/identity";

/**
 * The cost counts what will really be executed: the same page costs the same whether its size is a
 * literal, a variable, a variable's default or the field's default, and no way of writing the
 * document (fragments, aliases of aliases, nesting) makes it cheaper than what runs.
 */
const schema = buildSchema(`
  type Query {
    "Documented default."
    offers("Page size, 0 to 100 (default 20)." first: Int): OfferConnection!
    schemaDefault(first: Int = 7): OfferConnection!
    offer(id: ID!): Offer
  }
  type Subscription { offerPublished: Offer! }
  type OfferConnection { totalCount: Int! edges: [OfferEdge!]! }
  type OfferEdge { cursor: String! node: Offer! }
  type Offer { id: ID! slots: Int! matches("How many, 1 to 50 (default 10)." first: Int): [Match!]! }
  type Match { rank: Int! }
`);

const cost = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables);
};

// offers { edges { node { id slots } } }: (2 + (2 + (2 + 1 + 1))) × page
const PAGE = (n: number) => (2 + (2 + (2 + 1 + 1))) * n;

describe("the cost of an operation", () => {
  it("multiplies by a literal page size as before", () => {
    expect(cost(`{ offers(first: 50) { edges { node { id slots } } } }`)).toBe(PAGE(50));
  });

  it("multiplies by a variable's value", () => {
    expect(cost(`query($n: Int) { offers(first: $n) { edges { node { id slots } } } }`, { n: 50 })).toBe(PAGE(50));
  });

  it("multiplies by a variable's default when the variable is not sent", () => {
    expect(cost(`query($n: Int = 40) { offers(first: $n) { edges { node { id slots } } } }`)).toBe(PAGE(40));
    expect(cost(`query($n: Int = 40) { offers(first: $n) { edges { node { id slots } } } }`, { n: 60 })).toBe(PAGE(60));
  });

  it("multiplies by the field's default page size when first is left out or null", () => {
    expect(cost(`{ offers { edges { node { id slots } } } }`)).toBe(PAGE(20));
    expect(cost(`query($n: Int) { offers(first: $n) { edges { node { id slots } } } }`, { n: null })).toBe(PAGE(20));
    expect(cost(`{ schemaDefault { edges { node { id slots } } } }`)).toBe(PAGE(7));
  });

  it("counts a page inside a fragment, and each spread of it", () => {
    const once = cost(`query($n: Int) { ...F } fragment F on Query { offers(first: $n) { edges { node { id slots } } } }`, { n: 50 });
    expect(once).toBe(1 + 2 + PAGE(50));
    const inline = cost(
      `query($n: Int) { ... on Query { offers(first: $n) { edges { ...E } } } } fragment E on OfferEdge { node { id slots } }`,
      { n: 50 },
    );
    expect(inline).toBeGreaterThanOrEqual(PAGE(50));
    const twice = cost(
      `query($n: Int) { a: offers(first: $n) { edges { ...N } } b: offers(first: $n) { edges { ...N } } } fragment N on OfferEdge { node { id slots } }`,
      { n: 50 },
    );
    expect(twice).toBe(2 * (2 + (2 + 1 + 2 + (2 + 1 + 1))) * 50);
  });

  it("counts aliases, and aliases of aliases, each on their own", () => {
    const one = cost(`query($n: Int) { a: offers(first: $n) { edges { node { id } } } }`, { n: 50 });
    const aliased = cost(
      `query($n: Int) { a: offers(first: $n) { e1: edges { n1: node { id } n2: node { id } } e2: edges { n3: node { id } } } b: offers(first: $n) { edges { node { id } } } }`,
      { n: 50 },
    );
    expect(aliased).toBe(one + (2 + (2 + (2 + 1) + (2 + 1)) + (2 + (2 + 1))) * 50);
  });

  it("multiplies nested connections", () => {
    const nested = cost(`query($n: Int, $m: Int) { offers(first: $n) { edges { node { matches(first: $m) { rank } } } } }`, {
      n: 100,
      m: 50,
    });
    expect(nested).toBe((2 + (2 + (2 + (2 + 1) * 50))) * 100);
    expect(cost(`query($n: Int) { offers(first: $n) { edges { node { matches { rank } } } } }`, { n: 100 })).toBe(
      (2 + (2 + (2 + (2 + 1) * 10))) * 100,
    );
  });

  it("counts subscriptions the same way", () => {
    expect(cost(`subscription($m: Int) { offerPublished { id matches(first: $m) { rank } } }`, { m: 50 })).toBe(2 + 1 + (2 + 1) * 50);
  });
});

describe("the cost budget per client", () => {
  const office = systemIdentity("office", Role.REGIONAL_OFFICE, "13");
  const peer = systemIdentity("peer-system", Role.PEER_REGION, "12");

  it("refuses with 429 and Retry-After once a client's cost a minute is spent, and refills with time", () => {
    const budget = new CostBudget(60_000);
    const now = 1_000_000;
    budget.charge(peer, 20_000, now);
    budget.charge(peer, 20_000, now);
    budget.charge(peer, 20_000, now);
    let refused: any;
    try {
      budget.charge(peer, 20_000, now);
    } catch (error) {
      refused = error;
    }
    expect(refused.extensions).toMatchObject({ code: "RATE_LIMITED", limit: "COST_PER_MINUTE", retryAfterSeconds: 20 });
    expect(refused.extensions.http.status).toBe(429);
    expect(refused.extensions.http.headers.get("retry-after")).toBe("20");
    // Another client is not held back by it…
    expect(() => budget.charge(office, 20_000, now)).not.toThrow();
    // …and the spent client may go on once its cost has been refilled.
    expect(() => budget.charge(peer, 20_000, now + 20_000)).not.toThrow();
  });
});

describe("cost in flight per client", () => {
  const system = systemIdentity("peer-system", Role.PEER_REGION, "12");
  const office = systemIdentity("office", Role.REGIONAL_OFFICE, "13");

  it("runs a client's costly requests one after another, in order, and never holds back another client", async () => {
    const inFlight = new CostInFlight(20_000);
    const order: string[] = [];
    const first = await inFlight.acquire(system, 19_800);
    const waiting = [1, 2].map((n) =>
      inFlight.acquire(system, 19_800).then((release) => {
        order.push(`heavy ${n}`);
        return release;
      }),
    );
    // Another client runs at once, beside the first heavy request.
    const other = await inFlight.acquire(office, 3_800);
    order.push("office");
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["office"]);
    first();
    const second = await waiting[0];
    expect(order).toEqual(["office", "heavy 1"]);
    second();
    second(); // releasing twice frees once
    (await waiting[1])();
    other();
    expect(order).toEqual(["office", "heavy 1", "heavy 2"]);
    // Small requests of one client run side by side within the limit.
    const small = await Promise.all([1, 2, 3].map(() => inFlight.acquire(office, 3_800)));
    for (const release of small) release();
  });
});
