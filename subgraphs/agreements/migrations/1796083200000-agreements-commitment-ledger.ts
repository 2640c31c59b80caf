import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What administrators and the paying region's office read back about commitments: the region that
 * pays each one (its patient's home region), who committed and who released it, and why a price
 * list was ended. Commitments made before this migration get their paying region where the
 * agreement has only one party (a care-guarantee agreement); under a pact or Riksavtalet it is not
 * known afterwards, so those stay visible to administrators only.
 */
export class AgreementsCommitmentLedger1796083200000 implements MigrationInterface {
  name = "AgreementsCommitmentLedger1796083200000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agreements.agreement_commitment
        ADD COLUMN paying_region_code text,
        ADD COLUMN committed_by jsonb,
        ADD COLUMN released_by jsonb;

      UPDATE agreements.agreement_commitment m
         SET paying_region_code = p.region_code
        FROM agreements.agreement_party p
       WHERE p.agreement_id = m.agreement_id
         AND (SELECT count(*) FROM agreements.agreement_party q WHERE q.agreement_id = m.agreement_id) = 1;

      -- The commitments query pages an agreement's commitments by care date, then id.
      CREATE INDEX agreement_commitment_ledger ON agreements.agreement_commitment (agreement_id, care_date, id);

      ALTER TABLE agreements.price_list ADD COLUMN end_reason text;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agreements.price_list DROP COLUMN end_reason;
      DROP INDEX agreements.agreement_commitment_ledger;
      ALTER TABLE agreements.agreement_commitment
        DROP COLUMN paying_region_code,
        DROP COLUMN committed_by,
        DROP COLUMN released_by;
    `);
  }
}
