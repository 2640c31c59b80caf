import { CareSetting, ProviderKind } from "../../subgraphs/shared/domain/enums";
import { HEALTHCARE_REGIONS, REGIONS } from "../../subgraphs/shared/domain/regions";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import {
  AgreementFacts,
  AgreementKind,
  CareCase,
  CoverageStatus,
  decideCoverage,
  RejectionReason,
  VersionFacts,
} from "../../subgraphs/agreements/domain/coverage";
import { CareAccessEffect, CoverageRuleCode, decideAccess, ruleMatches } from "../../subgraphs/agreements/domain/care-access";
import { CARE_ACCESS_RULES } from "../../seeds/data/agreements";

/**
 * Agreements that follow the patient's municipality, and a home region's own care-access rules,
 * with the rules Region Halland's node seeds: which pact applies to a Halland patient follows the
 * home municipality (south: Halmstad 1380, Hylte 1315, Laholm 1381 with Södra; north: Kungsbacka
 * 1384, Varberg 1383, Falkenberg 1382 with Västra), same terms as residents in five regions (one
 * way), and payment commitments for outpatient and inpatient care.
 */
const membersOf = (code: string) =>
  Object.fromEntries(
    HEALTHCARE_REGIONS.find((h) => h.code === code)!
      .members.filter((m) => m.municipalityCodes)
      .map((m) => [m.regionCode, m.municipalityCodes!]),
  );
const TERMS = { referralRequired: true, paymentCommitmentRequired: true, sameTermsAsResidents: false };
const version = (terms: Partial<VersionFacts["terms"]> = {}): VersionFacts => ({
  id: "v1",
  version: 1,
  effectiveFrom: "2020-01-01",
  coversAllPlannedCare: true,
  specialties: [],
  procedureCodes: [],
  terms: { ...TERMS, ...terms },
});
const agreement = (kind: AgreementKind, name: string, parties: string[], extra: Partial<AgreementFacts> = {}): AgreementFacts => ({
  id: name,
  kind,
  name,
  validFrom: "2020-01-01",
  validUntil: null,
  partyRegionCodes: parties,
  providerId: null,
  versions: [version()],
  priceLists: [],
  ceilings: [],
  ...extra,
});
const RIKSAVTALET = agreement(
  AgreementKind.RIKSAVTALET,
  "Riksavtalet",
  REGIONS.map((r) => r.code),
);
const SODRA = agreement(AgreementKind.HEALTHCARE_REGION_PACT, "Södra", ["07", "10", "12", "13"], {
  partyMunicipalityCodes: membersOf("SODRA"),
  versions: [version({ sameTermsAsResidents: true })],
});
const VASTRA = agreement(AgreementKind.HEALTHCARE_REGION_PACT, "Västra", ["13", "14"], {
  partyMunicipalityCodes: membersOf("VASTRA"),
  versions: [version({ sameTermsAsResidents: true, paymentCommitmentRequired: false })],
});
const PRIVATE = "11111111-1111-4111-8111-111111111111";
const KATTEGATT = agreement(AgreementKind.CARE_GUARANTEE_AGREEMENT, "Kattegatt", ["13"], { providerId: PRIVATE });
const ALL = [RIKSAVTALET, SODRA, VASTRA, KATTEGATT];

function careCase(overrides: Partial<CareCase> = {}): CareCase {
  return {
    homeRegionCode: "13",
    providerId: "33333333-3333-4333-8333-333333333333",
    providerKind: ProviderKind.PUBLIC,
    providerRegionCode: "12",
    specialty: Specialty.ORTHOPAEDICS,
    procedureCode: "NFB49",
    date: "2028-02-29",
    homeMunicipalityCode: null,
    ...overrides,
  };
}

function decide(overrides: Partial<CareCase>, setting = CareSetting.OUTPATIENT) {
  const c = careCase(overrides);
  const decision = decideCoverage(c, ALL);
  return { decision, access: decideAccess(c, decision, CARE_ACCESS_RULES, setting) };
}

