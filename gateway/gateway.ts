/**
 * The gateway: the hub's one way in. It authenticates callers, applies the limits and input rules,
 * answers from the response cache, plans and executes queries and mutations over the subgraphs
 * (Apollo Gateway) and subscriptions itself (subscriptions.ts), and serves the web app, FHIR and
 * CSV routes. It knows the subgraphs only by their URLs and the composed supergraph; each of its
 * parts takes a narrow view of the request context (CacheableContext, SubscriberContext).
 */

import fs from "node:fs";
import cluster from "node:cluster";
import http, { IncomingMessage, ServerResponse } from "node:http";
import { ApolloServer, ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import { commonApolloOptions, commonPlugins } from "../subgraphs/shared/apollo";
import { SubgraphName } from "../subgraphs/shared/config";
import { AuthConfig, HubConfig } from "../subgraphs/shared/config";
import { Clock, systemClock } from "../subgraphs/shared/clock";
import { baseContext, BaseRequestContext, withLiveToday } from "../subgraphs/shared/context";
import { Identity, Role, systemIdentity } from "../subgraphs/shared/identity";
import { IDENTITY_HEADER, identitySigner, signIdentity, verifyIdentity } from "../subgraphs/shared/internal-identity";
import { APPENDED_EVENTS_EXTENSION } from "../subgraphs/shared/outbox";
import { createAuthenticator } from "./auth";
import { armor, FairAdmission, fetchWithTimeout, LIMITS, RateLimiter } from "./limits";
import { checkArguments } from "./input-rules";
import { CostBudget, CostInFlight, costRefusal, withoutHttp } from "./cost";
import { StartupError } from "../subgraphs/shared/errors";
import { logger } from "../subgraphs/shared/log";
import { describeFetchError } from "../subgraphs/shared/supergraph-client";
import { HealthReport, listen, serveGraphQL } from "../subgraphs/shared/http";
import { RunningServer } from "../subgraphs/shared/subgraph";
import { drainSubscriptions, serveSubscriptions } from "../subgraphs/shared/subscriptions";
import { FederatedSubscriptions } from "./subscriptions";
import { SUPERGRAPH_FILE } from "../subgraphs/shared/paths";
import { Partitioning, ResponseCache, responseCachePlugin } from "./response-cache";
import { ChangeFeeds } from "./change-feeds";
import { offlineApolloGateway } from "./offline-gateway";
import { webRoutes } from "./web/serve";
import { tracedFetch } from "../subgraphs/shared/tracing";
import { isGatewayWorker, WORKER_HEADER } from "./workers";
import { subgraphErrors, watchCache } from "../subgraphs/shared/metrics";
import { NodeIdentity } from "../subgraphs/shared/network/node-key";
import { PeerDirectory } from "../subgraphs/shared/network/directory";
import { ExecuteAs, fhirRoutes, GraphQLAnswer } from "./fhir/routes";
import { invoicingCsvRoute } from "./invoicing-csv";

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/**
 * The gateway's routes besides /graphql and /health: the web app's static files (no data), then
 * the FHIR API and the invoicing CSV, each built on GraphQL executed as the caller.
 */
function extraRoutes(web: Route, execute: ExecuteAs): Route {
  const routes = [web, fhirRoutes(execute), invoicingCsvRoute(execute)];
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    for (const route of routes) if (await route(req, res, url)) return true;
    return false;
  };
}

export interface GatewayOptions {
  host: string;
  port: number;
  subgraphUrls: Record<SubgraphName, string>;
  hubRegionCode: string;
  introspection: boolean;
  /** The composed supergraph; the committed schema/supergraph.graphql by default. */
  supergraphSdl?: string;
  auth: AuthConfig;
  /** Signs the caller's identity for the subgraphs (they hold the same secret). */
  internalSecret: string;
  production: boolean;
  limits: HubConfig["limits"];
  responseCache: HubConfig["responseCache"];
  /** This node in the network: its keys (served as its JWKS) and the peers whose node tokens it accepts. */
  network?: GatewayNetwork;
  /** What day requests are answered for (and cached under); the real day by default. */
  clock?: Clock;
}

