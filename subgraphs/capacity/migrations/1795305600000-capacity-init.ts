import { MigrationInterface, QueryRunner } from "typeorm";

/** Reference data (regions, healthcare regions, procedures), providers and their units, and offers. */
export class CapacityInit1795305600000 implements MigrationInterface {
  name = "CapacityInit1795305600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE capacity.region (
        code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
        name text NOT NULL
      );
      CREATE TABLE capacity.healthcare_region (
        code text PRIMARY KEY,
        name text NOT NULL,
        english_name text NOT NULL
      );
      CREATE TABLE capacity.healthcare_region_member (
        healthcare_region_code text NOT NULL REFERENCES capacity.healthcare_region (code),
        region_code text NOT NULL REFERENCES capacity.region (code),
        municipality_codes text[],
        PRIMARY KEY (healthcare_region_code, region_code)
      );
      CREATE INDEX healthcare_region_member_region ON capacity.healthcare_region_member (region_code);

      CREATE TABLE capacity.procedure (
        code text PRIMARY KEY CHECK (code ~ '^([A-Z]{3}[0-9]{2}|[A-Z]{2}[0-9]{3})$'),
        name text NOT NULL,
        english_name text NOT NULL,
        specialty text NOT NULL,
        visit_type text NOT NULL CHECK (visit_type IN ('FIRST_VISIT', 'TREATMENT'))
      );

      CREATE TABLE capacity.provider (
        id uuid PRIMARY KEY,
        hsa_id text NOT NULL UNIQUE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('PUBLIC', 'PRIVATE')),
        region_code text NOT NULL REFERENCES capacity.region (code),
        municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{4}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX provider_region ON capacity.provider (region_code);

      CREATE TABLE capacity.care_unit (
        id uuid PRIMARY KEY,
        hsa_id text NOT NULL UNIQUE,
        name text NOT NULL,
        specialty text NOT NULL,
        provider_id uuid NOT NULL REFERENCES capacity.provider (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX care_unit_provider ON capacity.care_unit (provider_id);

      CREATE TABLE capacity.capacity_offer (
        id uuid PRIMARY KEY,
        care_unit_id uuid NOT NULL REFERENCES capacity.care_unit (id),
        provider_id uuid NOT NULL REFERENCES capacity.provider (id),
        specialty text NOT NULL,
        procedure_code text REFERENCES capacity.procedure (code),
        visit_type text NOT NULL CHECK (visit_type IN ('FIRST_VISIT', 'TREATMENT')),
        total_slots integer NOT NULL CHECK (total_slots > 0),
        reserved_slots integer NOT NULL DEFAULT 0,
        earliest_start date NOT NULL,
        valid_from date NOT NULL,
        valid_until date NOT NULL,
        expected_wait_days integer NOT NULL CHECK (expected_wait_days >= 0),
        status text NOT NULL CHECK (status IN ('OPEN', 'WITHDRAWN')),
        source text NOT NULL CHECK (source IN ('MANUAL', 'API', 'SCHEDULING_FEED')),
        reported_by text NOT NULL,
        reported_at timestamptz NOT NULL,
        min_patient_age integer CHECK (min_patient_age >= 0),
        max_patient_age integer CHECK (max_patient_age >= min_patient_age),
        conditions text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reserved_within_total CHECK (reserved_slots BETWEEN 0 AND total_slots),
        CONSTRAINT window_ordered CHECK (valid_from <= valid_until),
        CONSTRAINT start_within_window CHECK (earliest_start BETWEEN valid_from AND valid_until)
      );
      -- Searches list open offers by earliest start, then id (keyset pagination), optionally
      -- narrowed by specialty, procedure or provider: one index per access path.
      CREATE INDEX capacity_offer_open_by_start ON capacity.capacity_offer (earliest_start, id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_specialty ON capacity.capacity_offer (specialty, earliest_start, id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_procedure ON capacity.capacity_offer (procedure_code, earliest_start, id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_provider ON capacity.capacity_offer (provider_id);
      CREATE INDEX capacity_offer_care_unit ON capacity.capacity_offer (care_unit_id);

      CREATE TABLE capacity.seed_run (
        name text PRIMARY KEY,
        seeded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE capacity.seed_run;
      DROP TABLE capacity.capacity_offer;
      DROP TABLE capacity.care_unit;
      DROP TABLE capacity.provider;
      DROP TABLE capacity.procedure;
      DROP TABLE capacity.healthcare_region_member;
      DROP TABLE capacity.healthcare_region;
      DROP TABLE capacity.region;
    `);
  }
}
