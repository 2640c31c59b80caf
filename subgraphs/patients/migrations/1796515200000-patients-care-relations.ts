import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Which provider holds a referral for which patient: the care relation that lets a provider read
 * the patient. The referrals subgraph records it while it sends a referral and ends it when the
 * referral is rejected or cancelled, so deciding a provider's access needs no call to another
 * service while a query runs. One row per referral (a re-sent referral moves to its new provider).
 */
export class PatientsCareRelations1796515200000 implements MigrationInterface {
  name = "PatientsCareRelations1796515200000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE patients.care_relation (
        referral_id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patients.patient (id),
        provider_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX care_relation_provider_patient ON patients.care_relation (provider_id, patient_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE patients.care_relation`);
  }
}
