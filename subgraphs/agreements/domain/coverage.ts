/**
 * The agreements engine: which agreements allow sending a patient from a home region to a
 * provider for some care on a date, in which order, at what price, and why the others do not.
 * Plain rules, no GraphQL and no database.
 *
 * subgraphs/README.md, "Agreements": the most specific agreement wins — the home region's own agreement with
 * the provider, then a pact both regions are party to, then Riksavtalet, which applies only where no
 * regional agreement covers the care. Riksavtalet and pacts cover care at the regions' own (public)
 * providers; a private provider is reached only through the home region's own care-guarantee
 * agreement with it. Care at a public provider of the home region is internal care.
 */

import { ProviderKind } from "../../shared/domain/enums";
import { REGIONS } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";

export enum AgreementKind {
  RIKSAVTALET = "RIKSAVTALET",
  HEALTHCARE_REGION_PACT = "HEALTHCARE_REGION_PACT",
  CARE_GUARANTEE_AGREEMENT = "CARE_GUARANTEE_AGREEMENT",
}

export enum CoverageStatus {
  INTERNAL_CARE = "INTERNAL_CARE",
  COVERED = "COVERED",
  NOT_COVERED = "NOT_COVERED",
}

/** Why an agreement that was considered does not apply. */
export enum RejectionReason {
  HOME_REGION_NOT_PARTY = "HOME_REGION_NOT_PARTY",
  PROVIDER_REGION_NOT_PARTY = "PROVIDER_REGION_NOT_PARTY",
  PRIVATE_PROVIDER = "PRIVATE_PROVIDER",
  NOT_YET_IN_FORCE = "NOT_YET_IN_FORCE",
  EXPIRED = "EXPIRED",
  CARE_NOT_COVERED = "CARE_NOT_COVERED",
  CEILING_REACHED = "CEILING_REACHED",
  /** The home region is a party for residents of some of its municipalities only (Halland in two pacts), not the patient's. */
  HOME_MUNICIPALITY_NOT_PARTY = "HOME_MUNICIPALITY_NOT_PARTY",
}

/**
 * How close a rejected agreement came to covering the case, closest first. The headline reason of
 * a refusal, and the order of `rejected`, follow it, so that an office reads first about the
 * agreement that would cover the care were it not for one thing:
 *
 * 1. CEILING_REACHED: it is in force and covers the care; only its volume is used up (it covers
 *    again when a case is released or the next period starts).
 * 2. NOT_YET_IN_FORCE, EXPIRED: it is between the right parties, but not on this date.
 * 3. CARE_NOT_COVERED: it is in force between the right parties, but not for this care.
 * 4. PROVIDER_REGION_NOT_PARTY, PRIVATE_PROVIDER: the home region is a party, but the agreement
 *    does not reach this provider.
 * 5. HOME_REGION_NOT_PARTY: someone else's agreement with the provider.
 *
 * Rejections equally close keep precedence order (most specific kind first).
 */
export const CLOSENESS: readonly RejectionReason[] = [
  RejectionReason.CEILING_REACHED,
  RejectionReason.NOT_YET_IN_FORCE,
  RejectionReason.EXPIRED,
  RejectionReason.CARE_NOT_COVERED,
  RejectionReason.PROVIDER_REGION_NOT_PARTY,
  RejectionReason.PRIVATE_PROVIDER,
  // The home region is a party, but not for the patient's municipality: nearer than a region that is no party at all.
  RejectionReason.HOME_MUNICIPALITY_NOT_PARTY,
  RejectionReason.HOME_REGION_NOT_PARTY,
];

export const PRECEDENCE: readonly AgreementKind[] = [
  AgreementKind.CARE_GUARANTEE_AGREEMENT,
  AgreementKind.HEALTHCARE_REGION_PACT,
  AgreementKind.RIKSAVTALET,
];

export interface Terms {
  referralRequired: boolean;
  paymentCommitmentRequired: boolean;
  sameTermsAsResidents: boolean;
}

