/**
 * The gateway's response cache: whole answers to queries that only subgraphs with a change feed
 * answer (capacity and agreements: free capacity, providers, regions, coverage), invalidated by
 * those subgraphs' change events (change-feeds.ts). It is what lets one gateway serve the national search load without
 * sending every identical search to the subgraphs and PostgreSQL again.
 *
 * What it never does:
 * - serve an answer older than a change whose event reached this gateway: every event drops the
 *   entries that depend on what it changed, and an answer computed while such a change arrived is
 *   not stored (an entry is stored only if none of its dependencies changed since its request
 *   started);
 * - cache anything while a subgraph's change feed is not live (the gateway could miss a change):
 *   entries that need it are dropped and none are stored until the feed is back;
 * - cache patient or referral data (those subgraphs are not cacheable: every read of patient data
 *   is audited, and referral answers depend on the caller), mutations, or answers with errors;
 * - skip authentication, the rate limit or validation: it answers after all of them.
 *
 * Dependencies are a subgraph as a whole ("capacity"), or one part of it ("capacity/specialty/
 * ORTHOPAEDICS"): a search narrowed to a specialty depends only on that specialty's offers, so a
 * new urology offer leaves orthopaedic searches cached. A change to a part drops the answers that
 * depend on that part and those that depend on the whole subgraph; a change of unknown extent (a
 * mutation through this gateway, a feed that broke) drops everything of the subgraph.
 *
 * Answers are shared by callers with the same access scope (role and organisation): the cacheable
 * subgraphs decide what a caller sees by role and organisation, never by the person (as the
 * national identity provider's model says: access follows the active assignment).
 * Time-derived fields (an offer's freshness grade) may lag by at most the entry lifetime.
 */

import { createHash } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import { DocumentNode, FormattedExecutionResult, Kind, OperationDefinitionNode, valueFromASTUntyped } from "graphql";
import { cacheEvictions, cacheHits, cacheMisses } from "../subgraphs/shared/metrics";
import type { Identity } from "../subgraphs/shared/identity";

export interface ResponseCacheOptions {
  /** Subgraphs whose answers may be cached, each while its change feed is live (see setLive). */
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

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  stored: number;
  invalidations: number;
  live: string[];
}

/** The subgraph a dependency belongs to ("capacity/specialty/UROLOGY" → "capacity"). */
export function subgraphOf(dependency: string): string {
  const slash = dependency.indexOf("/");
  return slash < 0 ? dependency : dependency.slice(0, slash);
}

