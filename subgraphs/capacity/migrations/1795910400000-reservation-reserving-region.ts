import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Who reserved: the reserving region (an office sending a referral reserves as its region), so a
 * reservation's reference (a referral id) is shown only to the offer's provider and to that region,
 * not to competing providers and other regions. Earlier reservations have none and are shown to
 * the provider only.
 */
// Dated before the covering indexes, so that one stays the last of a fresh database (undoing it is tested); TypeORM runs
// a pending migration whatever its date, so databases migrated before this one get it too.
export class ReservationReservingRegion1795910400000 implements MigrationInterface {
  name = "ReservationReservingRegion1795910400000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE capacity.reservation ADD COLUMN reserved_by_region_code text CHECK (reserved_by_region_code ~ '^[0-9]{2}$')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE capacity.reservation DROP COLUMN reserved_by_region_code`);
  }
}
