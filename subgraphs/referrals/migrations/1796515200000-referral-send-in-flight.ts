import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Sending a referral calls capacity and agreements through the gateway, and no database
 * transaction stays open while it waits. A short transaction first records here which send is in
 * flight (the attempt, the offer, who asked): a concurrent send is refused, and a send a crash left
 * half-way is found and compensated by the sweep. Internal: no client sees this column.
 *
 * Rejecting or cancelling gives the slot and the agreement commitment back and ends the provider's
 * care relation at the patients subgraph, also through the gateway: the step records what to give back in `give_back` in its own transaction, and the calls
 * follow after it committed (and again from the sweep, until they succeed).
 */
export class ReferralSendInFlight1796515200000 implements MigrationInterface {
  name = "ReferralSendInFlight1796515200000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE referrals.referral ADD COLUMN send_in_flight jsonb`);
    // The sweep looks only for the few sends in flight.
    await db.query(
      `CREATE INDEX referral_send_in_flight ON referrals.referral ((send_in_flight->>'startedAt')) WHERE send_in_flight IS NOT NULL`,
    );
    await db.query(`
      CREATE TABLE referrals.give_back (
        id bigserial PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals.referral (id),
        reservation_id uuid,
        uncommit boolean NOT NULL,
        end_care_relation boolean NOT NULL,
        reason text NOT NULL,
        requested_by jsonb NOT NULL,
        request_id text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX give_back_referral ON referrals.give_back (referral_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE referrals.give_back`);
    await db.query(`DROP INDEX referrals.referral_send_in_flight`);
    await db.query(`ALTER TABLE referrals.referral DROP COLUMN send_in_flight`);
  }
}
