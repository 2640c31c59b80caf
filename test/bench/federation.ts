import { ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { importJWK, SignJWT } from "jose";
import { Client } from "pg";
import { DataSource } from "typeorm";
import { DEV_ISSUER, ensureDevKey } from "../../gateway/dev-keys";
import { startHub } from "../../seeds/hub";
import { SUBGRAPHS } from "../../seeds/subgraphs";
import { seedHub } from "../../seeds";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { loadConfig, SUBGRAPH_NAMES, SubgraphName } from "../../subgraphs/shared/config";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { connect, migrate, totalSqlStatements } from "../../subgraphs/shared/db/data-source";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";
import { Identity, Role } from "../../subgraphs/shared/identity";
import { identitySigner, newInternalSecret } from "../../subgraphs/shared/internal-identity";
import { projectRoot } from "../../subgraphs/shared/paths";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { freePorts } from "../support/ports";
import { Worker } from "node:worker_threads";
import type { FromSubscribers, SubscriberShare } from "./fanout-subscribers";
import { ensurePeerPackages } from "./gateways/peer-packages";
import { fillPatientsAndReferrals, growCapacity, parseSize, sizeFor } from "./dataset";
import { FAIRNESS } from "../../gateway/limits";
import { spaced } from "../../subgraphs/shared/apollo";
import { AT_RISK, FloorPage, FloorTarget, floorTables, MATCHES, postmasterPid, scenarioFloor } from "./floor";

/**
 * The federation benchmark (targets in test/bench/README.md): capacity search through this hub's gateway, a plain Apollo
 * Gateway and Hive Gateway on the same supergraph and the same subgraph processes; the gateway's
 * overhead over the capacity subgraph; the floor (floor.ts: the search mix, a referral's matches and
 * the at-risk list by hand-written SQL and JSON, against the gateways, with CPU per request by
 * process); subscription fan-out; fairness; freeCapacity latency as offers grow; SQL statements per page. Prints markdown tables and writes bench-results/latest.{json,md}.
 * Measures; asserts nothing.
 *
 *   npm run bench                   # full: 10k → 200k → 1M offers, 100/1 000/10 000 subscribers
 *   npm run bench -- --quick        # under two minutes: 10k → 50k offers, 100 subscribers
 *   npm run bench -- --sizes=10k,200k --search-size=200k --subscribers=100,1000 --seconds=10 --rounds=3
 *   npm run bench -- --subscriber-threads=2   # spread the fan-out subscribers over two worker threads
 *   npm run bench -- --quick --gateway-workers=2   # this hub's gateways as two worker processes each (HUB_GATEWAY_WORKERS)
 *   npm run bench -- --quick --profile=/tmp/prof  # CPU profiles (.cpuprofile) of this hub's gateways and subgraphs
 *   npm run bench -- --quick --only=floor,fairness  # only these sections (floor, search, fanout, fairness) besides growth
 */
interface Options {
  quick: boolean;
  sizes: number[];
  searchSize: number;
  subscribers: number[];
  seconds: number;
  rounds: number;
  concurrency: number;
  offersPerRun: number;
  /** Worker threads the fan-out's subscribers are spread over. */
  subscriberThreads: number;
  /** Worker processes of each of this hub's gateways (HUB_GATEWAY_WORKERS). */
  gatewayWorkers: number;
  /** Where this hub's processes write CPU profiles, if anywhere. */
  profileDir?: string;
  /** The sections to run (all when not given): floor, search, fanout, fairness. */
  only?: string[];
}

function options(argv: string[]): Options {
  const flags = new Map(
    argv
      .filter((a) => a.startsWith("--"))
      .map((a) => a.slice(2).split("=") as [string, string?])
      .map(([k, v]) => [k, v ?? "true"]),
  );
  const quick = flags.get("quick") === "true";
  const list = (name: string, fallback: string) => (flags.get(name) ?? fallback).split(",").map(parseSize);
  const sizes = list("sizes", quick ? "10k,50k" : "10k,200k,1m").sort((a, b) => a - b);
  return {
    quick,
    sizes,
    searchSize: parseSize(flags.get("search-size") ?? (quick ? "50k" : "200k")),
    subscribers: list("subscribers", quick ? "100" : "100,1000,10000"),
    seconds: Number(flags.get("seconds") ?? (quick ? 2 : 12)),
    rounds: Number(flags.get("rounds") ?? (quick ? 1 : 4)),
    concurrency: Number(flags.get("concurrency") ?? 16),
    offersPerRun: Number(flags.get("offers-per-run") ?? (quick ? 8 : 25)),
    subscriberThreads: Number(flags.get("subscriber-threads") ?? 1),
    gatewayWorkers: Number(flags.get("gateway-workers") ?? 1),
    profileDir: flags.get("profile") === undefined ? undefined : path.resolve(flags.get("profile")!),
    only: flags.get("only")?.split(","),
  };
}

const QUERY = /* GraphQL */ `
  query Search($filter: FreeCapacityFilter, $first: Int) {
    freeCapacity(filter: $filter, first: $first) {
      totalCount
      edges { cursor node {
        id availableSlots earliestStart expectedWaitDays
        procedure { code name }
        provider { id name kind region { code name } }
        coverage(homeRegionCode: "13") { status agreement { id kind name } pricePerCaseSek }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

/**
 * A heavy request just under the per-request cost limit (10 × 90 offers with provider and
 * coverage: 19 800), as a system client crowding the hub would send it, with its page size as a
 * variable.
 */
const HEAVY = /* GraphQL */ `query Heavy($n: Int) { ${Array.from({ length: 10 }, (_, i) => `c${i}: freeCapacity(first: $n) { edges { node { id availableSlots earliestStart provider { name region { code } } coverage(homeRegionCode: "13") { status pricePerCaseSek agreement { name } } } } }`).join(" ")} }`;

/** The same page, but only what the capacity subgraph answers alone: for the gateway's overhead. */
const CAPACITY_ONLY = /* GraphQL */ `
  query CapacityOnly($filter: FreeCapacityFilter, $first: Int) {
    freeCapacity(filter: $filter, first: $first) { totalCount edges { cursor node { id availableSlots earliestStart expectedWaitDays provider { id name kind } } } }
  }`;

/** A realistic mix: specialty searches, a procedure search, a search in a healthcare region's regions; pages of 20 and of 100. */
const VARIANTS = [
  { filter: { specialty: "ORTHOPAEDICS" }, first: 20 },
  { filter: { procedureCode: "NFB49" }, first: 20 },
  { filter: { specialty: "OPHTHALMOLOGY", regionCodes: ["07", "10", "12", "13"] }, first: 20 },
  { filter: { specialty: "GENERAL_SURGERY", startsOnOrBefore: addDays(stockholmDate(), 30) }, first: 100 },
];

interface Sample {
  ms: number;
  ok: boolean;
}

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  mismatches: number;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

const round1 = (n: number) => Math.round(n * 10) / 10;

interface Target {
  name: string;
  url: string;
  headers: () => Promise<Record<string, string>>;
}

/** `concurrency` loops sending the mix for `seconds`; every answer is checked against the expected page. */
async function load(target: Target, query: string, expected: string[][], seconds: number, concurrency: number): Promise<LoadResult> {
  const started = performance.now();
  const run = await sample(target, query, expected, seconds, concurrency);
  return summarize(run, (performance.now() - started) / 1000);
}

interface SampleRun {
  samples: Sample[];
  errors: number;
  mismatches: number;
}

/** Requests for `seconds` from `concurrency` clients, each answer checked against the expected page. */
async function sample(target: Target, query: string, expected: string[][], seconds: number, concurrency: number): Promise<SampleRun> {
  const run: SampleRun = { samples: [], errors: 0, mismatches: 0 };
  const until = performance.now() + seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const v = next++ % VARIANTS.length;
      const started = performance.now();
      let ok = false;
      try {
        const response = await fetch(target.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(await target.headers()) },
          body: JSON.stringify({ query, variables: VARIANTS[v] }),
        });
        const body = (await response.json()) as {
          data?: { freeCapacity?: { edges: Array<{ node: { id: string } }> } };
          errors?: unknown[];
        };
        if (!response.ok || body.errors || !body.data?.freeCapacity) run.errors += 1;
        else if (body.data.freeCapacity.edges.map((e) => e.node.id).join() !== expected[v].join()) run.mismatches += 1;
        else ok = true;
      } catch {
        run.errors += 1;
      }
      run.samples.push({ ms: performance.now() - started, ok });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return run;
}

function summarize({ samples, errors, mismatches }: SampleRun, elapsedSeconds: number): LoadResult {
  const latencies = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    rps: round1(samples.filter((s) => s.ok).length / elapsedSeconds),
    p50: round1(percentile(latencies, 0.5)),
    p95: round1(percentile(latencies, 0.95)),
    p99: round1(percentile(latencies, 0.99)),
    errors,
    mismatches,
  };
}

/** A child process that is ready when it prints `ready` (or its health answers). */
async function spawnReady(
  name: string,
  script: string,
  env: Record<string, string>,
  healthUrl?: string,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(projectRoot(), "dist", script)], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start within 5 minutes: ${out}`);
    if (out.includes("ready")) return child;
    if (healthUrl) {
      const healthy = await fetch(healthUrl)
        .then((r) => r.ok)
        .catch(() => false);
      if (healthy) return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits for processes started together; every one that started is kept in `children` (to be stopped), even when another failed. */
async function spawnAll(children: ChildProcess[], starting: Array<Promise<ChildProcess>>): Promise<ChildProcess[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  children.push(...started);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return started;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  // Longer than the gateway's own drain (10 s), so a profile still gets written.
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  if (child.exitCode === null && child.signalCode === null) {
    process.stderr.write(
      `${path.basename(child.spawnargs[child.spawnargs.length - 1])} (pid ${child.pid}) did not stop within 20 s; killed\n`,
    );
    child.kill("SIGKILL");
  }
}

/**
 * Resident memory (MiB) and CPU seconds used so far by a process and its child processes (a
 * gateway's workers, with --gateway-workers), from /proc.
 */
function processUsage(pid: number): { rssMiB: number; cpuSeconds: number } {
  const children = (() => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  const own = ownUsage(pid);
  for (const child of children) {
    try {
      const usage = ownUsage(child);
      own.rssMiB = round1(own.rssMiB + usage.rssMiB);
      own.cpuSeconds += usage.cpuSeconds;
    } catch {
      // exited meanwhile
    }
  }
  return own;
}

function ownUsage(pid: number): { rssMiB: number; cpuSeconds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssMiB: round1(rss), cpuSeconds: ticks / 100 };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const results: Record<string, unknown> = {
    command,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: round1(os.totalmem() / 2 ** 30), node: process.version },
    startedAt: new Date().toISOString(),
    options: opts,
  };
  const markdown: string[] = [
    `Command: \`${command}\` — ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}. Figures are this machine's.`,
    "",
  ];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  ensurePeerPackages(log);

  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-bench-"));
  fs.chmodSync(baseDir, 0o755);
  const [pgPort, gatewayPort, uncachedPort, apolloPort, hivePort, fairPort, floorPort, ...subgraphPortList] = await freePorts(
    7 + SUBGRAPH_NAMES.length,
  );
  const postgres = new EmbeddedPostgres({ baseDir, port: pgPort });
  const children: ChildProcess[] = [];
  const dataSources = {} as Record<SubgraphName, DataSource>;
  try {
    log(`starting PostgreSQL in ${baseDir}`);
    await postgres.start();
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query("CREATE DATABASE bench");
    await admin.end();
    const databaseUrl = postgres.urlFor("bench");
    for (const name of SUBGRAPH_NAMES) {
      dataSources[name] = await connect(subgraphDataSource(SUBGRAPHS[name], databaseUrl));
      await migrate(dataSources[name]);
    }
    await seedHub(dataSources, "demo", stockholmDate());

    const secret = newInternalSecret();
    const devKeyFile = path.join(baseDir, "dev-key.json");
    const subgraphPorts = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, subgraphPortList[i]])) as Record<SubgraphName, number>;
    const subgraphUrls = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${subgraphPorts[name]}/graphql`]),
    );
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    const common = {
      DATABASE_URL: databaseUrl,
      HUB_INTERNAL_SECRET: secret,
      HUB_SEED: "none",
      HUB_GATEWAY_URL: gatewayUrl,
      ...subgraphUrls,
    };
    // This hub's own processes (the peers' gateways are not ours to tune) write a profile on exit.
    const profiled = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [];

    // Data first at the smallest size, so the subgraphs start on it.
    const sizes = [...new Set([...opts.sizes, opts.searchSize])].sort((a, b) => a - b);
    const grow = async (offers: number) => {
      const started = performance.now();
      await growCapacity(dataSources.capacity, sizeFor(offers));
      log(`  ${offers} offers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    };
    log("generating data");
    await grow(sizes[0]);
    const people = sizeFor(opts.searchSize);
    const startedPeople = performance.now();
    await fillPatientsAndReferrals(dataSources.patients, dataSources.referrals, people);
    log(`  ${people.patients} patients, ${people.referrals} referrals in ${((performance.now() - startedPeople) / 1000).toFixed(1)} s`);
    results.dataset = { offersBySize: sizes, patients: people.patients, referrals: people.referrals, providers: people.providers };

    log("starting subgraphs and gateways");
    // Started side by side (each waits for its own readiness); the development key first, so the
    // two hub gateways do not both create it.
    await ensureDevKey(devKeyFile);
    // The subgraphs' own supergraph requests (a referral's matches ask for free capacity with
    // coverage) go through the gateway with its cache off: uncached work is what the floor and
    // profiles measure, and a cached inner request would hide it.
    const uncachedUrl = `http://127.0.0.1:${uncachedPort}/graphql`;
    const subgraphChildren = await spawnAll(
      children,
      SUBGRAPH_NAMES.map((name) =>
        spawnReady(
          `subgraph ${name}`,
          `subgraphs/${name}/index.js`,
          { ...common, HUB_GATEWAY_URL: uncachedUrl, [`${name.toUpperCase()}_PORT`]: String(subgraphPorts[name]) },
          `http://127.0.0.1:${subgraphPorts[name]}/health`,
          profiled,
        ),
      ),
    );
    // The load generator is one token subject: per-client limits would measure themselves.
    // No subgraph time limit either: the plain gateways have none, and at 16 clients on a loaded
    // machine a referral's matches take longer than the default 10 s.
    const hubGateway = {
      ...common,
      HUB_DEV_KEY_FILE: devKeyFile,
      HUB_RATE_LIMIT_PER_MINUTE: "1000000000",
      HUB_COST_PER_MINUTE: "1000000000",
      HUB_COST_IN_FLIGHT: "1000000000",
      HUB_SUBGRAPH_TIMEOUT_MS: "120000",
      HUB_GATEWAY_WORKERS: String(opts.gatewayWorkers),
    };
    const [ours, uncachedGateway, apolloGateway, hiveGateway, fairGateway, floorServer] = await spawnAll(children, [
      spawnReady(
        "hub gateway",
        "gateway/index.js",
        { ...hubGateway, PORT: String(gatewayPort) },
        `http://127.0.0.1:${gatewayPort}/health`,
        profiled,
      ),
      // The same gateway with its response cache off: what the other levers give alone, and the
      // subgraphs' and database's own work for the growth and overhead figures.
      spawnReady(
        "hub gateway (cache off)",
        "gateway/index.js",
        { ...hubGateway, PORT: String(uncachedPort), HUB_RESPONSE_CACHE_MB: "0" },
        `http://127.0.0.1:${uncachedPort}/health`,
        profiled,
      ),
      spawnReady("Apollo Gateway", "test/bench/gateways/apollo-gateway.js", { ...common, PORT: String(apolloPort) }),
      spawnReady("Hive Gateway", "test/bench/gateways/hive-gateway.js", { ...common, PORT: String(hivePort) }),
      // Fairness: the default cost budget and cost in flight per client, response cache off (every request costs its full work).
      spawnReady(
        "hub gateway (fairness)",
        "gateway/index.js",
        {
          ...common,
          HUB_DEV_KEY_FILE: devKeyFile,
          HUB_RATE_LIMIT_PER_MINUTE: "1000000000",
          HUB_RESPONSE_CACHE_MB: "0",
          PORT: String(fairPort),
        },
        `http://127.0.0.1:${fairPort}/health`,
      ),
      // The floor: the same pages by hand-written SQL and JSON.
      spawnReady("floor", "test/bench/floor-server.js", { ...common, HUB_DEV_KEY_FILE: devKeyFile, PORT: String(floorPort) }),
    ]);

    // Callers: this hub's gateway verifies a JWT per request; every request carries a token of its
    // own (a pool signed up front, cycled), so no cache could answer by header. The other gateways
    // do not authenticate: they get a unique authorization header and the identity header the
    // hub's subgraphs require, as the hub's gateway would send it.
    const audience = loadConfig({}).auth.audience;
    const key = await ensureDevKey(devKeyFile);
    const signingKey = await importJWK(key.privateJwk, "ES256");
    const now = Math.floor(Date.now() / 1000);
    /** A development token for `subject` with these claims, valid for the whole run. */
    const signToken = (claims: Record<string, unknown>, subject: string) =>
      new SignJWT({ assignment_purpose: "Vård och behandling", loa: 3, ...claims })
        .setProtectedHeader({ alg: "ES256", kid: key.privateJwk.kid })
        .setIssuer(DEV_ISSUER)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + 6 * 3600)
        .sign(signingKey);
    const pool: string[] = [];
    const poolSize = opts.quick ? 1500 : 20_000;
    for (let i = 0; i < poolSize; i++) {
      pool.push(
        await signToken(
          { role: Role.ADMINISTRATOR, hsa_id: "SE999999999999-E000000000005", jti: randomUUID() },
          "SE999999999999-E000000000005",
        ),
      );
    }
    let tokenIndex = 0;
    const identity: Identity = {
      subject: "SE999999999999-E000000000005",
      issuer: DEV_ISSUER,
      role: Role.ADMINISTRATOR,
      regionCode: null,
      providerId: null,
      careUnitId: null,
      employeeHsaId: "SE999999999999-E000000000005",
      assignmentPurpose: "Vård och behandling",
      careUnitHsaId: null,
      careProviderHsaId: null,
      assuranceLevel: 3,
      expiresAt: now + 6 * 3600,
    };
    const signed = identitySigner(identity, secret);
    let unique = 0;
    const targets: Target[] = [
      {
        name: "this hub's gateway",
        url: gatewayUrl,
        headers: async () => ({ authorization: `Bearer ${pool[tokenIndex++ % pool.length]}` }),
      },
      {
        name: "this hub's gateway, cache off",
        url: `http://127.0.0.1:${uncachedPort}/graphql`,
        headers: async () => ({ authorization: `Bearer ${pool[tokenIndex++ % pool.length]}` }),
      },
      {
        name: "Apollo Gateway (plain)",
        url: `http://127.0.0.1:${apolloPort}/graphql`,
        headers: async () => ({ authorization: `Bearer bench-${unique++}`, "x-hub-identity": await signed() }),
      },
      {
        name: "Hive Gateway",
        url: `http://127.0.0.1:${hivePort}/graphql`,
        headers: async () => ({ authorization: `Bearer bench-${unique++}`, "x-hub-identity": await signed() }),
      },
    ];
    const direct: Target = {
      name: "capacity subgraph (direct)",
      url: subgraphUrls.CAPACITY_URL,
      headers: async () => ({ "x-hub-identity": await signed() }),
    };

    const expectedPages = async (target: Target, query: string) =>
      Promise.all(
        VARIANTS.map(async (variables) => {
          const response = await fetch(target.url, {
            method: "POST",
            headers: { "content-type": "application/json", ...(await target.headers()) },
            body: JSON.stringify({ query, variables }),
          });
          const body = (await response.json()) as any;
          if (body.errors) throw new Error(`${target.name}: ${JSON.stringify(body.errors)}`);
          return body.data.freeCapacity.edges.map((e: any) => e.node.id) as string[];
        }),
      );

    const growth: Array<{ offers: number; p50: number; p95: number }> = [];
    for (const size of sizes) {
      if (size !== sizes[0]) await grow(size);
      // Growth: sequential requests, one at a time, through the gateway with its response cache
      // off, so that every request costs the subgraphs and the database their full work. The pages
      // every answer is checked against come from it too: the generator writes straight into the
      // database, without the events a cache hears of (no client can do that).
      const expected = await expectedPages(targets[1], QUERY);
      // Warm (plans, connections, the database's caches for the new rows), then measure.
      await load(targets[1], QUERY, expected, 1, 1);
      const sequential = await load(targets[1], QUERY, expected, opts.quick ? 2 : 8, 1);
      growth.push({ offers: size, p50: sequential.p50, p95: sequential.p95 });
      log(`growth: ${size} offers: p50 ${sequential.p50} ms, p95 ${sequential.p95} ms`);

      if (size === opts.searchSize) {
        const runs = (section: string) => !opts.only || opts.only.includes(section);
        // First, while the data is as generated (the churn and the fan-out below publish offers).
        const officeSign = (i: number) =>
          signToken(
            { role: Role.REGIONAL_OFFICE, region: "13", hsa_id: "SE2321000032-E000000002000", jti: `${i}-${randomUUID()}` },
            "SE2321000032-E000000002000",
          );
        const officePool = await Promise.all(Array.from({ length: opts.quick ? 500 : 5000 }, (_, i) => officeSign(i)));
        const officeSigned = identitySigner(
          {
            ...identity,
            subject: "SE2321000032-E000000002000",
            role: Role.REGIONAL_OFFICE,
            regionCode: "13",
            employeeHsaId: "SE2321000032-E000000002000",
          },
          secret,
        );
        const floorResult = !runs("floor")
          ? undefined
          : await runFloor({
              floorUrl: `http://127.0.0.1:${floorPort}`,
              hubUrl: uncachedUrl,
              apolloUrl: `http://127.0.0.1:${apolloPort}/graphql`,
              hiveUrl: `http://127.0.0.1:${hivePort}/graphql`,
              adminToken: () => pool[tokenIndex++ % pool.length],
              officeToken: () => officePool[tokenIndex++ % officePool.length],
              adminIdentity: signed,
              officeIdentity: officeSigned,
              referrals: dataSources.referrals,
              processes: {
                floor: floorServer.pid!,
                "hub gateway (cache off)": uncachedGateway.pid!,
                "Apollo Gateway": apolloGateway.pid!,
                "Hive Gateway": hiveGateway.pid!,
                ...Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, subgraphChildren[i].pid!])),
                PostgreSQL: postmasterPid(baseDir),
                "idle gateways": ours.pid!,
                "idle gateway (fairness)": fairGateway.pid!,
              },
              opts,
              log,
            });
        if (floorResult) {
          results.floor = floorResult.result;
          markdown.push(...floorResult.markdown, "");
        }
        const churn = churnPublisher(gatewayUrl, pool[0]);
        if (runs("search")) {
          results.capacitySearch = await scenarioSearch(
            targets,
            direct,
            expected,
            await expectedPages(targets[1], CAPACITY_ONLY),
            churn,
            opts,
            log,
            markdown,
            uncachedGateway.pid!,
          );
          results.sqlPerPage = await sqlPerPage(databaseUrl, gatewayPort, log);
          markdown.push(
            "",
            `SQL statements per \`freeCapacity\` page (all subgraphs): ${(results.sqlPerPage as any).first20} for 20 results, ${(results.sqlPerPage as any).first100} for 100.`,
            "",
          );
        }
        if (runs("fanout")) results.fanOut = await scenarioFanOut(gatewayUrl, pool[0], ours.pid!, opts, log, markdown);
        const sign = (role: Role, subject: string, region: string) => signToken({ role, region, hsa_id: subject }, subject);
        if (runs("fairness")) results.fairness = await scenarioFairness(`http://127.0.0.1:${fairPort}/graphql`, sign, opts, log, markdown);
      }
    }
    const first = growth[0];
    const last = growth[growth.length - 1];
    results.growth = { points: growth, ratioP50: round1(last.p50 / first.p50) };
    markdown.push(
      "",
      "**Growth** — `freeCapacity` (the mix, one request at a time, through this hub's gateway with its response cache off, so every request costs the subgraphs and PostgreSQL their full work):",
      "",
      "| offers | p50 ms | p95 ms |",
      "| ---: | ---: | ---: |",
      ...growth.map((g) => `| ${g.offers.toLocaleString("en")} | ${g.p50} | ${g.p95} |`),
      "",
      `p50 at ${last.offers.toLocaleString("en")} offers / p50 at ${first.offers.toLocaleString("en")}: **${round1(last.p50 / first.p50)}×** (target ≤ 1.5×).`,
    );
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    await Promise.all(Object.values(dataSources).map((d) => (d.isInitialized ? d.destroy() : undefined)));
    await postgres.stop().catch(() => undefined);
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
  results.finishedAt = new Date().toISOString();
  const outDir = path.join(projectRoot(), "bench-results");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, "latest.md"), `${markdown.join("\n")}\n`);
  process.stdout.write(`${markdown.join("\n")}\n\nWrote bench-results/latest.json and bench-results/latest.md\n`);
}

