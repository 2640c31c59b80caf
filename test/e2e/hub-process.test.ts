import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { hubProcessPorts, portWithFreeNeighbours } from "../support/ports";
import { ready, run } from "../support/hub-process";
import { createEmptyDatabase, createTestDatabase } from "../support/database";
import { subscribe } from "../support/subscriptions";
import { postGraphQL } from "../support/hub";
import { adminToken } from "../support/tokens";
import { waitFor } from "../support/wait";

/**
 * `npm start` as a user runs it: the compiled hub as its own process (npm test builds it first),
 * on an embedded PostgreSQL in a folder of its own.
 */
/** Free ports for the gateway, the subgraphs and (last) the embedded PostgreSQL. */
const ports = hubProcessPorts;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the hub as a process (npm start)", () => {
  it("explains an unreachable DATABASE_URL in one line and exits", async () => {
    const hub = run({ ...(await ports()), DATABASE_URL: "postgres://hub:secret@127.0.0.1:1/care_hub" });
    expect(await hub.exited).toBe(1);
    const lines = hub.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hub: cannot connect to PostgreSQL at postgres:\/\/hub:\*\*\*@127\.0\.0\.1:1\/care_hub: connection refused/);
    expect(hub.stderr()).not.toContain("secret");
  });

  it("explains a port in use in one line and exits", async () => {
    const env = await ports();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.PORT), "127.0.0.1", resolve));
    try {
      const hub = run({ ...env, DATABASE_URL: "postgres://hub@127.0.0.1:1/care_hub" });
      expect(await hub.exited).toBe(1);
      expect(hub.stderr().trim()).toBe(`hub: gateway: port ${env.PORT} on 127.0.0.1 is already in use; set PORT to a free port`);
    } finally {
      blocker.close();
    }
  });

  it("explains an embedded PostgreSQL's port in use in one line, naming HUB_PG_PORT, and exits", async () => {
    const env = await ports();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-pgport-"));
    fs.chmodSync(dataDir, 0o755);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.HUB_PG_PORT), "127.0.0.1", resolve));
    try {
      const hub = run({ ...env, HUB_PG_DATA: dataDir });
      expect(await hub.exited).toBe(1);
      // PostgreSQL's own words were "could not create any TCP/IP sockets", naming neither.
      expect(hub.stderr().trim()).toBe(
        `hub: embedded PostgreSQL: port ${env.HUB_PG_PORT} on 127.0.0.1 is already in use; set HUB_PG_PORT to a free port (its default follows PORT)`,
      );
    } finally {
      blocker.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("explains a bad setting in one line and exits", async () => {
    const hub = run({ HUB_REGION_CODE: "99" });
    expect(await hub.exited).toBe(1);
    expect(hub.stderr().trim()).toBe('hub: HUB_REGION_CODE must be one of the 21 county codes ("01".."25"), got "99"');
  });

  it("uses the PostgreSQL named by DATABASE_URL, migrating and seeding an empty database", async () => {
    const env = await ports();
    const hub = run({ ...env, DATABASE_URL: await createEmptyDatabase() });
    try {
      await ready(hub);
      expect(hub.stdout()).toContain(
        "Database:   DATABASE_URL, seeded: capacity reference data, care-guarantee limits, capacity demo data",
      );
      const answer = await postGraphQL(`http://127.0.0.1:${env.PORT}/graphql`, `{ regions { code } }`, undefined, await adminToken());
      expect(answer.data.regions).toHaveLength(21);
    } finally {
      hub.child.kill("SIGTERM");
      expect(await hub.exited).toBe(0);
    }
  });

  it("stops promptly and in order while clients are subscribed", async () => {
    const env = await ports();
    const hub = run({ ...env, DATABASE_URL: await createTestDatabase(), HUB_SEED: "none" });
    const capacityHealth = `http://127.0.0.1:${env.CAPACITY_PORT}/health`;
    const streaming = async () => ((await (await fetch(capacityHealth)).json()) as { liveSubscriptions: number }).liveSubscriptions;
    try {
      await ready(hub);
      const before = await streaming();
      // Live offers through the gateway: it holds a subscription to the capacity subgraph for it.
      const board = subscribe(`http://127.0.0.1:${env.PORT}/graphql`, `subscription { offerPublished { id } }`);
      await waitFor(async () => (await streaming()) > before, "the gateway's upstream subscription for the board");
      expect(await streaming()).toBeGreaterThan(before);
      const started = Date.now();
      hub.child.kill("SIGTERM");
      expect(await hub.exited).toBe(0);
      // An orchestrator kills what has not stopped after 30 s; the gateway used to wait for its
      // upstream connection's 60 s idle timer.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(hub.stderr()).toContain("hub: stopped");
      // The board was told the server is going away (graphql-ws's 1001), not cut off (1006).
      const ending = (await board.ended) as { code?: number; reason?: string } | undefined;
      expect({ code: ending?.code, reason: ending?.reason }).toEqual({ code: 1001, reason: "Going away" });
    } finally {
      hub.child.kill("SIGKILL");
    }
  }, 120_000);

  it("starts on an embedded PostgreSQL, serves, stops cleanly on Ctrl-C and keeps its data across a restart", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-start-"));
    fs.chmodSync(dataDir, 0o755);
    try {
      // PORT and HUB_PG_DATA alone, as for a second hub on one machine: every other port follows PORT.
      const port = await portWithFreeNeighbours();
      const env: Record<string, string> = { PORT: String(port), HUB_PG_DATA: dataDir };
      const gateway = `http://127.0.0.1:${env.PORT}`;

      const first = run(env);
      await ready(first);
      expect(first.stdout()).toContain(`GraphQL:    ${gateway}/graphql`);
      expect(first.stdout()).toContain(`patients:   http://127.0.0.1:${port + 1}/graphql`);
      expect(first.stdout()).toContain(`referrals:  http://127.0.0.1:${port + 4}/graphql`);
      // postmaster.pid's fourth line is the server's port.
      expect(fs.readFileSync(path.join(dataDir, "pgdata", "postmaster.pid"), "utf8").split("\n")[3]).toBe(String(port + 50_329));
      expect(first.stdout()).toContain("seeded: capacity reference data");
      expect((await fetch(`${gateway}/health`)).status).toBe(200);
      const answer = await postGraphQL(
        `${gateway}/graphql`,
        `{ freeCapacity(filter: { procedureCode: "NFB49" }) { totalCount } }`,
        undefined,
        await adminToken(),
      );
      expect(answer.data.freeCapacity.totalCount).toBeGreaterThan(0);
      const postgresPid = Number(fs.readFileSync(path.join(dataDir, "pgdata", "postmaster.pid"), "utf8").split("\n")[0]);
      expect(isAlive(postgresPid)).toBe(true);

      // A terminal's Ctrl-C reaches the hub twice when it runs under npm: once from the terminal,
      // once forwarded by npm. Both together still mean one orderly shutdown.
      first.child.kill("SIGINT");
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);
      expect(isAlive(postgresPid)).toBe(false);
      expect(fs.existsSync(path.join(dataDir, "pgdata", "postmaster.pid"))).toBe(false);
      expect(fs.readFileSync(path.join(dataDir, "postgres.log"), "utf8")).toContain("database system is shut down");

      const second = run(env);
      await ready(second);
      expect(second.stdout()).not.toContain("seeded:");
      const again = await postGraphQL(
        `${gateway}/graphql`,
        `{ freeCapacity(filter: { procedureCode: "NFB49" }) { totalCount } }`,
        undefined,
        await adminToken(),
      );
      expect(again.data.freeCapacity.totalCount).toBe(answer.data.freeCapacity.totalCount);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
