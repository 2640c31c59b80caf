import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { Supergraph } from "@apollo/federation-internals";
import { DocumentNode, GraphQLSchema, parse, validate } from "graphql";
import { projectRoot } from "../../subgraphs/shared/paths";
import { OPERATIONS } from "./operations";
import { WEB_DIR } from "./serve";

/**
 * Builds the web app into dist/web: first every operation the app sends is validated against the
 * API schema of the committed supergraph (a schema change that breaks a screen fails the build),
 * then esbuild bundles the app (one hashed script and stylesheet) and writes index.html.
 */
const SOURCE = path.join(projectRoot(), "gateway", "web", "app");

export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/** Each operation that does not validate, with graphql-js's reasons. */
export function checkOperations(supergraphSdl: string, operations: Record<string, string> = OPERATIONS): string[] {
  const schema = apiSchemaOf(supergraphSdl);
  const problems: string[] = [];
  for (const [name, text] of Object.entries(operations)) {
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    for (const error of validate(schema, document)) problems.push(`${name}: ${error.message}`);
  }
  return problems;
}

export interface WebBuild {
  /** Bytes of the script and stylesheet, gzipped (what a browser downloads). */
  gzipBytes: number;
  files: string[];
}

export async function buildWeb(outDir = WEB_DIR): Promise<WebBuild> {
  const supergraph = fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8");
  const problems = checkOperations(supergraph);
  if (problems.length) throw new Error(`the web app's operations do not match schema/supergraph.graphql:\n  ${problems.join("\n  ")}`);
  // esbuild is loaded only here: the gateway serving dist/web never needs it.
  const esbuild = await import("esbuild");
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [path.join(SOURCE, "main.tsx")],
    bundle: true,
    minify: true,
    format: "esm",
    target: ["chrome110", "firefox110", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: path.join(outDir, "assets"),
    entryNames: "app-[hash]",
    metafile: true,
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const script = outputs.find((f) => f.endsWith(".js"))!;
  const style = outputs.find((f) => f.endsWith(".css"));
  const html = fs
    .readFileSync(path.join(SOURCE, "index.html"), "utf8")
    .replace(
      "<!--assets-->",
      `${style ? `<link rel="stylesheet" href="/assets/${style}">` : ""}<script type="module" src="/assets/${script}"></script>`,
    );
  fs.writeFileSync(path.join(outDir, "index.html"), html);
  const files = [script, ...(style ? [style] : [])];
  const gzipBytes = files.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(outDir, "assets", f)), { level: 9 }).length, 0);
  return { gzipBytes, files };
}

if (require.main === module) {
  buildWeb().then(
    (build) =>
      process.stdout.write(`web app built into dist/web: ${build.files.join(", ")} (${(build.gzipBytes / 1024).toFixed(1)} KiB gzipped)\n`),
    (error: Error) => {
      process.stderr.write(`web app: ${error.message}\n`);
      process.exit(1);
    },
  );
}
