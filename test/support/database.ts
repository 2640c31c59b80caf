import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { SUBGRAPH_NAMES, SubgraphName } from "../../subgraphs/shared/config";
import { stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { connect, migrate } from "../../subgraphs/shared/db/data-source";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { SUBGRAPHS } from "../../seeds/subgraphs";
import { seedHub } from "../../seeds";
import { DataSource } from "typeorm";

const TEMPLATE = "hub_template";

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error("TEST_PG_ADMIN_URL is not set: run the tests through jest (global setup starts PostgreSQL)");
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file: a copy of a template that was migrated and demo-seeded once
 * per test run, through the same migrations and seeds as production. Copies keep test files
 * independent (one may publish offers while another counts them) at the cost of a file copy.
 */
export async function createTestDatabase(): Promise<string> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await withAdmin(async (client) => {
    await client.query("SELECT pg_advisory_lock(hashtext('care-hub-test-template'))");
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE]);
      if (exists.rowCount === 0) await buildTemplate(client);
      await client.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('care-hub-test-template'))");
    }
  });
  return databaseUrl(name);
}

/** An empty database (no migrations), for tests of migrations and seeding themselves. */
export async function createEmptyDatabase(): Promise<string> {
  const name = `empty_${randomBytes(6).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  return databaseUrl(name);
}

async function buildTemplate(client: Client): Promise<void> {
  await client.query(`CREATE DATABASE "${TEMPLATE}"`);
  const dataSources = await migratedDataSources(databaseUrl(TEMPLATE));
  try {
    await seedHub(dataSources, "demo", stockholmDate());
  } finally {
    await Promise.all(Object.values(dataSources).map((d) => d.destroy()));
  }
}

/** Connected, migrated data sources for every subgraph on one database. */
export async function migratedDataSources(url: string): Promise<Record<SubgraphName, DataSource>> {
  const dataSources = {} as Record<SubgraphName, DataSource>;
  for (const name of SUBGRAPH_NAMES) {
    dataSources[name] = await connect(subgraphDataSource(SUBGRAPHS[name], url, 2));
    await migrate(dataSources[name]);
  }
  return dataSources;
}
