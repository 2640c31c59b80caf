/**
 * The floor: the benchmark's pages produced by the least work that could produce them,
 * to measure the hub's uncached path against. One Node process, plain HTTP and JSON, no GraphQL,
 * hand-written SQL (one or two round trips a page) to the same PostgreSQL as the hub. It answers
 * the same data the hub's gateway answers for the bench's queries (the bench checks them equal),
 * and does what the hub must do that is not GraphQL:
 *
 * - it verifies the caller's bearer token with the gateway's own authenticator (gateway/auth.ts);
 * - it reads the agreements' facts with the agreements subgraph's one statement and decides
 *   coverage with its engine (decideCoverage, once per (provider, procedure, date) group), ranks matches with the brokering rules (rankMatches) and reads
 *   guarantee clocks with the clock (read): the rules are the work, so the floor runs them too;
 * - patient data: it applies the same access checks (referralAccess, partiesOf, patientDataAccess
 *   and the at-risk list's scope, protected identity withheld) and writes the same audit records
 *   (one per referral and one per patient disclosed or refused, same subgraph, action, kind,
 *   outcome and basis) in the same table before it answers — as one INSERT a page.
 *
 * What it leaves out, because the pages asked for do not depend on it: the retired-KVÅ check of a
 * procedure search (no search in the mix uses a retired code) and coverage's care-access rules
 * (the pages ask for status, agreement and price only). Started by the bench (federation.ts).
 *
 *   POST /search   { variables: { filter, first } }           → { data: { freeCapacity } }
 *   POST /matches  { variables: { id, first, home } }         → { data: { referral: { id, matches } } }
 *   POST /at-risk  { variables: { regionCode, first } }       → { data: { atRiskReferrals } }
 */
import "reflect-metadata";
import http from "node:http";
import { randomUUID } from "node:crypto";
import { Pool } from "pg";
import { createAuthenticator } from "../../gateway/auth";
import { AuditEntry } from "../../subgraphs/shared/audit";
import { loadConfig } from "../../subgraphs/shared/config";
import { addDays, laterDate, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Identity, organisationOf, patientDataAccess, Role } from "../../subgraphs/shared/identity";
import { encodeCursor, TOTAL_COUNT_CAP } from "../../subgraphs/shared/pagination";
import { loadAgreementFacts } from "../../subgraphs/agreements/services/agreement-facts";
import { AgreementFacts, decideCoverage } from "../../subgraphs/agreements/domain/coverage";
import { rankMatches } from "../../subgraphs/referrals/domain/brokering";
import { read } from "../../subgraphs/referrals/services/guarantee-clock-store";
import { partiesOf, referralAccess } from "../../subgraphs/referrals/services/referral-access";
import { Party, WAITING } from "../../subgraphs/referrals/domain/referral-lifecycle";
import type { Referral } from "../../subgraphs/referrals/entities/referral.entity";

type Row = Record<string, any>;

interface SearchFilter {
  specialty?: string;
  procedureCode?: string;
  visitType?: string;
  regionCodes?: string[];
  startsOnOrBefore?: string;
}

/** The WHERE of a free-capacity search, with its parameters appended to `params`. */
function offerWhere(filter: SearchFilter, today: string, params: unknown[]): string {
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = [`o.status = 'OPEN'`, `o.valid_until >= ${p(today)}`, `o.total_slots - o.reserved_slots >= 1`];
  if (filter.specialty) where.push(`o.specialty = ${p(filter.specialty)}`);
  if (filter.procedureCode) where.push(`o.procedure_code = ${p(filter.procedureCode)}`);
  if (filter.visitType) where.push(`o.visit_type = ${p(filter.visitType)}`);
  if (filter.startsOnOrBefore) where.push(`o.earliest_start <= ${p(filter.startsOnOrBefore)}`);
  if (filter.regionCodes?.length)
    where.push(
      `EXISTS (SELECT 1 FROM capacity.provider rp WHERE rp.id = o.provider_id AND rp.region_code = ANY (${p(filter.regionCodes)}::text[]))`,
    );
  return where.join(" AND ");
}

