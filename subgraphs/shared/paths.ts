import fs from "node:fs";
import path from "node:path";

let root: string | undefined;

/** The folder holding package.json, whether running from sources (tests) or from dist/. */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the project folder (package.json)");
    dir = parent;
  }
  root = dir;
  return dir;
}

/** Where `npm run compose` (schema/compose.ts) writes the subgraphs' SDL and the supergraph, and the gateway reads the latter. */
export const SCHEMA_DIR = path.join(projectRoot(), "schema");
export const SUPERGRAPH_FILE = path.join(SCHEMA_DIR, "supergraph.graphql");
