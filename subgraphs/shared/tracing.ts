/**
 * Traces: W3C `traceparent` from the client (or a new trace) through the gateway, each subgraph
 * fetch, each SQL statement and each call one service makes to another, exported with OTLP/HTTP
 * when OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set, and nowhere otherwise.
 *
 * Instrumented here by hand rather than with OpenTelemetry's Node SDK and auto-instrumentations:
 * they find modules by hooking `require`, which misses code loaded some other way (tests), and the
 * SDK's default resource detectors probe cloud metadata addresses, which a closed-network node
 * must never contact. The resource is explicit: the service's name, nothing detected. Apollo
 * Gateway's own spans (gateway.request, gateway.plan, gateway.fetch …) go through the global
 * tracer provider registered here, so they join the same trace.
 *
 * Attributes are names, not values: the SQL text with its literals replaced, the operation's name,
 * never variables or parameters (which may hold personal identity numbers).
 */

import { IncomingHttpHeaders } from "node:http";
import { Attributes, context, Context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  ReadableSpan,
  Sampler,
  SamplingDecision,
  SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { Client } from "pg";
import { clientDuration, dbDuration } from "./metrics";
import { requestScope } from "./log";

/** Fans spans out to the processors configured so far (an OTLP exporter; a test's in-memory one). */
class Processors implements SpanProcessor {
  readonly list: SpanProcessor[] = [];
  onStart(span: Parameters<SpanProcessor["onStart"]>[0], parent: Context): void {
    for (const p of this.list) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.list) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.list.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.list.map((p) => p.shutdown()));
  }
}

const processors = new Processors();
const providers = new Map<string, BasicTracerProvider>();
let installed = false;

/** Whether any span goes anywhere: without a processor (no exporter, no test's), spans are not recorded. */
function recording(): boolean {
  return processors.list.length > 0;
}

/**
 * The default decision (follow the caller's sampled flag, else record), but nothing recorded while
 * no processor would see it: with no exporter configured a span is then only its ids (a non-recording
 * span), so log lines keep their trace and span ids and `traceparent` still travels, while no span
 * object, attribute or processor call is paid for on every request, fetch and Apollo Gateway step.
 */
class RecordWhenExported implements Sampler {
  private readonly inner = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  shouldSample(...args: Parameters<Sampler["shouldSample"]>): ReturnType<Sampler["shouldSample"]> {
    return recording() ? this.inner.shouldSample(...args) : { decision: SamplingDecision.NOT_RECORD };
  }
  toString(): string {
    return "RecordWhenExported";
  }
}
const sampler = new RecordWhenExported();

function providerFor(service: string): BasicTracerProvider {
  let provider = providers.get(service);
  if (!provider) {
    provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": service, "service.namespace": "care-hub" }),
      spanProcessors: [processors],
      sampler,
    });
    providers.set(service, provider);
  }
  return provider;
}

/** Where OTLP traces go, from the standard OpenTelemetry settings; undefined: not exported. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_TRACES_EXPORTER === "none") return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, "")}/v1/traces`;
  return undefined;
}

/**
 * Sets up tracing once per process: context kept across awaits, the W3C propagator, Apollo
 * Gateway's spans under the gateway's name, SQL statements instrumented, and the OTLP exporter when
 * an endpoint is configured.
 */