describe("the pact follows the Halland patient's home municipality", () => {
  it.each([
    ["1380", "12", "Södra", "Västra"],
    ["1315", "12", "Södra", "Västra"],
    ["1381", "12", "Södra", "Västra"],
    ["1384", "14", "Västra", "Södra"],
    ["1383", "14", "Västra", "Södra"],
    ["1382", "14", "Västra", "Södra"],
  ])("a patient from %s in region %s: %s", (municipality, providerRegionCode, pact) => {
    const { decision, access } = decide({ homeMunicipalityCode: municipality, providerRegionCode });
    expect(decision.applicable.map((a) => a.agreement.name)).toEqual([pact, "Riksavtalet"]);
    expect(access.decidedBy).toBe(CoverageRuleCode.HOME_MUNICIPALITY);
  });

  it.each([
    ["1384", "12", "Södra"],
    ["1380", "14", "Västra"],
  ])(
    "a patient from %s in region %s is refused %s for the municipality and goes under Riksavtalet",
    (municipality, providerRegionCode, pact) => {
      const { decision, access } = decide({ homeMunicipalityCode: municipality, providerRegionCode });
      expect(decision.applicable.map((a) => a.agreement.name)).toEqual(["Riksavtalet"]);
      const refused = decision.rejected.find((r) => r.agreement.name === pact)!;
      expect(refused.code).toBe(RejectionReason.HOME_MUNICIPALITY_NOT_PARTY);
      expect(refused.reason).toContain(`the patient lives in ${municipality}`);
      expect(access.decidedBy).toBe(CoverageRuleCode.HOME_MUNICIPALITY);
    },
  );

  it("without a municipality, a limited pact is not excluded, and the answer says it depends on it", () => {
    const { decision, access } = decide({});
    expect(decision.applicable.map((a) => a.agreement.name)).toEqual(["Södra", "Riksavtalet"]);
    expect(access.decidedBy).toBe(CoverageRuleCode.AGREEMENT_PRECEDENCE);
    expect(access.rules.find((r) => r.code === CoverageRuleCode.HOME_MUNICIPALITY)!.explanation).toContain(
      "give the patient's home municipality",
    );
  });

  it("another region's patients are not limited by Halland's split", () => {
    const { decision, access } = decide({ homeRegionCode: "12", homeMunicipalityCode: "1280", providerRegionCode: "13" });
    expect(decision.applicable.map((a) => a.agreement.name)).toEqual(["Södra", "Riksavtalet"]);
    expect(access.decidedBy).toBe(CoverageRuleCode.AGREEMENT_PRECEDENCE);
  });

  it("the home region's own private agreement is not a matter of municipality", () => {
    const { decision, access } = decide({
      homeMunicipalityCode: "1384",
      providerId: PRIVATE,
      providerKind: ProviderKind.PRIVATE,
      providerRegionCode: "13",
    });
    expect(decision.applicable.map((a) => a.agreement.name)).toEqual(["Kattegatt"]);
    expect(access).toMatchObject({ decidedBy: CoverageRuleCode.AGREEMENT_PRECEDENCE, paymentCommitmentRequired: true });
  });
});