/**
 * A page of offers with provider, region and procedure, and the capped count, in one statement.
 * Offers and count come back as JSON built by PostgreSQL.
 */
async function offerPage(
  db: Pool,
  filter: SearchFilter,
  limit: number,
  today: string,
  withCount: boolean,
): Promise<{ rows: Row[]; total: number }> {
  const params: unknown[] = [];
  const where = offerWhere(filter, today, params);
  const sql = `
    SELECT ${withCount ? `(SELECT least(count(*), ${TOTAL_COUNT_CAP})::int FROM (SELECT 1 FROM capacity.capacity_offer o WHERE ${where} LIMIT ${TOTAL_COUNT_CAP + 1}) m)` : "0"} AS total,
           (SELECT coalesce(json_agg(x), '[]') FROM (
              SELECT o.id, o.total_slots - o.reserved_slots AS slots, o.earliest_start::text AS start, o.expected_wait_days AS wait,
                     o.specialty, o.procedure_code AS proc, pr.name AS proc_name,
                     p.id AS pid, p.name AS pname, p.kind AS pkind, p.region_code AS rcode, r.name AS rname
                FROM capacity.capacity_offer o
                JOIN capacity.provider p ON p.id = o.provider_id
                JOIN capacity.region r ON r.code = p.region_code
                LEFT JOIN capacity.procedure pr ON pr.code = o.procedure_code
               WHERE ${where}
               ORDER BY o.earliest_start, o.id
               LIMIT ${limit}) x) AS rows`;
  const [row] = (await db.query(sql, params)).rows;
  return { rows: row.rows, total: row.total };
}

/** The agreements engine's facts for a home region: the hub's own statement (one round trip). */
function agreementFacts(db: Pool, homeRegionCode: string): Promise<AgreementFacts[]> {
  return loadAgreementFacts(
    { query: (sql: string, parameters?: unknown[]) => db.query(sql, parameters).then((r) => r.rows) },
    { homeRegionCodes: [homeRegionCode] },
  );
}

/** Coverage of each offer, decided once per (provider, procedure, date) group: offers of one group have one answer. */
function coverageOf(rows: Row[], facts: AgreementFacts[], homeRegionCode: string, homeMunicipalityCode: string | null, today: string) {
  const groups = new Map<string, ReturnType<typeof decideCoverage>>();
  return rows.map((o) => {
    const date = laterDate(o.start, today);
    const key = `${o.pid} ${o.proc} ${o.specialty} ${date}`;
    let decision = groups.get(key);
    if (!decision) {
      decision = decideCoverage(
        {
          homeRegionCode,
          homeMunicipalityCode,
          providerId: o.pid,
          providerKind: o.pkind,
          providerRegionCode: o.rcode,
          specialty: o.specialty,
          procedureCode: o.proc ?? null,
          date,
        },
        facts,
      );
      groups.set(key, decision);
    }
    return decision;
  });
}

async function search(db: Pool, variables: { filter?: SearchFilter; first?: number }, today: string) {
  const first = variables.first ?? 20;
  const [page, facts] = await Promise.all([offerPage(db, variables.filter ?? {}, first + 1, today, true), agreementFacts(db, "13")]);
  const shown = page.rows.slice(0, first);
  const coverage = coverageOf(shown, facts, "13", null, today);
  const edges = shown.map((o, i) => {
    const earliestStart = laterDate(o.start, today);
    const chosen = coverage[i].applicable[0];
    return {
      cursor: encodeCursor("freeCapacity", [o.start, o.id]),
      node: {
        id: o.id,
        availableSlots: o.slots,
        earliestStart,
        expectedWaitDays: o.wait,
        procedure: o.proc ? { code: o.proc, name: o.proc_name } : null,
        provider: { id: o.pid, name: o.pname, kind: o.pkind, region: { code: o.rcode, name: o.rname } },
        coverage: {
          status: coverage[i].status,
          agreement: chosen ? { id: chosen.agreement.id, kind: chosen.agreement.kind, name: chosen.agreement.name } : null,
          pricePerCaseSek: chosen?.priceSek ?? null,
        },
      },
    };
  });
  return {
    freeCapacity: {
      totalCount: page.total,
      edges,
      pageInfo: { hasNextPage: page.rows.length > first, endCursor: edges[edges.length - 1]?.cursor ?? null },
    },
  };
}

