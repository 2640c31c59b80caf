import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { projectRoot } from "../../subgraphs/shared/paths";
import { startTestHub, TestHub } from "../support/hub";

/**
 * The README's examples as a new user pastes them, run against a hub: they must keep working
 * whatever the date (no fixed dates that fall into the past) and answer what the README says.
 */
const README = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");

/** The first fenced block of `lang` after `marker` in the README. */
function block(marker: string, lang: string): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`the README no longer has "${marker}"`);
  const start = README.indexOf(`\`\`\`${lang}\n`, at) + lang.length + 4;
  return README.slice(start, README.indexOf("\n```", start));
}

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

describe("README links", () => {
  it("point only at files in the repository, and the domain rules are among them", () => {
    for (const file of ["README.md", "subgraphs/README.md"]) {
      const text = fs.readFileSync(path.join(projectRoot(), file), "utf8");
      const targets = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/.test(t));
      for (const target of targets) {
        const resolved = path.resolve(projectRoot(), path.dirname(file), target);
        expect({ file, target, inRepository: resolved.startsWith(projectRoot() + path.sep), exists: fs.existsSync(resolved) }).toEqual({
          file,
          target,
          inRepository: true,
          exists: true,
        });
      }
    }
    expect(README).toContain("](subgraphs/README.md)");
  });
});

describe("README examples", () => {
  it("publishing capacity (the shell example, with its dates relative to today)", async () => {
    const script = block("## Publishing capacity", "sh")
      .replaceAll("http://127.0.0.1:4000/graphql", hub.url)
      .replaceAll("npm run -s token --", `node ${path.join(projectRoot(), "dist", "gateway", "tools", "token.js")}`);
    expect(script).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    // Not execFileSync: the hub answering curl runs in this process.
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], { encoding: "utf8", env: process.env });
    const answer = JSON.parse(stdout);
    expect(answer.errors).toBeUndefined();
    const [offer] = answer.data.publishCapacity.offers;
    expect(offer).toMatchObject({ availableSlots: 4 });
    expect(offer.validUntil >= addDays(stockholmDate(), 59)).toBe(true);
  });

  it("creating an agreement answers its first version (not null) when it starts today", async () => {
    const mutation = block("Example: a care-guarantee agreement", "graphql");
    expect(mutation).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    const today = stockholmDate();
    const { data, errors } = await hub.query(mutation, {
      provider: "cf54859c-6a01-5069-a2ac-c86cc50ece02",
      from: today,
      yearEnd: addDays(today, 364),
    });
    expect(errors).toBeUndefined();
    expect(data.createAgreement).toMatchObject({
      validFrom: today,
      validUntil: null,
      version: { version: 1, effectiveFrom: today },
      versions: [{ version: 1 }],
      ceilings: [{ periodUntil: addDays(today, 364), remainingCases: 150 }],
    });
  });
});
