/**
 * The floor section of the federation benchmark: the search mix, `referral.matches`
 * and `atRiskReferrals` through the floor (floor-server.ts: hand-written SQL and JSON in one
 * process), this hub's gateway with its response cache off, the plain Apollo Gateway and Hive
 * Gateway, side by side in one run. Every answer is checked equal (all fields) to the hub's; CPU
 * per request is read from /proc for every process of the run and split by process.
 */
import fs from "node:fs";
import path from "node:path";

export interface FloorTarget {
  name: string;
  /** Sends one page's request; answers the parsed body. */
  send: (page: FloorPage, variables: Record<string, unknown>) => Promise<{ status: number; body: any }>;
}

export interface FloorPage {
  name: string;
  query: string;
  /** The floor's route for it. */
  route: string;
  /** The variables of each request, taken in turn. */
  variants: Array<Record<string, unknown>>;
  /** Who asks: ADMINISTRATOR for searches, the home region's office for patient data. */
  caller: "admin" | "office";
}

export interface FloorRow {
  page: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  mismatches: number;
  /** CPU ms a request, by process, and summed. */
  cpuMsPerRequest: Record<string, number>;
  cpuMsTotal: number;
}

export const SEARCH_PAGE_FIELDS = `totalCount
      edges { cursor node {
        id availableSlots earliestStart expectedWaitDays
        procedure { code name }
        provider { id name kind region { code name } }
        coverage(homeRegionCode: "13") { status agreement { id kind name } pricePerCaseSek }
      } }
      pageInfo { hasNextPage endCursor }`;

export const MATCHES = /* GraphQL */ `
  query Matches($id: ID!, $first: Int) {
    referral(id: $id) {
      id
      matches(first: $first) {
        rank tier offer { id availableSlots provider { name } } agreement { id name } pricePerCaseSek earliestStart startsByDeadline marginDays explanation
      }
    }
  }`;

