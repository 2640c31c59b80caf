import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Publishers of free slots in SMART Scheduling Links: the manifest an administrator registered for
 * a provider, with its Location → care unit and Schedule serviceType → specialty/KVÅ mappings as
 * data; the state of the last poll (validators for conditional requests, transaction time, when
 * to poll next, the per-line problems); the publisher's slots as last seen (so an incremental
 * `_since` answer can be applied) and which offer each of its Schedules feeds.
 */
export class SchedulingPublishers1796428800000 implements MigrationInterface {
  name = "SchedulingPublishers1796428800000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE capacity.scheduling_publisher (
        id uuid PRIMARY KEY,
        provider_id uuid NOT NULL REFERENCES capacity.provider (id),
        name text NOT NULL,
        manifest_url text NOT NULL UNIQUE,
        location_map jsonb NOT NULL,
        service_type_map jsonb NOT NULL,
        etag text,
        last_modified text,
        transaction_time timestamptz,
        fetched_at timestamptz,
        last_attempt_at timestamptz,
        next_poll_at timestamptz NOT NULL DEFAULT now(),
        last_outcome text,
        problems jsonb NOT NULL DEFAULT '[]',
        supports_since boolean,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE capacity.scheduling_feed_slot (
        publisher_id uuid NOT NULL REFERENCES capacity.scheduling_publisher (id) ON DELETE CASCADE,
        slot_id text NOT NULL,
        schedule_id text NOT NULL,
        starts_at timestamptz NOT NULL,
        status text NOT NULL,
        PRIMARY KEY (publisher_id, slot_id)
      );
      CREATE TABLE capacity.scheduling_feed_schedule (
        publisher_id uuid NOT NULL REFERENCES capacity.scheduling_publisher (id) ON DELETE CASCADE,
        schedule_id text NOT NULL,
        care_unit_id uuid NOT NULL,
        specialty text NOT NULL,
        procedure_code text,
        offer_id uuid REFERENCES capacity.capacity_offer (id),
        PRIMARY KEY (publisher_id, schedule_id)
      );
      CREATE INDEX scheduling_feed_schedule_offer ON capacity.scheduling_feed_schedule (offer_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `DROP TABLE capacity.scheduling_feed_schedule; DROP TABLE capacity.scheduling_feed_slot; DROP TABLE capacity.scheduling_publisher;`,
    );
  }
}
