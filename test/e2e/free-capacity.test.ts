import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { PROVIDERS } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";

/**
 * Free-capacity search through the gateway, with fields from three subgraphs: the contract query
 * other regions' systems send.
 */
const CONTRACT_QUERY = /* GraphQL */ `
  query FreeHipReplacements($after: String, $first: Int) {
    freeCapacity(filter: { specialty: ORTHOPAEDICS, procedureCode: "NFB49" }, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          availableSlots
          earliestStart
          expectedWaitDays
          procedure { code name }
          provider { id name kind region { code name healthcareRegion { name } } }
          coverage(homeRegionCode: "13") { agreement { id kind name } pricePerCaseSek status reason }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/** Open, unexpired, not fully booked NFB49 offers in the seed data. */
const listedHipOffers = PROVIDERS.flatMap((p) => p.units.flatMap((u) => u.offers.map((o) => ({ provider: p, offer: o })))).filter(
  ({ offer }) => offer.procedure === "NFB49" && offer.state === undefined,
);

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

describe("freeCapacity through the gateway", () => {
  it("answers the contract query with fields from capacity and agreements", async () => {
    const { data, errors } = await hub.query(CONTRACT_QUERY, { first: 20 });
    expect(errors).toBeUndefined();
    const page = data.freeCapacity;
    expect(page.totalCount).toBe(listedHipOffers.length);
    expect(page.edges).toHaveLength(listedHipOffers.length);
    expect(page.pageInfo.hasNextPage).toBe(false);
    for (const { node } of page.edges) {
      expect(node.procedure).toEqual({ code: "NFB49", name: expect.stringContaining("höftledsprotes") });
      expect(node.availableSlots).toBeGreaterThan(0);
      expect(node.coverage.reason).toEqual(expect.any(String));
    }
    const names = page.edges.map((e: any) => e.node.provider.name).sort();
    expect(names).toEqual(listedHipOffers.map(({ provider }) => provider.name).sort());
  });

  it("never lists withdrawn, expired or fully booked offers", async () => {
    const { data } = await hub.query(CONTRACT_QUERY, { first: 100 });
    const providers = data.freeCapacity.edges.map((e: any) => e.node.provider.name);
    for (const state of ["WITHDRAWN", "EXPIRED", "FULL"]) {
      const hidden = PROVIDERS.filter((p) => p.units.some((u) => u.offers.some((o) => o.procedure === "NFB49" && o.state === state)));
      expect(hidden.length).toBeGreaterThan(0);
      for (const p of hidden) {
        const listedOffersOfProvider = listedHipOffers.filter((l) => l.provider.key === p.key).length;
        expect(providers.filter((n: string) => n === p.name)).toHaveLength(listedOffersOfProvider);
      }
    }
  });

  it("orders by earliest start, then id, and never shows a start before today", async () => {
    const { data } = await hub.query(`{ freeCapacity(first: 100) { edges { node { id earliestStart } } } }`);
    const nodes = data.freeCapacity.edges.map((e: any) => e.node);
    const today = stockholmDate();
    const sorted = [...nodes].sort((a, b) => a.earliestStart.localeCompare(b.earliestStart) || a.id.localeCompare(b.id));
    expect(nodes).toEqual(sorted);
    expect(nodes.every((n: any) => n.earliestStart >= today)).toBe(true);
  });

  it("pages through the same results in the same order as one big page", async () => {
    const all = (await hub.query(`{ freeCapacity(first: 100) { totalCount edges { node { id } } } }`)).data.freeCapacity;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const { data, errors }: any = await hub.query(
        `query($after: String) { freeCapacity(first: 7, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
        { after },
      );
      expect(errors).toBeUndefined();
      expect(data.freeCapacity.totalCount).toBe(all.totalCount);
      expect(data.freeCapacity.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...data.freeCapacity.edges.map((e: any) => e.node.id));
      if (!data.freeCapacity.pageInfo.hasNextPage) break;
      after = data.freeCapacity.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e: any) => e.node.id));
    expect(seen.length).toBe(all.totalCount);
  });

  it("answers an empty page for first: 0, with the count", async () => {
    const { data } = await hub.query(`{ freeCapacity(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }`);
    expect(data.freeCapacity.edges).toEqual([]);
    expect(data.freeCapacity.totalCount).toBeGreaterThan(0);
    expect(data.freeCapacity.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
  });

  it.each([
    ["regionCodes", `{ regionCodes: ["12"] }`, (n: any) => n.provider.region.code === "12"],
    ["healthcareRegionCode", `{ healthcareRegionCode: "VASTRA" }`, (n: any) => ["14", "13"].includes(n.provider.region.code)],
    ["providerKind", `{ providerKind: PRIVATE }`, (n: any) => n.provider.kind === "PRIVATE"],
    ["visitType", `{ visitType: FIRST_VISIT }`, (n: any) => n.procedure === null],
    ["specialty", `{ specialty: OPHTHALMOLOGY }`, (n: any) => n.procedure.code === "CJE20"],
    ["maxExpectedWaitDays", `{ maxExpectedWaitDays: 20 }`, (n: any) => n.expectedWaitDays <= 20],
    ["minAvailableSlots", `{ minAvailableSlots: 10 }`, (n: any) => n.availableSlots >= 10],
  ])("filters by %s", async (_name, filter, holds) => {
    const { data, errors } = await hub.query(
      `{ freeCapacity(filter: ${filter}, first: 100) { totalCount edges { node { availableSlots expectedWaitDays procedure { code } provider { kind region { code } } } } } }`,
    );
    expect(errors).toBeUndefined();
    const nodes = data.freeCapacity.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.length).toBe(data.freeCapacity.totalCount);
    expect(nodes.every(holds)).toBe(true);
    const everything = await hub.query(`{ freeCapacity(first: 0) { totalCount } }`);
    expect(nodes.length).toBeLessThan(everything.data.freeCapacity.totalCount);
  });

  it("filters Region Halland's providers into Södra or Västra by municipality", async () => {
    const names = async (code: string) =>
      (
        await hub.query(
          `{ freeCapacity(filter: { healthcareRegionCode: "${code}", regionCodes: ["13"] }, first: 100) { edges { node { provider { name healthcareRegion { code } } } } } }`,
        )
      ).data.freeCapacity.edges.map((e: any) => e.node.provider);
    const south = await names("SODRA");
    const north = await names("VASTRA");
    expect(south.map((p: any) => p.name)).toContain("Hallands sjukhus Halmstad");
    expect(south.map((p: any) => p.name)).not.toContain("Hallands sjukhus Varberg");
    expect(north.map((p: any) => p.name)).toContain("Hallands sjukhus Varberg");
    expect(north.map((p: any) => p.name)).not.toContain("Hallands sjukhus Halmstad");
    expect(south.every((p: any) => p.healthcareRegion.code === "SODRA")).toBe(true);
    expect(north.every((p: any) => p.healthcareRegion.code === "VASTRA")).toBe(true);
  });

  it("filters by the latest acceptable start date", async () => {
    const by = addDays(stockholmDate(), 15);
    const { data } = await hub.query(
      `query($by: Date) { freeCapacity(filter: { startsOnOrBefore: $by }, first: 100) { edges { node { earliestStart } } } }`,
      { by },
    );
    expect(data.freeCapacity.edges.length).toBeGreaterThan(0);
    expect(data.freeCapacity.edges.every((e: any) => e.node.earliestStart <= by)).toBe(true);
  });
});

