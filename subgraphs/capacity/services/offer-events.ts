/**
 * Offer events: what the outbox stores for every change to an offer, and which subscriptions an
 * event is for. The event carries a snapshot of the offer as the change left it, plus the facts
 * about its provider that filters ask about, so that delivering an event (or replaying an old one)
 * needs no database read and shows the offer as it was at that moment.
 */

import type { ChangeFeedDescription } from "../../shared/change-feed";
import { EventTypes, OutboxEvent, restoreSnapshot, StoredEvent } from "../../shared/outbox";
import type { CapacitySearchFilter } from "../domain/capacity-filter";
import { OfferEventKind, OfferStatus } from "../domain/offers";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import type { Provider } from "../entities/provider.entity";

/** What an offer event's payload holds. */
export interface OfferSnapshot {
  offer: Record<string, unknown>;
  provider: { regionCode: string; municipalityCode: string; kind: string };
}

/**
 * Capacity's change feed, for the gateway's response cache. A change to the catalogue (a provider's
 * name, a unit deactivated, a KVÅ title) can show in any capacity answer, so it touches all of them.
 * An offer keeps its specialty and procedure for life, so a change to it touches only searches of
 * that specialty or procedure (and answers that depend on all of capacity).
 */
export const CAPACITY_CHANGE_FEED: ChangeFeedDescription = {
  cursorField: "offerEventCursor",
  subscriptionFields: ["offerPublished", "offerChanged", "careCatalogueChanged"],
  eventOf: { careCatalogueChanged: { selection: "" } },
  event: {
    selection: "specialty procedure { code }",
    parts: [
      { name: "specialty", path: ["specialty"] },
      { name: "procedureCode", path: ["procedure", "code"] },
    ],
  },
  partitioning: { rootField: "freeCapacity", argument: "filter", by: ["specialty", "procedureCode"] },
};

export interface HealthcareRegionMembership {
  healthcareRegionCode: string;
  regionCode: string;
  municipalityCodes: string[] | null;
}

const SNAPSHOT_FIELDS = [
  "id",
  "careUnitId",
  "providerId",
  "specialty",
  "procedureCode",
  "visitType",
  "totalSlots",
  "reservedSlots",
  "earliestStart",
  "validFrom",
  "validUntil",
  "expectedWaitDays",
  "status",
  "source",
  "reportedBy",
  "reportedAt",
  "minPatientAge",
  "maxPatientAge",
  "conditions",
  "withdrawnAt",
  "withdrawalReason",
  "expiredAt",
  "revision",
] as const;

const INSTANT_FIELDS = new Set(["reportedAt", "withdrawnAt", "expiredAt"]);

const OFFER_EVENTS = new EventTypes<OfferEventKind>("OFFER_");

export function offerEvent(kind: OfferEventKind, offer: CapacityOffer, provider: Provider, originRegionCode: string): OutboxEvent {
  const snapshot: OfferSnapshot = {
    offer: Object.fromEntries(SNAPSHOT_FIELDS.map((field) => [field, offer[field]])),
    provider: { regionCode: provider.regionCode, municipalityCode: provider.municipalityCode, kind: provider.kind },
  };
  return {
    type: OFFER_EVENTS.type(kind),
    aggregateId: offer.id,
    originRegionCode,
    payload: snapshot as unknown as Record<string, unknown>,
  };
}

export function isOfferEvent(event: StoredEvent): boolean {
  return OFFER_EVENTS.is(event);
}

export function eventKind(event: StoredEvent): OfferEventKind {
  return OFFER_EVENTS.kindOf(event);
}

/** The offer as the event left it, carrying the event's id, kind and time. */
export function offerOfEvent(event: StoredEvent): CapacityOffer {
  const { offer } = event.payload as unknown as OfferSnapshot;
  const restored = restoreSnapshot(new CapacityOffer(), offer, SNAPSHOT_FIELDS, INSTANT_FIELDS);
  restored.event = { id: String(event.id), kind: eventKind(event), occurredAt: event.occurredAt };
  return restored;
}

/**
 * Whether an event is for a subscription with this filter. `offerPublished` applies the whole
 * filter, as `freeCapacity` would to the new offer. `offerChanged` applies only what describes the
 * offer's care and place (specialty, procedure, visit type, provider, region): the fields a change
 * moves (start, free slots, wait) are ignored, so that a board hears about an offer that leaves
 * its view as well as one that stays in it.
 */
export function eventMatches(
  event: StoredEvent,
  subscription: "published" | "changed",
  filter: CapacitySearchFilter,
  memberships: readonly HealthcareRegionMembership[],
  today: string,
): boolean {
  if (!isOfferEvent(event)) return false;
  const kind = eventKind(event);
  if ((subscription === "published") !== (kind === OfferEventKind.PUBLISHED)) return false;
  const { offer, provider } = event.payload as unknown as OfferSnapshot;
  if (filter.specialty && offer.specialty !== filter.specialty) return false;
  if (filter.procedureCode && offer.procedureCode !== filter.procedureCode) return false;
  if (filter.visitType && offer.visitType !== filter.visitType) return false;
  if (filter.providerIds?.length && !filter.providerIds.includes(String(offer.providerId))) return false;
  if (filter.regionCodes?.length && !filter.regionCodes.includes(provider.regionCode)) return false;
  if (filter.providerKind && provider.kind !== filter.providerKind) return false;
  if (filter.healthcareRegionCode) {
    const member = memberships.some(
      (m) =>
        m.healthcareRegionCode === filter.healthcareRegionCode &&
        m.regionCode === provider.regionCode &&
        (m.municipalityCodes === null || m.municipalityCodes.includes(provider.municipalityCode)),
    );
    if (!member) return false;
  }
  if (subscription === "changed") return true;
  const free = Number(offer.totalSlots) - Number(offer.reservedSlots);
  if (offer.status !== OfferStatus.OPEN || String(offer.validUntil) < today) return false;
  if (free < (filter.minAvailableSlots ?? 1)) return false;
  if (filter.startsOnOrBefore && String(offer.earliestStart) > filter.startsOnOrBefore) return false;
  if (filter.maxExpectedWaitDays != null && Number(offer.expectedWaitDays) > filter.maxExpectedWaitDays) return false;
  return true;
}
