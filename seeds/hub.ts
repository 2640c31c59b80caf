/**
 * `npm start`: the whole hub in one process, the demo node. An embedded PostgreSQL (or
 * DATABASE_URL), every subgraph on its own port, the gateway over them, the demo data seeded. It
 * imports every subgraph and the seeds, so it sits above the gateway, with the seeds; a production
 * deployment runs gateway/index.ts and each subgraph's index.ts instead.
 */

import http from "node:http";
import { DataSource } from "typeorm";
import { HubConfig, loadConfig, requireTrustedIssuers, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/shared/config";
import { Clock, systemClock } from "../subgraphs/shared/clock";
import { REGIONS } from "../subgraphs/shared/domain/regions";
import { connect, migrate } from "../subgraphs/shared/db/data-source";
import { provisionRuntimeRoles } from "../subgraphs/shared/db/roles";
import { openHubDatabase } from "../subgraphs/shared/db/hub-database";
import { listen } from "../subgraphs/shared/http";
import { logger } from "../subgraphs/shared/log";
import { runMain } from "../subgraphs/shared/main";
import { nationalNetwork, RunningServer, startSubgraph, subgraphDataSource, subgraphOptions } from "../subgraphs/shared/subgraph";
import { seedHub } from "./index";
import { gatewayOptions, startGateway } from "../gateway/gateway";
import { signDevToken } from "../gateway/dev-keys";
import { ROLES } from "../subgraphs/shared/identity";
import { newInternalSecret } from "../subgraphs/shared/internal-identity";
import { SUBGRAPHS } from "./subgraphs";
import { startGatewayWorkers, Workers } from "../gateway/workers";
import { metricsSettings, serveMetrics } from "../subgraphs/shared/metrics";
import { setLogService } from "../subgraphs/shared/log";
import { loadNodeKeys } from "../subgraphs/shared/network/node-key";

const log = logger("hub");

export interface Hub {
  gateway: RunningServer;
  subgraphs: Record<SubgraphName, RunningServer>;
  dataSources: Record<SubgraphName, DataSource>;
  /** The gateway's worker processes, when it runs as several (HUB_GATEWAY_WORKERS). */
  gatewayWorkers?: Workers;
  /** Seed steps that ran at this start (none when the database was seeded before). */
  seeded: string[];
  stop(): Promise<void>;
}

/**
 * Starts the whole hub in this process against one PostgreSQL: each subgraph gets its own data
 * source (its own schema), its migrations, the seeds, its own HTTP server and port; then the
 * gateway over them. Stopping drains the gateway first, then the subgraphs, then closes the pools.
 * `clock` says what day the hub lives on (gateway workers, processes of their own, read the real day).
 */
export async function startHub(config: HubConfig, databaseUrl: string, clock: Clock = systemClock): Promise<Hub> {
  requireTrustedIssuers(config);
  // A node with peers signs its calls: its key is made on first start in development, given in production.
  if (config.network.peersFile) await loadNodeKeys(config.network.nodeKeyFile, !config.production);
  const dataSources = {} as Record<SubgraphName, DataSource>;
  const subgraphs = {} as Record<SubgraphName, RunningServer>;
  let gateway: RunningServer | undefined;
  let gatewayWorkers: Workers | undefined;
  const stop = async () => {
    await gateway?.stop();
    await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
    await Promise.all(Object.values(dataSources).map((d) => (d.isInitialized ? d.destroy() : undefined)));
  };
  const migrators = {} as Record<SubgraphName, DataSource>;
  try {
    // Migrations and seeds as the migrator (DATABASE_URL's role, owner of the schemas) …
    for (const name of SUBGRAPH_NAMES) {
      migrators[name] = await connect(subgraphDataSource(SUBGRAPHS[name], databaseUrl, 2));
      const applied = await migrate(migrators[name]);
      if (applied.length) log.info(`${name}: applied migrations ${applied.join(", ")}`);
    }
    // A node of the national network holds its own region's providers; its peers hold theirs.
    const seeded = await seedHub(migrators, config.seedMode, clock.today(), config.network.peersFile ? config.regionCode : undefined);
    await Promise.all(Object.values(migrators).map((d) => d.destroy()));
    // … and requests as each subgraph's own runtime role, which owns nothing.
    const runtimeUrls = await provisionRuntimeRoles(databaseUrl, SUBGRAPH_NAMES, config.databaseRoles);
    for (const name of SUBGRAPH_NAMES) {
      dataSources[name] = await connect(subgraphDataSource(SUBGRAPHS[name], runtimeUrls[name]));
    }
    // In one process the gateway and subgraphs can share a secret made for this run.
    const internalSecret = config.auth.internalSecret ?? newInternalSecret();
    // The gateway may listen on a port chosen at start (PORT=0); subgraphs read its URL when they first need it.
    let gatewayUrl = config.gatewayUrl;
    const network = nationalNetwork(config, () => gatewayUrl);
    for (const name of SUBGRAPH_NAMES) {
      subgraphs[name] = await startSubgraph(
        SUBGRAPHS[name],
        subgraphOptions(config, name, { dataSource: dataSources[name], internalSecret, gatewayUrl: () => gatewayUrl, network, clock }),
      );
    }
    const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphs[name].url])) as Record<SubgraphName, string>;
    if (config.gatewayWorkers > 1) {
      // Workers are processes of their own: they reach the subgraphs over HTTP like a separate
      // gateway, with this run's internal secret.
      const workers = await startGatewayWorkers(config.gatewayWorkers, {
        PORT: String(config.gatewayPort),
        HOST: config.host,
        HUB_INTERNAL_SECRET: internalSecret,
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, subgraphUrls[name]])),
      });
      gateway = { name: "gateway", port: workers.port, url: `http://${config.host}:${workers.port}/graphql`, stop: () => workers.stop() };
      gatewayWorkers = workers;
      gatewayUrl = gateway.url;
      return { gateway, subgraphs, dataSources, seeded, stop, gatewayWorkers };
    }
    gateway = await startGateway(gatewayOptions(config, { subgraphUrls, internalSecret, network, clock }));
    gatewayUrl = gateway.url;
    return { gateway, subgraphs, dataSources, seeded, stop };
  } catch (error) {
    await Promise.all(Object.values(migrators).map((d) => (d.isInitialized ? d.destroy() : undefined))).catch(() => undefined);
    await stop().catch(() => undefined);
    throw error;
  }
}

