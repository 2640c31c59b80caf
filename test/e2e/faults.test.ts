import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { seedHub } from "../../seeds";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";
import { Role } from "../../subgraphs/shared/identity";
import { projectRoot } from "../../subgraphs/shared/paths";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { migratedDataSources } from "../support/database";
import { delayingProxy, DelayingProxy } from "../support/delaying-proxy";
import { GraphQLResponse, postGraphQL } from "../support/hub";
import { healthy, run, Run } from "../support/hub-process";
import { freePorts } from "../support/ports";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { token } from "../support/tokens";
import { waitFor } from "../support/wait";

/**
 * Faults on the compiled processes, each subgraph its own process as in production, on a
 * PostgreSQL of this file's own (it is restarted here, which the test run's shared server must not
 * be). The gateway reaches capacity and agreements through loopback proxies that can hold their
 * answers back (a slow service). Each case is bounded; the figures it prints (recovery time, events
 * lost, duplicates) are the README's.
 *
 * 1. kill -9 of the capacity process during searches and publications;
 * 2. PostgreSQL restarted (stopped and started, not paused) under the same load;
 * 3. the agreements subgraph answering slower than the gateway's time limit;
 * 4. the gateway killed in the middle of a mutation, which is retried with its idempotency key.
 */
const dist = (...parts: string[]) => path.join(projectRoot(), "dist", ...parts);
const NAMES = ["patients", "capacity", "agreements", "referrals"] as const;
type Name = (typeof NAMES)[number];
const today = stockholmDate();
const processes: Run[] = [];
const figures: string[] = [];
let baseDir: string;
let postgres: EmbeddedPostgres;
let databaseUrl: string;
let env: Record<string, string>;
let ports: Record<string, number>;
let proxies: Record<"capacity" | "agreements", DelayingProxy>;
let gatewayUrl: string;
let gateway: Run;
let provider: string;
let office: string;

const startSubgraph = (name: Name) => {
  const child = run({ ...env, [`${name.toUpperCase()}_PORT`]: String(ports[name]) }, dist("subgraphs", name, "index.js"));
  processes.push(child);
  return child;
};
const startGateway = () => {
  const child = run({ ...env, PORT: String(ports.gateway) }, dist("gateway", "index.js"));
  processes.push(child);
  return child;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-faults-pg-"));
  fs.chmodSync(baseDir, 0o755);
  const [pgPort, gatewayPort, ...subgraphPorts] = await freePorts(6);
  postgres = new EmbeddedPostgres({ baseDir, port: pgPort, fast: true });
  await postgres.start();
  const admin = new Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE faults`);
  await admin.end();
  databaseUrl = postgres.urlFor("faults");
  const dataSources = await migratedDataSources(databaseUrl);
  await seedHub(dataSources, "demo", today);
  await Promise.all(Object.values(dataSources).map((d) => d.destroy()));

  ports = { gateway: gatewayPort, ...Object.fromEntries(NAMES.map((name, i) => [name, subgraphPorts[i]])) };
  proxies = { capacity: await delayingProxy(ports.capacity), agreements: await delayingProxy(ports.agreements) };
  gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  const via = (name: Name) => (name === "capacity" || name === "agreements" ? proxies[name].port : ports[name]);
  env = {
    DATABASE_URL: databaseUrl,
    HUB_INTERNAL_SECRET: randomBytes(32).toString("base64"),
    HUB_SEED: "none",
    HUB_GATEWAY_URL: gatewayUrl,
    // Every search reaches the subgraphs: a cached answer would hide the fault.
    HUB_RESPONSE_CACHE_MB: "0",
    HUB_RATE_LIMIT_PER_MINUTE: "1000000",
    HUB_COST_PER_MINUTE: "1000000000",
    HUB_SUBGRAPH_TIMEOUT_MS: "2000",
    ...Object.fromEntries(NAMES.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${via(name)}/graphql`])),
  };
  const subgraphs = NAMES.map((name) => startSubgraph(name));
  await Promise.all(NAMES.map((name, i) => healthy(subgraphs[i], `http://127.0.0.1:${ports[name]}/health`)));
  gateway = startGateway();
  await healthy(gateway, `http://127.0.0.1:${gatewayPort}/health`);
  provider = await token(Role.PROVIDER, providerId("private-kattegatt-ortopedi"));
  office = await token(Role.REGIONAL_OFFICE, "13");
}, 120_000);

