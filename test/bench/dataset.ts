import { randomInt } from "node:crypto";
import { DataSource } from "typeorm";
import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { PROCEDURES } from "../../subgraphs/capacity/reference-data";

/**
 * A national-scale data set for benchmarks, written into a throw-away database that already went
 * through the normal migrations and demo seeds: ~600 providers over the 21 regions with care
 * units, N capacity offers, patients and referrals. Bulk statements (generate_series, unnest), so a
 * million offers take about a minute. Identity numbers are random but well-formed (Luhn) and exist
 * only in that database: never committed, never logged.
 */
export interface DatasetSize {
  offers: number;
  patients: number;
  referrals: number;
  providers: number;
}

export function sizeFor(offers: number): DatasetSize {
  // Proportions of the national data set the targets were set for (200k offers, 100k patients, 150k referrals, ~600 providers).
  return {
    offers,
    patients: Math.max(1000, Math.round(offers / 2)),
    referrals: Math.max(1500, Math.round((offers * 3) / 4)),
    providers: 600,
  };
}

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`a size is a number with an optional k or m, e.g. 10k or 1m; got "${text}"`);
  const factor = { "": 1, k: 1_000, m: 1_000_000 }[match[2].toLowerCase() as "" | "k" | "m"];
  return Math.round(Number(match[1]) * factor);
}

/** Adds providers and care units once (idempotent), then offers up to `offers` in all. */
export async function growCapacity(capacity: DataSource, size: DatasetSize): Promise<void> {
  const regions = REGIONS.map((r) => r.code);
  const specialties = [...new Set(PROCEDURES.map((p) => p.specialty))];
  await capacity.query(
    `INSERT INTO capacity.provider (id, hsa_id, organisation_number, name, kind, region_code, municipality_code)
     SELECT md5('bench-provider-' || n)::uuid, 'SE2321000000-B' || lpad(n::text, 6, '0'), '2321000000', 'Benchmark provider ' || n,
            CASE WHEN n % 5 = 0 THEN 'PRIVATE' ELSE 'PUBLIC' END, ($1::text[])[1 + n % 21], ($1::text[])[1 + n % 21] || '80'
       FROM generate_series(1, $2) AS n
     ON CONFLICT DO NOTHING`,
    [regions, size.providers],
  );
  await capacity.query(
    `INSERT INTO capacity.care_unit (id, hsa_id, name, specialty, provider_id)
     SELECT md5('bench-unit-' || n || '-' || s)::uuid, 'SE2321000000-U' || lpad(n::text, 6, '0') || lpad(s::text, 2, '0'),
            'Benchmark unit ' || n || '/' || s, ($1::text[])[1 + (n + s) % array_length($1::text[], 1)], md5('bench-provider-' || n)::uuid
       FROM generate_series(1, $2) AS n, generate_series(0, 2) AS s
     ON CONFLICT DO NOTHING`,
    [specialties, size.providers],
  );
  const [{ count }] = await capacity.query(
    `SELECT count(*)::int AS count FROM capacity.capacity_offer WHERE reported_by = 'Benchmark generator'`,
  );
  const missing = size.offers - count;
  if (missing <= 0) return;
  // Providers and patients live in municipality "XX80", each region's seat (Halmstad 1380, Malmö 1280 …).
  // Each offer is for a procedure of its unit's specialty, starting 0–89 days from today, open 120 days.
  for (let from = count + 1; from <= size.offers; from += 200_000) {
    const to = Math.min(size.offers, from + 199_999);
    await capacity.query(
      `WITH units AS (SELECT id, provider_id, specialty, row_number() OVER (ORDER BY hsa_id) - 1 AS k
                        FROM capacity.care_unit WHERE hsa_id LIKE 'SE2321000000-U%'),
            unit_count AS (SELECT count(*) AS c FROM units),
            procs AS (SELECT code, visit_type, specialty, row_number() OVER (PARTITION BY specialty ORDER BY code) - 1 AS k,
                             count(*) OVER (PARTITION BY specialty) AS c FROM capacity.procedure)
       INSERT INTO capacity.capacity_offer (id, care_unit_id, provider_id, specialty, procedure_code, visit_type, total_slots, reserved_slots,
              earliest_start, valid_from, valid_until, expected_wait_days, status, source, reported_by, reported_at)
       SELECT md5('bench-offer-' || n)::uuid, u.id, u.provider_id, u.specialty, p.code, p.visit_type, 1 + n % 20, 0,
              current_date + (n % 90), current_date, current_date + (n % 90) + 120, 5 + n % 80, 'OPEN', 'API', 'Benchmark generator', now()
         FROM generate_series($1::int, $2::int) AS n
         JOIN units u ON u.k = n % (SELECT c FROM unit_count)
         JOIN procs p ON p.specialty = u.specialty AND p.k = (n / 7) % p.c`,
      [from, to],
    );
  }
  // VACUUM as well as ANALYZE: in production autovacuum vacuums a table after enough inserts
  // (autovacuum_vacuum_insert_threshold), setting the visibility map that lets searches count from
  // their covering indexes alone (index-only scans). Done here at once, so every run measures the
  // state production settles in rather than whenever autovacuum happens to get there.
  await capacity.query("VACUUM (ANALYZE) capacity.capacity_offer");
}