/**
 * Offers published at a steady rate through this hub's gateway while searches run: a provider
 * publishing hip replacements while offices search. Each publish changes what two of the mix's four
 * searches (orthopaedics, NFB49) count, so its event drops their cached answers. The offers start
 * 200 days out, behind every generated offer, so the pages the checker expects stay the same.
 */
function churnPublisher(url: string, bearer: string) {
  const unit = careUnitId("kattegatt-ortopedi");
  let published = 0;
  let failures = 0;
  const run = async (until: number, everyMs: number) => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
          body: JSON.stringify({
            query: `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
            variables: {
              input: {
                reportedBy: "Benchmark churn",
                offers: [
                  {
                    careUnitId: unit,
                    procedureCode: "NFB49",
                    slots: 1,
                    validFrom: stockholmDate(),
                    validUntil: addDays(stockholmDate(), 250),
                    earliestStart: addDays(stockholmDate(), 200),
                    expectedWaitDays: 200,
                  },
                ],
              },
            },
          }),
        });
        const body = (await response.json()) as { errors?: unknown };
        if (body.errors) failures += 1;
        else published += 1;
      } catch {
        failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (performance.now() - started))));
    }
  };
  return {
    /** Runs `work` while publishing one offer every `everyMs`. */
    during: async <T>(everyMs: number, seconds: number, work: () => Promise<T>): Promise<T> => {
      const publisher = run(performance.now() + seconds * 1000, everyMs);
      const result = await work();
      await publisher;
      return result;
    },
    counts: () => ({ published, failures }),
  };
}

type Churn = ReturnType<typeof churnPublisher>;

interface SearchSummary extends LoadResult {
  gateway: string;
}

/** Runs the gateways interleaved (A B C D A B C D …) and summarises each by the median of its rounds. */
async function interleaved(
  targets: Target[],
  expected: string[][],
  opts: Options,
  label: string,
  log: (line: string) => void,
  around: (work: () => Promise<LoadResult>) => Promise<LoadResult> = (work) => work(),
): Promise<{ rounds: Record<string, LoadResult[]>; summary: SearchSummary[] }> {
  const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= opts.rounds; round++) {
    for (const target of targets) {
      const result = await around(() => load(target, QUERY, expected, opts.seconds, opts.concurrency));
      runs.get(target.name)!.push(result);
      log(
        `${label} round ${round} ${target.name}: ${result.rps} req/s, p50 ${result.p50} p95 ${result.p95} p99 ${result.p99} ms, errors ${result.errors}, mismatches ${result.mismatches}`,
      );
    }
  }
  const summary = targets.map((t) => {
    const r = runs.get(t.name)!;
    return {
      gateway: t.name,
      rps: median(r.map((x) => x.rps)),
      p50: median(r.map((x) => x.p50)),
      p95: median(r.map((x) => x.p95)),
      p99: median(r.map((x) => x.p99)),
      requests: r.reduce((sum, x) => sum + x.requests, 0),
      errors: r.reduce((sum, x) => sum + x.errors, 0),
      mismatches: r.reduce((sum, x) => sum + x.mismatches, 0),
    };
  });
  return { rounds: Object.fromEntries(runs), summary };
}

function searchTable(summary: SearchSummary[]): string[] {
  return [
    "| gateway | req/s | p50 ms | p95 ms | p99 ms | requests | errors | mismatches |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...summary.map((s) => `| ${s.gateway} | ${s.rps} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.requests} | ${s.errors} | ${s.mismatches} |`),
  ];
}

/** This hub's gateways (cached, cache off) against the plain Apollo Gateway and Hive Gateway. */
function ratios(summary: SearchSummary[]) {
  const [ours, uncached, apollo, hive] = summary;
  const of = (a: SearchSummary, b: SearchSummary) => round1(a.rps / b.rps);
  return {
    vsApollo: of(ours, apollo),
    vsHive: of(ours, hive),
    p99NoWorse: ours.p99 <= Math.min(apollo.p99, hive.p99),
    cacheOffVsApollo: of(uncached, apollo),
    cacheOffVsHive: of(uncached, hive),
  };
}

/**
 * Scenario 1: the gateways interleaved, first on a quiet hub, then while providers publish (the
 * cache's worst realistic case: every publish empties it of capacity answers); then the gateway
 * against the capacity subgraph alone.
 */
async function scenarioSearch(
  targets: Target[],
  direct: Target,
  expected: string[][],
  expectedCapacityOnly: string[][],
  churn: Churn,
  opts: Options,
  log: (line: string) => void,
  markdown: string[],
  uncachedPid: number,
) {
  // Warm-up: plans, connections, JIT.
  for (const target of targets) await load(target, QUERY, expected, 1, opts.concurrency);
  const quiet = await interleaved(targets, expected, opts, "search", log);
  const churnEveryMs = 250;
  const busy = await interleaved(targets, expected, opts, "search while publishing", log, (work) =>
    churn.during(churnEveryMs, opts.seconds, work),
  );
  const quietRatios = ratios(quiet.summary);
  const busyRatios = ratios(busy.summary);
  const overhead = await measureOverhead(targets[1], targets[0], direct, expectedCapacityOnly, opts, uncachedPid);
  log(
    `overhead: via gateway (cache off) p50 ${overhead.viaGatewayP50} ms, with cache ${overhead.viaCachedGatewayP50} ms, direct p50 ${overhead.directP50} ms; gateway CPU ${overhead.gatewayCpuMsPerRequest} ms a request`,
  );
  const describe = (r: ReturnType<typeof ratios>) =>
    `This hub's gateway: **${r.vsApollo}×** the req/s of the plain Apollo Gateway, **${r.vsHive}×** Hive Gateway's (target ≥ 1.5× both), p99 ${r.p99NoWorse ? "no worse than either" : "worse than one of them"}; with its response cache off: ${r.cacheOffVsApollo}× and ${r.cacheOffVsHive}×.`;
  markdown.push(
    `**Capacity search** — the mix of \`freeCapacity\` pages (20 and 100, with provider, region and \`coverage\` from three subgraphs), ${opts.concurrency} concurrent clients, ${opts.rounds} interleaved rounds of ${opts.seconds} s per gateway, medians of rounds; every answer checked:`,
    "",
    ...searchTable(quiet.summary),
    "",
    describe(quietRatios),
    "",
    `The same while a provider publishes a hip-replacement offer every ${churnEveryMs} ms through this hub's gateway (each publish changes the counts of the orthopaedic and NFB49 searches, half the mix, and drops their cached answers; ${churn.counts().published} published, ${churn.counts().failures} failed):`,
    "",
    ...searchTable(busy.summary),
    "",
    describe(busyRatios),
    "",
    `Gateway overhead on a page the capacity subgraph answers alone (one client, the three ways taking turns every ${OVERHEAD_SLICE_SECONDS} s): p50 ${overhead.viaGatewayP50} ms through the gateway with its cache off, ${overhead.directP50} ms direct — **${overhead.ratio}×** (target ≤ 1.3×); the gateway's own CPU ${overhead.gatewayCpuMsPerRequest} ms a request. ${overhead.viaCachedGatewayP50} ms through the gateway with its cache (${overhead.cachedRatio}×).`,
  );
  return {
    quiet,
    busy,
    ratios: quietRatios,
    ratiosWhilePublishing: busyRatios,
    churn: { everyMs: churnEveryMs, ...churn.counts() },
    overhead,
  };
}

