import fs from "node:fs";
import { SUPERGRAPH_FILE } from "../../gateway/compose";
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
  expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^WORKLIST: Cannot query field "daysLeft" on type "CareGuarantee"/)]));
});

it("without Chromium the browser tests fail with one line saying how to install it", () => {
  expect(() => chromiumPath(["/nonexistent/chromium"])).toThrow(/^Chromium is not installed: run `apt-get update && apt-get install -y --no-install-recommends chromium`[^\n]*$/);
});