/** Audit records for a page, in one INSERT (the hub writes the same rows, one INSERT per subgraph). */
async function audit(db: Pool, identity: Identity, requestId: string, entries: Array<AuditEntry & { subgraph: string }>): Promise<void> {
  if (entries.length === 0) return;
  const values: unknown[] = [];
  const rows = entries.map((e) => {
    const start = values.length;
    values.push(
      e.subgraph,
      e.action,
      e.recordKind,
      e.recordId,
      e.patientId,
      identity.subject,
      identity.employeeHsaId,
      identity.role,
      organisationOf(identity),
    );
    values.push(identity.assignmentPurpose, identity.careUnitHsaId, identity.careProviderHsaId, requestId, e.outcome, e.basis);
    return `(${Array.from({ length: 15 }, (_, c) => `$${start + c + 1}`).join(", ")})`;
  });
  await db.query(
    `INSERT INTO audit.patient_data_access (subgraph, action, record_kind, record_id, patient_id, subject, employee_hsa_id, role, organisation,
       assignment_purpose, care_unit_hsa_id, care_provider_hsa_id, request_id, outcome, basis) VALUES ${rows.join(", ")}`,
    values,
  );
}

const REFERRAL_COLUMNS = `r.id, r.patient_id AS "patientId", r.home_region_code AS "homeRegionCode", r.home_municipality_code AS "homeMunicipalityCode",
  r.specialty, r.procedure_code AS "procedureCode", r.visit_type AS "visitType", r.decision_date::text AS "decisionDate", r.care_category AS "careCategory",
  r.origin, r.self_referral_arrival_date::text AS "selfReferralArrivalDate", r.status, r.provider_id AS "providerId",
  r.guarantee_deadline::text AS "guaranteeDeadline",
  (SELECT coalesce(json_agg(json_build_object('kind', e.kind, 'date', e.effective_date::text) ORDER BY e.id), '[]') FROM referrals.guarantee_event e WHERE e.referral_id = r.id) AS events`;

const LIMIT_RULES = `SELECT id, name, region_code AS "regionCode", specialty, step, days, extends_to AS "extendsTo", valid_from::text AS "validFrom", valid_until::text AS "validUntil"
  FROM referrals.guarantee_limit ORDER BY id`;