const OVERHEAD_SLICE_SECONDS = 0.5;

/**
 * The gateway's overhead: one client, the same page through the gateway with its cache off (so it
 * does all its work), directly from the capacity subgraph, and through the gateway with its cache.
 * The three take turns in short slices, so that whatever else the machine does meanwhile falls on
 * all of them alike; the cache-off gateway's CPU time over its slices gives its own cost a request.
 */
async function measureOverhead(uncached: Target, cached: Target, direct: Target, expected: string[][], opts: Options, uncachedPid: number) {
  const runs = new Map<Target, SampleRun[]>([
    [uncached, []],
    [direct, []],
    [cached, []],
  ]);
  let cpuSeconds = 0;
  const slices = Math.max(2, Math.round(opts.seconds / OVERHEAD_SLICE_SECONDS));
  for (let slice = 0; slice < slices; slice++) {
    for (const [target, done] of runs) {
      const before = processUsage(uncachedPid).cpuSeconds;
      done.push(await sample(target, CAPACITY_ONLY, expected, OVERHEAD_SLICE_SECONDS, 1));
      if (target === uncached) cpuSeconds += processUsage(uncachedPid).cpuSeconds - before;
    }
  }
  const merged = (target: Target) => summarize({ samples: runs.get(target)!.flatMap((r) => r.samples), errors: 0, mismatches: 0 }, 1);
  const [viaGateway, alone, viaCache] = [merged(uncached), merged(direct), merged(cached)];
  const failed = [...runs.values()].flat().reduce((sum, r) => sum + r.errors + r.mismatches, 0);
  if (failed > 0) throw new Error(`overhead: ${failed} requests failed or were answered wrongly`);
  return {
    viaGatewayP50: viaGateway.p50,
    viaCachedGatewayP50: viaCache.p50,
    directP50: alone.p50,
    ratio: round1(viaGateway.p50 / alone.p50),
    cachedRatio: round1(viaCache.p50 / alone.p50),
    gatewayCpuMsPerRequest: round1((cpuSeconds * 1000) / viaGateway.requests),
    requests: { viaGateway: viaGateway.requests, direct: alone.requests, viaCache: viaCache.requests },
  };
}

