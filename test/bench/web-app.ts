import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { signDevToken } from "../../gateway/dev-keys";
import { loadConfig } from "../../subgraphs/shared/config";
import { Role } from "../../subgraphs/shared/identity";
import { WEB_DIR } from "../../gateway/web/serve";
import { postGraphQL } from "../support/hub";
import { startBenchHub } from "./hub-process";
import { launchChromium } from "../support/browser";

/**
 * The web app's figures: the bundle a browser downloads (gzipped), the time from choosing a role
 * to the worklist on screen, and the delay from a provider's publish to the new offer's row on the
 * office's open capacity search in real headless Chromium (send → row in the DOM, an upper bound;
 * answer → row, a lower one), over BENCH_ROUNDS publishes (100). Prints figures; asserts nothing.
 *
 *   npm run bench:web
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const UNIT = careUnitId("kattegatt-ortopedi");
const PROVIDER = providerId("private-kattegatt-ortopedi");

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const assets = fs.readdirSync(path.join(WEB_DIR, "assets"));
  const gzip = assets.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(WEB_DIR, "assets", f)), { level: 9 }).length, 0);
  const raw = assets.reduce((sum, f) => sum + fs.statSync(path.join(WEB_DIR, "assets", f)).size, 0);
  const { auth } = loadConfig();
  const provider = await signDevToken(auth.devKeyFile!, { role: Role.PROVIDER, organisation: PROVIDER, audience: auth.audience });
  const hub = await startBenchHub();
  const browser = await launchChromium();
  try {
    const base = hub.url.replace(/\/graphql$/, "");
    const renders: number[] = [];
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await context.newPage();
    for (let i = 0; i < 6; i++) {
      await page.goto(`${base}/`);
      await page.getByRole("button", { name: /^Vårdgarantiservice/ }).waitFor();
      const started = Date.now();
      await page.getByRole("button", { name: /^Vårdgarantiservice/ }).click();
      await page.locator("tr[data-referral]").first().waitFor();
      // The first round warms the hub's caches and plans; it is not counted.
      if (i > 0) renders.push(Date.now() - started);
    }
    await page.evaluate(() => (location.hash = "#/kapacitet"));
    await page.getByRole("button", { name: "Sök" }).click();
    await page.getByText(/som matchar/).waitFor();
    await page.locator(".live-connected").waitFor();
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as any).__seen = seen;
      new MutationObserver((records) => {
        for (const r of records)
          for (const node of r.addedNodes) if (node instanceof HTMLElement && node.dataset.offer) seen[node.dataset.offer] ??= Date.now();
      }).observe(document.querySelector("table.offers tbody")!, { childList: true });
    });
    const upper: number[] = [];
    const lower: number[] = [];
    const today = stockholmDate();
    for (let i = 0; i < ROUNDS; i++) {
      const sent = Date.now();
      const result = await postGraphQL(
        hub.url,
        `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
        {
          input: {
            reportedBy: "web bench",
            offers: [
              {
                careUnitId: UNIT,
                procedureCode: "NFB49",
                slots: 1,
                validFrom: today,
                validUntil: addDays(today, 30),
                expectedWaitDays: 10,
              },
            ],
          },
        },
        provider,
      );
      const answered = Date.now();
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      const id = result.data.publishCapacity.offers[0].id as string;
      const shown = (await page
        .waitForFunction((offer) => (window as any).__seen[offer], id, { timeout: 30_000, polling: 5 })
        .then((h) => h.jsonValue())) as number;
      upper.push(shown - sent);
      lower.push(shown - answered);
    }
    const line = (name: string, v: number[]) =>
      `  ${name.padEnd(34)} p50 ${percentile(v, 50)} ms   p99 ${percentile(v, 99)} ms   max ${Math.max(...v)} ms`;
    process.stdout.write(
      `${[
        `web app (${os.cpus().length} cores, ${ROUNDS} publishes)`,
        `  bundle: ${(raw / 1024).toFixed(1)} KiB, ${(gzip / 1024).toFixed(1)} KiB gzipped (${assets.join(", ")})`,
        line("role chosen → worklist on screen", renders),
        line("publish sent → row on office screen", upper),
        line("publish answered → row on screen", lower),
      ].join("\n")}\n`,
    );
  } finally {
    await browser.cleanup();
    await hub.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