export interface GatewayNetwork {
  identity: NodeIdentity;
  directory: PeerDirectory;
  peerTimeoutMs: number;
}

/** The gateway's options from the configuration, with what the runner decides: where the subgraphs are, the secret, the network. */
export function gatewayOptions(
  config: HubConfig,
  run: Pick<GatewayOptions, "subgraphUrls" | "internalSecret" | "network" | "clock">,
): GatewayOptions {
  return {
    host: config.host,
    port: config.gatewayPort,
    hubRegionCode: config.regionCode,
    introspection: config.introspection,
    auth: config.auth,
    production: config.production,
    limits: config.limits,
    responseCache: config.responseCache,
    ...run,
  };
}

/** A request's context at the gateway: the caller, and its identity signed for the subgraphs. */
export interface GatewayContext extends BaseRequestContext {
  signedIdentity: () => Promise<string>;
  /** Subgraphs the request fetched from: what a cached answer depends on, what a mutation changed. */
  fetchedFrom: Set<string>;
  /** Ids of the events each subgraph appended for this request (its changes). */
  appendedEvents: Map<string, number[]>;
}

type FetchResponse = Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0];

const log = logger("gateway");

class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  /**
   * Tells the subgraph who the caller is (signed, so it can check), and forwards the request id so
   * that one request's log lines in every subgraph can be joined.
   */
  override async willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["willSendRequest"]>>[0]) {
    if (context.requestId) request.http?.headers.set("x-request-id", context.requestId);
    if (context.signedIdentity) request.http?.headers.set(IDENTITY_HEADER, await context.signedIdentity());
    context.fetchedFrom?.add(this.name);
    // A national search depends on peers, whose changes no change feed here announces: "network"
    // is no cacheable subgraph, so the response cache never keeps such an answer.
    if (this.name === "capacity" && request.query?.includes("nationalCapacity")) context.fetchedFrom?.add("network");
  }

  /** Notes the events the subgraph appended (its changes), for the response cache. */
  override didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0]) {
    const ids = response.extensions?.[APPENDED_EVENTS_EXTENSION];
    if (Array.isArray(ids) && context.appendedEvents)
      context.appendedEvents.set(this.name, [...(context.appendedEvents.get(this.name) ?? []), ...ids.map(Number)]);
    return response;
  }

  /**
   * A subgraph answers some client errors with HTTP 400 and a GraphQL body (e.g. a variable its
   * scalar rejects, such as an impossible Date). Relay that error with its code instead of a bare
   * "400: Bad Request", so the client learns what was wrong. Any other refusal is the hub's own
   * fault, not the client's: a subgraph refusing the gateway's signature (401: the processes do
   * not share HUB_INTERNAL_SECRET) or failing outright is SUBGRAPH_UNAVAILABLE naming the service.
   * (The body is read once here: Apollo's own version reads it again and fails "Body is unusable".)
   */
  override async errorFromResponse(response: FetchResponse): Promise<GraphQLError> {
    const body = await this.parseBody(response).catch(() => undefined);
    const first = (body as { errors?: Array<{ message?: string; extensions?: Record<string, unknown> }> } | undefined)?.errors?.[0];
    if (response.status === 400 && typeof first?.message === "string" && typeof first.extensions?.code === "string") {
      return new GraphQLError(first.message, { extensions: first.extensions });
    }
    subgraphErrors.inc({ subgraph: this.name, reason: `http_${response.status}` });
    if (response.status === 401) {
      log.error(
        `subgraph ${this.name} at ${this.url} refused the gateway's credential: HUB_INTERNAL_SECRET differs between the gateway and this subgraph`,
      );
      return subgraphUnavailable(this.name, "refused the gateway's credential (a configuration fault of the hub)");
    }
    log.error(`subgraph ${this.name} at ${this.url} answered HTTP ${response.status}`);
    return subgraphUnavailable(this.name, `answered HTTP ${response.status}`);
  }

  /**
   * A subgraph that is down, refuses connections or does not answer in time: a stable code naming
   * the service, so the client knows which part of the answer is missing and that retrying later
   * may help. The rest of the answer is still sent.
   */
  override didEncounterError(error: Error): void {
    if (error instanceof GraphQLError) {
      if (error.extensions?.code === "SUBGRAPH_TIMEOUT") {
        subgraphErrors.inc({ subgraph: this.name, reason: "timeout" });
        throw new GraphQLError(`The ${this.name} service did not answer in time; the answer is partial.`, {
          extensions: { ...error.extensions, service: this.name },
        });
      }
      throw error;
    }
    subgraphErrors.inc({ subgraph: this.name, reason: "unreachable" });
    log.warn(`subgraph ${this.name} at ${this.url}: ${describeFetchError(error)}`);
    throw subgraphUnavailable(this.name, "is not reachable");
  }
}

