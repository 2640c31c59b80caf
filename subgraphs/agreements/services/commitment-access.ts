/**
 * Who may read what was committed under an agreement, its commitments and the use of its volume
 * ceilings. A plain rule, no GraphQL and no database:
 *
 * - an administrator: every commitment of every agreement;
 * - the care-guarantee office (REGIONAL_OFFICE) of a region party to the agreement: the
 *   commitments that region pays for (its patients' referrals), and the agreement's ceiling use.
 *   Ceilings belong to care-guarantee agreements, which have exactly one party, the region that
 *   pays for every case, so the ceiling's use is that region's own business;
 * - nobody else (clinics, providers, peer regions, other regions' offices): FORBIDDEN. The
 *   agreement itself is public, so saying it exists and is not theirs to read reveals nothing.
 *
 * A commitment names its referral by id and nothing about the patient.
 */

import { Identity, Role } from "../../shared/identity";

export type LedgerAccess = { everything: true } | { payingRegionCode: string };

export function ledgerAccess(identity: Identity, partyRegionCodes: readonly string[]): LedgerAccess | null {
  if (identity.role === Role.ADMINISTRATOR) return { everything: true };
  if (identity.role === Role.REGIONAL_OFFICE && identity.regionCode !== null && partyRegionCodes.includes(identity.regionCode)) {
    return { payingRegionCode: identity.regionCode };
  }
  return null;
}