describe("coverage on an offer (agreements subgraph, through federation)", () => {
  const coverageOf = async (homeRegionCode: string) => {
    const { data, errors } = await hub.query(
      `query($home: String!) { freeCapacity(filter: { procedureCode: "NFB49" }, first: 100) { edges { node { earliestStart provider { name } coverage(homeRegionCode: $home) { status pricePerCaseSek agreement { kind name } } } } } }`,
      { home: homeRegionCode },
    );
    expect(errors).toBeUndefined();
    return new Map<string, any>(
      data.freeCapacity.edges.map((e: any) => [e.node.provider.name, { ...e.node.coverage, earliestStart: e.node.earliestStart }]),
    );
  };
  /** Seeded prices rise 3 % a year from the seed year. */
  const priceIn = (base: number, careDate: string) =>
    Math.round(base * 1.03 ** (Number(careDate.slice(0, 4)) - Number(stockholmDate().slice(0, 4))));

  it("answers internal care for the home region's own hospitals", async () => {
    const halland = await coverageOf("13");
    expect(halland.get("Hallands sjukhus Halmstad")).toMatchObject({ status: "INTERNAL_CARE", agreement: null, pricePerCaseSek: null });
  });

  it("sends a Halland patient to Skåne and Kronoberg under the Södra pact", async () => {
    const halland = await coverageOf("13");
    for (const name of ["Trelleborgs lasarett", "Skånes universitetssjukhus Lund", "Centrallasarettet Växjö"]) {
      expect(halland.get(name)).toMatchObject({
        status: "COVERED",
        agreement: { kind: "HEALTHCARE_REGION_PACT", name: expect.stringContaining("Södra") },
      });
    }
  });

  it("sends a Halland patient to Västra Götaland under the Västra pact", async () => {
    const halland = await coverageOf("13");
    expect(halland.get("Sahlgrenska universitetssjukhuset")).toMatchObject({
      status: "COVERED",
      agreement: { kind: "HEALTHCARE_REGION_PACT", name: expect.stringContaining("Västra") },
    });
  });

  it("sends a Halland patient to Stockholm and Norrbotten under Riksavtalet only", async () => {
    const halland = await coverageOf("13");
    for (const name of ["Karolinska universitetssjukhuset", "Södersjukhuset", "Sunderby sjukhus"]) {
      expect(halland.get(name)).toMatchObject({ status: "COVERED", agreement: { kind: "RIKSAVTALET" } });
    }
  });

  it("uses Region Halland's own agreement with a private provider, at its price", async () => {
    const halland = await coverageOf("13");
    const kattegatt = halland.get("Kattegattkliniken Ortopedi AB");
    expect(kattegatt).toMatchObject({ status: "COVERED", agreement: { kind: "CARE_GUARANTEE_AGREEMENT" } });
    expect(kattegatt.pricePerCaseSek).toBe(priceIn(79_900, kattegatt.earliestStart));
  });

  it("does not cover a private provider the home region has no agreement with", async () => {
    const halland = await coverageOf("13");
    expect(halland.get("Öresund Ortopedcenter AB")).toMatchObject({ status: "NOT_COVERED", agreement: null, pricePerCaseSek: null });
    const skane = await coverageOf("12");
    const oresund = skane.get("Öresund Ortopedcenter AB");
    expect(oresund).toMatchObject({ status: "COVERED", agreement: { kind: "CARE_GUARANTEE_AGREEMENT" } });
    expect(oresund.pricePerCaseSek).toBe(priceIn(81_000, oresund.earliestStart));
  });

  it("sends a Skåne patient to Halland under the Södra pact and a Norrbotten patient under Riksavtalet", async () => {
    expect((await coverageOf("12")).get("Hallands sjukhus Varberg")).toMatchObject({ agreement: { kind: "HEALTHCARE_REGION_PACT" } });
    expect((await coverageOf("25")).get("Hallands sjukhus Halmstad")).toMatchObject({ agreement: { kind: "RIKSAVTALET" } });
    expect((await coverageOf("25")).get("Sunderby sjukhus")).toMatchObject({ status: "INTERNAL_CARE" });
  });
});
