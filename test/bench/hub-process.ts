import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../../subgraphs/shared/paths";
import { hubProcessPorts } from "../support/ports";

export interface BenchHub {
  url: string;
  stop(): Promise<void>;
}

/** The hub as `npm start` runs it (demo seeds), on a throw-away embedded PostgreSQL, for the single-hub benchmarks. */
export async function startBenchHub(): Promise<BenchHub> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-bench-"));
  fs.chmodSync(dataDir, 0o755);
  const ports = await hubProcessPorts();
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot(), "dist", "seeds", "hub.js")], {
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      HUB_PG_DATA: dataDir,
      // The benchmark is one client sending far more than a real one would.
      HUB_RATE_LIMIT_PER_MINUTE: "1000000",
      ...ports,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  const deadline = Date.now() + 120_000;
  while (!out.includes("Press Ctrl-C to stop.")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the hub did not start:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${ports.PORT}/graphql`,
    stop: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
