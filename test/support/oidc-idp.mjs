// A region's identity provider for the web app's sign-in test: the certified `oidc-provider`
// library (an ES module, hence this separate process), on loopback, with one public client (the
// hub's web app, authorisation code with PKCE) and one demo user of the regional office whose
// claims are what SITHS sign-in asserts. Its built-in development login pages stand in for the
// region's login; everything else is the library's real protocol handling.
// Usage: node oidc-idp.mjs <redirectUri> <audience>; prints {"issuer": …} when listening.
import http from "node:http";
import { generateKeyPair, exportJWK } from "jose";
import Provider from "oidc-provider";

const [redirectUri, audience] = process.argv.slice(2);
const server = http.createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const { privateKey } = await generateKeyPair("ES256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: "test-idp", alg: "ES256", use: "sig" };

const CLAIMS = {
  role: "REGIONAL_OFFICE",
  region: "13",
  hsa_id: "SE9999999999-E000000000009",
  assignment_purpose: "Vård och behandling",
  loa: 3,
};

const provider = new Provider(issuer, {
  clients: [{ client_id: audience, token_endpoint_auth_method: "none", redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"], id_token_signed_response_alg: "ES256" }],
  jwks: { keys: [jwk] },
  claims: { openid: ["sub"], hub: Object.keys(CLAIMS) },
  scopes: ["openid", "hub"],
  // The hub reads the caller's role and organisation from the token it is given.
  conformIdTokenClaims: false,
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub: CLAIMS.hsa_id, ...CLAIMS }) }),
  pkce: { required: () => true },
  // The app, on the hub's origin, trades its code at the token endpoint from the browser.
  clientBasedCORS: (_ctx, origin) => origin === new URL(redirectUri).origin,
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["web-sign-in-test-only"] },
});
provider.proxy = false;
server.on("request", provider.callback());
process.stdout.write(`${JSON.stringify({ issuer, jwks: `${issuer}/jwks`, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token` })}\n`);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
