import { MigrationInterface, QueryRunner } from "typeorm";
import { eventOutboxTable, idempotencyKeyTable } from "../../shared/migrations/event-tables";

/**
 * Publishing: concrete slot times, reservations, withdrawal with a reason, idempotency keys for
 * providers' retrying integrations, and the event outbox written in the same transaction as every
 * change (what live subscriptions deliver, with no event lost).
 */
export class CapacityPublishing1795478400000 implements MigrationInterface {
  name = "CapacityPublishing1795478400000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE capacity.capacity_offer
        ADD COLUMN withdrawn_at timestamptz,
        ADD COLUMN withdrawal_reason text,
        ADD COLUMN expired_at timestamptz,
        ADD COLUMN revision integer NOT NULL DEFAULT 1,
        DROP CONSTRAINT capacity_offer_status_check,
        ADD CONSTRAINT capacity_offer_status_check CHECK (status IN ('OPEN', 'WITHDRAWN', 'EXPIRED'));
      -- Offers withdrawn before reasons were recorded keep their history, with a reason saying so.
      UPDATE capacity.capacity_offer
         SET withdrawn_at = updated_at, withdrawal_reason = 'Withdrawn before withdrawal reasons were recorded'
       WHERE status = 'WITHDRAWN';
      ALTER TABLE capacity.capacity_offer
        ADD CONSTRAINT withdrawal_complete CHECK ((status = 'WITHDRAWN') = (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)),
        ADD CONSTRAINT expiry_complete CHECK ((status = 'EXPIRED') = (expired_at IS NOT NULL));
      -- The expiry sweep looks for open offers whose window has ended.
      CREATE INDEX capacity_offer_open_by_end ON capacity.capacity_offer (valid_until) WHERE status = 'OPEN';

      CREATE TABLE capacity.offer_slot (
        offer_id uuid NOT NULL REFERENCES capacity.capacity_offer (id),
        starts_at timestamptz NOT NULL,
        PRIMARY KEY (offer_id, starts_at)
      );

      CREATE TABLE capacity.reservation (
        id uuid PRIMARY KEY,
        offer_id uuid NOT NULL REFERENCES capacity.capacity_offer (id),
        reference_id text NOT NULL CHECK (length(reference_id) BETWEEN 1 AND 200),
        slots integer NOT NULL CHECK (slots > 0),
        reserved_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        release_reason text,
        CHECK ((released_at IS NULL) = (release_reason IS NULL))
      );
      -- One standing reservation per offer and reference (e.g. a referral).
      CREATE UNIQUE INDEX reservation_open_reference ON capacity.reservation (offer_id, reference_id) WHERE released_at IS NULL;

      ${idempotencyKeyTable("capacity")}

      ${eventOutboxTable("capacity")}
      CREATE INDEX reservation_offer ON capacity.reservation (offer_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE capacity.event_outbox;
      DROP TABLE capacity.idempotency_key;
      DROP TABLE capacity.reservation;
      DROP TABLE capacity.offer_slot;
      DROP INDEX capacity.capacity_offer_open_by_end;
      UPDATE capacity.capacity_offer SET status = 'OPEN' WHERE status = 'EXPIRED';
      ALTER TABLE capacity.capacity_offer
        DROP CONSTRAINT expiry_complete,
        DROP CONSTRAINT withdrawal_complete,
        DROP CONSTRAINT capacity_offer_status_check,
        ADD CONSTRAINT capacity_offer_status_check CHECK (status IN ('OPEN', 'WITHDRAWN')),
        DROP COLUMN revision,
        DROP COLUMN expired_at,
        DROP COLUMN withdrawal_reason,
        DROP COLUMN withdrawn_at;
    `);
  }
}
