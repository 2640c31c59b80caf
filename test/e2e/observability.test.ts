import fs from "node:fs";
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Role } from "../../subgraphs/shared/identity";
import { addSpanProcessor } from "../../subgraphs/shared/tracing";
import { referralId } from "../../seeds/data/patients";
import { providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";
import { waitFor } from "../support/wait";

/**
 * Traces and logs of the brokering story, in the hub's own processes: one trace per request from
 * the client's traceparent through the gateway, the referrals subgraph, its calls and their SQL,
 * with no patient identifier in any attribute; and JSON log lines with request and trace ids,
 * one per request with its outcome, and never an identity number or a token.
 */
let hub: TestHub;
const exporter = new InMemorySpanExporter();
let removeExporter: () => void;
const lines: string[] = [];
let restoreStderr: () => void;
const logLevel = process.env.LOG_LEVEL;

beforeAll(async () => {
  removeExporter = addSpanProcessor(new SimpleSpanProcessor(exporter));
  hub = await startTestHub();
  // Everything the hub writes from here on, at every level.
  process.env.LOG_LEVEL = "debug";
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split("\n")
        .filter((line) => line.length > 0),
    );
    return true;
  }) as typeof process.stderr.write;
  restoreStderr = () => (process.stderr.write = write);
});
afterAll(async () => {
  restoreStderr?.();
  process.env.LOG_LEVEL = logLevel;
  await hub?.stop();
  removeExporter?.();
});

const HIP = referralId("tolvan-hip");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
// Tolvan's (synthetic, Skatteverket's test) identity number, as the seeds hold it and a caller writes it.
const IDENTITY_NUMBERS = ["191212121212", "19121212-1212", "121212-1212"];

function traceparent(): { header: string; traceId: string } {
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { header: `00-${traceId}-${"ab".repeat(8)}-01`, traceId };
}