/** SQL statements one page costs across all subgraphs, counted in a hub started in this process on the same database. */
async function sqlPerPage(databaseUrl: string, _gatewayPort: number, log: (line: string) => void) {
  const config = loadConfig({
    PORT: "0",
    PATIENTS_PORT: "0",
    CAPACITY_PORT: "0",
    AGREEMENTS_PORT: "0",
    REFERRALS_PORT: "0",
    HUB_SEED: "none",
    LOG_LEVEL: "error",
    HUB_RATE_LIMIT_PER_MINUTE: "1000000",
    HUB_RESPONSE_CACHE_MB: "0",
  });
  const hub = await startHub(config, databaseUrl);
  try {
    const key = await ensureDevKey(config.auth.devKeyFile!);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      role: Role.ADMINISTRATOR,
      hsa_id: "SE999999999999-E000000000005",
      assignment_purpose: "Vård och behandling",
      loa: 3,
    })
      .setProtectedHeader({ alg: "ES256", kid: key.privateJwk.kid })
      .setIssuer(DEV_ISSUER)
      .setAudience(config.auth.audience)
      .setSubject("bench")
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(await importJWK(key.privateJwk, "ES256"));
    const count = async (first: number) => {
      const before = totalSqlStatements();
      const response = await fetch(hub.gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: QUERY, variables: { filter: { specialty: "ORTHOPAEDICS" }, first } }),
      });
      const body = (await response.json()) as any;
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return totalSqlStatements() - before;
    };
    await count(20);
    const result = { first20: await count(20), first100: await count(100) };
    log(`SQL statements per page: ${result.first20} (20), ${result.first100} (100)`);
    return result;
  } finally {
    await hub.stop();
  }
}

