import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { purgeExpiredAudit } from "../../subgraphs/shared/audit";
import { loadConfig, SUBGRAPH_NAMES, SubgraphName } from "../../subgraphs/shared/config";
import { provisionRuntimeRoles } from "../../subgraphs/shared/db/roles";
import { patientId } from "../../seeds/data/patients";
import { createTestDatabase } from "../support/database";
import { startTestHub, TestHub } from "../support/hub";

/**
 * What the database itself enforces, tried through the subgraphs' runtime roles: each way an
 * outside probe erased the audit log with the hub's former superuser role is refused, a subgraph
 * cannot read another's schema, and the retention purge still works through its narrowly granted
 * function. The hub's own processes connect as these roles.
 */
const TOLVAN = patientId("191212121212");
let migratorUrl: string;
let admin: Client;
const clients = {} as Record<SubgraphName, Client>;

beforeAll(async () => {
  migratorUrl = await createTestDatabase();
  const urls = await provisionRuntimeRoles(migratorUrl, SUBGRAPH_NAMES, loadConfig({}).databaseRoles);
  admin = new Client({ connectionString: migratorUrl });
  await admin.connect();
  for (const name of SUBGRAPH_NAMES) {
    clients[name] = new Client({ connectionString: urls[name] });
    await clients[name].connect();
  }
});
afterAll(async () => {
  await Promise.all(Object.values(clients).map((c) => c.end()));
  await admin?.end();
});

/** Runs the statements in a transaction that is always rolled back, so a wrongly allowed one changes nothing. */
async function attempt(client: Client, ...statements: string[]): Promise<void> {
  await client.query("BEGIN");
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.query("ROLLBACK");
  }
}

async function auditRow(): Promise<string> {
  const { rows } = await admin.query(
    `INSERT INTO audit.patient_data_access (subgraph, action, record_kind, record_id, patient_id, subject, role, request_id, outcome, basis)
     VALUES ('patients', 'READ', 'PATIENT', $1, $1, 'roles-test', 'REGIONAL_OFFICE', $2, 'ALLOWED', 'HOME_REGION_OFFICE') RETURNING id`,
    [TOLVAN, randomUUID()],
  );
  return rows[0].id;
}

const count = async (sql: string) => Number((await admin.query(sql)).rows[0].n);

describe.each(["patients", "referrals"] as const)("the audit log, as the %s runtime role", (subgraph) => {
  const AUDIT = "audit.patient_data_access";
  it("may insert and select", async () => {
    const client = clients[subgraph];
    await client.query(
      `INSERT INTO ${AUDIT} (subgraph, action, record_kind, record_id, patient_id, subject, role, request_id, outcome, basis)
       VALUES ($1, 'READ', 'PATIENT', $2, $2, 'roles-test-insert', 'REGIONAL_OFFICE', 'r', 'ALLOWED', 'HOME_REGION_OFFICE')`,
      [subgraph, TOLVAN],
    );
    expect(
      (await client.query(`SELECT count(*) AS n FROM ${AUDIT} WHERE subject = 'roles-test-insert' AND subgraph = $1`, [subgraph])).rows[0]
        .n,
    ).toBe(1);
  });

  it.each([
    [
      "session_replication_role = replica, then DELETE",
      [`SET LOCAL session_replication_role = replica`, `DELETE FROM ${AUDIT}`],
      /permission denied/,
    ],
    [
      "ALTER TABLE … DISABLE TRIGGER, then DELETE",
      [`ALTER TABLE ${AUDIT} DISABLE TRIGGER append_only`, `DELETE FROM ${AUDIT}`],
      /must be owner/,
    ],
    ["DROP TRIGGER, then TRUNCATE", [`DROP TRIGGER append_only_truncate ON ${AUDIT}`, `TRUNCATE ${AUDIT}`], /must be owner/],
    ["TRUNCATE", [`TRUNCATE ${AUDIT}`], /permission denied/],
    ["DROP SCHEMA audit CASCADE", [`DROP SCHEMA audit CASCADE`], /must be owner/],
    ["UPDATE", [`UPDATE ${AUDIT} SET outcome = 'DENIED'`], /permission denied/],
    ["DELETE", [`DELETE FROM ${AUDIT}`], /permission denied/],
    ["ALTER TABLE … OWNER TO itself", [`ALTER TABLE ${AUDIT} OWNER TO CURRENT_USER`], /must be owner/],
  ])("refuses %s", async (_name, statements, error) => {
    const id = await auditRow();
    await expect(attempt(clients[subgraph], ...statements)).rejects.toThrow(error);
    expect(await count(`SELECT count(*) AS n FROM ${AUDIT} WHERE id = ${id}`)).toBe(1);
  });
});