async function send(bearer: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(hub.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

const usedTokens: string[] = [];
async function bearer(role: Role, organisation?: string): Promise<string> {
  const value = await token(role, organisation);
  usedTokens.push(value);
  return value;
}

function childrenOf(spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
}

function descendantsOf(spans: ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  const found: ReadableSpan[] = [];
  const queue = [parent];
  while (queue.length) {
    for (const child of childrenOf(spans, queue.shift()!)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The span tree as text: service, name, duration, and the attributes that say what it was. */
function tree(spans: ReadableSpan[], root: ReadableSpan): string {
  const out: string[] = [];
  const ms = (span: ReadableSpan) => (span.duration[0] * 1000 + span.duration[1] / 1e6).toFixed(1);
  const walk = (span: ReadableSpan, depth: number) => {
    const detail = span.attributes["db.query.text"] ?? span.attributes["peer.service"] ?? span.attributes["graphql.operation.name"] ?? "";
    out.push(`${"  ".repeat(depth)}${service(span)}: ${span.name} ${ms(span)} ms${detail ? `  ${String(detail).slice(0, 90)}` : ""}`);
    for (const child of childrenOf(spans, span).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]))
      walk(child, depth + 1);
  };
  walk(root, 0);
  return `${out.join("\n")}\n`;
}

const service = (span: ReadableSpan) => span.resource.attributes["service.name"];

describe("the brokering story, observed", () => {
  let offer: string;
  let patientId: string;
  let sendTrace: string;

  it("the office finds the patient and the capacity (the story's reads)", async () => {
    const office = await bearer(Role.REGIONAL_OFFICE, "13");
    const found = await send(
      office,
      `query Lookup($pnr: String!) { patientByPersonalIdentityNumber(personalIdentityNumber: $pnr) { id givenName } }`,
      { pnr: IDENTITY_NUMBERS[0] },
    );
    expect(found.errors).toBeUndefined();
    patientId = found.data.patientByPersonalIdentityNumber.id;
    // A mistake with an identity number in it: the refusal is logged, the number is not.
    const wrong = await send(
      office,
      `query Lookup($pnr: String!) { patientByPersonalIdentityNumber(personalIdentityNumber: $pnr) { id } }`,
      { pnr: "19121212-121X" },
    );
    expect(wrong.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const matches = await send(
      office,
      `query Matches($id: ID!) { referral(id: $id) { matches(first: 50) { tier startsByDeadline offer { id provider { id } } } } }`,
      { id: HIP },
    );
    expect(matches.errors).toBeUndefined();
    offer = matches.data.referral.matches.find(
      (m: any) => m.tier === "OWN_PRIVATE_AGREEMENT" && m.offer.provider.id === KATTEGATT && m.startsByDeadline,
    ).offer.id;
  });

  it("sendReferral is one trace: gateway, the referrals subgraph, its calls and their SQL", async () => {
    exporter.reset();
    const office = await bearer(Role.REGIONAL_OFFICE, "13");
    const { header, traceId } = traceparent();
    const sent = await send(
      office,
      `mutation Send($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }) { status patient { givenName } } }`,
      { id: HIP, offer },
      { traceparent: header },
    );
    expect(sent.errors).toBeUndefined();
    expect(sent.data.sendReferral.status).toBe("SENT");
    sendTrace = traceId;
    // Spans end as their work does; the request's last ones may end just after the answer. The
    // trace is whole once the gateway's server span (below the client's) and every span's parent have ended.
    const clientSpan = "ab".repeat(8);
    const spans = await waitFor(() => {
      const finished = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const ended = new Set(finished.map((span) => span.spanContext().spanId));
      const parentEnded = (span: ReadableSpan) =>
        span.parentSpanContext?.spanId === clientSpan || ended.has(span.parentSpanContext?.spanId ?? "");
      return finished.some((span) => span.parentSpanContext?.spanId === clientSpan) && finished.every(parentEnded) && finished;
    }, "the whole trace of the request");

    // The gateway's server span continues the client's trace (its parent is the client's span).
    const root = spans.find(
      (span) => service(span) === "gateway" && span.name === "POST /graphql" && span.parentSpanContext?.spanId === "ab".repeat(8),
    )!;
    expect(root).toBeDefined();
    expect(root.attributes).toMatchObject({
      "graphql.operation.name": "Send",
      "graphql.operation.type": "mutation",
      "http.response.status_code": 200,
    });
    // Apollo Gateway's own spans join it.
    const names = new Set(descendantsOf(spans, root).map((span) => span.name));
    for (const name of ["gateway.request", "gateway.plan", "gateway.execute", "gateway.fetch"]) expect(names).toContain(name);

    // The gateway's fetch from referrals, and the referrals subgraph serving it, below it.
    const fetches = descendantsOf(spans, root).filter(
      (span) => service(span) === "gateway" && span.attributes["peer.service"] === "referrals",
    );
    expect(fetches.length).toBeGreaterThan(0);
    const referralsServer = spans.find(
      (span) =>
        service(span) === "referrals" &&
        span.name === "POST /graphql" &&
        fetches.some((f) => f.spanContext().spanId === span.parentSpanContext?.spanId),
    )!;
    expect(referralsServer).toBeDefined();
    const underReferrals = descendantsOf(spans, referralsServer);
    // Its SQL: statements of the referrals service, with their text and no values.
    const sql = underReferrals.filter((span) => span.attributes["db.system.name"] === "postgresql" && service(span) === "referrals");
    expect(sql.map((span) => span.attributes["db.operation.name"])).toEqual(expect.arrayContaining(["SELECT", "UPDATE"]));
    // Its calls: sending asks the supergraph on the caller's behalf through the gateway (capacity
    // holds the slot, agreements prices the commitment), in the same trace.
    const calls = underReferrals.filter((span) => service(span) === "referrals" && span.attributes["peer.service"] === "gateway");
    expect(calls.length).toBeGreaterThan(0);
    const nested = calls.flatMap((call) => descendantsOf(spans, call));
    expect(new Set(nested.map(service))).toEqual(expect.objectContaining(new Set(["gateway"])));
    expect(nested.some((span) => service(span) === "capacity" && span.name === "POST /graphql")).toBe(true);
    expect(nested.some((span) => service(span) === "capacity" && span.attributes["db.system.name"] === "postgresql")).toBe(true);
    // Every span of the request is in this one trace.
    expect(spans.length).toBe(new Set(spans.map((s) => s.spanContext().spanId)).size);

    // TRACE_TREE_FILE=<file> writes the tree as the README shows it.
    if (process.env.TRACE_TREE_FILE) fs.writeFileSync(process.env.TRACE_TREE_FILE, tree(spans, root));

    // No patient identifier in any attribute of the trace.
    const attributes = JSON.stringify(spans.map((span) => [span.name, span.attributes]));
    for (const secret of [...IDENTITY_NUMBERS, patientId, ...usedTokens]) expect(attributes).not.toContain(secret);
  });

  it("logs JSON lines with request and trace ids, one per request with its outcome, and no identity number or token", async () => {
    // The accept step as the provider, for good measure.
    const provider = await bearer(Role.PROVIDER, KATTEGATT);
    expect(
      (await send(provider, `mutation Receive($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id: HIP })).errors,
    ).toBeUndefined();
    // The gateway logs a request once it has answered it.
    await waitFor(
      () => lines.some((line) => line.includes('"operation":"Receive"') && line.includes('"service":"gateway"')),
      "the gateway's line for Receive",
    );

    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of parsed) {
      expect(typeof entry.time).toBe("string");
      expect(["debug", "info", "warn", "error"]).toContain(entry.level);
      expect(typeof entry.service).toBe("string");
    }
    const requests = parsed.filter((entry) => entry.msg === "request");
    // Once per request: the gateway's and each subgraph's, each with its ids and outcome.
    const send_ = requests.filter((entry) => entry.operation === "Send" && entry.service === "gateway");
    expect(send_).toHaveLength(1);
    expect(send_[0]).toMatchObject({ type: "mutation", outcome: "ok", status: 200, traceId: sendTrace });
    expect(typeof send_[0].durationMs).toBe("number");
    expect(typeof send_[0].requestId).toBe("string");
    // The subgraphs' lines of the same request carry the same request id.
    expect(requests.filter((entry) => entry.requestId === send_[0].requestId && entry.service === "referrals").length).toBeGreaterThan(0);
    const refused = requests.find((entry) => entry.operation === "Lookup" && entry.service === "gateway" && entry.outcome !== "ok");
    expect(refused).toMatchObject({ errorCodes: "BAD_USER_INPUT" });

    const text = lines.join("\n");
    for (const secret of [...IDENTITY_NUMBERS, "19121212-121X", ...usedTokens]) expect(text).not.toContain(secret);
  });
});
