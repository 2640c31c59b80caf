/**
 * The GraphQL names and descriptions of the enums only capacity's schema uses. The enums
 * themselves are plain TypeScript in `domain/` (and `PeerStatus` in the shared network client), so
 * the rules that speak them need no GraphQL; entities and resolvers import this file once for its
 * registrations. Enums several subgraphs share are registered in `subgraphs/shared/graphql-enums.ts`.
 */

import { registerEnumType } from "type-graphql";
import { PeerStatus } from "../../shared/network/peer-client";
import { CatalogueChangeKind } from "../domain/catalogue-changes";
import { OfferFreshness } from "../domain/freshness";
import { OfferEventKind, OfferSource, OfferStatus } from "../domain/offers";

registerEnumType(OfferStatus, {
  name: "OfferStatus",
  description: "Whether an offer can still be used.",
  valuesConfig: {
    OPEN: { description: "Published and usable while its window lasts and slots remain." },
    WITHDRAWN: { description: "Withdrawn by the provider; kept for history, never listed as free capacity." },
    EXPIRED: { description: "Its window has ended; kept for history, never listed as free capacity." },
  },
});

registerEnumType(OfferSource, {
  name: "OfferSource",
  description: "How the capacity reached the hub.",
  valuesConfig: {
    MANUAL: { description: "Entered by staff at the provider." },
    API: { description: "Published by the provider's own system through the hub's API." },
    SCHEDULING_FEED: { description: "Imported from a slot feed (e.g. SMART Scheduling Links)." },
  },
});

registerEnumType(OfferFreshness, {
  name: "OfferFreshness",
  description: "How current the reported capacity is (capacity data goes stale; users must see how old it is).",
  valuesConfig: {
    FRESH: { description: "Reported within the last 7 days." },
    AGING: { description: "Reported 8 to 42 days ago; confirm with the provider before relying on it." },
    STALE: {
      description: "Reported more than 42 days (6 weeks) ago; the national waiting-time database shows such estimates as missing.",
    },
  },
});

registerEnumType(OfferEventKind, {
  name: "OfferEventKind",
  description: "What happened to an offer.",
  valuesConfig: {
    PUBLISHED: { description: "A provider published it." },
    UPDATED: { description: "The provider changed its slots, window, expected wait or conditions." },
    RESERVED: { description: "Slots were reserved." },
    RELEASED: { description: "A reservation was released; its slots are free again." },
    WITHDRAWN: { description: "The provider withdrew it." },
    EXPIRED: { description: "Its window ended." },
  },
});

registerEnumType(CatalogueChangeKind, {
  name: "CatalogueChangeKind",
  description: "What changed in the care catalogue.",
  valuesConfig: {
    PROVIDER_CREATED: { description: "A provider was added (import or upsertProvider)." },
    PROVIDER_UPDATED: { description: "A provider's name, kind, organisation number or place changed, or it was active again." },
    PROVIDER_DEACTIVATED: { description: "A provider left the HSA catalogue (a full import without it)." },
    CARE_UNIT_CREATED: { description: "A care unit was added." },
    CARE_UNIT_UPDATED: { description: "A care unit's name or specialty changed, or it was active again." },
    CARE_UNIT_DEACTIVATED: { description: "A care unit was deactivated; its open offers were withdrawn with the reason." },
    PROCEDURE_LIST_CHANGED: { description: "A KVÅ import added or changed procedure codes." },
  },
});

registerEnumType(PeerStatus, {
  name: "PeerStatus",
  description: "How a peer node took part in a national search.",
  valuesConfig: {
    OK: { description: "It answered in time; its offers are in the result." },
    TIMEOUT: { description: "It did not answer within the node's peer bound (HUB_PEER_TIMEOUT_MS); its offers are missing." },
    UNREACHABLE: { description: "It could not be reached (down, refusing connections); its offers are missing." },
    UNAUTHORIZED: {
      description: "It refused this node's token (this node's key is not in its directory, or the reverse); its offers are missing.",
    },
    INVALID_ANSWER: { description: "Its answer was malformed, oversized or an error, and was refused; its offers are missing." },
    DISABLED: { description: "Disabled in this node's directory; not asked." },
  },
});
