import { types } from "pg";
import { DataSource, Logger as TypeOrmLogger, MigrationInterface, MixedList, EntitySchema } from "typeorm";
import { StartupError } from "../errors";
import { logger } from "../log";

/** A class, as TypeORM takes entities and migrations (and type-graphql resolvers): by their constructor. */
export type Constructor<T = unknown> = new (...args: never[]) => T;

// PostgreSQL `date` values are calendar dates; node-postgres would turn them into JavaScript Dates
// at local midnight, which shifts the day in any other time zone. Keep them as YYYY-MM-DD strings.
types.setTypeParser(types.builtins.DATE, (value) => value);
// bigint counts (COUNT(*)) fit comfortably in a JavaScript number for this domain.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

/**
 * Counts SQL statements per data source. The hub promises that a page of results costs a fixed
 * number of statements whatever its size; tests and benchmarks read these counters to check it.
 */
export const sqlStatementCounts = new Map<string, number>();

export function totalSqlStatements(): number {
  let total = 0;
  for (const count of sqlStatementCounts.values()) total += count;
  return total;
}

class HubTypeOrmLogger implements TypeOrmLogger {
  private readonly out;
  constructor(private readonly name: string) {
    this.out = logger(`${name}/db`);
  }
  logQuery(): void {
    sqlStatementCounts.set(this.name, (sqlStatementCounts.get(this.name) ?? 0) + 1);
  }
  // SQL parameters are never logged: they can hold personal identity numbers.
  logQueryError(error: string | Error, query: string): void {
    this.out.error(`${error instanceof Error ? error.message : error} in: ${oneLine(query)}`);
  }
  logQuerySlow(time: number, query: string): void {
    this.out.warn(`slow query (${time} ms): ${oneLine(query)}`);
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.out.info(message);
  }
  log(level: "log" | "info" | "warn", message: unknown): void {
    if (level === "warn") this.out.warn(String(message));
  }
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").slice(0, 300);
}

export interface SubgraphDataSourceOptions {
  /** Subgraph name; also its PostgreSQL schema. */
  schema: string;
  url: string;
  entities: MixedList<Constructor | string | EntitySchema>;
  migrations: MixedList<Constructor<MigrationInterface> | string>;
  poolSize?: number;
}

/**
 * One TypeORM data source per subgraph, confined to the subgraph's own PostgreSQL schema (its
 * tables, and its own `migrations` table). Schema changes only ever come from migrations.
 */
export function createDataSource(options: SubgraphDataSourceOptions): DataSource {
  return new DataSource({
    type: "postgres",
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: "migrations",
    synchronize: false,
    migrationsRun: false,
    logger: new HubTypeOrmLogger(options.schema),
    maxQueryExecutionTime: 500,
    applicationName: `care-hub-${options.schema}`,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  });
}

/** Connects, turning the driver's errors into one line an operator can act on. */
export async function connect(dataSource: DataSource): Promise<DataSource> {
  try {
    return await dataSource.initialize();
  } catch (error) {
    const url = (dataSource.options as { url?: string }).url ?? "";
    throw new StartupError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${describeConnectError(error)}`);
  }
}

export function describeConnectError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { code?: string; message?: string };
  switch (e.code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running, and is DATABASE_URL right?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "ETIMEDOUT":
      return "timed out";
    case "28P01":
      return "password authentication failed";
    case "3D000":
      return "database does not exist";
    default:
      return (e.message ?? String(error)).split("\n")[0];
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/**
 * Applies the subgraph's pending migrations. Several processes may start at once against one
 * database (two replicas of a subgraph, or the hub and a test), so the run is serialised with a
 * PostgreSQL advisory lock per schema.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const schema = dataSource.driver.schema!;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock(hashtext($1))", [`care-hub:migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: "each" });
    return applied.map((m) => m.name);
  } finally {
    await runner.query("SELECT pg_advisory_unlock(hashtext($1))", [`care-hub:migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}
