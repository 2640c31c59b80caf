import { randomBytes } from "node:crypto";
import { GraphQLError } from "graphql";
import { jwtVerify, SignJWT } from "jose";
import { Identity } from "./identity";

/**
 * How the gateway tells a subgraph who the caller is: the verified identity, signed by the gateway
 * with a secret only the hub's own processes hold (HMAC, short-lived). A subgraph answers nothing
 * without it — not `_entities`, which would otherwise fetch any entity by id, and not `_service`.
 */
export const IDENTITY_HEADER = "x-hub-identity";
const ISSUER = "care-brokering-hub/gateway";
const AUDIENCE = "care-brokering-hub/subgraphs";
/** Long enough for one request, short enough that a leaked header is soon useless. */
const LIFETIME_SECONDS = 300;

export function newInternalSecret(): string {
  return randomBytes(32).toString("base64url");
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signIdentity(identity: Identity, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ identity })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(Math.min(identity.expiresAt, now + LIFETIME_SECONDS))
    .sign(key(secret));
}

export function notFromGateway(reason: string): GraphQLError {
  return new GraphQLError(`This service answers only the hub's gateway (${reason}).`, {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}

export async function verifyIdentity(token: unknown, secret: string): Promise<Identity> {
  if (typeof token !== "string" || token.length === 0) throw notFromGateway("no gateway credential");
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
    return payload.identity as Identity;
  } catch {
    throw notFromGateway("the gateway credential is not valid");
  }
}

/**
 * A caller's signed identity, re-signed shortly before it expires: a subscription lives longer
 * than one signature, and each of its events still reaches subgraphs with a valid one.
 */
export function identitySigner(identity: Identity, secret: string): () => Promise<string> {
  let current: { token: string; until: number } | undefined;
  return async () => {
    const now = Date.now() / 1000;
    if (!current || current.until - now < 30) {
      current = { token: await signIdentity(identity, secret), until: Math.min(identity.expiresAt, now + LIFETIME_SECONDS) };
    }
    return current.token;
  };
}
