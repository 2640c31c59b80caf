import { ProviderKind } from "../../subgraphs/shared/domain/enums";
import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import {
  AgreementFacts,
  AgreementKind,
  availability,
  CareCase,
  CLOSENESS,
  CoverageStatus,
  coversCare,
  decideCoverage,
  exhaustedCeiling,
  isValidOn,
  priceFor,
  RejectionReason,
  VersionFacts,
  versionOn,
} from "../../subgraphs/agreements/domain/coverage";
import {
  ceilingProblems,
  createAgreementProblems,
  CreateAgreementInput,
  endingProblems,
  listToSupersede,
  mostSpecificFirst,
  priceListEndingProblems,
  priceListProblems,
  revisionProblems,
} from "../../subgraphs/agreements/domain/agreement-rules";
import { CeilingOutlook, ceilingUse, paceWindowStart } from "../../subgraphs/agreements/domain/ceiling-use";
import { ledgerAccess } from "../../subgraphs/agreements/services/commitment-access";
import { Identity, Role, systemIdentity } from "../../subgraphs/shared/identity";

/** The agreements engine's rules, directly: precedence, validity, versions, prices, ceilings, input checks. */
const PRIVATE_PROVIDER = "11111111-1111-4111-8111-111111111111";
const OTHER_PRIVATE = "22222222-2222-4222-8222-222222222222";
const TERMS = { referralRequired: true, paymentCommitmentRequired: true, sameTermsAsResidents: true };

