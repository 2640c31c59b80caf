import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Agreements that follow the patient's municipality: a party may take part for residents of some
 * of its municipalities only (Region Halland's south in Södra's pact, its north in Västra's), and a
 * home region's own care-access rules (one-way same-terms arrangements, when a payment commitment
 * is needed for outpatient or inpatient care) are data each node loads.
 */
export class AgreementsFollowTheMunicipality1796256000000 implements MigrationInterface {
  name = "AgreementsFollowTheMunicipality1796256000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE agreements.agreement_party
        ADD COLUMN municipality_codes text[] CHECK (municipality_codes IS NULL OR cardinality(municipality_codes) > 0);
      CREATE TABLE agreements.care_access_rule (
        id text PRIMARY KEY,
        name text NOT NULL,
        home_region_code text,
        home_municipality_codes text[],
        providing_region_codes text[],
        provider_kind text CHECK (provider_kind IN ('PUBLIC', 'PRIVATE')),
        care_setting text CHECK (care_setting IN ('OUTPATIENT', 'INPATIENT')),
        effect text NOT NULL CHECK (effect IN ('SAME_TERMS_AS_RESIDENTS', 'PAYMENT_COMMITMENT_REQUIRED', 'NO_PAYMENT_COMMITMENT_REQUIRED')),
        priority integer NOT NULL,
        valid_from date,
        valid_until date,
        CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agreements.care_access_rule; ALTER TABLE agreements.agreement_party DROP COLUMN municipality_codes;`);
  }
}
