import { DataSource } from "typeorm";
import { loadConfig, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/shared/config";
import { connect, migrate } from "../subgraphs/shared/db/data-source";
import { stockholmDate } from "../subgraphs/shared/domain/calendar";
import { StartupError } from "../subgraphs/shared/errors";
import { runMain } from "../subgraphs/shared/main";
import { subgraphDataSource } from "../subgraphs/shared/subgraph";
import { SUBGRAPHS } from "./subgraphs";
import { openHubDatabase } from "../subgraphs/shared/db/hub-database";
import { seedHub } from "./index";

/**
 * `npm run seed -- <reference|demo>`: migrates every subgraph's schema and seeds it, then exits.
 * The database is DATABASE_URL's, or the embedded one `npm start` uses (stop the hub first). It is
 * also the separate migration step of the production runbook: migrations and seeds run under
 * their advisory locks, so it is safe while other processes start. Demo data is refused with
 * NODE_ENV=production, as it is at start.
 */
runMain("seed", async () => {
  const mode = process.argv[2];
  if (mode !== "reference" && mode !== "demo")
    throw new StartupError(`usage: npm run seed -- <reference|demo> (got ${mode === undefined ? "nothing" : `"${mode}"`})`);
  const config = loadConfig({ ...process.env, HUB_SEED: mode });
  const { url: databaseUrl, embedded } = await openHubDatabase(config);
  const dataSources = {} as Record<SubgraphName, DataSource>;
  try {
    const applied: string[] = [];
    for (const name of SUBGRAPH_NAMES) {
      dataSources[name] = await connect(subgraphDataSource(SUBGRAPHS[name], databaseUrl, 2));
      applied.push(...(await migrate(dataSources[name])).map((m) => `${name} ${m}`));
    }
    const seeded = await seedHub(dataSources, mode, stockholmDate());
    process.stdout.write(`migrations applied: ${applied.length ? applied.join(", ") : "none (up to date)"}\n`);
    process.stdout.write(`seeded: ${seeded.length ? seeded.join(", ") : `nothing (the ${mode} data was there)`}\n`);
  } finally {
    await Promise.all(Object.values(dataSources).map((d) => (d.isInitialized ? d.destroy() : undefined)));
    await embedded?.stop();
  }
  // Done: nothing is left running, so the process exits on its own.
  return { stop: async () => undefined };
});
