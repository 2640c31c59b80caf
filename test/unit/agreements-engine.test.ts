import { ProviderKind } from "../../subgraphs/shared/domain/enums";
import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import {
  AgreementFacts,
  AgreementKind,
  availability,
  CareCase,
  CoverageStatus,
  coversCare,
  decideCoverage,
  exhaustedCeiling,
  isValidOn,
  priceFor,
  RejectionReason,
  VersionFacts,
  versionOn,
} from "../../subgraphs/agreements/services/coverage";
import { ceilingProblems, createAgreementProblems, CreateAgreementInput, endingProblems, priceListProblems, revisionProblems } from "../../subgraphs/agreements/services/agreement-rules";

/** The agreements engine's rules, directly: precedence, validity, versions, prices, ceilings, input checks. */
const PRIVATE_PROVIDER = "11111111-1111-4111-8111-111111111111";
const OTHER_PRIVATE = "22222222-2222-4222-8222-222222222222";
const TERMS = { referralRequired: true, paymentCommitmentRequired: true, sameTermsAsResidents: true };

function version(overrides: Partial<VersionFacts> = {}): VersionFacts {
  return { id: `v${overrides.version ?? 1}`, version: 1, effectiveFrom: "2020-01-01", coversAllPlannedCare: true, specialties: [], procedureCodes: [], terms: TERMS, ...overrides };
}

function agreement(overrides: Partial<AgreementFacts> & Pick<AgreementFacts, "kind">): AgreementFacts {
  return {
    id: `${overrides.kind}-${overrides.name ?? "a"}`,
    name: overrides.name ?? overrides.kind,
    validFrom: "2020-01-01",
    validUntil: null,
    partyRegionCodes: [],
    providerId: null,
    versions: [version()],
    priceLists: [],
    ceilings: [],
    ...overrides,
  };
}

const RIKSAVTALET = agreement({ kind: AgreementKind.RIKSAVTALET, name: "Riksavtalet", partyRegionCodes: REGIONS.map((r) => r.code) });
const SODRA = agreement({ kind: AgreementKind.HEALTHCARE_REGION_PACT, name: "Södra", partyRegionCodes: ["07", "10", "12", "13"] });
const VASTRA = agreement({ kind: AgreementKind.HEALTHCARE_REGION_PACT, name: "Västra", partyRegionCodes: ["13", "14"] });
const HALLAND_PRIVATE = agreement({
  kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
  name: "Halland–Kattegatt",
  partyRegionCodes: ["13"],
  providerId: PRIVATE_PROVIDER,
  versions: [version({ coversAllPlannedCare: false, specialties: [Specialty.ORTHOPAEDICS] })],
  priceLists: [{ validFrom: "2020-01-01", validUntil: null, entries: [{ procedureCode: "NFB49", providingRegionCode: null, priceSek: 79_900 }] }],
});
const ALL = [RIKSAVTALET, SODRA, VASTRA, HALLAND_PRIVATE];

function careCase(overrides: Partial<CareCase> = {}): CareCase {
  return {
    homeRegionCode: "13",
    providerId: "33333333-3333-4333-8333-333333333333",
    providerKind: ProviderKind.PUBLIC,
    providerRegionCode: "12",
    specialty: Specialty.ORTHOPAEDICS,
    procedureCode: "NFB49",
    date: "2026-11-23",
    ...overrides,
  };
}

const names = (list: Array<{ agreement: AgreementFacts }>) => list.map((x) => x.agreement.name);
const codes = (list: Array<{ agreement: AgreementFacts; code: RejectionReason }>) => Object.fromEntries(list.map((x) => [x.agreement.name, x.code]));

