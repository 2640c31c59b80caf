/**
 * The record of a send in flight (`referral.send_in_flight`, internal: no client sees it).
 *
 * Sending a referral holds a slot at capacity and commits the case under an agreement, both through
 * the gateway. No transaction stays open while those calls wait: a short transaction records the
 * send here (refusing a second one while it is in flight), the calls follow, and a last short
 * transaction re-checks the referral, records the step and clears this record. What a crash leaves
 * half-way is found here by its age and compensated by the workflow's sweep.
 */

import { EntityManager } from "typeorm";
import type { Identity } from "../../shared/identity";

type Db = Pick<EntityManager, "query">;

export interface SendInFlight {
  /** One attempt of one send: the capacity reservation's idempotency key is made from it. */
  attempt: string;
  offerId: string;
  /** The agreement the case is committed under; null when coverage needs none. */
  agreementId: string | null;
  /** The peer node that holds the offer, for a send across nodes (the slot is held and given back there); absent for a local offer. */
  peerRegionCode?: string;
  /** Known once capacity answered; a send that crashed before recording it finds it again by the key. */
  reservationId: string | null;
  startedAt: string;
  /** Who sent it: compensation after a crash acts on the same caller's behalf. */
  requestedBy: Identity;
  requestId: string;
}

/** The key that makes holding the slot idempotent: a retried call within one attempt holds one slot. */
export function reservationKey(referralId: string, attempt: string): string {
  return `referral:${referralId}:${attempt}`;
}

export async function sendInFlight(db: Db, referralId: string): Promise<SendInFlight | null> {
  const [row]: Array<{ send_in_flight: SendInFlight | null }> = await db.query(
    `SELECT send_in_flight FROM referrals.referral WHERE id = $1`,
    [referralId],
  );
  return row?.send_in_flight ?? null;
}

export async function recordSendInFlight(db: Db, referralId: string, sending: SendInFlight): Promise<void> {
  await db.query(`UPDATE referrals.referral SET send_in_flight = $2 WHERE id = $1`, [referralId, JSON.stringify(sending)]);
}

/** Notes the reservation capacity answered, if the attempt is still the one in flight. */
export async function noteReservation(db: Db, referralId: string, attempt: string, reservationId: string): Promise<void> {
  await db.query(
    `UPDATE referrals.referral SET send_in_flight = jsonb_set(send_in_flight, '{reservationId}', to_jsonb($3::text))
      WHERE id = $1 AND send_in_flight->>'attempt' = $2`,
    [referralId, attempt, reservationId],
  );
}

/** Ends the attempt's record; false when it was no longer in flight (recovered by the sweep meanwhile). */
export async function clearSendInFlight(db: Db, referralId: string, attempt: string): Promise<boolean> {
  const [, count]: [unknown, number] = await db.query(
    `UPDATE referrals.referral SET send_in_flight = NULL WHERE id = $1 AND send_in_flight->>'attempt' = $2`,
    [referralId, attempt],
  );
  return count > 0;
}

/** Sends in flight since before `startedBefore`: longer than any live send takes, so left by a crash. */
export async function abandonedSends(db: Db, startedBefore: Date): Promise<Array<{ referralId: string; sending: SendInFlight }>> {
  const rows: Array<{ id: string; send_in_flight: SendInFlight }> = await db.query(
    `SELECT id, send_in_flight FROM referrals.referral WHERE send_in_flight IS NOT NULL AND (send_in_flight->>'startedAt') < $1 ORDER BY send_in_flight->>'startedAt'`,
    [startedBefore.toISOString()],
  );
  return rows.map((r) => ({ referralId: r.id, sending: r.send_in_flight }));
}
