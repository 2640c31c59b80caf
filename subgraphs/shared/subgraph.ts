/**
 * What a subgraph is to the rest of the hub (`SubgraphModule`: its entities, migrations, schema,
 * reference data, change feed, runtime and request context) and the one way every subgraph is
 * started and served, alone (`runSubgraphStandalone`, its index.ts) or with the others
 * (seeds/hub.ts): migrations and reference data as the migrator, requests as its runtime role,
 * GraphQL and graphql-ws on one port, each request's caller verified from the gateway's signature.
 */

import http, { IncomingMessage } from "node:http";
import { ApolloServer, ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { DataSource, MigrationInterface } from "typeorm";
import { commonApolloOptions, commonPlugins } from "./apollo";
import { CHANGE_FEED_PATH, ChangeFeedDescription } from "./change-feed";
import { HubConfig, loadConfig, SubgraphName } from "./config";
import { Clock, systemClock } from "./clock";
import { baseContext, BaseRequestContext, withLiveToday } from "./context";
import { connect, Constructor, createDataSource, migrate } from "./db/data-source";
import { provisionRuntimeRoles } from "./db/roles";
import { ReferenceData, seedReferenceData } from "./db/seed-step";
import { StartupError } from "./errors";
import { FederatedSchema } from "./federation";
import { listen, serveGraphQL } from "./http";
import { logger, setLogService } from "./log";
import { serveMetrics, watchPool } from "./metrics";
import { runMain, Stoppable } from "./main";
import { drainSubscriptions, serveSubscriptions } from "./subscriptions";
import { IDENTITY_HEADER, verifyIdentity } from "./internal-identity";
import { probeGateway, SupergraphClient } from "./supergraph-client";
import { APPENDED_EVENTS_EXTENSION, appendedEvents } from "./outbox";
import { nodeIssuer } from "./config";
import { PeerDirectory } from "./network/directory";
import { loadNodeKeys, NodeIdentity } from "./network/node-key";

/** What a node knows of the network: its identity (keys, issuer) and the directory of its peers. */
export interface NationalNetwork {
  identity: NodeIdentity;
  directory: PeerDirectory;
  peerTimeoutMs: number;
  peerMaxAnswerBytes: number;
}

/** The network settings of a configuration; the issuer is read when first needed (the gateway may pick its port at start). */
export function nationalNetwork(config: HubConfig, gatewayUrl: () => string): NationalNetwork {
  return {
    identity: new NodeIdentity(config.network.nodeKeyFile, () => nodeIssuer(config.network, gatewayUrl()), config.regionCode),
    directory: new PeerDirectory(config.network.peersFile, config.regionCode),
    peerTimeoutMs: config.network.peerTimeoutMs,
    peerMaxAnswerBytes: config.network.peerMaxAnswerBytes,
  };
}

/**
 * Any subgraph module, for code that handles them all alike (runners, seeds, composition). Its
 * context and runtime are each module's own; the methods that take them are declared as methods,
 * so a module with a narrower context or runtime still fits here.
 */
export type AnySubgraphModule = SubgraphModule<BaseRequestContext, Stoppable | undefined>;

/**
 * What a subgraph folder provides. Every subgraph is started the same way, by `startSubgraph`,
 * whether alone (its own index.ts) or together with the others (`npm start`).
 */
export interface SubgraphModule<
  TContext extends BaseRequestContext = BaseRequestContext,
  TRuntime extends Stoppable | undefined = undefined,
> {
  name: SubgraphName;
  entities: Constructor[];
  migrations: Constructor<MigrationInterface>[];
  /**
   * Whether its resolvers ask the supergraph through the gateway (`RuntimeEnvironment.supergraph`):
   * such a subgraph must be told where the gateway is when it runs on its own, and its /health
   * says whether it can reach it.
   */
  usesSupergraph?: boolean;
  buildSchema(): Promise<FederatedSchema>;
  /**
   * The national reference data its schema holds, which every deployment needs: seeded after the
   * migrations, as the migrator, once per database (under the schema's advisory lock, so replicas
   * starting together do not race).
   */
  referenceData?: readonly ReferenceData[];
  /** Its change feed, for the gateway's response cache (served at GET /change-feed; see change-feed.ts). */
  changeFeed?: ChangeFeedDescription;
  /** Starts what lives as long as the process (event streams, background jobs), before serving. */
  startRuntime?(dataSource: DataSource, environment: RuntimeEnvironment): Promise<TRuntime>;
  /** What the subgraph's /health adds about its runtime (e.g. open subscriptions). */
  health?(runtime: TRuntime): Record<string, unknown>;
  /** Builds a request's (or a subscription's) context, with its DataLoaders, on top of the shared base. */
  createContext(dataSource: DataSource, base: BaseRequestContext, runtime: TRuntime): TContext;
}

/** What a subgraph's runtime learns of the hub it runs in. */
export interface RuntimeEnvironment {
  hubRegionCode: string;
  /** Asks the supergraph (through the gateway) on a caller's behalf. */
  supergraph: (service: string) => SupergraphClient;
  atRiskMarginDays: number;
  auditRetentionYears: number;
  /** This node among its peers (its identity and directory), for the national search; none: a node on its own. */
  network?: NationalNetwork;
  /** What day it is, for the runtime's sweeps. */
  clock: Clock;
}

export function subgraphDataSource(module: AnySubgraphModule, url: string, poolSize?: number): DataSource {
  return createDataSource({ schema: module.name, url, entities: module.entities, migrations: module.migrations, poolSize });
}

export interface RunningServer extends Stoppable {
  name: string;
  port: number;
  url: string;
}

export interface StartSubgraphOptions {
  dataSource: DataSource;
  host: string;
  port: number;
  hubRegionCode: string;
  introspection: boolean;
  /** The secret the gateway signs callers' identities with (HUB_INTERNAL_SECRET). */
  internalSecret: string;
  /** The gateway's URL, read when first needed (in one process it starts after the subgraphs). */
  gatewayUrl: () => string;
  atRiskMarginDays: number;
  auditRetentionYears: number;
  network?: NationalNetwork;
  /** What day it is for requests and sweeps; the real day by default. */
  clock?: Clock;
}

/** A subgraph's start options from the configuration, with what the runner decides: its data source, the secret, the gateway's URL, the network. */
export function subgraphOptions(
  config: HubConfig,
  name: SubgraphName,
  run: Pick<StartSubgraphOptions, "dataSource" | "internalSecret" | "gatewayUrl" | "network" | "clock">,
): StartSubgraphOptions {
  return {
    host: config.host,
    port: config.subgraphPorts[name],
    hubRegionCode: config.regionCode,
    introspection: config.introspection,
    atRiskMarginDays: config.atRiskMarginDays,
    auditRetentionYears: config.auditRetentionYears,
    ...run,
  };
}

/** Serves an initialised subgraph on its own port. Stopping drains requests; the data source stays the caller's. */
export async function startSubgraph<TContext extends BaseRequestContext, TRuntime extends Stoppable | undefined>(
  module: SubgraphModule<TContext, TRuntime>,
  options: StartSubgraphOptions,
): Promise<RunningServer> {
  const { schema } = await module.buildSchema();
  const clock = options.clock ?? systemClock;
  const environment: RuntimeEnvironment = {
    hubRegionCode: options.hubRegionCode,
    supergraph: (service) => new SupergraphClient(options.gatewayUrl, options.internalSecret, service),
    atRiskMarginDays: options.atRiskMarginDays,
    auditRetentionYears: options.auditRetentionYears,
    network: options.network,
    clock,
  };
  const runtime = (module.startRuntime ? await module.startRuntime(options.dataSource, environment) : undefined) as TRuntime;
  const httpServer = http.createServer();
  // Subscriptions (graphql-ws) on the same URL as queries; the gateway is their client.
  const subscriptions = schema.getSubscriptionType()
    ? serveSubscriptions(httpServer, schema, {
        service: module.name,
        // Every subscription carries the caller's identity, signed by the gateway: this hub's gateway
        // sends it with each subscription (its extensions, one socket for many callers); another
        // engine (Hive Gateway) sends it in the connection's parameters, one socket per caller.
        // Either way it is checked, signature and expiry, for every subscription.
        authorize: (connection) =>
          verifyIdentity(
            connection.extensions?.[IDENTITY_HEADER] ?? connection.connectionParams?.[IDENTITY_HEADER],
            options.internalSecret,
          ),
        context: (connection, identity) =>
          withLiveToday(
            module.createContext(options.dataSource, baseContext(connection.request, options.hubRegionCode, identity, clock), runtime),
            clock,
          ),
      })
    : undefined;
  const apollo = new ApolloServer<TContext>({
    schema,
    ...commonApolloOptions(`subgraph ${module.name}`, options.introspection),
    plugins: [
      ...commonPlugins(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(subscriptions ? [drainSubscriptions(subscriptions)] : []),
      reportAppendedEvents,
    ],
  });
  serveGraphQL<TContext>(httpServer, {
    service: module.name,
    apollo,
    // Records the events each operation appends, for reportAppendedEvents to tell the gateway.
    aroundOperation: (operation) => appendedEvents.run([], operation),
    // Nothing, not even `_entities` or `_service`, without the gateway's signed identity.
    context: async (req: IncomingMessage) => {
      const identity = await verifyIdentity(req.headers[IDENTITY_HEADER], options.internalSecret);
      return module.createContext(options.dataSource, baseContext(req, options.hubRegionCode, identity, clock), runtime);
    },
    publicJson: module.changeFeed ? { [CHANGE_FEED_PATH]: async () => module.changeFeed } : undefined,
    health: async () => {
      await options.dataSource.query("SELECT 1");
      // Reported, not part of readiness: the gateway is ready only when every subgraph is, so a
      // subgraph waiting for the gateway would keep both out of service forever. Queries that do
      // not ask the supergraph still work without it, and those that do answer SUBGRAPH_UNAVAILABLE.
      const gateway = module.usesSupergraph
        ? { gateway: await probeGateway(options.gatewayUrl(), options.internalSecret, module.name, options.hubRegionCode) }
        : {};
      return { ready: true, subgraph: module.name, ...gateway, ...module.health?.(runtime) };
    },
  });
  await apollo.start();
  const stopWatchingPool = watchPool(
    module.name,
    () => (options.dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master,
  );
  const port = await listen(httpServer, options.port, options.host, `subgraph ${module.name}`, `${module.name.toUpperCase()}_PORT`);
  return {
    name: module.name,
    port,
    url: `http://${options.host}:${port}/graphql`,
    stop: async () => {
      stopWatchingPool();
      await apollo.stop();
      await runtime?.stop();
    },
  };
}

/** Tells the gateway which events a request appended (see `appendedEvents`). */
const reportAppendedEvents: ApolloServerPlugin<BaseRequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const ids = appendedEvents.getStore();
        if (!ids?.length || response.body.kind !== "single") return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, [APPENDED_EVENTS_EXTENSION]: [...ids] };
      },
    };
  },
};

