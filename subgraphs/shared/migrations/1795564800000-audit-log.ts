import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The patient-data audit log (Patientdatalagen 4 kap. 3 §): its own schema, shared by the
 * subgraphs that hold patient data (patients, referrals), so that one patient's log is in one place
 * whichever subgraph disclosed the data. Append-only in the database itself: the application's
 * role loses UPDATE, DELETE and TRUNCATE, and triggers refuse them for anyone, except deleting
 * records older than the legal minimum of five years (retention).
 *
 * Listed in both subgraphs' migrations; written to be run by whichever comes first.
 */
export class AuditLog1795564800000 implements MigrationInterface {
  name = "AuditLog1795564800000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('care-hub:migrate:audit'))`);
    const [exists] = await db.query(`SELECT to_regclass('audit.patient_data_access') AS name`);
    if (exists.name) return;
    await db.query(`
      CREATE SCHEMA IF NOT EXISTS audit;
      CREATE TABLE audit.patient_data_access (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        subgraph text NOT NULL,
        action text NOT NULL CHECK (action IN ('READ', 'CHANGE', 'DISCLOSE')),
        record_kind text NOT NULL,
        record_id uuid NOT NULL,
        patient_id uuid NOT NULL,
        subject text NOT NULL,
        employee_hsa_id text,
        role text NOT NULL,
        organisation text,
        assignment_purpose text,
        care_unit_hsa_id text,
        care_provider_hsa_id text,
        request_id text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED')),
        basis text NOT NULL
      );
      CREATE INDEX patient_data_access_by_patient ON audit.patient_data_access (patient_id, occurred_at);
      CREATE INDEX patient_data_access_by_subject ON audit.patient_data_access (subject, occurred_at);

      CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.occurred_at < now() - interval '5 years' THEN
            RETURN OLD;
          END IF;
        END IF;
        RAISE EXCEPTION 'the patient-data audit log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END;
      $$;
      CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit.patient_data_access FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
      CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON audit.patient_data_access FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
      REVOKE UPDATE, TRUNCATE ON audit.patient_data_access FROM CURRENT_USER;
    `);
  }

  async down(): Promise<void> {
    // An audit log is never dropped by a migration.
  }
}
