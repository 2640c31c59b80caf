import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { DataSource } from "typeorm";
import { signDevToken } from "../../gateway/dev-keys";
import { SUBGRAPHS } from "../../seeds/subgraphs";
import { seedHub } from "../../seeds";
import { SUBGRAPH_NAMES, SubgraphName } from "../../subgraphs/shared/config";
import { stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { connect, migrate } from "../../subgraphs/shared/db/data-source";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";
import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { Role } from "../../subgraphs/shared/identity";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { ready, run, Run } from "../support/hub-process";
import { freePorts } from "../support/ports";
import { growCapacity, parseSize, sizeFor } from "./dataset";

/**
 * `npm run bench -- network [--offers=10k] [--samples=300] [--timeout-ms=2000]`: three nodes
 * (Halland, Skåne, Västra Götaland), each its own hub process and database with N offers of its
 * own region's providers; Halland's office asks a page of 20 with Halland's coverage, locally
 * (`freeCapacity`) and nationally (`nationalCapacity`), interleaved, with every peer up, with
 * Västra Götaland stopped (connections refused) and with it frozen (SIGSTOP: connections accepted,
 * never answered, so the peer bound decides). The response cache is off on every node, so both
 * searches do their real work. `--quick`: 2 000 offers per node, 100 samples.
 */
const NODES = ["13", "12", "14"];

function flagsOf(argv: string[]): Map<string, string> {
  return new Map(
    argv
      .filter((a) => a.startsWith("--"))
      .map((a) => a.slice(2).split("=") as [string, string?])
      .map(([k, v]) => [k, v ?? "true"]),
  );
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const round1 = (n: number) => Math.round(n * 10) / 10;

const FILTERS = ["NFB49", "NGB49", "CJE20", "NFB29", "LCB25", "JAB30", "NGD01"].map((procedureCode) => ({ procedureCode }));
const PAGE = `node { id earliestStart provider { name kind } coverage(homeRegionCode: "13") { status pricePerCaseSek agreement { name } } }`;
const LOCAL = `query Local($filter: FreeCapacityFilter) { freeCapacity(filter: $filter, first: 20) { edges { ${PAGE.replace("provider { name kind }", "provider { name kind region { code } }")} } } }`;
const NATIONAL = `query National($filter: FreeCapacityFilter) { nationalCapacity(filter: $filter, first: 20) { edges { ${PAGE.replace("provider { name kind }", "provider { name kind regionCode } origin { regionCode }")} } peers { regionCode status latencyMs } } }`;

async function ask(url: string, bearer: string, query: string, variables: Record<string, unknown>): Promise<{ ms: number; body: any }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as any;
  const ms = performance.now() - started;
  if (body.errors) throw new Error(`bench query failed: ${JSON.stringify(body.errors[0])}`);
  return { ms, body };
}

interface Summary {
  p50: number;
  p99: number;
  max: number;
  n: number;
}
const summarize = (ms: number[]): Summary => {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: round1(percentile(sorted, 0.5)),
    p99: round1(percentile(sorted, 0.99)),
    max: round1(sorted[sorted.length - 1]),
    n: sorted.length,
  };
};

