/**
 * Seeding, for the subgraphs' reference data (reference-data.ts) and the demo node's data (seeds/):
 * named steps run once per database, inserting only what is missing.
 */

import { DataSource, EntityManager, ObjectLiteral, EntityTarget } from "typeorm";

/**
 * Runs one named seed step in its own transaction, once per database: the step's name is recorded
 * in the subgraph's `seed_run` table, so a restart does not seed again (and does not bring back
 * what users changed). Rows are inserted with ON CONFLICT DO NOTHING, so a step that is run again
 * anyway (a new version, a half-seeded database) adds only what is missing.
 */
export async function runSeedStep(dataSource: DataSource, name: string, step: (manager: EntityManager) => Promise<void>): Promise<boolean> {
  const schema = dataSource.driver.schema!;
  return dataSource.transaction(async (manager) => {
    // Serialises concurrent starts against one database.
    await manager.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`care-hub:seed:${schema}`]);
    const done = await manager.query(`SELECT 1 FROM "${schema}".seed_run WHERE name = $1`, [name]);
    if (done.length > 0) return false;
    await step(manager);
    await manager.query(`INSERT INTO "${schema}".seed_run (name) VALUES ($1)`, [name]);
    return true;
  });
}

export async function insertMissing<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: T[]): Promise<void> {
  // Chunked: PostgreSQL allows at most 65535 parameters per statement.
  for (let i = 0; i < rows.length; i += 500) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(i, i + 500))
      .orIgnore()
      .execute();
  }
}

/**
 * A subgraph's national reference data, declared as rows (SubgraphModule.referenceData): seeded in
 * one named step, its tables in the order given (members after what they belong to).
 */
export interface ReferenceData {
  /** What the step is called in logs and in the list of steps that ran. */
  name: string;
  /** The step's name in `seed_run`: a new version of the data gets a new one. */
  step: string;
  tables: ReadonlyArray<{ entity: EntityTarget<ObjectLiteral>; rows: readonly ObjectLiteral[] }>;
}

/** Seeds each step of reference data not seeded before; returns the names of the steps that ran. */
export async function seedReferenceData(dataSource: DataSource, data: readonly ReferenceData[]): Promise<string[]> {
  const ran: string[] = [];
  for (const { name, step, tables } of data) {
    const seeded = await runSeedStep(dataSource, step, async (manager) => {
      for (const { entity, rows } of tables) await insertMissing(manager, entity, [...rows]);
    });
    if (seeded) ran.push(name);
  }
  return ran;
}