describe("referral history, as the referrals runtime role", () => {
  const HISTORY = "referrals.referral_transition";
  beforeAll(async () => {
    // A step of a seeded referral, as the referrals subgraph would have recorded it.
    await clients.referrals.query(
      `INSERT INTO ${HISTORY} (referral_id, action, from_status, to_status, actor_subject, actor_role, reason, happened_on)
       SELECT id, 'CANCEL', status, 'CANCELLED', 'roles-test', 'REGIONAL_OFFICE', 'history to keep', current_date FROM referrals.referral LIMIT 1`,
    );
  });
  it.each([
    [
      "session_replication_role = replica, then DELETE",
      [`SET LOCAL session_replication_role = replica`, `DELETE FROM ${HISTORY}`],
      /permission denied/,
    ],
    [
      "ALTER TABLE … DISABLE TRIGGER, then DELETE",
      [`ALTER TABLE ${HISTORY} DISABLE TRIGGER referral_transition_append_only`, `DELETE FROM ${HISTORY}`],
      /must be owner/,
    ],
    ["DROP TRIGGER, then TRUNCATE", [`DROP TRIGGER referral_transition_append_only ON ${HISTORY}`, `TRUNCATE ${HISTORY}`], /must be owner/],
    ["TRUNCATE", [`TRUNCATE ${HISTORY}`], /permission denied/],
    ["DROP SCHEMA referrals CASCADE", [`DROP SCHEMA referrals CASCADE`], /must be owner/],
    ["UPDATE", [`UPDATE ${HISTORY} SET reason = 'rewritten'`], /permission denied/],
    ["DELETE of the clock's events", [`DELETE FROM referrals.guarantee_event`], /permission denied/],
  ])("refuses %s", async (_name, statements, error) => {
    const before = await count(`SELECT count(*) AS n FROM ${HISTORY}`);
    expect(before).toBeGreaterThan(0);
    await expect(attempt(clients.referrals, ...statements)).rejects.toThrow(error);
    expect(await count(`SELECT count(*) AS n FROM ${HISTORY}`)).toBe(before);
  });
});

describe("each runtime role", () => {
  it("is no superuser, owns nothing and cannot alter its own tables", async () => {
    for (const name of SUBGRAPH_NAMES) {
      const { rows } = await clients[name].query(
        `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
                (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned,
                (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid) AS schemas
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, owned: 0, schemas: 0 });
      await expect(attempt(clients[name], `CREATE TABLE ${name}.intruder (id int)`)).rejects.toThrow(/permission denied/);
    }
    await expect(attempt(clients.capacity, `ALTER TABLE capacity.capacity_offer ADD COLUMN intruder int`)).rejects.toThrow(/must be owner/);
    await expect(attempt(clients.capacity, `TRUNCATE capacity.event_outbox`)).rejects.toThrow(/permission denied/);
  });

  it("reads and writes its own schema only", async () => {
    const tables: Record<SubgraphName, string> = {
      patients: "patients.patient",
      capacity: "capacity.capacity_offer",
      agreements: "agreements.agreement",
      referrals: "referrals.referral",
    };
    for (const name of SUBGRAPH_NAMES) {
      expect((await clients[name].query(`SELECT count(*) AS n FROM ${tables[name]}`)).rows[0].n).toBeGreaterThan(0);
      for (const other of SUBGRAPH_NAMES.filter((o) => o !== name)) {
        await expect(clients[name].query(`SELECT count(*) FROM ${tables[other]}`)).rejects.toThrow(/permission denied for schema/);
      }
    }
    for (const name of ["capacity", "agreements"] as const) {
      await expect(clients[name].query(`SELECT count(*) FROM audit.patient_data_access`)).rejects.toThrow(/permission denied/);
    }
  });
});

describe("the retention purge", () => {
  it("works for the patients runtime role through audit.purge_expired, and for no other", async () => {
    await admin.query(
      `INSERT INTO audit.patient_data_access (occurred_at, subgraph, action, record_kind, record_id, patient_id, subject, role, request_id, outcome, basis)
       VALUES (now() - interval '8 years', 'patients', 'READ', 'PATIENT', $1, $1, 'purge-8y', 'REGIONAL_OFFICE', 'purge', 'ALLOWED', 'HOME_REGION_OFFICE'),
              (now() - interval '4 years', 'patients', 'READ', 'PATIENT', $1, $1, 'purge-4y', 'REGIONAL_OFFICE', 'purge', 'ALLOWED', 'HOME_REGION_OFFICE')`,
      [TOLVAN],
    );
    const runtime = { query: async (sql: string, params?: unknown[]) => (await clients.patients.query(sql, params)).rows };
    // Not by deleting: the role has no DELETE on the log.
    await expect(clients.patients.query(`DELETE FROM audit.patient_data_access WHERE subject = 'purge-8y'`)).rejects.toThrow(
      /permission denied/,
    );
    expect(await purgeExpiredAudit(runtime, 5)).toBe(1);
    // Younger than five years stays, whatever is asked.
    await expect(purgeExpiredAudit(runtime, 1)).rejects.toThrow(/append-only/);
    expect((await admin.query(`SELECT subject FROM audit.patient_data_access WHERE request_id = 'purge'`)).rows).toEqual([
      { subject: "purge-4y" },
    ]);
    await expect(clients.referrals.query(`SELECT audit.purge_expired(5)`)).rejects.toThrow(/permission denied/);
  });
});

describe("the hub", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({}, { databaseUrl: migratorUrl });
  });
  afterAll(async () => hub?.stop());

  it("serves each subgraph as its own runtime role", async () => {
    const roles: Record<string, string> = {};
    for (const name of SUBGRAPH_NAMES) {
      roles[name] = (await hub.hub.dataSources[name].query(`SELECT current_user AS u`))[0].u;
    }
    expect(roles).toEqual({
      patients: "care_hub_patients",
      capacity: "care_hub_capacity",
      agreements: "care_hub_agreements",
      referrals: "care_hub_referrals",
    });
    const { data } = await hub.query(`{ regions { code } }`);
    expect(data.regions.length).toBe(21);
  });
});
