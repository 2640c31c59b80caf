import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { Fetcher } from "@apollo/utils.fetcher";
import { GraphQLError, Kind, SelectionNode, ValidationContext, ValidationRule } from "graphql";
import { spaced } from "../subgraphs/shared/apollo";
import { Identity } from "../subgraphs/shared/identity";

/**
 * Abuse limits at the gateway, each sized so that every query in the README and the tests passes
 * with room to spare, while the classic attacks (deep nesting through Patient.referrals.patient…,
 * alias batching, huge documents) are refused before planning:
 *
 * - depth 12: the deepest real query (free capacity → provider → region → healthcare region) is 7;
 * - 15 aliases: a board comparing a few agreements side by side uses a handful;
 * - 10 root fields per operation: a dashboard asks for two or three things at once; more is one
 *   request doing the work of many past the rate limit;
 * - 1 000 tokens and 50 directives per document: the largest query here has about 150 tokens;
 * - cost 20 000, counting objects 2 and scalars 1, multiplied by page sizes (`first`, from literals,
 *   variables or defaults: cost.ts): a page of 100 offers with every field, provider, region,
 *   procedure and coverage costs ~7 600, so one request may ask for about two such pages, not for
 *   thousands of offers at once; and each client may ask for `HUB_COST_PER_MINUTE` a minute.
 *
 * The token limit is graphql-js's own (the parser stops counting there), so a document over it is
 * a parse failure (GRAPHQL_PARSE_FAILED, HTTP 400) like any other unreadable document; the others
 * are validation rules (GRAPHQL_VALIDATION_FAILED, HTTP 400; the cost, computed after validation with
 * the variables, is refused with the same code and status). Each refusal says which limit, in
 * words, with the number found.
 */
export const LIMITS = { maxDepth: 12, maxAliases: 15, maxRootFields: 10, maxTokens: 1000, maxDirectives: 50, maxCost: 20_000 } as const;

/** Reports graphql-armor's refusal with the hub's message (armor's start "Syntax Error:"), from the number armor found. */
function refusal(describe: (found: string) => string) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const found = /found (\d+)/.exec(error.message)?.[1];
    context?.reportError(new GraphQLError(describe(found === undefined ? "more" : spaced(Number(found)))));
  };
}

export function armor() {
  const reject = (describe: (found: string) => string) => ({ propagateOnRejection: false, onReject: [refusal(describe)] });
  const protection = new ApolloArmor({
    maxDepth: {
      n: LIMITS.maxDepth,
      ignoreIntrospection: true,
      ...reject((found) => `The query is nested ${found} levels deep, more than the limit of ${LIMITS.maxDepth}.`),
    },
    maxAliases: {
      n: LIMITS.maxAliases,
      ...reject((found) => `The query uses ${found} aliases, more than the limit of ${LIMITS.maxAliases}.`),
    },
    maxDirectives: {
      n: LIMITS.maxDirectives,
      ...reject((found) => `The query uses ${found} directives, more than the limit of ${LIMITS.maxDirectives}.`),
    },
    // Cost needs the variables, which validation rules never see: gateway/cost.ts computes it
    // once the operation and its variables are known, before planning.
    costLimit: { enabled: false },
    // graphql-js's parser counts tokens (Apollo Server's parseOptions), and Apollo Server hides
    // field suggestions in production (hideSchemaDetailsFromClientErrors).
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return { validationRules: [...protection.validationRules, maxRootFields(LIMITS.maxRootFields)] };
}

/** Refuses operations with more than `limit` root fields (fragments at the root counted by their fields). */
export function maxRootFields(limit: number): ValidationRule {
  return (context) => {
    const fragments = new Map(
      context.getDocument().definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    const count = (selections: readonly SelectionNode[], seen: Set<string>): number =>
      selections.reduce((sum, selection) => {
        if (selection.kind === Kind.FIELD) return sum + 1;
        if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet.selections, seen);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) return sum;
        return sum + count(fragment.selectionSet.selections, new Set([...seen, fragment.name.value]));
      }, 0);
    return {
      OperationDefinition(operation) {
        const fields = count(operation.selectionSet.selections, new Set());
        if (fields > limit) {
          context.reportError(
            new GraphQLError(`The operation asks for ${fields} root fields, more than the limit of ${limit}; send separate requests.`, {
              nodes: [operation],
            }),
          );
        }
      },
    };
  };
}

/**
 * Requests per client (the token's subject), as a token bucket: `perMinute` requests a minute,
 * with bursts up to the same number. One busy integration cannot starve the others.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  take(identity: Identity, now = Date.now()): void {
    const key = `${identity.issuer} ${identity.subject}`;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const retryAfter = Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute);
      throw new GraphQLError(`Too many requests: at most ${this.perMinute} a minute per client; retry in ${retryAfter} s.`, {
        // Apollo Server reads `http.headers` as a Map (another package's typings declare a record).
        extensions: {
          code: "RATE_LIMITED",
          retryAfterSeconds: retryAfter,
          http: { status: 429, headers: new Map([["retry-after", String(retryAfter)]]) } as never,
        },
      });
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    // Full buckets carry no information; drop them so the map stays the size of the busy clients.
    if (this.buckets.size > 10_000) {
      for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(k);
    }
  }
}

/** fetch with a time limit per subgraph request: a hung subgraph costs a bounded wait and a partial answer. */
export function fetchWithTimeout(timeoutMs: number): Fetcher {
  return ((url: string, init?: RequestInit) =>
    fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }).catch((error: Error) => {
      if (error.name === "TimeoutError") {
        throw new GraphQLError(`A service of the hub did not answer within ${timeoutMs} ms; the answer is partial.`, {
          extensions: { code: "SUBGRAPH_TIMEOUT" },
        });
      }
      throw error;
    })) as unknown as Fetcher;
}

