import { MigrationInterface, QueryRunner } from "typeorm";

/** Referrals as registered by the home region. */
export class ReferralsInit1795305600000 implements MigrationInterface {
  name = "ReferralsInit1795305600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE referrals.referral (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        home_region_code text NOT NULL CHECK (home_region_code ~ '^[0-9]{2}$'),
        specialty text NOT NULL,
        procedure_code text CHECK (procedure_code ~ '^([A-Z]{3}[0-9]{2}|[A-Z]{2}[0-9]{3})$'),
        visit_type text NOT NULL CHECK (visit_type IN ('FIRST_VISIT', 'TREATMENT')),
        decision_date date NOT NULL,
        diagnosis_code text,
        status text NOT NULL CHECK (status IN ('REGISTERED')),
        registered_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX referral_patient ON referrals.referral (patient_id);
      CREATE INDEX referral_home_region_decision ON referrals.referral (home_region_code, decision_date, id);
      CREATE INDEX referral_decision ON referrals.referral (decision_date, id);

      CREATE TABLE referrals.seed_run (
        name text PRIMARY KEY,
        seeded_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP TABLE referrals.seed_run;
      DROP TABLE referrals.referral;
    `);
  }
}