function version(overrides: Partial<VersionFacts> = {}): VersionFacts {
  return {
    id: `v${overrides.version ?? 1}`,
    version: 1,
    effectiveFrom: "2020-01-01",
    coversAllPlannedCare: true,
    specialties: [],
    procedureCodes: [],
    terms: TERMS,
    ...overrides,
  };
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
  priceLists: [
    { validFrom: "2020-01-01", validUntil: null, entries: [{ procedureCode: "NFB49", providingRegionCode: null, priceSek: 79_900 }] },
  ],
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
const codes = (list: Array<{ agreement: AgreementFacts; code: RejectionReason }>) =>
  Object.fromEntries(list.map((x) => [x.agreement.name, x.code]));

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
    expect(codes(d.rejected)).toEqual({
      Södra: RejectionReason.PROVIDER_REGION_NOT_PARTY,
      Västra: RejectionReason.PROVIDER_REGION_NOT_PARTY,
    });
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
    const d = decideCoverage(
      careCase({ homeRegionCode: "12", providerId: PRIVATE_PROVIDER, providerKind: ProviderKind.PRIVATE, providerRegionCode: "13" }),
      ALL,
    );
    expect(d.status).toBe(CoverageStatus.NOT_COVERED);
    expect(codes(d.rejected)["Halland–Kattegatt"]).toBe(RejectionReason.HOME_REGION_NOT_PARTY);
  });

  it("rejects a private agreement that does not cover the care, naming the version", () => {
    const d = decideCoverage(
      careCase({
        providerId: PRIVATE_PROVIDER,
        providerKind: ProviderKind.PRIVATE,
        providerRegionCode: "13",
        specialty: Specialty.OPHTHALMOLOGY,
        procedureCode: "CJE20",
      }),
      ALL,
    );
    expect(d.status).toBe(CoverageStatus.NOT_COVERED);
    expect(d.rejected[0]).toMatchObject({ code: RejectionReason.CARE_NOT_COVERED });
    expect(d.rejected[0].reason).toContain("Version 1 does not cover procedure CJE20");
  });

  it("ranks the most recently started of two agreements of one kind first", () => {
    const older = agreement({
      kind: AgreementKind.HEALTHCARE_REGION_PACT,
      name: "Old pact",
      partyRegionCodes: ["13", "12"],
      validFrom: "2018-01-01",
    });
    const newer = agreement({
      kind: AgreementKind.HEALTHCARE_REGION_PACT,
      name: "New pact",
      partyRegionCodes: ["13", "12"],
      validFrom: "2024-01-01",
    });
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
      {
        validFrom: "2025-01-01",
        validUntil: "2025-12-31",
        entries: [{ procedureCode: "NFB49", providingRegionCode: null, priceSek: 75_000 }],
      },
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
    expect(availability(ceiling(40), Specialty.ORTHOPAEDICS, "NFB49", "2026-06-01")).toMatchObject({
      code: RejectionReason.CEILING_REACHED,
    });
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
    [
      { coverage: { coversAllPlannedCare: false, specialties: [], procedureCodes: ["hip"] } },
      ["input.coverage.procedureCodes[0]", "KVA_CODE_FORMAT"],
    ],
    [{ ceilings: [{ periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 0 }] }, ["input.ceilings[0].maxCases", "POSITIVE"]],
  ])("refuses %j with %j", (input, expected) => {
    expect(rules(input as Partial<CreateAgreementInput>)).toContainEqual(expected);
  });

  it("holds Riksavtalet to all 21 regions and a pact to its healthcare region", () => {
    expect(rules({ kind: AgreementKind.RIKSAVTALET, providerId: null, partyRegionCodes: ["13", "12"] })).toContainEqual([
      "input.partyRegionCodes",
      "RIKSAVTALET_ALL_REGIONS",
    ]);
    expect(rules({ kind: AgreementKind.RIKSAVTALET, providerId: null, partyRegionCodes: REGIONS.map((r) => r.code) })).toEqual([]);
    expect(
      rules({
        kind: AgreementKind.HEALTHCARE_REGION_PACT,
        providerId: null,
        healthcareRegionCode: "SODRA",
        partyRegionCodes: ["13", "01"],
      }),
    ).toContainEqual(["input.partyRegionCodes[1]", "PARTY_OUTSIDE_HEALTHCARE_REGION"]);
    expect(
      rules({
        kind: AgreementKind.HEALTHCARE_REGION_PACT,
        providerId: null,
        healthcareRegionCode: "SODRA",
        partyRegionCodes: ["13", "12"],
      }),
    ).toEqual([]);
    expect(
      rules({ kind: AgreementKind.HEALTHCARE_REGION_PACT, healthcareRegionCode: "SODRA", partyRegionCodes: ["13", "12"] }),
    ).toContainEqual(["input.providerId", "PROVIDER_ONLY_PRIVATE"]);
  });

  it("keeps price lists within the agreement and apart from each other", () => {
    const list = {
      name: "2027",
      validFrom: "2027-01-01",
      validUntil: "2027-12-31",
      entries: [{ procedureCode: "NFB49", priceSek: 81_000 }],
    };
    const agreementPeriod = { validFrom: "2026-01-01", validUntil: "2027-12-31" };
    expect(priceListProblems("input", list, agreementPeriod, [])).toEqual([]);
    expect(priceListProblems("input", { ...list, validUntil: "2028-06-30" }, agreementPeriod, []).map((p) => p.rule)).toEqual([
      "OUTSIDE_AGREEMENT",
    ]);
    const existing = [{ name: "2026–27", validFrom: "2026-01-01", validUntil: "2027-03-31" }];
    expect(priceListProblems("input", list, agreementPeriod, existing).map((p) => p.rule)).toEqual(["OVERLAPPING_PRICE_LIST"]);
    expect(
      priceListProblems("input", { ...list, entries: [{ procedureCode: "NFB49", priceSek: -1 }] }, agreementPeriod, []).map((p) => p.rule),
    ).toEqual(["NEGATIVE_PRICE"]);
    const twice = {
      ...list,
      entries: [
        { procedureCode: "NFB49", priceSek: 1 },
        { procedureCode: "NFB49", priceSek: 2 },
      ],
    };
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
    expect(ceilingProblems("c", { periodFrom: "2026-12-31", periodUntil: "2026-01-01", maxCases: 1 }).map((p) => p.rule)).toEqual([
      "END_BEFORE_START",
    ]);
    expect(ceilingProblems("c", { periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 1_000_001 }).map((p) => p.rule)).toEqual([
      "POSITIVE",
    ]);
  });
});