/**
 * When heavy requests may run beside other clients' work (one client's expensive requests
 * must not raise another client's p95 more than 2×):
 *
 * - heavy: costing more than half the per-request limit (10 000; a page of 100 offers with every
 *   field and coverage costs ~7 600, so every office search is light);
 * - share 1/30: while other clients are busy, heavy work may take about a thirtieth of the time,
 *   so fewer than one in twenty of their requests overlaps one (their p95 stays their own);
 * - quiet 200 ms: a client whose last request ended this recently is still busy (a client sending
 *   one request after another leaves gaps shorter than that, even on a loaded machine);
 * - a heavy request's duration is expected from those before it, per cost unit; before any has
 *   run, 0.05 ms a unit (a maximum-cost request about a second);
 * - at most 60 s of waiting for a heavy request, whatever the others do.
 */
export const FAIRNESS = {
  heavyCost: LIMITS.maxCost / 2,
  heavyShare: 1 / 30,
  quietMs: 200,
  initialMsPerCost: 0.05,
  maxWaitMs: 60_000,
} as const;

type FairnessOptions = { heavyCost: number; heavyShare: number; quietMs: number; initialMsPerCost: number; maxWaitMs: number };

/**
 * Admission by estimated cost, fair between clients (the token's subject), in front of execution,
 * after the client's cost budget and its own cost in flight (cost.ts):
 *
 * - a light request is admitted at once: offices' searches never queue behind anyone;
 * - heavy requests run one at a time hub-wide, in arrival order. When no other client is busy
 *   they run at once (an idle hub serves a system client at full speed). While others are busy, a
 *   heavy request yields to them: heavy work earns time at `heavyShare` of the time it waits
 *   beside them, and the next request starts once that covers its expected duration (nothing is
 *   banked while no heavy request waits, so a burst cannot start with a backlog), or after
 *   `maxWaitMs` at the latest (no one starves). A request that ran longer than expected is
 *   paid for by the next ones.
 *
 * The CPU is what heavy work takes from the others, and it is spent in the subgraphs and the
 * database while the gateway waits for them: bounding when heavy requests run, and one at a time,
 * bounds it wherever it is spent, which a per-client limit alone cannot (one maximum-cost request
 * at a time from one client still kept two cores busy beside an office's searches).
 */
