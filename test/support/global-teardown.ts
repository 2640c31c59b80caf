import fs from "node:fs";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__testPostgres as { server: EmbeddedPostgres; baseDir: string } | undefined;
  if (!state) return;
  await state.server.stop();
  fs.rmSync(state.baseDir, { recursive: true, force: true });
}
