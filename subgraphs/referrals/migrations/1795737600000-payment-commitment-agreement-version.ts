import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A payment commitment names the agreement commitment made in the agreements subgraph (which
 * counts against volume ceilings) and the agreement version the referral was sent under, whose
 * terms it keeps whatever changes later.
 */
export class PaymentCommitmentAgreementVersion1795737600000 implements MigrationInterface {
  name = "PaymentCommitmentAgreementVersion1795737600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE referrals.payment_commitment
        ADD COLUMN agreement_commitment_id uuid,
        ADD COLUMN agreement_version integer;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE referrals.payment_commitment DROP COLUMN agreement_commitment_id, DROP COLUMN agreement_version;`);
  }
}
