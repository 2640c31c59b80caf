/**
 * The event outbox. Every change that others may want to hear about appends an event in the same
 * transaction as the change, so an event exists exactly when its change was committed; NOTIFY
 * (delivered by PostgreSQL at commit) wakes listeners in every process on the database, and the
 * increasing id lets a subscriber that reconnects ask for what it missed.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { EntityManager } from "typeorm";

export interface OutboxEvent {
  type: string;
  aggregateId: string;
  /** County code of the hub node where the change happened (events carry their origin). */
  originRegionCode: string;
  payload: Record<string, unknown>;
}

/**
 * The ids of the events a request appended (set up per operation by the subgraph's HTTP front,
 * subgraph.ts). A subgraph
 * reports them to the gateway with its answer, so the gateway can wait for its change feed to
 * deliver them before it answers the mutation: its response cache then drops exactly what the
 * mutation changed, before the caller can read again.
 */
export const appendedEvents = new AsyncLocalStorage<number[]>();

/** The response extension a subgraph reports a request's appended event ids in. */
export const APPENDED_EVENTS_EXTENSION = "hubAppendedEvents";

export function outboxChannel(schema: string): string {
  return `${schema}_events`;
}

/** An event as stored: what a subscriber is sent, with its place in the log. */
export interface StoredEvent extends OutboxEvent {
  id: number;
  occurredAt: Date;
}

/**
 * One kind of a subgraph's events, by the prefix of their type: `OFFER_` makes OFFER_PUBLISHED of
 * the kind PUBLISHED. A subgraph's log may hold several kinds (capacity: offers and the catalogue).
 */
export class EventTypes<TKind extends string> {
  constructor(readonly prefix: string) {}

  /** The stored type of an event of this kind. */
  type(kind: TKind): string {
    return `${this.prefix}${kind}`;
  }

  is(event: Pick<OutboxEvent, "type">): boolean {
    return event.type.startsWith(this.prefix);
  }

  /** What happened, read from the type of an event of this kind. */
  kindOf(event: Pick<OutboxEvent, "type">): TKind {
    return event.type.slice(this.prefix.length) as TKind;
  }
}

/**
 * An entity as an event's snapshot left it: `fields` of the snapshot copied onto `into`, the
 * instants among them (JSON keeps them as ISO strings) made Dates again.
 */
export function restoreSnapshot<T extends object>(
  into: T,
  snapshot: Record<string, unknown>,
  fields: readonly string[],
  instants: ReadonlySet<string>,
): T {
  for (const field of fields) {
    const value = snapshot[field];
    (into as Record<string, unknown>)[field] = instants.has(field) && typeof value === "string" ? new Date(value) : value;
  }
  return into;
}

/**
 * Appends an event to the change's transaction; call it as the transaction's last step. The
 * transaction-scoped lock makes ids increase in commit order (a sequence alone hands out ids at
 * insert time, so a later id could commit first and a reader that resumes "after id N" would skip
 * the earlier one); it is held only from here to commit.
 */
export async function appendEvent(db: EntityManager, schema: string, event: OutboxEvent): Promise<number> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [outboxChannel(schema)]);
  const [row] = await db.query(
    `INSERT INTO "${schema}".event_outbox (type, aggregate_id, origin_region_code, payload) VALUES ($1, $2, $3, $4) RETURNING id`,
    [event.type, event.aggregateId, event.originRegionCode, JSON.stringify(event.payload)],
  );
  const id = Number(row.id);
  await db.query("SELECT pg_notify($1, $2)", [outboxChannel(schema), String(id)]);
  appendedEvents.getStore()?.push(id);
  return id;
}

/** Events after `afterId`, oldest first, at most `limit`. */
export async function readEvents(db: Pick<EntityManager, "query">, schema: string, afterId: number, limit: number): Promise<StoredEvent[]> {
  const rows: Array<Record<string, unknown>> = await db.query(
    `SELECT id, type, aggregate_id, origin_region_code, payload, occurred_at FROM "${schema}".event_outbox WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    type: String(row.type),
    aggregateId: String(row.aggregate_id),
    originRegionCode: String(row.origin_region_code),
    payload: row.payload as Record<string, unknown>,
    occurredAt: row.occurred_at as Date,
  }));
}

/** The id of the newest event (0 when there is none). */
export async function lastEventId(db: Pick<EntityManager, "query">, schema: string): Promise<number> {
  const [row] = await db.query(`SELECT coalesce(max(id), 0) AS id FROM "${schema}".event_outbox`);
  return Number(row.id);
}

/**
 * Appends many events in few statements (an import's thousands of changes), in order, under the
 * same lock as appendEvent, with one notification: listeners read every event after the last they
 * saw, so one wake-up is enough.
 */
export async function appendEvents(db: EntityManager, schema: string, events: readonly OutboxEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [outboxChannel(schema)]);
  const ids: number[] = [];
  for (let start = 0; start < events.length; start += 1_000) {
    const chunk = events.slice(start, start + 1_000);
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO "${schema}".event_outbox (type, aggregate_id, origin_region_code, payload)
         SELECT type, aggregate_id::uuid, origin, payload::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS e(type, aggregate_id, origin, payload, n)
         ORDER BY n RETURNING id`,
      [
        chunk.map((e) => e.type),
        chunk.map((e) => e.aggregateId),
        chunk.map((e) => e.originRegionCode),
        chunk.map((e) => JSON.stringify(e.payload)),
      ],
    );
    ids.push(...rows.map((row) => Number(row.id)).sort((a, b) => a - b));
  }
  await db.query("SELECT pg_notify($1, $2)", [outboxChannel(schema), String(ids[ids.length - 1])]);
  appendedEvents.getStore()?.push(...ids);
  return ids;
}