afterAll(async () => {
  for (const p of processes) p.child.kill("SIGTERM");
  await Promise.all(processes.map((p) => Promise.race([p.exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])));
  for (const p of processes) p.child.kill("SIGKILL");
  await Promise.all(Object.values(proxies ?? {}).map((p) => p.close()));
  await postgres?.stop();
  fs.rmSync(baseDir, { recursive: true, force: true });
  if (figures.length) process.stdout.write(`fault suite:\n  ${figures.join("\n  ")}\n`);
});

const PUBLISH = `mutation($input: PublishCapacityInput!, $key: String) { publishCapacity(input: $input, idempotencyKey: $key) { replayed offers { id } } }`;
const SEARCH = `{ freeCapacity(filter: { specialty: ORTHOPAEDICS }, first: 5) { edges { node { id provider { name } } } } }`;
const LIVE = `subscription($after: ID) { offerPublished(filter: { specialty: ORTHOPAEDICS }, after: $after) { id event { id } } }`;
const offerInput = (reportedBy: string) => ({
  reportedBy,
  offers: [
    {
      careUnitId: careUnitId("kattegatt-ortopedi"),
      procedureCode: "NFB49",
      slots: 1,
      validFrom: today,
      validUntil: addDays(today, 60),
      expectedWaitDays: 10,
    },
  ],
});