describe("decideCoverage: which agreement, in which order", () => {
  it("calls care at the home region's own public provider internal care, with no agreement", () => {
    const d = decideCoverage(careCase({ providerRegionCode: "13" }), ALL);
    expect(d.status).toBe(CoverageStatus.INTERNAL_CARE);
    expect(d.applicable).toEqual([]);
  });

  it("puts a pact both regions are party to before Riksavtalet", () => {
    const d = decideCoverage(careCase({ providerRegionCode: "12" }), ALL);
    expect(d.status).toBe(CoverageStatus.COVERED);
    expect(names(d.applicable)).toEqual(["Södra", "Riksavtalet"]);
    expect(d.applicable[1].reason).toContain("takes precedence");
    expect(codes(d.rejected)).toEqual({ Västra: RejectionReason.PROVIDER_REGION_NOT_PARTY });
  });

  it("uses the other pact for a provider in the other healthcare region (Halland is in both)", () => {
    expect(names(decideCoverage(careCase({ providerRegionCode: "14" }), ALL).applicable)).toEqual(["Västra", "Riksavtalet"]);
  });

  it("falls back to Riksavtalet where no pact has both regions", () => {
    const d = decideCoverage(careCase({ providerRegionCode: "01" }), ALL);
    expect(names(d.applicable)).toEqual(["Riksavtalet"]);
    expect(codes(d.rejected)).toEqual({ Södra: RejectionReason.PROVIDER_REGION_NOT_PARTY, Västra: RejectionReason.PROVIDER_REGION_NOT_PARTY });
  });

  it("reaches a private provider only through the home region's own agreement with it, at its price", () => {
    const d = decideCoverage(careCase({ providerId: PRIVATE_PROVIDER, providerKind: ProviderKind.PRIVATE, providerRegionCode: "13" }), ALL);
    expect(names(d.applicable)).toEqual(["Halland–Kattegatt"]);
    expect(d.applicable[0].priceSek).toBe(79_900);
    expect(new Set(Object.values(codes(d.rejected)))).toEqual(new Set([RejectionReason.PRIVATE_PROVIDER]));
  });

  it("does not cover a private provider with no agreement, and says why", () => {
    const d = decideCoverage(careCase({ providerId: OTHER_PRIVATE, providerKind: ProviderKind.PRIVATE, providerRegionCode: "12" }), ALL);
    expect(d.status).toBe(CoverageStatus.NOT_COVERED);
    expect(d.reason).toContain("no care-guarantee agreement with this private provider");
  });

  it("does not let another region use Halland's private agreement", () => {
    const d = decideCoverage(careCase({ homeRegionCode: "12", providerId: PRIVATE_PROVIDER, providerKind: ProviderKind.PRIVATE, providerRegionCode: "13" }), ALL);
    expect(d.status).toBe(CoverageStatus.NOT_COVERED);
    expect(codes(d.rejected)["Halland–Kattegatt"]).toBe(RejectionReason.HOME_REGION_NOT_PARTY);
  });

  it("rejects a private agreement that does not cover the care, naming the version", () => {
    const d = decideCoverage(
      careCase({ providerId: PRIVATE_PROVIDER, providerKind: ProviderKind.PRIVATE, providerRegionCode: "13", specialty: Specialty.OPHTHALMOLOGY, procedureCode: "CJE20" }),
      ALL,
    );
    expect(d.status).toBe(CoverageStatus.NOT_COVERED);
    expect(d.rejected[0]).toMatchObject({ code: RejectionReason.CARE_NOT_COVERED });
    expect(d.rejected[0].reason).toContain("Version 1 does not cover procedure CJE20");
  });

  it("ranks the most recently started of two agreements of one kind first", () => {
    const older = agreement({ kind: AgreementKind.HEALTHCARE_REGION_PACT, name: "Old pact", partyRegionCodes: ["13", "12"], validFrom: "2018-01-01" });
    const newer = agreement({ kind: AgreementKind.HEALTHCARE_REGION_PACT, name: "New pact", partyRegionCodes: ["13", "12"], validFrom: "2024-01-01" });
    expect(names(decideCoverage(careCase(), [older, newer]).applicable)).toEqual(["New pact", "Old pact"]);
  });

  it("ignores agreements the home region is not party to and private agreements with other providers", () => {
    const elsewhere = agreement({ kind: AgreementKind.HEALTHCARE_REGION_PACT, name: "Norra", partyRegionCodes: ["22", "23", "24", "25"] });
    const d = decideCoverage(careCase(), [elsewhere, HALLAND_PRIVATE, RIKSAVTALET]);
    expect(names(d.applicable)).toEqual(["Riksavtalet"]);
    expect(d.rejected).toEqual([]);
  });

  it("says there is no agreement at all when none is considered", () => {
    const d = decideCoverage(careCase(), []);
    expect(d).toMatchObject({ status: CoverageStatus.NOT_COVERED, applicable: [], rejected: [] });
    expect(d.reason).toContain("No agreement between Region Halland and Region Skåne");
  });
});

