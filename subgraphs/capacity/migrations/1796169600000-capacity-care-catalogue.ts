import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The node is filled from the region's own sources: providers and units from the HSA catalogue
 * (organisation number; units deactivated, never deleted, when the catalogue drops them) and KVÅ
 * from Socialstyrelsen's code list (validity, so retired codes stay and old referrals still
 * resolve; codes the hub has no brokering classification for have no specialty or visit type).
 */
export class CapacityCareCatalogue1796169600000 implements MigrationInterface {
  name = "CapacityCareCatalogue1796169600000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE capacity.provider
        ADD COLUMN organisation_number text,
        ADD COLUMN active boolean NOT NULL DEFAULT true,
        ADD COLUMN deactivated_at timestamptz,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
      -- Every HSA-id carries its issuer's organisation number (SE + ten digits + "-" + suffix).
      UPDATE capacity.provider SET organisation_number = substring(hsa_id from 3 for 10);
      ALTER TABLE capacity.provider
        ALTER COLUMN organisation_number SET NOT NULL,
        ADD CONSTRAINT provider_organisation_number CHECK (organisation_number ~ '^[0-9]{10}$');

      ALTER TABLE capacity.care_unit
        ADD COLUMN active boolean NOT NULL DEFAULT true,
        ADD COLUMN deactivated_at timestamptz,
        ADD COLUMN deactivation_reason text,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT care_unit_deactivation CHECK (active = (deactivated_at IS NULL));

      ALTER TABLE capacity.procedure
        ALTER COLUMN english_name DROP NOT NULL,
        ALTER COLUMN specialty DROP NOT NULL,
        ALTER COLUMN visit_type DROP NOT NULL,
        ADD COLUMN valid_from date,
        ADD COLUMN valid_to date,
        ADD CONSTRAINT procedure_validity CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to),
        ADD CONSTRAINT procedure_classified CHECK ((specialty IS NULL) = (visit_type IS NULL));
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DELETE FROM capacity.procedure WHERE specialty IS NULL AND code NOT IN (SELECT procedure_code FROM capacity.capacity_offer WHERE procedure_code IS NOT NULL);
      ALTER TABLE capacity.procedure
        DROP CONSTRAINT procedure_classified,
        DROP CONSTRAINT procedure_validity,
        DROP COLUMN valid_to,
        DROP COLUMN valid_from;
      UPDATE capacity.procedure SET english_name = name WHERE english_name IS NULL;
      ALTER TABLE capacity.procedure ALTER COLUMN english_name SET NOT NULL, ALTER COLUMN specialty SET NOT NULL, ALTER COLUMN visit_type SET NOT NULL;
      ALTER TABLE capacity.care_unit
        DROP CONSTRAINT care_unit_deactivation,
        DROP COLUMN updated_at,
        DROP COLUMN deactivation_reason,
        DROP COLUMN deactivated_at,
        DROP COLUMN active;
      ALTER TABLE capacity.provider
        DROP CONSTRAINT provider_organisation_number,
        DROP COLUMN updated_at,
        DROP COLUMN deactivated_at,
        DROP COLUMN active,
        DROP COLUMN organisation_number;
    `);
  }
}
