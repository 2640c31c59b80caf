import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Referrals across nodes. `peer_link` says which referrals another node takes part in: on the home
 * node, a referral sent to a peer's provider (the peer holds the slot and the provider's steps); on
 * the provider's node, a referral a peer's office sent here (with the home region's patient
 * identity and payment commitment, which this node has nowhere else). `peer_outbox` is what this
 * node still has to tell a peer, written in the transaction of the step it tells of and posted
 * after it committed, again and again with backoff until the peer acknowledges: the delivery of a
 * referral (home → provider's node) and each step the provider took (provider's node → home), the
 * steps numbered per referral so the home applies them in order and once. Internal: no client sees these tables.
 */
export class PeerReferrals1796601600000 implements MigrationInterface {
  name = "PeerReferrals1796601600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE referrals.peer_link (
        referral_id uuid PRIMARY KEY REFERENCES referrals.referral (id),
        peer_region_code text NOT NULL,
        side text NOT NULL CHECK (side IN ('HOME', 'PROVIDER')),
        patient jsonb,
        commitment jsonb,
        steps_sent int NOT NULL DEFAULT 0,
        steps_applied int NOT NULL DEFAULT 0,
        delivered_at timestamptz,
        linked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE referrals.peer_outbox (
        id bigserial PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals.referral (id),
        peer_region_code text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('DELIVER', 'STEP')),
        sequence int NOT NULL,
        payload jsonb NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        done_at timestamptz,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (referral_id, kind, sequence)
      )`);
    // The worker looks only for what is still to be told.
    await db.query(`CREATE INDEX peer_outbox_due ON referrals.peer_outbox (next_attempt_at) WHERE done_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE referrals.peer_outbox`);
    await db.query(`DROP TABLE referrals.peer_link`);
  }
}