/** Seeds a subgraph's reference data, if it has any; returns the steps that ran. */
export async function seedReference(module: AnySubgraphModule, migrator: DataSource): Promise<string[]> {
  return seedReferenceData(migrator, module.referenceData ?? []);
}

/** Entry point for running one subgraph as its own process (production): DATABASE_URL is required. */
export function runSubgraphStandalone(module: AnySubgraphModule): void {
  runMain(`subgraph ${module.name}`, async () => {
    setLogService(module.name);
    const config: HubConfig = loadConfig();
    if (!config.databaseUrl)
      throw new StartupError("DATABASE_URL is required to run a subgraph on its own (npm start runs an embedded PostgreSQL)");
    const internalSecret = requireInternalSecret(config);
    // The default (this host, PORT) is right only inside `npm start`; on its own the subgraph
    // would quietly ask whatever listens there.
    if (module.usesSupergraph && !process.env.HUB_GATEWAY_URL) {
      throw new StartupError(
        `HUB_GATEWAY_URL is required: the ${module.name} subgraph asks the hub's gateway on its callers' behalf (e.g. http://gateway.internal:4000/graphql)`,
      );
    }
    // The capacity subgraph asks peers as this node: its key is checked (or made, in development) before serving.
    if (module.name === "capacity" && config.network.peersFile) await loadNodeKeys(config.network.nodeKeyFile, !config.production);
    // Migrations and reference data as DATABASE_URL's role (the migrator); requests as the
    // subgraph's own runtime role, which owns nothing (see db/roles.ts).
    // Two connections: migrate() holds one for its advisory lock while the migrations run on another.
    const migrator = await connect(subgraphDataSource(module, config.databaseUrl, 2));
    const log = logger(module.name);
    try {
      const applied = await migrate(migrator);
      if (applied.length) log.info(`applied migrations: ${applied.join(", ")}`);
      // Reference data belongs in every deployment; each subgraph seeds its own schema's part.
      const seeded = config.seedMode === "none" ? [] : await seedReference(module, migrator);
      if (seeded.length) log.info(`seeded: ${seeded.join(", ")}`);
    } finally {
      await migrator.destroy();
    }
    const runtimeUrls = await provisionRuntimeRoles(config.databaseUrl, [module.name], config.databaseRoles);
    const dataSource = await connect(subgraphDataSource(module, runtimeUrls[module.name]));
    const server = await startSubgraph(
      module,
      subgraphOptions(config, module.name, {
        dataSource,
        internalSecret,
        gatewayUrl: () => config.gatewayUrl,
        network: nationalNetwork(config, () => config.gatewayUrl),
      }),
    );
    log.info(`serving ${server.url}`);
    const metrics = await serveMetrics(`subgraph ${module.name}`);
    return {
      stop: async () => {
        await metrics?.stop();
        await server.stop();
        await dataSource.destroy();
      },
    };
  });
}

/** Processes started on their own share the gateway's secret through configuration. */
export function requireInternalSecret(config: HubConfig): string {
  if (!config.auth.internalSecret) {
    throw new StartupError(
      "HUB_INTERNAL_SECRET is required when the gateway and subgraphs run as separate processes (the same value for all; e.g. openssl rand -base64 32)",
    );
  }
  return config.auth.internalSecret;
}
