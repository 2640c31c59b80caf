import fs from "node:fs";
import path from "node:path";
import { DataSource, EntityManager, QueryRunner, Repository } from "typeorm";
import { systemClock } from "../../subgraphs/shared/clock";
import { baseContext } from "../../subgraphs/shared/context";
import { EventStream } from "../../subgraphs/shared/event-stream";
import { systemIdentity, Role } from "../../subgraphs/shared/identity";
import { projectRoot } from "../../subgraphs/shared/paths";
import { SupergraphClient } from "../../subgraphs/shared/supergraph-client";
import { createPatientsContext } from "../../subgraphs/patients/context";
import { CareRelations } from "../../subgraphs/patients/services/care-relations";
import { ClinicInputRegister } from "../../subgraphs/patients/services/population-register";
import { createReferralsContext } from "../../subgraphs/referrals/context";
import { BrokeringCandidates } from "../../subgraphs/referrals/services/brokering-candidates";
import { ReferralWorkflow } from "../../subgraphs/referrals/services/referral-workflow";

/**
 * Patient data is reachable only through its guard: the data-access objects of the patients and
 * referrals subgraphs (PatientRecords, ReferralRecords) and the write path of the referral
 * workflow. This fails when a resolver or service outside that layer gets a database handle, by
 * import or through the request context.
 */
const ROOT = projectRoot();
const GUARDED = ["subgraphs/patients", "subgraphs/referrals"];

/** The data-access layer, and the wiring that hands it the data source. Nothing else may touch the database. */
const DATA_ACCESS_LAYER = new Set([
  "subgraphs/patients/services/patient-records.ts",
  "subgraphs/referrals/services/referral-records.ts",
  // Used only by ReferralRecords (a search and the clock's facts read for shown referrals).
  "subgraphs/referrals/services/referral-search.ts",
  "subgraphs/referrals/services/guarantee-clock-store.ts",
  // The write path: every step checks the caller is a party and records the change.
  "subgraphs/referrals/services/referral-workflow.ts",
  "subgraphs/referrals/services/send-in-flight.ts",
  // Used only by the workflow: the peer link and outbox of referrals sent across nodes, in the step's transaction.
  "subgraphs/referrals/services/peer-referrals.ts",
  // The care relations the referrals subgraph records (no patient data: which provider holds which referral).
  "subgraphs/patients/services/care-relations.ts",
  // Wiring: builds the records (patients, referrals) and the processes' runtimes from the data source.
  "subgraphs/patients/context.ts",
  "subgraphs/referrals/context.ts",
  "subgraphs/patients/runtime.ts",
  "subgraphs/referrals/runtime.ts",
]);

/** Names that only the data-access layer may import from its own modules. */
const LAYER_INTERNALS = /\b(searchAtRisk|ReferralSearch|loadClockEvents|readAudit|audit)\b/;

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return ["entities", "migrations"].includes(entry.name) ? [] : sources(rel);
    return rel.endsWith(".ts") ? [rel] : [];
  });
}

describe("the data-access boundary of patient data", () => {
  const files = GUARDED.flatMap(sources).filter((file) => !DATA_ACCESS_LAYER.has(file));

  it("covers the resolvers and services", () => {
    expect(files).toEqual(
      expect.arrayContaining(["subgraphs/patients/resolvers/audit-log.resolver.ts", "subgraphs/referrals/resolvers/referral.resolver.ts"]),
    );
  });

  it.each(GUARDED.flatMap(sources).filter((file) => !DATA_ACCESS_LAYER.has(file)))("%s gets no database handle", (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const problems: string[] = [];
    for (const match of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
      const [, names, from] = match;
      if (from === "typeorm") problems.push(`imports { ${names.trim()} } from typeorm`);
      if (/shared\/audit$|referral-search$|guarantee-clock-store$/.test(from) && LAYER_INTERNALS.test(names)) {
        problems.push(`imports { ${names.trim()} } from ${from} (the data-access layer's own reads)`);
      }
    }
    for (const pattern of [/\.dataSource\b/, /getRepository\s*\(/, /createQueryBuilder\s*\(/, /\.manager\b/, /\.query\s*\(\s*[`"']/]) {
      if (pattern.test(text)) problems.push(`uses ${pattern.source}`);
    }
    expect(problems).toEqual([]);
  });
});

/** Every value reachable from the context through own properties (a few levels), with its path. */
function* reachable(value: unknown, where: string, depth: number, seen = new Set<unknown>()): Generator<[string, unknown]> {
  if (value === null || typeof value !== "object" || seen.has(value) || depth < 0) return;
  seen.add(value);
  yield [where, value];
  for (const key of Object.getOwnPropertyNames(value)) {
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    yield* reachable(child, `${where}.${key}`, depth - 1, seen);
  }
}

const isDatabaseHandle = (value: unknown) =>
  value instanceof DataSource ||
  value instanceof EntityManager ||
  value instanceof Repository ||
  (typeof value === "object" &&
    value !== null &&
    "connection" in value &&
    "query" in value &&
    (value as QueryRunner).manager instanceof EntityManager);

describe("a request's context", () => {
  // Constructing a data source connects nothing; the contexts are built as a request would build them.
  const dataSource = new DataSource({ type: "postgres", url: "postgres://nobody@127.0.0.1:9/none" });
  const base = () => baseContext(undefined, "13", systemIdentity("boundary-test", Role.REGIONAL_OFFICE, "13"), systemClock);
  const supergraph = new SupergraphClient(() => "http://127.0.0.1:9/graphql", "x".repeat(32), "test");

  it.each([
    [
      "patients",
      () =>
        createPatientsContext(dataSource, base(), {
          careRelations: new CareRelations(dataSource),
          populationRegister: new ClinicInputRegister(),
          stop: async () => undefined,
        }),
    ],
    [
      "referrals",
      () =>
        createReferralsContext(dataSource, base(), {
          workflow: new ReferralWorkflow(dataSource, "13", supergraph, 14),
          brokering: new BrokeringCandidates(supergraph),
          events: new EventStream(dataSource, "referrals"),
          atRiskMarginDays: 14,
          stop: async () => undefined,
        }),
    ],
  ])("of the %s subgraph holds no data source, entity manager or repository", (_name, build) => {
    const handles = [...reachable(build(), "ctx", 4)].filter(([, value]) => isDatabaseHandle(value)).map(([where]) => where);
    expect(handles).toEqual([]);
  });
});