const SUBSCRIPTION = /* GraphQL */ `
  subscription Fanout($filter: FreeCapacityFilter) {
    offerPublished(filter: $filter) { id provider { name } coverage(homeRegionCode: "13") { agreement { kind } pricePerCaseSek } }
  }`;

/**
 * Scenario 2: N identical `offerPublished` subscribers (many sockets with one subscription each,
 * and few sockets with many) while offers are published at a steady rate; latency from the
 * publish's answer (the commit is before it) to receipt, events lost, the gateway's memory and CPU.
 */
async function scenarioFanOut(
  url: string,
  bearer: string,
  gatewayPid: number,
  opts: Options,
  log: (line: string) => void,
  markdown: string[],
) {
  const rows: Array<Record<string, unknown>> = [];
  const unit = careUnitId("kattegatt-ortopedi");
  const filter = { providerIds: [providerId("private-kattegatt-ortopedi")] };
  for (const count of opts.subscribers) {
    for (const mode of ["many sockets", "few sockets"] as const) {
      const perSocket = mode === "many sockets" ? 1 : 100;
      const sockets = Math.ceil(count / perSocket);
      // Per offer: when each subscription (by index) received it (wall-clock ms, as the workers report).
      const received = new Map<string, Map<number, number>>();
      let failures = 0;
      let firstFailure: string | undefined;
      // The subscribers run in worker threads, a share each, so the load generator's own work per
      // message is spread over the cores as real subscribers' is spread over their machines.
      const workers = Array.from(
        { length: Math.min(opts.subscriberThreads, sockets) },
        (_, w, all = Math.min(opts.subscriberThreads, sockets)) => {
          const firstSocket = Math.floor((w * sockets) / all);
          const share: SubscriberShare = {
            url: url.replace(/^http/, "ws"),
            bearer,
            query: SUBSCRIPTION,
            variables: { filter },
            firstSocket,
            sockets: Math.floor(((w + 1) * sockets) / all) - firstSocket,
            perSocket,
            count,
          };
          return new Worker(path.join(__dirname, "fanout-subscribers.js"), { workerData: share });
        },
      );
      const connected = Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.on("error", reject);
              worker.on("message", (message: FromSubscribers) => {
                if (message.kind === "connected") resolve();
                else if (message.kind === "failure") {
                  failures += 1;
                  firstFailure ??= message.what;
                } else if (message.kind === "receipts") {
                  for (const [id, index, at] of message.receipts) {
                    if (!received.has(id)) received.set(id, new Map());
                    received.get(id)!.set(index, at);
                  }
                }
              });
            }),
        ),
      );
      await connected;
      const wallClock = () => performance.timeOrigin + performance.now();
      const publish = async () => {
        const sentAt = wallClock();
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
          body: JSON.stringify({
            query: `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
            variables: {
              input: {
                reportedBy: "Benchmark",
                offers: [
                  {
                    careUnitId: unit,
                    procedureCode: "NFB49",
                    slots: 1,
                    validFrom: stockholmDate(),
                    validUntil: addDays(stockholmDate(), 30),
                    expectedWaitDays: 9,
                  },
                ],
              },
            },
          }),
        });
        const body = (await response.json()) as any;
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return { id: body.data.publishCapacity.offers[0].id as string, sentAt, answeredAt: wallClock() };
      };
      // Warm-up: publish until an offer reaches every subscriber (all subscriptions are live).
      const warmDeadline = Date.now() + 120_000;
      let live = new Set<number>();
      for (;;) {
        const { id } = await publish();
        const wait = Date.now() + 10_000;
        while ((received.get(id)?.size ?? 0) < count && Date.now() < wait) await new Promise((resolve) => setTimeout(resolve, 50));
        live = new Set(received.get(id)?.keys() ?? []);
        if (live.size >= count) break;
        if (Date.now() > warmDeadline) {
          log(
            `fan-out ${count} (${mode}): only ${live.size} subscriptions live after 2 minutes; ${failures} failures (${firstFailure ?? "none"}); measuring those`,
          );
          break;
        }
      }
      const before = processUsage(gatewayPid);
      const startedAt = performance.now();
      const published: Array<{ id: string; answeredAt: number }> = [];
      for (let i = 0; i < opts.offersPerRun; i++) {
        published.push(await publish());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const missing = (p: { id: string }) => [...live].filter((index) => !received.get(p.id)?.has(index)).length;
      const settle = Date.now() + 30_000;
      while (published.some((p) => missing(p) > 0) && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 100));
      const elapsed = (performance.now() - startedAt) / 1000;
      const after = processUsage(gatewayPid);
      const latencies = published
        .flatMap((p) => [...(received.get(p.id)?.values() ?? [])].map((at) => at - p.answeredAt))
        .sort((a, b) => a - b);
      // Lost: events a live subscription (one that got the warm-up offer) never received.
      const lost = published.reduce((sum, p) => sum + missing(p), 0);
      const row = {
        subscribers: count,
        mode,
        sockets,
        live: live.size,
        p50: round1(percentile(latencies, 0.5)),
        p95: round1(percentile(latencies, 0.95)),
        p99: round1(percentile(latencies, 0.99)),
        delivered: latencies.length,
        lost,
        failures,
        gatewayRssMiB: after.rssMiB,
        gatewayCpuPercent: round1(((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100),
      };
      rows.push(row);
      log(
        `fan-out ${count} (${mode}, ${sockets} sockets, ${live.size} live): p50 ${row.p50} p95 ${row.p95} p99 ${row.p99} ms, lost ${lost}, RSS ${row.gatewayRssMiB} MiB, CPU ${row.gatewayCpuPercent} %`,
      );
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.on("message", (message: FromSubscribers) => {
                if (message.kind === "closed") void worker.terminate().then(() => resolve());
              });
              worker.postMessage("close");
            }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  markdown.push(
    "",
    `**Subscription fan-out** — identical \`offerPublished\` subscriptions (with \`coverage\` from agreements), ${opts.offersPerRun} offers published 200 ms apart; latency from the publish's answer (after its commit) to receipt; the subscribers run in ${opts.subscriberThreads} worker thread(s) of the load generator:`,
    "",
    "| subscribers | sockets | live | p50 ms | p95 ms | p99 ms | delivered | lost | gateway RSS MiB | gateway CPU % |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${(r.subscribers as number).toLocaleString("en")} | ${r.sockets} | ${r.live} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.delivered} | ${r.lost} | ${r.gatewayRssMiB} | ${r.gatewayCpuPercent} |`,
    ),
    "",
    "(target at 10 000 subscribers: p99 ≤ 250 ms, 0 lost, RSS ≤ 1 GiB)",
  );
  return rows;
}

