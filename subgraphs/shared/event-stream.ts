/**
 * Streams a subgraph's outbox to its subscriptions. One LISTEN connection per process hears
 * PostgreSQL's NOTIFY for every committed event, whichever process committed it; the stream then
 * reads the new rows once, in id order, and hands each to every subscriber whose filter matches.
 * Subscribers have their own bounded queue: a slow one is cut off (it can resume with its last
 * event id) instead of holding up the others or growing without limit.
 */

import DataLoader from "dataloader";
import { Client } from "pg";
import { DataSource } from "typeorm";
import { BoundedQueue, mapStream } from "./bounded-queue";
import { badUserInput } from "./errors";
import { clearLoaders } from "./loaders";
import { logger } from "./log";
import { watchOutbox } from "./metrics";
import { lastEventId, outboxChannel, readEvents, StoredEvent } from "./outbox";

export interface EventStreamOptions {
  /** Events a subscriber may have waiting before it is cut off. */
  maxQueue?: number;
  /** A safety net for a lost notification or connection: also look for new events this often. */
  sweepMs?: number;
}

const PAGE = 500;

export class EventStream {
  private readonly log;
  private client?: Client;
  private starting?: Promise<void>;
  /** The newest event handed out; only known once connected (see `connect`). */
  private lastId = 0;
  private positioned = false;
  private readonly subscribers = new Set<Subscriber>();
  private pumping?: Promise<void>;
  private pumpAgain = false;
  private sweep?: NodeJS.Timeout;
  private stopped = false;

  /** Private at run time too: a request context holding this object gets no database handle from it. */
  readonly #dataSource: DataSource;

