import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../subgraphs/shared/paths";

/** The compiled hub as its own process, as `npm start` runs it (npm test builds it first). */
export const HUB = path.join(projectRoot(), "dist", "seeds", "hub.js");

export interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The outbound-connection guard, compiled (see outbound-guard.ts); preloaded into every hub process a test starts. */
export const OUTBOUND_GUARD = path.join(projectRoot(), "dist", "test", "support", "outbound-guard.js");

/**
 * Starts a compiled entry point of the hub (the all-in-one hub by default; a subgraph, the
 * gateway or the seed command as the production runbook does, with `args`) as its own process,
 * with `env` on top of this process's environment, under the outbound-connection guard: a
 * connection or name look-up off loopback is refused and recorded in the run's guard log
 * (OUTBOUND_GUARD_LOG, which the global teardown checks).
 */
export function run(env: Record<string, string>, entry = HUB, args: string[] = []): Run {
  for (const file of [entry, OUTBOUND_GUARD]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the tests with npm test, which builds first`);
  }
  // Without jest's NODE_ENV=test, which libraries read (Apollo Server, for one, handles signals
  // itself outside tests): the process runs as `npm start` runs it.
  const { NODE_ENV: _test, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--require", OUTBOUND_GUARD, entry, ...args], {
    env: { ...inherited, LOG_LEVEL: "warn", OUTBOUND_GUARD: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the hub to report ready; fails at once, with what it printed, if it exits first. */
export async function ready(hub: Run, ms = 60_000): Promise<void> {
  let exited = false;
  void hub.exited.then(() => (exited = true));
  const deadline = Date.now() + ms;
  while (!hub.stdout().includes("Press Ctrl-C to stop.")) {
    if (exited || Date.now() > deadline) {
      throw new Error(`the hub did not report ready (${exited ? "it exited" : "timed out"}):\n${hub.stdout()}\n${hub.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until a process's /health answers 200; fails at once, with what it printed, if it exits first. */
export async function healthy(process: Run, healthUrl: string, ms = 45_000): Promise<Record<string, unknown>> {
  let exited = false;
  void process.exited.then(() => (exited = true));
  const deadline = Date.now() + ms;
  let last = "";
  for (;;) {
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(3000) });
      last = await response.text();
      if (response.status === 200) return JSON.parse(last);
    } catch (error) {
      last = (error as Error).message;
    }
    if (exited || Date.now() > deadline) {
      throw new Error(
        `${healthUrl} did not become ready (${exited ? "the process exited" : `timed out; last answer: ${last}`}):\n${process.stdout()}\n${process.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