/** One version of an agreement's content, in force from its `effectiveFrom` until the next version. */
export interface VersionFacts {
  id: string;
  version: number;
  effectiveFrom: string;
  coversAllPlannedCare: boolean;
  specialties: readonly Specialty[];
  procedureCodes: readonly string[];
  terms: Terms;
}

export interface PriceListFacts {
  validFrom: string;
  validUntil: string | null;
  entries: ReadonlyArray<{ procedureCode: string; providingRegionCode: string | null; priceSek: number }>;
}

/** A volume ceiling (volymtak) and how much of it committed referrals have used. */
export interface CeilingFacts {
  id: string;
  periodFrom: string;
  periodUntil: string;
  maxCases: number;
  /** Procedures the ceiling counts; empty = all care under the agreement. */
  procedureCodes: readonly string[];
  usedCases: number;
}

export interface AgreementFacts {
  id: string;
  kind: AgreementKind;
  name: string;
  validFrom: string;
  validUntil: string | null;
  partyRegionCodes: readonly string[];
  /**
   * Parties that take part for residents of some municipalities only, by region (Region Halland:
   * the south in Södra's pact, the north in Västra's). Data, loaded with the parties.
   */
  partyMunicipalityCodes?: Readonly<Record<string, readonly string[]>>;
  /** The private provider of a care-guarantee agreement. */
  providerId: string | null;
  versions: readonly VersionFacts[];
  priceLists: readonly PriceListFacts[];
  ceilings: readonly CeilingFacts[];
}

/** The case to decide: a patient's home region, the provider, what care, and on which date. */
export interface CareCase {
  homeRegionCode: string;
  providerId: string;
  providerKind: ProviderKind;
  providerRegionCode: string;
  specialty: Specialty;
  /** KVÅ code; null for a first visit in a specialty. */
  procedureCode: string | null;
  date: string;
  /** The patient's home municipality, where it matters (a party limited to some municipalities); null when unknown. */
  homeMunicipalityCode?: string | null;
}

export interface ApplicableAgreement {
  agreement: AgreementFacts;
  version: VersionFacts;
  priceSek: number | null;
  reason: string;
}

export interface RejectedAgreement {
  agreement: AgreementFacts;
  code: RejectionReason;
  reason: string;
}

export interface CoverageDecision {
  status: CoverageStatus;
  /** Agreements that allow the care, the one to use first. */
  applicable: ApplicableAgreement[];
  /** Agreements considered that do not allow it, with why. */
  rejected: RejectedAgreement[];
  reason: string;
}

const REGION_NAMES = new Map(REGIONS.map((r) => [r.code, r.name]));
export const regionName = (code: string) => REGION_NAMES.get(code) ?? `region ${code}`;

export function isValidOn(period: { validFrom: string; validUntil: string | null }, date: string): boolean {
  return period.validFrom <= date && (period.validUntil === null || date <= period.validUntil);
}

/** The version in force on a date: the latest one that has taken effect. */
export function versionOn(agreement: AgreementFacts, date: string): VersionFacts | null {
  let current: VersionFacts | null = null;
  for (const version of agreement.versions) {
    if (version.effectiveFrom <= date && (!current || version.effectiveFrom > current.effectiveFrom)) current = version;
  }
  return current;
}

export function coversCare(version: VersionFacts, specialty: Specialty, procedureCode: string | null): boolean {
  if (version.coversAllPlannedCare || version.specialties.includes(specialty)) return true;
  return procedureCode !== null && version.procedureCodes.includes(procedureCode);
}

/** The price of the procedure in the price list valid on the date; a region-specific price beats a general one. */
export function priceFor(
  agreement: AgreementFacts,
  procedureCode: string | null,
  providingRegionCode: string,
  date: string,
): number | null {
  if (procedureCode === null) return null;
  const list = agreement.priceLists.find((l) => isValidOn(l, date));
  if (!list) return null;
  const entries = list.entries.filter((e) => e.procedureCode === procedureCode);
  const entry = entries.find((e) => e.providingRegionCode === providingRegionCode) ?? entries.find((e) => e.providingRegionCode === null);
  return entry?.priceSek ?? null;
}

