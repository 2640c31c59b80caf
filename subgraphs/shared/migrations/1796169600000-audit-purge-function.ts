import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The audit log's retention purge as a function owned by the migrator (SECURITY DEFINER), so the
 * patients subgraph's runtime role can purge through it without owning the table, and so without
 * being able to disable its triggers, truncate or drop it. The trigger still refuses to delete any
 * record younger than five years, so the function cannot shorten the legal minimum either.
 * EXECUTE is taken from PUBLIC here and granted to the patients runtime role when roles are
 * provisioned (see shared/db/roles.ts).
 */
export class AuditPurgeFunction1796169600000 implements MigrationInterface {
  name = "AuditPurgeFunction1796169600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('care-hub:migrate:audit'))`);
    await db.query(`
      CREATE OR REPLACE FUNCTION audit.purge_expired(retention_years integer) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE purged integer;
      BEGIN
        WITH gone AS (
          DELETE FROM audit.patient_data_access WHERE occurred_at < now() - make_interval(years => retention_years) RETURNING 1
        ) SELECT count(*)::integer INTO purged FROM gone;
        RETURN purged;
      END;
      $$;
      REVOKE ALL ON FUNCTION audit.purge_expired(integer) FROM PUBLIC;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION IF EXISTS audit.purge_expired(integer)`);
  }
}
