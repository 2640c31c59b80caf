/**
 * The change events the gateway listens to for its response cache. Each subgraph describes its own
 * feed (subgraphs/shared/change-feed.ts: the query that tells where its event log stands, the
 * subscriptions that together carry every change, which part of it each event touches) and serves
 * the description at /change-feed; a subgraph without one is never cached. The subscriptions are
 * the same public ones clients use, asked of the subgraph directly.
 */

import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { IDENTITY_HEADER, identitySigner } from "../subgraphs/shared/internal-identity";
import { Role, systemIdentity } from "../subgraphs/shared/identity";
import { logger } from "../subgraphs/shared/log";
import { CHANGE_FEED_PATH, ChangeFeedDescription, partsTouched } from "../subgraphs/shared/change-feed";

export interface ChangeListener {
  /** A subgraph's feed as it describes it, learnt before the feed is first live. */
  described(subgraph: string, feed: ChangeFeedDescription): void;
  /** The feed is live (after it: every change arrives) or not (changes may be missed). */
  live(subgraph: string, live: boolean): void;
  /** Something of the subgraph changed: the named parts, or anything when `parts` is absent. */
  changed(subgraph: string, parts?: string[]): void;
}

/** How long to wait before reconnecting a broken feed, growing to this. */
const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Which events each feed has delivered (the most recent ones), and who waits for which: a mutation
 * waits for the events it appended before it is answered.
 */
