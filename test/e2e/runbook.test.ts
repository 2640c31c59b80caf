import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { DEV_ISSUER } from "../../gateway/dev-keys";
import { referralId } from "../../seeds/data/patients";
import { providerId } from "../../seeds/data/providers";
import { Role } from "../../subgraphs/shared/identity";
import { projectRoot } from "../../subgraphs/shared/paths";
import { createEmptyDatabase } from "../support/database";
import { postGraphQL } from "../support/hub";
import { healthy, run as runProcess, Run } from "../support/hub-process";
import { freePorts } from "../support/ports";
import { token } from "../support/tokens";
import { within } from "../support/wait";

/**
 * The README's production runbook, followed to the letter: the compiled processes (four
 * subgraphs, then the gateway) started separately with NODE_ENV=production on a fresh database,
 * sharing nothing but DATABASE_URL and HUB_INTERNAL_SECRET, each given only the variables the
 * runbook lists for it. Through them, the brokering story's key steps; then the two faults an
 * operator meets first: a process with another secret, and a subgraph that is down.
 */
const dist = (...parts: string[]) => path.join(projectRoot(), "dist", ...parts);
const SUBGRAPH_NAMES = ["patients", "capacity", "agreements", "referrals"] as const;
const HIP = referralId("tolvan-hip");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const office = () => token(Role.REGIONAL_OFFICE, "13");
const kattegatt = () => token(Role.PROVIDER, KATTEGATT);

const started: Run[] = [];
const start = (script: string, env: Record<string, string>, args: string[] = []) => {
  const run = runProcess(env, script, args);
  started.push(run);
  return run;
};

