/**
 * `npm run network`: a national network of three nodes on this machine, each a whole hub in this
 * process with its own embedded PostgreSQL, ports, node key and demo data for its own region, and a
 * generated directory naming the other two. Ports: node i (0, 1, 2) uses NETWORK_BASE_PORT + 10·i
 * for its gateway and the next four for its subgraphs (4100, 4110, 4120 by default), and
 * NETWORK_PG_BASE_PORT + i for its database (54340…). Data, keys and directories stay in
 * .data/network between runs. Ctrl-C stops all three.
 */

import fs from "node:fs";
import path from "node:path";
import { loadConfig, SUBGRAPH_NAMES } from "../subgraphs/shared/config";
import { REGIONS } from "../subgraphs/shared/domain/regions";
import { EmbeddedPostgres } from "../subgraphs/shared/db/embedded-postgres";
import { StartupError } from "../subgraphs/shared/errors";
import { Role } from "../subgraphs/shared/identity";
import { runMain } from "../subgraphs/shared/main";
import { Peer } from "../subgraphs/shared/network/directory";
import { projectRoot } from "../subgraphs/shared/paths";
import { signDevToken } from "../gateway/dev-keys";
import { Hub, startHub } from "./hub";
import { defaultEmbeddedDataDir, ensureDatabase } from "../subgraphs/shared/db/hub-database";

const NODES = ["13", "12", "14"];

function basePort(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1024 || value > 65000)
    throw new StartupError(`${name} must be a port number from 1024 to 65000, got "${raw}"`);
  return value;
}

runMain("network", async () => {
  const base = basePort("NETWORK_BASE_PORT", 4100);
  const pgBase = basePort("NETWORK_PG_BASE_PORT", 54340);
  const dir = path.join(projectRoot(), ".data", "network");
  fs.mkdirSync(dir, { recursive: true });
  const nodes = NODES.map((regionCode, i) => {
    const gatewayPort = base + 10 * i;
    return {
      regionCode,
      name: REGIONS.find((r) => r.code === regionCode)!.name,
      gatewayPort,
      pgPort: pgBase + i,
      issuer: `http://127.0.0.1:${gatewayPort}`,
      peersFile: path.join(dir, `peers-${regionCode}.json`),
      keyFile: path.join(dir, `node-key-${regionCode}.json`),
    };
  });
  // Each node's directory names the other two (rewritten each run: the ports may have changed).
  for (const node of nodes) {
    const peers: Peer[] = nodes
      .filter((other) => other !== node)
      .map((other) => ({
        regionCode: other.regionCode,
        name: other.name,
        gatewayUrl: `${other.issuer}/graphql`,
        issuer: other.issuer,
        jwksUrl: `${other.issuer}/.well-known/jwks.json`,
        enabled: true,
      }));
    fs.writeFileSync(node.peersFile, `${JSON.stringify(peers, null, 2)}\n`);
  }
  const started: Array<{ hub: Hub; embedded: EmbeddedPostgres }> = [];
  const stop = async () => {
    for (const { hub, embedded } of started.reverse()) {
      await hub.stop();
      await embedded.stop();
    }
    process.stderr.write("network: stopped\n");
  };
  const lines = ["National network of three nodes ready (each node's directory names the other two):"];
  try {
    for (const node of nodes) {
      const env: Record<string, string | undefined> = {
        ...process.env,
        HUB_REGION_CODE: node.regionCode,
        PORT: String(node.gatewayPort),
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_PORT`, String(node.gatewayPort + 1 + i)])),
        HUB_PEERS_FILE: node.peersFile,
        HUB_NODE_KEY_FILE: node.keyFile,
        HUB_NODE_ISSUER: node.issuer,
        HUB_GATEWAY_URL: undefined,
        DATABASE_URL: undefined,
      };
      const config = loadConfig(env);
      const embedded = new EmbeddedPostgres({ baseDir: `${defaultEmbeddedDataDir()}-network-${node.regionCode}`, port: node.pgPort });
      await embedded.start();
      try {
        await ensureDatabase(embedded.adminUrl, "care_hub");
        const hub = await startHub(config, embedded.urlFor("care_hub"));
        started.push({ hub, embedded });
      } catch (error) {
        await embedded.stop();
        throw error;
      }
      const office = config.auth.devKeyFile
        ? await signDevToken(config.auth.devKeyFile, {
            role: Role.REGIONAL_OFFICE,
            organisation: node.regionCode,
            audience: config.auth.audience,
          })
        : "(no development key)";
      lines.push(
        `  ${node.name} (${node.regionCode})`,
        `    GraphQL:  ${node.issuer}/graphql`,
        `    JWKS:     ${node.issuer}/.well-known/jwks.json`,
        `    Peers:    ${node.peersFile}`,
        `    Office token (12 h):`,
        `      ${office}`,
      );
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  lines.push("Try nationalCapacity from Halland's office (see README, National search).", "Press Ctrl-C to stop.");
  process.stdout.write(`${lines.join("\n")}\n`);
  return { stop };
});
