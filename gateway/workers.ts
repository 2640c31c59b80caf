/**
 * The gateway as several worker processes sharing one port (node:cluster: the primary accepts
 * connections and hands them to the workers in turn). Each worker is a whole gateway — its own
 * Apollo Gateway, response cache, subscriptions and change feeds — so every worker's cache hears
 * every change from the subgraphs' feeds itself; nothing is shared that one worker could lose.
 * One Node process uses one core; the gateway's work (planning, merging answers, serializing,
 * fanning out subscription events) is what grows with clients, so it is what is spread.
 */

import cluster, { Worker } from "node:cluster";
import path from "node:path";
import { AggregatorRegistry } from "prom-client";
import { StartupError } from "../subgraphs/shared/errors";
import { logger } from "../subgraphs/shared/log";
import { projectRoot } from "../subgraphs/shared/paths";
import { registry } from "../subgraphs/shared/metrics";

const log = logger("gateway-workers");

/** The response header naming the worker that answered (a small number, for operators and tests). */
export const WORKER_HEADER = "x-hub-gateway-worker";

export interface Workers {
  port: number;
  count: number;
  /**
   * This process's metrics and every worker's together, in the Prometheus text format (prom-client
   * sums counters, histograms and most gauges across processes).
   */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

interface WorkerMessage {
  hubGateway?: "listening" | "failed";
  port?: number;
  error?: string;
}

/**
 * Forks `count` gateway workers running the compiled gateway entry point with `env` added, and
 * resolves once each listens (with the port they share). A worker that dies later is replaced.
 */
export async function startGatewayWorkers(count: number, env: Record<string, string>): Promise<Workers> {
  // The compiled entry point (also when the hub itself runs from source, as in tests).
  cluster.setupPrimary({ exec: path.join(projectRoot(), "dist", "gateway", "index.js"), args: [], silent: false });
  let stopping = false;
  const workers = new Set<Worker>();
  let port = 0;
  const fork = (): Promise<number> => {
    // Every worker asks for the same PORT: the primary binds it once and shares that handle, so
    // with PORT=0 they all get the one free port it picked (asking for that port by number would
    // make the primary bind it a second time).
    const worker = cluster.fork({ ...env, HUB_GATEWAY_WORKER: "1" });
    workers.add(worker);
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message?.hubGateway === "listening") resolve(message.port!);
        if (message?.hubGateway === "failed") reject(new StartupError(message.error ?? "a gateway worker failed to start"));
      };
      worker.on("message", onMessage);
      worker.once("exit", (code, signal) => {
        workers.delete(worker);
        reject(new StartupError(`a gateway worker exited while starting (${signal ?? code})`));
        if (stopping) return;
        log.error(`gateway worker ${worker.id} exited (${signal ?? `code ${code}`}); starting another`);
        fork().catch((error: Error) => log.error(`a replacement gateway worker failed: ${error.message}`));
      });
    });
  };
  try {
    port = await fork();
    await Promise.all(Array.from({ length: count - 1 }, () => fork()));
  } catch (error) {
    stopping = true;
    await stopAll(workers);
    throw error;
  }
  return {
    port,
    count,
    metrics: async () => {
      const gathered = await Promise.all([registry.getMetricsAsJSON(), ...[...workers].map((worker) => askMetrics(worker))]);
      return AggregatorRegistry.aggregate(gathered.filter((m) => m !== undefined)).metrics();
    },
    stop: async () => {
      stopping = true;
      await stopAll(workers);
    },
  };
}

/** Asks every worker to stop in order (SIGTERM: the gateway drains) and waits for them. */
async function stopAll(workers: Set<Worker>): Promise<void> {
  await Promise.all(
    [...workers].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          const timer = setTimeout(() => worker.process.kill("SIGKILL"), 10_000);
          worker.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          worker.process.kill("SIGTERM");
        }),
    ),
  );
}

let asked = 0;

/** One worker's metrics as JSON (undefined if it does not answer within a second: it may be restarting). */
function askMetrics(worker: Worker): Promise<MetricJson | undefined> {
  const id = ++asked;
  return new Promise((resolve) => {
    const timer = setTimeout(done, 1000);
    function done(metrics?: MetricJson) {
      clearTimeout(timer);
      worker.off("message", onMessage);
      resolve(metrics);
    }
    function onMessage(message: { hubMetrics?: number; metrics?: MetricJson }) {
      if (message?.hubMetrics === id) done(message.metrics);
    }
    worker.on("message", onMessage);
    worker.send({ hubMetrics: id });
  });
}

type MetricJson = Awaited<ReturnType<typeof registry.getMetricsAsJSON>>;

/** In a worker: answers the primary's requests for this process's metrics. */
export function answerMetricsRequests(): void {
  process.on("message", (message: { hubMetrics?: number }) => {
    if (typeof message?.hubMetrics !== "number") return;
    registry.getMetricsAsJSON().then((metrics) => process.send?.({ hubMetrics: message.hubMetrics, metrics }));
  });
}

/** In a worker: tells the primary it listens (or why it could not start). */
export function reportToPrimary(message: WorkerMessage): void {
  if (cluster.isWorker && process.send) process.send(message);
}

export const isGatewayWorker = (): boolean => cluster.isWorker && process.env.HUB_GATEWAY_WORKER === "1";