/** `referral(id) { id matches(first) { … } }` for the home region's office. */
async function matches(
  db: Pool,
  identity: Identity,
  variables: { id: string; first?: number },
  today: string,
  margin: number,
  requestId: string,
) {
  const [found, rules] = await Promise.all([
    db
      .query(`SELECT ${REFERRAL_COLUMNS} FROM referrals.referral r WHERE r.id = $1`, [variables.id])
      .then((r) => r.rows[0] as Row | undefined),
    db.query(LIMIT_RULES).then((r) => r.rows),
  ]);
  if (!found) return { referral: null };
  const referral = found as unknown as Referral & { events: Array<{ kind: any; date: string }> };
  const decision = referralAccess(identity, referral);
  await audit(db, identity, requestId, [
    {
      subgraph: "referrals",
      action: "READ",
      recordKind: "REFERRAL",
      recordId: referral.id,
      patientId: referral.patientId,
      outcome: decision.allowed ? "ALLOWED" : "DENIED",
      basis: decision.basis,
    },
  ]);
  if (!decision.allowed) return { referral: null };
  const parties = partiesOf(identity, referral);
  if (!(parties.includes(Party.HOME_OFFICE) || parties.includes(Party.HOME_CLINIC)))
    throw new Error("FORBIDDEN: matches are for the home region's office and clinics");
  const reading = read(referral, referral.events, rules, today, margin);
  const deadline = reading.applies && reading.status !== "FORFEITED" ? reading.deadline : null;
  // The hub ranks the first 500 offers of the referral's care (five pages of 100): the same set here, in one statement.
  const filter = {
    specialty: referral.specialty,
    visitType: referral.visitType,
    ...(referral.procedureCode ? { procedureCode: referral.procedureCode } : {}),
  };
  const [offers, facts] = await Promise.all([offerPage(db, filter, 500, today, false), agreementFacts(db, referral.homeRegionCode)]);
  const municipality =
    referral.homeMunicipalityCode && referral.homeMunicipalityCode.slice(0, 2) === referral.homeRegionCode
      ? referral.homeMunicipalityCode
      : null;
  const coverage = coverageOf(offers.rows, facts, referral.homeRegionCode, municipality, today);
  const candidates = offers.rows.map((o, i) => {
    const chosen = coverage[i].applicable[0];
    return {
      offerId: o.id,
      providerName: o.pname,
      earliestStart: laterDate(o.start, today),
      coverageStatus: coverage[i].status,
      agreementKind: chosen?.agreement.kind ?? null,
      agreementName: chosen?.agreement.name ?? null,
      agreementId: chosen?.agreement.id ?? null,
      pricePerCaseSek: chosen?.priceSek ?? null,
      slots: o.slots as number,
    };
  });
  const ranked = rankMatches(candidates, deadline).slice(0, variables.first ?? 10);
  return {
    referral: {
      id: referral.id,
      matches: ranked.map((m) => ({
        rank: m.rank,
        tier: m.tier,
        offer: { id: m.candidate.offerId, availableSlots: m.candidate.slots, provider: { name: m.candidate.providerName } },
        agreement: m.candidate.agreementId ? { id: m.candidate.agreementId, name: m.candidate.agreementName } : null,
        pricePerCaseSek: m.candidate.pricePerCaseSek,
        earliestStart: m.candidate.earliestStart,
        startsByDeadline: m.startsByDeadline,
        marginDays: m.marginDays,
        explanation: m.explanation,
      })),
    },
  };
}

