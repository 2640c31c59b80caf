import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page, WebSocketRoute } from "playwright-core";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { referralId } from "../../seeds/data/patients";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { WEB_DIR } from "../../gateway/web/serve";
import { axeViolations, launchChromium, screenshotPath, tabTo } from "../support/browser";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * The web app in real headless Chromium against the whole hub: the office's brokering story done
 * with the keyboard only (worklist → matches → confirm and send), the provider receiving and
 * accepting in a second browser context and the office seeing it live, a provider publishing an
 * offer that appears live on the office's search, a dropped WebSocket that resumes from the last
 * event, each role seeing only its screens, signing out when the token expires, and axe-core's
 * WCAG 2.1 AA checks on every screen.
 */
let hub: TestHub;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let base: string;
/** Requests the app made off the hub's origin: none may be (fonts, CDNs, telemetry would leak). */
const offOrigin: string[] = [];

const HIP = referralId("tolvan-hip");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const KATTEGATT_UNIT = careUnitId("kattegatt-ortopedi");

beforeAll(async () => {
  if (!fs.existsSync(path.join(WEB_DIR, "index.html")))
    throw new Error("the web app is not built: npm test builds it (or run node dist/gateway/web/build.js)");
  [hub, browser] = await Promise.all([startTestHub(), launchChromium()]);
  base = hub.url.replace(/\/graphql$/, "");
}, 120_000);
afterAll(async () => {
  expect(offOrigin).toEqual([]);
  await browser?.cleanup();
  await hub?.stop();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: "sv-SE", timezoneId: "Europe/Stockholm" });
  // Only the hub's own origin: a request anywhere else would be a leak (fonts, CDNs, telemetry).
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => {
    offOrigin.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  return { context, page };
}

