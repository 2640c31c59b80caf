// Functions handed to page.evaluate run in the page: the tests are type-checked with the DOM's
// types too (only the tests; the hub's own code is compiled without them).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { projectRoot } from "../../subgraphs/shared/paths";

/**
 * Real headless Chromium for the web app's tests: Debian's `chromium` package driven by
 * playwright-core. Without it the tests fail with one line saying how to install it (never a
 * silent skip). The flags keep the browser on loopback: no component updates, sync, field trials
 * or other background calls to Google, no QUIC; playwright gives every launch a fresh
 * temporary profile (its own --user-data-dir) and removes it on close.
 */
export const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
  Boolean,
) as string[];

export function chromiumPath(candidates = CHROMIUM_CANDIDATES): string {
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      "Chromium is not installed: run `apt-get update && apt-get install -y --no-install-recommends chromium` (or set CHROMIUM_PATH) — the web app's browser tests need it",
    );
  }
  return found;
}

export async function launchChromium(): Promise<Browser & { cleanup(): Promise<void> }> {
  const executablePath = chromiumPath();
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-domain-reliability",
      "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
      "--no-pings",
    ],
  });
  return Object.assign(browser, {
    cleanup: async () => {
      await browser.close();
    },
  });
}

const AXE = path.join(projectRoot(), "node_modules", "axe-core", "axe.min.js");

/** axe-core's WCAG 2.1 A and AA checks on the page as it is now; each violation with its nodes. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's content policy (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(`${fs.readFileSync(AXE, "utf8")}\n;void 0`);
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map(
      (v: any) =>
        `${v.id}: ${v.help} (${v.nodes
          .map((n: any) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")})`,
    );
  });
  return violations as string[];
}

/** Where the tests write screenshots: the README's folder when WEB_SCREENSHOTS=1 (to refresh them), dist otherwise. */
export function screenshotPath(name: string): string {
  const dir =
    process.env.WEB_SCREENSHOTS === "1"
      ? path.join(projectRoot(), "gateway", "web", "docs")
      : path.join(projectRoot(), "dist", "web-screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

/** Presses Tab until the focused element's accessible text matches, as a keyboard user would; fails after `max` presses. */
export async function tabTo(page: Page, match: RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const text = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? `${el.getAttribute("aria-label") ?? ""} ${el.textContent ?? ""}`.trim() : "";
    });
    if (match.test(text)) return;
  }
  throw new Error(`no focusable element matching ${match} within ${max} Tab presses`);
}