describe("the headline reason: the rejection closest to covering the case", () => {
  const KATTEGATT = { providerId: PRIVATE_PROVIDER, providerKind: ProviderKind.PRIVATE, providerRegionCode: "13" } as const;
  const privateAgreement = (name: string, overrides: Partial<AgreementFacts> = {}) =>
    agreement({ kind: AgreementKind.CARE_GUARANTEE_AGREEMENT, name, partyRegionCodes: ["13"], providerId: PRIVATE_PROVIDER, ...overrides });
  // Sorted first by precedence (same kind, the newest start first): the id no longer decides.
  const notCovering = privateAgreement("Ortopedi", {
    id: "0-first-by-id",
    validFrom: "2026-06-01",
    versions: [version({ effectiveFrom: "2026-06-01", coversAllPlannedCare: false, procedureCodes: ["NFB49"] })],
  });
  const ceilingReached = privateAgreement("Gynekologi", {
    id: "9-last-by-id",
    versions: [version({ coversAllPlannedCare: false, procedureCodes: ["LCC05"] })],
    ceilings: [{ id: "c", periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 3, procedureCodes: [], usedCases: 3 }],
  });
  const skane = agreement({
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Skåne",
    id: "00",
    validFrom: "2026-09-01",
    partyRegionCodes: ["12"],
    providerId: PRIVATE_PROVIDER,
  });

  it("names the agreement whose ceiling is reached, not one that does not cover the procedure", () => {
    const d = decideCoverage(careCase({ ...KATTEGATT, specialty: Specialty.GYNAECOLOGY, procedureCode: "LCC05" }), [
      notCovering,
      ceilingReached,
      skane,
      RIKSAVTALET,
    ]);
    expect(d.status).toBe(CoverageStatus.NOT_COVERED);
    expect(d.reason).toContain("Gynekologi: Its volume ceiling is reached: 3 of 3");
    expect(d.reason).not.toContain("does not cover");
    expect(d.rejected.map((r) => [r.agreement.name, r.code])).toEqual([
      ["Gynekologi", RejectionReason.CEILING_REACHED],
      ["Ortopedi", RejectionReason.CARE_NOT_COVERED],
      ["Riksavtalet", RejectionReason.PRIVATE_PROVIDER],
      ["Skåne", RejectionReason.HOME_REGION_NOT_PARTY],
    ]);
  });

  it("puts an agreement not in force on the date before one that does not cover the care", () => {
    const later = privateAgreement("Från 2027", { validFrom: "2027-01-01", versions: [version({ effectiveFrom: "2027-01-01" })] });
    const d = decideCoverage(careCase({ ...KATTEGATT, specialty: Specialty.GYNAECOLOGY, procedureCode: "LCC05" }), [notCovering, later]);
    expect(d.rejected.map((r) => r.code)).toEqual([RejectionReason.NOT_YET_IN_FORCE, RejectionReason.CARE_NOT_COVERED]);
    expect(d.reason).toContain("Från 2027: It applies from 2027-01-01");
  });

  it("orders every rejection code, closest first", () => {
    expect(CLOSENESS).toEqual([
      RejectionReason.CEILING_REACHED,
      RejectionReason.NOT_YET_IN_FORCE,
      RejectionReason.EXPIRED,
      RejectionReason.CARE_NOT_COVERED,
      RejectionReason.PROVIDER_REGION_NOT_PARTY,
      RejectionReason.PRIVATE_PROVIDER,
      RejectionReason.HOME_MUNICIPALITY_NOT_PARTY,
      RejectionReason.HOME_REGION_NOT_PARTY,
    ]);
    expect(new Set(CLOSENESS)).toEqual(new Set(Object.values(RejectionReason)));
  });

  it("keeps precedence among rejections equally close", () => {
    const oldRiks = agreement({
      kind: AgreementKind.RIKSAVTALET,
      name: "Gamla riksavtalet",
      partyRegionCodes: REGIONS.map((r) => r.code),
      validUntil: "2025-12-31",
    });
    const oldPact = agreement({
      kind: AgreementKind.HEALTHCARE_REGION_PACT,
      name: "Gamla Södra",
      partyRegionCodes: ["12", "13"],
      validUntil: "2025-12-31",
    });
    const d = decideCoverage(careCase({ providerRegionCode: "12" }), [oldRiks, oldPact]);
    expect(d.rejected.map((r) => [r.agreement.name, r.code])).toEqual([
      ["Gamla Södra", RejectionReason.EXPIRED],
      ["Gamla riksavtalet", RejectionReason.EXPIRED],
    ]);
  });
});

