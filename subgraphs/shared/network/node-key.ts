import fs from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, JWK, SignJWT } from "jose";
import { StartupError } from "../errors";
import { Role } from "../identity";

/**
 * A node's own service identity: the ES256 key pairs it signs peer calls with, kept in one file.
 * The first key signs; a second one is the previous key, still published in the JWKS during a
 * rotation so that peers holding tokens (or a cached JWKS) signed with it keep working until it is
 * retired. Created on first start in development; in production the file is provisioned (and
 * `npm run node-key -- rotate` adds a new signing key, keeping the previous one).
 */
export const NODE_KEY_ALG = "ES256";

interface NodeKeyPair {
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface NodeKeyFile {
  /** Newest first: keys[0] signs, keys[1] (if any) is the previous key, still valid. */
  keys: NodeKeyPair[];
}

async function newKeyPair(): Promise<NodeKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(NODE_KEY_ALG, { extractable: true });
  const kid = `node-${new Date().toISOString().replace(/[-:.]/g, "")}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: NODE_KEY_ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: NODE_KEY_ALG, use: "sig" },
  };
}

function write(file: string, content: NodeKeyFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed, so a reader never sees half a key.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
  fs.renameSync(temp, file);
}

function read(file: string): NodeKeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new StartupError(`the node key file ${file} cannot be read: ${(error as Error).message}`);
  }
  const keys = (parsed as NodeKeyFile | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => k?.privateJwk?.kid && k?.publicJwk?.kid)) {
    throw new StartupError(`the node key file ${file} must hold { "keys": [{ "privateJwk", "publicJwk" }, …] } with a kid on each`);
  }
  return { keys };
}

/** The node's keys; the file is created with one new key when `create` allows it (development). */
export async function loadNodeKeys(file: string, create: boolean): Promise<NodeKeyFile> {
  if (!fs.existsSync(file)) {
    if (!create)
      throw new StartupError(
        `HUB_NODE_KEY_FILE ${file} does not exist; production nodes are given their key (npm run node-key -- rotate creates one)`,
      );
    write(file, { keys: [await newKeyPair()] });
  }
  return read(file);
}

/**
 * Starts a rotation: a new signing key first, the current one kept as the previous (still in the
 * JWKS); an older previous key is retired. Peers pick the new key up from the JWKS on first sight
 * of its kid. Run it again after peers have seen the new key to retire the old one.
 */
export async function rotateNodeKey(file: string): Promise<NodeKeyFile> {
  const current = fs.existsSync(file) ? read(file).keys : [];
  const next = { keys: [await newKeyPair(), ...current.slice(0, 1)] };
  write(file, next);
  return next;
}

/** The public half, as served at `/.well-known/jwks.json`. */
export function publicJwks(keys: NodeKeyFile): { keys: JWK[] } {
  return { keys: keys.keys.map((k) => k.publicJwk) };
}

/**
 * Signs and publishes as this node. The key file is read again when it changes on disk, so a
 * rotation takes effect without a restart.
 */
export class NodeIdentity {
  private cached: { mtimeMs: number; keys: NodeKeyFile } | undefined;

  constructor(
    readonly keyFile: string,
    /** The node's issuer URL, read when needed (derived from the gateway's URL once it listens). */
    readonly issuer: () => string,
    readonly regionCode: string,
  ) {}

  private keys(): NodeKeyFile {
    const mtimeMs = fs.statSync(this.keyFile).mtimeMs;
    if (!this.cached || this.cached.mtimeMs !== mtimeMs) this.cached = { mtimeMs, keys: read(this.keyFile) };
    return this.cached.keys;
  }

  /** The published keys; none while the node has no key (a node on its own never made one). */
  jwks(): { keys: JWK[] } {
    return fs.existsSync(this.keyFile) ? publicJwks(this.keys()) : { keys: [] };
  }

  private readonly tokens = new Map<string, { token: string; kid: string; renewAt: number }>();

  /**
   * A short-lived token (a minute) for calls to one peer: PEER_REGION of this node's region, for that
   * peer only. Reused for half its life, so a national search does not sign once per peer; a
   * rotated key is used from the next token on.
   */
  async peerToken(audience: string, lifetimeSeconds = 60): Promise<string> {
    const [current] = this.keys().keys;
    const kept = this.tokens.get(audience);
    if (kept && kept.kid === current.privateJwk.kid && Date.now() < kept.renewAt) return kept.token;
    const token = await this.signPeerToken(current, audience, lifetimeSeconds);
    this.tokens.set(audience, { token, kid: current.privateJwk.kid!, renewAt: Date.now() + (lifetimeSeconds * 1000) / 2 });
    return token;
  }

  private async signPeerToken(current: NodeKeyPair, audience: string, lifetimeSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ role: Role.PEER_REGION, region: this.regionCode })
      .setProtectedHeader({ alg: NODE_KEY_ALG, kid: current.privateJwk.kid, typ: "JWT" })
      .setIssuer(this.issuer())
      .setSubject(`node:${this.regionCode}`)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(await importJWK(current.privateJwk, NODE_KEY_ALG));
  }
}
