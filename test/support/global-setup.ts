import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";
import { ensureDevKey } from "../../gateway/dev-keys";
import { freePort } from "./ports";
import { ensurePeerPackages } from "../bench/gateways/peer-packages";

/**
 * One real PostgreSQL server for the whole test run, in a throwaway folder under the system temp
 * directory (as root, the server runs as the postgres user, which can write there). Test files
 * get their own databases on it (see database.ts).
 */
export default async function globalSetup(): Promise<void> {
  // Hive Gateway, which one test runs the committed supergraph on, is a package of its own (kept out
  // of the hub's npm ci): installed here on the first run, so `npm ci && npm test` is all it takes.
  ensurePeerPackages((line) => process.stderr.write(`${line}\n`));
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-test-pg-"));
  fs.chmodSync(baseDir, 0o755);
  const server = new EmbeddedPostgres({ baseDir, port: await freePort(), fast: true });
  await server.start();
  process.env.TEST_PG_ADMIN_URL = server.adminUrl;
  // One development signing key for the run: test hubs trust it, tests sign their callers' tokens with it.
  const keyFile = path.join(baseDir, "dev-signing-key.json");
  await ensureDevKey(keyFile);
  process.env.HUB_DEV_KEY_FILE = keyFile;
  // Every test worker and every hub process a test starts records refused outbound connections
  // here; the global teardown fails the run if there is any.
  process.env.OUTBOUND_GUARD_LOG = path.join(baseDir, "outbound-attempts.jsonl");
  (globalThis as Record<string, unknown>).__testPostgres = { server, baseDir };
}
