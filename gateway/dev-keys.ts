/**
 * The development identity provider: a signing key kept in a local file (created on first use) and
 * tokens for one demo user of each role. Only outside production: the configuration refuses it
 * there. It stands in for a region's real identity provider, with the same claims.
 */

import fs from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, JWK, SignJWT } from "jose";
import { careUnitId, providerId } from "../subgraphs/shared/db/seed-ids";
import { CARE_AND_TREATMENT, Role } from "../subgraphs/shared/identity";

export const DEV_ISSUER = "urn:care-brokering-hub:development";
const ALG = "ES256";

interface DevKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function ensureDevKey(file: string): Promise<DevKey> {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as DevKey;
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = `dev-${Date.now()}`;
  const key: DevKey = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" },
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed, so a reader never sees half a key.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(key), { mode: 0o600 });
  fs.renameSync(temp, file);
  return key;
}

/** Demo organisations per role (seeded ids), used when none is given. */
const DEMO: Record<Role, Record<string, unknown>> = {
  [Role.REGIONAL_OFFICE]: { region: "13", hsa_id: "SE9999999999-E000000000001", assignment_purpose: CARE_AND_TREATMENT, loa: 3 },
  [Role.CLINIC]: {
    region: "13",
    unit: careUnitId("halmstad-ortopedi"),
    hsa_id: "SE9999999999-E000000000002",
    assignment_purpose: CARE_AND_TREATMENT,
    loa: 3,
  },
  [Role.PROVIDER]: {
    provider: providerId("private-kattegatt-ortopedi"),
    hsa_id: "SE9999999999-E000000000003",
    assignment_purpose: CARE_AND_TREATMENT,
    loa: 3,
  },
  [Role.PEER_REGION]: { region: "12", loa: 3 },
  [Role.ADMINISTRATOR]: { hsa_id: "SE9999999999-E000000000005", assignment_purpose: CARE_AND_TREATMENT, loa: 3 },
};

/** Which claim names the organisation of each role. */
const ORGANISATION_CLAIM: Record<Role, string | null> = {
  [Role.REGIONAL_OFFICE]: "region",
  [Role.CLINIC]: "unit",
  [Role.PROVIDER]: "provider",
  [Role.PEER_REGION]: "region",
  [Role.ADMINISTRATOR]: null,
};

export interface DevTokenOptions {
  role: Role;
  /** Region code, provider id or care unit id, as the role needs; the demo one when omitted. */
  organisation?: string;
  audience: string;
  lifetimeSeconds?: number;
  /** Claims to add or override (tests use this for expired or low-assurance tokens). */
  claims?: Record<string, unknown>;
}

export async function signDevToken(file: string, options: DevTokenOptions): Promise<string> {
  const key = await ensureDevKey(file);
  const claims: Record<string, unknown> = { ...DEMO[options.role], role: options.role };
  const orgClaim = ORGANISATION_CLAIM[options.role];
  if (options.organisation && orgClaim) claims[orgClaim] = options.organisation;
  const now = Math.floor(Date.now() / 1000);
  const subject =
    typeof claims.hsa_id === "string"
      ? claims.hsa_id
      : `system:${options.role.toLowerCase()}:${options.organisation ?? claims.region ?? "demo"}`;
  const payload = {
    iss: DEV_ISSUER,
    aud: options.audience,
    sub: subject,
    iat: now,
    exp: now + (options.lifetimeSeconds ?? 12 * 3600),
    ...claims,
    ...options.claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: ALG, kid: key.privateJwk.kid }).sign(await importJWK(key.privateJwk, ALG));
}