function subgraphUnavailable(service: string, detail: string): GraphQLError {
  return new GraphQLError(`The ${service} service of the hub ${detail}; the answer is partial. Try again later.`, {
    extensions: { code: "SUBGRAPH_UNAVAILABLE", service },
  });
}

/**
 * Checks, once the operation is known and before it is planned: that the request names an
 * operation its document has (a client mistake, 400, where Apollo Gateway would fail with 500);
 * that it is no subscription (those are served over WebSocket); the input rules every argument
 * obeys (input-rules.ts), for literals and variables alike; and the cost with the variables
 * (cost.ts): the per-request limit, the client's budget a minute and its turn in the cost in flight.
 */
function checkOperation(budget: CostBudget, inFlight: CostInFlight, fair: FairAdmission): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      let release: (() => void) | undefined;
      // The client is busy from its request's arrival: heavy requests of others yield to it (limits.ts).
      const visit = contextValue.identity ? fair.arrive(contextValue.identity) : undefined;
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          if (!operation) {
            const message = request.operationName
              ? `Unknown operation named "${request.operationName}".`
              : "Must provide operation name if query contains multiple operations.";
            throw new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } });
          }
          if (operation.operation === "subscription") {
            throw new GraphQLError(
              "Subscriptions are served over WebSocket (graphql-ws protocol) on this same URL; connect with a graphql-ws client.",
              {
                extensions: { code: "BAD_REQUEST", http: { status: 400 } },
              },
            );
          }
          const refused = checkArguments(schema, document, operation, request.variables);
          if (refused) throw refused;
          // Cost with the variables, before planning; a hub service asking on a caller's behalf was
          // charged with the caller's own request.
          const { cost, error } = costRefusal(schema, document, operation, request.variables, LIMITS.maxCost);
          if (error) throw error;
          const internal = request.http?.headers.has(IDENTITY_HEADER) && !request.http.headers.has("authorization");
          if (internal) return;
          budget.charge(contextValue.identity, cost);
          release = await inFlight.acquire(contextValue.identity, cost);
          // Then its turn beside other clients: a heavy request yields to their work.
          await visit?.admit(cost);
        },
        async willSendResponse() {
          visit?.leave();
          release?.();
        },
      };
    },
  };
}

