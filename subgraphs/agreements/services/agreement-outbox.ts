/**
 * Agreement events in the outbox: each change appends its event in the change's own transaction
 * (see `AgreementAdministration`), and subscriptions read the kind back from the stored type.
 * What the events are and carry is in `domain/agreement-events.ts`.
 */

import type { OutboxEvent, StoredEvent } from "../../shared/outbox";
import { AgreementEventKind, AgreementEventPayload } from "../domain/agreement-events";

const PREFIX = "AGREEMENT_";

export function agreementEvent(
  kind: AgreementEventKind,
  agreementId: string,
  originRegionCode: string,
  ids: Pick<AgreementEventPayload, "versionId" | "priceListId" | "commitmentId" | "referralId"> = {},
): OutboxEvent {
  const payload: AgreementEventPayload = { agreementId, kind, ...ids };
  return { type: `${PREFIX}${kind}`, aggregateId: agreementId, originRegionCode, payload: payload as unknown as Record<string, unknown> };
}

export function isAgreementEvent(event: StoredEvent): boolean {
  return event.type.startsWith(PREFIX);
}

export function agreementEventKind(event: StoredEvent): AgreementEventKind {
  return event.type.slice(PREFIX.length) as AgreementEventKind;
}
