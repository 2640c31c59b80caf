/**
 * Idempotency keys for mutations that integrations retry after a timeout: the same key with the
 * same input returns the first result and changes nothing; the same key with other input is a
 * CONFLICT. The key row is inserted in the mutation's own transaction, so a concurrent retry waits
 * on it and then sees the committed result, and a failed first attempt leaves no key behind.
 */

import { createHash } from "node:crypto";
import { EntityManager } from "typeorm";
import { badUserInput, conflict } from "./errors";

export interface IdempotentCall<T, R> {
  db: EntityManager;
  schema: string;
  /** Whose keys these are (e.g. a provider id): keys of different clients never collide. */
  scope: string;
  key: string | null | undefined;
  operation: string;
  input: unknown;
  /** Performs the change; returns what to answer and what to store to answer a retry. */
  run: () => Promise<{ answer: T; stored: R }>;
  /** Rebuilds the answer of the first call from what it stored. */
  replay: (stored: R) => Promise<T>;
}

export async function idempotent<T, R>(call: IdempotentCall<T, R>): Promise<T> {
  if (call.key === null || call.key === undefined) return (await call.run()).answer;
  if (call.key.length < 1 || call.key.length > 200) {
    throw badUserInput("idempotencyKey", "KEY_LENGTH", "must be 1 to 200 characters");
  }
  const hash = requestHash(call);
  const inserted = await call.db.query(
    `INSERT INTO "${call.schema}".idempotency_key (scope, key, operation, request_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
    [call.scope, call.key, call.operation, hash],
  );
  if (inserted.length === 0) {
    const [first] = await call.db.query(
      `SELECT operation, request_hash, result FROM "${call.schema}".idempotency_key WHERE scope = $1 AND key = $2`,
      [call.scope, call.key],
    );
    return call.replay(sameRequest(first, hash).result as R);
  }
  const { answer, stored } = await call.run();
  await call.db.query(`UPDATE "${call.schema}".idempotency_key SET result = $3 WHERE scope = $1 AND key = $2`, [
    call.scope,
    call.key,
    JSON.stringify(stored),
  ]);
  return answer;
}

/**
 * The stored result of an earlier call with this key, without claiming the key: for a saga that
 * looks for a retry before it calls other services and claims the key (with `idempotent`) in its
 * last transaction. Null when the key is new; CONFLICT when it was used for another request.
 */
export async function earlierResult<R>(call: Omit<IdempotentCall<unknown, R>, "run" | "replay">): Promise<{ stored: R } | null> {
  if (call.key === null || call.key === undefined) return null;
  const [first] = await call.db.query(
    `SELECT operation, request_hash, result FROM "${call.schema}".idempotency_key WHERE scope = $1 AND key = $2`,
    [call.scope, call.key],
  );
  return first ? { stored: sameRequest(first, requestHash(call)).result as R } : null;
}

function requestHash(call: { operation: string; input: unknown }): string {
  return createHash("sha256")
    .update(stableJson({ operation: call.operation, input: call.input }))
    .digest("hex");
}

function sameRequest<T extends { operation: string; request_hash: string }>(first: T, hash: string): T {
  if (first.request_hash !== hash) {
    throw conflict(`The idempotency key was used before for a different request (${first.operation}); use a new key for a new request.`, {
      field: "idempotencyKey",
    });
  }
  return first;
}

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));
}

/** The `idempotencyKey` argument's options, the same on every mutation that takes one. */
export const IDEMPOTENCY_KEY_ARG = {
  nullable: true,
  description:
    "Your unique key for this request (1 to 200 characters, e.g. a UUID). A retry with the same key and input returns the first result and changes nothing; the same key with other input is a CONFLICT.",
} as const;