describe("validity and versions", () => {
  it.each([
    ["2019-12-31", false],
    ["2020-01-01", true],
    ["2025-06-30", true],
    ["2025-12-31", true],
    ["2026-01-01", false],
  ])("an agreement valid 2020-01-01..2025-12-31 applies on %s: %s", (date, valid) => {
    expect(isValidOn({ validFrom: "2020-01-01", validUntil: "2025-12-31" }, date)).toBe(valid);
  });

  it("is open-ended without an end date", () => {
    expect(isValidOn({ validFrom: "2020-01-01", validUntil: null }, "2099-01-01")).toBe(true);
  });

  it("explains an agreement not yet in force and one that ended", () => {
    const future = agreement({ kind: AgreementKind.RIKSAVTALET, validFrom: "2027-01-01" });
    expect(availability(future, Specialty.ORTHOPAEDICS, "NFB49", "2026-12-31")).toMatchObject({ code: RejectionReason.NOT_YET_IN_FORCE });
    const ended = agreement({ kind: AgreementKind.RIKSAVTALET, validUntil: "2025-12-31" });
    const outcome = availability(ended, Specialty.ORTHOPAEDICS, "NFB49", "2026-01-01");
    expect(outcome).toMatchObject({ code: RejectionReason.EXPIRED });
    expect((outcome as { reason: string }).reason).toContain("2025-12-31");
  });

  const versions = agreement({
    kind: AgreementKind.HEALTHCARE_REGION_PACT,
    versions: [
      version({ version: 1, effectiveFrom: "2020-01-01", coversAllPlannedCare: false, specialties: [Specialty.ORTHOPAEDICS] }),
      version({ version: 3, effectiveFrom: "2026-01-01", coversAllPlannedCare: false, procedureCodes: ["CJE20"] }),
      version({ version: 2, effectiveFrom: "2023-07-01", coversAllPlannedCare: true }),
    ],
  });

  it.each([
    ["2019-12-31", null],
    ["2020-01-01", 1],
    ["2023-06-30", 1],
    ["2023-07-01", 2],
    ["2025-12-31", 2],
    ["2026-01-01", 3],
  ])("the version in force on %s is %s, whatever the order they are stored in", (date, expected) => {
    expect(versionOn(versions, date)?.version ?? null).toBe(expected);
  });

  it("judges coverage by the version in force on the care date", () => {
    expect(availability(versions, Specialty.UROLOGY, "KED22", "2024-01-01")).toHaveProperty("version.version", 2);
    expect(availability(versions, Specialty.UROLOGY, "KED22", "2026-02-01")).toMatchObject({ code: RejectionReason.CARE_NOT_COVERED });
    expect(availability(versions, Specialty.OPHTHALMOLOGY, "CJE20", "2026-02-01")).toHaveProperty("version.version", 3);
  });

  it("covers care by all planned care, by specialty, or by procedure; a first visit only by specialty", () => {
    const bySpecialty = version({ coversAllPlannedCare: false, specialties: [Specialty.ORTHOPAEDICS] });
    const byProcedure = version({ coversAllPlannedCare: false, procedureCodes: ["NFB49"] });
    expect(coversCare(version(), Specialty.UROLOGY, null)).toBe(true);
    expect(coversCare(bySpecialty, Specialty.ORTHOPAEDICS, null)).toBe(true);
    expect(coversCare(bySpecialty, Specialty.UROLOGY, "KED22")).toBe(false);
    expect(coversCare(byProcedure, Specialty.ORTHOPAEDICS, "NFB49")).toBe(true);
    expect(coversCare(byProcedure, Specialty.ORTHOPAEDICS, "NGB49")).toBe(false);
    expect(coversCare(byProcedure, Specialty.ORTHOPAEDICS, null)).toBe(false);
  });
});

