/**
 * How a subgraph asks the rest of the supergraph a question on its caller's behalf: through the
 * gateway, like any client, so that each subgraph keeps owning its data and the gateway plans the
 * fetches (e.g. brokering asks capacity for offers and agreements for their coverage in one query).
 * The caller's identity travels signed with the hub's internal secret, marked with the service
 * that calls, so every access rule and audit record applies to the real caller.
 */

import { GraphQLError } from "graphql";
import { RequestScope } from "./context";
import { Role, systemIdentity } from "./identity";
import { IDENTITY_HEADER, signIdentity } from "./internal-identity";
import { logger } from "./log";
import { tracedFetch } from "./tracing";

export class SupergraphClient {
  private readonly log;

  constructor(
    private readonly url: () => string,
    private readonly internalSecret: string,
    private readonly service: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.log = logger(service);
    this.fetch = tracedFetch(service, "gateway", fetch);
  }

  /** A traced fetch: the call is a span of this service's trace, and carries the trace to the gateway. */
  private readonly fetch: typeof fetch;

  async request<T>(ctx: RequestScope, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const signed = await signIdentity({ ...ctx.identity, viaService: this.service }, this.internalSecret);
    const url = this.url();
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", [IDENTITY_HEADER]: signed, "x-request-id": ctx.requestId },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // The operator's first question is where we looked: name it (HUB_GATEWAY_URL).
      this.log.warn(`request ${ctx.requestId}: the gateway at ${url} did not answer (${describeFetchError(error)}); check HUB_GATEWAY_URL`);
      throw this.unavailable("it could not reach the hub's gateway");
    }
    const body = (await response.json().catch(() => ({}))) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    };
    if (response.status === 401) {
      this.log.error(
        `request ${ctx.requestId}: the gateway at ${url} refused this service's credential: HUB_INTERNAL_SECRET differs between them`,
      );
      throw this.unavailable("the hub's gateway refused its credential");
    }
    const [first] = body.errors ?? [];
    if (first)
      throw new GraphQLError(first.message, { extensions: first.extensions ?? { code: "SUBGRAPH_UNAVAILABLE", service: this.service } });
    if (!body.data) {
      this.log.warn(`request ${ctx.requestId}: the gateway at ${url} answered ${response.status} without data`);
      throw this.unavailable(`the hub's gateway answered ${response.status} without data`);
    }
    return body.data;
  }

  private unavailable(detail: string): GraphQLError {
    return new GraphQLError(`The ${this.service} service is unavailable: ${detail}. Nothing was changed; try again later.`, {
      extensions: { code: "SUBGRAPH_UNAVAILABLE", service: this.service },
    });
  }
}

/**
 * What a subgraph's /health says of the gateway it asks: "reachable", "credential rejected (…)"
 * or "unreachable (…)", with the URL tried. It asks the gateway a question that needs the internal
 * secret but no subgraph (`{ __typename }`), and never the gateway's /health: that asks the
 * subgraphs in turn, and the two would wait on each other.
 */
export async function probeGateway(url: string, internalSecret: string, service: string, hubRegionCode: string): Promise<string> {
  try {
    const identity = systemIdentity(`hub:${service}`, Role.PEER_REGION, hubRegionCode, {
      viaService: service,
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    });
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [IDENTITY_HEADER]: await signIdentity(identity, internalSecret) },
      body: JSON.stringify({ query: "{ __typename }" }),
      signal: AbortSignal.timeout(1500),
    });
    await response.body?.cancel();
    if (response.ok) return "reachable";
    if (response.status === 401) return `credential rejected (${url}: HUB_INTERNAL_SECRET differs)`;
    return `unhealthy (${url} answered ${response.status})`;
  } catch (error) {
    return `unreachable (${url}: ${describeFetchError(error)})`;
  }
}

/** fetch says "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a timeout). */
export function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
