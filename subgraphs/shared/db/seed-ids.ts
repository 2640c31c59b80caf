/**
 * The ids of seeded rows: deterministic, so that seeding is idempotent and every part of the hub
 * that names a seeded record (the demo data, the development identity provider's demo users) gets
 * the same id without asking the database.
 */

import { createHash } from "node:crypto";

/** Namespace of the hub's seed ids (a random UUID, fixed once). */
const NAMESPACE = "6f1d3c2e-8b4a-4f0e-9a57-2c4d1e9b7a10";

/**
 * A deterministic UUID (version 5, RFC 9562) for a seeded record, so that seeding is idempotent and
 * subgraphs agree on ids they share (a provider id in capacity and in agreements).
 */
export function seedId(kind: string, key: string): string {
  const hash = createHash("sha1")
    .update(Buffer.from(NAMESPACE.replace(/-/g, ""), "hex"))
    .update(`${kind}:${key}`, "utf8")
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A seeded provider's id, by its key in the demo data. */
export const providerId = (key: string) => seedId("provider", key);
/** A seeded care unit's id, by its key in the demo data. */
export const careUnitId = (key: string) => seedId("care-unit", key);
