import fs from "node:fs";
import { GraphQLError } from "graphql";
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, JWTVerifyGetKey, jwtVerify } from "jose";
import { AuthConfig } from "../subgraphs/shared/config";
import { StartupError } from "../subgraphs/shared/errors";
import { Identity, identityFromClaims } from "../subgraphs/shared/identity";
import { DEV_ISSUER, ensureDevKey } from "./dev-keys";

/**
 * Verifies callers' tokens at the gateway: signature against the keys of a trusted issuer (one per
 * region's identity provider), issuer, audience and expiry; then the claims make an Identity.
 * Anything else is UNAUTHENTICATED (HTTP 401) with the reason, and nothing is answered.
 */
export type Authenticate = (authorization: unknown) => Promise<Identity>;

const ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];

export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Not authenticated: ${reason}.`, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

export async function createAuthenticator(auth: AuthConfig): Promise<Authenticate> {
  const keys = new Map<string, JWTVerifyGetKey>();
  for (const { issuer, jwks } of auth.issuers) {
    if (/^https?:\/\//.test(jwks)) {
      keys.set(issuer, createRemoteJWKSet(new URL(jwks)));
    } else {
      try {
        keys.set(issuer, createLocalJWKSet(JSON.parse(fs.readFileSync(jwks, "utf8"))));
      } catch (error) {
        throw new StartupError(`the keys of issuer ${issuer} cannot be read from ${jwks}: ${(error as Error).message}`);
      }
    }
  }
  if (auth.devKeyFile) {
    const dev = await ensureDevKey(auth.devKeyFile);
    keys.set(DEV_ISSUER, createLocalJWKSet({ keys: [dev.publicJwk] }));
  }
  return async (authorization) => {
    if (typeof authorization !== "string" || authorization.length === 0) throw unauthenticated("send Authorization: Bearer <token>");
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) throw unauthenticated("the Authorization header must be Bearer <token>");
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthenticated("the token is not a JWT");
    }
    const keySet = issuer ? keys.get(issuer) : undefined;
    if (!keySet) throw unauthenticated(`tokens of issuer "${issuer ?? "(none)"}" are not accepted here`);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keySet, { issuer, audience: auth.audience, algorithms: ALGORITHMS, requiredClaims: ["exp", "sub"] }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated("the token has expired");
      if (error instanceof errors.JWTClaimValidationFailed) throw unauthenticated(`the token's ${error.claim} claim is not valid here`);
      throw unauthenticated("the token's signature does not verify");
    }
    const identity = identityFromClaims(payload);
    if ("refused" in identity) throw unauthenticated(identity.refused);
    return identity;
  };
}
