import http, { IncomingMessage } from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { DataSource } from "typeorm";
import { commonApolloOptions } from "./apollo";
import { HubConfig, loadConfig, SubgraphName } from "./config";
import { baseContext, BaseRequestContext } from "./context";
import { connect, createDataSource, migrate } from "./db/data-source";
import { StartupError } from "./errors";
import { FederatedSchema } from "./federation";
import { listen, serveGraphQL } from "./http";
import { logger } from "./log";
import { runMain, Stoppable } from "./main";

/**
 * What a subgraph folder provides. Every subgraph is started the same way, by `startSubgraph`,
 * whether alone (its own index.ts) or together with the others (`npm start`).
 */
export interface SubgraphModule<TContext extends BaseRequestContext = BaseRequestContext> {
  name: SubgraphName;
  entities: Function[];
  migrations: Function[];
  buildSchema(): Promise<FederatedSchema>;
  /** Builds a request's context (its DataLoaders) on top of the shared base. */
  createContext(dataSource: DataSource, base: BaseRequestContext): TContext;
}

export function subgraphDataSource(module: SubgraphModule<any>, url: string, poolSize?: number): DataSource {
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
}

/** Serves an initialised subgraph on its own port. Stopping drains requests; the data source stays the caller's. */
export async function startSubgraph<TContext extends BaseRequestContext>(
  module: SubgraphModule<TContext>,
  options: StartSubgraphOptions,
): Promise<RunningServer> {
  const { schema } = await module.buildSchema();
  const httpServer = http.createServer();
  const apollo = new ApolloServer<TContext>({
    schema,
    ...commonApolloOptions(`subgraph ${module.name}`, options.introspection),
    // Inline tracing serves Apollo's hosted studio, which a closed-network hub does not use.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled()],
  });
  serveGraphQL<TContext>(httpServer, {
    apollo,
    context: async (req: IncomingMessage) => module.createContext(options.dataSource, baseContext(req, options.hubRegionCode)),
    health: async () => {
      await options.dataSource.query("SELECT 1");
      return { ready: true, subgraph: module.name };
    },
  });
  await apollo.start();
  const port = await listen(httpServer, options.port, options.host, `subgraph ${module.name}`, `${module.name.toUpperCase()}_PORT`);
  return {
    name: module.name,
    port,
    url: `http://${options.host}:${port}/graphql`,
    stop: () => apollo.stop(),
  };
}

/** Entry point for running one subgraph as its own process (production): DATABASE_URL is required. */
export function runSubgraphStandalone(module: SubgraphModule<any>): void {
  runMain(`subgraph ${module.name}`, async () => {
    const config: HubConfig = loadConfig();
    if (!config.databaseUrl) throw new StartupError("DATABASE_URL is required to run a subgraph on its own (npm start runs an embedded PostgreSQL)");
    const dataSource = await connect(subgraphDataSource(module, config.databaseUrl));
    const applied = await migrate(dataSource);
    const log = logger(module.name);
    if (applied.length) log.info(`applied migrations: ${applied.join(", ")}`);
    const server = await startSubgraph(module, {
      dataSource,
      host: config.host,
      port: config.subgraphPorts[module.name],
      hubRegionCode: config.regionCode,
      introspection: config.introspection,
    });
    log.info(`serving ${server.url}`);
    return {
      stop: async () => {
        await server.stop();
        await dataSource.destroy();
      },
    };
  });
}
