import { DataSource } from "typeorm";
import { capacitySubgraph } from "../../subgraphs/capacity/subgraph";
import { CapacityOffer } from "../../subgraphs/capacity/entities/capacity-offer.entity";
import { Provider } from "../../subgraphs/capacity/entities/provider.entity";
import { connect } from "../../subgraphs/shared/db/data-source";
import { Role } from "../../subgraphs/shared/identity";
import { cappedCount, TOTAL_COUNT_CAP } from "../../subgraphs/shared/pagination";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * `totalCount` is counted up to a cap (TOTAL_COUNT_CAP), so its cost does not grow with the data;
 * `totalCountIsExact` says whether the cap was reached. The cap is exceeded here with a small cap
 * on the real database (the seeds hold far fewer than 10 000 offers), and through the gateway the
 * seeded data is counted exactly.
 */
let hub: TestHub;
let capacity: DataSource;
beforeAll(async () => {
  hub = await startTestHub();
  capacity = await connect(subgraphDataSource(capacitySubgraph, hub.databaseUrl, 2));
});
afterAll(async () => {
  await capacity?.destroy();
  await hub?.stop();
});

const openOffers = () => capacity.getRepository(CapacityOffer).createQueryBuilder("o").where("o.status = :open", { open: "OPEN" });
const exactCount = async (sql: string) => Number((await capacity.query(sql))[0].n);

describe("cappedCount", () => {
  it("counts exactly up to the cap, and says so", async () => {
    const n = await exactCount("SELECT count(*) AS n FROM capacity.capacity_offer WHERE status = 'OPEN'");
    expect(n).toBeGreaterThan(3);
    expect(await cappedCount(openOffers(), n)).toEqual({ count: n, exact: true });
    expect(await cappedCount(openOffers(), n + 1)).toEqual({ count: n, exact: true });
    expect(await cappedCount(openOffers())).toEqual({ count: n, exact: true });
  });

  it("stops at the cap when more match, and says the count is not exact", async () => {
    const n = await exactCount("SELECT count(*) AS n FROM capacity.capacity_offer WHERE status = 'OPEN'");
    expect(await cappedCount(openOffers(), n - 1)).toEqual({ count: n - 1, exact: false });
    expect(await cappedCount(openOffers(), 3)).toEqual({ count: 3, exact: false });
    expect(await cappedCount(openOffers(), 0)).toEqual({ count: 0, exact: false });
  });

  it("counts nothing as an exact 0", async () => {
    expect(await cappedCount(openOffers().andWhere("o.specialty = :none", { none: "NO_SUCH_SPECIALTY" }), 0)).toEqual({
      count: 0,
      exact: true,
    });
  });

  it("keeps the query's parameters and joins, and ignores its order and limit", async () => {
    const n = await exactCount(
      "SELECT count(*) AS n FROM capacity.capacity_offer o JOIN capacity.provider p ON p.id = o.provider_id WHERE o.status = 'OPEN' AND p.kind = 'PRIVATE'",
    );
    expect(n).toBeGreaterThan(1);
    const q = openOffers()
      .innerJoin(Provider, "p", "p.id = o.provider_id")
      .andWhere("p.kind = :kind", { kind: "PRIVATE" })
      .orderBy("o.earliest_start", "ASC")
      .limit(1);
    expect(await cappedCount(q, 1000)).toEqual({ count: n, exact: true });
    expect(await cappedCount(q, n - 1)).toEqual({ count: n - 1, exact: false });
  });

  it("costs one statement", async () => {
    // This data source's own statements: the hub in this process (sweeps, change feeds) counts
    // under the same subgraph name in the process-wide counters.
    const statements = jest.spyOn(capacity.logger, "logQuery");
    await cappedCount(openOffers(), 5);
    expect(statements).toHaveBeenCalledTimes(1);
    statements.mockRestore();
  });

  it("refuses a cap that is not a whole number of 0 or more", async () => {
    await expect(cappedCount(openOffers(), -1)).rejects.toThrow(/cap/);
    await expect(cappedCount(openOffers(), 1.5)).rejects.toThrow(/cap/);
  });
});

describe("totalCount through the gateway", () => {
  it("is exact for freeCapacity on the seeded data, with totalCountIsExact true", async () => {
    expect(TOTAL_COUNT_CAP).toBe(10_000);
    const { data, errors } = await hub.query(
      `{ freeCapacity(first: 100) { totalCount totalCountIsExact edges { node { id } } pageInfo { hasNextPage } } }`,
    );
    expect(errors).toBeUndefined();
    const page = data.freeCapacity;
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.totalCountIsExact).toBe(true);
    expect(page.totalCount).toBe(page.edges.length);
    expect(page.totalCount).toBeGreaterThan(0);
  });

  it("is exact for a filtered freeCapacity search, on every page", async () => {
    const query = `query($after: String) { freeCapacity(filter: { specialty: ORTHOPAEDICS }, first: 2, after: $after) { totalCount totalCountIsExact edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
    const first = (await hub.query(query)).data.freeCapacity;
    const second = (await hub.query(query, { after: first.pageInfo.endCursor })).data.freeCapacity;
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.totalCount).toBeGreaterThan(2);
    expect(second).toMatchObject({ totalCount: first.totalCount, totalCountIsExact: true });
  });

  it("is exact for the office's referrals and at-risk referrals", async () => {
    const office = await token(Role.REGIONAL_OFFICE, "13");
    const { data, errors } = await hub.queryAs(
      office,
      `{ referrals(first: 100) { totalCount totalCountIsExact edges { node { id } } }
         atRiskReferrals(regionCode: "13", first: 100) { totalCount totalCountIsExact edges { node { id } } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.referrals.totalCount).toBeGreaterThan(0);
    for (const list of [data.referrals, data.atRiskReferrals]) {
      expect(list.totalCountIsExact).toBe(true);
      expect(list.totalCount).toBe(list.edges.length);
    }
  });
});