let dir: string;
let common: Record<string, string>;
let gatewayEnv: Record<string, string>;
let ports: Record<string, number>;
let gatewayUrl: string;
let subgraphs: Record<string, Run>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-runbook-"));
  // A region's identity provider publishes its keys; here the test run's development key stands in.
  const jwks = path.join(dir, "jwks.json");
  const { publicJwk } = JSON.parse(fs.readFileSync(process.env.HUB_DEV_KEY_FILE!, "utf8"));
  fs.writeFileSync(jwks, JSON.stringify({ keys: [publicJwk] }));
  const [gateway, patients, capacity, agreements, referrals, otherGateway] = await freePorts(6);
  ports = { gateway, patients, capacity, agreements, referrals, otherGateway };
  gatewayUrl = `http://127.0.0.1:${gateway}/graphql`;
  common = {
    NODE_ENV: "production",
    DATABASE_URL: await createEmptyDatabase(),
    HUB_INTERNAL_SECRET: randomBytes(32).toString("base64"),
    // The test run's own settings are not the operator's.
    HUB_DEV_KEY_FILE: "",
  };
  gatewayEnv = {
    ...common,
    PORT: String(gateway),
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}/graphql`])),
    HUB_TRUSTED_ISSUERS: JSON.stringify([{ issuer: DEV_ISSUER, jwks }]),
  };
});

afterAll(async () => {
  for (const run of started) run.child.kill("SIGTERM");
  await Promise.all(started.map((run) => Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])));
  for (const run of started) run.child.kill("SIGKILL");
  // Until each has exited, its pipes hold this process open.
  await Promise.all(started.map((run) => run.exited));
  fs.rmSync(dir, { recursive: true, force: true });
});

const health = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

async function ok(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await postGraphQL(gatewayUrl, query, variables, await bearer);
  expect(errors).toBeUndefined();
  return data;
}

describe("the production runbook", () => {
  it("refuses, in one line, a subgraph that asks the gateway but is not told where it is", async () => {
    const run = start(dist("subgraphs", "referrals", "index.js"), { ...common, REFERRALS_PORT: String(ports.referrals) });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toMatch(/^subgraph referrals: HUB_GATEWAY_URL is required: the referrals subgraph asks the hub's gateway/);
    expect(run.stderr().trim().split("\n")).toHaveLength(1);
  });

  it("refuses, in one line, a production gateway that is not told which identity providers to trust", async () => {
    const { HUB_TRUSTED_ISSUERS: _issuers, ...untrusting } = gatewayEnv;
    const run = start(dist("gateway", "index.js"), untrusting);
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toBe(
      "gateway: NODE_ENV=production needs HUB_TRUSTED_ISSUERS: the identity providers whose tokens the hub accepts",
    );
  });

  it("refuses demo data in production", async () => {
    const refused = start(dist("seeds", "cli.js"), common, ["demo"]);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr().trim()).toBe("seed: HUB_SEED=demo loads synthetic patients and is refused when NODE_ENV=production");
  });

  it("seeds each subgraph's reference data when it starts on a fresh database, once, with replicas starting together", async () => {
    const fresh = { ...common, DATABASE_URL: await createEmptyDatabase() };
    const [first, second, third] = await freePorts(3);
    const replicas = [
      start(dist("subgraphs", "capacity", "index.js"), { ...fresh, CAPACITY_PORT: String(first) }),
      start(dist("subgraphs", "capacity", "index.js"), { ...fresh, CAPACITY_PORT: String(second) }),
      start(dist("subgraphs", "referrals", "index.js"), {
        ...fresh,
        REFERRALS_PORT: String(third),
        HUB_GATEWAY_URL: `http://127.0.0.1:${ports.otherGateway}/graphql`,
      }),
    ];
    const reports = await Promise.all([first, second, third].map((port, i) => healthy(replicas[i], `http://127.0.0.1:${port}/health`)));
    // Ready without the gateway (which waits for the subgraphs, not the other way round), and saying so.
    expect(reports[2]).toMatchObject({
      ready: true,
      subgraph: "referrals",
      gateway: `unreachable (http://127.0.0.1:${ports.otherGateway}/graphql: ECONNREFUSED)`,
    });
    expect(reports[0].gateway).toBeUndefined();
    const db = new Client({ connectionString: fresh.DATABASE_URL });
    await db.connect();
    try {
      const count = async (sql: string) => Number((await db.query(sql)).rows[0].count);
      expect(await count("SELECT count(*) FROM capacity.region")).toBe(21);
      expect(await count("SELECT count(*) FROM capacity.healthcare_region")).toBe(6);
      expect(await count("SELECT count(*) FROM capacity.procedure")).toBeGreaterThan(0);
      expect(await count("SELECT count(*) FROM referrals.guarantee_limit WHERE region_code IS NULL")).toBe(4);
      expect(await count("SELECT count(*) FROM capacity.seed_run")).toBe(1);
    } finally {
      await db.end();
    }
    for (const replica of replicas) replica.child.kill("SIGTERM");
    expect(await Promise.all(replicas.map((r) => r.exited))).toEqual([0, 0, 0]);
  });

  it("step 1 (a trial: demo data instead of reference data): migrates and seeds, then exits", async () => {
    const { NODE_ENV: _production, ...trial } = common;
    const seeded = start(dist("seeds", "cli.js"), trial, ["demo"]);
    expect(await seeded.exited).toBe(0);
    expect(seeded.stdout()).toMatch(/^migrations applied: patients /);
    expect(seeded.stdout()).toContain(
      "seeded: capacity reference data, care-guarantee limits, capacity demo data, agreements demo data, patients demo data",
    );
    const again = start(dist("seeds", "cli.js"), trial, ["demo"]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toBe("migrations applied: none (up to date)\nseeded: nothing (the demo data was there)\n");
  });

  it("step 2: the subgraphs start, without HUB_TRUSTED_ISSUERS", async () => {
    subgraphs = Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        name,
        start(dist("subgraphs", name, "index.js"), {
          ...common,
          [`${name.toUpperCase()}_PORT`]: String(ports[name]),
          ...(name === "patients" || name === "referrals" ? { HUB_GATEWAY_URL: gatewayUrl } : {}),
        }),
      ]),
    );
    const reports = await Promise.all(SUBGRAPH_NAMES.map((name) => healthy(subgraphs[name], `http://127.0.0.1:${ports[name]}/health`)));
    expect(reports.map((r) => r.subgraph)).toEqual([...SUBGRAPH_NAMES]);
    expect(reports[0].gateway).toMatch(/^unreachable/);
  });

  it("step 3: the gateway starts and is ready when every subgraph accepts its credential", async () => {
    start(dist("gateway", "index.js"), gatewayEnv);
    const report = await healthy(started[started.length - 1], `http://127.0.0.1:${ports.gateway}/health`);
    expect(report.subgraphs).toEqual({ patients: "ready", capacity: "ready", agreements: "ready", referrals: "ready" });
    expect((await health(ports.referrals)).body.gateway).toBe("reachable");
    expect((await health(ports.patients)).body.gateway).toBe("reachable");
    const data = await ok(office(), `{ regions { code } }`);
    expect(data.regions).toHaveLength(21);
    // The standalone gateway serves the web app too, from the same build.
    const page = await fetch(`http://127.0.0.1:${ports.gateway}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html lang="sv">[\s\S]*\/assets\/app-\w+\.js/);
  });

  let offer: string;
  it("brokers an at-risk referral through the separate processes: matches, sending, the provider receives and accepts", async () => {
    const risk = await ok(office(), `{ atRiskReferrals(regionCode: "13", first: 50) { edges { node { id guarantee { status } } } } }`);
    expect(risk.atRiskReferrals.edges.map((e: any) => e.node)).toContainEqual({ id: HIP, guarantee: { status: "AT_RISK" } });
    // Brokering: the referrals subgraph asks capacity and agreements through the gateway.
    const matches = await ok(
      office(),
      `query($id: ID!) { referral(id: $id) { matches(first: 50) { tier startsByDeadline offer { id provider { id } } } } }`,
      { id: HIP },
    );
    const match = matches.referral.matches.find(
      (m: any) => m.tier === "OWN_PRIVATE_AGREEMENT" && m.offer.provider.id === KATTEGATT && m.startsByDeadline,
    );
    expect(match).toBeDefined();
    offer = match.offer.id;
    const sent = await ok(
      office(),
      `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }, idempotencyKey: "runbook-send") { status provider { name } paymentCommitment { pricePerCaseSek } } }`,
      { id: HIP, offer },
    );
    expect(sent.sendReferral).toMatchObject({
      status: "SENT",
      provider: { name: "Kattegattkliniken Ortopedi AB" },
      paymentCommitment: { pricePerCaseSek: 79_900 },
    });
    // The provider reads the patient: the patients subgraph asks referrals, through the gateway, for the care relation.
    const seen = await ok(kattegatt(), `query($id: ID!) { referral(id: $id) { status patient { givenName } } }`, { id: HIP });
    expect(seen.referral).toEqual({ status: "SENT", patient: { givenName: "Tolvan" } });
    expect(
      (await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id: HIP })).receiveReferral.status,
    ).toBe("RECEIVED");
    expect(
      (await ok(kattegatt(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id: HIP })).acceptReferral.status,
    ).toBe("ACCEPTED");
  });

  it("a gateway with another HUB_INTERNAL_SECRET is not ready, and its clients get SUBGRAPH_UNAVAILABLE naming the service", async () => {
    const wrong = start(dist("gateway", "index.js"), {
      ...gatewayEnv,
      PORT: String(ports.otherGateway),
      HUB_INTERNAL_SECRET: randomBytes(32).toString("base64"),
    });
    const url = `http://127.0.0.1:${ports.otherGateway}`;
    let report: { status: number; body: Record<string, any> } | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      report = await health(ports.otherGateway).catch(() => undefined);
      if (
        report ||
        (await within(
          wrong.exited.then(() => true),
          200,
          false,
        ))
      )
        break;
    }
    expect(report?.status).toBe(503);
    expect(report?.body.subgraphs).toEqual(
      Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, "credential rejected (HUB_INTERNAL_SECRET differs)"])),
    );
    const { data, errors } = await postGraphQL(`${url}/graphql`, `{ regions { code } }`, undefined, await office());
    expect(data).toBeNull();
    expect(errors?.[0].extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", service: "capacity" });
    expect(errors?.[0].message).toMatch(/capacity service of the hub refused the gateway's credential/);
    expect(wrong.stderr()).toMatch(
      /subgraph capacity at http:\/\/127\.0\.0\.1:\d+\/graphql refused the gateway's credential: HUB_INTERNAL_SECRET differs/,
    );
  });

  it("a subgraph that is down: the gateway is not ready, clients get the rest of the answer and SUBGRAPH_UNAVAILABLE naming it", async () => {
    subgraphs.agreements.child.kill("SIGTERM");
    expect(await subgraphs.agreements.exited).toBe(0);
    const report = await health(ports.gateway);
    expect(report.status).toBe(503);
    expect(report.body.subgraphs).toMatchObject({ capacity: "ready", agreements: "unreachable (ECONNREFUSED)" });
    const { data, errors } = await postGraphQL(
      gatewayUrl,
      `query($id: ID!) { capacityOffer(id: $id) { id provider { name } coverage(homeRegionCode: "13") { pricePerCaseSek } } }`,
      { id: offer },
      await office(),
    );
    expect(data.capacityOffer).toEqual({ id: offer, provider: { name: "Kattegattkliniken Ortopedi AB" }, coverage: null });
    expect(errors).toHaveLength(1);
    expect(errors![0].extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", service: "agreements" });
  });
});
