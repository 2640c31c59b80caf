/**
 * The gateway on its own (production): subgraphs run elsewhere, at <NAME>_URL. With
 * HUB_GATEWAY_WORKERS above one, this process forks that many gateway workers sharing its port and
 * serves their metrics together; each worker runs this same file as a whole gateway.
 */

import cluster from "node:cluster";
import { loadConfig, requireTrustedIssuers } from "../subgraphs/shared/config";
import { logger, setLogService } from "../subgraphs/shared/log";
import { runMain } from "../subgraphs/shared/main";
import { serveMetrics } from "../subgraphs/shared/metrics";
import { gatewayOptions, startGateway } from "./gateway";
import { answerMetricsRequests, isGatewayWorker, reportToPrimary, startGatewayWorkers } from "./workers";
import { nationalNetwork, requireInternalSecret } from "../subgraphs/shared/subgraph";
import { loadNodeKeys } from "../subgraphs/shared/network/node-key";

runMain("gateway", async () => {
  setLogService("gateway");
  const config = loadConfig();
  requireTrustedIssuers(config);
  const internalSecret = requireInternalSecret(config);
  if (config.network.peersFile) await loadNodeKeys(config.network.nodeKeyFile, !config.production);
  const count = config.gatewayWorkers;
  if (cluster.isPrimary && count > 1) {
    const workers = await startGatewayWorkers(count, { PORT: String(config.gatewayPort) });
    logger("gateway").info(`serving http://${config.host}:${workers.port}/graphql with ${count} workers`);
    const metrics = await serveMetrics("gateway", () => workers.metrics());
    return {
      stop: async () => {
        await metrics?.stop();
        await workers.stop();
      },
    };
  }
  const gateway = await startGateway(
    gatewayOptions(config, {
      subgraphUrls: config.subgraphUrls,
      internalSecret,
      network: nationalNetwork(config, () => config.gatewayUrl),
    }),
  );
  // A worker's metrics are gathered by its primary; it serves no metrics port of its own.
  if (isGatewayWorker()) {
    answerMetricsRequests();
    reportToPrimary({ hubGateway: "listening", port: gateway.port });
    return gateway;
  }
  logger("gateway").info(`serving ${gateway.url}`);
  const metrics = await serveMetrics("gateway");
  return {
    stop: async () => {
      await metrics?.stop();
      await gateway.stop();
    },
  };
});