/** A ceiling that counts this care on this date and has no cases left, if any. */
export function exhaustedCeiling(agreement: AgreementFacts, procedureCode: string | null, date: string): CeilingFacts | null {
  return (
    agreement.ceilings.find(
      (c) =>
        c.periodFrom <= date &&
        date <= c.periodUntil &&
        (c.procedureCodes.length === 0 || (procedureCode !== null && c.procedureCodes.includes(procedureCode))) &&
        c.usedCases >= c.maxCases,
    ) ?? null
  );
}

/** Whether the agreement is relevant to the case at all (others are neither applicable nor worth listing). */
function considered(agreement: AgreementFacts, c: CareCase): boolean {
  if (agreement.kind === AgreementKind.CARE_GUARANTEE_AGREEMENT) return agreement.providerId === c.providerId;
  return agreement.partyRegionCodes.includes(c.homeRegionCode);
}

function rejection(agreement: AgreementFacts, c: CareCase): Availability {
  const home = regionName(c.homeRegionCode);
  if (!agreement.partyRegionCodes.includes(c.homeRegionCode)) {
    return { code: RejectionReason.HOME_REGION_NOT_PARTY, reason: `${home} is not a party to this agreement.` };
  }
  const municipalities = agreement.partyMunicipalityCodes?.[c.homeRegionCode];
  // Unknown municipality: the agreement is not excluded (the coverage answer says it depends on it).
  if (municipalities && c.homeMunicipalityCode && !municipalities.includes(c.homeMunicipalityCode)) {
    return {
      code: RejectionReason.HOME_MUNICIPALITY_NOT_PARTY,
      reason: `${home} takes part for residents of municipalities ${municipalities.join(", ")} only; the patient lives in ${c.homeMunicipalityCode}.`,
    };
  }
  if (agreement.kind !== AgreementKind.CARE_GUARANTEE_AGREEMENT) {
    if (c.providerKind === ProviderKind.PRIVATE) {
      return {
        code: RejectionReason.PRIVATE_PROVIDER,
        reason: "It covers care at the regions' own providers; a private provider needs the home region's own agreement with it.",
      };
    }
    if (!agreement.partyRegionCodes.includes(c.providerRegionCode)) {
      return {
        code: RejectionReason.PROVIDER_REGION_NOT_PARTY,
        reason: `${regionName(c.providerRegionCode)}, where the provider is, is not a party.`,
      };
    }
  }
  return availability(agreement, c.specialty, c.procedureCode, c.date);
}

export type Availability = { code: RejectionReason; reason: string } | { version: VersionFacts };

/**
 * Whether the agreement itself allows this care on this date, whoever the parties: in force, a
 * version in force that covers the care, and room under its volume ceilings. Committing a referral
 * under an agreement checks the same.
 */
export function availability(agreement: AgreementFacts, specialty: Specialty, procedureCode: string | null, date: string): Availability {
  if (date < agreement.validFrom) {
    return { code: RejectionReason.NOT_YET_IN_FORCE, reason: `It applies from ${agreement.validFrom}, after ${date}.` };
  }
  if (agreement.validUntil !== null && date > agreement.validUntil) {
    return { code: RejectionReason.EXPIRED, reason: `It ended on ${agreement.validUntil}, before ${date}.` };
  }
  const version = versionOn(agreement, date);
  if (!version) return { code: RejectionReason.NOT_YET_IN_FORCE, reason: `No version of it is in force on ${date}.` };
  if (!coversCare(version, specialty, procedureCode)) {
    const what = procedureCode ? `procedure ${procedureCode}` : `first visits in ${specialty.toLowerCase().replace(/_/g, " ")}`;
    return { code: RejectionReason.CARE_NOT_COVERED, reason: `Version ${version.version} does not cover ${what}.` };
  }
  const ceiling = exhaustedCeiling(agreement, procedureCode, date);
  if (ceiling) {
    return {
      code: RejectionReason.CEILING_REACHED,
      reason: `Its volume ceiling is reached: ${ceiling.usedCases} of ${ceiling.maxCases} cases committed for ${ceiling.periodFrom} to ${ceiling.periodUntil}.`,
    };
  }
  return { version };
}

