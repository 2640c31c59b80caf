import os from "node:os";
import path from "node:path";
import { StartupError } from "./errors";
import { projectRoot } from "./paths";
import { isRegionCode } from "./domain/regions";

/** The four subgraphs, in the order the hub starts them. */
export const SUBGRAPH_NAMES = ["patients", "capacity", "agreements", "referrals"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/**
 * Each subgraph's default port is the gateway's plus this (4001-4004 beside 4000), so a second hub
 * on one machine needs only another PORT.
 */
const SUBGRAPH_PORT_OFFSETS: Record<SubgraphName, number> = {
  patients: 1,
  capacity: 2,
  agreements: 3,
  referrals: 4,
};

/** The embedded PostgreSQL's default port beside the default gateway port 4000 (kept from before ports followed PORT). */
const DEFAULT_PG_PORT = 54329;

/**
 * Default ports that follow the gateway's PORT: PORT+1..PORT+4 for the subgraphs, and for the
 * embedded PostgreSQL PORT+50329 (54329 for 4000, 55329 for 5000), or PORT+5 where that would pass
 * 65535. PORT=0 (a free port chosen at start) gives each subgraph a free port too, and PostgreSQL
 * 54329. Explicit <NAME>_PORT and HUB_PG_PORT always win.
 */
export function defaultPorts(gatewayPort: number): { subgraphs: Record<SubgraphName, number>; postgres: number } {
  const subgraphs = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) subgraphs[name] = gatewayPort === 0 ? 0 : gatewayPort + SUBGRAPH_PORT_OFFSETS[name];
  if (gatewayPort === 0) return { subgraphs, postgres: DEFAULT_PG_PORT };
  const beside = gatewayPort + (DEFAULT_PG_PORT - 4000);
  return { subgraphs, postgres: beside <= 65535 ? beside : gatewayPort + 5 };
}

export type SeedMode = "demo" | "reference" | "none";

/** An identity provider whose tokens the gateway accepts, with where its signing keys are. */
export interface TrustedIssuer {
  issuer: string;
  /** A JWKS URL (https://…) or a file holding a JWKS. */
  jwks: string;
  /**
   * For the web app's sign-in (OpenID Connect authorisation code with PKCE): the app's client id
   * at this identity provider and its endpoints. An issuer without them is trusted for tokens but
   * not offered as a sign-in.
   */
  clientId?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** Shown on the sign-in button (the issuer when absent). */
  name?: string;
  /** Scopes asked for ("openid" when absent). */
  scope?: string;
}

export interface AuthConfig {
  /** The `aud` every accepted token must carry. */
  audience: string;
  issuers: TrustedIssuer[];
  /** Development signing key (created on first use); never in production. */
  devKeyFile: string | null;
  /** Shared by the gateway and the subgraphs to sign and check the caller's identity. */
  internalSecret: string | undefined;
}

export interface HubConfig {
  /** Interface every server binds to. Loopback by default: nothing is exposed by accident. */
  host: string;
  gatewayPort: number;
  subgraphPorts: Record<SubgraphName, number>;
  /** Where the gateway reaches each subgraph (defaults to host and port above). */
  subgraphUrls: Record<SubgraphName, string>;
  /** Where subgraphs reach the gateway when they ask the supergraph on a caller's behalf (brokering). */
  gatewayUrl: string;
  /** A waiting referral with fewer days left than this is at risk of breaching the care guarantee. */
  atRiskMarginDays: number;
  /** Years the patient-data audit log is kept before it is purged (at least the legal five). */
  auditRetentionYears: number;
  /** An external PostgreSQL; when absent, `npm start` runs an embedded one. Its role is the migrator (owner of the schemas). */
  databaseUrl: string | undefined;
  /** The subgraphs' runtime roles (see shared/db/roles.ts). */
  databaseRoles: { prefix: string; urls: Partial<Record<SubgraphName, string>>; secret: string | undefined };
  /** County code of the region this node belongs to ("13" = Region Halland). */
  regionCode: string;
  production: boolean;
  /** What `npm start` seeds on a database's first start: demo data never in production. */
  seedMode: SeedMode;
  introspection: boolean;
  embeddedPostgres: { dataDir: string | undefined; port: number };
  auth: AuthConfig;
  limits: { ratePerMinute: number; costPerMinute: number; costInFlight: number; subgraphTimeoutMs: number };
  /** The gateway's response cache for capacity and agreements answers (maxBytes 0: off). */
  responseCache: { maxBytes: number; ttlMs: number };
  /** Gateway worker processes sharing its port (HUB_GATEWAY_WORKERS; see gateway/workers.ts). */
  gatewayWorkers: number;
  /** This node in the national network: its identity and its peers. */
  network: NetworkConfig;
}