// `npm run bench -- network …`: the national network's figures (network.ts) instead.
const bench =
  process.argv[2] === "network"
    ? Promise.resolve().then(() =>
        (require("./network") as { networkBench(argv: string[]): Promise<void> }).networkBench(process.argv.slice(3)),
      )
    : main();
bench.catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Fairness: an office's searches (the mix, two at a time, each request by one of 100 employees of
 * the office, as a busy office is) alone, then while one system client (a peer region's
 * integration, one token subject) sends six maximum-cost requests at a time without pause, through
 * a gateway with the default cost budget per client and its response cache off. The figure is how
 * much the system client raises the office's p95 (target ≤ 2×), and how many of its requests the
 * budget let through.
 */
async function scenarioFairness(
  url: string,
  sign: (role: Role, subject: string, region: string) => Promise<string>,
  opts: Options,
  log: (line: string) => void,
  markdown: string[],
) {
  const officeTokens = await Promise.all(
    Array.from({ length: 100 }, (_, i) => sign(Role.REGIONAL_OFFICE, `SE2321000032-E0000000${String(1000 + i)}`, "13")),
  );
  const systemToken = await sign(Role.PEER_REGION, "system:peer-region:12:integration", "12");
  let next = 0;
  const office: Target = {
    name: "office",
    url,
    headers: async () => ({ authorization: `Bearer ${officeTokens[next++ % officeTokens.length]}` }),
  };
  const expected = await Promise.all(
    VARIANTS.map(async (variables) => {
      const body = (await (
        await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(await office.headers()) },
          body: JSON.stringify({ query: QUERY, variables }),
        })
      ).json()) as any;
      if (body.errors) throw new Error(`fairness: ${JSON.stringify(body.errors)}`);
      return body.data.freeCapacity.edges.map((e: any) => e.node.id) as string[];
    }),
  );
  const seconds = Math.max(opts.seconds, 6);
  await load(office, QUERY, expected, 1, 2);
  const alone = await load(office, QUERY, expected, seconds, 2);
  const heavy = { accepted: 0, acceptedInWindow: 0, refused: 0, failed: 0 };
  const until = performance.now() + seconds * 1000;
  const system = async () => {
    while (performance.now() < until) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${systemToken}` },
          body: JSON.stringify({ query: HEAVY, variables: { n: 90 } }),
        });
        await response.arrayBuffer();
        if (response.status === 200) {
          heavy.accepted++;
          // Those answered after the office's run waited for it to end (fair admission).
          if (performance.now() <= until) heavy.acceptedInWindow++;
        } else if (response.status === 429) heavy.refused++;
        else heavy.failed++;
      } catch {
        heavy.failed++;
      }
    }
  };
  const [crowded] = await Promise.all([load(office, QUERY, expected, seconds, 2), ...Array.from({ length: 6 }, system)]);
  const ratio = round1(crowded.p95 / alone.p95);
  log(
    `fairness: office p95 ${alone.p95} ms alone, ${crowded.p95} ms beside a system client's heavy requests (${ratio}×); heavy ${heavy.accepted} accepted (${heavy.acceptedInWindow} during the office's run), ${heavy.refused} refused (429)`,
  );
  markdown.push(
    "",
    `**Fairness** — an office's searches (the mix, 2 at a time, 100 employees' tokens), ${seconds} s alone, then ${seconds} s while one system client (a peer region's integration) sends 6 requests of cost 19 800 at a time without pause, through a gateway with the default cost limits per client (\`HUB_COST_PER_MINUTE\` 300 000, \`HUB_COST_IN_FLIGHT\` 20 000), its fair admission (heavy requests, over ${spaced(FAIRNESS.heavyCost)}, yield to other clients' work: gateway/limits.ts) and its response cache off:`,
    "",
    "| office | req/s | p50 ms | p95 ms | p99 ms | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    `| alone | ${alone.rps} | ${alone.p50} | ${alone.p95} | ${alone.p99} | ${alone.errors + alone.mismatches} |`,
    `| beside the system client | ${crowded.rps} | ${crowded.p50} | ${crowded.p95} | ${crowded.p99} | ${crowded.errors + crowded.mismatches} |`,
    "",
    `The system client raised the office's p95 **${ratio}×** (target ≤ 2×); of its heavy requests ${heavy.accepted} were served (${heavy.acceptedInWindow} while the office was searching, the rest once it stopped) and ${heavy.refused} refused with 429 once its cost a minute was spent.`,
  );
  return { alone, crowded, ratioP95: ratio, heavy };
}

