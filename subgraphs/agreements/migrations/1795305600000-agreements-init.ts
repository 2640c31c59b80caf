import { MigrationInterface, QueryRunner } from "typeorm";

/** Agreements, their parties and their price lists. */
export class AgreementsInit1795305600000 implements MigrationInterface {
  name = "AgreementsInit1795305600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE agreements.agreement (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('RIKSAVTALET', 'HEALTHCARE_REGION_PACT', 'CARE_GUARANTEE_AGREEMENT')),
        name text NOT NULL,
        valid_from date NOT NULL,
        valid_until date CHECK (valid_until >= valid_from),
        covers_all_planned_care boolean NOT NULL,
        covered_specialties text[] NOT NULL DEFAULT '{}',
        covered_procedure_codes text[] NOT NULL DEFAULT '{}',
        referral_required boolean NOT NULL,
        payment_commitment_required boolean NOT NULL,
        same_terms_as_residents boolean NOT NULL,
        healthcare_region_code text,
        provider_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- A private agreement names its provider; a pact names its healthcare region.
        CONSTRAINT private_agreement_has_provider CHECK ((kind = 'CARE_GUARANTEE_AGREEMENT') = (provider_id IS NOT NULL)),
        CONSTRAINT pact_has_healthcare_region CHECK ((kind = 'HEALTHCARE_REGION_PACT') = (healthcare_region_code IS NOT NULL))
      );
      CREATE INDEX agreement_provider ON agreements.agreement (provider_id) WHERE provider_id IS NOT NULL;

      CREATE TABLE agreements.agreement_party (
        agreement_id uuid NOT NULL REFERENCES agreements.agreement (id),
        region_code text NOT NULL CHECK (region_code ~ '^[0-9]{2}$'),
        PRIMARY KEY (agreement_id, region_code)
      );
      CREATE INDEX agreement_party_region ON agreements.agreement_party (region_code);

      CREATE TABLE agreements.price_list (
        id uuid PRIMARY KEY,
        agreement_id uuid NOT NULL REFERENCES agreements.agreement (id),
        name text NOT NULL,
        valid_from date NOT NULL,
        valid_until date CHECK (valid_until >= valid_from)
      );
      CREATE INDEX price_list_agreement ON agreements.price_list (agreement_id);

      CREATE TABLE agreements.price_list_entry (
        id uuid PRIMARY KEY,
        price_list_id uuid NOT NULL REFERENCES agreements.price_list (id),
        procedure_code text NOT NULL,
        providing_region_code text CHECK (providing_region_code ~ '^[0-9]{2}$'),
        price_sek integer NOT NULL CHECK (price_sek >= 0)
      );
      CREATE UNIQUE INDEX price_list_entry_unique
        ON agreements.price_list_entry (price_list_id, procedure_code, COALESCE(providing_region_code, ''));

      CREATE TABLE agreements.seed_run (
        name text PRIMARY KEY,
        seeded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE agreements.seed_run;
      DROP TABLE agreements.price_list_entry;
      DROP TABLE agreements.price_list;
      DROP TABLE agreements.agreement_party;
      DROP TABLE agreements.agreement;
    `);
  }
}