function describe(agreement: AgreementFacts, c: CareCase): string {
  const home = regionName(c.homeRegionCode);
  switch (agreement.kind) {
    case AgreementKind.CARE_GUARANTEE_AGREEMENT:
      return `${home}'s own care-guarantee agreement with the provider.`;
    case AgreementKind.HEALTHCARE_REGION_PACT:
      return `${home} and ${regionName(c.providerRegionCode)} are both parties to the pact; the patient gets care on the same terms as the providing region's residents.`;
    case AgreementKind.RIKSAVTALET:
      return `The national agreement on care outside the home region; the home region pays the providing region's price.`;
  }
}

function priceNote(priceSek: number | null, c: CareCase): string {
  if (priceSek !== null) return ` Price ${priceSek} SEK per case.`;
  if (c.procedureCode === null) return " The price list has no per-case price for a first visit.";
  return ` The price list valid on ${c.date} has no price for ${c.procedureCode}.`;
}

const byPrecedence = (a: AgreementFacts, b: AgreementFacts) =>
  PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind) ||
  // Among agreements of one kind, the most recently started one is the current one.
  b.validFrom.localeCompare(a.validFrom) ||
  a.id.localeCompare(b.id);

/** Closest to covering the case first (CLOSENESS), then precedence. */
export const byCloseness = (a: RejectedAgreement, b: RejectedAgreement) =>
  CLOSENESS.indexOf(a.code) - CLOSENESS.indexOf(b.code) || byPrecedence(a.agreement, b.agreement);

export function decideCoverage(c: CareCase, agreements: readonly AgreementFacts[]): CoverageDecision {
  if (c.providerKind === ProviderKind.PUBLIC && c.providerRegionCode === c.homeRegionCode) {
    return {
      status: CoverageStatus.INTERNAL_CARE,
      applicable: [],
      rejected: [],
      reason: `Care within the patient's home region (${regionName(c.homeRegionCode)}): no agreement is needed.`,
    };
  }
  const applicable: ApplicableAgreement[] = [];
  const rejected: RejectedAgreement[] = [];
  for (const agreement of [...agreements].filter((a) => considered(a, c)).sort(byPrecedence)) {
    const outcome = rejection(agreement, c);
    if ("code" in outcome) {
      rejected.push({ agreement, code: outcome.code, reason: `${agreement.name}: ${outcome.reason}` });
      continue;
    }
    const priceSek = priceFor(agreement, c.procedureCode, c.providerRegionCode, c.date);
    const precedence = applicable.length === 0 ? "" : ` Applies, but ${applicable[0].agreement.name} takes precedence.`;
    applicable.push({
      agreement,
      version: outcome.version,
      priceSek,
      reason: `${agreement.name}: ${describe(agreement, c)}${priceNote(priceSek, c)}${precedence}`,
    });
  }
  rejected.sort(byCloseness);
  if (applicable.length > 0) return { status: CoverageStatus.COVERED, applicable, rejected, reason: applicable[0].reason };
  const general =
    c.providerKind === ProviderKind.PRIVATE
      ? `${regionName(c.homeRegionCode)} has no care-guarantee agreement with this private provider that covers this care on ${c.date}; Riksavtalet and pacts do not cover private providers.`
      : `No agreement between ${regionName(c.homeRegionCode)} and ${regionName(c.providerRegionCode)} covers this care on ${c.date}.`;
  // The agreement that came closest to covering the case says best why not (e.g. "its ceiling is reached").
  const reason = rejected.length > 0 ? `${general} ${rejected[0].reason}` : general;
  return { status: CoverageStatus.NOT_COVERED, applicable, rejected, reason };
}
