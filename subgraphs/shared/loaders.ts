/**
 * DataLoader helpers. Every entity reference and list-of-children field goes through one of these,
 * so a page of N results costs a fixed number of SQL statements, not N. Loaders live for one
 * request (they are built in the request context), so nothing is cached across callers.
 */

import DataLoader from "dataloader";
import { FindOptionsOrder, FindOptionsWhere, In, Repository } from "typeorm";

/** One entity per key; null where none exists (reference resolvers answer null for unknown ids). */
export function byKey<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (value: V) => K): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const found = new Map<K, V>();
    for (const value of await fetch(keys)) found.set(keyOf(value), value);
    return keys.map((key) => found.get(key) ?? null);
  });
}

/** The children of each key, in the order `fetch` returns them; an empty list where there are none. */
export function childrenByKey<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, parentOf: (value: V) => K): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const value of await fetch(keys)) groups.get(parentOf(value))?.push(value);
    return keys.map((key) => groups.get(key)!);
  });
}

/**
 * The rows of `repository` whose `column` holds one of the keys, grouped by it and ordered by
 * `order`: the common child list (an agreement's versions, a referral's steps) in one statement.
 */
export async function rowsByColumn<T extends object, C extends keyof T & string>(
  repository: Repository<T>,
  column: C,
  keys: readonly T[C][],
  order: FindOptionsOrder<T>,
): Promise<Map<T[C], T[]>> {
  const where = { [column]: In([...keys]) } as FindOptionsWhere<T>;
  const groups = new Map<T[C], T[]>(keys.map((key) => [key, []]));
  for (const row of await repository.find({ where, order })) groups.get(row[column])?.push(row);
  return groups;
}

/** A loader of child lists by a foreign-key column (see `rowsByColumn`). */
export function childrenByColumn<T extends object, C extends keyof T & string>(
  repository: Repository<T>,
  column: C,
  order: FindOptionsOrder<T>,
): DataLoader<T[C], T[]> {
  return new DataLoader<T[C], T[]>(async (keys) => {
    const groups = await rowsByColumn(repository, column, keys, order);
    return keys.map((key) => groups.get(key)!);
  });
}

/** Loads many keys and keeps the entities found, in key order; a failed batch fails the field. */
export async function loadExisting<K, V>(loader: DataLoader<K, V | null>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  return values.filter((value): value is V => {
    if (value instanceof Error) throw value;
    return value !== null;
  });
}

/** Loads the children of many keys at once (one batch), keeping key order; a failed batch throws. */
export async function loadChildren<K, V>(loader: DataLoader<K, V[]>, keys: readonly K[]): Promise<V[][]> {
  const values = await loader.loadMany(keys);
  return values.map((value) => {
    if (value instanceof Error) throw value;
    return value;
  });
}

/**
 * Empties a context's loaders. A subscription's context lives for days; each event must read
 * current data, not what the first event cached.
 */
export function clearLoaders(loaders: Record<string, DataLoader<unknown, unknown>>): void {
  for (const loader of Object.values(loaders)) loader.clearAll();
}
