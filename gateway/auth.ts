/**
 * Verifies callers' tokens at the gateway: signature against the keys of a trusted issuer (one per
 * region's identity provider), issuer, audience and expiry; then the claims make an Identity.
 * Anything else is UNAUTHENTICATED (HTTP 401) with the reason, and nothing is answered.
 */

import fs from "node:fs";
import { GraphQLError } from "graphql";
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, JWTPayload, JWTVerifyGetKey, jwtVerify } from "jose";
import { AuthConfig } from "../subgraphs/shared/config";
import { StartupError } from "../subgraphs/shared/errors";
import { Identity, identityFromClaims } from "../subgraphs/shared/identity";
import { Role } from "../subgraphs/shared/identity";
import { PeerDirectory } from "../subgraphs/shared/network/directory";
import { DEV_ISSUER, ensureDevKey } from "./dev-keys";

export type Authenticate = (authorization: unknown) => Promise<Identity>;

const ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];

export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Not authenticated: ${reason}.`, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/** Peer nodes' tokens: accepted only from the issuer and keys the directory names for their region. */
export interface PeerTrust {
  directory: PeerDirectory;
  /** This node's issuer: the audience a peer's token must carry. */
  ownIssuer: () => string;
  /** How long fetching a peer's JWKS may take. */
  jwksTimeoutMs: number;
}

/** A peer's token lives a minute; more than five is refused (a leaked one must not be useful for long). */
const PEER_TOKEN_MAX_LIFETIME_SECONDS = 300;

export async function createAuthenticator(auth: AuthConfig, peers?: PeerTrust): Promise<Authenticate> {
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
  const peerKeys = new Map<string, JWTVerifyGetKey>();
  const peerKeySet = (jwksUrl: string) => {
    let keySet = peerKeys.get(jwksUrl);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: peers?.jwksTimeoutMs ?? 5000, cooldownDuration: 5000 });
      peerKeys.set(jwksUrl, keySet);
    }
    return keySet;
  };
  const verifyPeer = async (token: string, peer: NonNullable<ReturnType<PeerDirectory["byIssuer"]>>): Promise<Identity> => {
    if (!peer.enabled) throw unauthenticated(`the peer node of region ${peer.regionCode} is disabled in this node's directory`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, peerKeySet(peer.jwksUrl), {
        issuer: peer.issuer,
        audience: peers!.ownIssuer(),
        algorithms: ["ES256", "EdDSA"],
        requiredClaims: ["exp", "iat", "sub"],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated("the peer token has expired");
      if (error instanceof errors.JWTClaimValidationFailed)
        throw unauthenticated(`the peer token's ${error.claim} claim is not valid here`);
      throw unauthenticated(`the peer token's signature does not verify with the keys the directory names for region ${peer.regionCode}`);
    }
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > PEER_TOKEN_MAX_LIFETIME_SECONDS)
      throw unauthenticated(`a peer token may live at most ${PEER_TOKEN_MAX_LIFETIME_SECONDS} seconds`);
    if (payload.role !== Role.PEER_REGION || payload.region !== peer.regionCode) {
      throw unauthenticated(`the directory names this issuer for region ${peer.regionCode}: its tokens must be PEER_REGION of that region`);
    }
    const identity = identityFromClaims(payload);
    if ("refused" in identity) throw unauthenticated(identity.refused);
    return identity;
  };
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
    const peer = issuer ? peers?.directory.byIssuer(issuer) : undefined;
    if (peer) return verifyPeer(token, peer);
    const keySet = issuer ? keys.get(issuer) : undefined;
    if (!keySet) throw unauthenticated(`tokens of issuer "${issuer ?? "(none)"}" are not accepted here`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer,
        audience: auth.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated("the token has expired");
      if (error instanceof errors.JWTClaimValidationFailed) throw unauthenticated(`the token's ${error.claim} claim is not valid here`);
      throw unauthenticated("the token's signature does not verify");
    }
    const identity = identityFromClaims(payload);
    if ("refused" in identity) throw unauthenticated(identity.refused);
    // A region with a node in the directory speaks for itself: its peer tokens come from that node only.
    if (identity.role === Role.PEER_REGION && identity.regionCode && peers?.directory.byRegion(identity.regionCode)) {
      throw unauthenticated(
        `region ${identity.regionCode} is a peer node in this node's directory: its tokens are accepted only from the issuer named there`,
      );
    }
    return identity;
  };
}
