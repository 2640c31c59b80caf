/**
 * The words an offer of free capacity is described in: whether it can still be used, how it
 * reached the hub, and what can happen to it. Plain enums; their GraphQL descriptions are
 * registered in `entities/graphql-enums.ts`.
 */

/** Whether an offer can still be used. */
export enum OfferStatus {
  OPEN = "OPEN",
  WITHDRAWN = "WITHDRAWN",
  EXPIRED = "EXPIRED",
}

/** How the capacity reached the hub. */
export enum OfferSource {
  MANUAL = "MANUAL",
  API = "API",
  SCHEDULING_FEED = "SCHEDULING_FEED",
}

/** What happened to an offer: the kind of each event in the offer event log (`OFFER_<kind>`). */
export enum OfferEventKind {
  PUBLISHED = "PUBLISHED",
  UPDATED = "UPDATED",
  RESERVED = "RESERVED",
  RELEASED = "RELEASED",
  WITHDRAWN = "WITHDRAWN",
  EXPIRED = "EXPIRED",
}