/**
 * HUB_GATEWAY_WORKERS: a whole number from 1, or "auto" (one per core). Default: one per core in
 * production, one in development (a developer's `npm start` stays one process to debug).
 */
export function gatewayWorkerCount(env: Env, production: boolean): number {
  const setting = env.HUB_GATEWAY_WORKERS;
  if (setting === undefined || setting === "") return production ? os.availableParallelism() : 1;
  if (setting === "auto") return os.availableParallelism();
  const count = Number(setting);
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw new StartupError(`HUB_GATEWAY_WORKERS must be a whole number from 1 to 256 or "auto" (one per core), got "${setting}"`);
  }
  return count;
}

/** This node's identity among its peers and where it finds them (see subgraphs/shared/network). */
export interface NetworkConfig {
  /** The node's signing keys (HUB_NODE_KEY_FILE); created on first start outside production. */
  nodeKeyFile: string;
  /** The node's issuer URL (HUB_NODE_ISSUER); derived from the gateway's URL when unset. */
  issuer: string | undefined;
  /** The peer directory (HUB_PEERS_FILE); no file: a node on its own. */
  peersFile: string | null;
  /** No peer holds a national search longer than this (HUB_PEER_TIMEOUT_MS). */
  peerTimeoutMs: number;
  /** Largest peer answer accepted, in bytes (HUB_PEER_MAX_ANSWER_BYTES). */
  peerMaxAnswerBytes: number;
}

