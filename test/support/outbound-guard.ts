/**
 * The outbound-connection guard: loaded before anything else in a process (`node --require
 * dist/test/support/outbound-guard.js …`, or `installOutboundGuard()` in a jest worker), it lets
 * the process connect only to loopback, to Unix sockets and to the hosts listed in
 * `OUTBOUND_GUARD_ALLOW` (comma-separated: what the test configured, such as a DATABASE_URL's host
 * or an identity provider's JWKS host). Every other TCP connection, UDP datagram and DNS look-up is
 * refused before a byte is sent, as a closed network would refuse it, and recorded, one JSON line
 * per attempt, in the file named by `OUTBOUND_GUARD_LOG` (or only refused when none is named).
 *
 * It hooks Node's own entry points (`net.Socket#connect`, which `http`, `https`, `tls`, `fetch`,
 * `pg` and `ws` all end in, `dns` and `dgram`), so it holds for every dependency added later: a
 * library that starts phoning home fails the tests that run the hub under it. It cannot see native
 * code opening sockets by itself; no dependency of the hub does.
 */
import dgram from "node:dgram";
import dns from "node:dns";
import fs from "node:fs";
import net from "node:net";

export interface OutboundAttempt {
  kind: "connect" | "lookup" | "udp";
  target: string;
  pid: number;
  /** Where it came from: the first frames outside this file and Node's internals. */
  from: string[];
}

const INSTALLED = Symbol.for("care-hub.outbound-guard");

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (bare === "::1" || bare === "0:0:0:0:0:0:0:1") return true;
  const v4 = bare.startsWith("::ffff:") ? bare.slice(7) : bare;
  return net.isIPv4(v4) && v4.startsWith("127.");
}

/** Installs the guard in this process (once); returns whether it was installed by this call. */
export function installOutboundGuard(env: NodeJS.ProcessEnv = process.env): boolean {
  // Marked on the prototype, which is the process's own: jest gives each test file a global object
  // of its own but the same core modules.
  const holder = net.Socket.prototype as unknown as Record<symbol, unknown>;
  if (holder[INSTALLED]) return false;
  holder[INSTALLED] = true;
  const allowed = new Set(
    (env.OUTBOUND_GUARD_ALLOW ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const logFile = env.OUTBOUND_GUARD_LOG;
  const permitted = (host: string) => isLoopback(host) || allowed.has(host.replace(/^\[|\]$/g, "").toLowerCase());

  const record = (kind: OutboundAttempt["kind"], target: string) => {
    if (!logFile) return;
    const from = (new Error().stack ?? "")
      .split("\n")
      .slice(1)
      .map((line) => line.trim())
      .filter((line) => !line.includes("outbound-guard") && !line.includes("node:"))
      .slice(0, 6);
    const attempt: OutboundAttempt = { kind, target, pid: process.pid, from };
    // Synchronous, so an attempt made just before the process exits is still on disk.
    fs.appendFileSync(logFile, `${JSON.stringify(attempt)}\n`);
  };
  const refusal = (target: string, code: string) =>
    Object.assign(new Error(`outbound guard: ${target} is neither loopback nor configured; refused`), {
      code,
      errno: code,
      syscall: "connect",
    });

  // TCP (and TLS, HTTP, fetch, pg, ws on top of it).
  const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    let host: string | undefined;
    let port: unknown;
    let isPath = false;
    if (Array.isArray(first)) {
      // net's internal normalised form: [options, callback].
      const options = first[0] as net.NetConnectOpts & { path?: string };
      isPath = typeof options?.path === "string";
      host = (options as net.TcpNetConnectOpts)?.host;
      port = (options as net.TcpNetConnectOpts)?.port;
    } else if (first !== null && typeof first === "object") {
      const options = first as net.NetConnectOpts & { path?: string };
      isPath = typeof options.path === "string";
      host = (options as net.TcpNetConnectOpts).host;
      port = (options as net.TcpNetConnectOpts).port;
    } else if (typeof first === "string" && !/^\d+$/.test(first)) {
      isPath = true; // connect(path, cb): a Unix socket
    } else {
      port = first;
      host = typeof args[1] === "string" ? args[1] : undefined;
    }
    if (isPath) return connect.apply(this, args);
    const target = `${host ?? "localhost"}:${String(port)}`;
    if (permitted(host ?? "localhost")) return connect.apply(this, args);
    record("connect", target);
    // Refused before anything is sent, asynchronously, as a real refusal arrives.
    process.nextTick(() => this.destroy(refusal(target, "ECONNREFUSED")));
    return this;
  } as typeof net.Socket.prototype.connect;

  // Name look-ups: a look-up of a cloud metadata name leaks as much as a connection.
  const guardLookup = <F extends (...args: any[]) => any>(original: F, name: string): F =>
    function guarded(this: unknown, hostname: unknown, ...rest: unknown[]) {
      if (typeof hostname === "string" && !permitted(hostname) && !net.isIP(hostname)) {
        record("lookup", `${name}(${hostname})`);
        const callback = rest.find((arg) => typeof arg === "function") as ((error: Error) => void) | undefined;
        const error = refusal(hostname, "ENOTFOUND");
        if (callback) {
          process.nextTick(() => callback(error));
          return undefined;
        }
        return Promise.reject(error);
      }
      return original.call(this, hostname, ...rest);
    } as F;
  const callbackNames = [
    "lookup",
    "resolve",
    "resolve4",
    "resolve6",
    "resolveAny",
    "resolveCname",
    "resolveMx",
    "resolveNs",
    "resolveSrv",
    "resolveTxt",
  ] as const;
  for (const name of callbackNames) {
    const target = dns as unknown as Record<string, (...args: any[]) => any>;
    if (typeof target[name] === "function") target[name] = guardLookup(target[name], name);
    const promises = dns.promises as unknown as Record<string, (...args: any[]) => any>;
    if (typeof promises[name] === "function") promises[name] = guardLookup(promises[name], name);
    for (const resolver of [dns.Resolver.prototype, dns.promises.Resolver.prototype] as unknown as Array<
      Record<string, (...args: any[]) => any>
    >) {
      if (typeof resolver[name] === "function") resolver[name] = guardLookup(resolver[name], name);
    }
  }

  // UDP: nothing of the hub sends datagrams; refuse them off loopback all the same.
  const send = dgram.Socket.prototype.send as (...args: unknown[]) => void;
  dgram.Socket.prototype.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
    const address = args.find((arg, i) => i > 0 && typeof arg === "string") as string | undefined;
    if (address !== undefined && !permitted(address)) {
      record("udp", address);
      const callback = args.find((arg) => typeof arg === "function") as ((error: Error) => void) | undefined;
      process.nextTick(() => callback?.(refusal(address, "ECONNREFUSED")));
      return;
    }
    send.apply(this, args);
  } as typeof dgram.Socket.prototype.send;
  return true;
}

/** The attempts a guarded process recorded (none when the file was never written). */
export function readOutboundAttempts(logFile: string): OutboundAttempt[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboundAttempt);
}

// Preloaded with `node --require`: guard the process at once.
if (require.main !== module && process.env.OUTBOUND_GUARD === "1") installOutboundGuard();