  constructor(
    dataSource: DataSource,
    private readonly schema: string,
    private readonly options: EventStreamOptions = {},
  ) {
    this.#dataSource = dataSource;
    this.log = logger(`${schema}/events`);
    // Outbox lag for the metrics: how far the newest committed event is ahead of the last one read.
    this.unwatch = watchOutbox(async () => {
      if (!this.positioned || this.stopped || !this.#dataSource.isInitialized) return [];
      const newest = await lastEventId(this.#dataSource, this.schema).catch(() => this.lastId);
      return [[{ stream: this.schema }, Math.max(0, newest - this.lastId)]];
    });
  }

  private readonly unwatch: () => void;

  /** The newest committed event's id: a position to subscribe `after` so that nothing later is missed. */
  latestId(): Promise<number> {
    return lastEventId(this.#dataSource, this.schema);
  }

  /** Number of open subscriptions (for health and tests). */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Events matching `match`, live from now on; with `after`, first every stored event after that
   * id, in order, then live ones, without duplicates.
   */
  async subscribe(match: (event: StoredEvent) => boolean, after?: number): Promise<AsyncIterableIterator<StoredEvent>> {
    await this.start();
    // This process may not have read up to `after` yet (another process committed it, and its
    // notification is still on the way): what it then reads up to `after`, the client has had.
    const live = after === undefined ? match : (event: StoredEvent) => event.id > after && match(event);
    const subscriber: Subscriber = Object.assign(
      new BoundedQueue<StoredEvent>(this.options.maxQueue ?? 10_000, () => this.subscribers.delete(subscriber)),
      { match: live },
    );
    // Registered before the replay is read: events committed meanwhile arrive in the queue, and
    // the replay stops where the queue begins.
    const replayUntil = this.lastId;
    this.subscribers.add(subscriber);
    if (after === undefined || after >= replayUntil) return subscriber;
    return this.withReplay(subscriber, after, replayUntil);
  }

  /** First the stored events in (after, until], page by page, then the live queue. */
  private withReplay(subscriber: Subscriber, after: number, until: number): AsyncIterableIterator<StoredEvent> {
    let cursor = after;
    let replayed: StoredEvent[] = [];
    return {
      next: async () => {
        while (replayed.length === 0 && cursor < until && !subscriber.closed) {
          const page = await readEvents(this.#dataSource, this.schema, cursor, PAGE);
          const upTo = page.filter((event) => event.id <= until);
          replayed = upTo.filter((event) => subscriber.match(event));
          cursor = upTo.length === PAGE ? upTo[upTo.length - 1].id : until;
        }
        if (replayed.length > 0 && !subscriber.closed) return { value: replayed.shift()!, done: false };
        return subscriber.next();
      },
      return: () => {
        replayed = [];
        return subscriber.return();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  private start(): Promise<void> {
    // A subscription that arrives while the process shuts down must not open a connection nobody ends.
    if (this.stopped) return Promise.reject(new Error(`the ${this.schema} event stream has stopped`));
    this.starting ??= this.connect().catch((error) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /**
   * Reconnects until it works (PostgreSQL restarted, or still starting), backing off to 10 s: one
   * failed attempt must not leave the process deaf to new events for good.
   */
  private reconnect(delayMs: number): void {
    setTimeout(() => {
      if (this.stopped) return;
      void this.start().then(
        () => this.pump(),
        (error: Error) => {
          this.log.warn(`listen connection failed again (${error.message}); retrying in ${Math.min(delayMs * 2, 10_000)} ms`);
          this.reconnect(Math.min(delayMs * 2, 10_000));
        },
      );
    }, delayMs).unref();
  }

  private async connect(): Promise<void> {
    const { url } = this.#dataSource.options as { url?: string };
    const client = new Client({ connectionString: url, application_name: `care-hub-${this.schema}-listen` });
    client.on("notification", () => this.pump());
    client.on("error", (error) => this.log.warn(`listen connection failed: ${error.message}`));
    client.on("end", () => {
      // Only a connection that was listening reconnects here; a failed attempt is retried by reconnect().
      if (this.stopped || this.client !== client) return;
      this.log.warn("listen connection closed; reconnecting");
      this.client = undefined;
      this.starting = undefined;
      this.reconnect(1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel(this.schema)}"`);
      // Stopped while connecting: `stop` ended no client, so this one is ended here.
      if (this.stopped) throw new Error(`the ${this.schema} event stream has stopped`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    // The position is taken after LISTEN, so nothing committed later is missed. Until it is known
    // the pump stays put: woken by a notification meanwhile, it would start from the beginning of
    // the log and hand old events to subscribers. On a reconnect the position is kept, and the
    // pump catches up on what was committed meanwhile.
    if (!this.positioned) {
      this.lastId = await lastEventId(this.#dataSource, this.schema);
      this.positioned = true;
      // An event committed while the position was read may have notified before it was known.
      this.pump();
    }
    this.sweep ??= setInterval(() => this.pump(), this.options.sweepMs ?? 5000).unref();
  }

  /** Reads new events and fans them out; runs one at a time, and again if woken meanwhile. */
  private pump(): void {
    if (!this.positioned || this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        let page: StoredEvent[];
        do {
          page = await readEvents(this.#dataSource, this.schema, this.lastId, PAGE);
          for (const event of page) {
            // Each event once, in order, whatever else moved the position meanwhile.
            if (event.id <= this.lastId) continue;
            this.lastId = event.id;
            for (const subscriber of this.subscribers) if (subscriber.match(event)) subscriber.push(event);
          }
        } while (page.length === PAGE);
      } while (this.pumpAgain && !this.stopped);
    } catch (error) {
      // A stream stopping with its process may find the pool already closed: nothing is lost then.
      if (!this.stopped) this.log.warn(`reading events failed: ${(error as Error).message}`);
    } finally {
      // In the same step as the loop's last check, so a wake-up cannot fall between the two.
      this.pumping = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch();
    if (this.sweep) clearInterval(this.sweep);
    for (const subscriber of this.subscribers) subscriber.close();
    await this.pumping;
    // A connection still being made ends itself (see `connect`); wait for that, so nothing is left open.
    await this.starting?.catch(() => undefined);
    await this.client?.end().catch(() => undefined);
  }
}

type Subscriber = BoundedQueue<StoredEvent> & { match: (event: StoredEvent) => boolean };

/** A subscription's `after` argument: an event id as the client got it in `event.id`. */
export function parseEventId(after: string | null | undefined): number | undefined {
  if (after == null) return undefined;
  if (!/^\d{1,15}$/.test(after))
    throw badUserInput("after", "EVENT_ID_FORMAT", `"${after}" is not an event id (a whole number, as in event.id)`);
  return Number(after);
}

/**
 * A subscription resolver's stream: the events `match` selects (first those after `after`, when the
 * client resumes), each turned by `deliver` into what the client is sent. A subscription's context
 * lives as long as the client stays, so its loaders are emptied before each event: what a delivery
 * reads is as the change left it, not what an earlier event cached.
 */
export async function subscriptionStream<T>(
  events: EventStream,
  loaders: Record<string, DataLoader<unknown, unknown>>,
  match: (event: StoredEvent) => boolean,
  after: string | null | undefined,
  deliver: (event: StoredEvent) => T | Promise<T>,
): Promise<AsyncIterableIterator<T>> {
  const stream = await events.subscribe(match, parseEventId(after));
  return mapStream(stream, (event) => {
    clearLoaders(loaders);
    return deliver(event);
  });
}