/** The floor section: the three pages, the four targets, the run and its tables. */
async function runFloor(f: {
  floorUrl: string;
  hubUrl: string;
  apolloUrl: string;
  hiveUrl: string;
  adminToken: () => string;
  officeToken: () => string;
  adminIdentity: () => Promise<string>;
  officeIdentity: () => Promise<string>;
  referrals: DataSource;
  processes: Record<string, number>;
  opts: Options;
  log: (line: string) => void;
}) {
  // Waiting referrals of region 13 for a procedure (matches rank the offers of that procedure).
  const waiting: Array<{ id: string }> = await f.referrals.query(
    `SELECT id FROM referrals.referral WHERE home_region_code = '13' AND status = 'REGISTERED' AND procedure_code IS NOT NULL AND guarantee_deadline IS NOT NULL ORDER BY id LIMIT 4`,
  );
  const pages: FloorPage[] = [
    { name: "search mix", query: QUERY, route: "/search", variants: VARIANTS, caller: "admin" },
    {
      name: "referral.matches (10)",
      query: MATCHES,
      route: "/matches",
      variants: waiting.map((r) => ({ id: r.id, first: 10 })),
      caller: "office",
    },
    { name: "atRiskReferrals (20)", query: AT_RISK, route: "/at-risk", variants: [{ regionCode: "13", first: 20 }], caller: "office" },
  ];
  const post = async (url: string, headers: Record<string, string>, body: unknown) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  let unique = 0;
  const bearer = (page: FloorPage) => ({ authorization: `Bearer ${page.caller === "admin" ? f.adminToken() : f.officeToken()}` });
  const peer = async (page: FloorPage) => ({
    authorization: `Bearer bench-${unique++}`,
    "x-hub-identity": await (page.caller === "admin" ? f.adminIdentity() : f.officeIdentity()),
  });
  const targets: FloorTarget[] = [
    { name: "floor (SQL + JSON)", send: (page, variables) => post(`${f.floorUrl}${page.route}`, bearer(page), { variables }) },
    { name: "this hub's gateway, cache off", send: (page, variables) => post(f.hubUrl, bearer(page), { query: page.query, variables }) },
    {
      name: "Apollo Gateway (plain)",
      send: async (page, variables) => post(f.apolloUrl, await peer(page), { query: page.query, variables }),
    },
    { name: "Hive Gateway", send: async (page, variables) => post(f.hiveUrl, await peer(page), { query: page.query, variables }) },
  ];
  // At least 4 s a run: a referral's matches take seconds through a gateway at 16 clients, and a
  // run of 2 s would end with a handful of answers.
  const floorOpts = { seconds: Math.max(f.opts.seconds, 4), rounds: Math.min(f.opts.rounds, 2), concurrency: f.opts.concurrency };
  const { rows, equal } = await scenarioFloor(pages, targets, f.processes, floorOpts, f.log);
  for (const r of rows)
    f.log(
      `floor ${r.page} ${r.target}: ${r.rps} req/s, p50 ${r.p50} p99 ${r.p99} ms, CPU ${r.cpuMsTotal} ms/request ${JSON.stringify(r.cpuMsPerRequest)}`,
    );
  return {
    result: { rows, answersEqual: equal, options: floorOpts },
    markdown: floorTables(rows, equal, Object.keys(f.processes), floorOpts),
  };
}