function tokenOf(params: Readonly<Record<string, unknown>> | undefined): unknown {
  return params?.authorization ?? params?.Authorization;
}

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
  const fetcher = fetchWithTimeout(options.limits.subgraphTimeoutMs);
  // Each subgraph fetch is a span of the request's trace (under Apollo Gateway's gateway.fetch) and carries it on.
  const services = Object.fromEntries(
    Object.entries(options.subgraphUrls).map(([name, url]) => [
      name,
      new SubgraphDataSource(name, { url, fetcher: tracedFetch("gateway", name, fetcher) }),
    ]),
  );
  const gateway = offlineApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const service = services[name];
      if (!service) throw new StartupError(`the supergraph names a subgraph "${name}" that this hub does not know`);
      return service;
    },
  });
  const subscriptions = new FederatedSubscriptions({ supergraphSdl, services, subgraphUrls: options.subgraphUrls });
  // Any subgraph may be cached once its change feed is live; only those that describe a feed ever are.
  const cache = new ResponseCache({ cacheable: Object.keys(options.subgraphUrls), ...options.responseCache });
  const partitionings = new Map<string, Partitioning>();
  const unwatchCache = watchCache(() => [[{}, cache.stats().entries]]);
  const feeds = new ChangeFeeds(options.subgraphUrls, options.internalSecret, options.hubRegionCode, {
    described: (subgraph, feed) => {
      if (feed.partitioning) partitionings.set(subgraph, { subgraph, ...feed.partitioning });
    },
    live: (subgraph, live) => cache.setLive(subgraph, live),
    changed: (subgraph, parts) => cache.invalidate(subgraph, parts),
  });
  const protection = armor();
  const common = commonApolloOptions("gateway", options.introspection);
  const httpServer = http.createServer();
  // Which worker answered, when the gateway runs as several (see workers.ts).
  if (isGatewayWorker())
    httpServer.on("request", (_req, res: http.ServerResponse) => res.setHeader(WORKER_HEADER, String(cluster.worker?.id ?? "")));
  const network = options.network;
  const verify = await createAuthenticator(
    options.auth,
    network && { directory: network.directory, ownIssuer: network.identity.issuer, jwksTimeoutMs: network.peerTimeoutMs },
  );
  const limiter = new RateLimiter(options.limits.ratePerMinute);
  const budget = new CostBudget(options.limits.costPerMinute);
  const inFlight = new CostInFlight(options.limits.costInFlight);
  const fair = new FairAdmission();
  const authenticate = async (authorization: unknown) => {
    const identity = await verify(authorization);
    limiter.take(identity);
    return identity;
  };
  const context = (req: IncomingMessage, identity: Identity): GatewayContext => ({
    ...baseContext(req, options.hubRegionCode, identity, options.clock ?? systemClock),
    signedIdentity: identitySigner(identity, options.internalSecret),
    fetchedFrom: new Set(),
    appendedEvents: new Map(),
  });
  const wsServer = serveSubscriptions(httpServer, subscriptions.apiGraphQLSchema, {
    service: "gateway",
    // The token travels in the connection's parameters (browsers cannot set WebSocket headers).
    onConnect: async (connection) => ({ expiresAt: (await authenticate(tokenOf(connection.connectionParams))).expiresAt }),
    // …and is checked again, by the same rules, for every subscription.
    authorize: (connection) => authenticate(tokenOf(connection.connectionParams)),
    context: (connection, identity) => withLiveToday(context(connection.request, identity), options.clock ?? systemClock),
    subscribe: subscriptions.subscribe,
    // Subscriptions are held to the same document limits and input rules as queries.
    validationRules: protection.validationRules,
    maxTokens: LIMITS.maxTokens,
    checkOperation: (document, operation, variables, identity) => {
      const refused = checkArguments(subscriptions.apiGraphQLSchema, document, operation, variables);
      if (refused) return refused;
      const { cost, error } = costRefusal(subscriptions.apiGraphQLSchema, document, operation, variables, LIMITS.maxCost);
      if (error) return withoutHttp(error);
      try {
        budget.charge(identity, cost);
      } catch (spent) {
        return withoutHttp(spent as GraphQLError);
      }
      return undefined;
    },
    hideSuggestions: options.production,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...common,
    validationRules: [...common.validationRules, ...protection.validationRules],
    // graphql-js stops parsing at the token limit (a parse failure: GRAPHQL_PARSE_FAILED, 400).
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // Field suggestions ("did you mean …") reveal the schema; production leaves them out.
    hideSchemaDetailsFromClientErrors: options.production,
    plugins: [
      ...commonPlugins(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      drainSubscriptions(wsServer),
      checkOperation(budget, inFlight, fair),
      responseCachePlugin(cache, {
        partitionings: () => [...partitionings.values()],
        heard: (subgraph, ids) => feeds.heard(subgraph, ids),
      }),
    ],
  });
  let started = false;
  serveGraphQL<GatewayContext>(httpServer, {
    service: "gateway",
    apollo,
    // Unauthenticated requests get nothing but /health. A hub service asking on a caller's behalf
    // (brokering) carries that caller's identity signed with the internal secret; the caller's own
    // request was already counted against the rate limit.
    context: async (req) => {
      const internal = req.headers[IDENTITY_HEADER];
      if (internal !== undefined && req.headers.authorization === undefined)
        return context(req, await verifyIdentity(internal, options.internalSecret));
      const requestContext = context(req, await authenticate(req.headers.authorization));
      // A peer node's call is logged here as the calling node logs it, joined by the request id.
      const peer = network?.directory.byIssuer(requestContext.identity.issuer);
      if (peer) log.info(`peer call from region ${peer.regionCode} (${peer.name}) request ${requestContext.requestId}`);
      return requestContext;
    },
    // The web app is static; the FHIR API and the invoicing CSV execute GraphQL here, as the
    // caller: same token, roles, limits and audit as /graphql.
    routes: extraRoutes(webRoutes({ auth: options.auth, production: options.production }), async (req, query, variables) => {
      const contextValue = context(req, await authenticate(req.headers.authorization));
      const response = await apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== "single") throw new Error("an incremental answer where a single one was asked for");
      return response.body.singleResult as GraphQLAnswer;
    }),
    // The node's public keys, for peers verifying its tokens: unauthenticated, like /health.
    publicJson: network ? { "/.well-known/jwks.json": async () => network.identity.jwks() } : undefined,
    health: async () =>
      started
        ? { ...(await subgraphHealth(options.subgraphUrls, options.internalSecret, options.hubRegionCode)), responseCache: cache.stats() }
        : { ready: false },
  });
  await apollo.start();
  started = true;
  if (options.responseCache.maxBytes > 0) feeds.start(Object.keys(options.subgraphUrls));
  const port = await listen(httpServer, options.port, options.host, "gateway", "PORT");
  return {
    name: "gateway",
    port,
    url: `http://${options.host}:${port}/graphql`,
    stop: async () => {
      unwatchCache();
      await feeds.stop();
      await apollo.stop();
      await subscriptions.stop();
    },
  };
}

