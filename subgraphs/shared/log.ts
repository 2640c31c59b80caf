/**
 * The hub's log: one JSON line per event on stderr (pino), each with time, level, service,
 * component, and — inside a request — its request id and trace id, so an operator's log store can
 * join one request's lines across every process. `LOG_FORMAT=pretty` writes the readable
 * `time LEVEL [component] message` lines instead, for a developer's terminal.
 *
 * Deliberately narrow: callers pass messages and a few named fields, never request variables, SQL
 * parameters or tokens, so patient identity numbers cannot reach the log through it (a test runs
 * the brokering story and searches every line for the numbers and tokens it used).
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { trace } from "@opentelemetry/api";
import pino from "pino";

export type Level = "debug" | "info" | "warn" | "error";

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const configured = (process.env.LOG_LEVEL || "info") as Level;
  return ORDER[configured] ?? ORDER.info;
}

/** Named values a line may carry beside its message: counts, durations, names — never personal data. */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** What the log knows of the request being served (set by the HTTP front, read by every line). */
export interface RequestScope {
  requestId: string;
  /** The service serving it (in the all-in-one hub, several share a process). */
  service?: string;
  /** Filled in as the request is served, for the one line that reports its outcome. */
  operationName?: string;
  operationType?: string;
  outcome?: string;
  errorCodes?: string[];
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

let service = "care-hub";

/** Names the process's service in every line (the entry point calls it: "gateway", "referrals", "hub"…). */
export function setLogService(name: string): void {
  service = name;
}

let root: pino.Logger | undefined;

/**
 * One pino logger per process, writing through process.stderr (so a test or a supervisor that
 * captures stderr sees the lines), synchronously so that nothing is lost when the process exits.
 */
function rootLogger(): pino.Logger {
  root ??= pino(
    {
      level: "debug",
      base: undefined,
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const scope = requestScope.getStore();
        const span = trace.getActiveSpan()?.spanContext();
        return {
          service: scope?.service ?? service,
          ...(scope ? { requestId: scope.requestId } : {}),
          ...(span && span.traceId !== "00000000000000000000000000000000" ? { traceId: span.traceId, spanId: span.spanId } : {}),
        };
      },
    },
    { write: (line: string) => process.stderr.write(line) },
  );
  return root;
}

function pretty(level: Level, component: string, message: string, fields?: LogFields): string {
  const scope = requestScope.getStore();
  const extra = Object.entries(fields ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${value}`);
  if (scope) extra.push(`request=${scope.requestId}`);
  return `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${message}${extra.length ? ` (${extra.join(" ")})` : ""}\n`;
}

export function logger(component: string): Logger {
  let child: pino.Logger | undefined;
  const write = (level: Level, message: string, fields?: LogFields) => {
    if (ORDER[level] < threshold()) return;
    if (process.env.LOG_FORMAT === "pretty") {
      process.stderr.write(pretty(level, component, message, fields));
      return;
    }
    child ??= rootLogger().child({ component });
    child[level](fields ?? {}, message);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
