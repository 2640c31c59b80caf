/**
 * Referral events: one per lifecycle step or clock fact, written to the outbox in the step's
 * transaction, with a snapshot of the referral as the step left it, so that delivering (or
 * replaying) an event needs no read and shows the referral as it was then.
 */

import { Identity, Role } from "../../shared/identity";
import { EventTypes, OutboxEvent, StoredEvent } from "../../shared/outbox";
import { referralAccess } from "./referral-access";
import { ReferralAction, ReferralStatus } from "../domain/referral-lifecycle";

export interface ReferralSnapshot {
  referral: Record<string, unknown>;
  /** The lifecycle step (e.g. SEND), clock fact (CLOCK_…) or clock status change (GUARANTEE_…). */
  action: string;
  actor: { subject: string; role: string; organisation: string | null };
  reason: string | null;
}

const REFERRAL_EVENTS = new EventTypes<string>("REFERRAL_");

export function referralEvent(
  action: string,
  referral: object & { id: string },
  originRegionCode: string,
  actor: ReferralSnapshot["actor"],
  reason: string | null,
): OutboxEvent {
  const snapshot: ReferralSnapshot = { referral: { ...referral }, action, actor, reason };
  return {
    type: REFERRAL_EVENTS.type(action),
    aggregateId: referral.id,
    originRegionCode,
    payload: snapshot as unknown as Record<string, unknown>,
  };
}

export function snapshotOf(event: StoredEvent): ReferralSnapshot {
  return event.payload as unknown as ReferralSnapshot;
}

export interface ReferralEventFacts {
  id: string;
  homeRegionCode: string;
  providerId: string | null;
  providerRegionCode: string | null;
  status: ReferralStatus;
}

function factsOf(event: StoredEvent): ReferralEventFacts {
  const r = snapshotOf(event).referral;
  return {
    id: String(r.id),
    homeRegionCode: String(r.homeRegionCode),
    providerId: (r.providerId as string | null) ?? null,
    providerRegionCode: (r.providerRegionCode as string | null) ?? null,
    status: r.status as ReferralStatus,
  };
}

/** What a caller gets of an event: all of it, the referral without patient content, or nothing. */
export type Delivery = "FULL" | "REDACTED" | "NONE";

/**
 * Whether a caller hears of an event, and how much. A provider hears only of referrals sent to it;
 * the home region's office and clinics of their patients' referrals; an office, peer region or
 * administrator of the region a referral was sent into hears that it arrived, without patient
 * content. The `regionCode` is the region the subscription is for.
 */
export function deliveryFor(identity: Identity, event: StoredEvent, regionCode: string | null): Delivery {
  const facts = factsOf(event);
  // A rejection ends the provider's part, but the provider still hears of its own rejection.
  const receiverView = snapshotOf(event).action === ReferralAction.REJECT ? { ...facts, status: ReferralStatus.RECEIVED } : facts;
  if (referralAccess(identity, receiverView).allowed) return "FULL";
  if (identity.role === Role.PROVIDER) return "NONE";
  const ownRegion = identity.role === Role.ADMINISTRATOR || identity.regionCode === regionCode;
  if (ownRegion && regionCode !== null && (facts.homeRegionCode === regionCode || facts.providerRegionCode === regionCode))
    return "REDACTED";
  return "NONE";
}

/** `referralReceived(regionCode)`: referrals sent to a provider in the region, and referrals a clinic hands to the region's office. */
export function isReceivedEvent(event: StoredEvent, regionCode: string): boolean {
  if (!REFERRAL_EVENTS.is(event)) return false;
  const { action } = snapshotOf(event);
  const facts = factsOf(event);
  if (action === ReferralAction.SEND) return facts.providerRegionCode === regionCode;
  if (action === ReferralAction.HAND_TO_OFFICE) return facts.homeRegionCode === regionCode;
  return false;
}

/** `referralUpdated(id, regionCode)`: every change to one referral, or to the referrals of a region's patients or sent into it. */
export function isUpdateEvent(event: StoredEvent, id: string | null, regionCode: string | null): boolean {
  if (!REFERRAL_EVENTS.is(event)) return false;
  const facts = factsOf(event);
  if (id !== null && facts.id !== id) return false;
  if (regionCode !== null && facts.homeRegionCode !== regionCode && facts.providerRegionCode !== regionCode) return false;
  return true;
}