describe("Halland's care-access rules: same terms (one way) and payment commitments by care setting", () => {
  it.each([
    // municipality, provider region, provider kind, setting, same terms, commitment required, deciding rule
    ["1384", "12", ProviderKind.PUBLIC, CareSetting.OUTPATIENT, true, false, "halland-same-terms-outpatient"],
    ["1384", "12", ProviderKind.PUBLIC, CareSetting.INPATIENT, true, true, "halland-inpatient-approval"],
    ["1380", "14", ProviderKind.PUBLIC, CareSetting.INPATIENT, true, false, "halland-vgr-public-inpatient"],
    ["1384", "14", ProviderKind.PUBLIC, CareSetting.INPATIENT, true, false, "halland-vgr-public-inpatient"],
    ["1380", "06", ProviderKind.PUBLIC, CareSetting.OUTPATIENT, true, false, "halland-same-terms-outpatient"],
    ["1380", "01", ProviderKind.PUBLIC, CareSetting.OUTPATIENT, false, true, null],
    ["1380", "01", ProviderKind.PUBLIC, CareSetting.INPATIENT, false, true, "halland-inpatient-approval"],
    ["1380", "25", ProviderKind.PUBLIC, CareSetting.INPATIENT, false, true, "halland-inpatient-approval"],
  ])(
    "a patient from %s in region %s (%s, %s): same terms %s, commitment required %s",
    (municipality, providerRegionCode, providerKind, setting, sameTerms, required, rule) => {
      const { access } = decide({ homeMunicipalityCode: municipality, providerRegionCode, providerKind }, setting);
      expect(access).toMatchObject({ sameTermsAsResidents: sameTerms, paymentCommitmentRequired: required, careSetting: setting });
      const explanation = access.rules.find((r) => r.code === CoverageRuleCode.PAYMENT_COMMITMENT)!.explanation;
      if (rule) expect(explanation).toContain(CARE_ACCESS_RULES.find((r) => r.id === rule)!.name);
      else expect(explanation).toContain("Riksavtalet, version 1");
    },
  );

  it("a northern patient in Skåne under Riksavtalet is there on Skåne residents' terms", () => {
    const { access } = decide({ homeMunicipalityCode: "1383", providerRegionCode: "12" });
    expect(access.rules.map((r) => r.code)).toEqual([
      CoverageRuleCode.AGREEMENT_PRECEDENCE,
      CoverageRuleCode.HOME_MUNICIPALITY,
      CoverageRuleCode.SAME_TERMS_ARRANGEMENT,
      CoverageRuleCode.PAYMENT_COMMITMENT,
    ]);
  });

  it("is one way: a Skåne patient in Halland gets nothing from Halland's rules", () => {
    const { access } = decide({ homeRegionCode: "12", homeMunicipalityCode: "1280", providerRegionCode: "13" }, CareSetting.INPATIENT);
    expect(access.rules.map((r) => r.code)).not.toContain(CoverageRuleCode.SAME_TERMS_ARRANGEMENT);
    // The pact's own terms decide (Södra: a payment commitment).
    expect(access.paymentCommitmentRequired).toBe(true);
  });

  it("internal care needs no commitment; care nobody covers has no terms", () => {
    expect(decide({ providerRegionCode: "13" }).access).toMatchObject({
      decidedBy: CoverageRuleCode.INTERNAL_CARE,
      paymentCommitmentRequired: false,
    });
    const none = decide({ providerKind: ProviderKind.PRIVATE, providerId: "44444444-4444-4444-8444-444444444444" });
    expect(none.decision.status).toBe(CoverageStatus.NOT_COVERED);
    expect(none.access).toMatchObject({
      decidedBy: CoverageRuleCode.NOT_COVERED,
      paymentCommitmentRequired: null,
      sameTermsAsResidents: null,
    });
  });

  it("matches a rule only within its validity, municipalities and kind", () => {
    const rule = {
      ...CARE_ACCESS_RULES.find((r) => r.id === "halland-same-terms")!,
      homeMunicipalityCodes: ["1380"],
      validFrom: "2028-03-01",
      validUntil: null,
    };
    expect(ruleMatches(rule, careCase({ homeMunicipalityCode: "1380", date: "2028-02-29" }), CareSetting.OUTPATIENT)).toBe(false);
    expect(ruleMatches(rule, careCase({ homeMunicipalityCode: "1380", date: "2028-03-01" }), CareSetting.OUTPATIENT)).toBe(true);
    expect(ruleMatches(rule, careCase({ homeMunicipalityCode: "1384", date: "2028-03-01" }), CareSetting.OUTPATIENT)).toBe(false);
    expect(ruleMatches(rule, careCase({ homeMunicipalityCode: null, date: "2028-03-01" }), CareSetting.OUTPATIENT)).toBe(false);
    expect(
      ruleMatches(
        rule,
        careCase({ homeMunicipalityCode: "1380", date: "2028-03-01", providerKind: ProviderKind.PRIVATE }),
        CareSetting.OUTPATIENT,
      ),
    ).toBe(false);
    expect(rule.effect).toBe(CareAccessEffect.SAME_TERMS_AS_RESIDENTS);
  });

  it("seeds the same-terms regions of the domain: Skåne, Västra Götaland, Blekinge, Kronoberg, Jönköping", () => {
    expect([...CARE_ACCESS_RULES.find((r) => r.id === "halland-same-terms")!.providingRegionCodes!].sort()).toEqual([
      "06",
      "07",
      "10",
      "12",
      "14",
    ]);
    expect(CARE_ACCESS_RULES.find((r) => r.id === "halland-inpatient-approval")!.providingRegionCodes).not.toContain("13");
  });
});
