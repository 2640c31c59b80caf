import { MigrationInterface, QueryRunner } from "typeorm";
import { eventOutboxTable, idempotencyKeyTable } from "../../shared/migrations/event-tables";

/**
 * The referral lifecycle, the guarantee clock and brokering: every transition and every clock
 * event kept as its own row (nothing overwritten), payment commitments, the guarantee limits as
 * data, and the event outbox that live subscriptions read.
 */
export class ReferralLifecycle1795651200000 implements MigrationInterface {
  name = "ReferralLifecycle1795651200000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE referrals.referral
        DROP CONSTRAINT referral_status_check,
        ADD CONSTRAINT referral_status_check CHECK (status IN ('REGISTERED', 'HANDED_TO_OFFICE', 'SENT', 'RECEIVED', 'ACCEPTED', 'REJECTED',
          'OFFERED_TO_PATIENT', 'PATIENT_ACCEPTED', 'PATIENT_DECLINED', 'BOOKED', 'COMPLETED', 'CANCELLED')),
        ADD COLUMN care_category text NOT NULL DEFAULT 'PLANNED_CARE',
        ADD COLUMN origin text NOT NULL DEFAULT 'REFERRAL' CHECK (origin IN ('REFERRAL', 'SELF_REFERRAL')),
        ADD COLUMN self_referral_arrival_date date,
        ADD COLUMN registered_by text NOT NULL DEFAULT 'seed',
        ADD COLUMN registering_unit_id uuid,
        ADD COLUMN provider_id uuid,
        ADD COLUMN provider_region_code text,
        ADD COLUMN offer_id uuid,
        ADD COLUMN reservation_id uuid,
        ADD COLUMN sent_at timestamptz,
        ADD COLUMN patient_offer_date date,
        ADD COLUMN patient_answer_due date,
        ADD COLUMN booked_for date,
        ADD COLUMN guarantee_status text,
        ADD COLUMN guarantee_deadline date,
        ADD COLUMN revision integer NOT NULL DEFAULT 1,
        ADD CONSTRAINT sent_has_provider CHECK (status IN ('REGISTERED', 'HANDED_TO_OFFICE', 'CANCELLED') OR provider_id IS NOT NULL);
      CREATE INDEX referral_provider ON referrals.referral (provider_id, status);
      CREATE INDEX referral_waiting_deadline ON referrals.referral (home_region_code, guarantee_deadline, id)
        WHERE status NOT IN ('BOOKED', 'COMPLETED', 'CANCELLED');
      CREATE INDEX referral_answer_due ON referrals.referral (patient_answer_due) WHERE status = 'OFFERED_TO_PATIENT';

      -- Every step of every referral: who (subject, role, organisation), when, why. Append-only.
      CREATE TABLE referrals.referral_transition (
        id bigserial PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals.referral (id),
        action text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        actor_subject text NOT NULL,
        actor_role text NOT NULL,
        actor_organisation text,
        reason text,
        details jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX referral_transition_referral ON referrals.referral_transition (referral_id, id);

      -- Registered facts about the guarantee clock (pauses, forfeit, restart, booking). Append-only.
      CREATE TABLE referrals.guarantee_event (
        id bigserial PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals.referral (id),
        kind text NOT NULL,
        effective_date date NOT NULL,
        actor_subject text NOT NULL,
        actor_role text NOT NULL,
        actor_organisation text,
        reason text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX guarantee_event_referral ON referrals.guarantee_event (referral_id, id);

      CREATE FUNCTION referrals.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'referral history is append-only (% on %)', TG_OP, TG_TABLE_NAME;
      END $$;
      CREATE TRIGGER referral_transition_append_only BEFORE UPDATE OR DELETE ON referrals.referral_transition
        FOR EACH ROW EXECUTE FUNCTION referrals.refuse_change();
      CREATE TRIGGER guarantee_event_append_only BEFORE UPDATE OR DELETE ON referrals.guarantee_event
        FOR EACH ROW EXECUTE FUNCTION referrals.refuse_change();

      -- Time limits as data: the national 90 days, regional targets, care-area rules.
      CREATE TABLE referrals.guarantee_limit (
        id text PRIMARY KEY,
        name text NOT NULL,
        region_code text CHECK (region_code ~ '^[0-9]{2}$'),
        specialty text,
        step text CHECK (step IN ('FIRST_VISIT', 'TREATMENT')),
        days integer NOT NULL CHECK (days BETWEEN 1 AND 90),
        extends_to text[] NOT NULL DEFAULT '{}',
        valid_from date,
        valid_until date
      );

      -- The home region's promise to pay (betalningsförbindelse), one per sending.
      CREATE TABLE referrals.payment_commitment (
        id uuid PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referrals.referral (id),
        offer_id uuid NOT NULL,
        provider_id uuid NOT NULL,
        paying_region_code text NOT NULL,
        agreement_id uuid,
        agreement_kind text,
        agreement_name text,
        agreement_type_code text,
        riksavtal_chapter text,
        outpatient_only boolean NOT NULL,
        procedure_code text,
        diagnosis_code text,
        price_per_case_sek integer,
        valid_from date NOT NULL,
        valid_until date NOT NULL,
        approved_by text NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revocation_reason text
      );
      CREATE INDEX payment_commitment_referral ON referrals.payment_commitment (referral_id, issued_at);

      ${eventOutboxTable("referrals")}

      ${idempotencyKeyTable("referrals")}
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE referrals.idempotency_key;
      DROP TABLE referrals.event_outbox;
      DROP TABLE referrals.payment_commitment;
      DROP TABLE referrals.guarantee_limit;
      DROP TABLE referrals.guarantee_event;
      DROP TABLE referrals.referral_transition;
      DROP FUNCTION referrals.refuse_change();
      DROP INDEX referrals.referral_answer_due;
      DROP INDEX referrals.referral_waiting_deadline;
      DROP INDEX referrals.referral_provider;
      UPDATE referrals.referral SET status = 'REGISTERED';
      ALTER TABLE referrals.referral
        DROP CONSTRAINT sent_has_provider,
        DROP CONSTRAINT referral_status_check,
        ADD CONSTRAINT referral_status_check CHECK (status IN ('REGISTERED')),
        DROP COLUMN care_category, DROP COLUMN origin, DROP COLUMN self_referral_arrival_date, DROP COLUMN registered_by,
        DROP COLUMN registering_unit_id, DROP COLUMN provider_id, DROP COLUMN provider_region_code, DROP COLUMN offer_id,
        DROP COLUMN reservation_id, DROP COLUMN sent_at, DROP COLUMN patient_offer_date, DROP COLUMN patient_answer_due,
        DROP COLUMN booked_for, DROP COLUMN guarantee_status, DROP COLUMN guarantee_deadline, DROP COLUMN revision;
    `);
  }
}