export class FairAdmission {
  /** Requests running per client, and when its last one ended. */
  private readonly clients = new Map<string, { running: number; endedAt: number }>();
  private readonly heavyQueue: Array<{ key: string; cost: number; queuedAt: number; go: () => void }> = [];
  private heavyRunning = false;
  /** Time heavy work has earned beside busy clients (ms; negative after a request that ran long). */
  private earnedMs = 0;
  private earnedAt = 0;
  private msPerCost: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: FairnessOptions = FAIRNESS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.msPerCost = options.initialMsPerCost;
  }

  /**
   * A request of the client arrived (before its operation is parsed and its cost known): the
   * client counts as busy from now until `leave`, so the gaps while its requests are being read
   * are not mistaken for quiet. `admit` waits for its turn once the cost is known.
   */
  arrive(identity: Identity): { admit(cost: number): Promise<void>; leave(): void } {
    const key = `${identity.issuer} ${identity.subject}`;
    const client = this.clients.get(key) ?? { running: 0, endedAt: -Infinity };
    client.running += 1;
    this.clients.set(key, client);
    let heavy: { cost: number; expectedMs: number; startedAt: number } | undefined;
    let left = false;
    return {
      admit: async (cost) => {
        if (cost <= this.options.heavyCost || heavy || left) return;
        // Waiting is not being busy: heavy requests waiting for each other do not hold each other up.
        client.running -= 1;
        const expectedMs = await new Promise<number>((go) => {
          if (this.heavyQueue.length === 0) this.earnedAt = this.now();
          this.heavyQueue.push({ key, cost, queuedAt: this.now(), go: () => go(this.expectedMs(cost)) });
          this.pump();
        });
        client.running += 1;
        heavy = { cost, expectedMs, startedAt: this.now() };
      },
      leave: () => {
        if (left) return;
        left = true;
        const at = this.now();
        client.running -= 1;
        client.endedAt = at;
        if (heavy) {
          this.heavyRunning = false;
          const tookMs = at - heavy.startedAt;
          // What it took beyond what was earned for it is owed by the next ones.
          if (this.runningOnEarned) this.earnedMs += heavy.expectedMs - tookMs;
          this.runningOnEarned = false;
          this.msPerCost = 0.7 * this.msPerCost + 0.3 * (tookMs / heavy.cost);
        }
        this.forgetIdle(at);
        this.pump();
      },
    };
  }

  /** Arrives and waits for the turn at once (a caller that knows the cost on arrival); answers the release. */
  async admit(identity: Identity, cost: number): Promise<() => void> {
    const visit = this.arrive(identity);
    await visit.admit(cost);
    return visit.leave;
  }

  /** Whether the heavy request running was admitted on earned time (not on an idle hub or after the longest wait). */
  private runningOnEarned = false;

  private expectedMs(cost: number): number {
    return this.msPerCost * cost;
  }

  /** Whether a client other than `key` has a request running or ended one within the quiet time. */
  private othersBusy(key: string, at: number): boolean {
    for (const [other, c] of this.clients) if (other !== key && (c.running > 0 || at - c.endedAt < this.options.quietMs)) return true;
    return false;
  }

  /** Starts the next heavy request if it may run now; otherwise looks again when it may. */
  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.heavyQueue.length === 0) return;
    const next = this.heavyQueue[0];
    const at = this.now();
    const busy = this.othersBusy(next.key, at);
    // Earned only while a heavy request waits beside busy clients, and at most one request's worth.
    if (busy && !this.heavyRunning)
      this.earnedMs = Math.min(this.expectedMs(next.cost), this.earnedMs + (at - this.earnedAt) * this.options.heavyShare);
    this.earnedAt = at;
    if (this.heavyRunning) return;
    const expected = this.expectedMs(next.cost);
    const onEarned = busy && this.earnedMs >= expected;
    if (!busy || onEarned || at - next.queuedAt >= this.options.maxWaitMs) {
      this.heavyQueue.shift();
      this.heavyRunning = true;
      if (onEarned) {
        this.earnedMs -= expected;
        this.runningOnEarned = true;
      }
      next.go();
      return;
    }
    // Others' requests ending quiet do not call back here: look again after the quiet time, or
    // when the time is earned, whichever is first.
    const waitMs = Math.max(
      1,
      Math.min((expected - this.earnedMs) / this.options.heavyShare, this.options.quietMs, next.queuedAt + this.options.maxWaitMs - at),
    );
    this.timer = setTimeout(() => this.pump(), waitMs);
    this.timer.unref?.();
  }

  /** Idle clients carry no information; drop them so the map stays the size of the busy clients. */
  private forgetIdle(at: number): void {
    if (this.clients.size <= 1000) return;
    for (const [k, c] of this.clients) if (c.running === 0 && at - c.endedAt >= this.options.quietMs) this.clients.delete(k);
  }
}
