import { MigrationInterface, QueryRunner } from "typeorm";

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
      CREATE TABLE agreements.event_outbox (
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        aggregate_id uuid NOT NULL,
        origin_region_code text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_outbox_aggregate ON agreements.event_outbox (aggregate_id, id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE agreements.event_outbox;`);
  }
}
