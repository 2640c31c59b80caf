import { MigrationInterface, QueryRunner } from "typeorm";
import { eventOutboxTable } from "../../shared/migrations/event-tables";

/**
 * The agreements event outbox, written in the same transaction as every change to an agreement
 * (created, revised, priced, ended, a case committed or released), so that live subscriptions and
 * the gateway's response cache hear of each change exactly when it was committed. The same table
 * as capacity's; the aggregate is the agreement.
 */
export class AgreementsEventOutbox1795824000000 implements MigrationInterface {
  name = "AgreementsEventOutbox1795824000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ${eventOutboxTable("agreements")}
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agreements.event_outbox;`);
  }
}