/** The issuer a node's tokens carry: configured, or the origin of its gateway (http://host:port). */
export function nodeIssuer(network: NetworkConfig, gatewayUrl: string): string {
  return network.issuer ?? new URL(gatewayUrl).origin;
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new StartupError(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return value;
}

/** A port whose default follows PORT: when that default is out of range, say which variable to set. */
function derivedPort(env: Env, name: string, fallback: number, gatewayPort: number): number {
  if ((env[name] === undefined || env[name] === "") && fallback > 65535) {
    throw new StartupError(
      `PORT=${gatewayPort} leaves no room for ${name}'s default (${fallback} is past 65535); set ${name}, or a lower PORT`,
    );
  }
  return port(env, name, fallback);
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new StartupError(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
}

function wholeNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new StartupError(`${name} must be a whole number of 0 or more, got "${raw}"`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no"].includes(raw.toLowerCase())) return false;
  throw new StartupError(`${name} must be true or false, got "${raw}"`);
}

/** Reads and checks the hub's settings; a bad value is a one-line StartupError. */
export function loadConfig(env: Env = process.env): HubConfig {
  const host = env.HOST || "127.0.0.1";
  const production = env.NODE_ENV === "production";
  const regionCode = env.HUB_REGION_CODE || "13";
  if (!isRegionCode(regionCode)) {
    throw new StartupError(`HUB_REGION_CODE must be one of the 21 county codes ("01".."25"), got "${regionCode}"`);
  }
  const seedMode = (env.HUB_SEED || (production ? "reference" : "demo")) as SeedMode;
  if (!["demo", "reference", "none"].includes(seedMode)) {
    throw new StartupError(`HUB_SEED must be demo, reference or none, got "${seedMode}"`);
  }
  if (production && seedMode === "demo") {
    throw new StartupError("HUB_SEED=demo loads synthetic patients and is refused when NODE_ENV=production");
  }
  // A wildcard address is fine to listen on but not to connect to.
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  if (production && env.HUB_PEERS_FILE && !env.HUB_NODE_ISSUER) {
    throw new StartupError(
      "HUB_PEERS_FILE is set, so NODE_ENV=production needs HUB_NODE_ISSUER: the public URL this node's peers know it by (their directories name it)",
    );
  }
  const gatewayPort = port(env, "PORT", 4000);
  const defaults = defaultPorts(gatewayPort);
  const subgraphPorts = {} as Record<SubgraphName, number>;
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const key = name.toUpperCase();
    subgraphPorts[name] = derivedPort(env, `${key}_PORT`, defaults.subgraphs[name], gatewayPort);
    subgraphUrls[name] = env[`${key}_URL`] || `http://${reachable}:${subgraphPorts[name]}/graphql`;
  }
  return {
    host,
    gatewayPort,
    gatewayUrl: env.HUB_GATEWAY_URL || `http://${reachable}:${gatewayPort}/graphql`,
    atRiskMarginDays: positive(env, "HUB_AT_RISK_MARGIN_DAYS", 14),
    auditRetentionYears: auditRetention(env),
    subgraphPorts,
    subgraphUrls,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseRoles: databaseRoles(env),
    regionCode,
    production,
    seedMode,
    introspection: flag(env, "GRAPHQL_INTROSPECTION", !production),
    embeddedPostgres: { dataDir: env.HUB_PG_DATA || undefined, port: derivedPort(env, "HUB_PG_PORT", defaults.postgres, gatewayPort) },
    auth: authConfig(env, production),
    gatewayWorkers: gatewayWorkerCount(env, production),
    limits: {
      ratePerMinute: positive(env, "HUB_RATE_LIMIT_PER_MINUTE", 600),
      // Fifteen maximum-cost requests (20 000) a minute, or some forty pages of 100 offers with coverage.
      costPerMinute: costBudget(env),
      // One maximum-cost request of a client at a time; a client's searches (a few hundred to a few thousand each) run side by side.
      costInFlight: positive(env, "HUB_COST_IN_FLIGHT", 20_000),
      subgraphTimeoutMs: positive(env, "HUB_SUBGRAPH_TIMEOUT_MS", 10_000),
    },
    responseCache: {
      maxBytes: wholeNumber(env, "HUB_RESPONSE_CACHE_MB", 64) * 1024 * 1024,
      ttlMs: positive(env, "HUB_RESPONSE_CACHE_TTL_SECONDS", 60) * 1000,
    },
    network: {
      nodeKeyFile: env.HUB_NODE_KEY_FILE || path.join(projectRoot(), ".data", `node-key-${regionCode}.json`),
      issuer: env.HUB_NODE_ISSUER || undefined,
      peersFile: env.HUB_PEERS_FILE || null,
      peerTimeoutMs: positive(env, "HUB_PEER_TIMEOUT_MS", 2000),
      peerMaxAnswerBytes: positive(env, "HUB_PEER_MAX_ANSWER_BYTES", 1_000_000),
    },
  };
}

function authConfig(env: Env, production: boolean): AuthConfig {
  let issuers: TrustedIssuer[] = [];
  if (env.HUB_TRUSTED_ISSUERS) {
    try {
      issuers = JSON.parse(env.HUB_TRUSTED_ISSUERS);
    } catch {
      throw new StartupError(
        'HUB_TRUSTED_ISSUERS must be JSON: [{"issuer": "https://idp.example", "jwks": "https://idp.example/jwks.json or /path/jwks.json"}]',
      );
    }
    if (
      !Array.isArray(issuers) ||
      !issuers.every((i) => typeof i?.issuer === "string" && i.issuer && typeof i.jwks === "string" && i.jwks)
    ) {
      throw new StartupError("HUB_TRUSTED_ISSUERS must be a list of { issuer, jwks } with both set");
    }
    for (const i of issuers) {
      for (const key of ["clientId", "authorizationEndpoint", "tokenEndpoint", "name", "scope"] as const) {
        if (i[key] !== undefined && (typeof i[key] !== "string" || !i[key]))
          throw new StartupError(`HUB_TRUSTED_ISSUERS: ${key} of ${i.issuer} must be text`);
      }
      for (const key of ["authorizationEndpoint", "tokenEndpoint"] as const) {
        if (i[key] !== undefined && !/^https?:\/\//.test(i[key]!))
          throw new StartupError(`HUB_TRUSTED_ISSUERS: ${key} of ${i.issuer} must be an http(s) URL`);
      }
      if (i.clientId && !(i.authorizationEndpoint && i.tokenEndpoint)) {
        throw new StartupError(
          `HUB_TRUSTED_ISSUERS: ${i.issuer} has a clientId for the web app's sign-in, so it needs authorizationEndpoint and tokenEndpoint too`,
        );
      }
    }
  }
  if (production && env.HUB_DEV_KEY_FILE) {
    throw new StartupError(
      "HUB_DEV_KEY_FILE is set, but the development signing key is refused when NODE_ENV=production; configure HUB_TRUSTED_ISSUERS",
    );
  }
  const internalSecret = env.HUB_INTERNAL_SECRET || undefined;
  if (internalSecret !== undefined && internalSecret.length < 32) {
    throw new StartupError("HUB_INTERNAL_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)");
  }
  return {
    audience: env.HUB_JWT_AUDIENCE || "care-brokering-hub",
    issuers,
    devKeyFile: production ? null : env.HUB_DEV_KEY_FILE || path.join(projectRoot(), ".data", "dev-signing-key.json"),
    internalSecret,
  };
}

/** Runtime roles: made by the migrator (prefix, password from a secret), or given as URLs by the operator. */
function databaseRoles(env: Env): HubConfig["databaseRoles"] {
  const prefix = env.HUB_DATABASE_ROLE_PREFIX || "care_hub";
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) {
    throw new StartupError(`HUB_DATABASE_ROLE_PREFIX must be lower-case letters, digits and underscores (at most 41), got "${prefix}"`);
  }
  const urls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = env[`${name.toUpperCase()}_DATABASE_URL`];
    if (url) urls[name] = url;
  }
  const secret = env.HUB_DATABASE_ROLE_SECRET || undefined;
  if (secret !== undefined && secret.length < 32)
    throw new StartupError("HUB_DATABASE_ROLE_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)");
  return { prefix, urls, secret };
}

/**
 * Only the gateway verifies callers' tokens, so only it (and `npm start`, which runs it) needs to
 * know the identity providers; a subgraph on its own trusts the gateway's signature instead.
 */
export function requireTrustedIssuers(config: HubConfig): void {
  if (config.production && config.auth.issuers.length === 0) {
    throw new StartupError("NODE_ENV=production needs HUB_TRUSTED_ISSUERS: the identity providers whose tokens the hub accepts");
  }
}

/** The per-client cost budget must hold at least one request of the largest allowed cost. */
function costBudget(env: Env): number {
  const value = positive(env, "HUB_COST_PER_MINUTE", 300_000);
  if (value < 20_000)
    throw new StartupError(`HUB_COST_PER_MINUTE must be at least 20000 (one request of the largest allowed cost), got ${value}`);
  return value;
}

/** Patientdatalagen and HSLF-FS 2016:40 keep access logs at least five years; a region may keep them longer. */
function auditRetention(env: Env): number {
  const years = positive(env, "HUB_AUDIT_RETENTION_YEARS", 5);
  if (years < 5)
    throw new StartupError(`HUB_AUDIT_RETENTION_YEARS must be at least 5 (access logs are kept at least five years), got ${years}`);
  return years;
}
