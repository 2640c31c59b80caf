import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { projectRoot } from "../../subgraphs/shared/paths";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { Role } from "../../subgraphs/shared/identity";
import { postGraphQL } from "../support/hub";
import { OUTBOUND_GUARD, ready, run } from "../support/hub-process";
import { OutboundAttempt, readOutboundAttempts } from "../support/outbound-guard";
import { hubProcessPorts } from "../support/ports";
import { subscribe } from "../support/subscriptions";
import { token } from "../support/tokens";

/**
 * Nothing leaves the node unasked. The hub runs as `npm start` runs it, under the outbound guard
 * (a preload that refuses, and records, every connection and name look-up that is neither
 * loopback nor configured), and does what its users do; afterwards the guard's log must be empty.
 * The first cases show the guard can fail: it catches a plain connection and look-up, and the
 * very probes a stock Apollo Gateway makes.
 */

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-outbound-"));
  fs.chmodSync(folder, 0o755);
  folders.push(folder);
  return folder;
}

/** Runs a script under the guard with a log of its own; resolves with what it printed and what the guard recorded. */
async function guarded(script: string, ms: number): Promise<{ stdout: string; attempts: OutboundAttempt[] }> {
  const log = path.join(tempFolder(), "attempts.jsonl");
  const child = spawn(process.execPath, ["--require", OUTBOUND_GUARD, "-e", script], {
    cwd: projectRoot(),
    env: { ...process.env, OUTBOUND_GUARD: "1", OUTBOUND_GUARD_LOG: log, APOLLO_TELEMETRY_DISABLED: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  await new Promise((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { stdout, attempts: readOutboundAttempts(log) };
}

const SUPERGRAPH = JSON.stringify(path.join(projectRoot(), "schema", "supergraph.graphql"));

describe("the outbound-connection guard", () => {
  it("refuses a connection and a look-up off loopback before anything is sent, and records both", async () => {
    const { stdout, attempts } = await guarded(
      `const http = require("node:http"); const dns = require("node:dns");
       http.get("http://169.254.169.254/latest/meta-data/").on("error", (e) => {
         console.log("http:" + e.code);
         dns.lookup("metadata.google.internal", (e2) => { console.log("dns:" + e2.code); process.exit(0); });
       });`,
      10_000,
    );
    expect(stdout).toContain("http:ECONNREFUSED");
    expect(stdout).toContain("dns:ENOTFOUND");
    expect(attempts.map((a) => `${a.kind} ${a.target}`)).toEqual(["connect 169.254.169.254:80", "lookup lookup(metadata.google.internal)"]);
  });

  it("lets loopback through", async () => {
    const { stdout, attempts } = await guarded(
      `const net = require("node:net");
       const server = net.createServer((s) => s.end("hello")).listen(0, "127.0.0.1", () => {
         net.connect(server.address().port, "localhost").on("data", (d) => { console.log(String(d)); process.exit(0); });
       });`,
      10_000,
    );
    expect(stdout.trim()).toBe("hello");
    expect(attempts).toEqual([]);
  });

  it("catches what a stock Apollo Gateway does when it is constructed: it probes cloud metadata addresses", async () => {
    // Exits at its first recorded attempt; the guard's log says which.
    const { attempts } = await guarded(
      `const { ApolloGateway } = require("@apollo/gateway");
       new ApolloGateway({ supergraphSdl: require("node:fs").readFileSync(${SUPERGRAPH}, "utf8") });
       setInterval(() => { if (require("node:fs").readFileSync(process.env.OUTBOUND_GUARD_LOG, { flag: "a+" }).length) process.exit(0); }, 50);`,
      20_000,
    );
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.map((a) => a.target).join(" ")).toMatch(/169\.254\.169\.254|100\.100\.100\.200|metadata\.google\.internal/);
  });

  it("sees nothing from the hub's own way of constructing the gateway", async () => {
    const { stdout, attempts } = await guarded(
      `const { offlineApolloGateway } = require("./dist/gateway/offline-gateway");
       offlineApolloGateway({ supergraphSdl: require("node:fs").readFileSync(${SUPERGRAPH}, "utf8") });
       console.log("constructed"); setTimeout(() => process.exit(0), 3000);`,
      20_000,
    );
    expect(stdout.trim()).toBe("constructed");
    expect(attempts).toEqual([]);
  });
});

describe("the hub, as npm start runs it", () => {
  it("connects to nothing but loopback while it serves a query, a mutation and a subscription, and as it stops", async () => {
    const dataDir = tempFolder();
    const log = path.join(tempFolder(), "attempts.jsonl");
    const env = await hubProcessPorts();
    const hub = run({
      ...env,
      HUB_PG_DATA: dataDir,
      OUTBOUND_GUARD_LOG: log,
      // An operator's shell may hold Apollo's own settings from other work: the hub must not act on them.
      APOLLO_KEY: "service:some-graph:not-a-real-key",
      APOLLO_GRAPH_REF: "some-graph@current",
      APOLLO_SCHEMA_REPORTING: "true",
    });
    try {
      await ready(hub);
      const url = `http://127.0.0.1:${env.PORT}/graphql`;
      const office = await token(Role.REGIONAL_OFFICE, "13");
      const provider = await token(Role.PROVIDER, providerId("private-kattegatt-ortopedi"));

      // From the event log's position now, however late the subscription reaches the capacity subgraph.
      const after = (await postGraphQL(url, `{ offerEventCursor }`, undefined, office)).data.offerEventCursor;
      const board = subscribe(
        url,
        `subscription($after: ID) { offerPublished(filter: { procedureCode: "NFB49" }, after: $after) { id coverage(homeRegionCode: "13") { status } } }`,
        { after },
        office,
      );
      const search = await postGraphQL(
        url,
        `{ freeCapacity(filter: { procedureCode: "NFB49" }, first: 5) { totalCount edges { node { id provider { name } coverage(homeRegionCode: "13") { status } } } } }`,
        undefined,
        office,
      );
      expect(search.errors).toBeUndefined();
      expect(search.data.freeCapacity.totalCount).toBeGreaterThan(0);

      const today = stockholmDate();
      const published = await postGraphQL(
        url,
        `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
        {
          input: {
            reportedBy: "Booking system (test)",
            offers: [
              {
                careUnitId: careUnitId("kattegatt-ortopedi"),
                procedureCode: "NFB49",
                slots: 2,
                validFrom: today,
                validUntil: addDays(today, 30),
                expectedWaitDays: 14,
              },
            ],
          },
        },
        provider,
      );
      expect(published.errors).toBeUndefined();
      const [event] = await board.waitFor(1, 30_000);
      expect(event.errors).toBeUndefined();
      expect(event.data.offerPublished.coverage.status).toBeDefined();
      await board.close();

      // What starts on a timer (exporters, detectors, reporting intervals) has a few seconds to show itself.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } finally {
      hub.child.kill("SIGTERM");
    }
    // Stopping flushes whatever a reporter buffered: that too must stay on the machine.
    expect(await hub.exited).toBe(0);
    expect(readOutboundAttempts(log)).toEqual([]);
  }, 120_000);
});