describe("the most specific rule first", () => {
  const agreementPeriod = { validFrom: "2026-01-01", validUntil: "2026-12-31" };
  const openList = { name: "Avtalspriser", validFrom: "2026-01-01", validUntil: null };

  it("reports an overlapping price list as OVERLAPPING_PRICE_LIST first, OUTSIDE_AGREEMENT only among the problems", () => {
    const list = { name: "2027", validFrom: "2026-06-01", validUntil: null, entries: [{ procedureCode: "NFB49", priceSek: 1 }] };
    const problems = priceListProblems("input", list, agreementPeriod, [openList]);
    expect(problems.map((p) => p.rule)).toEqual(["OVERLAPPING_PRICE_LIST", "OUTSIDE_AGREEMENT"]);
    expect(problems[0].message).toContain('"Avtalspriser"');
  });

  it("reports an overlapping version before a date outside the agreement", () => {
    const rules = revisionProblems({ effectiveFrom: "2027-02-01", changeNote: "x", terms: TERMS }, agreementPeriod, "2027-03-01", 2).map(
      (p) => p.rule,
    );
    expect(rules).toEqual(["OVERLAPPING_VERSION", "OUTSIDE_AGREEMENT"]);
  });

  it("sorts by tier and keeps the order of equally specific problems", () => {
    const p = (rule: string, field = "f") => ({ field, rule, message: "" });
    expect(
      mostSpecificFirst([p("OUTSIDE_AGREEMENT"), p("REQUIRED", "a"), p("DUPLICATE_PRICE"), p("KVA_CODE_FORMAT", "b")]).map((x) => x.rule),
    ).toEqual(["DUPLICATE_PRICE", "REQUIRED", "KVA_CODE_FORMAT", "OUTSIDE_AGREEMENT"]);
  });

  it("names an unknown region in the party list before the kind's party rule", () => {
    const rules = createAgreementProblems({
      kind: AgreementKind.RIKSAVTALET,
      name: "R",
      partyRegionCodes: ["13", "13"],
      validFrom: "2026-01-01",
      coverage: { coversAllPlannedCare: true },
      terms: TERMS,
    }).map((x) => x.rule);
    expect(rules).toEqual(["DUPLICATE_VALUE", "RIKSAVTALET_ALL_REGIONS"]);
  });
});

describe("ending and superseding a price list", () => {
  const agreementPeriod = { validFrom: "2026-01-01", validUntil: null };
  const open = { name: "Avtalspriser 2026", validFrom: "2026-01-01", validUntil: null };
  const next = {
    name: "Avtalspriser 2027",
    validFrom: "2027-01-01",
    validUntil: null,
    entries: [{ procedureCode: "KED22", priceSek: 39_500 }],
  };
  const today = "2026-11-23";

  it("supersedes the open-ended list from the new list's first day", () => {
    expect(priceListProblems("input", next, agreementPeriod, [open])[0].rule).toBe("OVERLAPPING_PRICE_LIST");
    expect(priceListProblems("input", next, agreementPeriod, [open], { today })).toEqual([]);
    expect(listToSupersede([open], "2027-01-01")).toBe(open);
  });

  it("still refuses an overlap with a list that starts on or after the new one", () => {
    const later = { name: "Avtalspriser 2028", validFrom: "2027-06-01", validUntil: null };
    const ended = { ...open, validUntil: "2026-12-31" };
    expect(priceListProblems("input", next, agreementPeriod, [ended, later], { today }).map((p) => p.rule)).toEqual([
      "OVERLAPPING_PRICE_LIST",
      "NOTHING_TO_SUPERSEDE",
    ]);
    expect(priceListProblems("input", next, agreementPeriod, [ended], { today }).map((p) => [p.field, p.rule])).toEqual([
      ["supersede", "NOTHING_TO_SUPERSEDE"],
    ]);
  });

  it("does not supersede from a day that has passed", () => {
    const problems = priceListProblems("input", { ...next, validFrom: "2026-11-23" }, agreementPeriod, [open], { today });
    expect(problems.map((p) => [p.field, p.rule])).toEqual([["input.validFrom", "DATE_IN_PAST"]]);
    expect(priceListProblems("input", { ...next, validFrom: "2026-11-24" }, agreementPeriod, [open], { today })).toEqual([]);
  });

  it("ends a list from today on, only bringing an ending forward, with a reason", () => {
    expect(priceListEndingProblems("2026-12-31", "Nya priser 2027", open, today)).toEqual([]);
    expect(priceListEndingProblems(today, "x", open, today)).toEqual([]);
    const rules = (lastDay: string, reason = "x", list: typeof open | { name: string; validFrom: string; validUntil: string } = open) =>
      priceListEndingProblems(lastDay, reason, list, today).map((p) => p.rule);
    expect(rules("2026-11-22")).toEqual(["DATE_IN_PAST"]);
    expect(rules("2025-12-31")).toEqual(["END_BEFORE_START"]);
    expect(rules("31/12/2026")).toEqual(["DATE_FORMAT"]);
    expect(rules("2026-12-31", " ")).toEqual(["REQUIRED"]);
    expect(rules("2027-06-30", "x", { ...open, validUntil: "2026-12-31" })).toEqual(["ENDING_NOT_BROUGHT_FORWARD"]);
    expect(rules("2026-12-31", "x", { ...open, validUntil: "2026-12-31" })).toEqual(["ENDING_NOT_BROUGHT_FORWARD"]);
  });
});

