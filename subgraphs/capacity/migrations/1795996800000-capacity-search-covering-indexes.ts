import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Search indexes that also hold the columns every search filters on (window end, slots, provider),
 * so the capped `totalCount` of a search can be read from the index alone (an index-only scan)
 * instead of fetching one table page per matching offer. Same names, keys and predicates as the
 * indexes they replace, so page queries use them as before. A search narrowed by the provider's
 * region, kind or healthcare region joins the provider: its count walks the matching providers'
 * open offers (by provider, then specialty) rather than every open offer of the specialty.
 */
export class CapacitySearchCoveringIndexes1795996800000 implements MigrationInterface {
  name = "CapacitySearchCoveringIndexes1795996800000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX capacity.capacity_offer_open_by_start;
      DROP INDEX capacity.capacity_offer_open_by_specialty;
      DROP INDEX capacity.capacity_offer_open_by_procedure;
      CREATE INDEX capacity_offer_open_by_start ON capacity.capacity_offer (earliest_start, id)
        INCLUDE (valid_until, total_slots, reserved_slots, provider_id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_specialty ON capacity.capacity_offer (specialty, earliest_start, id)
        INCLUDE (valid_until, total_slots, reserved_slots, provider_id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_procedure ON capacity.capacity_offer (procedure_code, earliest_start, id)
        INCLUDE (valid_until, total_slots, reserved_slots, provider_id, specialty) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_provider ON capacity.capacity_offer (provider_id, specialty, earliest_start)
        INCLUDE (valid_until, total_slots, reserved_slots, procedure_code) WHERE status = 'OPEN';
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX capacity.capacity_offer_open_by_provider;
      DROP INDEX capacity.capacity_offer_open_by_start;
      DROP INDEX capacity.capacity_offer_open_by_specialty;
      DROP INDEX capacity.capacity_offer_open_by_procedure;
      CREATE INDEX capacity_offer_open_by_start ON capacity.capacity_offer (earliest_start, id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_specialty ON capacity.capacity_offer (specialty, earliest_start, id) WHERE status = 'OPEN';
      CREATE INDEX capacity_offer_open_by_procedure ON capacity.capacity_offer (procedure_code, earliest_start, id) WHERE status = 'OPEN';
    `);
  }
}