/** Publications and searches through the gateway, side by side, until stopped: what was acknowledged and which codes came back. */
function load() {
  const acknowledged: string[] = [];
  const codes = new Map<string, number>();
  const state = { stop: false, searchesOk: 0, publishedOk: 0 };
  let sequence = 0;
  const done = (async () => {
    while (!state.stop) {
      const [published, searched] = await Promise.all([
        postGraphQL(gatewayUrl, PUBLISH, { input: offerInput(`fault suite ${sequence++}`) }, provider).catch(() => undefined),
        postGraphQL(gatewayUrl, SEARCH, undefined, office).catch(() => undefined),
      ]);
      if (published?.data?.publishCapacity) {
        acknowledged.push(published.data.publishCapacity.offers[0].id);
        state.publishedOk++;
      }
      if (searched?.data?.freeCapacity) state.searchesOk++;
      for (const error of [...(published?.errors ?? []), ...(searched?.errors ?? [])]) {
        const code = String(error.extensions?.code);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      await sleep(50);
    }
  })();
  return {
    acknowledged,
    codes,
    state,
    /** Resolves once a search and a publication have succeeded after now. */
    recovered: async (timeoutMs = 45_000) => {
      const [searches, publications] = [state.searchesOk, state.publishedOk];
      const deadline = Date.now() + timeoutMs;
      while ((state.searchesOk === searches || state.publishedOk === publications) && Date.now() < deadline) await sleep(20);
      if (Date.now() >= deadline) throw new Error(`no recovery within ${timeoutMs} ms: ${JSON.stringify([...codes])}`);
    },
    stop: async () => {
      state.stop = true;
      await done;
    },
  };
}

/**
 * A subscriber to new orthopaedic offers that resumes with `after` (the last event id it got)
 * whenever its subscription ends, as a client following the README does.
 */
function resumingSubscriber(after: string) {
  const sessions: TestSubscription[] = [];
  const seen = () =>
    sessions.flatMap((s) => s.results.filter((r) => r.data).map((r) => r.data.offerPublished as { id: string; event: { id: string } }));
  const open = () => {
    const session = subscribe(gatewayUrl, LIVE, { after: seen().at(-1)?.event.id ?? after }, office);
    sessions.push(session);
    void session.ended.then(() => sleep(250)).then(() => !closed && open());
  };
  let closed = false;
  open();
  return {
    /** Waits until every id was delivered, then closes; answers the lost and duplicated counts. */
    settle: async (ids: string[], timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (ids.some((id) => !seen().some((o) => o.id === id)) && Date.now() < deadline) await sleep(100);
      closed = true;
      await Promise.all(sessions.map((s) => s.close()));
      const delivered = seen();
      return {
        lost: ids.filter((id) => !delivered.some((o) => o.id === id)).length,
        duplicates: delivered.length - new Set(delivered.map((o) => o.event.id)).size,
        sessions: sessions.length,
      };
    },
  };
}

const cursor = async () => (await postGraphQL(gatewayUrl, `{ offerEventCursor }`, undefined, office)).data.offerEventCursor as string;
const byScript = (script: string) =>
  processes
    .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
    .find((p) => p.child.spawnargs.some((a) => a.endsWith(script)))!;

describe("faults", () => {
  it("kill -9 of a subgraph under load: SUBGRAPH_UNAVAILABLE meanwhile, recovery by itself, nothing acknowledged lost or doubled", async () => {
    const subscriber = resumingSubscriber(await cursor());
    const traffic = load();
    await waitFor(() => traffic.acknowledged.length >= 3, "publications acknowledged under load");
    const capacity = byScript(path.join("capacity", "index.js"));
    capacity.child.kill("SIGKILL");
    await capacity.exited;
    await waitFor(() => (traffic.codes.get("SUBGRAPH_UNAVAILABLE") ?? 0) > 0, "answers SUBGRAPH_UNAVAILABLE while capacity is down");
    const restartedAt = Date.now();
    const restarted = startSubgraph("capacity");
    await healthy(restarted, `http://127.0.0.1:${ports.capacity}/health`);
    await traffic.recovered();
    const recovery = (Date.now() - restartedAt) / 1000;
    const recoveredWith = traffic.acknowledged.length;
    await waitFor(() => traffic.acknowledged.length >= recoveredWith + 3, "publications acknowledged after the recovery");
    await traffic.stop();
    const { lost, duplicates, sessions } = await subscriber.settle(traffic.acknowledged);
    figures.push(
      `kill -9 capacity: ${traffic.acknowledged.length} publications acknowledged, ${lost} lost, ${duplicates} duplicates (${sessions} subscription sessions); ` +
        `${traffic.codes.get("SUBGRAPH_UNAVAILABLE") ?? 0} answers SUBGRAPH_UNAVAILABLE meanwhile; recovered ${recovery.toFixed(1)} s after the restart began`,
    );
    expect(traffic.codes.get("SUBGRAPH_UNAVAILABLE") ?? 0).toBeGreaterThan(0);
    expect(traffic.codes.get("INTERNAL_SERVER_ERROR") ?? 0).toBe(0);
    expect(traffic.acknowledged.length).toBeGreaterThan(5);
    expect({ lost, duplicates }).toEqual({ lost: 0, duplicates: 0 });
  }, 60_000);

  it("PostgreSQL restarted under load: every process reconnects by itself, LISTEN too, no event lost or doubled for a resuming subscriber", async () => {
    const subscriber = resumingSubscriber(await cursor());
    const traffic = load();
    await waitFor(() => traffic.acknowledged.length >= 3, "publications acknowledged under load");
    const stoppedAt = Date.now();
    await postgres.stop();
    await sleep(1000);
    await postgres.start();
    const restartedAt = Date.now();
    await traffic.recovered();
    const recovery = (Date.now() - restartedAt) / 1000;
    const before = traffic.acknowledged.length;
    await waitFor(() => traffic.acknowledged.length >= before + 3, "publications acknowledged after the recovery");
    await traffic.stop();
    // The capacity process listens again (its LISTEN connection is back), and a subscription
    // opened after the restart is served.
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    let listening = false;
    try {
      const listeners = async () =>
        (await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'care-hub-capacity-listen'`)).rows[0]
          .n as number;
      listening = await waitFor(async () => (await listeners()) > 0, "the capacity process's LISTEN connection", 20_000).catch(() => false);
    } finally {
      await admin.end();
    }
    const fresh = subscribe(gatewayUrl, LIVE, { after: await cursor() }, office);
    const live = await postGraphQL(gatewayUrl, PUBLISH, { input: offerInput("after the restart") }, provider);
    const liveId = live.data.publishCapacity.offers[0].id;
    const deliveredLive = await fresh.waitFor(1, 15_000).then(
      (results) => results.some((r) => r.data?.offerPublished.id === liveId),
      () => false,
    );
    await fresh.close();
    const { lost, duplicates, sessions } = await subscriber.settle([...traffic.acknowledged, liveId]);
    figures.push(
      `PostgreSQL restart (down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s): ${traffic.acknowledged.length + 1} publications acknowledged (${traffic.acknowledged.length - before} after recovery), ` +
        `${lost} lost, ${duplicates} duplicates (${sessions} subscription sessions); searches and publications answered again ${recovery.toFixed(1)} s after PostgreSQL was back`,
    );
    expect(traffic.acknowledged.length - before).toBeGreaterThan(0);
    expect(listening).toBe(true);
    expect(deliveredLive).toBe(true);
    expect({ lost, duplicates }).toEqual({ lost: 0, duplicates: 0 });
  }, 60_000);

  it("a subgraph slower than the time limit: the answer is bounded, partial, and names the missing part", async () => {
    const QUERY = `{ freeCapacity(filter: { specialty: ORTHOPAEDICS }, first: 3) { edges { node { id coverage(homeRegionCode: "13") { status } } } } }`;
    proxies.agreements.delayMs = 5000;
    const started = Date.now();
    let slow: GraphQLResponse;
    try {
      slow = await postGraphQL(gatewayUrl, QUERY, undefined, office);
    } finally {
      proxies.agreements.delayMs = 0;
    }
    const seconds = (Date.now() - started) / 1000;
    figures.push(
      `agreements answering 5 s late (time limit 2 s): partial answer in ${seconds.toFixed(1)} s, naming ${JSON.stringify(slow.errors?.map((e) => e.extensions?.service))}`,
    );
    expect(seconds).toBeLessThan(4.5);
    expect(slow.errors?.[0].extensions).toMatchObject({ code: "SUBGRAPH_TIMEOUT", service: "agreements" });
    expect(slow.data?.freeCapacity?.edges.length).toBe(3);
    // Once it answers in time again, so does the gateway.
    await sleep(500);
    const again = await postGraphQL(gatewayUrl, QUERY, undefined, office);
    expect(again.errors).toBeUndefined();
    expect(again.data.freeCapacity.edges[0].node.coverage.status).toBeDefined();
  }, 60_000);

  it("the gateway killed mid-mutation: a retry with the same idempotency key gives the first result", async () => {
    const key = `fault-${randomUUID()}`;
    const reportedBy = `killed gateway ${key}`;
    // Capacity answers, but the answer is held back on its way to the gateway, which dies meanwhile.
    proxies.capacity.delayMs = 3000;
    const first = postGraphQL(gatewayUrl, PUBLISH, { input: offerInput(reportedBy), key }, provider).then(
      () => "answered",
      () => "cut off",
    );
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const stored = async () =>
        (await admin.query(`SELECT id FROM capacity.capacity_offer WHERE reported_by = $1`, [reportedBy])).rows.map((r) => r.id as string);
      await waitFor(async () => (await stored()).length > 0, "the publication stored behind the held-back answer", 10_000).catch(
        () => undefined,
      );
      gateway.child.kill("SIGKILL");
      await gateway.exited;
      proxies.capacity.delayMs = 0;
      expect(await first).toBe("cut off");
      const committed = await stored();
      expect(committed).toHaveLength(1);
      const restartedAt = Date.now();
      gateway = startGateway();
      await healthy(gateway, `http://127.0.0.1:${ports.gateway}/health`);
      const seconds = (Date.now() - restartedAt) / 1000;
      const retry = await postGraphQL(gatewayUrl, PUBLISH, { input: offerInput(reportedBy), key }, provider);
      expect(retry.errors).toBeUndefined();
      expect(retry.data.publishCapacity).toEqual({ replayed: true, offers: [{ id: committed[0] }] });
      expect(await stored()).toEqual(committed);
      figures.push(
        `gateway killed mid-mutation: the retry with the same key answered the first result (replayed, 1 offer stored); new gateway ready in ${seconds.toFixed(1)} s`,
      );
    } finally {
      proxies.capacity.delayMs = 0;
      await admin.end();
    }
  }, 60_000);
});
