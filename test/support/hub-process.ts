import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../subgraphs/shared/paths";

/** The compiled hub as its own process, as `npm start` runs it (npm test builds it first). */
export const HUB = path.join(projectRoot(), "dist", "gateway", "hub.js");

export interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function run(env: Record<string, string>): Run {
  return runCompiled(HUB, env);
}

/**
 * One of the compiled entry points (`dist/...`) as its own process, with `env` on top of this
 * process's environment, as an operator's shell would start it.
 */
export function runCompiled(script: string, env: Record<string, string>, args: string[] = []): Run {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run the tests with npm test, which builds first`);
  // Without jest's NODE_ENV=test, which libraries read (Apollo Server, for one, handles signals
  // itself outside tests): the process runs as `npm start` runs it.
  const { NODE_ENV: _test, ...inherited } = process.env;
  const child = spawn(process.execPath, [script, ...args], { env: { ...inherited, LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] });
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
      throw new Error(`${healthUrl} did not become ready (${exited ? "the process exited" : `timed out; last answer: ${last}`}):\n${process.stdout()}\n${process.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
