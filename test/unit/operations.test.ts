import { logger, requestScope } from "../../subgraphs/shared/log";
import { metricsSettings, operationLabel } from "../../subgraphs/shared/metrics";
import { SpanKind } from "@opentelemetry/api";
import { extractContext, inSpan, otlpTracesUrl, sanitizeSql } from "../../subgraphs/shared/tracing";
import { gatewayWorkerCount } from "../../subgraphs/shared/config";

/** The small rules behind logs, metrics, traces and workers. */
function captured(run: () => void): string[] {
  const lines: string[] = [];
  const write = process.stderr.write;
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "debug";
  process.stderr.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    run();
  } finally {
    process.stderr.write = write;
    process.env.LOG_LEVEL = level;
  }
  return lines;
}

describe("log lines", () => {
  afterEach(() => delete process.env.LOG_FORMAT);

  it("are JSON with time, level, service, component, and the request id inside a request", () => {
    const [line] = captured(() =>
      requestScope.run({ requestId: "req-1", service: "capacity" }, () => logger("capacity/db").warn("slow", { durationMs: 12 })),
    );
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({
      level: "warn",
      service: "capacity",
      component: "capacity/db",
      requestId: "req-1",
      durationMs: 12,
      msg: "slow",
    });
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  });

  it("carry the request's trace and span ids when no exporter records spans (nothing recorded, the ids kept)", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const seen = await inSpan(
      "capacity",
      "POST /graphql",
      SpanKind.SERVER,
      {},
      async (span) => ({
        recording: span.isRecording(),
        spanId: span.spanContext().spanId,
        lines: captured(() => requestScope.run({ requestId: "req-2", service: "capacity" }, () => logger("capacity").info("answered"))),
      }),
      extractContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }),
    );
    expect(seen.recording).toBe(false);
    expect(JSON.parse(seen.lines[0])).toMatchObject({ requestId: "req-2", traceId, spanId: seen.spanId });
  });

  it("are readable lines with LOG_FORMAT=pretty", () => {
    process.env.LOG_FORMAT = "pretty";
    const [line] = captured(() => logger("gateway").info("serving", { port: 4000 }));
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[gateway\] serving \(port=4000\)\n$/);
  });
});

describe("SQL in spans", () => {
  it("keeps the statement and its $n placeholders, and drops literals", () => {
    expect(sanitizeSql(`SELECT * FROM "patients"."patient" WHERE personal_identity_number = '191212121212' AND age > 17 AND id = $1`)).toBe(
      `SELECT * FROM "patients"."patient" WHERE personal_identity_number = ? AND age > ? AND id = $1`,
    );
  });
});

describe("settings", () => {
  it("exports traces only to a configured endpoint", () => {
    expect(otlpTracesUrl({})).toBeUndefined();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toBe("http://collector:4318/v1/traces");
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
  });

  it("serves metrics only where configured", () => {
    expect(metricsSettings({})).toMatchObject({ port: undefined, token: undefined });
    expect(metricsSettings({ HUB_METRICS_PORT: "9464", HUB_METRICS_TOKEN: "t" })).toMatchObject({ port: 9464, token: "t" });
    expect(() => metricsSettings({ HUB_METRICS_PORT: "x" })).toThrow("HUB_METRICS_PORT");
  });

  it("labels metrics only with GraphQL operation names, and a bounded number of them", () => {
    expect(operationLabel("SendReferral")).toBe("SendReferral");
    expect(operationLabel("19121212-1212")).toBe("");
    expect(operationLabel(undefined)).toBe("");
  });

  it("runs one gateway worker in development and one per core in production, unless told", () => {
    expect(gatewayWorkerCount({}, false)).toBe(1);
    expect(gatewayWorkerCount({}, true)).toBeGreaterThanOrEqual(1);
    expect(gatewayWorkerCount({ HUB_GATEWAY_WORKERS: "3" }, true)).toBe(3);
    expect(() => gatewayWorkerCount({ HUB_GATEWAY_WORKERS: "0" }, false)).toThrow("HUB_GATEWAY_WORKERS must be a whole number");
  });
});
