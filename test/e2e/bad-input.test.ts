import { startTestHub, TestHub } from "../support/hub";

/** Bad input gets a clear BAD_USER_INPUT error naming the argument and the rule; the server keeps serving. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

const badInput = async (query: string, variables?: Record<string, unknown>) => {
  const { data, errors } = await hub.query(query, variables);
  expect(errors).toBeDefined();
  return { data, error: errors![0] };
};

describe("bad input through the gateway", () => {
  it.each([
    [
      "a malformed KVÅ code",
      `{ freeCapacity(filter: { procedureCode: "NF49" }) { totalCount } }`,
      "filter.procedureCode",
      "KVA_CODE_FORMAT",
    ],
    [
      "a lower-case KVÅ code",
      `{ freeCapacity(filter: { procedureCode: "nfb49" }) { totalCount } }`,
      "filter.procedureCode",
      "KVA_CODE_FORMAT",
    ],
    [
      "an unknown region code",
      `{ freeCapacity(filter: { regionCodes: ["13", "99"] }) { totalCount } }`,
      "filter.regionCodes[1]",
      "REGION_CODE_UNKNOWN",
    ],
    [
      "an unknown healthcare region",
      `{ freeCapacity(filter: { healthcareRegionCode: "MITTEN" }) { totalCount } }`,
      "filter.healthcareRegionCode",
      "HEALTHCARE_REGION_CODE_UNKNOWN",
    ],
    [
      "a provider id that is not a UUID",
      `{ freeCapacity(filter: { providerIds: ["42"] }) { totalCount } }`,
      "filter.providerIds[0]",
      "ID_FORMAT",
    ],
    ["first over the maximum page size", `{ freeCapacity(first: 101) { totalCount } }`, "first", "PAGE_SIZE_MAXIMUM"],
    ["a negative first", `{ freeCapacity(first: -1) { totalCount } }`, "first", "PAGE_SIZE_NOT_NEGATIVE"],
    ["a cursor that is not a cursor", `{ freeCapacity(after: "not-a-cursor") { totalCount } }`, "after", "CURSOR_INVALID"],
    [
      "a cursor of the wrong shape",
      `{ freeCapacity(after: "${Buffer.from('{"page":2}').toString("base64url")}") { totalCount } }`,
      "after",
      "CURSOR_INVALID",
    ],
    [
      "a cursor from another list",
      `{ freeCapacity(after: "${Buffer.from('["2026-01-01","not-a-uuid"]').toString("base64url")}") { totalCount } }`,
      "after",
      "CURSOR_INVALID",
    ],
    ["zero minimum slots", `{ freeCapacity(filter: { minAvailableSlots: 0 }) { totalCount } }`, "filter.minAvailableSlots", "POSITIVE"],
    ["an unknown region code for a region", `{ region(code: "26") { name } }`, "code", "REGION_CODE_UNKNOWN"],
    ["a malformed KVÅ code for a procedure", `{ procedure(code: "NFB4") { name } }`, "code", "KVA_CODE_FORMAT"],
    [
      "an unknown region in the referral filter",
      `{ referrals(filter: { homeRegionCode: "00" }) { totalCount } }`,
      "filter.homeRegionCode",
      "REGION_CODE_UNKNOWN",
    ],
    ["first over the maximum for referrals", `{ referrals(first: 500) { totalCount } }`, "first", "PAGE_SIZE_MAXIMUM"],
    [
      "an unknown region among agreement parties",
      `{ agreements(filter: { partyRegionCode: "2" }) { id } }`,
      "filter.partyRegionCode",
      "REGION_CODE_UNKNOWN",
    ],
  ])("rejects %s", async (_what, query, field, rule) => {
    const { error } = await badInput(query);
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
    expect(error.message).toContain(field);
  });

  it("rejects an unknown home region for coverage, naming the argument, and keeps the rest of the answer", async () => {
    const { data, error } = await badInput(
      `{ freeCapacity(first: 2) { totalCount edges { node { id coverage(homeRegionCode: "99") { status } } } } }`,
    );
    expect(error.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "homeRegionCode", rule: "REGION_CODE_UNKNOWN" });
    expect(data.freeCapacity.totalCount).toBeGreaterThan(0);
    expect(data.freeCapacity.edges[0].node.coverage).toBeNull();
  });

  it("rejects an impossible date in variables", async () => {
    const { error } = await badInput(`query($by: Date) { freeCapacity(filter: { startsOnOrBefore: $by }) { totalCount } }`, {
      by: "2026-02-30",
    });
    expect(error.extensions?.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain("YYYY-MM-DD");
  });

  it("rejects a malformed personal identity number without repeating it", async () => {
    const { error } = await badInput(`{ patientByPersonalIdentityNumber(personalIdentityNumber: "19121212-1213") { id } }`);
    expect(error.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "personalIdentityNumber",
      rule: "IDENTITY_NUMBER_CHECK_DIGIT",
    });
    expect(error.message).not.toMatch(/1212/);
  });

  it("answers an unknown id with null, not an error", async () => {
    const { data, errors } = await hub.query(
      `{ capacityOffer(id: "00000000-0000-4000-8000-000000000000") { id } provider(id: "nonsense") { id } patient(id: "00000000-0000-4000-8000-000000000000") { id } referral(id: "x") { id } agreement(id: "00000000-0000-4000-8000-000000000000") { id } }`,
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ capacityOffer: null, provider: null, patient: null, referral: null, agreement: null });
  });

  it("keeps serving after bad input", async () => {
    await badInput(`{ freeCapacity(first: 1000) { totalCount } }`);
    const { data, errors } = await hub.query(`{ freeCapacity(first: 1) { totalCount } }`);
    expect(errors).toBeUndefined();
    expect(data.freeCapacity.totalCount).toBeGreaterThan(0);
  });

  it("answers a body that is not JSON with 400 and a request for an unknown path with 404", async () => {
    const bad = await fetch(hub.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(400);
    const missing = await fetch(hub.url.replace(/\/graphql$/, "/nothing-here"));
    expect(missing.status).toBe(404);
  });
});
