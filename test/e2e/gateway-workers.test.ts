import http from "node:http";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { createTestDatabase } from "../support/database";
import { ready, run, Run } from "../support/hub-process";
import { freePort, hubProcessPorts } from "../support/ports";
import { adminToken } from "../support/tokens";

/**
 * The hub as a process with two gateway workers sharing its port (HUB_GATEWAY_WORKERS=2), and its
 * metrics on a port of their own: each worker keeps its own response cache and hears every change
 * from the subgraphs' feeds, so a change made through one worker empties the entry in both; the
 * scrape gathers every process's metrics and never carries an identity number, token or variable.
 */
let hub: Run;
let url: string;
let metricsUrl: string;
const METRICS_TOKEN = "scrape-credential-for-tests-0123456789";

beforeAll(async () => {
  // PORT=0: the workers share the one free port the primary picks.
  const env = { ...(await hubProcessPorts()), PORT: "0" };
  const metricsPort = await freePort();
  hub = run({
    ...env,
    DATABASE_URL: await createTestDatabase(),
    HUB_SEED: "none",
    HUB_GATEWAY_WORKERS: "2",
    HUB_METRICS_PORT: String(metricsPort),
    HUB_METRICS_TOKEN: METRICS_TOKEN,
    HUB_RATE_LIMIT_PER_MINUTE: "100000",
  });
  await ready(hub, 90_000);
  url = /GraphQL: +(http:\S+\/graphql) \(2 gateway workers\)/.exec(hub.stdout())![1];
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
});
afterAll(async () => {
  if (!hub) return;
  hub.child.kill("SIGTERM");
  await hub.exited;
});

const today = stockholmDate();
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const SEARCH = `query Search($filter: FreeCapacityFilter, $first: Int) { freeCapacity(filter: $filter, first: $first) { totalCount edges { node { id } } } }`;

interface Answer {
  worker: string;
  cache: string;
  body: any;
}

/** One request on a connection of its own, so the primary hands it to the next worker in turn. */
function post(query: string, variables: Record<string, unknown>, bearer: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query, variables });
    const request = http.request(
      url,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", authorization: `Bearer ${bearer}`, "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () =>
          resolve({
            worker: String(response.headers["x-hub-gateway-worker"]),
            cache: String(response.headers["x-hub-cache"]),
            body: JSON.parse(text),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** Asks until each worker has answered with `predicate` true; returns each worker's last answer. */
async function fromEveryWorker(
  ask: () => Promise<Answer>,
  predicate: (answer: Answer) => boolean,
  what: string,
): Promise<Map<string, Answer>> {
  const answers = new Map<string, Answer>();
  const deadline = Date.now() + 20_000;
  while (answers.size < 2) {
    const answer = await ask();
    expect(answer.body.errors).toBeUndefined();
    if (predicate(answer)) answers.set(answer.worker, answer);
    if (Date.now() > deadline) throw new Error(`not every worker answered ${what}: ${[...answers.keys()]}`);
    if (answers.size < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return answers;
}

describe("two gateway workers on one port", () => {
  it("serves from both workers, each with its own cache, and a change through one empties the entry in both", async () => {
    const bearer = await adminToken();
    const variables = { filter: { providerIds: [KATTEGATT] }, first: 100 };
    const search = () => post(SEARCH, variables, bearer);
    // Both workers hold the answer (each served a hit from its own cache).
    const cached = await fromEveryWorker(search, (answer) => answer.cache === "hit", "from its cache");
    expect(new Set([...cached.values()].map((answer) => answer.body.data.freeCapacity.totalCount)).size).toBe(1);
    const before = [...cached.values()][0].body.data.freeCapacity.totalCount;

    // A change through one worker (whichever takes the connection)…
    const published = await post(
      `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
      {
        input: {
          reportedBy: "Booking system (workers test)",
          offers: [
            {
              careUnitId: careUnitId("kattegatt-ortopedi"),
              procedureCode: "NFB49",
              slots: 2,
              validFrom: today,
              validUntil: addDays(today, 30),
              earliestStart: today,
              expectedWaitDays: 3,
            },
          ],
        },
      },
      bearer,
    );
    expect(published.body.errors).toBeUndefined();
    const offer = published.body.data.publishCapacity.offers[0].id;
    // …is heard by every worker: each answers with the new offer, and never the old answer from its cache.
    const fresh = await fromEveryWorker(
      search,
      (answer) => answer.body.data.freeCapacity.edges.some((e: any) => e.node.id === offer),
      "with the new offer",
    );
    for (const answer of fresh.values()) expect(answer.body.data.freeCapacity.totalCount).toBe(before + 1);
    // After the change, no worker serves the stale entry again.
    for (let i = 0; i < 6; i++) {
      const answer = await search();
      expect(answer.body.data.freeCapacity.totalCount).toBe(before + 1);
    }
  });

  it("gathers every process's metrics on the metrics port, to the scrape credential only", async () => {
    // A request with an identity number in its variables: it must not reach the scrape.
    const bearer = await adminToken();
    await post(
      `query Lookup($pnr: String!) { patientByPersonalIdentityNumber(personalIdentityNumber: $pnr) { id } }`,
      { pnr: "191212121212" },
      bearer,
    );
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(url.replace(/graphql$/, "metrics"), { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    for (const name of [
      "http_server_request_duration_seconds_bucket",
      "http_client_request_duration_seconds_bucket",
      "db_client_operation_duration_seconds_bucket",
      "db_client_connection_count",
      "hub_response_cache_hits_total",
      "hub_response_cache_misses_total",
      "hub_response_cache_evictions_total",
      "hub_websocket_connections",
      "hub_subscriptions_live",
      "hub_outbox_lag_events",
      "process_cpu_user_seconds_total",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(text).toContain(name);
    }
    // Requests of both workers, summed: the searches above (at least 2 hits) and the mutation.
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{service="gateway",graphql_operation_name="Search",graphql_operation_type="query",outcome="ok"\} (\d+)/,
    );
    const hits = Number(/hub_response_cache_hits_total (\d+)/.exec(text)?.[1]);
    expect(hits).toBeGreaterThanOrEqual(2);
    expect(text).toContain('graphql_operation_name="Lookup"');
    expect(text).not.toContain("191212121212");
    expect(text).not.toContain(bearer);
    expect(text).not.toContain(METRICS_TOKEN);
    expect(text).not.toContain("Bearer");
    expect(text).not.toContain("kattegatt");
  });
});
