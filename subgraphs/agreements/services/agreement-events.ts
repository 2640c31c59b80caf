import type { ChangeFeedDescription } from "../../shared/change-feed";
import { EventTypes, OutboxEvent, StoredEvent } from "../../shared/outbox";

/**
 * Agreement events: one per change to an agreement, written to the outbox in the change's
 * transaction. Unlike offer events they carry no snapshot, only the ids of what changed: an
 * agreement's answer spans versions, price lists and ceiling use, so a subscriber is sent the
 * agreement as it is when the event is delivered, and caches only need to know which agreement
 * to forget. A commitment names its referral but nothing about the patient.
 */
export enum AgreementEventKind {
  CREATED = "CREATED",
  REVISED = "REVISED",
  PRICE_LIST_ADDED = "PRICE_LIST_ADDED",
  PRICE_LIST_ENDED = "PRICE_LIST_ENDED",
  ENDED = "ENDED",
  COMMITTED = "COMMITTED",
  COMMITMENT_RELEASED = "COMMITMENT_RELEASED",
}

export interface AgreementEventPayload {
  agreementId: string;
  kind: AgreementEventKind;
  versionId?: string;
  priceListId?: string;
  commitmentId?: string;
  referralId?: string;
}

/** Agreements' change feed, for the gateway's response cache: each event may touch any agreements answer. */
export const AGREEMENTS_CHANGE_FEED: ChangeFeedDescription = { cursorField: "agreementEventCursor", subscriptionFields: ["agreementChanged"] };

const AGREEMENT_EVENTS = new EventTypes<AgreementEventKind>("AGREEMENT_");

export function agreementEvent(
  kind: AgreementEventKind,
  agreementId: string,
  originRegionCode: string,
  ids: Pick<AgreementEventPayload, "versionId" | "priceListId" | "commitmentId" | "referralId"> = {},
): OutboxEvent {
  const payload: AgreementEventPayload = { agreementId, kind, ...ids };
  return { type: AGREEMENT_EVENTS.type(kind), aggregateId: agreementId, originRegionCode, payload: payload as unknown as Record<string, unknown> };
}

export function isAgreementEvent(event: StoredEvent): boolean {
  return AGREEMENT_EVENTS.is(event);
}

export function agreementEventKind(event: StoredEvent): AgreementEventKind {
  return AGREEMENT_EVENTS.kindOf(event);
}