export function installTracing(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(providerFor("gateway"));
  instrumentPg();
  const url = otlpTracesUrl();
  if (url) {
    // Loaded only when configured: nothing of the exporter runs otherwise.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OTLPTraceExporter } =
      require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
    processors.list.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
}

/** Adds a span processor (tests: an in-memory exporter). */
export function addSpanProcessor(processor: SpanProcessor): () => void {
  installTracing();
  processors.list.push(processor);
  return () => {
    const i = processors.list.indexOf(processor);
    if (i >= 0) processors.list.splice(i, 1);
  };
}

/** Sends what is buffered (on shutdown). */
export function flushTraces(): Promise<void> {
  return processors.forceFlush();
}

export function tracer(service: string): Tracer {
  installTracing();
  return providerFor(service).getTracer("care-hub");
}

/** Runs `fn` in a span that ends when it settles, recording a thrown error's type (not its message). */
export async function inSpan<T>(
  service: string,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer(service).startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute("error.type", (error as Error)?.name ?? "Error");
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The caller's trace context from a request's headers (`traceparent`), or none: a new trace. */
export function extractContext(headers: IncomingHttpHeaders): Context {
  // The propagator is set up with tracing: before it, a process's first request lost its caller's trace.
  installTracing();
  return propagation.extract(ROOT_CONTEXT, headers);
}

type FetchInit = { method?: string; headers?: unknown; [key: string]: unknown };
// `init` is each fetch's own options type (node's RequestInit, Apollo's fetcher's): `never` lets any of them
// fit, and the wrapper hands on the caller's options with only the trace headers added.
type AnyFetch = (url: string, init?: never) => Promise<{ status: number }>;

function injectInto(headers: unknown): unknown {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (headers && typeof (headers as { set?: unknown }).set === "function") {
    for (const [key, value] of Object.entries(carrier)) (headers as { set(k: string, v: string): void }).set(key, value);
    return headers;
  }
  return { ...((headers as Record<string, string>) ?? {}), ...carrier };
}

/**
 * A fetch that is one CLIENT span of `service` calling `peer`, carries `traceparent` to it, and is
 * measured in http_client_request_duration_seconds.
 */
export function tracedFetch<F extends AnyFetch>(service: string, peer: string, fetcher: F): F {
  return (async (url: string, init: FetchInit = {}) => {
    const target = new URL(url);
    const started = performance.now();
    let outcome = "error";
    try {
      return await inSpan(
        service,
        `${init.method ?? "GET"}`,
        SpanKind.CLIENT,
        {
          "http.request.method": init.method ?? "GET",
          "server.address": target.hostname,
          "server.port": Number(target.port) || 80,
          "url.path": target.pathname,
          "peer.service": peer,
        },
        async (span) => {
          const response = await fetcher(url, { ...init, headers: injectInto(init.headers) } as never);
          span.setAttribute("http.response.status_code", response.status);
          if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
          outcome = response.status < 400 ? "ok" : `http_${response.status}`;
          return response;
        },
      );
    } finally {
      clientDuration.observe({ service, peer_service: peer, outcome }, (performance.now() - started) / 1000);
    }
  }) as F;
}

/**
 * SQL text for a span: literals (quoted strings, numbers) replaced with `?`. The hub's statements
 * pass values as parameters; this makes sure that a literal written into one still cannot carry a
 * personal identity number into a trace.
 */
export function sanitizeSql(text: string): string {
  return text
    .replace(/'(?:[^']|'')*'/g, "?")
    .replace(/(?<![$\w])\d+(?:\.\d+)?\b/g, "?")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 2000);
}

/** The statement kinds named in spans and metrics; others are OTHER. Built once, not per statement. */
const OPERATIONS = new Set([
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "WITH",
  "BEGIN",
  "COMMIT",
  "ROLLBACK",
  "LISTEN",
  "SET",
  "START",
  "CREATE",
  "ALTER",
  "DROP",
  "SAVEPOINT",
  "RELEASE",
]);

function operationOf(text: string): string {
  const word = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "";
  return OPERATIONS.has(word) ? word : "OTHER";
}

let pgInstrumented = false;

/**
 * Every statement a pg Client runs (TypeORM's, the event streams') is a CLIENT span of the service
 * serving the request, and is measured in db_client_operation_duration_seconds.
 */
function instrumentPg(): void {
  if (pgInstrumented) return;
  pgInstrumented = true;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function tracedQuery(this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; submit?: unknown } | undefined;
    const text = typeof first === "string" ? first : typeof first?.text === "string" ? first.text : undefined;
    if (text === undefined) return original.apply(this, args);
    const service = requestScope.getStore()?.service ?? "hub";
    const operation = operationOf(text);
    const started = performance.now();
    // No span at all while nothing records one: a statement's span has no children and carries no
    // log line, so without a processor it would be only cost (its SQL text sanitised by regular
    // expressions, every statement). The duration is measured either way.
    const span = !recording()
      ? undefined
      : tracer(service).startSpan(`${operation} ${(this as unknown as { database?: string }).database ?? ""}`.trim(), {
          kind: SpanKind.CLIENT,
          attributes: {
            "db.system.name": "postgresql",
            "db.namespace": (this as unknown as { database?: string }).database,
            "db.operation.name": operation,
            "db.query.text": sanitizeSql(text),
          },
        });
    const done = (error?: unknown) => {
      if (span) {
        if (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute("error.type", (error as { code?: string }).code ?? "Error");
        }
        span.end();
      }
      dbDuration.observe({ service, db_operation_name: operation }, (performance.now() - started) / 1000);
    };
    const callbackAt = args.findIndex((arg) => typeof arg === "function");
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as (error: unknown, result: unknown) => void;
      args[callbackAt] = (error: unknown, result: unknown) => {
        done(error);
        callback(error, result);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as unknown;
    if (result && typeof (result as Promise<unknown>).then === "function") {
      (result as Promise<unknown>).then(
        () => done(),
        (error) => done(error),
      );
    } else done();
    return result;
  };
}
