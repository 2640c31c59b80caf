import { GraphQLError } from "graphql";
import { BaseRequestContext } from "./context";
import { IDENTITY_HEADER, signIdentity } from "./internal-identity";

/**
 * How a subgraph asks the rest of the supergraph a question on its caller's behalf: through the
 * gateway, like any client, so that each subgraph keeps owning its data and the gateway plans the
 * fetches (e.g. brokering asks capacity for offers and agreements for their coverage in one query).
 * The caller's identity travels signed with the hub's internal secret, marked with the service
 * that calls, so every access rule and audit record applies to the real caller.
 */
export class SupergraphClient {
  constructor(
    private readonly url: () => string,
    private readonly internalSecret: string,
    private readonly service: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async request<T>(ctx: BaseRequestContext, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const signed = await signIdentity({ ...ctx.identity, viaService: this.service }, this.internalSecret);
    let response: Response;
    try {
      response = await fetch(this.url(), {
        method: "POST",
        headers: { "content-type": "application/json", [IDENTITY_HEADER]: signed, "x-request-id": ctx.requestId },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unavailable(`the gateway did not answer (${(error as Error).message})`);
    }
    const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    const [first] = body.errors ?? [];
    if (first) throw new GraphQLError(first.message, { extensions: first.extensions ?? { code: "SERVICE_UNAVAILABLE" } });
    if (!body.data) throw unavailable(`the gateway answered ${response.status} without data`);
    return body.data;
  }
}

function unavailable(detail: string): GraphQLError {
  return new GraphQLError(`A service this step depends on is unavailable; nothing was changed. Try again (${detail}).`, {
    extensions: { code: "SERVICE_UNAVAILABLE" },
  });
}