/**
 * Each subgraph's own /health, and then a question that needs the gateway's credential
 * (`{ __typename }`, signed as every request is): a subgraph holding another HUB_INTERNAL_SECRET
 * is up but refuses everything the gateway sends, and must not look ready.
 */
async function subgraphHealth(urls: Record<SubgraphName, string>, internalSecret: string, hubRegionCode: string): Promise<HealthReport> {
  const identity = systemIdentity("hub:gateway", Role.PEER_REGION, hubRegionCode, { expiresAt: Math.floor(Date.now() / 1000) + 60 });
  const signed = await signIdentity(identity, internalSecret);
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(url.replace(/\/graphql$/, "/health"), { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        if (!response.ok) return [name, `unhealthy (${response.status})`] as const;
        const asked = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", [IDENTITY_HEADER]: signed },
          body: JSON.stringify({ query: "{ __typename }" }),
          signal: AbortSignal.timeout(2000),
        });
        await asked.body?.cancel();
        if (asked.status === 401) return [name, "credential rejected (HUB_INTERNAL_SECRET differs)"] as const;
        return [name, asked.ok ? "ready" : `unhealthy (${asked.status})`] as const;
      } catch (error) {
        return [name, `unreachable (${describeFetchError(error)})`] as const;
      }
    }),
  );
  const subgraphs = Object.fromEntries(entries);
  return { ready: entries.every(([, state]) => state === "ready"), subgraphs };
}
