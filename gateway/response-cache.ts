import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { FormattedExecutionResult } from "graphql";
import type { Identity } from "../subgraphs/shared/identity";

/**
 * The gateway's response cache: whole answers to queries that only the listed subgraphs answer
 * (capacity and agreements: free capacity, providers, regions, coverage), invalidated by those
 * subgraphs' change events. It is what lets one gateway serve the national search load without
 * sending every identical search to the subgraphs and PostgreSQL again.
 *
 * What it never does:
 * - serve an answer older than a change whose event reached this gateway: every event from a
 *   subgraph drops the entries that used it, and an answer computed while a change arrived is
 *   not stored (each subgraph has a generation; an entry is stored only if none of its subgraphs'
 *   generations moved since its request started);
 * - cache anything while a subgraph's change feed is not live (the gateway could miss a change):
 *   entries that need it are dropped and none are stored until the feed is back;
 * - cache patient or referral data (those subgraphs are not cacheable: every read of patient data
 *   is audited, and referral answers depend on the caller), mutations, or answers with errors;
 * - skip authentication, the rate limit or validation: it answers after all of them.
 *
 * Answers are shared by callers with the same access scope (role and organisation): the cacheable
 * subgraphs decide what a caller sees by role and organisation, never by the person (as the
 * national identity provider's model says: access follows the active assignment).
 * Time-derived fields (an offer's freshness grade) may lag by at most the entry lifetime.
 */
export interface ResponseCacheOptions {
  /** Subgraphs whose answers may be cached (each must have a change feed). */
  cacheable: readonly string[];
  /** Bytes of serialised answers held at most; least recently used answers go first. */
  maxBytes: number;
  /** An entry's lifetime, whatever happens: bounds the lag of time-derived fields. */
  ttlMs: number;
  now?: () => number;
}

interface Entry {
  result: FormattedExecutionResult;
  bytes: number;
  dependsOn: readonly string[];
  expiresAt: number;
}

/** Where every cacheable subgraph's generation stood when a request started. */
export type Snapshot = ReadonlyMap<string, number>;

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  stored: number;
  invalidations: number;
  live: string[];
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keysBySubgraph = new Map<string, Set<string>>();
  private readonly generations = new Map<string, number>();
  private readonly live = new Set<string>();
  private readonly now: () => number;
  private bytes = 0;
  private readonly counters = { hits: 0, misses: 0, stored: 0, invalidations: 0 };

  constructor(private readonly options: ResponseCacheOptions) {
    this.now = options.now ?? Date.now;
    for (const name of options.cacheable) {
      this.generations.set(name, 0);
      this.keysBySubgraph.set(name, new Set());
    }
  }

  get enabled(): boolean {
    return this.options.maxBytes > 0 && this.live.size > 0;
  }

  isCacheable(subgraph: string): boolean {
    return this.generations.has(subgraph);
  }

  /** The key of an operation for a caller: same document, variables, day and access scope. */
  key(parts: { queryHash: string; operationName: string | undefined | null; variables: unknown; today: string; identity: Identity }): string {
    const { identity } = parts;
    const scope = [identity.role, identity.regionCode, identity.providerId, identity.careUnitId, identity.viaService ?? null];
    return createHash("sha256")
      .update(JSON.stringify([parts.queryHash, parts.operationName ?? null, parts.variables ?? null, parts.today, scope]))
      .digest("base64url");
  }

  snapshot(): Snapshot {
    return new Map(this.generations);
  }

  get(key: string): FormattedExecutionResult | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.remove(key);
      this.counters.misses += 1;
      return undefined;
    }
    // Map order is the eviction order: a hit moves the entry to the young end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.counters.hits += 1;
    return entry.result;
  }

  /**
   * Keeps an answer that used `dependsOn` subgraphs, unless one of them is not cacheable, has no
   * live feed, or changed since `since` (the answer may predate the change).
   */
  store(key: string, result: FormattedExecutionResult, dependsOn: readonly string[], since: Snapshot): boolean {
    if (this.options.maxBytes <= 0 || result.errors?.length) return false;
    if (!dependsOn.every((name) => this.live.has(name) && since.get(name) === this.generations.get(name))) return false;
    const bytes = Buffer.byteLength(JSON.stringify(result));
    if (bytes > this.options.maxBytes / 10) return false;
    this.remove(key);
    this.entries.set(key, { result, bytes, dependsOn, expiresAt: this.now() + this.options.ttlMs });
    for (const name of dependsOn) this.keysBySubgraph.get(name)!.add(key);
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.options.maxBytes) break;
      this.remove(oldest);
    }
    this.counters.stored += 1;
    return true;
  }

  /** A subgraph changed: every answer that used it goes, and answers being computed are not kept. */
  invalidate(subgraph: string): void {
    const keys = this.keysBySubgraph.get(subgraph);
    if (!keys) return;
    this.generations.set(subgraph, this.generations.get(subgraph)! + 1);
    this.counters.invalidations += 1;
    for (const key of [...keys]) this.remove(key);
  }

  /** Whether the subgraph's change feed is live; while it is not, nothing that uses it is cached. */
  setLive(subgraph: string, live: boolean): void {
    if (!this.isCacheable(subgraph)) return;
    // Either way the cache cannot know what changed while the feed was away.
    this.invalidate(subgraph);
    if (live) this.live.add(subgraph);
    else this.live.delete(subgraph);
  }

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes, ...this.counters, live: [...this.live].sort() };
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    for (const name of entry.dependsOn) this.keysBySubgraph.get(name)?.delete(key);
  }
}

