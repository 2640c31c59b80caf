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
    maxDepth: { n: LIMITS.maxDepth, ignoreIntrospection: true, ...reject((found) => `The query is nested ${found} levels deep, more than the limit of ${LIMITS.maxDepth}.`) },
    maxAliases: { n: LIMITS.maxAliases, ...reject((found) => `The query uses ${found} aliases, more than the limit of ${LIMITS.maxAliases}.`) },
    maxDirectives: { n: LIMITS.maxDirectives, ...reject((found) => `The query uses ${found} directives, more than the limit of ${LIMITS.maxDirectives}.`) },
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
          context.reportError(new GraphQLError(`The operation asks for ${fields} root fields, more than the limit of ${limit}; send separate requests.`, { nodes: [operation] }));
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
        extensions: { code: "RATE_LIMITED", retryAfterSeconds: retryAfter, http: { status: 429, headers: new Map([["retry-after", String(retryAfter)]]) } as never },
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
        throw new GraphQLError(`A service of the hub did not answer within ${timeoutMs} ms; the answer is partial.`, { extensions: { code: "SUBGRAPH_TIMEOUT" } });
      }
      throw error;
    })) as unknown as Fetcher;
}
