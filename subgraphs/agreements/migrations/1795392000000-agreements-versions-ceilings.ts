import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Agreements become versioned: an agreement's content (what it covers and its terms) moves to
 * versions, so a change creates a new version and commitments keep the version they were made
 * under. Adds volume ceilings and the commitment ledger that counts their use.
 */
export class AgreementsVersionsCeilings1795392000000 implements MigrationInterface {
  name = "AgreementsVersionsCeilings1795392000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE agreements.agreement_version (
        id uuid PRIMARY KEY,
        agreement_id uuid NOT NULL REFERENCES agreements.agreement (id),
        version integer NOT NULL CHECK (version >= 1),
        effective_from date NOT NULL,
        covers_all_planned_care boolean NOT NULL,
        covered_specialties text[] NOT NULL DEFAULT '{}',
        covered_procedure_codes text[] NOT NULL DEFAULT '{}',
        referral_required boolean NOT NULL,
        payment_commitment_required boolean NOT NULL,
        same_terms_as_residents boolean NOT NULL,
        change_note text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (agreement_id, version),
        UNIQUE (agreement_id, effective_from)
      );

      INSERT INTO agreements.agreement_version
        (id, agreement_id, version, effective_from, covers_all_planned_care, covered_specialties, covered_procedure_codes,
         referral_required, payment_commitment_required, same_terms_as_residents, change_note)
      SELECT gen_random_uuid(), id, 1, valid_from, covers_all_planned_care, covered_specialties, covered_procedure_codes,
             referral_required, payment_commitment_required, same_terms_as_residents, 'First version'
        FROM agreements.agreement;

      ALTER TABLE agreements.agreement
        DROP COLUMN covers_all_planned_care,
        DROP COLUMN covered_specialties,
        DROP COLUMN covered_procedure_codes,
        DROP COLUMN referral_required,
        DROP COLUMN payment_commitment_required,
        DROP COLUMN same_terms_as_residents,
        ADD COLUMN end_reason text;

      CREATE TABLE agreements.agreement_ceiling (
        id uuid PRIMARY KEY,
        agreement_id uuid NOT NULL REFERENCES agreements.agreement (id),
        period_from date NOT NULL,
        period_until date NOT NULL,
        max_cases integer NOT NULL CHECK (max_cases > 0),
        procedure_codes text[] NOT NULL DEFAULT '{}',
        CHECK (period_until >= period_from)
      );
      CREATE INDEX agreement_ceiling_agreement ON agreements.agreement_ceiling (agreement_id);

      CREATE TABLE agreements.agreement_commitment (
        id uuid PRIMARY KEY,
        agreement_id uuid NOT NULL REFERENCES agreements.agreement (id),
        agreement_version_id uuid NOT NULL REFERENCES agreements.agreement_version (id),
        referral_id uuid NOT NULL,
        procedure_code text,
        care_date date NOT NULL,
        price_sek integer,
        committed_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        release_reason text,
        CHECK ((released_at IS NULL) = (release_reason IS NULL))
      );
      -- A referral is committed under at most one agreement at a time.
      CREATE UNIQUE INDEX agreement_commitment_open_referral ON agreements.agreement_commitment (referral_id) WHERE released_at IS NULL;
      CREATE INDEX agreement_commitment_agreement_date ON agreements.agreement_commitment (agreement_id, care_date) WHERE released_at IS NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE agreements.agreement_commitment;
      DROP TABLE agreements.agreement_ceiling;
      ALTER TABLE agreements.agreement
        DROP COLUMN end_reason,
        ADD COLUMN covers_all_planned_care boolean,
        ADD COLUMN covered_specialties text[] NOT NULL DEFAULT '{}',
        ADD COLUMN covered_procedure_codes text[] NOT NULL DEFAULT '{}',
        ADD COLUMN referral_required boolean,
        ADD COLUMN payment_commitment_required boolean,
        ADD COLUMN same_terms_as_residents boolean;
      UPDATE agreements.agreement a SET
        covers_all_planned_care = v.covers_all_planned_care, covered_specialties = v.covered_specialties,
        covered_procedure_codes = v.covered_procedure_codes, referral_required = v.referral_required,
        payment_commitment_required = v.payment_commitment_required, same_terms_as_residents = v.same_terms_as_residents
        FROM agreements.agreement_version v WHERE v.agreement_id = a.id AND v.version = 1;
      ALTER TABLE agreements.agreement
        ALTER COLUMN covers_all_planned_care SET NOT NULL, ALTER COLUMN referral_required SET NOT NULL,
        ALTER COLUMN payment_commitment_required SET NOT NULL, ALTER COLUMN same_terms_as_residents SET NOT NULL;
      DROP TABLE agreements.agreement_version;
    `);
  }
}