async function expectAccessible(page: Page, screen: string) {
  const violations = await axeViolations(page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}

async function signInByClick(page: Page, roleName: string) {
  await page.goto(`${base}/`);
  await page.getByRole("button", { name: roleName }).click();
}

describe("the gateway serves the web app", () => {
  it("serves the page and assets without a token, in Swedish, with a strict content policy", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="sv">');
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const script = /src="(\/assets\/app-[\w]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    // Nothing but the app's files: no path outside the build folder.
    expect((await fetch(`${base}/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/package.json`)).status).toBe(404);
  });

  it("mints development tokens for the role picker outside production, which the gateway accepts", async () => {
    const config = await (await fetch(`${base}/app-config.json`)).json();
    expect(config).toMatchObject({ devSignIn: true, roles: expect.arrayContaining(["REGIONAL_OFFICE", "PROVIDER", "CLINIC"]) });
    const refused = await fetch(`${base}/dev/token`, { method: "POST", body: JSON.stringify({ role: "KING" }) });
    expect(refused.status).toBe(400);
    const { token: minted } = (await (
      await fetch(`${base}/dev/token`, { method: "POST", body: JSON.stringify({ role: "REGIONAL_OFFICE" }) })
    ).json()) as { token: string };
    const answer = await hub.queryAs(minted, `{ atRiskReferrals(regionCode: "13", first: 1) { totalCount } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.atRiskReferrals.totalCount).toBeGreaterThan(0);
  });

  it("has no development sign-in in production: the route does not exist and the app offers only the identity provider", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-jwks-"));
    const jwks = path.join(dir, "jwks.json");
    fs.writeFileSync(jwks, JSON.stringify({ keys: [] }));
    const production = await startTestHub(
      {
        NODE_ENV: "production",
        HUB_DEV_KEY_FILE: "",
        HUB_INTERNAL_SECRET: "x".repeat(32),
        HUB_TRUSTED_ISSUERS: JSON.stringify([
          {
            issuer: "https://idp.example",
            jwks,
            clientId: "care-hub-web",
            authorizationEndpoint: "https://idp.example/auth",
            tokenEndpoint: "https://idp.example/token",
            name: "Region Halland",
          },
        ]),
      },
      { databaseUrl: hub.databaseUrl },
    );
    try {
      const root = production.url.replace(/\/graphql$/, "");
      const minted = await fetch(`${root}/dev/token`, { method: "POST", body: JSON.stringify({ role: "REGIONAL_OFFICE" }) });
      expect(minted.status).toBe(404);
      expect(await (await fetch(`${root}/app-config.json`)).json()).toEqual({
        devSignIn: false,
        roles: [],
        identityProviders: [
          {
            issuer: "https://idp.example",
            name: "Region Halland",
            clientId: "care-hub-web",
            authorizationEndpoint: "https://idp.example/auth",
            tokenEndpoint: "https://idp.example/token",
            scope: "openid",
          },
        ],
      });
    } finally {
      await production.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the brokering day in a browser", () => {
  let office: { context: BrowserContext; page: Page };
  let provider: { context: BrowserContext; page: Page };

  beforeAll(async () => {
    [office, provider] = await Promise.all([newPage(), newPage()]);
  });
  afterAll(async () => {
    await office?.context.close();
    await provider?.context.close();
  });

  it("the office, by keyboard only, finds the patient at risk, ranks the matches and sends with a payment commitment; the provider accepts and the office sees it live", async () => {
    const { page } = office;
    await page.goto(`${base}/`);
    await expectAccessible(page, "sign-in");
    await page.screenshot({ path: screenshotPath("sign-in") });
    await tabTo(page, /^Vårdgarantiservice/);
    const started = Date.now();
    await page.keyboard.press("Enter");
    // The worklist: ordered by days left, status in words and symbols.
    const row = page.locator(`tr[data-referral="${HIP}"]`);
    await row.waitFor();
    const firstRender = Date.now() - started;
    process.stdout.write(`web app: worklist rendered ${firstRender} ms after signing in\n`);
    expect(await page.getAttribute("html", "lang")).toBe("sv");
    expect(await row.textContent()).toMatch(/Risk att vårdgarantin överskrids[\s\S]*12[\s\S]*60 dagar/);
    const daysLeft = await page.locator("tr[data-referral] td.num").allInnerTexts();
    const numbers = daysLeft.map(Number).filter((n) => !Number.isNaN(n));
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    await page.locator(".live-connected").waitFor();
    await expectAccessible(page, "worklist");
    await page.screenshot({ path: screenshotPath("worklist"), fullPage: false });

    // To the referral's page, by keyboard.
    await tabTo(page, /^Tolvan Tolvansson$/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: /Remiss: Tolvan Tolvansson/ }).waitFor();
    const matches = (
      await hub.queryAs(
        await token(Role.REGIONAL_OFFICE, "13"),
        `query($id: ID!) { referral(id: $id) { matches(first: 20) { rank startsByDeadline offer { id provider { id } } } } }`,
        { id: HIP },
      )
    ).data.referral.matches;
    const chosen = matches.find((m: any) => m.offer.provider.id === KATTEGATT && m.startsByDeadline);
    const matchRow = page.locator(`table.matches tr[data-offer="${chosen.offer.id}"]`);
    await matchRow.waitFor();
    expect(await matchRow.textContent()).toMatch(
      /Kattegattkliniken[\s\S]*Egen regions avtal med privat vårdgivare[\s\S]*Ja, \d+ dagars marginal[\s\S]*79\s900 kr/,
    );
    await expectAccessible(page, "referral");
    await page.screenshot({ path: screenshotPath("referral-matches") });
    await tabTo(page, new RegExp(`^Välj Kattegattkliniken.*rang ${chosen.rank}\\b`));
    await page.keyboard.press("Enter");
    // The confirm step takes focus and names the provider, agreement and price.
    await page.getByRole("heading", { name: /Bekräfta: skicka remissen/ }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/Bekräfta/);
    await expectAccessible(page, "confirm send");
    await tabTo(page, /^Bekräfta och skicka$/);
    await page.keyboard.press("Enter");
    await page.getByText(/Remissen är skickad till Kattegattkliniken.*med betalningsförbindelse/).waitFor();
    await page.locator('.referral-status[data-status="SENT"]').waitFor();

    // The provider, in another browser context: receives and accepts.
    const p = provider.page;
    await signInByClick(p, "Vårdgivare");
    const theirs = p.locator(`tr[data-referral="${HIP}"]`);
    await theirs.waitFor();
    expect(await theirs.textContent()).toMatch(/Tolvan Tolvansson[\s\S]*Skickad/);
    await expectAccessible(p, "provider referrals");
    await p.screenshot({ path: screenshotPath("provider-referrals") });
    await theirs.getByRole("button", { name: /Kvittera mottagande/ }).click();
    await theirs.locator("td.status", { hasText: "Mottagen" }).waitFor();
    await theirs.getByRole("button", { name: /^Acceptera/ }).click();
    await theirs.locator("td.status", { hasText: "Accepterad" }).waitFor();

    // The office's open page changes without a reload.
    await page.locator('.referral-status[data-status="ACCEPTED"]').waitFor({ timeout: 15_000 });

    // The office's own review: who read the patient's data, when (this office's reads included).
    await page.getByRole("link", { name: "Loggutdrag för patienten" }).click();
    await page.getByRole("heading", { level: 1, name: /Loggutdrag/ }).waitFor();
    await page.locator("table tbody tr").first().waitFor();
    expect(await page.locator("table").textContent()).toMatch(/REGIONAL_OFFICE[\s\S]*PROVIDER|PROVIDER[\s\S]*REGIONAL_OFFICE/);
    await expectAccessible(page, "audit log");
  });

  it("a provider's publication is refused next to the field when invalid, and a valid one appears live on the office's capacity search", async () => {
    const { page } = office;
    await page.evaluate(() => (location.hash = "#/kapacitet"));
    await page.getByRole("heading", { level: 1, name: "Ledig kapacitet" }).waitFor();
    await page.getByLabel("Specialitet").selectOption("ORTHOPAEDICS");
    await page.getByRole("button", { name: "Sök" }).click();
    await page.getByText(/erbjudanden \(av \d+ som matchar\)/).waitFor();
    await page.locator(".live-connected").waitFor();
    await expectAccessible(page, "capacity search");

    const p = provider.page;
    await p.getByRole("link", { name: "Ledig kapacitet" }).click();
    await p.getByRole("heading", { name: /Publicera ledig kapacitet/ }).waitFor();
    await p.getByLabel("Vårdenhet").selectOption(KATTEGATT_UNIT);
    await p.getByLabel("KVÅ-kod").fill("NFB49");
    await p.getByLabel("Antal platser").fill("3");
    await p.getByLabel("Gäller till").fill(addDays(stockholmDate(), -1));
    await p.getByRole("button", { name: "Publicera" }).click();
    // The hub's validation, next to the field it concerns.
    const invalid = p.locator("#offer-validUntil[aria-invalid=true]");
    await invalid.waitFor();
    expect(await p.locator("#offer-validUntil-error").textContent()).not.toBe("");
    await expectAccessible(p, "provider publish with an error");

    await p.getByLabel("Gäller till").fill(addDays(stockholmDate(), 40));
    await p.getByLabel("Villkor").fill("Webbtest");
    await p.getByRole("button", { name: "Publicera" }).click();
    await p.getByText("Erbjudandet är publicerat.").waitFor();
    await expectAccessible(p, "provider offers");
    await p.screenshot({ path: screenshotPath("provider-publish") });

    const fresh = page.locator("tr.fresh", { hasText: "Kattegattkliniken" });
    await fresh.waitFor({ timeout: 15_000 });
    expect(await fresh.textContent()).toMatch(/Ny/);
    await expectAccessible(page, "capacity search with a new offer");
    await page.screenshot({ path: screenshotPath("capacity-search") });
    await page.locator("figure.map").screenshot({ path: screenshotPath("capacity-map") });

    // The provider changes its offer, then withdraws it.
    const mine = p.locator("tr[data-offer]", { hasText: "Webbtest" });
    await mine.getByRole("button", { name: /^Ändra/ }).click();
    await mine.getByLabel("Antal platser").fill("5");
    await expectAccessible(p, "provider editing an offer");
    await mine.getByRole("button", { name: "Spara" }).click();
    await p.locator("tr[data-offer]", { hasText: "Webbtest" }).getByText("5 av 5").waitFor();
    await p
      .locator("tr[data-offer]", { hasText: "Webbtest" })
      .getByRole("button", { name: /^Återkalla/ })
      .click();
    await p.locator("tr[data-offer]", { hasText: "Webbtest" }).waitFor({ state: "detached" });
  });

  it("a dropped WebSocket resumes from the last event: offers published while it was down arrive once each", async () => {
    const { context, page: first } = await newPage();
    const sockets: WebSocketRoute[] = [];
    let blocked = false;
    await context.routeWebSocket(/\/graphql$/, (ws) => {
      if (blocked) {
        ws.close({ code: 4000, reason: "network down" });
        return;
      }
      ws.connectToServer();
      sockets.push(ws);
    });
    try {
      await signInByClick(first, "Vårdgarantiservice (regionens kansli)");
      await first.locator("tr[data-referral]").first().waitFor();
      await first.evaluate(() => (location.hash = "#/kapacitet"));
      await first.getByRole("button", { name: "Sök" }).waitFor();
      await first.locator(".live-connected").waitFor();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The network goes: every socket is cut and new ones are refused for a while.
      blocked = true;
      for (const ws of sockets) await ws.close({ code: 4000, reason: "network down" });
      await first.locator(".live-reconnecting").waitFor();
      const kattegatt = await token(Role.PROVIDER, KATTEGATT);
      const published: string[] = [];
      for (let i = 0; i < 3; i++) {
        const result = await hub.queryAs(
          kattegatt,
          `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
          {
            input: {
              reportedBy: "web test",
              offers: [
                {
                  careUnitId: KATTEGATT_UNIT,
                  procedureCode: "NFB49",
                  slots: 1,
                  validFrom: stockholmDate(),
                  validUntil: addDays(stockholmDate(), 30),
                  expectedWaitDays: 5 + i,
                },
              ],
            },
          },
        );
        expect(result.errors).toBeUndefined();
        published.push(result.data.publishCapacity.offers[0].id);
      }
      blocked = false;
      await first.locator(".live-connected").waitFor({ timeout: 15_000 });
      for (const id of published) await first.locator(`tr.fresh[data-offer="${id}"]`).waitFor({ timeout: 15_000 });
      for (const id of published) expect(await first.locator(`tr[data-offer="${id}"]`).count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it("each role sees only its screens, and the app signs out when the token expires", async () => {
    const { context, page } = await newPage();
    try {
      await page.clock.install();
      await signInByClick(page, "Klinik");
      await page.getByRole("heading", { level: 1, name: "Klinikens remisser" }).waitFor();
      const nav = await page.getByRole("navigation", { name: "Huvudmeny" }).textContent();
      expect(nav).not.toMatch(/Arbetslista|Loggutdrag|Ledig kapacitet/);
      await expectAccessible(page, "clinic referrals");
      // The clinic registers a referral for one of its patients and hands it to the office.
      await page.locator("tr[data-referral]").first().waitFor();
      const before = await page.locator("tr[data-referral]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-referral")));
      await page.getByLabel("KVÅ-kod").fill("NFB49");
      await page.getByRole("button", { name: "Registrera" }).click();
      await page.getByText("Remissen är registrerad.").waitFor();
      await page.waitForFunction((n) => document.querySelectorAll("tr[data-referral]").length > n, before.length);
      const after = await page.locator("tr[data-referral]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-referral")));
      const created = after.find((id) => !before.includes(id))!;
      const row = page.locator(`tr[data-referral="${created}"]`);
      expect(await row.locator("td.status").textContent()).toBe("Registrerad");
      await row.getByRole("button", { name: "Lämna till Vårdgarantiservice" }).click();
      await page.getByRole("button", { name: "Lämna över" }).click();
      await row.locator("td.status", { hasText: "Överlämnad till Vårdgarantiservice" }).waitFor();
      await expectAccessible(page, "clinic after handing a referral over");
      await page.evaluate(() => (location.hash = "#/kapacitet"));
      await page.getByRole("heading", { name: "Sidan finns inte" }).waitFor();
      await page.evaluate(() => (location.hash = "#/"));
      await page.getByRole("heading", { level: 1, name: "Klinikens remisser" }).waitFor();
      // Eight hours later the development token has expired: back at the sign-in, told why.
      await page.clock.fastForward("08:00:05");
      await page.getByText("Du har loggats ut eftersom inloggningen gick ut.").waitFor();
      await page.getByRole("heading", { name: "Logga in i Vårdförmedling" }).waitFor();
    } finally {
      await context.close();
    }
    const p = provider.page;
    await p.evaluate(() => (location.hash = "#/kapacitet"));
    await p.getByRole("heading", { name: "Sidan finns inte" }).waitFor();
    expect(await p.getByRole("navigation", { name: "Huvudmeny" }).textContent()).not.toMatch(/Arbetslista|Loggutdrag/);
    // Tokens are kept in memory only.
    expect(await p.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toMatch(/eyJ/);
  });
});
