/**
 * A home region's own rules for where its residents may seek care, on top of the agreements (the
 * precedence engine in coverage.ts decides which agreement applies; these rules say on which terms,
 * and whether a payment commitment is needed). Plain data and functions.
 *
 * What they express (Region Halland, as its node seeds them): its residents may seek care in Skåne,
 * Västra Götaland, Blekinge, Kronoberg and Jönköping on the same terms as those regions' residents
 * (a one-way arrangement: it says nothing of those regions' residents in Halland); inpatient care
 * elsewhere needs Halland's prior approval, a payment commitment, except public inpatient care in
 * Västra Götaland; a private provider always needs a referral with a payment commitment. Another
 * region's node loads its own rules; none of this is code.
 */

import { CareSetting, ProviderKind } from "../../shared/domain/enums";
import { AgreementKind, CareCase, CoverageDecision, CoverageStatus, isValidOn, RejectionReason, regionName } from "./coverage";

export enum CareAccessEffect {
  /** The patient gets care on the same terms as the providing region's own residents. */
  SAME_TERMS_AS_RESIDENTS = "SAME_TERMS_AS_RESIDENTS",
  /** The home region's prior approval, a payment commitment, is needed. */
  PAYMENT_COMMITMENT_REQUIRED = "PAYMENT_COMMITMENT_REQUIRED",
  /** No payment commitment is needed. */
  NO_PAYMENT_COMMITMENT_REQUIRED = "NO_PAYMENT_COMMITMENT_REQUIRED",
}

export interface CareAccessRuleFacts {
  id: string;
  name: string;
  /** The home region whose residents the rule is for; null for every region. */
  homeRegionCode: string | null;
  /** Only residents of these municipalities; null for the whole region. */
  homeMunicipalityCodes: readonly string[] | null;
  /** Care in these regions (a region's "elsewhere" lists every other region); null for any region. */
  providingRegionCodes: readonly string[] | null;
  /** Only providers of this kind; null for both. */
  providerKind: ProviderKind | null;
  /** Only this care setting; null for both. */
  careSetting: CareSetting | null;
  effect: CareAccessEffect;
  /** Among matching rules on payment commitments the lowest number decides (the most specific rule gets the lowest). */
  priority: number;
  validFrom: string | null;
  validUntil: string | null;
}

/** Which rule decided the coverage answer, as a code. */
export enum CoverageRuleCode {
  /** Care at a public provider of the home region: no agreement. */
  INTERNAL_CARE = "INTERNAL_CARE",
  /** The most specific agreement that applies (own agreement, pact, Riksavtalet). */
  AGREEMENT_PRECEDENCE = "AGREEMENT_PRECEDENCE",
  /** The patient's home municipality decided which pact (and price list) applies. */
  HOME_MUNICIPALITY = "HOME_MUNICIPALITY",
  /** The home region lets its residents seek care in the providing region on its residents' terms. */
  SAME_TERMS_ARRANGEMENT = "SAME_TERMS_ARRANGEMENT",
  /** Whether a payment commitment is needed, and by which rule. */
  PAYMENT_COMMITMENT = "PAYMENT_COMMITMENT",
  /** No agreement covers the care. */
  NOT_COVERED = "NOT_COVERED",
}

export interface CoverageRuleApplied {
  code: CoverageRuleCode;
  explanation: string;
}

export interface AccessDecision {
  /** The rule that decided which agreement applies (or that none does). */
  decidedBy: CoverageRuleCode;
  rules: CoverageRuleApplied[];
  /** Null when not covered. */
  sameTermsAsResidents: boolean | null;
  /** Null when not covered. */
  paymentCommitmentRequired: boolean | null;
  careSetting: CareSetting;
}

const setting = (s: CareSetting) => (s === CareSetting.INPATIENT ? "inpatient" : "outpatient");

export function ruleMatches(rule: CareAccessRuleFacts, c: CareCase, careSetting: CareSetting): boolean {
  if (rule.homeRegionCode !== null && rule.homeRegionCode !== c.homeRegionCode) return false;
  if (rule.homeMunicipalityCodes !== null && !(c.homeMunicipalityCode && rule.homeMunicipalityCodes.includes(c.homeMunicipalityCode)))
    return false;
  if (rule.providingRegionCodes !== null && !rule.providingRegionCodes.includes(c.providerRegionCode)) return false;
  if (rule.providerKind !== null && rule.providerKind !== c.providerKind) return false;
  if (rule.careSetting !== null && rule.careSetting !== careSetting) return false;
  return isValidOn({ validFrom: rule.validFrom ?? "0000-01-01", validUntil: rule.validUntil }, c.date);
}

