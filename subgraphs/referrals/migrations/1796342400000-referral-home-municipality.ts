import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Agreements that follow the patient's municipality: a referral keeps its patient's home
 * municipality (Region Halland's pacts and price lists follow it), and a payment commitment keeps
 * the care setting it was issued for, whether the rules required it, and the rule that decided
 * the agreement. Referrals registered before have no municipality: coverage then follows the
 * region alone, as before.
 */
export class ReferralHomeMunicipality1796342400000 implements MigrationInterface {
  name = "ReferralHomeMunicipality1796342400000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE referrals.referral
        ADD COLUMN home_municipality_code text CHECK (home_municipality_code IS NULL OR left(home_municipality_code, 2) = home_region_code);
      ALTER TABLE referrals.payment_commitment
        ADD COLUMN care_setting text CHECK (care_setting IN ('OUTPATIENT', 'INPATIENT')),
        ADD COLUMN required_by_rules boolean,
        ADD COLUMN decided_by text,
        ADD COLUMN rules_applied text[];
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE referrals.referral DROP COLUMN home_municipality_code;
      ALTER TABLE referrals.payment_commitment DROP COLUMN care_setting, DROP COLUMN required_by_rules, DROP COLUMN decided_by, DROP COLUMN rules_applied;
    `);
  }
}
