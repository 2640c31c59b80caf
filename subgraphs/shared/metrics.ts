/**
 * The process's metrics in the Prometheus text format (prom-client), named after the OpenTelemetry
 * semantic conventions where one exists (`http_server_request_duration_seconds`,
 * `db_client_operation_duration_seconds`, `db_client_connection_count`) and `hub_*` for what is
 * the hub's own. Labels are bounded names (service, operation name, outcome, error code), never a
 * value a client sent: no identity number, token or variable can reach a scrape.
 */

import http, { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import client from "prom-client";
import { StartupError } from "./errors";

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const requestDuration = new client.Histogram({
  name: "http_server_request_duration_seconds",
  help: "GraphQL requests served over HTTP, by service, operation name and type, and outcome (ok, error: the answer holds errors, refused: 4xx before execution)",
  labelNames: ["service", "graphql_operation_name", "graphql_operation_type", "outcome"],
  buckets: SECONDS,
  registers: [registry],
});

export const clientDuration = new client.Histogram({
  name: "http_client_request_duration_seconds",
  help: "Requests a service sent to another (the gateway to each subgraph, a subgraph to the gateway), by caller, callee and outcome",
  labelNames: ["service", "peer_service", "outcome"],
  buckets: SECONDS,
  registers: [registry],
});

export const subgraphErrors = new client.Counter({
  name: "hub_subgraph_fetch_errors_total",
  help: "Subgraph fetches by the gateway that failed (unreachable, timed out, or answered with an HTTP error), per subgraph",
  labelNames: ["subgraph", "reason"],
  registers: [registry],
});

export const dbDuration = new client.Histogram({
  name: "db_client_operation_duration_seconds",
  help: "SQL statements, by service and statement kind (SELECT, INSERT …)",
  labelNames: ["service", "db_operation_name"],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [registry],
});

export const refusals = new client.Counter({
  name: "hub_refusals_total",
  help: "Requests refused for a limit (RATE_LIMITED, cost or document limits …) or as the client's mistake, by error code",
  labelNames: ["service", "code"],
  registers: [registry],
});

export const eventsDelivered = new client.Counter({
  name: "hub_subscription_events_delivered_total",
  help: "Events written to subscribers' sockets (one per subscriber an event reached)",
  labelNames: ["service"],
  registers: [registry],
});

export const subscribersCutOff = new client.Counter({
  name: "hub_subscribers_cut_off_total",
  help: "Subscriber sockets closed because they read too slowly (SUBSCRIBER_TOO_SLOW)",
  labelNames: ["service"],
  registers: [registry],
});

// Gauges read at scrape time from what registered itself (a cache, a socket server, a pool…).
type Reading = () => Array<[Record<string, string>, number]> | Promise<Array<[Record<string, string>, number]>>;

function gauge(name: string, help: string, labelNames: string[]): (read: Reading) => () => void {
  const readings = new Set<Reading>();
  new client.Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const read of readings) for (const [labels, value] of await read()) this.set(labels, value);
    },
  });
  return (read) => {
    readings.add(read);
    return () => readings.delete(read);
  };
}

export const cacheHits = new client.Counter({
  name: "hub_response_cache_hits_total",
  help: "Answers served from the gateway's response cache",
  registers: [registry],
});
export const cacheMisses = new client.Counter({
  name: "hub_response_cache_misses_total",
  help: "Cacheable requests the response cache did not hold",
  registers: [registry],
});
export const cacheEvictions = new client.Counter({
  name: "hub_response_cache_evictions_total",
  help: "Entries removed from the response cache, by reason (changed: what they depend on changed; full: room for newer ones)",
  labelNames: ["reason"],
  registers: [registry],
});
export const watchCache = gauge("hub_response_cache_entries", "Entries held by the gateway's response cache", []);

/** Live subscriptions and open sockets of a graphql-ws server. */
export const watchSubscriptions = (() => {
  const sockets = gauge("hub_websocket_connections", "Open graphql-ws sockets", ["service"]);
  const live = gauge("hub_subscriptions_live", "Subscriptions being served", ["service"]);
  return (service: string, read: () => { sockets: number; subscriptions: number }) => {
    const stops = [sockets(() => [[{ service }, read().sockets]]), live(() => [[{ service }, read().subscriptions]])];
    return () => {
      for (const stop of stops) stop();
    };
  };
})();