export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keysByDependency = new Map<string, Set<string>>();
  private readonly live = new Set<string>();
  private readonly now: () => number;
  private bytes = 0;
  private readonly counters = { hits: 0, misses: 0, stored: 0, invalidations: 0 };
  /**
   * A logical clock: every invalidation ticks it and records the tick against what it changed.
   * A request notes the clock when it starts; its answer predates a change if a tick since then
   * touched one of its dependencies.
   */
  private tick = 0;
  private readonly changedAt = new Map<string, number>();
  private readonly wholeChangedAt = new Map<string, number>();
  private readonly anyChangedAt = new Map<string, number>();

  constructor(private readonly options: ResponseCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.maxBytes > 0 && this.live.size > 0;
  }

  isCacheable(subgraph: string): boolean {
    return this.options.cacheable.includes(subgraph);
  }

  get subgraphs(): readonly string[] {
    return this.options.cacheable;
  }

  /** The key of an operation for a caller: same document, variables, day and access scope. */
  key(parts: {
    queryHash: string;
    operationName: string | undefined | null;
    variables: unknown;
    today: string;
    identity: Identity;
  }): string {
    const { identity } = parts;
    const scope = [identity.role, identity.regionCode, identity.providerId, identity.careUnitId, identity.viaService ?? null];
    return createHash("sha256")
      .update(JSON.stringify([parts.queryHash, parts.operationName ?? null, parts.variables ?? null, parts.today, scope]))
      .digest("base64url");
  }

  /** Where the clock stands: note it when a request starts. */
  snapshot(): number {
    return this.tick;
  }

  /** Whether any of `dependsOn` changed after `since`. */
  changedSince(dependsOn: readonly string[], since: number): boolean {
    return dependsOn.some((dependency) => {
      const subgraph = subgraphOf(dependency);
      if (dependency === subgraph) return (this.anyChangedAt.get(subgraph) ?? 0) > since;
      return (this.wholeChangedAt.get(subgraph) ?? 0) > since || (this.changedAt.get(dependency) ?? 0) > since;
    });
  }

  get(key: string): FormattedExecutionResult | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.remove(key);
      this.counters.misses += 1;
      cacheMisses.inc();
      return undefined;
    }
    // Map order is the eviction order: a hit moves the entry to the young end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.counters.hits += 1;
    cacheHits.inc();
    return entry.result;
  }

  /**
   * Keeps an answer that depends on `dependsOn`, unless one of their subgraphs is not cacheable or
   * has no live feed, or one of them changed since `since` (the answer may predate the change).
   */
  store(key: string, result: FormattedExecutionResult, dependsOn: readonly string[], since: number): boolean {
    if (this.options.maxBytes <= 0 || result.errors?.length) return false;
    if (!dependsOn.every((dependency) => this.live.has(subgraphOf(dependency)))) return false;
    if (this.changedSince(dependsOn, since)) return false;
    const bytes = Buffer.byteLength(JSON.stringify(result));
    if (bytes > this.options.maxBytes / 10) return false;
    this.remove(key);
    this.entries.set(key, { result, bytes, dependsOn, expiresAt: this.now() + this.options.ttlMs });
    for (const dependency of dependsOn) {
      let keys = this.keysByDependency.get(dependency);
      if (!keys) {
        keys = new Set();
        this.keysByDependency.set(dependency, keys);
      }
      keys.add(key);
    }
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.options.maxBytes) break;
      this.remove(oldest);
      cacheEvictions.inc({ reason: "full" });
    }
    this.counters.stored += 1;
    return true;
  }

  /**
   * A subgraph changed. With `parts` (e.g. ["specialty/UROLOGY", "procedureCode/KED22"]) only
   * answers depending on those parts or on the whole subgraph go; without, everything of it goes.
   */
  invalidate(subgraph: string, parts?: readonly string[]): void {
    if (!this.isCacheable(subgraph)) return;
    this.tick += 1;
    this.counters.invalidations += 1;
    this.anyChangedAt.set(subgraph, this.tick);
    const doomed = new Set(this.keysByDependency.get(subgraph));
    if (parts) {
      for (const part of parts) {
        const dependency = `${subgraph}/${part}`;
        this.changedAt.set(dependency, this.tick);
        for (const key of this.keysByDependency.get(dependency) ?? []) doomed.add(key);
      }
    } else {
      this.wholeChangedAt.set(subgraph, this.tick);
      for (const [dependency, keys] of this.keysByDependency)
        if (subgraphOf(dependency) === subgraph) for (const key of keys) doomed.add(key);
    }
    for (const key of doomed) this.remove(key);
    if (doomed.size) cacheEvictions.inc({ reason: "changed" }, doomed.size);
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
    for (const dependency of entry.dependsOn) {
      const keys = this.keysByDependency.get(dependency);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByDependency.delete(dependency);
    }
  }
}

/**
 * How a subgraph's answers can be narrower than the whole subgraph: a root field whose filter
 * argument names a part (free capacity of one specialty depends only on that specialty's offers).
 * The first of `by` that the filter sets names the part.
 */
export interface Partitioning {
  subgraph: string;
  rootField: string;
  argument: string;
  by: readonly string[];
}

/**
 * What an operation's answer depends on in each partitioned subgraph: the parts, when every root
 * field of the operation is the partitioned field narrowed by one of `by` (aliases and several
 * such fields add their parts); otherwise nothing, and the answer depends on the whole subgraph.
 */
export function partsOf(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  partitioning: Partitioning,
): string[] | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return undefined;
  const parts: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return undefined;
    if (selection.name.value === "__typename") continue;
    if (selection.name.value !== partitioning.rootField) return undefined;
    const argument = selection.arguments?.find((a) => a.name.value === partitioning.argument);
    const filter = argument ? (valueFromASTUntyped(argument.value, variables) as Record<string, unknown> | null) : null;
    const by = partitioning.by.find((name) => typeof filter?.[name] === "string");
    if (!by) return undefined;
    parts.push(`${by}/${filter![by] as string}`);
  }
  return parts.length > 0 ? parts : undefined;
}

/** What the cache needs of a gateway request's context. */
export interface CacheableContext {
  identity: Identity;
  today: string;
  /** Subgraphs this request fetched from (the gateway's data sources add to it). */
  fetchedFrom: Set<string>;
  /** Ids of the events each subgraph appended for this request. */
  appendedEvents: Map<string, number[]>;
}

