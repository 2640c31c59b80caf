import fs from "node:fs";
import path from "node:path";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";
import { readOutboundAttempts } from "./outbound-guard";

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__testPostgres as { server: EmbeddedPostgres; baseDir: string } | undefined;
  if (!state) return;
  await state.server.stop();
  const attempts = readOutboundAttempts(path.join(state.baseDir, "outbound-attempts.jsonl"));
  fs.rmSync(state.baseDir, { recursive: true, force: true });
  // The guard refused them, so no test saw a difference; the run fails all the same, naming what
  // tried to leave the machine and from where.
  if (attempts.length > 0) {
    const lines = attempts.map((a) => `  ${a.kind} ${a.target} (pid ${a.pid})\n    ${a.from.join("\n    ")}`);
    throw new Error(
      `${attempts.length} outbound connection(s) or look-up(s) off loopback were attempted during the tests:\n${lines.join("\n")}`,
    );
  }
}
