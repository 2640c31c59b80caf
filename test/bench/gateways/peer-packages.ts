import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { projectRoot } from "../../../subgraphs/shared/paths";

/**
 * The benchmark's peer gateways that the hub itself never runs (Hive Gateway) are a package of their
 * own in test/bench/peers, with its own lock file and node_modules, so the hub's `npm ci` installs
 * none of their hundreds of dependencies (several of which want a newer Node than the hub's and
 * warn about it). `npm run bench` installs them on first use.
 */
export const PEERS_DIR = path.join(projectRoot(), "test", "bench", "peers");

/** Installs the peers' locked dependencies when they are missing or older than their lock file. */
export function ensurePeerPackages(log: (line: string) => void): void {
  const lock = path.join(PEERS_DIR, "package-lock.json");
  // npm writes node_modules/.package-lock.json at the end of every install: its age says whether
  // the install is complete and current.
  const installed = path.join(PEERS_DIR, "node_modules", ".package-lock.json");
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log(`installing the benchmark's peer gateways (npm ci in ${path.relative(projectRoot(), PEERS_DIR)}, once)`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--prefix", PEERS_DIR, "--no-audit", "--no-fund", "--loglevel=error"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) {
    throw new Error(
      `installing the peer gateways failed (exit ${result.status ?? result.signal}); run npm ci --prefix test/bench/peers to see why`,
    );
  }
}

/** `require` resolving from the peers' package, not the hub's (whose node_modules do not have them). */
export const peerRequire = createRequire(path.join(PEERS_DIR, "package.json"));