/** How far each event stream is behind its outbox: newest committed event id minus the last one it delivered. */
export const watchOutbox = gauge("hub_outbox_lag_events", "Newest committed event id minus the last one the stream delivered, per outbox", [
  "stream",
]);

/** A pg pool's connections (OpenTelemetry's db.client.connection.count, by state) and waiting requests. */
export const watchPool = (() => {
  const count = gauge("db_client_connection_count", "Database connections of the pool, by state (idle, used)", [
    "db_client_connection_pool_name",
    "db_client_connection_state",
  ]);
  const pending = gauge("db_client_connection_pending_requests", "Requests waiting for a database connection", [
    "db_client_connection_pool_name",
  ]);
  return (name: string, pool: () => { totalCount: number; idleCount: number; waitingCount: number } | undefined) => {
    const stops = [
      count(() => {
        const p = pool();
        return p
          ? [
              [{ db_client_connection_pool_name: name, db_client_connection_state: "idle" }, p.idleCount],
              [{ db_client_connection_pool_name: name, db_client_connection_state: "used" }, p.totalCount - p.idleCount],
            ]
          : [];
      }),
      pending(() => {
        const p = pool();
        return p ? [[{ db_client_connection_pool_name: name }, p.waitingCount]] : [];
      }),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  };
})();

/** Operation names become label values: only GraphQL names, and a bounded number of them. */
const seenOperations = new Set<string>();
export function operationLabel(name: string | undefined): string {
  if (!name || !/^[_A-Za-z][_0-9A-Za-z]{0,63}$/.test(name)) return "";
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= 500) return "(other)";
  seenOperations.add(name);
  return name;
}

/** The scrape credential, compared in constant time. */
function authorised(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(req.headers.authorization ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Answers a scrape of this process's registry (or what `text` gathers: the workers' together). */
export async function answerScrape(
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
  text: () => Promise<string> = () => registry.metrics(),
): Promise<void> {
  if (!authorised(req, token)) {
    res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"' });
    res.end("Scraping /metrics needs the scrape credential (HUB_METRICS_TOKEN) as a Bearer token\n");
    return;
  }
  const body = await text();
  res.writeHead(200, { "content-type": registry.contentType });
  res.end(body);
}

/**
 * /metrics on a port of its own (HUB_METRICS_PORT), apart from the GraphQL port clients reach, so
 * a firewall can keep it for the monitoring network; with HUB_METRICS_TOKEN it also needs that
 * credential.
 */
export async function startMetricsServer(
  host: string,
  port: number,
  token: string | undefined,
  text?: () => Promise<string>,
): Promise<{ port: number; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Only /metrics is served on this port\n");
      return;
    }
    answerScrape(req, res, token, text).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  return { port: bound, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Where /metrics is served: HUB_METRICS_PORT (a port of its own; 0 picks a free one) and/or
 * HUB_METRICS_TOKEN (a scrape credential, also accepted on the GraphQL port). Neither: no /metrics.
 */
export function metricsSettings(env: NodeJS.ProcessEnv = process.env): {
  port: number | undefined;
  token: string | undefined;
  host: string;
} {
  const port = env.HUB_METRICS_PORT === undefined || env.HUB_METRICS_PORT === "" ? undefined : Number(env.HUB_METRICS_PORT);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
    throw new Error(`HUB_METRICS_PORT must be a port number, got "${env.HUB_METRICS_PORT}"`);
  return { port, token: env.HUB_METRICS_TOKEN || undefined, host: env.HUB_METRICS_HOST || env.HOST || "127.0.0.1" };
}

/** Starts this process's /metrics port when HUB_METRICS_PORT is set (each long-running entry point calls it). */
export async function serveMetrics(
  component: string,
  text?: () => Promise<string>,
): Promise<{ port: number; stop(): Promise<void> } | undefined> {
  const settings = metricsSettings();
  if (settings.port === undefined) return undefined;
  try {
    return await startMetricsServer(settings.host, settings.port, settings.token, text);
  } catch (error) {
    throw new StartupError(
      `${component}: cannot serve metrics on ${settings.host}:${settings.port} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set HUB_METRICS_PORT to a free port`,
    );
  }
}
