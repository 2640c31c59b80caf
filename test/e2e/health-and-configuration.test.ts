import { referralId } from "../../seeds/data/patients";
import { startTestHub, TestHub } from "../support/hub";

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
    const { data, errors } = await hub.query(`{ freeCapacity(first: 1) { totalCount } referral(id: "${referralId("tolvan-hip")}") { id } }`);
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