export class DeliveredEvents {
  private readonly seen = new Map<string, Set<number>>();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly remembered = 10_000) {}

  /** Resolves true once every one of `ids` was delivered; false at `timeoutMs` or when `abandon`ed. */
  waitFor(subgraph: string, ids: readonly number[], timeoutMs: number): Promise<boolean> {
    const seen = this.seen.get(subgraph);
    const missing = new Set(ids.filter((id) => !seen?.has(id)));
    if (missing.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        subgraph,
        missing,
        done: (heard) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(heard);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  delivered(subgraph: string, id: number): void {
    let seen = this.seen.get(subgraph);
    if (!seen) {
      seen = new Set();
      this.seen.set(subgraph, seen);
    }
    seen.add(id);
    if (seen.size > this.remembered) seen.delete(seen.values().next().value!);
    for (const waiter of this.waiters) {
      if (waiter.subgraph !== subgraph) continue;
      waiter.missing.delete(id);
      if (waiter.missing.size === 0) waiter.done(true);
    }
  }

  /** The feed broke (or stops): nobody will hear of what it has not delivered. */
  abandon(subgraph?: string): void {
    for (const waiter of this.waiters) if (subgraph === undefined || waiter.subgraph === subgraph) waiter.done(false);
  }
}

interface Waiter {
  subgraph: string;
  missing: Set<number>;
  done: (heard: boolean) => void;
}

/**
 * Keeps each feed subscribed to its subgraph. A feed first reads the event cursor, then subscribes
 * with `after` set to it, so no change after the cursor can slip by while the subscription is being
 * set up; only then is it live. When a feed breaks, it is not live until it has done that again.
 */
export class ChangeFeeds {
  private readonly clients: Client[] = [];
  private readonly liveFeeds = new Set<string>();
  private readonly events = new DeliveredEvents();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private readonly log = logger("gateway/change-feeds");
  private readonly signedIdentity: () => Promise<string>;

  constructor(
    private readonly subgraphUrls: Record<string, string>,
    internalSecret: string,
    hubRegionCode: string,
    private readonly listener: ChangeListener,
  ) {
    // The gateway asks as a system client that never sees patient data.
    const identity = systemIdentity("care-brokering-hub/gateway/change-feeds", Role.PEER_REGION, hubRegionCode, {
      issuer: "care-brokering-hub/gateway",
      viaService: "gateway",
    });
    this.signedIdentity = identitySigner(identity, internalSecret);
  }

  /** Follows the feed of each subgraph that describes one. */
  start(subgraphs: readonly string[]): void {
    for (const subgraph of subgraphs) {
      if (this.subgraphUrls[subgraph]) void this.connect(subgraph, 0);
    }
  }

  private async connect(subgraph: string, attempt: number): Promise<void> {
    if (this.stopped) return;
    let wasLive = false;
    const retry = (reason: string) => {
      if (this.stopped) return;
      this.setLive(subgraph, false);
      // A feed that was live starts its waits from the shortest again.
      if (wasLive) attempt = 0;
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      this.log.warn(
        `${subgraph} change feed down (${reason}); the response cache skips ${subgraph} until it is back, retrying in ${wait} ms`,
      );
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.connect(subgraph, attempt + 1);
      }, wait);
      this.timers.add(timer);
    };
    let feed: ChangeFeedDescription | null;
    let cursor: string;
    try {
      feed = await this.readDescription(subgraph);
      // No feed: the subgraph's answers are never cached, and there is nothing to follow.
      if (!feed) return;
      cursor = await this.readCursor(subgraph, feed);
    } catch (error) {
      retry((error as Error).message);
      return;
    }
    if (this.stopped) return;
    const identity = await this.signedIdentity();
    const client = createClient({
      url: this.subgraphUrls[subgraph].replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      keepAlive: 10_000,
      onNonLazyError: (error) => broken(error),
    });
    this.clients.push(client);
    let down = false;
    const broken = (error: unknown) => {
      if (down) return;
      down = true;
      this.clients.splice(this.clients.indexOf(client), 1);
      void client.dispose();
      retry(describe(error));
    };
    this.listener.described(subgraph, feed);
    for (const field of feed.subscriptionFields) {
      const event = feed.eventOf?.[field] ?? feed.event;
      client.subscribe(
        {
          query: `subscription ChangeFeed($after: ID) { ${field}(after: $after) { id event { id } ${event?.selection ?? ""} } }`,
          variables: { after: cursor },
          extensions: { [IDENTITY_HEADER]: identity },
        },
        {
          next: (result) => {
            const data = result.data?.[field] as (Record<string, unknown> & { event?: { id?: unknown } | null }) | undefined;
            if (result.errors?.length || !data) broken(result.errors?.[0] ?? "an event without data");
            else {
              this.listener.changed(subgraph, partsTouched(event, data));
              this.events.delivered(subgraph, Number(data.event?.id));
            }
          },
          error: broken,
          complete: () => broken("the subgraph ended the subscription"),
        },
      );
    }
    if (!down) {
      wasLive = true;
      this.setLive(subgraph, true);
    }
  }

  /**
   * Resolves true once the feed of `subgraph` has delivered every one of `ids` (its listener has
   * applied them); false if the feed is not live, breaks, or they do not come within `timeoutMs`.
   */
  heard(subgraph: string, ids: readonly number[], timeoutMs = 2_000): Promise<boolean> {
    if (!this.liveFeeds.has(subgraph)) return Promise.resolve(false);
    return this.events.waitFor(subgraph, ids, timeoutMs);
  }

  private setLive(subgraph: string, live: boolean): void {
    if (live) this.liveFeeds.add(subgraph);
    else {
      this.liveFeeds.delete(subgraph);
      this.events.abandon(subgraph);
    }
    this.listener.live(subgraph, live);
  }

  /** The subgraph's description of its feed; null when it has none (it answers 404). */
  private async readDescription(subgraph: string): Promise<ChangeFeedDescription | null> {
    const response = await fetch(new URL(CHANGE_FEED_PATH, this.subgraphUrls[subgraph]), { signal: AbortSignal.timeout(5_000) });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`no change feed description (HTTP ${response.status})`);
    return (await response.json()) as ChangeFeedDescription;
  }

  private async readCursor(subgraph: string, feed: ChangeFeedDescription): Promise<string> {
    const response = await fetch(this.subgraphUrls[subgraph], {
      method: "POST",
      headers: { "content-type": "application/json", [IDENTITY_HEADER]: await this.signedIdentity() },
      body: JSON.stringify({ query: `{ ${feed.cursorField} }` }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await response.json()) as { data?: Record<string, string>; errors?: Array<{ message: string }> };
    const cursor = body.data?.[feed.cursorField];
    if (typeof cursor !== "string") throw new Error(body.errors?.[0]?.message ?? `no ${feed.cursorField} (HTTP ${response.status})`);
    return cursor;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.events.abandon();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.clients.splice(0).map((client) => client.dispose()));
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  const event = error as { code?: number; reason?: string; message?: string };
  return (
    event?.message ?? (event?.code ? `connection closed (${event.code}${event.reason ? `: ${event.reason}` : ""})` : JSON.stringify(error))
  );
}
