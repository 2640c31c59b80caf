import { DataSource } from "typeorm";
import { SUBGRAPH_NAMES, SubgraphName } from "../../subgraphs/shared/config";
import { stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { connect, migrate } from "../../subgraphs/shared/db/data-source";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { SUBGRAPHS } from "../../seeds/subgraphs";
import { seedHub } from "../../seeds";
import { PROVIDERS } from "../../seeds/data/providers";
import { PATIENTS } from "../../seeds/data/patients";
import { createEmptyDatabase, migratedDataSources } from "../support/database";

/** Migrations and seeds on a real, empty PostgreSQL database, as on a first start. */
let dataSources: Record<SubgraphName, DataSource>;
beforeAll(async () => {
  dataSources = await migratedDataSources(await createEmptyDatabase());
});
afterAll(async () => {
  await Promise.all(Object.values(dataSources ?? {}).map((d) => d.destroy()));
});

const count = async (subgraph: SubgraphName, table: string) =>
  Number((await dataSources[subgraph].query(`SELECT count(*) AS n FROM ${subgraph}.${table}`))[0].n);

async function migratedDataSourcesInParallel(url: string) {
  const dataSources = await Promise.all(
    [...SUBGRAPH_NAMES, ...SUBGRAPH_NAMES].map((name) => connect(subgraphDataSource(SUBGRAPHS[name], url, 2))),
  );
  const results = await Promise.all(dataSources.map((d) => migrate(d)));
  return { dataSources, results };
}

describe("migrations", () => {
  it("puts each subgraph's tables in its own schema, with its own migrations table", async () => {
    for (const name of SUBGRAPH_NAMES) {
      const tables = await dataSources[name].query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [name]);
      const names = tables.map((t: { table_name: string }) => t.table_name);
      expect(names).toEqual(expect.arrayContaining(["migrations", "seed_run"]));
      expect(names.length).toBeGreaterThan(2);
    }
  });

  it("applies nothing when run again", async () => {
    for (const name of SUBGRAPH_NAMES) expect(await migrate(dataSources[name])).toEqual([]);
  });

  it("serialises concurrent first runs from several processes on one database", async () => {
    // Two "processes" (separate pools) migrate a fresh database at once: each migration runs once.
    const url = await createEmptyDatabase();
    const first = await migratedDataSourcesInParallel(url);
    try {
      const applied = first.results.flat().sort();
      expect(applied).toEqual(SUBGRAPH_NAMES.flatMap((name) => SUBGRAPHS[name].migrations.map((m) => m.name)).sort());
    } finally {
      await Promise.all(first.dataSources.map((d) => d.destroy()));
    }
  });

  it("undoes and redoes the covering search indexes of capacity", async () => {
    const url = await createEmptyDatabase();
    const capacity = await connect(subgraphDataSource(SUBGRAPHS.capacity, url, 2));
    const definition = async (name: string) =>
      (await capacity.query("SELECT indexdef FROM pg_indexes WHERE schemaname = 'capacity' AND indexname = $1", [name]))[0]?.indexdef as
        | string
        | undefined;
    try {
      await migrate(capacity);
      expect(await definition("capacity_offer_open_by_specialty")).toMatch(
        /INCLUDE \(valid_until, total_slots, reserved_slots, provider_id\)/,
      );
      expect(await definition("capacity_offer_open_by_provider")).toBeDefined();
      // The SMART Scheduling Links tables came last: undone first.
      await capacity.undoLastMigration({ transaction: "each" });
      expect((await capacity.query("SELECT to_regclass('capacity.scheduling_publisher') AS t"))[0].t).toBeNull();
      // The care-catalogue migration came after; it undoes (and redoes) too.
      await capacity.undoLastMigration({ transaction: "each" });
      const column = async (table: string, name: string) =>
        (
          await capacity.query(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = 'capacity' AND table_name = $1 AND column_name = $2",
            [table, name],
          )
        ).length > 0;
      expect(await column("care_unit", "active")).toBe(false);
      expect(await column("procedure", "valid_to")).toBe(false);
      await capacity.undoLastMigration({ transaction: "each" });
      expect(await definition("capacity_offer_open_by_specialty")).not.toMatch(/INCLUDE/);
      expect(await definition("capacity_offer_open_by_provider")).toBeUndefined();
      expect(await migrate(capacity)).toEqual([
        "CapacitySearchCoveringIndexes1795996800000",
        "CapacityCareCatalogue1796169600000",
        "SchedulingPublishers1796428800000",
      ]);
      expect(await column("provider", "organisation_number")).toBe(true);
      expect(await definition("capacity_offer_open_by_procedure")).toMatch(/INCLUDE/);
    } finally {
      await capacity.destroy();
    }
  });

  it("rejects data the domain forbids, whatever code writes it", async () => {
    await expect(dataSources.capacity.query("INSERT INTO capacity.region (code, name) VALUES ('1', 'x')")).rejects.toThrow(/check/i);
    await expect(
      dataSources.patients.query(
        "INSERT INTO patients.patient (id, personal_identity_number, identity_kind, given_name, family_name, birth_date, home_region_code, home_municipality_code) VALUES (gen_random_uuid(), '1912', 'PERSONNUMMER', 'a', 'b', '1912-12-12', '13', '1380')",
      ),
    ).rejects.toThrow(/check/i);
  });
});

describe("seeding", () => {
  it("seeds reference data only in reference mode", async () => {
    const ran = await seedHub(dataSources, "reference", stockholmDate());
    expect(ran).toEqual(["capacity reference data", "care-guarantee limits"]);
    expect(await count("capacity", "region")).toBe(21);
    expect(await count("capacity", "healthcare_region")).toBe(6);
    expect(await count("capacity", "provider")).toBe(0);
    expect(await count("patients", "patient")).toBe(0);
  });

  it("adds the demo data once, and a second run changes nothing", async () => {
    const first = await seedHub(dataSources, "demo", stockholmDate());
    expect(first).toEqual([
      "capacity demo data",
      "agreements demo data",
      "patients demo data",
      "referrals demo data",
      "regional care-guarantee limits",
      "agreements following the municipality",
    ]);
    const before = {
      providers: await count("capacity", "provider"),
      offers: await count("capacity", "capacity_offer"),
      agreements: await count("agreements", "agreement"),
      patients: await count("patients", "patient"),
      referrals: await count("referrals", "referral"),
    };
    expect(before.providers).toBe(PROVIDERS.length);
    expect(before.patients).toBe(PATIENTS.length);
    expect(await seedHub(dataSources, "demo", stockholmDate())).toEqual([]);
    expect(await count("capacity", "capacity_offer")).toBe(before.offers);
    expect(await count("referrals", "referral")).toBe(before.referrals);
  });

  it("does not bring back seeded rows that users removed (seeds run on the first start only)", async () => {
    await dataSources.referrals.query("DELETE FROM referrals.referral WHERE ctid = (SELECT ctid FROM referrals.referral LIMIT 1)");
    const remaining = await count("referrals", "referral");
    await seedHub(dataSources, "demo", stockholmDate());
    expect(await count("referrals", "referral")).toBe(remaining);
  });

  it("stores identity numbers in the 12-digit form only", async () => {
    const rows = await dataSources.patients.query("SELECT personal_identity_number AS n FROM patients.patient");
    expect(rows.every((r: { n: string }) => /^\d{12}$/.test(r.n))).toBe(true);
  });
});
