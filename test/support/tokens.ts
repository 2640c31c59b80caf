import { signDevToken } from "../../gateway/dev-keys";
import { Role } from "../../subgraphs/shared/identity";

/**
 * Callers' tokens for tests, signed with the run's development key (global setup makes it), with
 * the claims a region's identity provider would assert. `claims` overrides some (e.g. an expired
 * `exp` or a lower `loa`).
 */
const cache = new Map<string, Promise<string>>();

export function token(role: Role, organisation?: string, claims?: Record<string, unknown>, lifetimeSeconds?: number): Promise<string> {
  const file = process.env.HUB_DEV_KEY_FILE;
  if (!file) throw new Error("HUB_DEV_KEY_FILE is not set: run the tests through jest (global setup makes the key)");
  const sign = () => signDevToken(file, { role, organisation, claims, audience: "care-brokering-hub", lifetimeSeconds });
  if (claims || lifetimeSeconds) return sign();
  const key = `${role}:${organisation ?? ""}`;
  if (!cache.has(key)) cache.set(key, sign());
  return cache.get(key)!;
}

export const adminToken = () => token(Role.ADMINISTRATOR);