/** Fails fast, before anything starts, when a configured port is taken. */
async function assertPortsFree(config: HubConfig): Promise<void> {
  const ports: Array<[number, string, string]> = [
    [config.gatewayPort, "gateway", "PORT"],
    ...SUBGRAPH_NAMES.map((name): [number, string, string] => [
      config.subgraphPorts[name],
      `subgraph ${name}`,
      `${name.toUpperCase()}_PORT`,
    ]),
  ];
  for (const [port, component, setting] of ports) {
    if (port === 0) continue;
    const probe = http.createServer();
    await listen(probe, port, config.host, component, setting);
    await new Promise((resolve) => probe.close(resolve));
  }
}

function main(): void {
  runMain("hub", async () => {
    setLogService("hub");
    const started = performance.now();
    const config = loadConfig();
    requireTrustedIssuers(config);
    await assertPortsFree(config);
    const { url: databaseUrl, embedded } = await openHubDatabase(config, log);
    let hub: Hub;
    try {
      hub = await startHub(config, databaseUrl);
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
    // One scrape for the whole process (and its gateway workers').
    const workers = hub.gatewayWorkers;
    const metrics = await serveMetrics("hub", workers ? () => workers.metrics() : undefined).catch(async (error) => {
      await hub.stop();
      await embedded?.stop();
      throw error;
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const region = REGIONS.find((r) => r.code === config.regionCode)!;
    const lines = [
      `Care brokering hub for ${region.name} (${region.code}) ready in ${seconds} s`,
      `  Web app:    ${hub.gateway.url.replace(/\/graphql$/, "/")}`,
      `  GraphQL:    ${hub.gateway.url}${workers ? ` (${workers.count} gateway workers)` : ""}`,
      ...(metrics ? [`  Metrics:    http://${metricsSettings().host}:${metrics.port}/metrics`] : []),
      `  Health:     ${hub.gateway.url.replace(/\/graphql$/, "/health")}`,
      ...SUBGRAPH_NAMES.map((name) => `  ${`${name}:`.padEnd(12)}${hub.subgraphs[name].url}`),
      `  Database:   ${embedded ? "embedded PostgreSQL" : "DATABASE_URL"}${hub.seeded.length ? `, seeded: ${hub.seeded.join(", ")}` : ""}`,
      ...(await developmentTokens(config)),
      "Press Ctrl-C to stop.",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return {
      stop: async () => {
        await metrics?.stop();
        await hub.stop();
        await embedded?.stop();
        process.stderr.write("hub: stopped\n");
      },
    };
  });
}

/** Ready-made tokens of the development identity provider, one per role (development only). */
async function developmentTokens(config: HubConfig): Promise<string[]> {
  if (!config.auth.devKeyFile) return [];
  const lines = ["Development tokens (12 h; send as Authorization: Bearer <token>; more with npm run token -- <role> [organisation]):"];
  for (const role of ROLES) {
    lines.push(`  ${role}:`, `    ${await signDevToken(config.auth.devKeyFile, { role, audience: config.auth.audience })}`);
  }
  return lines;
}

if (require.main === module) main();
