import { loadConfig, requireTrustedIssuers } from "../subgraphs/shared/config";
import { logger } from "../subgraphs/shared/log";
import { runMain } from "../subgraphs/shared/main";
import { nationalNetwork, requireInternalSecret } from "../subgraphs/shared/subgraph";
import { startGateway } from "./gateway";
import { loadNodeKeys } from "../subgraphs/shared/network/node-key";

/** The gateway on its own (production): subgraphs run elsewhere, at <NAME>_URL. */
runMain("gateway", async () => {
  const config = loadConfig();
  requireTrustedIssuers(config);
  if (config.network.peersFile) await loadNodeKeys(config.network.nodeKeyFile, !config.production);
  const gateway = await startGateway({
    host: config.host,
    port: config.gatewayPort,
    subgraphUrls: config.subgraphUrls,
    hubRegionCode: config.regionCode,
    introspection: config.introspection,
    auth: config.auth,
    internalSecret: requireInternalSecret(config),
    production: config.production,
    limits: config.limits,
    responseCache: config.responseCache,
    network: nationalNetwork(config, () => config.gatewayUrl),
  });
  logger("gateway").info(`serving ${gateway.url}`);
  return gateway;
});
