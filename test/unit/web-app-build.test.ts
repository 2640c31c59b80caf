import fs from "node:fs";
import { SUPERGRAPH_FILE } from "../../subgraphs/shared/paths";
import { loadConfig } from "../../subgraphs/shared/config";
import { checkOperations } from "../../gateway/web/build";
import { OPERATIONS } from "../../gateway/web/operations";
import { chromiumPath } from "../support/browser";

/** The web app's build: its operations against the committed supergraph, and the browser tests' one-line refusal without Chromium. */
const supergraph = fs.readFileSync(SUPERGRAPH_FILE, "utf8");

it("every operation the web app sends is valid against the committed supergraph", () => {
  expect(Object.keys(OPERATIONS).length).toBeGreaterThan(15);
  expect(checkOperations(supergraph)).toEqual([]);
});

it("a schema change that breaks a screen breaks the build, naming the operation and the field", () => {
  // As if the referrals subgraph renamed the clock's days left, which the worklist shows.
  const broken = supergraph.replace(/^(\s+)daysLeft: Int/m, "$1daysRemaining: Int");
  expect(broken).not.toBe(supergraph);
  const problems = checkOperations(broken);
  expect(problems).toEqual(
    expect.arrayContaining([expect.stringMatching(/^WORKLIST: Cannot query field "daysLeft" on type "CareGuarantee"/)]),
  );
});

it("without Chromium the browser tests fail with one line saying how to install it", () => {
  expect(() => chromiumPath(["/nonexistent/chromium"])).toThrow(
    /^Chromium is not installed: run `apt-get update && apt-get install -y --no-install-recommends chromium`[^\n]*$/,
  );
});

it("a trusted issuer offered as the web app's sign-in needs its client id and both endpoints, as URLs", () => {
  const issuer = (extra: Record<string, string>) => ({
    HUB_TRUSTED_ISSUERS: JSON.stringify([{ issuer: "https://idp.example", jwks: "https://idp.example/jwks", ...extra }]),
  });
  expect(() => loadConfig(issuer({ clientId: "care-brokering-hub" }))).toThrow(/needs authorizationEndpoint and tokenEndpoint too/);
  expect(() =>
    loadConfig(issuer({ clientId: "hub", authorizationEndpoint: "idp.example/auth", tokenEndpoint: "https://idp.example/token" })),
  ).toThrow(/authorizationEndpoint of https:\/\/idp.example must be an http\(s\) URL/);
  const config = loadConfig(
    issuer({ clientId: "hub", authorizationEndpoint: "https://idp.example/auth", tokenEndpoint: "https://idp.example/token" }),
  );
  expect(config.auth.issuers[0]).toMatchObject({ clientId: "hub", tokenEndpoint: "https://idp.example/token" });
});
