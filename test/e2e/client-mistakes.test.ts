import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEV_ISSUER } from "../../gateway/dev-keys";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { privateAgreement } from "../support/agreements";
import { GraphQLResponse, startTestHub, TestHub } from "../support/hub";
import { subscribe } from "../support/subscriptions";
import { within } from "../support/wait";

/**
 * Every mistake a client can make gets a client code (never INTERNAL_SERVER_ERROR), the same over
 * HTTP and graphql-ws, with a message that says what was wrong in the client's terms; none of them
 * is logged as an error of the hub's.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

const today = stockholmDate();
const KATTEGATT_UNIT = careUnitId("kattegatt-ortopedi");

/** An HTTP POST to the gateway as an administrator, with the status. */
async function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: GraphQLResponse }> {
  const response = await fetch(hub.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: await hub.authorization(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: GraphQLResponse = {};
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: the test looks at the text.
  }
  return { status: response.status, text, json };
}

/** The lines the hub logs at ERROR while `run` runs. */
async function errorLogLines(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: any, ...rest: any[]) => {
    if (String(chunk).includes(" ERROR ")) lines.push(String(chunk));
    return write(chunk, ...rest);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** The errors a subscription ends with: an `error` message, or a `next` with errors. */
async function subscriptionErrors(
  query: string,
  variables?: Record<string, unknown>,
): Promise<Array<{ message: string; extensions?: Record<string, any> }>> {
  const subscription = subscribe(hub.url, query, variables);
  const ended = await within(subscription.ended, 10_000, "timeout");
  await subscription.close();
  if (Array.isArray(ended)) return ended;
  if (subscription.results[0]?.errors) return subscription.results[0].errors;
  throw new Error(`subscription did not end with errors: ${JSON.stringify(ended)} ${JSON.stringify(subscription.results)}`);
}

const PUBLISH = `mutation($input: PublishCapacityInput!, $key: String) { publishCapacity(input: $input, idempotencyKey: $key) { offers { id totalSlots slotTimes } } }`;

function offer(overrides: Record<string, unknown> = {}) {
  return {
    careUnitId: KATTEGATT_UNIT,
    procedureCode: "NFB49",
    slots: 2,
    validFrom: today,
    validUntil: addDays(today, 60),
    expectedWaitDays: 21,
    ...overrides,
  };
}

describe("the same codes over graphql-ws as over HTTP", () => {
  const cases: Array<[string, string, Record<string, unknown> | undefined, string]> = [
    [
      "an unknown enum value",
      `subscription { offerPublished(filter: { specialty: NO_SUCH_SPECIALTY }) { id } }`,
      undefined,
      "GRAPHQL_VALIDATION_FAILED",
    ],
    ["an unknown field", `subscription { offerPublished { id noSuchField } }`, undefined, "GRAPHQL_VALIDATION_FAILED"],
    ["a syntax error", `subscription { offerPublished { id }`, undefined, "GRAPHQL_PARSE_FAILED"],
    [
      "a variable of the wrong type",
      `subscription($f: FreeCapacityFilter) { offerPublished(filter: $f) { id } }`,
      { f: { minAvailableSlots: "many" } },
      "BAD_USER_INPUT",
    ],
    ["an unknown operation name", `subscription A { offerPublished { id } }`, undefined, "OPERATION_RESOLUTION_FAILURE"],
  ];

  it.each(cases)("answers %s with its client code on both, logging no error", async (_what, query, variables, code) => {
    const lines = await errorLogLines(async () => {
      const errors = query.includes("subscription A")
        ? await subscriptionErrorsNamed(query, "B")
        : await subscriptionErrors(query, variables);
      expect(errors[0]).toMatchObject({ extensions: { code } });
      expect(errors[0].message).not.toMatch(/Internal server error/);
    });
    expect(lines).toEqual([]);
    // The same mistake over HTTP (as a query, where the operation type allows).
    const httpQuery = query
      .replace(/^subscription/, "query")
      .replace("offerPublished", "freeCapacity")
      .replace("{ id", "{ totalCount")
      .replace("{ id noSuchField", "{ totalCount noSuchField");
    const http = await post({ query: httpQuery, variables, operationName: query.includes("subscription A") ? "B" : undefined });
    expect(http.json.errors?.[0].extensions?.code).toBe(code);
    expect(http.status).toBe(400);
  });
});

/** Like subscriptionErrors, with an operation name that the document does not have. */
async function subscriptionErrorsNamed(query: string, operationName: string) {
  const { createClient } = await import("graphql-ws");
  const WebSocket = (await import("ws")).default;
  const authorization = await hub.authorization();
  const client = createClient({
    url: hub.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: { authorization },
  });
  try {
    return await new Promise<any[]>((resolve, reject) => {
      client.subscribe(
        { query, operationName },
        {
          next: (result) => (result.errors ? resolve(result.errors as any[]) : reject(new Error("a result without errors"))),
          error: (error) => (Array.isArray(error) ? resolve(error) : reject(error)),
          complete: () => reject(new Error("completed without errors")),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

describe("parse failures and limits", () => {
  it("answers a syntax error with 400 GRAPHQL_PARSE_FAILED", async () => {
    const { status, json } = await post({ query: "{ freeCapacity { totalCount }" });
    expect(status).toBe(400);
    expect(json.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(json.errors?.[0].message).toMatch(/^Syntax Error: Expected Name, found <EOF>/);
  });

  it("answers a document over the token limit with 400 GRAPHQL_PARSE_FAILED naming the limit", async () => {
    const { status, json } = await post({
      query: `{ freeCapacity(filter: { regionCodes: [${Array(1000).fill('"13"').join(", ")}] }) { totalCount } }`,
    });
    expect(status).toBe(400);
    expect(json.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(json.errors?.[0].message).toBe(
      "The document has more than 1 000 tokens (names, values and punctuation), the hub's limit; send a smaller document.",
    );
  });

  it("says which limit a costly or deep query breaks, in words", async () => {
    const node =
      "id availableSlots earliestStart validFrom validUntil expectedWaitDays provider { id name kind region { code name } } procedure { code name }";
    const costly = await post({
      query: `{ ${Array.from({ length: 10 }, (_, i) => `p${i}: freeCapacity(first: 100) { edges { node { ${node} } } }`).join(" ")} }`,
    });
    expect(costly.status).toBe(400);
    expect(costly.json.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(costly.json.errors?.[0].message).toMatch(
      /^The query costs [\d ]+, more than the limit of 20 000 \(objects count 2, fields 1, times the page size\); ask for fewer fields or smaller pages\.$/,
    );
    const deep = await post({
      query: `{ hubRegion { healthcareRegions { regions { healthcareRegions { regions { healthcareRegions { regions { healthcareRegions { regions { healthcareRegions { regions { healthcareRegions { code } } } } } } } } } } } } }`,
    });
    expect(deep.json.errors?.[0].message).toBe("The query is nested 13 levels deep, more than the limit of 12.");
    for (const error of [costly, deep].map((r) => r.json.errors?.[0].message)) expect(error).not.toMatch(/Syntax Error/);
  });
});

describe("mistakes in the request itself", () => {
  it("answers an unknown operationName with 400 OPERATION_RESOLUTION_FAILURE", async () => {
    const { status, json } = await post({ query: "query A { hubRegion { code } }", operationName: "B" });
    expect(status).toBe(400);
    expect(json.errors?.[0]).toMatchObject({
      message: 'Unknown operation named "B".',
      extensions: { code: "OPERATION_RESOLUTION_FAILURE" },
    });
    const twoWithoutName = await post({ query: "query A { hubRegion { code } } query B { hubRegion { name } }" });
    expect(twoWithoutName.status).toBe(400);
    expect(twoWithoutName.json.errors?.[0].extensions?.code).toBe("OPERATION_RESOLUTION_FAILURE");
  });

  it("answers a persisted query whose hash does not match it with 400 BAD_REQUEST", async () => {
    const query = "{ hubRegion { code } }";
    const wrong = createHash("sha256").update("{ hubRegion { name } }").digest("hex");
    const { status, json } = await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } });
    expect(status).toBe(400);
    expect(json.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
    expect(json.errors?.[0].message).toMatch(/sha256Hash does not match/);
    const right = createHash("sha256").update(query).digest("hex");
    expect((await post({ query, extensions: { persistedQuery: { version: 1, sha256Hash: right } } })).json.data).toEqual({
      hubRegion: { code: "13" },
    });
  });

  it("answers a body of deeply nested JSON with 400 BAD_REQUEST, revealing nothing", async () => {
    const depth = 200_000;
    const body = `{"query":"query($a: [[String]]) { hubRegion { code } }","variables":{"a":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
    expect(body.length).toBeLessThan(1_000_000);
    const { status, text, json } = await post(body);
    expect(status).toBe(400);
    expect(json.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
    expect(text).not.toMatch(/RangeError|stack/i);
    // Nesting a real input needs is fine.
    expect((await post({ query: "{ hubRegion { code } }", variables: { a: [[[[["13"]]]]] } })).status).toBe(200);
  });
});

describe("text that PostgreSQL cannot store", () => {
  const bad: Array<[string, string]> = [
    ["a NUL character", "BMI under 35\u0000"],
    ["a lone surrogate", "BMI \ud800 under 35"],
  ];
  describe.each(bad)("%s", (_what, text) => {
    it("in an offer's conditions or reportedBy, or the idempotency key, is BAD_USER_INPUT naming the field", async () => {
      const conditions = await hub.query(PUBLISH, {
        input: { offers: [offer(), offer({ conditions: text })], reportedBy: "Booking system" },
      });
      expect(conditions.errors?.[0].extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.offers[1].conditions",
        rule: "TEXT_CHARACTER",
      });
      const reportedBy = await hub.query(PUBLISH, { input: { offers: [offer()], reportedBy: text } });
      expect(reportedBy.errors?.[0].extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "input.reportedBy",
        rule: "TEXT_CHARACTER",
      });
      const key = await hub.query(PUBLISH, { input: { offers: [offer()], reportedBy: "Booking system" }, key: text });
      expect(key.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "idempotencyKey", rule: "TEXT_CHARACTER" });
    });

    it("in a query's argument is BAD_USER_INPUT naming the argument", async () => {
      const { errors } = await hub.query(`query($subject: String!) { auditLogByUser(subject: $subject) { id } }`, { subject: text });
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subject", rule: "TEXT_CHARACTER" });
    });
  });

  it("is refused written into the document as well", async () => {
    const { errors } = await hub.query(`{ auditLogByUser(subject: "a\\u0000b") { id } }`);
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subject", rule: "TEXT_CHARACTER" });
  });

  it("is refused in a subscription's variables too", async () => {
    const errors = await subscriptionErrors(`subscription($f: FreeCapacityFilter) { offerPublished(filter: $f) { id } }`, {
      f: { procedureCode: "NFB\u000049" },
    });
    expect(errors[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.procedureCode", rule: "TEXT_CHARACTER" });
  });
});

describe("impossible instants", () => {
  // 30 February of the first year whose 2 March is still ahead.
  const year = Number(today.slice(0, 4)) + (today.slice(5) < "03-02" ? 0 : 1);
  const impossible = `${year}-02-30T10:00:00Z`;

  it("refuses a slot time on 30 February instead of storing 2 March", async () => {
    const variables = {
      input: { offers: [offer({ slots: null, slotTimes: [impossible], validUntil: addDays(today, 366) })], reportedBy: "Booking system" },
    };
    const { data, errors } = await hub.query(PUBLISH, variables);
    expect(data?.publishCapacity).toBeFalsy();
    expect(errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.offers[0].slotTimes[0]",
      rule: "DATE_TIME_FORMAT",
    });
  });

  it.each([`${year}-02-30T10:00:00Z`, "2027-01-01T24:30:00Z", "2027-13-01T10:00:00Z", "2027-01-01T10:61:00+01:00"])(
    "refuses %s written into the document",
    async (instant) => {
      const { errors } = await hub.query(`{ auditLogByUser(subject: "x", from: "${instant}") { id } }`);
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "from", rule: "DATE_TIME_FORMAT" });
    },
  );
});

describe("the largest batch of slot times", () => {
  // The documented limits: 500 slot times an offer, 20 000 a batch (which fits the 1 MB body limit).
  const times = (offerIndex: number, count: number) =>
    Array.from(
      { length: count },
      (_, i) =>
        `${addDays(today, 1 + Math.floor(i / 10))}T${String(8 + (i % 10)).padStart(2, "0")}:${String(offerIndex % 60).padStart(2, "0")}:00Z`,
    );
  const batch = (offers: number, last = 500) =>
    Array.from({ length: offers }, (_, i) =>
      offer({ slots: null, slotTimes: times(i, i === offers - 1 ? last : 500), validUntil: addDays(today, 100) }),
    );

  it("publishes 20 000 slot times in one batch and refuses 20 001", async () => {
    const largest = await hub.query(PUBLISH.replace("slotTimes } }", "} }"), {
      input: { offers: batch(40), reportedBy: "Booking system" },
    });
    expect(largest.errors).toBeUndefined();
    expect(largest.data.publishCapacity.offers.reduce((sum: number, o: { totalSlots: number }) => sum + o.totalSlots, 0)).toBe(20_000);
    const over = await hub.query(PUBLISH.replace("slotTimes } }", "} }"), {
      input: { offers: [...batch(40), offer({ slots: null, slotTimes: times(41, 1) })], reportedBy: "Booking system" },
    });
    expect(over.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.offers", rule: "SLOT_TIMES_PER_BATCH" });
  }, 120_000);

  it("refuses 501 slot times in one offer", async () => {
    const { errors } = await hub.query(PUBLISH, { input: { offers: batch(1, 501), reportedBy: "Booking system" } });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.offers[0].slotTimes", rule: "LIST_TOO_LONG" });
  });
});

describe("lists", () => {
  const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

  it("accepts 100 provider ids in a filter and refuses 101 (and 10 000)", async () => {
    const query = `query($ids: [ID!]) { freeCapacity(filter: { providerIds: $ids }, first: 1) { totalCount } }`;
    expect((await hub.query(query, { ids: ids(100) })).errors).toBeUndefined();
    for (const n of [101, 10_000]) {
      const { errors } = await hub.query(query, { ids: ids(n) });
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.providerIds", rule: "LIST_TOO_LONG" });
      expect(errors?.[0].message).toBe(`filter.providerIds: at most 100 items, got ${n}`);
    }
  });

  it("refuses the same value twice where it makes no sense", async () => {
    const codes = await hub.query(`{ freeCapacity(filter: { regionCodes: ["13", "14", "13"] }) { totalCount } }`);
    expect(codes.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.regionCodes[2]", rule: "DUPLICATE_VALUE" });
    const agreement = await hub.query(`mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`, {
      input: privateAgreement({ coverage: { coversAllPlannedCare: false, procedureCodes: Array(10_000).fill("KED22") } }),
    });
    expect(agreement.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.coverage.procedureCodes",
      rule: "LIST_TOO_LONG",
    });
    const twice = await hub.query(`mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`, {
      input: privateAgreement({ coverage: { coversAllPlannedCare: false, procedureCodes: ["KED22", "KED22"] } }),
    });
    expect(twice.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.coverage.procedureCodes[1]",
      rule: "DUPLICATE_VALUE",
    });
    const { data } = await hub.query(`{ agreements(filter: { providerId: "${providerId("private-malardalens-gyn-uro")}" }) { id } }`);
    expect(data.agreements).toEqual([]);
  });
});

describe("cursors", () => {
  it("refuses a cursor of another connection with CURSOR_INVALID", async () => {
    const { data } = await hub.query(`{ freeCapacity(first: 1) { pageInfo { endCursor } } }`);
    const cursor = data.freeCapacity.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const { errors } = await hub.query(`query($after: String) { referrals(first: 5, after: $after) { totalCount } }`, { after: cursor });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after", rule: "CURSOR_INVALID" });
    // Its own connection takes it.
    expect(
      (await hub.query(`query($after: String) { freeCapacity(first: 1, after: $after) { totalCount } }`, { after: cursor })).errors,
    ).toBeUndefined();
  });
});

describe("unauthenticated callers", () => {
  it("get nothing but /health: no landing page, no version, on the gateway or any subgraph", async () => {
    const urls = [hub.url, ...SUBGRAPH_NAMES.map((name) => hub.hub.subgraphs[name].url)];
    for (const url of urls) {
      const response = await fetch(url, { headers: { accept: "text/html" } });
      const text = await response.text();
      expect(response.status).toBe(401);
      expect(text).not.toMatch(/apollo|<html|\d+\.\d+\.\d+/i);
      expect((await fetch(url.replace(/\/graphql$/, "/health"))).status).toBe(200);
    }
  });
});

describe("production messages", () => {
  it("hide field suggestions cleanly and name GRAPHQL_INTROSPECTION when introspection is off", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-jwks-"));
    const jwks = path.join(dir, "jwks.json");
    const { publicJwk } = JSON.parse(fs.readFileSync(process.env.HUB_DEV_KEY_FILE!, "utf8"));
    fs.writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
    const production = await startTestHub({
      NODE_ENV: "production",
      HUB_DEV_KEY_FILE: "",
      HUB_TRUSTED_ISSUERS: JSON.stringify([{ issuer: DEV_ISSUER, jwks }]),
    });
    try {
      const typo = await production.query("{ freeCapacitx { totalCount } }");
      expect(typo.errors?.[0].message).toBe('Cannot query field "freeCapacitx" on type "Query".');
      const wsTypo = subscribe(production.url, "subscription { offerPublishex { id } }");
      const ended = (await wsTypo.ended) as Array<{ message: string }>;
      expect(ended[0].message).toBe('Cannot query field "offerPublishex" on type "Subscription".');
      const introspection = await production.query("{ __schema { types { name } } }");
      expect(introspection.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(introspection.errors?.[0].message).toMatch(/GRAPHQL_INTROSPECTION/);
      expect(introspection.errors?.[0].message).not.toMatch(/ApolloServer|introspection: true/);
    } finally {
      await production.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
