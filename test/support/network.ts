import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { Peer } from "../../subgraphs/shared/network/directory";
import { createEmptyDatabase } from "./database";
import { startTestHub, TestHub } from "./hub";
import { freePorts } from "./ports";

/**
 * A national network of in-process hubs for tests and the benchmark: each node its own database
 * (migrated and seeded with its own region's demo providers at its first start), its own gateway
 * port (fixed, so a restarted node is found where the directory says), its own node key, and a
 * directory naming the others, written once every node listens (the directories are reloaded).
 */
export interface TestNode {
  regionCode: string;
  name: string;
  port: number;
  databaseUrl: string;
  env: Record<string, string>;
  hub: TestHub | undefined;
  peersFile: string;
  keyFile: string;
  issuer: string;
  url: string;
}

export interface TestNetwork {
  dir: string;
  nodes: Record<string, TestNode>;
  /** The directory entry of a node, as its peers list it. */
  entry(regionCode: string): Peer;
  /** Writes each node's directory: every other node, with `overrides` applied to what a node lists. */
  writeDirectories(overrides?: (owner: string, peer: Peer) => Peer | null): void;
  start(regionCode: string): Promise<TestHub>;
  stop(regionCode: string): Promise<void>;
  stopAll(): Promise<void>;
}

export async function startTestNetwork(
  regionCodes: string[],
  env: Record<string, string> = {},
  databases?: Record<string, string>,
): Promise<TestNetwork> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hub-network-"));
  const ports = await freePorts(regionCodes.length);
  const nodes: Record<string, TestNode> = {};
  for (const [i, regionCode] of regionCodes.entries()) {
    const port = ports[i];
    const peersFile = path.join(dir, `peers-${regionCode}.json`);
    fs.writeFileSync(peersFile, "[]");
    const keyFile = path.join(dir, `node-key-${regionCode}.json`);
    nodes[regionCode] = {
      regionCode,
      name: REGIONS.find((r) => r.code === regionCode)!.name,
      port,
      databaseUrl: databases?.[regionCode] ?? (await createEmptyDatabase()),
      env: {
        HUB_REGION_CODE: regionCode,
        PORT: String(port),
        HUB_PEERS_FILE: peersFile,
        HUB_NODE_KEY_FILE: keyFile,
        HUB_SEED: "demo",
        ...env,
      },
      hub: undefined,
      peersFile,
      keyFile,
      issuer: `http://127.0.0.1:${port}`,
      url: `http://127.0.0.1:${port}/graphql`,
    };
  }
  const network: TestNetwork = {
    dir,
    nodes,
    entry: (regionCode) => {
      const node = nodes[regionCode];
      return {
        regionCode,
        name: node.name,
        gatewayUrl: node.url,
        issuer: node.issuer,
        jwksUrl: `${node.issuer}/.well-known/jwks.json`,
        enabled: true,
      };
    },
    writeDirectories: (overrides = (_owner, peer) => peer) => {
      for (const owner of regionCodes) {
        const peers = regionCodes
          .filter((code) => code !== owner)
          .map((code) => overrides(owner, network.entry(code)))
          .filter((p): p is Peer => p !== null);
        const temp = `${nodes[owner].peersFile}.tmp`;
        fs.writeFileSync(temp, JSON.stringify(peers, null, 2));
        fs.renameSync(temp, nodes[owner].peersFile);
      }
    },
    start: async (regionCode) => {
      const node = nodes[regionCode];
      node.hub = await startTestHub(node.env, { databaseUrl: node.databaseUrl });
      return node.hub;
    },
    stop: async (regionCode) => {
      await nodes[regionCode].hub?.stop();
      nodes[regionCode].hub = undefined;
    },
    stopAll: async () => {
      for (const code of regionCodes) await network.stop(code);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const code of regionCodes) await network.start(code);
  network.writeDirectories();
  return network;
}

/** Waits until the directories' changes have been read (they are checked every 250 ms). */
export const directoryReload = () => new Promise((resolve) => setTimeout(resolve, 400));