describe("prices and ceilings", () => {
  const priced = agreement({
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    priceLists: [
      { validFrom: "2025-01-01", validUntil: "2025-12-31", entries: [{ procedureCode: "NFB49", providingRegionCode: null, priceSek: 75_000 }] },
      {
        validFrom: "2026-01-01",
        validUntil: null,
        entries: [
          { procedureCode: "NFB49", providingRegionCode: null, priceSek: 80_000 },
          { procedureCode: "NFB49", providingRegionCode: "12", priceSek: 82_000 },
        ],
      },
    ],
  });

  it.each([
    ["2025-12-31", "13", 75_000],
    ["2026-01-01", "13", 80_000],
    ["2026-01-01", "12", 82_000],
    ["2024-12-31", "13", null],
  ])("prices NFB49 on %s in region %s at %s", (date, region, price) => {
    expect(priceFor(priced, "NFB49", region, date)).toBe(price);
  });

  it("has no per-case price for a first visit or an unlisted procedure", () => {
    expect(priceFor(priced, null, "13", "2026-01-01")).toBeNull();
    expect(priceFor(priced, "NGB49", "13", "2026-01-01")).toBeNull();
  });

  const ceiling = (usedCases: number, procedureCodes: string[] = []) =>
    agreement({
      kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
      ceilings: [{ id: "c", periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 40, procedureCodes, usedCases }],
    });

  it.each([
    [39, false],
    [40, true],
    [41, true],
  ])("a ceiling of 40 cases with %s used is exhausted: %s", (used, exhausted) => {
    expect(exhaustedCeiling(ceiling(used), "NFB49", "2026-06-01") !== null).toBe(exhausted);
  });

  it("counts a ceiling only within its period and for its procedures", () => {
    expect(exhaustedCeiling(ceiling(40), "NFB49", "2027-01-01")).toBeNull();
    expect(exhaustedCeiling(ceiling(40, ["NGB49"]), "NFB49", "2026-06-01")).toBeNull();
    expect(exhaustedCeiling(ceiling(40, ["NFB49"]), "NFB49", "2026-06-01")).not.toBeNull();
    expect(availability(ceiling(40), Specialty.ORTHOPAEDICS, "NFB49", "2026-06-01")).toMatchObject({ code: RejectionReason.CEILING_REACHED });
  });
});