export interface ResponseCachePluginOptions {
  /** The partitionings known now (the gateway learns them from the subgraphs' change feeds as they come up). */
  partitionings?: () => readonly Partitioning[];
  /**
   * Resolves true once this gateway's change feed of `subgraph` has delivered (and so applied)
   * every one of `ids`; false when it cannot say so soon.
   */
  heard?: (subgraph: string, ids: readonly number[]) => Promise<boolean>;
  /** Longest a query waits for an identical one in flight. */
  maxWaitMs?: number;
}

export const CACHE_HEADER = "x-hub-cache";

/**
 * Apollo Server plugin: answers a query from the cache after authentication and validation, and
 * keeps a fresh answer on the way out. A mutation is answered only once its changes are out of the
 * cache, so its caller reads its own write: the subgraphs report the events the mutation appended,
 * and the answer waits until the change feed has delivered them (which drops exactly the answers
 * they touch); if that does not happen soon, everything of the subgraph is dropped instead. A
 * mutation that appended no event changed nothing and drops nothing.
 *
 * Identical queries that arrive while the first is being answered wait for its answer instead of
 * asking the subgraphs again (right after a change empties the cache, every client asks at once).
 * A waiting query takes that answer only if nothing it could depend on changed between the first
 * query's start and its own: then the answer is one it could have got by asking itself (a change
 * arriving later is concurrent with both, as with any request in flight). Only documents known to
 * be cacheable wait: a patient read never queues behind another.
 */
export function responseCachePlugin<TContext extends CacheableContext>(
  cache: ResponseCache,
  options: ResponseCachePluginOptions = {},
): ApolloServerPlugin<TContext> {
  const { partitionings = () => [], heard = async () => false, maxWaitMs = 10_000 } = options;
  const inFlight = new Map<string, { since: number; answer: Promise<FormattedExecutionResult | undefined> }>();
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
      let since = 0;
      let hit = false;
      let parts = new Map<string, string[]>();
      let settle: ((result: FormattedExecutionResult | undefined) => void) | undefined;
      /** The answer's dependencies: each subgraph it used, or the parts of it the operation names. */
      const dependencies = (subgraphs: Iterable<string>) =>
        [...subgraphs].flatMap((name) => parts.get(name)?.map((part) => `${name}/${part}`) ?? [name]);
      return {
        async responseForOperation(request) {
          if (request.operation?.operation !== "query" || !cache.enabled || !request.document) return null;
          const queryHash = request.queryHash ?? request.request.query ?? "";
          since = cache.snapshot();
          key = cache.key({
            queryHash,
            operationName: request.operationName,
            variables: request.request.variables,
            today: request.contextValue.today,
            identity: request.contextValue.identity,
          });
          parts = new Map(
            partitionings().flatMap((p) => {
              const named = partsOf(request.document!, request.operationName, request.request.variables, p);
              return named ? [[p.subgraph, named] as const] : [];
            }),
          );
          let result = cache.get(key);
          if (!result && cacheableDocuments.get(queryHash)) {
            const first = inFlight.get(key);
            // Every cacheable subgraph counts here: which ones the answer will use is known only at its end.
            if (first && !cache.changedSince(dependencies(cache.subgraphs), first.since)) {
              result = await within(first.answer, maxWaitMs);
            } else {
              // This query leads for its key from now on (a change made the one in flight too old).
              const mine = { since, answer: new Promise<FormattedExecutionResult | undefined>((resolve) => (settle = resolve)) };
              const lead = key;
              inFlight.set(lead, mine);
              const resolve = settle!;
              settle = (answer) => {
                if (inFlight.get(lead) === mine) inFlight.delete(lead);
                resolve(answer);
              };
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
            await Promise.all(
              [...request.contextValue.appendedEvents].map(async ([name, ids]) => {
                if (cache.isCacheable(name) && !(await heard(name, ids))) cache.invalidate(name);
              }),
            );
            return;
          }
          let shared: FormattedExecutionResult | undefined;
          try {
            if (!key || hit || request.response.body.kind !== "single") return;
            const cacheable = fetchedFrom.every((name) => cache.isCacheable(name));
            remember(request.queryHash ?? request.request.query ?? "", cacheable);
            const result = request.response.body.singleResult;
            if (!cacheable || result.errors?.length) return;
            cache.store(key, result, dependencies(fetchedFrom), since);
            shared = result;
          } finally {
            settle?.(shared);
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
