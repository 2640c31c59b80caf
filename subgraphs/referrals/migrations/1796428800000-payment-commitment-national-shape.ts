import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The payment commitment in the national e-referral shape: the approver by HSA-id and name (not
 * only the token subject), and, for care at a private provider, how the provider is reimbursed.
 * Commitments issued before have neither: their approver is the subject kept in approved_by.
 */
export class PaymentCommitmentNationalShape1796428800000 implements MigrationInterface {
  name = "PaymentCommitmentNationalShape1796428800000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE referrals.payment_commitment
        ADD COLUMN approver_hsa_id text,
        ADD COLUMN approver_name text,
        ADD COLUMN reimbursement_type text CHECK (reimbursement_type IN ('PER_CASE_PRICE', 'AGREEMENT_PRICE_LIST'));
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE referrals.payment_commitment DROP COLUMN approver_hsa_id, DROP COLUMN approver_name, DROP COLUMN reimbursement_type;`,
    );
  }
}