describe("agreement input rules", () => {
  const base: CreateAgreementInput = {
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Halland–Test",
    validFrom: "2026-01-01",
    validUntil: "2027-12-31",
    partyRegionCodes: ["13"],
    providerId: PRIVATE_PROVIDER,
    healthcareRegionCode: null,
    coverage: { coversAllPlannedCare: false, specialties: [Specialty.ORTHOPAEDICS], procedureCodes: [] },
    terms: TERMS,
  } as CreateAgreementInput;
  const rules = (input: Partial<CreateAgreementInput>) => createAgreementProblems({ ...base, ...input }).map((p) => [p.field, p.rule]);

  it("accepts a well-formed private agreement", () => {
    expect(rules({})).toEqual([]);
  });

  it.each([
    [{ name: " " }, ["input.name", "REQUIRED"]],
    [{ validUntil: "2025-12-31" }, ["input.validUntil", "END_BEFORE_START"]],
    [{ validFrom: "2026-02-30" }, ["input.validFrom", "DATE_FORMAT"]],
    [{ partyRegionCodes: ["13", "14"] }, ["input.partyRegionCodes", "PRIVATE_AGREEMENT_PARTIES"]],
    [{ partyRegionCodes: ["99"] }, ["input.partyRegionCodes[0]", "REGION_CODE_UNKNOWN"]],
    [{ providerId: null }, ["input.providerId", "REQUIRED"]],
    [{ coverage: { coversAllPlannedCare: false, specialties: [], procedureCodes: [] } }, ["input.coverage", "COVERAGE_EMPTY"]],
    [{ coverage: { coversAllPlannedCare: false, specialties: [], procedureCodes: ["hip"] } }, ["input.coverage.procedureCodes[0]", "KVA_CODE_FORMAT"]],
    [{ ceilings: [{ periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 0 }] }, ["input.ceilings[0].maxCases", "POSITIVE"]],
  ])("refuses %j with %j", (input, expected) => {
    expect(rules(input as Partial<CreateAgreementInput>)).toContainEqual(expected);
  });

  it("holds Riksavtalet to all 21 regions and a pact to its healthcare region", () => {
    expect(rules({ kind: AgreementKind.RIKSAVTALET, providerId: null, partyRegionCodes: ["13", "12"] })).toContainEqual(["input.partyRegionCodes", "RIKSAVTALET_ALL_REGIONS"]);
    expect(rules({ kind: AgreementKind.RIKSAVTALET, providerId: null, partyRegionCodes: REGIONS.map((r) => r.code) })).toEqual([]);
    expect(rules({ kind: AgreementKind.HEALTHCARE_REGION_PACT, providerId: null, healthcareRegionCode: "SODRA", partyRegionCodes: ["13", "01"] })).toContainEqual([
      "input.partyRegionCodes[1]",
      "PARTY_OUTSIDE_HEALTHCARE_REGION",
    ]);
    expect(rules({ kind: AgreementKind.HEALTHCARE_REGION_PACT, providerId: null, healthcareRegionCode: "SODRA", partyRegionCodes: ["13", "12"] })).toEqual([]);
    expect(rules({ kind: AgreementKind.HEALTHCARE_REGION_PACT, healthcareRegionCode: "SODRA", partyRegionCodes: ["13", "12"] })).toContainEqual(["input.providerId", "PROVIDER_ONLY_PRIVATE"]);
  });

  it("keeps price lists within the agreement and apart from each other", () => {
    const list = { name: "2027", validFrom: "2027-01-01", validUntil: "2027-12-31", entries: [{ procedureCode: "NFB49", priceSek: 81_000 }] };
    const agreementPeriod = { validFrom: "2026-01-01", validUntil: "2027-12-31" };
    expect(priceListProblems("input", list, agreementPeriod, [])).toEqual([]);
    expect(priceListProblems("input", { ...list, validUntil: "2028-06-30" }, agreementPeriod, []).map((p) => p.rule)).toEqual(["OUTSIDE_AGREEMENT"]);
    const existing = [{ name: "2026–27", validFrom: "2026-01-01", validUntil: "2027-03-31" }];
    expect(priceListProblems("input", list, agreementPeriod, existing).map((p) => p.rule)).toEqual(["OVERLAPPING_PRICE_LIST"]);
    expect(priceListProblems("input", { ...list, entries: [{ procedureCode: "NFB49", priceSek: -1 }] }, agreementPeriod, []).map((p) => p.rule)).toEqual(["NEGATIVE_PRICE"]);
    const twice = { ...list, entries: [{ procedureCode: "NFB49", priceSek: 1 }, { procedureCode: "NFB49", priceSek: 2 }] };
    expect(priceListProblems("input", twice, agreementPeriod, []).map((p) => p.rule)).toEqual(["DUPLICATE_PRICE"]);
  });

  it("lets versions only follow each other, within the agreement, with a note and a change", () => {
    const period = { validFrom: "2026-01-01", validUntil: "2027-12-31" };
    const revise = (effectiveFrom: string, extra: Record<string, unknown> = {}) =>
      revisionProblems({ effectiveFrom, changeNote: "New terms", terms: TERMS, ...extra }, period, "2026-06-01", 2).map((p) => p.rule);
    expect(revise("2026-07-01")).toEqual([]);
    expect(revise("2026-06-01")).toEqual(["OVERLAPPING_VERSION"]);
    expect(revise("2028-01-01")).toEqual(["OUTSIDE_AGREEMENT"]);
    expect(revise("2026-07-01", { changeNote: " " })).toEqual(["REQUIRED"]);
    expect(revise("2026-07-01", { terms: null })).toEqual(["NOTHING_CHANGES"]);
  });

  it("ends an agreement no earlier than it starts, with a reason", () => {
    const period = { validFrom: "2026-01-01", validUntil: null };
    expect(endingProblems("2026-03-31", "Provider closed", period)).toEqual([]);
    expect(endingProblems("2025-12-31", "Provider closed", period).map((p) => p.rule)).toEqual(["END_BEFORE_START"]);
    expect(endingProblems("2026-03-31", "", period).map((p) => p.rule)).toEqual(["REQUIRED"]);
  });

  it("checks ceiling periods and sizes", () => {
    expect(ceilingProblems("c", { periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 1 })).toEqual([]);
    expect(ceilingProblems("c", { periodFrom: "2026-12-31", periodUntil: "2026-01-01", maxCases: 1 }).map((p) => p.rule)).toEqual(["END_BEFORE_START"]);
    expect(ceilingProblems("c", { periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 1_000_001 }).map((p) => p.rule)).toEqual(["POSITIVE"]);
  });
});
