/**
 * A plain Node HTTP front for Apollo Server, shared by the subgraphs and the gateway: `/graphql`
 * for operations and `/health` for readiness. Written out rather than using a web framework because
 * it is small, it keeps the hot path short, and the same server later carries the graphql-ws
 * upgrade on the same URL.
 */

import { randomUUID } from "node:crypto";
import http, { IncomingMessage, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { ApolloServer, BaseContext, HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { SpanKind } from "@opentelemetry/api";
import { StartupError } from "./errors";
import { logger, RequestScope, requestScope } from "./log";
import { answerScrape, metricsSettings, operationLabel, refusals, requestDuration } from "./metrics";
import { extractContext, inSpan } from "./tracing";

export interface HealthReport {
  ready: boolean;
  [detail: string]: unknown;
}

export interface HttpFrontOptions<TContext extends BaseContext> {
  /** The service's name in logs, traces and metrics ("gateway", "referrals" …). */
  service: string;
  apollo: ApolloServer<TContext>;
  context: (req: IncomingMessage) => Promise<TContext>;
  health: () => Promise<HealthReport>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Further unauthenticated GET routes answered with JSON (the gateway's `/.well-known/jwks.json`). */
  publicJson?: Record<string, () => Promise<unknown>>;
  /**
   * Further routes (the gateway's web app, FHIR API and invoicing CSV): answers and returns true
   * when the path is theirs.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** Runs each GraphQL operation inside what the service keeps per request (a subgraph: the events it appends, see outbox.ts). */
  aroundOperation?: <T>(operation: () => Promise<T>) => Promise<T>;
}

const GRAPHQL_PATH = "/graphql";

/**
 * Attaches the hub's routes to an HTTP server. The server is created first (by the caller) because
 * Apollo's drain plugin needs it before Apollo Server exists.
 */
export function serveGraphQL<TContext extends BaseContext>(server: http.Server, options: HttpFrontOptions<TContext>): void {
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const log = logger(options.service);
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const fail = (error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error" }] });
      else res.destroy(error);
    };
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== GRAPHQL_PATH) {
      handle(req, res).catch(fail);
      return;
    }
    // One request: its id (the caller's x-request-id, or a new one) and trace (the caller's
    // traceparent, or a new one) on every log line and span it causes, and one line and one
    // measurement of its outcome when it is answered.
    const forwarded = req.headers["x-request-id"];
    const requestId = typeof forwarded === "string" && /^[\w-]{1,64}$/.test(forwarded) ? forwarded : randomUUID();
    req.headers["x-request-id"] = requestId;
    const scope: RequestScope = { requestId, service: options.service };
    const started = performance.now();
    requestScope
      .run(scope, () =>
        inSpan(
          options.service,
          `${req.method ?? "GET"} ${GRAPHQL_PATH}`,
          SpanKind.SERVER,
          { "http.request.method": req.method ?? "GET", "url.path": GRAPHQL_PATH, "url.scheme": "http" },
          async (span) => {
            await handle(req, res).catch(fail);
            const seconds = (performance.now() - started) / 1000;
            const status = res.statusCode;
            const outcome = status >= 500 ? "error" : status >= 400 ? "refused" : (scope.outcome ?? "ok");
            const operation = operationLabel(scope.operationName);
            span.setAttribute("http.response.status_code", status);
            if (operation) span.setAttribute("graphql.operation.name", operation);
            if (scope.operationType) span.setAttribute("graphql.operation.type", scope.operationType);
            span.setAttribute("hub.outcome", outcome);
            requestDuration.observe(
              { service: options.service, graphql_operation_name: operation, graphql_operation_type: scope.operationType ?? "", outcome },
              seconds,
            );
            for (const code of new Set(scope.errorCodes ?? []))
              if (code !== "INTERNAL_SERVER_ERROR") refusals.inc({ service: options.service, code });
            log.info("request", {
              operation: operation || undefined,
              type: scope.operationType,
              outcome,
              status,
              durationMs: Math.round(seconds * 10000) / 10,
              errorCodes: scope.errorCodes?.length ? [...new Set(scope.errorCodes)].join(",") : undefined,
            });
          },
          extractContext(req.headers),
        ),
      )
      .catch(fail);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/metrics") {
      // Only to the scrape credential; without one configured, /metrics is served on its own port
      // (HUB_METRICS_PORT) or not at all, never to the clients of this port.
      const { token } = metricsSettings();
      if (!token)
        sendJson(res, 404, { errors: [{ message: "Not found: metrics are served on HUB_METRICS_PORT, or here with HUB_METRICS_TOKEN" }] });
      else await answerScrape(req, res, token);
      return;
    }
    if (url.pathname === "/health") {
      const report = await options.health().catch((error: Error) => ({ ready: false, error: error.message }));
      sendJson(res, report.ready ? 200 : 503, { status: report.ready ? "ready" : "starting", ...report });
      return;
    }
    const publicRoute = options.publicJson?.[url.pathname];
    if (publicRoute && (req.method === "GET" || req.method === "HEAD")) {
      sendJson(res, 200, await publicRoute());
      return;
    }
    if (url.pathname !== GRAPHQL_PATH) {
      if (options.routes && (await options.routes(req, res, url))) return;
      sendJson(res, 404, { errors: [{ message: `Not found: the GraphQL endpoint is ${GRAPHQL_PATH}` }] });
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === TOO_LARGE) {
      sendJson(res, 413, { errors: [{ message: `Request body larger than ${maxBodyBytes} bytes` }] });
      return;
    }
    let parsedBody: unknown;
    if (req.method === "POST") {
      try {
        parsedBody = body.length > 0 ? JSON.parse(body) : undefined;
      } catch {
        sendJson(res, 400, { errors: [{ message: "Request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
        return;
      }
    }
    // Deeply nested JSON would overflow the stack of the recursive code that reads it later
    // (variables, hashing); what a GraphQL request needs is nested a few levels.
    const json = [parsedBody, ...["variables", "extensions"].map((name) => parseOrUndefined(url.searchParams.get(name)))];
    if (json.some((value) => nestingDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)) {
      sendJson(res, 400, {
        errors: [{ message: `Request JSON is nested deeper than ${MAX_JSON_DEPTH} levels`, extensions: { code: "BAD_REQUEST" } }],
      });
      return;
    }
    // The caller is known before anything else is said: an unauthenticated (or rate-limited)
    // request gets that refusal, not Apollo Server's landing page or its remarks on the request's shape.
    let contextValue: Promise<TContext>;
    try {
      contextValue = Promise.resolve(await options.context(req));
    } catch (error) {
      if (sendRefusal(res, error)) return;
      // Not a refusal: Apollo Server reports it (masked, with an error id in the log).
      contextValue = Promise.reject(error);
      contextValue.catch(() => undefined);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const operation = () =>
      options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: url.search, body: parsedBody },
        context: () => contextValue,
      });
    const response = await (options.aroundOperation ? options.aroundOperation(operation) : operation());
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

const TOO_LARGE = Symbol("too large");

/** Deepest nesting of arrays and objects accepted in a request's JSON; inputs here nest about five deep. */
export const MAX_JSON_DEPTH = 64;

function parseOrUndefined(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Apollo Server answers malformed query-string JSON itself.
    return undefined;
  }
}

/** How deep arrays and objects nest in `value`, counted without recursion and up to `limit + 1`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? TOO_LARGE : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Answers a client-error refusal (a GraphQLError with an HTTP 4xx status) as Apollo Server would; false for anything else. */
function sendRefusal(res: ServerResponse, error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const { http: head, ...extensions } = error.extensions as {
    http?: { status?: number; headers?: Map<string, string> | Record<string, string> };
  };
  const status = head?.status;
  if (typeof status !== "number" || status < 400 || status >= 500) return false;
  const scope = requestScope.getStore();
  const code = (extensions as { code?: unknown }).code;
  if (scope && typeof code === "string") scope.errorCodes = [...(scope.errorCodes ?? []), code];
  const headers = head?.headers instanceof Map ? [...head.headers] : Object.entries(head?.headers ?? {});
  for (const [key, value] of headers) res.setHeader(key, value);
  sendJson(res, status, { errors: [{ message: error.message, extensions }] });
  return true;
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(payload));
}

/**
 * Listens and resolves with the bound port (port 0 picks a free one, as tests do). A taken port is
 * a one-line StartupError naming the component and the setting to change.
 */
export function listen(server: http.Server, port: number, host: string, component: string, portSetting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.removeListener("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(new StartupError(`${component}: port ${port} on ${host} is already in use; set ${portSetting} to a free port`));
      } else if (error.code === "EACCES") {
        reject(new StartupError(`${component}: not allowed to listen on port ${port}; set ${portSetting} to a port above 1024`));
      } else {
        reject(new StartupError(`${component}: cannot listen on ${host}:${port}: ${error.message}`));
      }
    };
    const onListening = () => {
      server.removeListener("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
