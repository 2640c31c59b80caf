const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are UUIDs so that they stay unique across every region's hub in the national network. Ids
 * are checked before they reach SQL: a malformed id is "not found" or a clear input error, never
 * a database error.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
