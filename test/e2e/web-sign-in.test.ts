import { ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { projectRoot } from "../../subgraphs/shared/paths";
import { axeViolations, launchChromium } from "../support/browser";
import { startTestHub, TestHub } from "../support/hub";
import { OUTBOUND_GUARD } from "../support/hub-process";
import { freePort } from "../support/ports";

/**
 * Production sign-in: OpenID Connect authorisation code with PKCE against a region's identity
 * provider — here the certified `oidc-provider` library, started in its own process on loopback
 * (under the outbound guard). The hub trusts it through HUB_TRUSTED_ISSUERS, which also gives the
 * app its client id and endpoints; the browser signs in there and comes back signed in to the hub.
 */
let idp: ChildProcess;
let hub: TestHub;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let base: string;
const AUDIENCE = "care-brokering-hub";

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = spawn(
    process.execPath,
    ["--require", OUTBOUND_GUARD, path.join(projectRoot(), "test", "support", "oidc-idp.mjs"), `${base}/`, AUDIENCE],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  // Its warnings about development-only settings (in-memory storage, built-in login pages) are
  // expected here; anything else it says is shown.
  readline
    .createInterface({ input: idp.stderr! })
    .on("line", (line) => !/oidc-provider WARNING/.test(line) && process.stderr.write(`identity provider: ${line}\n`));
  const first = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: idp.stdout! }).once("line", resolve);
    idp.once("exit", (code) => reject(new Error(`the identity provider exited (${code})`)));
  });
  const endpoints = JSON.parse(first) as { issuer: string; jwks: string; authorizationEndpoint: string; tokenEndpoint: string };
  [hub, browser] = await Promise.all([
    startTestHub({
      PORT: String(port),
      // As in production: the development sign-in is off and only the region's identity provider signs in.
      NODE_ENV: "production",
      HUB_DEV_KEY_FILE: "",
      HUB_INTERNAL_SECRET: "y".repeat(32),
      HUB_TRUSTED_ISSUERS: JSON.stringify([{ ...endpoints, clientId: AUDIENCE, name: "Region Halland (test)", scope: "openid hub" }]),
    }),
    launchChromium(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.cleanup();
  await hub?.stop();
  idp?.kill("SIGTERM");
});

it("signs in with authorisation code and PKCE at the region's identity provider and keeps the token out of storage", async () => {
  const context = await browser.newContext({ locale: "sv-SE" });
  try {
    // The identity provider's development pages ask for a web font; nothing leaves loopback.
    await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
    const page = await context.newPage();
    const authorizeRequests: string[] = [];
    page.on("request", (r) => r.url().includes("/auth?") && authorizeRequests.push(r.url()));
    await page.goto(`${base}/`);
    await page.getByRole("heading", { name: "Logga in i Vårdförmedling" }).waitFor();
    expect(await page.getByRole("button", { name: /Vårdgarantiservice/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Logga in med Region Halland (test)" }).click();
    // The identity provider's own login and consent pages.
    await page.locator('input[name="login"]').fill("kontoret");
    await page.locator('input[name="password"]').fill("test");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    // Back at the hub, signed in as the region's office: the worklist, read with the provider's token.
    await page
      .getByRole("heading", { level: 1, name: /Arbetslista/ })
      .waitFor({ timeout: 10_000 })
      .catch(async (error) => {
        throw new Error(`${error.message}\nThe page said: ${await page.locator("body").textContent()} (${page.url()})`);
      });
    await page.locator("tr[data-referral]").first().waitFor();
    const authorize = new URL(authorizeRequests[0]);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get("response_type")).toBe("code");
    expect(new URL(page.url()).search).toBe("");
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toMatch(/eyJ/);
  } finally {
    await context.close();
  }
});
