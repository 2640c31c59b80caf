/**
 * The documentation points at what is there. A newcomer follows the READMEs' paths into the code,
 * so every repository path they name (in backticks or as a relative link) must exist: a file moved
 * without its mention fails here. And the text says what it means instead of pointing at a
 * tracker's numbers, which mean nothing to someone reading the repository alone.
 */

import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../subgraphs/shared/paths";

const DOCS = ["README.md", "gateway/README.md", "test/bench/README.md", "subgraphs/README.md"];
/** The folders a path written from the repository's root starts with. */
const TOP_LEVEL = ["subgraphs/", "gateway/", "seeds/", "schema/", "test/", ".ci/"];
/** Written as a pattern, not a file: `subgraphs/<name>/index.ts`, `schema/*.graphql`, `{json,md}`, `…`. */
const PLACEHOLDER = /[<>{}*…$|]/;

const read = (file: string) => fs.readFileSync(path.join(projectRoot(), file), "utf8");
const withoutFencedBlocks = (text: string) => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

/** Repository paths written in backticks, from the root: each word of a code span that starts with a top-level folder. */
function codePaths(text: string): string[] {
  const spans = [...withoutFencedBlocks(text).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return spans
    .flatMap((span) => span.split(/\s+/))
    .map((word) => word.replace(/[.,;:)]+$/, ""))
    .filter((word) => TOP_LEVEL.some((top) => word.startsWith(top)) && word.includes("/") && !PLACEHOLDER.test(word));
}

/** Relative link targets, from the linking file's folder (no URL, no anchor within the page). */
function linkTargets(text: string): string[] {
  const targets = [...withoutFencedBlocks(text).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]);
  return targets.filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

/** The anchors a markdown file's headings get (GitHub's rule: lower case, punctuation dropped, spaces to hyphens). */
function anchors(text: string): Set<string> {
  const headings = [...withoutFencedBlocks(text).matchAll(/^#{1,6} +(.+)$/gm)].map((m) => m[1]);
  return new Set(
    headings.map((heading) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    ),
  );
}

/** Links to a heading, here or in another markdown file: `[text](file.md#heading)` or `[text](#heading)`. */
function headingLinks(text: string): { target: string; anchor: string }[] {
  return [...withoutFencedBlocks(text).matchAll(/\]\(([^)#\s]*)#([^)\s]+)\)/g)]
    .map((m) => ({ target: m[1], anchor: m[2] }))
    .filter(({ target }) => target === "" || target.endsWith(".md"));
}

/** Folders holding others' text or generated files, not the project's own documentation. */
const NOT_THE_PROJECTS = ["node_modules", "dist", ".data", ".git", "bench-results"];

function projectFiles(dir: string, endings: readonly string[]): string[] {
  return fs.readdirSync(path.join(projectRoot(), dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_THE_PROJECTS.includes(entry.name) ? [] : projectFiles(relative, endings);
    return endings.some((ending) => entry.name.endsWith(ending)) ? [relative] : [];
  });
}

describe("the documentation", () => {
  it.each(DOCS)("%s names only repository paths that exist", (file) => {
    const text = read(file);
    const missing = [
      ...codePaths(text).filter((p) => !fs.existsSync(path.join(projectRoot(), p))),
      ...linkTargets(text).filter((target) => !fs.existsSync(path.resolve(projectRoot(), path.dirname(file), target))),
    ];
    expect(missing).toEqual([]);
  });

  it.each(DOCS)("%s links only to headings that exist", (file) => {
    const broken = headingLinks(read(file)).filter(({ target, anchor }) => {
      const linked = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      return fs.existsSync(path.join(projectRoot(), linked)) && !anchors(read(linked)).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  it("reads paths from backticks and links, and leaves patterns alone", () => {
    const sample = [
      "See `subgraphs/shared/x.ts`, `npx jest test/e2e/a.test.ts` and `subgraphs/<name>/index.ts`;",
      "[b](../gateway/y.ts), [c](#here), [d](https://e.org/f).",
      "```sh\nnode gateway/z.js\n```\n",
    ].join("\n");
    expect(codePaths(sample)).toEqual(["subgraphs/shared/x.ts", "test/e2e/a.test.ts"]);
    expect(linkTargets(sample)).toEqual(["../gateway/y.ts"]);
    const headings = "## Who may call: tokens and roles\n### Filling a region's node\n";
    expect([...anchors(headings)]).toEqual(["who-may-call-tokens-and-roles", "filling-a-regions-node"]);
  });

  it("refers to no issue by its number, in any markdown or source file", () => {
    const mentions = projectFiles(".", [".md", ".ts", ".tsx"]).flatMap((file) =>
      read(file)
        .split("\n")
        .map((line, index) => ({ file, line: index + 1, text: line }))
        .filter(({ text }) => /\bissues?\s*#?\d+/i.test(text) || /(^|[\s(])#\d+\b/.test(text)),
    );
    expect(mentions).toEqual([]);
  });
});
