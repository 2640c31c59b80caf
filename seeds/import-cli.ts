import fs from "node:fs";
import path from "node:path";
import { DataSource } from "typeorm";
import { loadConfig } from "../subgraphs/shared/config";
import { connect, migrate } from "../subgraphs/shared/db/data-source";
import { stockholmDate } from "../subgraphs/shared/domain/calendar";
import { StartupError } from "../subgraphs/shared/errors";
import { runMain } from "../subgraphs/shared/main";
import { SUBGRAPHS } from "./subgraphs";
import { openHubDatabase } from "../subgraphs/shared/db/hub-database";
import { CareCatalogue } from "../subgraphs/capacity/services/care-catalogue";
import { checkCatalogue, checkKva, RowProblem } from "../subgraphs/capacity/domain/catalogue-records";
import { describeProblem, FileProblem, readKvaFile, readProviderFile } from "../subgraphs/capacity/domain/catalogue-files";
import { seedReference, subgraphDataSource } from "../subgraphs/shared/subgraph";

const USAGE = "usage: npm run import -- providers FILE [--full] | npm run import -- kva FILE";

/**
 * `npm run import -- providers FILE [--full]` and `npm run import -- kva FILE`: fills a node from
 * the region's HSA catalogue export and Socialstyrelsen's KVÅ file (shapes in the README). Every row
 * is checked first; a file with any bad row is refused with each problem by line and field, and
 * nothing is written. A good file is written in one transaction, with an event per change, so a
 * running hub's caches and subscribers hear of it. The database is DATABASE_URL's, or the embedded
 * one `npm start` uses.
 */
runMain("import", async () => {
  const [kind, file, ...flags] = process.argv.slice(2);
  if ((kind !== "providers" && kind !== "kva") || !file) throw new StartupError(USAGE);
  const unknown = flags.filter((f) => f !== "--full" || kind !== "providers");
  if (unknown.length) throw new StartupError(`unknown option ${unknown.join(" ")}; ${USAGE}`);
  const full = flags.includes("--full");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new StartupError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const started = process.hrtime.bigint();
  const refuse = (problems: RowProblem[]) => {
    const shown = problems.slice(0, 200).map(describeProblem).join("\n");
    const more = problems.length > 200 ? `\n… and ${problems.length - 200} more` : "";
    return new StartupError(`${path.basename(file)} refused, nothing was written (${problems.length} problem(s)):\n${shown}${more}`);
  };

  // Read and check the whole file before touching the database.
  let check: () => { rows: number; problems: RowProblem[]; write: (dataSource: DataSource, region: string) => Promise<string> };
  try {
    if (kind === "providers") {
      const records = readProviderFile(file, text);
      const { providers, problems } = checkCatalogue(records);
      check = () => ({
        rows: providers.reduce((n, p) => n + 1 + p.units.length, 0),
        problems,
        write: async (dataSource, region) => {
          const today = stockholmDate();
          const { changes, problems: conflicts } = await new CareCatalogue(dataSource, region).apply(providers, {
            full,
            deactivationReason: `Not in the HSA catalogue import of ${today} (${path.basename(file)})`,
          });
          if (conflicts.length) throw refuse(conflicts);
          return (
            `providers: ${changes.providersCreated} created, ${changes.providersUpdated} updated, ${changes.providersDeactivated} deactivated; ` +
            `care units: ${changes.unitsCreated} created, ${changes.unitsUpdated} updated, ${changes.unitsDeactivated} deactivated; ` +
            `offers withdrawn: ${changes.offersWithdrawn}; events: ${changes.events}`
          );
        },
      });
    } else {
      const { codes, problems } = checkKva(readKvaFile(file, text));
      check = () => ({
        rows: codes.length,
        problems,
        write: async (dataSource, region) => {
          const changes = await new CareCatalogue(dataSource, region).importKva(codes);
          return `KVÅ codes: ${changes.created} created, ${changes.updated} updated, ${changes.unchanged} unchanged`;
        },
      });
    }
  } catch (error) {
    if (error instanceof FileProblem) throw refuse(error.problems);
    throw error;
  }
  const { rows, problems, write } = check();
  if (problems.length) throw refuse(problems);
  const checkedIn = Number(process.hrtime.bigint() - started) / 1e9;

  const config = loadConfig({ ...process.env, HUB_SEED: "none" });
  const { url: databaseUrl, embedded } = await openHubDatabase(config);
  let dataSource: DataSource | undefined;
  try {
    dataSource = await connect(subgraphDataSource(SUBGRAPHS.capacity, databaseUrl, 2));
    await migrate(dataSource);
    // Providers name their region: the national reference data every node has (a no-op when there).
    await seedReference(SUBGRAPHS.capacity, dataSource);
    const writing = process.hrtime.bigint();
    const summary = await write(dataSource, config.regionCode);
    const writtenIn = Number(process.hrtime.bigint() - writing) / 1e9;
    // Connecting and migrating are not the import's speed: read and check, then the write's transaction.
    const seconds = checkedIn + writtenIn;
    process.stdout.write(
      `${path.basename(file)}: ${rows} row(s) read and checked in ${checkedIn.toFixed(2)} s, written in ${writtenIn.toFixed(2)} s (${Math.round(rows / seconds)} rows/s)\n${summary}\n`,
    );
  } finally {
    await dataSource?.destroy();
    await embedded?.stop();
  }
  return { stop: async () => undefined };
});
