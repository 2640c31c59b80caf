import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { Role } from "../../subgraphs/shared/identity";
import { purgeExpiredAudit } from "../../subgraphs/shared/audit";
import { loadConfig } from "../../subgraphs/shared/config";
import { patientId } from "../../seeds/data/patients";
import { providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * Patient data through the gateway: only the home region's office and clinics see it (everyone
 * else gets "not found"), every read and refusal leaves one audit record per record touched, and
 * the audit log cannot be changed, not even by the application's own database role.
 */
let hub: TestHub;
let db: Client;
beforeAll(async () => {
  hub = await startTestHub();
  db = new Client({ connectionString: hub.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await hub?.stop();
});

const TOLVAN = patientId("191212121212"); // Region Halland (13)
const ERIK = patientId("200001022391"); // Region Skåne (12)
const PATIENT = `query($id: ID!) { patient(id: $id) { givenName personalIdentityNumber referrals { diagnosisCode } } }`;

const as = async (bearer: Promise<string>, query: string, variables?: Record<string, unknown>) =>
  hub.queryAs(await bearer, query, variables);
const office13 = () => token(Role.REGIONAL_OFFICE, "13");

async function auditRows(where: string, params: unknown[]): Promise<Array<Record<string, string>>> {
  return (await db.query(`SELECT * FROM audit.patient_data_access WHERE ${where} ORDER BY id`, params)).rows;
}

describe("who sees a patient", () => {
  it("shows a patient to the home region's office and clinics", async () => {
    for (const bearer of [office13(), token(Role.CLINIC)]) {
      const { data, errors } = await as(bearer, PATIENT, { id: TOLVAN });
      expect(errors).toBeUndefined();
      expect(data.patient).toMatchObject({ givenName: "Tolvan", personalIdentityNumber: "19121212-1212" });
      expect(data.patient.referrals.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ["another region's office", () => token(Role.REGIONAL_OFFICE, "14")],
    ["a peer region", () => token(Role.PEER_REGION, "13")],
    ["a provider without a referral sent to it", () => token(Role.PROVIDER, providerId("private-kattegatt-ortopedi"))],
    ["an administrator (not in the patient's care)", () => token(Role.ADMINISTRATOR)],
    ["the home office below assurance level 3", () => token(Role.REGIONAL_OFFICE, "13", { loa: 2 })],
    [
      "the home office without a care-and-treatment assignment",
      () => token(Role.REGIONAL_OFFICE, "13", { assignment_purpose: "Administration" }),
    ],
  ])("answers %s as if the patient did not exist", async (_who, bearer) => {
    const byId = await as(bearer(), PATIENT, { id: TOLVAN });
    expect(byId.errors).toBeUndefined();
    expect(byId.data.patient).toBeNull();
    const byNumber = await as(bearer(), `{ patientByPersonalIdentityNumber(personalIdentityNumber: "19121212-1212") { id } }`);
    expect(byNumber.data.patientByPersonalIdentityNumber).toBeNull();
    // The same answer as for a patient that does not exist: nothing tells them apart.
    const unknown = await as(bearer(), PATIENT, { id: randomUUID() });
    expect(unknown).toEqual(byId);
  });

  it("lists referrals only of the caller's own region, and none to others", async () => {
    const LIST = `{ referrals(first: 100) { totalCount edges { node { id homeRegion { code } diagnosisCode patient { givenName } } } } }`;
    const halland = await as(office13(), LIST);
    expect(halland.data.referrals.totalCount).toBeGreaterThan(5);
    expect(halland.data.referrals.edges.every((e: any) => e.node.homeRegion.code === "13" && e.node.patient.givenName)).toBe(true);
    const skane = await as(token(Role.REGIONAL_OFFICE, "12"), LIST);
    expect(skane.data.referrals.edges.every((e: any) => e.node.homeRegion.code === "12")).toBe(true);
    expect(skane.data.referrals.edges.map((e: any) => e.node.patient.givenName)).toContain("Erik");
    for (const bearer of [token(Role.PEER_REGION, "13"), token(Role.PROVIDER), token(Role.ADMINISTRATOR)]) {
      const none = await as(bearer, LIST);
      expect(none.data.referrals).toEqual({ totalCount: 0, edges: [] });
    }
    const otherRegion = await as(office13(), `{ referrals(filter: { homeRegionCode: "12" }) { totalCount } }`);
    expect(otherRegion.data.referrals.totalCount).toBe(0);
  });
});

describe("the audit log", () => {
  it("records every read and every refusal, one row per record, with who, why and the request", async () => {
    const requestId = `audit-${randomUUID()}`;
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await office13()}`, "x-request-id": requestId },
      body: JSON.stringify({
        query: `query($a: ID!, $b: ID!) { a: patient(id: $a) { givenName } b: patient(id: $b) { givenName } }`,
        variables: { a: TOLVAN, b: ERIK },
      }),
    });
    const body = (await response.json()) as any;
    expect(body.data).toEqual({ a: { givenName: "Tolvan" }, b: null });
    const rows = await auditRows("request_id = $1", [requestId]);
    expect(rows.map((r) => [r.patient_id, r.outcome, r.basis, r.record_kind, r.action, r.role, r.organisation, r.subgraph])).toEqual(
      expect.arrayContaining([
        [TOLVAN, "ALLOWED", "HOME_REGION_OFFICE", "PATIENT", "READ", "REGIONAL_OFFICE", "13", "patients"],
        [ERIK, "DENIED", "NOT_THE_HOME_REGION", "PATIENT", "READ", "REGIONAL_OFFICE", "13", "patients"],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      subject: "SE9999999999-E000000000001",
      employee_hsa_id: "SE9999999999-E000000000001",
      assignment_purpose: "Vård och behandling",
    });
  });

  it("records a page of 50 referrals as 50 rows", async () => {
    // Enough referrals for a page of 50 (synthetic, for Halland's seeded patients).
    const { rows: patients } = await db.query(`SELECT DISTINCT patient_id FROM referrals.referral WHERE home_region_code = '13'`);
    await db.query(
      `INSERT INTO referrals.referral (id, patient_id, home_region_code, specialty, procedure_code, visit_type, decision_date, diagnosis_code, status, registered_at)
       SELECT gen_random_uuid(), ($1::uuid[])[1 + (n % array_length($1::uuid[], 1))], '13', 'ORTHOPAEDICS', 'NFB49', 'TREATMENT', current_date - n, 'M16.1', 'REGISTERED', now()
         FROM generate_series(1, 60) AS n`,
      [patients.map((p: { patient_id: string }) => p.patient_id)],
    );
    const requestId = `page-${randomUUID()}`;
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await office13()}`, "x-request-id": requestId },
      body: JSON.stringify({ query: `{ referrals(first: 50) { edges { node { id diagnosisCode } } } }` }),
    });
    const body = (await response.json()) as any;
    expect(body.data.referrals.edges).toHaveLength(50);
    const rows = await auditRows("request_id = $1", [requestId]);
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.record_id))).toEqual(new Set(body.data.referrals.edges.map((e: any) => e.node.id)));
    expect(rows.every((r) => r.record_kind === "REFERRAL" && r.outcome === "ALLOWED" && r.subgraph === "referrals")).toBe(true);
  });

  it("lets the home region's office review who accessed a patient, and no one else", async () => {
    await as(token(Role.REGIONAL_OFFICE, "14"), PATIENT, { id: TOLVAN });
    const LOG = `query($id: ID!) { auditLog(patientId: $id) { occurredAt subject role organisation outcome basis recordKind subgraph requestId } }`;
    const { data, errors } = await as(office13(), LOG, { id: TOLVAN });
    expect(errors).toBeUndefined();
    expect(data.auditLog.length).toBeGreaterThan(2);
    expect(data.auditLog).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ role: "REGIONAL_OFFICE", organisation: "14", outcome: "DENIED", basis: "NOT_THE_HOME_REGION" }),
      ]),
    );
    // Another region's office: as if there were no such patient; other roles: not theirs to review.
    expect((await as(token(Role.REGIONAL_OFFICE, "14"), LOG, { id: TOLVAN })).data.auditLog).toBeNull();
    for (const bearer of [token(Role.CLINIC), token(Role.PROVIDER), token(Role.ADMINISTRATOR)]) {
      expect((await as(bearer, LOG, { id: TOLVAN })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    // Reviewing the log is itself recorded.
    expect((await auditRows("patient_id = $1 AND record_kind = 'AUDIT_LOG'", [TOLVAN])).length).toBeGreaterThan(0);
  });

  it("lets administrators spot-check one user's accesses", async () => {
    const BY_USER = `query($subject: String!) { auditLogByUser(subject: $subject) { patientId outcome } }`;
    const { data, errors } = await as(token(Role.ADMINISTRATOR), BY_USER, { subject: "SE9999999999-E000000000001" });
    expect(errors).toBeUndefined();
    expect(data.auditLogByUser.map((r: any) => r.patientId)).toContain(TOLVAN);
    expect((await as(office13(), BY_USER, { subject: "SE9999999999-E000000000001" })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("is append-only: the database refuses to change or delete records, even for the application's own role", async () => {
    const [row] = await auditRows("true", []);
    await expect(db.query(`UPDATE audit.patient_data_access SET outcome = 'ALLOWED' WHERE id = $1`, [row.id])).rejects.toThrow(
      /append-only|permission denied/,
    );
    await expect(db.query(`DELETE FROM audit.patient_data_access WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit.patient_data_access`)).rejects.toThrow(/append-only|permission denied/);
    expect((await auditRows("id = $1", [row.id]))[0]).toEqual(row);
  });

  it("keeps records for the configured retention, never less than five years", async () => {
    const insert = (yearsAgo: number, subject: string) =>
      db.query(
        `INSERT INTO audit.patient_data_access (occurred_at, subgraph, action, record_kind, record_id, patient_id, subject, role, request_id, outcome, basis)
         VALUES (now() - make_interval(years => $1), 'patients', 'READ', 'PATIENT', $2, $2, $3, 'REGIONAL_OFFICE', 'retention-test', 'ALLOWED', 'HOME_REGION_OFFICE')`,
        [yearsAgo, TOLVAN, subject],
      );
    await insert(11, "retention-11y");
    await insert(7, "retention-7y");
    await insert(4, "retention-4y");
    const rows = { query: async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows };
    const kept = async () => (await auditRows("request_id = 'retention-test'", [])).map((r) => r.subject).sort();
    expect(await purgeExpiredAudit(rows, 10)).toBe(1);
    expect(await kept()).toEqual(["retention-4y", "retention-7y"]);
    expect(await purgeExpiredAudit(rows, 5)).toBe(1);
    expect(await kept()).toEqual(["retention-4y"]);
    // A shorter period than the legal minimum is refused by the database itself…
    await expect(purgeExpiredAudit(rows, 1)).rejects.toThrow(/append-only/);
    expect(await kept()).toEqual(["retention-4y"]);
    // …and by the configuration.
    expect(() => loadConfig({ HUB_AUDIT_RETENTION_YEARS: "3" })).toThrow(/at least 5/);
    expect(loadConfig({}).auditRetentionYears).toBe(5);
  });
});