describe("a ceiling's use and pace", () => {
  const ceiling = { periodFrom: "2026-01-01", periodUntil: "2026-12-31", maxCases: 100 };

  it("projects the day the ceiling is reached at the pace of the last 30 days", () => {
    // 40 left at 20 per 30 days: 60 days from 2026-09-01.
    expect(ceilingUse({ ...ceiling, usedCases: 60, committedInWindow: 20 }, "2026-09-01")).toEqual({
      usedCases: 60,
      remainingCases: 40,
      casesPer30Days: 20,
      projectedReachedOn: "2026-10-31",
      outlook: CeilingOutlook.REACHED_AT_PACE,
    });
    expect(paceWindowStart("2026-09-01")).toBe("2026-08-03");
  });

  it("says when the pace does not reach it before the period ends, or there is no pace", () => {
    expect(ceilingUse({ ...ceiling, usedCases: 60, committedInWindow: 5 }, "2026-09-01")).toMatchObject({
      projectedReachedOn: null,
      outlook: CeilingOutlook.NOT_REACHED_AT_PACE,
    });
    expect(ceilingUse({ ...ceiling, usedCases: 60, committedInWindow: 0 }, "2026-09-01")).toMatchObject({
      casesPer30Days: 0,
      outlook: CeilingOutlook.NOT_REACHED_AT_PACE,
    });
  });

  it("says when it is reached or its period is over", () => {
    expect(ceilingUse({ ...ceiling, usedCases: 100, committedInWindow: 3 }, "2026-09-01")).toMatchObject({
      remainingCases: 0,
      outlook: CeilingOutlook.REACHED,
    });
    expect(ceilingUse({ ...ceiling, usedCases: 120, committedInWindow: 3 }, "2026-09-01")).toMatchObject({ remainingCases: 0 });
    expect(ceilingUse({ ...ceiling, usedCases: 10, committedInWindow: 3 }, "2027-01-01")).toMatchObject({
      outlook: CeilingOutlook.PERIOD_ENDED,
    });
  });

  it("projects a partial last 30 days up to the next whole day", () => {
    // 1 left at 3 per 30 days: 10 days.
    expect(ceilingUse({ ...ceiling, usedCases: 99, committedInWindow: 3 }, "2026-09-01").projectedReachedOn).toBe("2026-09-11");
    // 1 left at 7 per 30 days: 4.3 days, so the fifth day.
    expect(ceilingUse({ ...ceiling, usedCases: 99, committedInWindow: 7 }, "2026-09-01").projectedReachedOn).toBe("2026-09-06");
  });
});

describe("who reads what was committed", () => {
  const as = (role: Role, regionCode: string | null = null): Identity => ({
    ...systemIdentity("someone", role, regionCode ?? "13"),
    regionCode,
  });
  it("gives administrators everything and a party region's office what its region pays for, nobody else anything", () => {
    expect(ledgerAccess(as(Role.ADMINISTRATOR), ["13"])).toEqual({ everything: true });
    expect(ledgerAccess(as(Role.REGIONAL_OFFICE, "13"), ["13"])).toEqual({ payingRegionCode: "13" });
    expect(ledgerAccess(as(Role.REGIONAL_OFFICE, "13"), ["12", "13"])).toEqual({ payingRegionCode: "13" });
    expect(ledgerAccess(as(Role.REGIONAL_OFFICE, "12"), ["13"])).toBeNull();
    expect(ledgerAccess(as(Role.CLINIC, "13"), ["13"])).toBeNull();
    expect(ledgerAccess(as(Role.PEER_REGION, "13"), ["13"])).toBeNull();
    expect(ledgerAccess(as(Role.PROVIDER), ["13"])).toBeNull();
  });
});
