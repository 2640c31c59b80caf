import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { DataSource } from "typeorm";
import { connect } from "../../subgraphs/shared/db/data-source";
import { EventStream } from "../../subgraphs/shared/event-stream";
import { appendEvent, outboxChannel, StoredEvent } from "../../subgraphs/shared/outbox";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { SUBGRAPHS } from "../../seeds/subgraphs";
import { createTestDatabase } from "../support/database";
import { within } from "../support/wait";

/**
 * The outbox stream on its own, on a real database, in the races a deployment of several processes
 * meets: events committed elsewhere that this process has not read yet, and notifications that
 * arrive while it is still finding its place in the log.
 */
const SCHEMA = "capacity";
let dataSource: DataSource;
let url: string;
const streams: EventStream[] = [];
// Aggregates (offers, in this schema) the test's events are about.
const RESUME_AHEAD = randomUUID();
const OLD = randomUUID();
const LATER = randomUUID();

beforeAll(async () => {
  url = await createTestDatabase();
  dataSource = await connect(subgraphDataSource(SUBGRAPHS.capacity, url, 4));
});
afterAll(async () => {
  await Promise.all(streams.map((stream) => stream.stop()));
  await dataSource?.destroy();
});

function newStream(): EventStream {
  const stream = new EventStream(dataSource, SCHEMA, { sweepMs: 60_000 });
  streams.push(stream);
  return stream;
}

/** An event committed the normal way: in a transaction, with its notification. */
function publish(aggregateId: string): Promise<number> {
  return dataSource.transaction((db) => appendEvent(db, SCHEMA, { type: "TestEvent", aggregateId, originRegionCode: "13", payload: {} }));
}

/** Events written without a notification, as if committed by a process whose NOTIFY has not arrived yet. */
async function insertSilently(count: number, aggregateId: string): Promise<number[]> {
  const rows: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO "${SCHEMA}".event_outbox (type, aggregate_id, origin_region_code, payload)
     SELECT 'TestEvent', $1, '13', '{}'::jsonb FROM generate_series(1, $2) RETURNING id`,
    [aggregateId, count],
  );
  return rows.map((row) => Number(row.id));
}

/** What the stream has for a subscriber within `ms`. */
async function drain(stream: AsyncIterableIterator<StoredEvent>, ms: number): Promise<StoredEvent[]> {
  const got: StoredEvent[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return got;
    const next = await within(stream.next(), left, "timeout" as const);
    if (next === "timeout" || next.done) return got;
    got.push(next.value);
  }
}

describe("the event stream", () => {
  it("gives a subscriber that resumes after an event this process has not read yet only what came later", async () => {
    const stream = newStream();
    const onlooker = await stream.subscribe((event) => event.aggregateId === RESUME_AHEAD);
    const unread = await insertSilently(3, RESUME_AHEAD);
    const after = unread[unread.length - 1];
    const resumed = await stream.subscribe((event) => event.aggregateId === RESUME_AHEAD, after);
    const next = await publish(RESUME_AHEAD);
    expect((await drain(resumed, 500)).map((event) => event.id)).toEqual([next]);
    // Those who were there already get all four, once each.
    expect((await drain(onlooker, 200)).map((event) => event.id)).toEqual([...unread, next]);
    await resumed.return?.();
    await onlooker.return?.();
  });

  it("does not go back in the log when notified while finding its place", async () => {
    // A long log, so that a stream starting from its beginning would take a while to read it.
    await insertSilently(2_000, OLD);
    const notifier = new Client({ connectionString: url });
    await notifier.connect();
    let notifying = true;
    const flood = (async () => {
      while (notifying) await notifier.query("SELECT pg_notify($1, '0')", [outboxChannel(SCHEMA)]);
    })();
    try {
      const subscribers = [];
      // Several fresh streams, each connecting under the flood of notifications.
      for (let i = 0; i < 5; i++) {
        const stream = newStream();
        const after = Number((await dataSource.query(`SELECT max(id) AS id FROM "${SCHEMA}".event_outbox`))[0].id);
        subscribers.push({ after, events: await stream.subscribe(() => true, after) });
      }
      const published = [await publish(LATER), await publish(LATER)];
      for (const { after, events } of subscribers) {
        const got = (await drain(events, 300)).map((event) => event.id);
        expect(got.filter((id) => id <= after)).toEqual([]);
        expect(got.slice(-2)).toEqual(published);
        expect(new Set(got).size).toBe(got.length);
        await events.return?.();
      }
    } finally {
      notifying = false;
      await flood;
      await notifier.end();
    }
  });
});
