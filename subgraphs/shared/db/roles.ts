/**
 * Least privilege in the database. The role of `DATABASE_URL` is the migrator: it owns the schemas
 * and runs the migrations and seeds. Each subgraph serves requests as a runtime role of its own
 * that may read and write only its own schema's tables (no TRUNCATE, no DDL: it owns nothing), and,
 * for the two subgraphs that disclose patient data, only INSERT and SELECT the audit log. The audit
 * retention purge is a SECURITY DEFINER function (`audit.purge_expired`) only the patients role may
 * execute, so no runtime role can disable the log's triggers, drop it or truncate it.
 *
 * Roles are cluster-wide, grants are per database: the migrator creates the roles idempotently
 * (`<prefix>_<subgraph>`, prefix `HUB_DATABASE_ROLE_PREFIX`, default `care_hub`) and grants on its
 * own database at every start, so several databases (hubs, test copies) on one cluster share the
 * roles but each grants only on itself. A role's password is derived from a secret (the migrator's
 * password, or `HUB_DATABASE_ROLE_SECRET`), so every process of one hub computes the same one and
 * nothing needs storing. An operator who creates the roles himself gives their URLs instead
 * (`PATIENTS_DATABASE_URL` …); the migrator then only grants to the roles those URLs name.
 */

import { createHmac } from "node:crypto";
import { Client } from "pg";
import { SubgraphName } from "../config";
import { StartupError } from "../errors";
import { describeConnectError, redactUrl } from "./data-source";

export interface RuntimeRoleSettings {
  prefix: string;
  /** Per-subgraph URLs the operator made; their roles are granted to, not created. */
  urls: Partial<Record<SubgraphName, string>>;
  /** Key the runtime roles' passwords are derived from; the migrator's password when absent. */
  secret: string | undefined;
}

/** Tables whose rows are history: the runtime role may add rows, never change or remove them. */
const APPEND_ONLY: Partial<Record<SubgraphName, string[]>> = {
  referrals: ["referral_transition", "guarantee_event"],
};

/** Subgraphs that disclose patient data and so write (and, for the office's review, read) the audit log. */
const AUDITING: SubgraphName[] = ["patients", "referrals"];
/** The subgraph that enforces the audit log's retention. */
const PURGING: SubgraphName = "patients";

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export function runtimeRoleName(prefix: string, subgraph: SubgraphName): string {
  return `${prefix}_${subgraph}`;
}

function derivedPassword(secret: string, role: string): string {
  // Hex only: safe to put in a DDL literal, which cannot take a bind parameter.
  return createHmac("sha256", secret).update(`care-hub-runtime-role:${role}`).digest("hex");
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates (when needed) and grants the runtime roles of the given subgraphs on the migrator's
 * database, after its migrations; answers each subgraph's runtime connection URL.
 */
export async function provisionRuntimeRoles(
  migratorUrl: string,
  subgraphs: readonly SubgraphName[],
  settings: RuntimeRoleSettings,
): Promise<Record<SubgraphName, string>> {
  const urls = {} as Record<SubgraphName, string>;
  const roles = {} as Record<SubgraphName, string>;
  const secret = settings.secret ?? (decodeURIComponent(new URL(migratorUrl).password) || undefined);
  for (const subgraph of subgraphs) {
    const explicit = settings.urls[subgraph];
    if (explicit) {
      urls[subgraph] = explicit;
      roles[subgraph] = decodeURIComponent(new URL(explicit).username);
      continue;
    }
    if (!secret) {
      throw new StartupError(
        `the runtime role of ${subgraph} needs a password: give DATABASE_URL a password, set HUB_DATABASE_ROLE_SECRET, or set ${subgraph.toUpperCase()}_DATABASE_URL`,
      );
    }
    const role = runtimeRoleName(settings.prefix, subgraph);
    const url = new URL(migratorUrl);
    url.username = role;
    url.password = derivedPassword(secret, role);
    urls[subgraph] = url.toString();
    roles[subgraph] = role;
  }

  const client = new Client({ connectionString: migratorUrl, application_name: "care-hub-migrator" });
  try {
    await client.connect();
  } catch (error) {
    throw new StartupError(`cannot connect to PostgreSQL at ${redactUrl(migratorUrl)}: ${describeConnectError(error)}`);
  }
  try {
    for (const subgraph of subgraphs) {
      if (!settings.urls[subgraph]) await ensureLoginRole(client, roles[subgraph], new URL(urls[subgraph]).password);
    }
    await withRetry(async () => {
      await client.query("BEGIN");
      try {
        // Two processes of one hub granting at once would trip over each other's catalog updates.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('care-hub:runtime-grants'))");
        for (const subgraph of subgraphs) await grant(client, subgraph, roles[subgraph]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const e = error as { code?: string; message: string };
    if (e.code === "42501") {
      throw new StartupError(
        `the DATABASE_URL role cannot create or grant the runtime roles (${e.message}); give it CREATEROLE, or create the roles and set PATIENTS_DATABASE_URL … REFERRALS_DATABASE_URL`,
      );
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  return urls;
}

async function ensureLoginRole(client: Client, role: string, password: string): Promise<void> {
  if (!IDENTIFIER.test(role))
    throw new StartupError(`runtime role name "${role}" is not a plain identifier (check HUB_DATABASE_ROLE_PREFIX)`);
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD '${password}'`;
  await withRetry(async () => {
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`CREATE ROLE ${quoteIdent(role)} ${attributes}`);
        return;
      } catch (error) {
        // Another database's hub created it a moment ago: set it as ours below.
        if (!["42710", "23505"].includes((error as { code?: string }).code ?? "")) throw error;
      }
    }
    await client.query(`ALTER ROLE ${quoteIdent(role)} ${attributes}`);
  });
}

async function grant(client: Client, subgraph: SubgraphName, role: string): Promise<void> {
  const r = quoteIdent(role);
  const s = quoteIdent(subgraph);
  // CONNECT is PUBLIC's by default; granting it again would lock the database against new sessions.
  await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${r}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`);
  // Migrations are the migrator's business.
  await client.query(`REVOKE ALL ON ${s}."migrations" FROM ${r}`);
  for (const table of APPEND_ONLY[subgraph] ?? []) {
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${s}.${quoteIdent(table)} FROM ${r}`);
  }
  if (AUDITING.includes(subgraph)) {
    await client.query(`GRANT USAGE ON SCHEMA audit TO ${r}`);
    await client.query(`GRANT SELECT, INSERT ON audit.patient_data_access TO ${r}`);
    await client.query(`GRANT USAGE ON SEQUENCE audit.patient_data_access_id_seq TO ${r}`);
  }
  if (subgraph === PURGING) await client.query(`GRANT EXECUTE ON FUNCTION audit.purge_expired(integer) TO ${r}`);
}

/** Catalog updates of roles and grants from concurrent sessions can collide ("tuple concurrently updated"): try again. */
async function withRetry(run: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const e = error as { code?: string; message?: string };
      const collided = e.code === "XX000" && /concurrently/.test(e.message ?? "");
      if (!collided || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}
