/**
 * `npm run compose`: composes the supergraph from the subgraphs' SDL as the code builds it (no
 * running servers, like a schema registry's check) and writes schema/*.graphql. It imports every
 * subgraph, so it sits beside the schema it writes, above the gateway (which only reads the file).
 */

import fs from "node:fs";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { GraphQLSchema, parse } from "graphql";
import { loadConfig, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/shared/config";
import { projectRoot, SCHEMA_DIR, SUPERGRAPH_FILE } from "../subgraphs/shared/paths";
import { SUBGRAPHS } from "../seeds/subgraphs";

export interface Composition {
  subgraphSdl: Record<SubgraphName, string>;
  supergraphSdl: string;
  /** The schema clients see through the gateway. */
  apiSchema: GraphQLSchema;
}

/**
 * Composes the supergraph from the subgraphs' SDL as the code builds it (no running servers,
 * like a schema registry's check). The URLs in the composed file are the defaults; the gateway
 * points each subgraph at its configured URL at run time.
 */
export async function composeSupergraph(): Promise<Composition> {
  const defaults = loadConfig({});
  const subgraphSdl = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) subgraphSdl[name] = (await SUBGRAPHS[name].buildSchema()).sdl;
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({ name, url: defaults.subgraphUrls[name], typeDefs: parse(subgraphSdl[name]) })),
  );
  if (result.errors?.length || !result.supergraphSdl) {
    throw new Error(`composition failed:\n${(result.errors ?? []).map((e) => `- ${e.message}`).join("\n")}`);
  }
  return { subgraphSdl, supergraphSdl: `${result.supergraphSdl.trim()}\n`, apiSchema: result.schema.toAPISchema().toGraphQLJSSchema() };
}

export function writeComposition(composition: Composition): string[] {
  fs.mkdirSync(SCHEMA_DIR, { recursive: true });
  const written: string[] = [];
  for (const name of SUBGRAPH_NAMES) {
    const file = path.join(SCHEMA_DIR, `${name}.graphql`);
    fs.writeFileSync(file, composition.subgraphSdl[name]);
    written.push(file);
  }
  fs.writeFileSync(SUPERGRAPH_FILE, composition.supergraphSdl);
  written.push(SUPERGRAPH_FILE);
  return written;
}

if (require.main === module) {
  composeSupergraph()
    .then((composition) => {
      for (const file of writeComposition(composition)) console.log(`wrote ${path.relative(projectRoot(), file)}`);
    })
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}
