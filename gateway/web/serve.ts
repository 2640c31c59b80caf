import fs from "node:fs";
import { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { AuthConfig } from "../../subgraphs/shared/config";
import { Role, ROLES } from "../../subgraphs/shared/identity";
import { projectRoot } from "../../subgraphs/shared/paths";
import { signDevToken } from "../dev-keys";

/**
 * The web app's routes on the gateway: the built static files (no data, so no token needed), the
 * app's sign-in settings, and — outside production only — the development sign-in that mints a
 * development token for a chosen role. Everything the app shows it reads through /graphql.
 */
export const WEB_DIR = path.join(projectRoot(), "dist", "web");

/** Lifetime of a development sign-in: a working day is long enough, and it still expires. */
const DEV_SIGN_IN_SECONDS = 8 * 3600;

export interface WebOptions {
  auth: AuthConfig;
  production: boolean;
  /** Folder of the built app (dist/web). */
  dir?: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
};

/** What the browser may load: only this origin (and the identity providers' token endpoints it signs in with). */
function securityHeaders(res: ServerResponse, auth: AuthConfig): void {
  const idps = auth.issuers.flatMap((i) => (i.tokenEndpoint ? [new URL(i.tokenEndpoint).origin] : []));
  res.setHeader(
    "content-security-policy",
    `default-src 'self'; connect-src 'self' ${idps.join(" ")}; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
  );
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
}

export function webRoutes(options: WebOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const dir = options.dir ?? WEB_DIR;
  // Never in production, whatever else is configured: the configuration already refuses a
  // development key there, and this checks again so a mistake in one place is not enough.
  const devKeyFile = options.production ? null : options.auth.devKeyFile;
  return async (req, res, url) => {
    if (url.pathname === "/app-config.json" && req.method === "GET") {
      securityHeaders(res, options.auth);
      send(res, 200, TYPES[".json"], JSON.stringify(appConfig(options.auth, devKeyFile !== null)), "no-store");
      return true;
    }
    if (url.pathname === "/dev/token") {
      if (!devKeyFile) return false;
      if (req.method !== "POST") {
        send(res, 405, TYPES[".json"], JSON.stringify({ error: "POST { role }" }), "no-store");
        return true;
      }
      const body = await readJson(req);
      const role = (body as { role?: unknown } | undefined)?.role;
      if (typeof role !== "string" || !ROLES.includes(role as Role)) {
        send(res, 400, TYPES[".json"], JSON.stringify({ error: `role must be one of ${ROLES.join(", ")}` }), "no-store");
        return true;
      }
      const token = await signDevToken(devKeyFile, {
        role: role as Role,
        audience: options.auth.audience,
        lifetimeSeconds: DEV_SIGN_IN_SECONDS,
      });
      send(res, 200, TYPES[".json"], JSON.stringify({ token }), "no-store");
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const file =
      url.pathname === "/" || url.pathname === "/index.html"
        ? "index.html"
        : /^\/assets\/[\w.-]+$/.test(url.pathname)
          ? url.pathname.slice(1)
          : null;
    if (!file) return false;
    const full = path.join(dir, file);
    let content: Buffer;
    try {
      content = await fs.promises.readFile(full);
    } catch {
      if (file !== "index.html") return false;
      send(res, 503, "text/plain; charset=utf-8", "The web app is not built: run npm run build.", "no-store");
      return true;
    }
    securityHeaders(res, options.auth);
    // Asset names carry a content hash, so they may be kept; the page itself is always asked again.
    send(
      res,
      200,
      TYPES[path.extname(file)] ?? "application/octet-stream",
      content,
      file === "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
    );
    return true;
  };
}

/** What the app needs to sign in: whether the development picker is offered, and the identity providers. */
export function appConfig(auth: AuthConfig, devSignIn: boolean) {
  return {
    devSignIn,
    roles: devSignIn ? ROLES.filter((r) => r !== Role.PEER_REGION) : [],
    identityProviders: auth.issuers
      .filter((i) => i.clientId && i.authorizationEndpoint && i.tokenEndpoint)
      .map((i) => ({
        issuer: i.issuer,
        name: i.name ?? i.issuer,
        clientId: i.clientId,
        authorizationEndpoint: i.authorizationEndpoint,
        tokenEndpoint: i.tokenEndpoint,
        scope: i.scope ?? "openid",
      })),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache: string): void {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.setHeader("cache-control", cache);
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (text.length > 10_000) req.destroy();
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
    req.on("error", () => resolve(undefined));
  });
}
