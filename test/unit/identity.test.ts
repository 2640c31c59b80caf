import { GraphQLError } from "graphql";
import { RateLimiter } from "../../gateway/limits";
import {
  CARE_AND_TREATMENT,
  Claims,
  Identity,
  identityFromClaims,
  mayManageCapacityOf,
  patientDataAccess,
} from "../../subgraphs/shared/identity";

/** Who a token says the caller is, and what that allows: directly, case by case. */
const PROVIDER = "0f0f0f0f-0000-4000-8000-000000000003";
const UNIT = "0f0f0f0f-0000-4000-8000-000000000002";
const EXP = 2_000_000_000;

function claims(overrides: Claims): Claims {
  return {
    iss: "https://idp.example",
    sub: "SE9999999999-E000000000001",
    exp: EXP,
    loa: 3,
    assignment_purpose: CARE_AND_TREATMENT,
    ...overrides,
  };
}

function identity(overrides: Claims): Identity {
  const result = identityFromClaims(claims(overrides));
  if ("refused" in result) throw new Error(result.refused);
  return result;
}

describe("identityFromClaims", () => {
  it.each<[string, Claims]>([
    ["a regional office", { role: "REGIONAL_OFFICE", region: "13" }],
    ["a clinic", { role: "CLINIC", region: "13", unit: UNIT }],
    ["a provider", { role: "PROVIDER", provider: PROVIDER }],
    ["a peer region", { role: "PEER_REGION", region: "12" }],
    ["an administrator", { role: "ADMINISTRATOR" }],
  ])("accepts %s with its organisation", (_who, input) => {
    expect(identityFromClaims(claims(input))).toMatchObject({ role: input.role, expiresAt: EXP, assuranceLevel: 3 });
  });

  it.each<[string, Claims, RegExp]>([
    ["an unknown role", { role: "ROOT" }, /role must be one of/],
    ["no role", {}, /role must be one of/],
    ["an office without its region", { role: "REGIONAL_OFFICE" }, /must name its region/],
    ["a clinic without its unit", { role: "CLINIC", region: "13" }, /must name its unit/],
    ["a provider without its provider", { role: "PROVIDER" }, /must name its provider/],
    ["a region that is no county code", { role: "PEER_REGION", region: "99" }, /not a county code/],
    ["a provider that is no id", { role: "PROVIDER", provider: "acme" }, /not a provider id/],
    ["no subject", { role: "ADMINISTRATOR", sub: "" }, /no subject/],
    ["no expiry", { role: "ADMINISTRATOR", exp: undefined }, /no expiry/],
  ])("refuses %s", (_what, input, reason) => {
    const result = identityFromClaims(claims(input));
    expect(result).toHaveProperty("refused");
    expect((result as { refused: string }).refused).toMatch(reason);
  });
});

describe("patientDataAccess", () => {
  it.each<[string, Claims, string, boolean, string]>([
    ["the home region's office", { role: "REGIONAL_OFFICE", region: "13" }, "13", true, "HOME_REGION_OFFICE"],
    ["the home region's clinic", { role: "CLINIC", region: "13", unit: UNIT }, "13", true, "HOME_REGION_CLINIC"],
    ["another region's office", { role: "REGIONAL_OFFICE", region: "14" }, "13", false, "NOT_THE_HOME_REGION"],
    ["another region's clinic", { role: "CLINIC", region: "12", unit: UNIT }, "13", false, "NOT_THE_HOME_REGION"],
    ["a peer region, even the home region's", { role: "PEER_REGION", region: "13" }, "13", false, "PEER_REGION_SEES_NO_PATIENT_DATA"],
    ["a provider (no referral sent yet)", { role: "PROVIDER", provider: PROVIDER }, "13", false, "NO_REFERRAL_SENT_TO_PROVIDER"],
    ["an administrator", { role: "ADMINISTRATOR" }, "13", false, "NO_CARE_RELATION"],
    ["the home office at LoA2", { role: "REGIONAL_OFFICE", region: "13", loa: 2 }, "13", false, "ASSURANCE_LEVEL_BELOW_3"],
    [
      "the home office without an assignment",
      { role: "REGIONAL_OFFICE", region: "13", assignment_purpose: undefined },
      "13",
      false,
      "NO_CARE_AND_TREATMENT_ASSIGNMENT",
    ],
    [
      "the home office on an administrative assignment",
      { role: "REGIONAL_OFFICE", region: "13", assignment_purpose: "Administration" },
      "13",
      false,
      "NO_CARE_AND_TREATMENT_ASSIGNMENT",
    ],
  ])("%s: allowed %s", (_who, input, home, allowed, basis) => {
    expect(patientDataAccess(identity({ ...input, loa: input.loa ?? 3 }), home)).toEqual({ allowed, basis });
  });
});

describe("mayManageCapacityOf", () => {
  it("lets a provider manage its own capacity only, and an administrator any", () => {
    expect(mayManageCapacityOf(identity({ role: "PROVIDER", provider: PROVIDER }), PROVIDER)).toBe(true);
    expect(mayManageCapacityOf(identity({ role: "PROVIDER", provider: PROVIDER }), UNIT)).toBe(false);
    expect(mayManageCapacityOf(identity({ role: "ADMINISTRATOR" }), PROVIDER)).toBe(true);
    expect(mayManageCapacityOf(identity({ role: "REGIONAL_OFFICE", region: "13" }), PROVIDER)).toBe(false);
    expect(mayManageCapacityOf(identity({ role: "PEER_REGION", region: "13" }), PROVIDER)).toBe(false);
  });
});

describe("RateLimiter", () => {
  const caller = identity({ role: "ADMINISTRATOR" });

  it("allows the limit in a burst, refuses the next, and refills over the minute", () => {
    const limiter = new RateLimiter(3);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) limiter.take(caller, t0);
    let refused: unknown;
    try {
      limiter.take(caller, t0);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(GraphQLError);
    expect((refused as GraphQLError).extensions).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 20 });
    // One request's worth comes back after a third of a minute.
    expect(() => limiter.take(caller, t0 + 20_000)).not.toThrow();
    expect(() => limiter.take(caller, t0 + 20_000)).toThrow(GraphQLError);
  });

  it("counts each client on its own", () => {
    const limiter = new RateLimiter(1);
    limiter.take(caller, 0);
    expect(() => limiter.take(identity({ role: "ADMINISTRATOR", sub: "another-client" }), 0)).not.toThrow();
    expect(() => limiter.take(caller, 0)).toThrow(GraphQLError);
  });
});
