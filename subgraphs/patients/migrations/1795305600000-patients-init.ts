import { MigrationInterface, QueryRunner } from "typeorm";

/** Patients, identified by a 12-digit personnummer or samordningsnummer. */
export class PatientsInit1795305600000 implements MigrationInterface {
  name = "PatientsInit1795305600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE patients.patient (
        id uuid PRIMARY KEY,
        personal_identity_number text NOT NULL UNIQUE CHECK (personal_identity_number ~ '^[0-9]{12}$'),
        identity_kind text NOT NULL CHECK (identity_kind IN ('PERSONNUMMER', 'SAMORDNINGSNUMMER')),
        given_name text NOT NULL,
        family_name text NOT NULL,
        birth_date date NOT NULL,
        home_region_code text NOT NULL CHECK (home_region_code ~ '^[0-9]{2}$'),
        home_municipality_code text NOT NULL CHECK (home_municipality_code ~ '^[0-9]{4}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT municipality_in_home_region CHECK (left(home_municipality_code, 2) = home_region_code)
      );
      CREATE INDEX patient_home_region ON patients.patient (home_region_code);

      CREATE TABLE patients.seed_run (
        name text PRIMARY KEY,
        seeded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE patients.seed_run;
      DROP TABLE patients.patient;
    `);
  }
}
