/**
 * Entities read by one plain statement and mapped by TypeORM's own column metadata, for the hot
 * loaders (an offer page's providers, care units and procedures). `repository.findBy({ key: In(keys) })`
 * returns the same entities, but builds a query builder from find options, its SQL and its
 * parameters again for every batch and runs the general result transformer: a measurable share of
 * a search page's CPU. Here the SQL is written once per entity and key, and each row becomes the
 * entity class with every column converted as TypeORM converts it (`prepareHydratedValue`: dates,
 * numbers, column transformers).
 */

import { DataSource, EntityMetadata, EntityTarget, In, ObjectLiteral } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata";

interface Reader {
  sql: string;
  metadata: EntityMetadata;
}

const readers = new WeakMap<DataSource, Map<string, Reader | null>>();

/**
 * The statement for `target`'s rows whose `property` is one of the keys, or null where the entity
 * has what only TypeORM's loader handles (relations, listeners, inheritance): those keep `findBy`.
 */
function readerOf(dataSource: DataSource, target: EntityTarget<ObjectLiteral>, property: string): Reader | null {
  let byEntity = readers.get(dataSource);
  if (!byEntity) {
    byEntity = new Map();
    readers.set(dataSource, byEntity);
  }
  const metadata = dataSource.getMetadata(target);
  const name = `${metadata.tablePath}\u0000${property}`;
  if (byEntity.has(name)) return byEntity.get(name)!;
  const key = metadata.findColumnWithPropertyPath(property);
  const simple =
    key !== undefined &&
    metadata.relations.length === 0 &&
    metadata.ownListeners.length === 0 &&
    metadata.childEntityMetadatas.length === 0 &&
    metadata.embeddeds.length === 0;
  const columns = metadata.columns.filter((column) => !column.isVirtual);
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  const table = metadata.schema ? `${quote(metadata.schema)}.${quote(metadata.tableName)}` : quote(metadata.tableName);
  const reader = simple
    ? {
        sql: `SELECT ${columns.map((column) => quote(column.databaseName)).join(", ")} FROM ${table} WHERE ${quote(key.databaseName)} = ANY($1)`,
        metadata,
      }
    : null;
  byEntity.set(name, reader);
  return reader;
}

/** The entities of `target` whose `property` holds one of `keys` (in no particular order), as `findBy` with `In` returns them. */
export async function rowsWhereIn<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  property: keyof T & string,
  keys: readonly unknown[],
): Promise<T[]> {
  const reader = readerOf(dataSource, target, property);
  if (!reader) return dataSource.getRepository(target).findBy({ [property]: In([...keys]) } as never);
  if (keys.length === 0) return [];
  const raws: Array<Record<string, unknown>> = await dataSource.query(reader.sql, [[...keys]]);
  return raws.map((raw) => hydrate<T>(dataSource, reader.metadata, raw));
}

/** Each alias's (or none's) raw keys and their columns, per entity: built once, not per row. */
const keyedColumns = new WeakMap<EntityMetadata, Map<string, Array<[string, ColumnMetadata]>>>();

function columnsOf(metadata: EntityMetadata, alias: string | undefined): Array<[string, ColumnMetadata]> {
  let byAlias = keyedColumns.get(metadata);
  if (!byAlias) {
    byAlias = new Map();
    keyedColumns.set(metadata, byAlias);
  }
  let columns = byAlias.get(alias ?? "");
  if (!columns) {
    columns = metadata.columns
      .filter((column) => !column.isVirtual)
      .map((column) => [alias ? `${alias}_${column.databaseName}` : column.databaseName, column]);
    byAlias.set(alias ?? "", columns);
  }
  return columns;
}

/**
 * One raw row as the entity TypeORM would make of it: columns under their database names, or
 * under `alias` + "_" + name as a query builder's `getRawMany` returns an alias's columns.
 */
export function hydrate<T extends ObjectLiteral>(
  dataSource: DataSource,
  metadata: EntityMetadata,
  raw: Record<string, unknown>,
  alias?: string,
): T {
  const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
  const driver = dataSource.driver;
  for (const [key, column] of columnsOf(metadata, alias)) {
    const value = raw[key];
    if (value === undefined) continue;
    column.setEntityValue(entity, driver.prepareHydratedValue(value, column));
  }
  return entity;
}