/** The terms of a coverage decision for a care setting under the home region's rules, with every rule that applied and why. */
export function decideAccess(
  c: CareCase,
  decision: CoverageDecision,
  rules: readonly CareAccessRuleFacts[],
  careSetting: CareSetting,
): AccessDecision {
  const applied: CoverageRuleApplied[] = [];
  if (decision.status === CoverageStatus.INTERNAL_CARE) {
    applied.push({ code: CoverageRuleCode.INTERNAL_CARE, explanation: decision.reason });
    applied.push({
      code: CoverageRuleCode.PAYMENT_COMMITMENT,
      explanation: "Internal care: the home region pays its own provider; no payment commitment.",
    });
    return {
      decidedBy: CoverageRuleCode.INTERNAL_CARE,
      rules: applied,
      sameTermsAsResidents: true,
      paymentCommitmentRequired: false,
      careSetting,
    };
  }
  // Pacts a municipality decided on: the one that applies because the patient lives there, or one that does not because the patient lives elsewhere.
  const chosen = decision.applicable[0];
  const byMunicipality: CoverageRuleApplied[] = [];
  for (const r of decision.rejected) {
    if (r.code === RejectionReason.HOME_MUNICIPALITY_NOT_PARTY)
      byMunicipality.push({ code: CoverageRuleCode.HOME_MUNICIPALITY, explanation: r.reason });
  }
  for (const a of decision.applicable) {
    const municipalities = a.agreement.partyMunicipalityCodes?.[c.homeRegionCode];
    if (!municipalities) continue;
    byMunicipality.push({
      code: CoverageRuleCode.HOME_MUNICIPALITY,
      explanation: c.homeMunicipalityCode
        ? `${a.agreement.name}: ${regionName(c.homeRegionCode)} takes part for residents of ${municipalities.join(", ")}; the patient lives in ${c.homeMunicipalityCode}.`
        : `${a.agreement.name}: ${regionName(c.homeRegionCode)} takes part for residents of ${municipalities.join(", ")} only; give the patient's home municipality to know whether it applies.`,
    });
  }
  if (!chosen) {
    applied.push({ code: CoverageRuleCode.NOT_COVERED, explanation: decision.reason }, ...byMunicipality);
    return {
      decidedBy: CoverageRuleCode.NOT_COVERED,
      rules: applied,
      sameTermsAsResidents: null,
      paymentCommitmentRequired: null,
      careSetting,
    };
  }
  const municipalityDecided =
    c.homeMunicipalityCode != null && byMunicipality.length > 0 && chosen.agreement.kind !== AgreementKind.CARE_GUARANTEE_AGREEMENT;
  applied.push({ code: CoverageRuleCode.AGREEMENT_PRECEDENCE, explanation: decision.reason }, ...byMunicipality);

  const matching = rules.filter((r) => ruleMatches(r, c, careSetting));
  const sameTerms = matching.find((r) => r.effect === CareAccessEffect.SAME_TERMS_AS_RESIDENTS);
  if (sameTerms) {
    applied.push({
      code: CoverageRuleCode.SAME_TERMS_ARRANGEMENT,
      explanation: `${sameTerms.name}: ${regionName(c.homeRegionCode)}'s residents get care in ${regionName(c.providerRegionCode)} on the same terms as its own residents.`,
    });
  }
  const commitmentRule = matching
    .filter((r) => r.effect !== CareAccessEffect.SAME_TERMS_AS_RESIDENTS)
    .sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id))[0];
  const terms = chosen.version.terms;
  const required = commitmentRule
    ? commitmentRule.effect === CareAccessEffect.PAYMENT_COMMITMENT_REQUIRED
    : terms.paymentCommitmentRequired;
  applied.push({
    code: CoverageRuleCode.PAYMENT_COMMITMENT,
    explanation: commitmentRule
      ? `${commitmentRule.name}: ${setting(careSetting)} care ${required ? "needs" : "does not need"} a payment commitment.`
      : `${chosen.agreement.name}, version ${chosen.version.version}: ${required ? "a payment commitment is required" : "no payment commitment is required"}.`,
  });
  return {
    decidedBy: municipalityDecided
      ? CoverageRuleCode.HOME_MUNICIPALITY
      : sameTerms && chosen.agreement.kind === AgreementKind.RIKSAVTALET
        ? CoverageRuleCode.SAME_TERMS_ARRANGEMENT
        : CoverageRuleCode.AGREEMENT_PRECEDENCE,
    rules: applied,
    sameTermsAsResidents: terms.sameTermsAsResidents || sameTerms !== undefined,
    paymentCommitmentRequired: required,
    careSetting,
  };
}
