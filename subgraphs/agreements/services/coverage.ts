import { ProviderKind } from "../../shared/domain/enums";
import { REGIONS } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";

/**
 * Which agreement a patient from a home region could be sent to a provider under, and at what
 * price: plain rules, no GraphQL and no database. The most specific agreement wins (DOMAIN.md,
 * Agreements): the home region's own agreement with the provider, then a healthcare-region pact
 * both regions are party to, then Riksavtalet. Riksavtalet and pacts cover care at the regions'
 * own (public) providers; a private provider is reached only through the home region's own
 * care-guarantee agreement with it.
 */
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

export const PRECEDENCE: readonly AgreementKind[] = [
  AgreementKind.CARE_GUARANTEE_AGREEMENT,
  AgreementKind.HEALTHCARE_REGION_PACT,
  AgreementKind.RIKSAVTALET,
];

export interface PriceListFacts {
  validFrom: string;
  validUntil: string | null;
  entries: ReadonlyArray<{ procedureCode: string; providingRegionCode: string | null; priceSek: number }>;
}

export interface AgreementFacts {
  id: string;
  kind: AgreementKind;
  name: string;
  validFrom: string;
  validUntil: string | null;
  partyRegionCodes: readonly string[];
  /** The private provider of a care-guarantee agreement. */
  providerId: string | null;
  coversAllPlannedCare: boolean;
  specialties: readonly Specialty[];
  procedureCodes: readonly string[];
  priceLists: readonly PriceListFacts[];
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
}

export interface CoverageDecision {
  status: CoverageStatus;
  agreement: AgreementFacts | null;
  priceSek: number | null;
  reason: string;
}

const REGION_NAMES = new Map(REGIONS.map((r) => [r.code, r.name]));
const regionName = (code: string) => REGION_NAMES.get(code) ?? `region ${code}`;

export function isValidOn(period: { validFrom: string; validUntil: string | null }, date: string): boolean {
  return period.validFrom <= date && (period.validUntil === null || date <= period.validUntil);
}

export function coversCare(agreement: AgreementFacts, specialty: Specialty, procedureCode: string | null): boolean {
  if (agreement.coversAllPlannedCare || agreement.specialties.includes(specialty)) return true;
  return procedureCode !== null && agreement.procedureCodes.includes(procedureCode);
}

/** Whether the agreement binds this home region and this provider, whatever the care. */
function bindsParties(agreement: AgreementFacts, c: CareCase): boolean {
  if (!agreement.partyRegionCodes.includes(c.homeRegionCode)) return false;
  if (agreement.kind === AgreementKind.CARE_GUARANTEE_AGREEMENT) return agreement.providerId === c.providerId;
  return c.providerKind === ProviderKind.PUBLIC && agreement.partyRegionCodes.includes(c.providerRegionCode);
}

/** The price of the procedure in the agreement's price list valid on the date; a region-specific price beats a general one. */
export function priceFor(agreement: AgreementFacts, procedureCode: string | null, providingRegionCode: string, date: string): number | null {
  if (procedureCode === null) return null;
  const list = agreement.priceLists.find((l) => isValidOn(l, date));
  if (!list) return null;
  const entries = list.entries.filter((e) => e.procedureCode === procedureCode);
  const entry = entries.find((e) => e.providingRegionCode === providingRegionCode) ?? entries.find((e) => e.providingRegionCode === null);
  return entry?.priceSek ?? null;
}

export function decideCoverage(c: CareCase, agreements: readonly AgreementFacts[]): CoverageDecision {
  if (c.providerKind === ProviderKind.PUBLIC && c.providerRegionCode === c.homeRegionCode) {
    return {
      status: CoverageStatus.INTERNAL_CARE,
      agreement: null,
      priceSek: null,
      reason: `Care within the patient's home region (${regionName(c.homeRegionCode)}): no agreement is needed.`,
    };
  }
  const applicable = agreements
    .filter((a) => bindsParties(a, c) && isValidOn(a, c.date) && coversCare(a, c.specialty, c.procedureCode))
    .sort(
      (a, b) =>
        PRECEDENCE.indexOf(a.kind) - PRECEDENCE.indexOf(b.kind) ||
        // Among agreements of one kind, the most recently started one is the current one.
        b.validFrom.localeCompare(a.validFrom) ||
        a.id.localeCompare(b.id),
    );
  const chosen = applicable[0];
  if (!chosen) {
    const reason =
      c.providerKind === ProviderKind.PRIVATE
        ? `${regionName(c.homeRegionCode)} has no care-guarantee agreement with this private provider that covers this care on ${c.date}; Riksavtalet does not cover private providers.`
        : `No agreement between ${regionName(c.homeRegionCode)} and ${regionName(c.providerRegionCode)} covers this care on ${c.date}.`;
    return { status: CoverageStatus.NOT_COVERED, agreement: null, priceSek: null, reason };
  }
  const priceSek = priceFor(chosen, c.procedureCode, c.providerRegionCode, c.date);
  const priceNote =
    priceSek !== null
      ? ` Price ${priceSek} SEK per case.`
      : c.procedureCode === null
        ? " No per-case price for a first visit in the price list."
        : ` No price for ${c.procedureCode} in the price list valid on ${c.date}.`;
  return { status: CoverageStatus.COVERED, agreement: chosen, priceSek, reason: `${describe(chosen, c)}${priceNote}` };
}

function describe(agreement: AgreementFacts, c: CareCase): string {
  switch (agreement.kind) {
    case AgreementKind.CARE_GUARANTEE_AGREEMENT:
      return `${agreement.name}: ${regionName(c.homeRegionCode)}'s own care-guarantee agreement with the provider.`;
    case AgreementKind.HEALTHCARE_REGION_PACT:
      return `${agreement.name}: ${regionName(c.homeRegionCode)} and ${regionName(c.providerRegionCode)} are both parties to the pact; the patient gets care on the same terms as the providing region's residents.`;
    case AgreementKind.RIKSAVTALET:
      return `${agreement.name}: no regional agreement covers this care, so the national agreement applies; the home region pays the providing region's price.`;
  }
}
