/**
 * What a free-capacity search is narrowed by, and where a page of it starts: the same for this
 * node's own search, the national search and the subscriptions that filter offer events.
 */

import { isIsoDate } from "../../shared/domain/calendar";
import { ProviderKind, VisitType } from "../../shared/domain/enums";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/domain/specialty";

/** What a free-capacity search may be narrowed by; every field is optional and they combine with AND. */
export interface CapacitySearchFilter {
  specialty?: Specialty | null;
  procedureCode?: string | null;
  visitType?: VisitType | null;
  regionCodes?: string[] | null;
  healthcareRegionCode?: string | null;
  providerIds?: string[] | null;
  providerKind?: ProviderKind | null;
  startsOnOrBefore?: string | null;
  minAvailableSlots?: number | null;
  maxExpectedWaitDays?: number | null;
}

/** Keyset position: results are ordered by (earliest start, id). */
export interface OfferPosition {
  earliestStart: string;
  id: string;
}

/** The position a cursor payload names, or undefined when it is not one. */
export function readOfferPosition(payload: unknown): OfferPosition | undefined {
  if (!Array.isArray(payload) || payload.length !== 2) return undefined;
  const [earliestStart, id] = payload;
  if (typeof earliestStart !== "string" || !isIsoDate(earliestStart)) return undefined;
  if (typeof id !== "string" || !isUuid(id)) return undefined;
  return { earliestStart, id };
}

/** The cursor payload of an offer: its position in the order. */
export function offerPosition(offer: OfferPosition): [string, string] {
  return [offer.earliestStart, offer.id];
}
