import { createHash } from "node:crypto";
import path from "node:path";
import { Client } from "pg";
import { HubConfig } from "../config";
import { StartupError } from "../errors";
import { Logger } from "../log";
import { projectRoot } from "../paths";
import { describeConnectError } from "./data-source";
import { EmbeddedPostgres, reachableByServerUser, SHARED_BINARY_DIR } from "./embedded-postgres";

/** The database every command of the hub works on (`npm start`, `npm run seed`, `npm run import`). */
export interface HubDatabase {
  url: string;
  /** The embedded server this process started (none with DATABASE_URL): stop it when done. */
  embedded: EmbeddedPostgres | undefined;
}

/** Creates the hub's database on a fresh embedded cluster. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * Where the embedded cluster keeps its data: `.data/postgres` in the project (git-ignored), unless
 * the project sits where the server's user cannot reach it (a root-only home folder when running as
 * root), then a folder per project under /var/lib.
 */
export function defaultEmbeddedDataDir(): string {
  const local = path.join(projectRoot(), ".data", "postgres");
  if (reachableByServerUser(local)) return local;
  const id = createHash("sha1").update(projectRoot()).digest("hex").slice(0, 12);
  return path.join(SHARED_BINARY_DIR, id);
}

/** DATABASE_URL when configured; otherwise the embedded PostgreSQL, started here with its database. */
export async function openHubDatabase(config: HubConfig, log?: Logger): Promise<HubDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: undefined };
  const baseDir = config.embeddedPostgres.dataDir ?? defaultEmbeddedDataDir();
  const embedded = new EmbeddedPostgres({ baseDir, port: config.embeddedPostgres.port });
  log?.info(`starting embedded PostgreSQL (data in ${baseDir}, port ${config.embeddedPostgres.port})`);
  await embedded.start();
  try {
    await ensureDatabase(embedded.adminUrl, "care_hub");
  } catch (error) {
    await embedded.stop();
    throw new StartupError(`embedded PostgreSQL: ${describeConnectError(error as Error)}`);
  }
  return { url: embedded.urlFor("care_hub"), embedded };
}
