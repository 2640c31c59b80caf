/**
 * Agreement events in the outbox: each change appends its event in the change's own transaction
 * (see `AgreementAdministration`), and subscriptions read the kind back from the stored type.
 * What the events are and carry is in `domain/agreement-events.ts`.
 */

import type { ChangeFeedDescription } from "../../shared/change-feed";
import { EventTypes, OutboxEvent, StoredEvent } from "../../shared/outbox";
import { AgreementEventKind, AgreementEventPayload } from "../domain/agreement-events";

const AGREEMENT_EVENTS = new EventTypes<AgreementEventKind>("AGREEMENT_");

/** Agreements' change feed, for the gateway's response cache: each event may touch any agreements answer. */
export const AGREEMENTS_CHANGE_FEED: ChangeFeedDescription = {
  cursorField: "agreementEventCursor",
  subscriptionFields: ["agreementChanged"],
};

export function agreementEvent(
  kind: AgreementEventKind,
  agreementId: string,
  originRegionCode: string,
  ids: Pick<AgreementEventPayload, "versionId" | "priceListId" | "commitmentId" | "referralId"> = {},
): OutboxEvent {
  const payload: AgreementEventPayload = { agreementId, kind, ...ids };
  return {
    type: AGREEMENT_EVENTS.type(kind),
    aggregateId: agreementId,
    originRegionCode,
    payload: payload as unknown as Record<string, unknown>,
  };
}

export function isAgreementEvent(event: StoredEvent): boolean {
  return AGREEMENT_EVENTS.is(event);
}

export function agreementEventKind(event: StoredEvent): AgreementEventKind {
  return AGREEMENT_EVENTS.kindOf(event);
}
