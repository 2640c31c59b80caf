/**
 * The DDL of the two tables every subgraph with events or retried commands has in its own schema:
 * the event outbox (written in the same transaction as the change it records; outbox.ts) and the
 * idempotency keys (idempotency.ts). One copy, interpolated by each subgraph's migration that first
 * created them, so that the tables are the same everywhere. The text is exactly what those
 * migrations ran: a migration never changes what it does to a database already migrated.
 */

/** `CREATE TABLE <schema>.event_outbox` and its index by aggregate. */
export function eventOutboxTable(schema: string): string {
  return `CREATE TABLE ${schema}.event_outbox (
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        aggregate_id uuid NOT NULL,
        origin_region_code text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_outbox_aggregate ON ${schema}.event_outbox (aggregate_id, id);`;
}

/** `CREATE TABLE <schema>.idempotency_key`: one row per (caller scope, key), with the answer given. */
export function idempotencyKeyTable(schema: string): string {
  return `CREATE TABLE ${schema}.idempotency_key (
        scope text NOT NULL,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        operation text NOT NULL,
        request_hash text NOT NULL,
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      );`;
}
