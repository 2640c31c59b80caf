/**
 * Signing in. Development: the gateway's development route mints a token for a chosen role
 * (absent in production). Production: OpenID Connect authorisation code with PKCE against the
 * region's identity provider. Only the PKCE verifier and state wait in sessionStorage during the
 * redirect (they are useless without the provider's code); the token itself is kept in memory.
 */
import { claimsOf } from "./api";

export interface IdentityProvider {
  issuer: string;
  name: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  scope: string;
}

export interface AppConfig {
  devSignIn: boolean;
  roles: string[];
  identityProviders: IdentityProvider[];
}

const PENDING = "oidc-pending";

export async function devSignIn(role: string): Promise<string> {
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ role }),
  });
  if (!response.ok) throw new Error(`Utvecklingsinloggningen svarade ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${location.origin}/`;

export async function startOidcSignIn(idp: IdentityProvider): Promise<void> {
  const verifier = random();
  const state = random();
  const nonce = random();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, issuer: idp.issuer }));
  const url = new URL(idp.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: idp.clientId,
    redirect_uri: redirectUri(),
    scope: idp.scope,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

/** Back from the identity provider: trade the code (with the PKCE verifier) for a token; null when this is no such return. */
export async function finishOidcSignIn(config: AppConfig): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const returned = params.get("state");
  const error = params.get("error");
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as {
    verifier: string;
    state: string;
    nonce: string;
    issuer: string;
  } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", "/");
  if (error) throw new Error(`Identitetsutfärdaren nekade inloggningen (${error}).`);
  if (!pending || pending.state !== returned) throw new Error("Inloggningen kunde inte slutföras (okänt tillstånd). Försök igen.");
  const idp = config.identityProviders.find((i) => i.issuer === pending.issuer);
  if (!idp) throw new Error("Identitetsutfärdaren är inte längre konfigurerad.");
  const response = await fetch(idp.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: code!,
      redirect_uri: redirectUri(),
      client_id: idp.clientId,
      code_verifier: pending.verifier,
    }),
  }).catch(() => {
    throw new Error("Identitetsutfärdaren kunde inte nås. Försök igen.");
  });
  if (!response.ok) throw new Error(`Identitetsutfärdaren svarade ${response.status}.`);
  const tokens = (await response.json()) as { access_token?: string; id_token?: string };
  // A JWT access token addressed to the hub is what the gateway wants; an identity provider that
  // gives opaque access tokens issues the ID token to the hub's audience (its client id) instead.
  const isJwt = (t?: string) => typeof t === "string" && t.split(".").length === 3;
  const token = isJwt(tokens.access_token) ? tokens.access_token! : tokens.id_token;
  if (!token) throw new Error("Identitetsutfärdaren gav ingen token.");
  // An ID token must answer this sign-in (its nonce), not be replayed from another.
  if (token === tokens.id_token && claimsOf(token).nonce !== pending.nonce)
    throw new Error("Inloggningen kunde inte slutföras (fel nonce). Försök igen.");
  return token;
}