/** What the cache needs of a gateway request's context. */
export interface CacheableContext {
  identity: Identity;
  today: string;
  /** Subgraphs this request fetched from (the gateway's data sources add to it). */
  fetchedFrom: Set<string>;
}

export const CACHE_HEADER = "x-hub-cache";

/**
 * Apollo Server plugin: answers a query from the cache after authentication and validation, and
 * keeps a fresh answer on the way out. A mutation invalidates the subgraphs it went to as soon as
 * it is answered, so its caller reads its own write even before the change event arrives.
 *
 * Identical queries that arrive while the first is being answered wait for its answer instead of
 * asking the subgraphs again (right after a change empties the cache, every client asks at once).
 * They take it only if it was kept, which means no change arrived between its start and its end,
 * so it is no older than anything they could have seen. Only documents known to be cacheable wait:
 * a patient read never queues behind another.
 */
export function responseCachePlugin<TContext extends CacheableContext>(cache: ResponseCache, maxWaitMs = 10_000): ApolloServerPlugin<TContext> {
  const inFlight = new Map<string, Promise<FormattedExecutionResult | undefined>>();
  // Whether a document's last answer could be kept (bounded: forgotten oldest first).
  const cacheableDocuments = new Map<string, boolean>();
  const remember = (queryHash: string, cacheable: boolean) => {
    cacheableDocuments.delete(queryHash);
    cacheableDocuments.set(queryHash, cacheable);
    if (cacheableDocuments.size > 5_000) cacheableDocuments.delete(cacheableDocuments.keys().next().value!);
  };
  return {
    async requestDidStart() {
      let key: string | undefined;
      let since: Snapshot | undefined;
      let hit = false;
      let settle: ((result: FormattedExecutionResult | undefined) => void) | undefined;
      return {
        async responseForOperation(request) {
          if (request.operation?.operation !== "query" || !cache.enabled) return null;
          const queryHash = request.queryHash ?? request.request.query ?? "";
          since = cache.snapshot();
          key = cache.key({
            queryHash,
            operationName: request.operationName,
            variables: request.request.variables,
            today: request.contextValue.today,
            identity: request.contextValue.identity,
          });
          let result = cache.get(key);
          if (!result && cacheableDocuments.get(queryHash)) {
            const first = inFlight.get(key);
            if (first) result = await within(first, maxWaitMs);
            else {
              const mine = key;
              inFlight.set(
                mine,
                new Promise((resolve) => {
                  settle = (answer) => {
                    inFlight.delete(mine);
                    resolve(answer);
                  };
                }),
              );
            }
          }
          request.response.http.headers.set(CACHE_HEADER, result ? "hit" : "miss");
          if (!result) return null;
          hit = true;
          return { http: request.response.http, body: { kind: "single", singleResult: result } };
        },
        async willSendResponse(request) {
          const fetchedFrom = [...request.contextValue.fetchedFrom];
          if (request.operation?.operation === "mutation") {
            for (const name of fetchedFrom) cache.invalidate(name);
            return;
          }
          let kept: FormattedExecutionResult | undefined;
          try {
            if (!key || hit || !since || request.response.body.kind !== "single") return;
            const cacheable = fetchedFrom.every((name) => cache.isCacheable(name));
            remember(request.queryHash ?? request.request.query ?? "", cacheable);
            const result = request.response.body.singleResult;
            if (cacheable && cache.store(key, result, fetchedFrom, since)) kept = result;
          } finally {
            settle?.(kept);
          }
        },
      };
    },
  };
}

/** The promise's value, or undefined when it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
