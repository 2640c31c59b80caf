/**
 * The peer directory (HUB_PEERS_FILE): the other nodes of the network, as configuration. For each
 * peer its region code, name, gateway URL, issuer and JWKS URL, and whether it is enabled. There is
 * no central node: every node keeps its own file. The file is read again when it changes (checked
 * by its modification time and size at most every POLL_MS), so peers are added, disabled or given
 * new keys without a restart; a changed file that is not valid is reported and the last valid
 * directory stays in use.
 */

import fs from "node:fs";
import { StartupError } from "../errors";
import { isRegionCode } from "../domain/regions";
import { logger } from "../log";

export interface Peer {
  regionCode: string;
  name: string;
  /** The peer's gateway GraphQL endpoint, e.g. https://hub.regionskane.se/graphql. */
  gatewayUrl: string;
  /** The `iss` of the peer's node tokens; also the audience this node's tokens carry for it. */
  issuer: string;
  /** Where the peer publishes its node keys (its gateway's /.well-known/jwks.json). */
  jwksUrl: string;
  enabled: boolean;
}

const POLL_MS = 250;
const log = logger("network/directory");

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Checks a directory's content; every mistake is named with the entry and field. */
export function parseDirectory(text: string, ownRegionCode: string, source: string): Peer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StartupError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { peers?: unknown } | null)?.peers;
  if (!Array.isArray(list)) throw new StartupError(`${source} must be a list of peers (or { "peers": [...] })`);
  const seen = new Set<string>();
  return list.map((entry, index) => {
    const at = `${source}: peers[${index}]`;
    if (typeof entry !== "object" || entry === null) throw new StartupError(`${at} must be an object`);
    const e = entry as Record<string, unknown>;
    if (typeof e.regionCode !== "string" || !isRegionCode(e.regionCode))
      throw new StartupError(`${at}.regionCode must be a county code "01".."25", got ${JSON.stringify(e.regionCode)}`);
    if (e.regionCode === ownRegionCode) throw new StartupError(`${at}.regionCode ${e.regionCode} is this node's own region`);
    if (seen.has(e.regionCode)) throw new StartupError(`${at}.regionCode ${e.regionCode} is listed twice`);
    seen.add(e.regionCode);
    if (typeof e.name !== "string" || e.name.length === 0 || e.name.length > 200)
      throw new StartupError(`${at}.name must be a name of 1 to 200 characters`);
    for (const field of ["gatewayUrl", "jwksUrl"] as const) {
      if (!isHttpUrl(e[field])) throw new StartupError(`${at}.${field} must be an http(s) URL, got ${JSON.stringify(e[field])}`);
    }
    if (typeof e.issuer !== "string" || e.issuer.length === 0) throw new StartupError(`${at}.issuer must be the peer's issuer URL`);
    if (e.enabled !== undefined && typeof e.enabled !== "boolean") throw new StartupError(`${at}.enabled must be true or false`);
    return {
      regionCode: e.regionCode,
      name: e.name,
      gatewayUrl: e.gatewayUrl as string,
      issuer: e.issuer,
      jwksUrl: e.jwksUrl as string,
      enabled: e.enabled !== false,
    };
  });
}

export class PeerDirectory {
  private peers: Peer[] = [];
  private stamp = "";
  private checkedAt = 0;

  /** Reads the file now; a missing or invalid file at start is a StartupError. No file: no peers. */
  constructor(
    readonly file: string | null,
    private readonly ownRegionCode: string,
  ) {
    if (file) this.reload(true);
  }

  private reload(strict: boolean): void {
    if (!this.file) return;
    let stamp: string;
    try {
      const stat = fs.statSync(this.file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch (error) {
      if (strict) throw new StartupError(`HUB_PEERS_FILE ${this.file} cannot be read: ${(error as Error).message}`);
      if (this.stamp !== "missing") log.error(`${this.file} cannot be read; keeping the last valid directory`);
      this.stamp = "missing";
      return;
    }
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    try {
      this.peers = parseDirectory(fs.readFileSync(this.file, "utf8"), this.ownRegionCode, this.file);
      log.info(`directory loaded: ${this.peers.map((p) => `${p.regionCode}${p.enabled ? "" : " (disabled)"}`).join(", ") || "no peers"}`);
    } catch (error) {
      if (strict) throw error;
      log.error(`${(error as Error).message}; keeping the last valid directory`);
    }
  }

  /** Every peer listed, enabled or not, by region code; the file is re-read if it changed. */
  all(): Peer[] {
    const now = Date.now();
    if (now - this.checkedAt >= POLL_MS) {
      this.checkedAt = now;
      this.reload(false);
    }
    return this.peers;
  }

  /** The enabled peer that uses this issuer, if any. */
  byIssuer(issuer: string): Peer | undefined {
    return this.all().find((p) => p.issuer === issuer);
  }

  byRegion(regionCode: string): Peer | undefined {
    return this.all().find((p) => p.regionCode === regionCode);
  }
}
