/**
 * Brokering: ranking free capacity for one referral by the search order of the care guarantee
 * (subgraphs/README.md, "Finding care elsewhere"): the own region's providers, then the own
 * region's private care-guarantee agreements, then regions of a cooperation pact, then any region
 * under Riksavtalet. Within a tier: an offer that starts by the deadline before one that does not,
 * then the earliest start, then the lowest price. Plain data and functions.
 */

import { daysBetween } from "../../shared/domain/calendar";

export enum MatchTier {
  /** A public provider of the patient's own region (internal care). */
  OWN_REGION = "OWN_REGION",
  /** A private provider under the own region's care-guarantee agreement (vårdgarantiavtal). */
  OWN_PRIVATE_AGREEMENT = "OWN_PRIVATE_AGREEMENT",
  /** A region of a healthcare-region pact (samverkansavtal) or two-region agreement. */
  PACT_REGION = "PACT_REGION",
  /** Any region under Riksavtalet för utomlänsvård. */
  RIKSAVTALET = "RIKSAVTALET",
}

const TIER_ORDER: readonly MatchTier[] = [
  MatchTier.OWN_REGION,
  MatchTier.OWN_PRIVATE_AGREEMENT,
  MatchTier.PACT_REGION,
  MatchTier.RIKSAVTALET,
];

/** An offer considered for the referral, with the coverage the agreements subgraph answered. */
export interface Candidate {
  offerId: string;
  providerName: string;
  earliestStart: string;
  /** INTERNAL_CARE, COVERED or NOT_COVERED. */
  coverageStatus: string;
  agreementKind: string | null;
  agreementName: string | null;
  pricePerCaseSek: number | null;
}

export interface RankedMatch<C extends Candidate = Candidate> {
  rank: number;
  candidate: C;
  tier: MatchTier;
  /** Whether the earliest start is on or before the guarantee deadline (true when no deadline applies). */
  startsByDeadline: boolean;
  /** Days from the earliest start to the deadline (negative: starts too late); null without a deadline. */
  marginDays: number | null;
  explanation: string;
}

/** The tier of a candidate, or null when no agreement lets the patient be sent there. */
export function tierOf(candidate: Pick<Candidate, "coverageStatus" | "agreementKind">): MatchTier | null {
  if (candidate.coverageStatus === "INTERNAL_CARE") return MatchTier.OWN_REGION;
  if (candidate.coverageStatus !== "COVERED") return null;
  switch (candidate.agreementKind) {
    case "CARE_GUARANTEE_AGREEMENT":
      return MatchTier.OWN_PRIVATE_AGREEMENT;
    case "HEALTHCARE_REGION_PACT":
      return MatchTier.PACT_REGION;
    case "RIKSAVTALET":
      return MatchTier.RIKSAVTALET;
    default:
      return null;
  }
}

/** Ranks the candidates that some agreement covers; `deadline` is the guarantee deadline, if any. */
export function rankMatches<C extends Candidate>(candidates: readonly C[], deadline: string | null): RankedMatch<C>[] {
  const scored = candidates.flatMap((candidate) => {
    const tier = tierOf(candidate);
    if (!tier) return [];
    const marginDays = deadline ? daysBetween(candidate.earliestStart, deadline) : null;
    return [{ candidate, tier, marginDays, startsByDeadline: marginDays === null || marginDays >= 0 }];
  });
  scored.sort(
    (a, b) =>
      TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) ||
      Number(b.startsByDeadline) - Number(a.startsByDeadline) ||
      a.candidate.earliestStart.localeCompare(b.candidate.earliestStart) ||
      price(a.candidate) - price(b.candidate) ||
      a.candidate.offerId.localeCompare(b.candidate.offerId),
  );
  return scored.map((s, index) => ({ ...s, rank: index + 1, explanation: explain(s.tier, s.candidate, s.marginDays) }));
}

function price(c: Candidate): number {
  return c.pricePerCaseSek ?? Number.MAX_SAFE_INTEGER;
}

const TIER_WORDS: Record<MatchTier, string> = {
  [MatchTier.OWN_REGION]: "Tier 1, own region: internal care, no agreement needed",
  [MatchTier.OWN_PRIVATE_AGREEMENT]: "Tier 2, the own region's private care-guarantee agreement",
  [MatchTier.PACT_REGION]: "Tier 3, a pact region",
  [MatchTier.RIKSAVTALET]: "Tier 4, Riksavtalet",
};

function explain(tier: MatchTier, c: Candidate, marginDays: number | null): string {
  const parts = [`${TIER_WORDS[tier]}${c.agreementName && tier !== MatchTier.OWN_REGION ? ` (${c.agreementName})` : ""}`];
  if (marginDays === null) parts.push(`starts ${c.earliestStart}; no guarantee deadline applies`);
  else if (marginDays >= 0) parts.push(`starts ${c.earliestStart}, ${marginDays} day(s) before the guarantee deadline`);
  else parts.push(`starts ${c.earliestStart}, ${-marginDays} day(s) after the guarantee deadline`);
  parts.push(c.pricePerCaseSek === null ? "no listed price" : `${c.pricePerCaseSek} SEK per case`);
  return `${parts.join("; ")}.`;
}
