import { referralId } from "../../seeds/data/patients";
import { Role, systemIdentity } from "../../subgraphs/shared/identity";
import { newInternalSecret } from "../../subgraphs/shared/internal-identity";
import { probeGateway, SupergraphClient } from "../../subgraphs/shared/supergraph-client";
import { startTestHub, TestHub } from "../support/hub";
import { freePort } from "../support/ports";

/** Readiness reflects the subgraphs; the node's own region is configuration, not code. */
describe("/health", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub?.stop());

  it("answers 200 with every subgraph ready", async () => {
    const response = await fetch(hub.url.replace(/\/graphql$/, "/health"));
    expect(response.status).toBe(200);
    const { responseCache, ...report } = (await response.json()) as Record<string, any>;
    expect(report).toEqual({
      status: "ready",
      ready: true,
      subgraphs: { patients: "ready", capacity: "ready", agreements: "ready", referrals: "ready" },
    });
    // The subgraphs that ask the supergraph say whether they reach the gateway.
    const referrals = (await (await fetch(hub.hub.subgraphs.referrals.url.replace(/\/graphql$/, "/health"))).json()) as Record<string, any>;
    expect(referrals).toMatchObject({ ready: true, subgraph: "referrals", gateway: "reachable" });
    // How the response cache is doing: figures only, no keys, no answers.
    expect(Object.keys(responseCache).sort()).toEqual(["bytes", "entries", "hits", "invalidations", "live", "misses", "stored"]);
  });

  it("answers 503 naming the subgraph that is down, and the rest of the graph keeps answering", async () => {
    await hub.hub.subgraphs.referrals.stop();
    const response = await fetch(hub.url.replace(/\/graphql$/, "/health"));
    expect(response.status).toBe(503);
    const report = (await response.json()) as Record<string, any>;
    expect(report.ready).toBe(false);
    expect(report.subgraphs.referrals).toMatch(/^unreachable/);
    expect(report.subgraphs.capacity).toBe("ready");
    const { data, errors } = await hub.query(`{ freeCapacity(first: 1) { totalCount } }`);
    expect(errors).toBeUndefined();
    expect(data.freeCapacity.totalCount).toBeGreaterThan(0);
  });

  it("answers a request that needs the stopped subgraph with SUBGRAPH_UNAVAILABLE naming it, and the rest of the answer", async () => {
    const { data, errors } = await hub.query(
      `{ freeCapacity(first: 1) { totalCount } referral(id: "${referralId("tolvan-hip")}") { id } }`,
    );
    expect(data.freeCapacity.totalCount).toBeGreaterThan(0);
    expect(data.referral).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors![0].message).toMatch(/referrals service/);
    expect(errors![0].extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE", service: "referrals" });
  });
});

describe("the node's own region", () => {
  it("follows HUB_REGION_CODE", async () => {
    const skane = await startTestHub({ HUB_REGION_CODE: "12" });
    try {
      const { data } = await skane.query(`{ hubRegion { code name healthcareRegion { code } } }`);
      expect(data.hubRegion).toEqual({ code: "12", name: "Region Skåne", healthcareRegion: { code: "SODRA" } });
    } finally {
      await skane.stop();
    }
  });
});

describe("a subgraph asking the supergraph through the gateway", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub?.stop());

  const office = systemIdentity("test:office", Role.REGIONAL_OFFICE, "13", { expiresAt: Math.floor(Date.now() / 1000) + 600 });
  const ctx = { requestId: "test-supergraph-client", today: "2026-01-01", hubRegionCode: "13", identity: office };

  it("names the URL it tried in the log, and answers SUBGRAPH_UNAVAILABLE, when the gateway is not there", async () => {
    const port = await freePort();
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: any) => {
      written.push(String(chunk));
      return true;
    });
    let error: any;
    try {
      error = await new SupergraphClient(() => `http://127.0.0.1:${port}/graphql`, newInternalSecret(), "referrals")
        .request(ctx, "{ regions { code } }")
        .catch((e) => e);
    } finally {
      spy.mockRestore();
    }
    expect(error.extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", service: "referrals" });
    expect(written.join("")).toContain(
      `the gateway at http://127.0.0.1:${port}/graphql did not answer (ECONNREFUSED); check HUB_GATEWAY_URL`,
    );
    expect(await probeGateway(`http://127.0.0.1:${port}/graphql`, newInternalSecret(), "referrals", "13")).toBe(
      `unreachable (http://127.0.0.1:${port}/graphql: ECONNREFUSED)`,
    );
  });

  it("says 'credential rejected' when the gateway holds another secret", async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: any) => {
      written.push(String(chunk));
      return true;
    });
    let error: any;
    try {
      error = await new SupergraphClient(() => hub.url, newInternalSecret(), "referrals")
        .request(ctx, "{ regions { code } }")
        .catch((e) => e);
    } finally {
      spy.mockRestore();
    }
    expect(error.extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", service: "referrals" });
    expect(written.join("")).toContain(`the gateway at ${hub.url} refused this service's credential: HUB_INTERNAL_SECRET differs`);
    expect(await probeGateway(hub.url, newInternalSecret(), "referrals", "13")).toBe(
      `credential rejected (${hub.url}: HUB_INTERNAL_SECRET differs)`,
    );
  });
});
