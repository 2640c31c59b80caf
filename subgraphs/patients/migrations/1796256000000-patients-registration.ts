import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Patients registered by clinics as they come (not only seeded): where the identity came from (the
 * seam for the population register), an address, protected identity (skyddad identitet), and the
 * home municipality's history, so that a move counts from its date.
 */
export class PatientsRegistration1796256000000 implements MigrationInterface {
  name = "PatientsRegistration1796256000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE patients.patient
        ADD COLUMN protected_identity boolean NOT NULL DEFAULT false,
        ADD COLUMN street_address text,
        ADD COLUMN postal_code text CHECK (postal_code ~ '^[0-9]{5}$'),
        ADD COLUMN city text,
        ADD COLUMN identity_source text NOT NULL DEFAULT 'SEED' CHECK (identity_source IN ('SEED', 'CLINIC_INPUT')),
        ADD COLUMN registered_by text,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

      -- Where the patient lived from when. The first row's valid_from is null: since before the hub knew.
      CREATE TABLE patients.patient_residence (
        id bigserial PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients.patient (id),
        valid_from date,
        municipality_code text NOT NULL CHECK (municipality_code ~ '^[0-9]{4}$'),
        region_code text NOT NULL CHECK (region_code ~ '^[0-9]{2}$'),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL,
        CONSTRAINT residence_municipality_in_region CHECK (left(municipality_code, 2) = region_code),
        UNIQUE (patient_id, valid_from)
      );
      CREATE UNIQUE INDEX patient_residence_first ON patients.patient_residence (patient_id) WHERE valid_from IS NULL;
      INSERT INTO patients.patient_residence (patient_id, valid_from, municipality_code, region_code, recorded_by)
        SELECT id, NULL, home_municipality_code, home_region_code, 'migration' FROM patients.patient;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE patients.patient_residence;
      ALTER TABLE patients.patient
        DROP COLUMN updated_at,
        DROP COLUMN registered_by,
        DROP COLUMN identity_source,
        DROP COLUMN city,
        DROP COLUMN postal_code,
        DROP COLUMN street_address,
        DROP COLUMN protected_identity;
    `);
  }
}