export const AT_RISK = /* GraphQL */ `
  query AtRisk($regionCode: String!, $first: Int) {
    atRiskReferrals(regionCode: $regionCode, first: $first) {
      totalCount
      edges { cursor node { id specialty decisionDate patient { id givenName familyName birthDate } guarantee { status deadline daysLeft } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

const round1 = (n: number) => Math.round(n * 10) / 10;

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** JSON with object keys sorted: two answers are equal when these are. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** The first place two canonical answers differ, for the log. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 80), i + 80)}… vs …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

/** CPU seconds (user + system) of a process and its live children, plus what its reaped children used (PostgreSQL's ended backends). */
export function cpuSecondsOf(pid: number): number {
  const stat = (p: number) => fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1].split(" ");
  try {
    const own = stat(pid);
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    let children: number[] = [];
    try {
      children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // no children
    }
    for (const child of children) {
      try {
        const s = stat(child);
        ticks += Number(s[11]) + Number(s[12]);
      } catch {
        // exited meanwhile
      }
    }
    return ticks / 100;
  } catch {
    return 0;
  }
}

/** The postmaster of an embedded PostgreSQL in `baseDir` (its backends are its children). */
export function postmasterPid(baseDir: string): number {
  return Number(fs.readFileSync(path.join(baseDir, "pgdata", "postmaster.pid"), "utf8").split("\n")[0]);
}

interface Run {
  latencies: number[];
  ok: number;
  errors: number;
  mismatches: number;
  firstError?: string;
}

async function drive(
  target: FloorTarget,
  page: FloorPage,
  expected: string[],
  seconds: number,
  concurrency: number,
): Promise<Run & { elapsed: number }> {
  const run: Run = { latencies: [], ok: 0, errors: 0, mismatches: 0 };
  const started = performance.now();
  const until = started + seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const v = next++ % page.variants.length;
      const t0 = performance.now();
      try {
        const { status, body } = await target.send(page, page.variants[v]);
        if (status !== 200 || body.errors || !body.data) {
          run.errors++;
          run.firstError ??= JSON.stringify(body.errors ?? status).slice(0, 300);
        } else if (canonical(body.data) !== expected[v]) run.mismatches++;
        else run.ok++;
      } catch (error) {
        run.errors++;
        run.firstError ??= (error as Error).message;
      }
      run.latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ...run, elapsed: (performance.now() - started) / 1000 };
}

/**
 * Each page through each target: the expected answers from this hub's gateway (cache off), the
 * floor's checked equal to them, then `rounds` interleaved runs of `seconds` at `concurrency`
 * clients, CPU read from /proc around each run for every process in `processes`.
 */
export async function scenarioFloor(
  pages: FloorPage[],
  targets: FloorTarget[],
  processes: Record<string, number>,
  opts: { seconds: number; rounds: number; concurrency: number },
  log: (line: string) => void,
): Promise<{ rows: FloorRow[]; equal: Record<string, boolean> }> {
  const rows: FloorRow[] = [];
  const equal: Record<string, boolean> = {};
  for (const page of pages) {
    const reference = targets[1];
    const expected = await Promise.all(
      page.variants.map(async (variables) => {
        const { body } = await reference.send(page, variables);
        if (body.errors || !body.data) throw new Error(`floor: ${page.name} via ${reference.name}: ${JSON.stringify(body.errors)}`);
        return canonical(body.data);
      }),
    );
    const floorAnswers = await Promise.all(
      page.variants.map(async (variables) => {
        const { body } = await targets[0].send(page, variables);
        return canonical(body.data ?? body);
      }),
    );
    equal[page.name] = floorAnswers.every((a, i) => a === expected[i]);
    if (!equal[page.name]) {
      const i = floorAnswers.findIndex((a, j) => a !== expected[j]);
      log(`floor: ${page.name}: the floor's answer differs from the hub's: ${firstDifference(floorAnswers[i], expected[i])}`);
    }
    // Warm-up: plans, connections, JIT.
    for (const target of targets) await drive(target, page, expected, 1, opts.concurrency);
    const byTarget = new Map<string, Array<{ run: Run & { elapsed: number }; cpu: Record<string, number> }>>(
      targets.map((t) => [t.name, []]),
    );
    for (let round = 0; round < opts.rounds; round++) {
      for (const target of targets) {
        const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
        const run = await drive(target, page, expected, opts.seconds, opts.concurrency);
        const cpu = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid) - before[name]]));
        byTarget.get(target.name)!.push({ run, cpu });
        log(
          `floor ${page.name} round ${round + 1} ${target.name}: ${round1(run.ok / run.elapsed)} req/s, errors ${run.errors}, mismatches ${run.mismatches}${run.firstError ? ` (${run.firstError})` : ""}`,
        );
      }
    }
    for (const target of targets) {
      const runs = byTarget.get(target.name)!;
      const latencies = runs.flatMap((r) => r.run.latencies).sort((a, b) => a - b);
      const requests = latencies.length;
      const cpuMsPerRequest: Record<string, number> = {};
      for (const name of Object.keys(processes)) {
        const seconds = runs.reduce((sum, r) => sum + r.cpu[name], 0);
        cpuMsPerRequest[name] = requests > 0 ? round1((seconds * 1000) / requests) : NaN;
      }
      const total = Object.values(cpuMsPerRequest).reduce((a, b) => a + b, 0);
      rows.push({
        page: page.name,
        target: target.name,
        rps: round1(runs.reduce((sum, r) => sum + r.run.ok, 0) / runs.reduce((sum, r) => sum + r.run.elapsed, 0)),
        p50: round1(percentile(latencies, 0.5)),
        p99: round1(percentile(latencies, 0.99)),
        requests,
        errors: runs.reduce((sum, r) => sum + r.run.errors, 0),
        mismatches: runs.reduce((sum, r) => sum + r.run.mismatches, 0),
        cpuMsPerRequest,
        cpuMsTotal: round1(total),
      });
    }
  }
  return { rows, equal };
}

/** Markdown: per page, a row per target with the ratio to the floor, then CPU by process. */
export function floorTables(
  rows: FloorRow[],
  equal: Record<string, boolean>,
  processes: string[],
  opts: { seconds: number; rounds: number; concurrency: number },
): string[] {
  const out: string[] = [
    "",
    `**The floor** — each page produced by hand-written SQL and JSON in one Node process (test/bench/floor-server.ts: the same token check, access checks, audit records and agreement, brokering and clock rules; one or two round trips), against this hub's gateway with its cache off, the plain Apollo Gateway and Hive Gateway on the same subgraphs; ${opts.concurrency} clients, ${opts.rounds} interleaved round(s) of ${opts.seconds} s; every answer checked equal (all fields) to the hub's. CPU ms a request summed over every process of the run (from /proc), and hub / floor:`,
    "",
    "| page | target | req/s | p50 ms | p99 ms | CPU ms/request | × floor CPU | × floor req/s | errors | mismatches |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const page of [...new Set(rows.map((r) => r.page))]) {
    const floor = rows.find((r) => r.page === page)!;
    for (const r of rows.filter((x) => x.page === page)) {
      out.push(
        `| ${page}${r === floor ? (equal[page] ? " (answers equal)" : " (**answers differ**)") : ""} | ${r.target} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.cpuMsTotal} | ${round1(r.cpuMsTotal / floor.cpuMsTotal)} | ${round1(floor.rps / r.rps)} | ${r.errors} | ${r.mismatches} |`,
      );
    }
  }
  const shown = processes.filter((name) => rows.some((r) => r.cpuMsPerRequest[name] >= 0.1));
  out.push(
    "",
    "CPU ms a request by process:",
    "",
    `| page | target | ${shown.join(" | ")} |`,
    `| --- | --- |${shown.map(() => " ---: |").join("")}`,
  );
  for (const r of rows) out.push(`| ${r.page} | ${r.target} | ${shown.map((name) => r.cpuMsPerRequest[name]).join(" | ")} |`);
  return out;
}
