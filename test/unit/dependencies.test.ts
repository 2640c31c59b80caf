/**
 * Dependencies run one way: subgraphs/shared/domain <- subgraphs/shared <- each subgraph <- gateway
 * <- seeds (subgraphs/README.md). This test reads every relative import of every .ts file under
 * subgraphs/, gateway/ and seeds/ (type-only imports and re-exports included: they tie the modules
 * together for a reader as much as a value import does) and fails on an import that points upward
 * or sideways, and on any import circle, naming the files involved.
 *
 * It parses the text rather than asking the compiler so that it stays fast and has no opinion about
 * what TypeScript elides: a layer is about what a reader must understand first.
 */

import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../subgraphs/shared/paths";

const ROOT = projectRoot();
/** schema/ holds `npm run compose`, which imports every subgraph: it sits at the top with seeds/. */
const SCANNED = ["subgraphs", "gateway", "seeds", "schema"];
/** The web app is a browser bundle of its own, with its own tsconfig; it imports nothing of the hub's. */
const NOT_SCANNED = new Set(["gateway/web/app"]);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_SCANNED.has(rel) || entry.name === "node_modules" ? [] : sources(rel);
    return rel.endsWith(".ts") && !rel.endsWith(".d.ts") ? [rel] : [];
  });
}

/** The relative module specifiers a file imports or re-exports, static or dynamic. */
function relativeImports(text: string): string[] {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;"']*?\bfrom\s*["'](\.{1,2}\/[^"']*)["']/g,
    /\bimport\s*["'](\.{1,2}\/[^"']*)["']/g,
    /\b(?:import|require)\s*\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of withoutComments.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** The project file a specifier from `file` resolves to (as node16 resolution finds a .ts source), or undefined when it is not one of ours. */
function resolve(file: string, specifier: string, known: Set<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, "");
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) if (known.has(candidate)) return candidate;
  return undefined;
}

type Layer =
  | { kind: "domain" }
  | { kind: "shared" }
  | { kind: "subgraph"; name: string }
  | { kind: "gateway" }
  | { kind: "seeds" }
  | { kind: "schema" };

function layerOf(file: string): Layer {
  if (file.startsWith("subgraphs/shared/domain/")) return { kind: "domain" };
  if (file.startsWith("subgraphs/shared/")) return { kind: "shared" };
  if (file.startsWith("subgraphs/")) return { kind: "subgraph", name: file.split("/")[1] };
  if (file.startsWith("gateway/")) return { kind: "gateway" };
  if (file.startsWith("schema/")) return { kind: "schema" };
  return { kind: "seeds" };
}

function describeLayer(layer: Layer): string {
  return layer.kind === "subgraph"
    ? `subgraph ${layer.name}`
    : layer.kind === "domain"
      ? "subgraphs/shared/domain"
      : layer.kind === "shared"
        ? "subgraphs/shared"
        : layer.kind;
}

/** Why `from` may not import `to`, or undefined when it may. */
function violation(from: string, to: string): string | undefined {
  const a = layerOf(from);
  const b = layerOf(to);
  const forbidden = (): string => `${describeLayer(a)} imports ${describeLayer(b)}`;
  switch (a.kind) {
    case "domain":
      return b.kind === "domain" ? undefined : `${forbidden()} (the shared domain imports nothing outside it)`;
    case "shared":
      return b.kind === "domain" || b.kind === "shared" ? undefined : forbidden();
    case "subgraph":
      if (b.kind === "domain" || b.kind === "shared") return undefined;
      if (b.kind === "subgraph" && b.name === a.name) return undefined;
      return forbidden();
    case "gateway":
      return b.kind === "subgraph" || b.kind === "seeds" ? forbidden() : undefined;
    case "seeds":
    case "schema":
      return undefined;
  }
}

/** The elementary circles of a directed graph, each once, found from its strongly connected parts (Tarjan), one circle per part shown. */
function importCircles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strongConnect = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        strongConnect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) strongConnect(node);
  // For each tangle, show one concrete circle through its first file (breadth-first, so the shortest).
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0];
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const next of graph.get(node) ?? []) {
        if (!members.has(next)) continue;
        if (next === start) {
          const circle = [node];
          while (circle[0] !== start) circle.unshift(previous.get(circle[0])!);
          return [...circle, start];
        }
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    return [start, start];
  });
}

function importGraph(): Map<string, string[]> {
  const files = SCANNED.flatMap(sources);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const targets = relativeImports(text).map((specifier) => resolve(file, specifier, known));
    graph.set(file, [...new Set(targets.filter((target): target is string => target !== undefined))]);
  }
  return graph;
}

describe("dependencies run one way", () => {
  const graph = importGraph();

  it("reads the imports of every layer", () => {
    const imports = (file: string): string[] => graph.get(file) ?? [];
    expect([...graph.keys()]).toEqual(
      expect.arrayContaining(["gateway/gateway.ts", "subgraphs/shared/subgraph.ts", "subgraphs/shared/domain/calendar.ts"]),
    );
    expect(imports("gateway/gateway.ts")).toContain("subgraphs/shared/config.ts");
    expect(relativeImports(`import type { A } from "./a";\nexport { B } from "../b.js";\nconst c = await import("./c");`)).toEqual([
      "./a",
      "../b.js",
      "./c",
    ]);
  });

  it("recognises an upward import and a circle", () => {
    expect(violation("subgraphs/shared/x.ts", "gateway/gateway.ts")).toBe("subgraphs/shared imports gateway");
    expect(violation("subgraphs/capacity/x.ts", "subgraphs/referrals/y.ts")).toBe("subgraph capacity imports subgraph referrals");
    expect(violation("gateway/x.ts", "subgraphs/shared/y.ts")).toBeUndefined();
    const circle = importCircles(
      new Map([
        ["a", ["b"]],
        ["b", ["c"]],
        ["c", ["a"]],
        ["d", ["a"]],
      ]),
    );
    expect(circle).toEqual([["a", "b", "c", "a"]]);
  });

  // One case per importing area, so that a violation inside one subgraph (its own folder's business) is reported apart from the others.
  const areas = [
    "subgraphs/shared/domain",
    "subgraphs/shared",
    "subgraphs/agreements",
    "subgraphs/capacity",
    "subgraphs/patients",
    "subgraphs/referrals",
    "gateway",
    "seeds",
    "schema",
  ];
  const areaOf = (file: string): string => areas.find((area) => file.startsWith(`${area}/`))!;

  it.each(areas)("%s imports only what lies below it", (area) => {
    const problems: string[] = [];
    for (const [file, targets] of graph) {
      if (areaOf(file) !== area) continue;
      for (const target of targets) {
        const why = violation(file, target);
        if (why) problems.push(`${file} -> ${target}: ${why}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("has no import circle", () => {
    const circles = importCircles(graph).map((circle) => circle.join(" -> "));
    expect(circles).toEqual([]);
  });
});