/** `atRiskReferrals(regionCode, first) { … patient { … } guarantee { … } }` for the region's office and clinics. */
async function atRisk(
  db: Pool,
  identity: Identity,
  variables: { regionCode: string; first?: number },
  today: string,
  margin: number,
  requestId: string,
) {
  const { regionCode } = variables;
  const first = variables.first ?? 20;
  const mayList =
    (identity.role === Role.REGIONAL_OFFICE || identity.role === Role.CLINIC) &&
    identity.regionCode === regionCode &&
    patientDataAccess(identity, regionCode).allowed;
  if (!mayList) throw new Error(`FORBIDDEN: only region ${regionCode}'s office and clinics see its waiting patients`);
  const where = `r.home_region_code = $1 AND r.status = ANY ($2::text[]) AND r.guarantee_status IN ('WITHIN_LIMIT', 'AT_RISK', 'BREACHED') AND r.guarantee_deadline < $3`;
  const params = [regionCode, [...WAITING], addDays(today, margin)];
  const [page, rules] = await Promise.all([
    db
      .query(
        `SELECT (SELECT least(count(*), ${TOTAL_COUNT_CAP})::int FROM (SELECT 1 FROM referrals.referral r WHERE ${where} LIMIT ${TOTAL_COUNT_CAP + 1}) m) AS total,
                (SELECT coalesce(json_agg(x), '[]') FROM (
                   SELECT ${REFERRAL_COLUMNS},
                          (SELECT json_build_object('id', p.id, 'givenName', p.given_name, 'familyName', p.family_name, 'birthDate', p.birth_date::text,
                                    'homeRegionCode', p.home_region_code, 'protected', p.protected_identity)
                             FROM patients.patient p WHERE p.id = r.patient_id) AS patient
                     FROM referrals.referral r WHERE ${where}
                    ORDER BY r.guarantee_deadline, r.id LIMIT ${first + 1}) x) AS rows`,
        params,
      )
      .then((r) => r.rows[0]),
    db.query(LIMIT_RULES).then((r) => r.rows),
  ]);
  const shown: Row[] = page.rows.slice(0, first);
  // The hub's two subgraphs each record what they disclose: the referrals listed, then each patient by the patients' rule.
  const patientDecisions = shown.map((r) => (r.patient ? patientDataAccess(identity, r.patient.homeRegionCode) : null));
  await audit(db, identity, requestId, [
    ...shown.map((r) => ({
      subgraph: "referrals",
      action: "READ" as const,
      recordKind: "REFERRAL",
      recordId: r.id,
      patientId: r.patientId,
      outcome: "ALLOWED" as const,
      basis: "HOME_REGION_AT_RISK_LIST",
    })),
    ...shown.flatMap((r, i) => {
      const d = patientDecisions[i];
      return d
        ? [
            {
              subgraph: "patients",
              action: "READ" as const,
              recordKind: "PATIENT",
              recordId: r.patient.id,
              patientId: r.patient.id,
              outcome: d.allowed ? ("ALLOWED" as const) : ("DENIED" as const),
              basis: d.basis,
            },
          ]
        : [];
    }),
  ]);
  const edges = shown.map((r, i) => {
    const reading = read(r as unknown as Referral, r.events, rules, today, margin);
    const p = r.patient;
    const withheld = p?.protected && !(identity.role === Role.REGIONAL_OFFICE && identity.regionCode === p.homeRegionCode);
    return {
      cursor: encodeCursor("atRiskReferrals", [r.guaranteeDeadline ?? "9999-12-31", r.id]),
      node: {
        id: r.id,
        specialty: r.specialty,
        decisionDate: r.decisionDate,
        patient:
          p && patientDecisions[i]!.allowed
            ? { id: p.id, givenName: withheld ? "" : p.givenName, familyName: withheld ? "" : p.familyName, birthDate: p.birthDate }
            : null,
        guarantee: { status: reading.status, deadline: reading.deadline, daysLeft: reading.daysLeft },
      },
    };
  });
  return {
    atRiskReferrals: {
      totalCount: page.total,
      edges,
      pageInfo: { hasNextPage: page.rows.length > first, endCursor: edges[edges.length - 1]?.cursor ?? null },
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const authenticate = await createAuthenticator(config.auth);
  const db = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.FLOOR_POOL ?? 10) });
  const margin = config.atRiskMarginDays;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        try {
          const identity = await authenticate(req.headers.authorization);
          const { variables } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          const today = stockholmDate();
          const requestId = randomUUID();
          const data =
            req.url === "/search"
              ? await search(db, variables, today)
              : req.url === "/matches"
                ? await matches(db, identity, variables, today, margin, requestId)
                : req.url === "/at-risk"
                  ? await atRisk(db, identity, variables, today, margin, requestId)
                  : undefined;
          if (data === undefined) {
            res.writeHead(404).end();
            return;
          }
          const body = JSON.stringify({ data });
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
        } catch (error) {
          const body = JSON.stringify({ errors: [{ message: (error as Error).message }] });
          res.writeHead(200, { "content-type": "application/json" }).end(body);
        }
      })();
    });
  });
  server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\n"));
  process.on("SIGINT", () => server.close(() => void db.end().then(() => process.exit(0))));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
