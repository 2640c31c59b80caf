import fs from "node:fs";
import { SUPERGRAPH_FILE } from "../../../subgraphs/shared/paths";

/**
 * The committed supergraph with each subgraph's URL taken from the environment (<NAME>_URL), so the
 * comparison gateways serve exactly the same composed schema against the same subgraph processes.
 */
export function benchSupergraph(): string {
  let sdl = fs.readFileSync(SUPERGRAPH_FILE, "utf8");
  for (const name of ["patients", "capacity", "agreements", "referrals"]) {
    const url = process.env[`${name.toUpperCase()}_URL`];
    if (!url) throw new Error(`${name.toUpperCase()}_URL is not set`);
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${url}$2`);
  }
  return sdl;
}

/** The hub's subgraphs answer only callers the gateway vouches for; the peers forward the header the harness signed. */
export const IDENTITY_HEADER = "x-hub-identity";