/** Luhn check digit over the ten digits YYMMDDNNN (weights 2,1,2,1,…). */
function luhn(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

function randomIdentityNumber(): { number: string; birthDate: string } {
  const year = 1930 + randomInt(90);
  const month = 1 + randomInt(12);
  const day = 1 + randomInt(28);
  const serial = String(randomInt(1000)).padStart(3, "0");
  const yymmddnnn = `${String(year % 100).padStart(2, "0")}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}${serial}`;
  return {
    number: `${year}${yymmddnnn.slice(2)}${luhn(yymmddnnn)}`,
    birthDate: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
  };
}

/** Patients spread over the regions, then referrals for them (registered, decided 0–119 days ago). */
export async function fillPatientsAndReferrals(patients: DataSource, referrals: DataSource, size: DatasetSize): Promise<void> {
  const [{ count }] = await patients.query(`SELECT count(*)::int AS count FROM patients.patient WHERE given_name = 'Bench'`);
  const regions = REGIONS.map((r) => r.code);
  const seen = new Set<string>();
  for (let done = count; done < size.patients; ) {
    const batch = Math.min(10_000, size.patients - done);
    const rows = { ids: [] as number[], numbers: [] as string[], births: [] as string[], regions: [] as string[] };
    while (rows.ids.length < batch) {
      const { number, birthDate } = randomIdentityNumber();
      if (seen.has(number)) continue;
      seen.add(number);
      rows.ids.push(done + rows.ids.length + 1);
      rows.numbers.push(number);
      rows.births.push(birthDate);
      rows.regions.push(regions[randomInt(regions.length)]);
    }
    await patients.query(
      `INSERT INTO patients.patient (id, personal_identity_number, identity_kind, given_name, family_name, birth_date, home_region_code, home_municipality_code)
       SELECT md5('bench-patient-' || i)::uuid, pin, 'PERSONNUMMER', 'Bench', 'Patient ' || i, birth, region, region || '80'
         FROM unnest($1::int[], $2::text[], $3::date[], $4::text[]) AS t(i, pin, birth, region)
       ON CONFLICT DO NOTHING`,
      [rows.ids, rows.numbers, rows.births, rows.regions],
    );
    done += batch;
  }
  const procedures = PROCEDURES.map((p) => p.code);
  const specialties = PROCEDURES.map((p) => p.specialty);
  const visitTypes = PROCEDURES.map((p) => p.visitType);
  const [{ have }] = await referrals.query(`SELECT count(*)::int AS have FROM referrals.referral WHERE registered_by = 'bench'`);
  if (have >= size.referrals) return;
  await referrals.query(
    `INSERT INTO referrals.referral (id, patient_id, home_region_code, specialty, procedure_code, visit_type, decision_date, diagnosis_code, status,
            registered_at, registered_by, guarantee_status, guarantee_deadline)
     SELECT md5('bench-referral-' || n)::uuid, p.id, p.home_region_code,
            ($2::text[])[1 + n % array_length($2::text[], 1)], ($3::text[])[1 + n % array_length($3::text[], 1)],
            ($4::text[])[1 + n % array_length($4::text[], 1)], current_date - (n % 120), NULL, 'REGISTERED', now(), 'bench',
            -- No reading yet: the referrals subgraph's clock sweep reads every clock when it starts.
            NULL, NULL
       FROM generate_series($5::int, $6::int) AS n
       -- The generator owns the whole throw-away database, so it may read the patients' schema here.
       JOIN patients.patient p ON p.id = md5('bench-patient-' || (1 + n % $1))::uuid`,
    [size.patients, specialties, procedures, visitTypes, have + 1, size.referrals],
  );
  await referrals.query("ANALYZE referrals.referral");
}
