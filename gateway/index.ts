import { loadConfig, requireTrustedIssuers } from "../subgraphs/shared/config";
import { logger } from "../subgraphs/shared/log";
import { runMain } from "../subgraphs/shared/main";
import { requireInternalSecret } from "../subgraphs/shared/subgraph";
import { startGateway } from "./gateway";

/** The gateway on its own (production): subgraphs run elsewhere, at <NAME>_URL. */
runMain("gateway", async () => {
  const config = loadConfig();
  requireTrustedIssuers(config);
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
  });
  logger("gateway").info(`serving ${gateway.url}`);
  return gateway;
});
