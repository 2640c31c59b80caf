import fs from "node:fs";
import http, { IncomingMessage } from "node:http";
import { ApolloServer, ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import { commonApolloOptions } from "../subgraphs/shared/apollo";
import { SubgraphName } from "../subgraphs/shared/config";
import { baseContext, BaseRequestContext, withLiveToday } from "../subgraphs/shared/context";
import { StartupError } from "../subgraphs/shared/errors";
import { HealthReport, listen, serveGraphQL } from "../subgraphs/shared/http";
import { RunningServer } from "../subgraphs/shared/subgraph";
import { drainSubscriptions, serveSubscriptions } from "../subgraphs/shared/subscriptions";
import { FederatedSubscriptions } from "./subscriptions";
import { SUPERGRAPH_FILE } from "./compose";

export interface GatewayOptions {
  host: string;
  port: number;
  subgraphUrls: Record<SubgraphName, string>;
  hubRegionCode: string;
  introspection: boolean;
  /** The composed supergraph; the committed schema/supergraph.graphql by default. */
  supergraphSdl?: string;
}

type FetchResponse = Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0];

class SubgraphDataSource extends RemoteGraphQLDataSource<BaseRequestContext> {
  /** Forwards the request id so that one request's log lines in every subgraph can be joined. */
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<BaseRequestContext>["willSendRequest"]>>[0]) {
    if (context.requestId) request.http?.headers.set("x-request-id", context.requestId);
  }

  /**
   * A subgraph answers some client errors with HTTP 400 and a GraphQL body (e.g. a variable its
   * scalar rejects, such as an impossible Date). Relay that error with its code instead of a bare
   * "400: Bad Request", so the client learns what was wrong.
   */
  override async errorFromResponse(response: FetchResponse): Promise<GraphQLError> {
    const body = await this.parseBody(response).catch(() => undefined);
    const first = (body as { errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> } | undefined)?.errors?.[0];
    if (response.status === 400 && typeof first?.message === "string" && typeof first.extensions?.code === "string") {
      return new GraphQLError(first.message, { extensions: first.extensions });
    }
    return super.errorFromResponse(response);
  }
}

/** A subscription sent as a plain HTTP request gets a clear answer instead of the gateway's internal refusal. */
const refuseSubscriptionsOverHttp: ApolloServerPlugin<BaseRequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === "subscription") {
          throw new GraphQLError("Subscriptions are served over WebSocket (graphql-ws protocol) on this same URL; connect with a graphql-ws client.", {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } },
          });
        }
      },
    };
  },
};

export function readSupergraph(): string {
  if (!fs.existsSync(SUPERGRAPH_FILE)) throw new StartupError(`${SUPERGRAPH_FILE} is missing; run npm run compose`);
  return fs.readFileSync(SUPERGRAPH_FILE, "utf8");
}

/**
 * The gateway: Apollo Gateway on Apollo Server, executing query plans over the committed
 * supergraph. Subgraph URLs come from configuration, not from the supergraph file, so one composed
 * schema serves every deployment. `/health` answers 200 only when every subgraph does.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const supergraphSdl = options.supergraphSdl ?? readSupergraph();
  // One data source per subgraph, shared by queries and by the entity fetches of subscriptions.
  const services = Object.fromEntries(Object.entries(options.subgraphUrls).map(([name, url]) => [name, new SubgraphDataSource({ url })]));
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const service = services[name];
      if (!service) throw new StartupError(`the supergraph names a subgraph "${name}" that this hub does not know`);
      return service;
    },
  });
  const subscriptions = new FederatedSubscriptions({ supergraphSdl, services, subgraphUrls: options.subgraphUrls });
  const httpServer = http.createServer();
  const context = (req: IncomingMessage | undefined) => baseContext(req, options.hubRegionCode);
  const wsServer = serveSubscriptions(httpServer, subscriptions.apiGraphQLSchema, (req) => withLiveToday(context(req)), {
    subscribe: subscriptions.subscribe,
  });
  const apollo = new ApolloServer<BaseRequestContext>({
    gateway,
    ...commonApolloOptions("gateway", options.introspection),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), drainSubscriptions(wsServer), refuseSubscriptionsOverHttp],
  });
  let started = false;
  serveGraphQL<BaseRequestContext>(httpServer, {
    apollo,
    context: async (req) => context(req),
    health: async () => (started ? subgraphHealth(options.subgraphUrls) : { ready: false }),
  });
  await apollo.start();
  started = true;
  const port = await listen(httpServer, options.port, options.host, "gateway", "PORT");
  return {
    name: "gateway",
    port,
    url: `http://${options.host}:${port}/graphql`,
    stop: async () => {
      await apollo.stop();
      await subscriptions.stop();
    },
  };
}

async function subgraphHealth(urls: Record<SubgraphName, string>): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(url.replace(/\/graphql$/, "/health"), { signal: AbortSignal.timeout(2000) });
        return [name, response.ok ? "ready" : `unhealthy (${response.status})`] as const;
      } catch (error) {
        return [name, `unreachable (${(error as Error).message})`] as const;
      }
    }),
  );
  const subgraphs = Object.fromEntries(entries);
  return { ready: entries.every(([, state]) => state === "ready"), subgraphs };
}
