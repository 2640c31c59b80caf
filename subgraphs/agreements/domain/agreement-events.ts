/**
 * Agreement events: one per change to an agreement. Unlike offer events they carry no snapshot,
 * only the ids of what changed: an agreement's answer spans versions, price lists and ceiling use,
 * so a subscriber is sent the agreement as it is when the event is delivered, and caches only need
 * to know which agreement to forget. A commitment names its referral but nothing about the patient.
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

/** What an agreement event says: the agreement, and the ids of the part of it that changed. */
export interface AgreementEventPayload {
  agreementId: string;
  kind: AgreementEventKind;
  versionId?: string;
  priceListId?: string;
  commitmentId?: string;
  referralId?: string;
}
