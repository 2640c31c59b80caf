import { ApolloGateway, GatewayConfig } from "@apollo/gateway";

/**
 * `new ApolloGateway(…)`, kept from phoning home. Unless the environment says
 * `APOLLO_TELEMETRY_DISABLED=true` when the constructor runs, @apollo/gateway 2.14 starts an
 * OpenTelemetry metrics exporter to Apollo's usage-reporting service and cloud resource detectors
 * that probe metadata addresses (169.254.169.254, 100.100.100.200, `metadata.google.internal`). A
 * region's care node sends nothing about itself to a third party and probes nothing it was not
 * configured to reach, so the switch is set here, in code, for every gateway the project
 * constructs, rather than left for operators to remember. `test/e2e/outbound-connections.test.ts`
 * runs the hub under a guard that fails on any such connection or look-up.
 */
export function offlineApolloGateway(config: GatewayConfig): ApolloGateway {
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  return new ApolloGateway(config);
}