export async function networkBench(argv: string[]): Promise<void> {
  const flags = flagsOf(argv);
  const quick = flags.get("quick") === "true";
  const offers = parseSize(flags.get("offers") ?? (quick ? "2k" : "10k"));
  const samples = Number(flags.get("samples") ?? (quick ? 100 : 300));
  const timeoutMs = Number(flags.get("timeout-ms") ?? 2000);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-network-bench-"));
  fs.chmodSync(baseDir, 0o755);
  const ports = await freePorts(1 + NODES.length * 5);
  const postgres = new EmbeddedPostgres({ baseDir, port: ports[0], fast: true });
  const runs: Record<string, Run> = {};
  try {
    log(`starting PostgreSQL in ${baseDir}`);
    await postgres.start();
    const devKeyFile = path.join(baseDir, "dev-key.json");
    const nodes = NODES.map((regionCode, i) => {
      const [gateway, ...subgraphs] = ports.slice(1 + i * 5, 6 + i * 5);
      return {
        regionCode,
        gateway,
        subgraphs,
        issuer: `http://127.0.0.1:${gateway}`,
        database: `node_${regionCode}`,
        peersFile: path.join(baseDir, `peers-${regionCode}.json`),
      };
    });
    for (const node of nodes) {
      const peers = nodes
        .filter((other) => other !== node)
        .map((o) => ({
          regionCode: o.regionCode,
          name: REGIONS.find((r) => r.code === o.regionCode)!.name,
          gatewayUrl: `${o.issuer}/graphql`,
          issuer: o.issuer,
          jwksUrl: `${o.issuer}/.well-known/jwks.json`,
          enabled: true,
        }));
      fs.writeFileSync(node.peersFile, JSON.stringify(peers));
      const admin = new Client({ connectionString: postgres.adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${node.database}`);
      await admin.end();
      const url = postgres.urlFor(node.database);
      const dataSources = {} as Record<SubgraphName, DataSource>;
      for (const name of SUBGRAPH_NAMES) {
        dataSources[name] = await connect(subgraphDataSource(SUBGRAPHS[name], url, 2));
        await migrate(dataSources[name]);
      }
      await seedHub(dataSources, "demo", stockholmDate(), node.regionCode);
      // The generated providers and offers become this region's; offer ids are made unique per node.
      await growCapacity(dataSources.capacity, sizeFor(offers));
      await dataSources.capacity.query(
        `UPDATE capacity.provider SET region_code = $1, municipality_code = $1 || '80' WHERE hsa_id LIKE 'SE2321000000-B%'`,
        [node.regionCode],
      );
      await dataSources.capacity.query(
        `UPDATE capacity.capacity_offer SET id = md5(id::text || $1)::uuid WHERE reported_by = 'Benchmark generator'`,
        [node.regionCode],
      );
      await dataSources.capacity.query("VACUUM (ANALYZE) capacity.capacity_offer");
      await Promise.all(Object.values(dataSources).map((d) => d.destroy()));
      log(`  node ${node.regionCode}: ${offers} offers`);
    }
    for (const node of nodes) {
      runs[node.regionCode] = run({
        DATABASE_URL: postgres.urlFor(node.database),
        HUB_REGION_CODE: node.regionCode,
        PORT: String(node.gateway),
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_PORT`, String(node.subgraphs[i])])),
        HUB_PEERS_FILE: node.peersFile,
        HUB_NODE_KEY_FILE: path.join(baseDir, `node-key-${node.regionCode}.json`),
        HUB_DEV_KEY_FILE: devKeyFile,
        HUB_SEED: "none",
        HUB_RESPONSE_CACHE_MB: "0",
        HUB_RATE_LIMIT_PER_MINUTE: "10000000",
        HUB_PEER_TIMEOUT_MS: String(timeoutMs),
        LOG_LEVEL: "warn",
        OUTBOUND_GUARD_LOG: path.join(baseDir, "outbound.log"),
      });
      await ready(runs[node.regionCode], 120_000);
    }
    const office = await signDevToken(devKeyFile, { role: Role.REGIONAL_OFFICE, organisation: "13", audience: "care-brokering-hub" });
    const halland = `${nodes[0].issuer}/graphql`;
    const measure = async (label: string, withLocal: boolean, expectStatus: string[], count = samples) => {
      const local: number[] = [];
      const national: number[] = [];
      for (let i = 0; i < 20; i++) await ask(halland, office, NATIONAL, { filter: FILTERS[i % FILTERS.length] }); // warm-up
      for (let i = 0; i < count; i++) {
        const variables = { filter: FILTERS[i % FILTERS.length] };
        if (withLocal) local.push((await ask(halland, office, LOCAL, variables)).ms);
        const { ms, body } = await ask(halland, office, NATIONAL, variables);
        const statuses = body.data.nationalCapacity.peers.map((p: any) => p.status);
        if (JSON.stringify(statuses) !== JSON.stringify(expectStatus))
          throw new Error(`${label}: peers ${statuses} (expected ${expectStatus})`);
        national.push(ms);
      }
      const result = { label, local: withLocal ? summarize(local) : undefined, national: summarize(national) };
      log(
        `${label}: national p50 ${result.national.p50} ms, p99 ${result.national.p99} ms${result.local ? `; local p50 ${result.local.p50} ms, p99 ${result.local.p99} ms; p99 ratio ${round1(result.national.p99 / result.local.p99)}` : ""}`,
      );
      return result;
    };
    log(`measuring: ${samples} samples per scenario, page of 20 with coverage, peer bound ${timeoutMs} ms`);
    const results = [await measure("all peers up", true, ["OK", "OK"])];
    process.kill(runs["14"].child.pid!, "SIGSTOP");
    // Every frozen search waits the whole bound: fewer samples say as much.
    results.push(await measure("Västra Götaland frozen (SIGSTOP)", false, ["OK", "TIMEOUT"], Math.min(samples, 60)));
    process.kill(runs["14"].child.pid!, "SIGCONT");
    runs["14"].child.kill("SIGTERM");
    await runs["14"].exited;
    results.push(await measure("Västra Götaland stopped", true, ["OK", "UNREACHABLE"]));
    const out = {
      command: `npm run bench -- network ${argv.join(" ")}`.trim(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      offersPerNode: offers,
      samples,
      peerTimeoutMs: timeoutMs,
      results,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    for (const r of Object.values(runs)) {
      if (r.child.exitCode === null) {
        r.child.kill("SIGCONT");
        r.child.kill("SIGTERM");
        await r.exited;
      }
    }
    await postgres.stop();
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  networkBench(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}
