import { randomUUID } from "node:crypto";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { totalSqlStatements } from "../../subgraphs/shared/db/data-source";
import { startTestHub, TestHub } from "../support/hub";

/**
 * A page costs a fixed number of SQL statements across all subgraphs, whatever its size: every
 * entity reference and child list is batched (DataLoader), including the federated `coverage`.
 */
const PAGE = `
  query($first: Int) {
    freeCapacity(filter: { specialty: ORTHOPAEDICS }, first: $first) {
      totalCount
      edges { node {
        id availableSlots earliestStart
        procedure { code name }
        careUnit { name }
        provider { id name kind healthcareRegion { code } region { code name healthcareRegion { name } healthcareRegions { code } } }
        coverage(homeRegionCode: "13") { status agreement { id kind name } pricePerCaseSek }
      } }
    }
  }`;

let hub: TestHub;
beforeAll(async () => {
  // The figure is the subgraphs' work for a page, so the gateway's response cache is off here.
  hub = await startTestHub({ HUB_RESPONSE_CACHE_MB: "0" });
  // Enough orthopaedic offers, spread over every orthopaedic unit, for a full page of 100.
  const capacity = hub.hub.dataSources.capacity;
  const units: Array<{ id: string; provider_id: string }> = await capacity.query(
    "SELECT id, provider_id FROM capacity.care_unit WHERE specialty = 'ORTHOPAEDICS' ORDER BY id",
  );
  const today = stockholmDate();
  for (let i = 0; i < 150; i++) {
    const unit = units[i % units.length];
    await capacity.query(
      `INSERT INTO capacity.capacity_offer (id, care_unit_id, provider_id, specialty, procedure_code, visit_type, total_slots,
         earliest_start, valid_from, valid_until, expected_wait_days, status, source, reported_by, reported_at)
       VALUES ($1, $2, $3, 'ORTHOPAEDICS', 'NFB49', 'TREATMENT', 2, $4, $5, $6, 30, 'OPEN', 'API', 'batching test', now())`,
      [randomUUID(), unit.id, unit.provider_id, addDays(today, 1 + (i % 60)), today, addDays(today, 90)],
    );
  }
});
afterAll(() => hub?.stop());

async function statementsFor(first: number): Promise<{ statements: number; edges: number }> {
  const before = totalSqlStatements();
  const { data, errors } = await hub.query(PAGE, { first });
  expect(errors).toBeUndefined();
  return { statements: totalSqlStatements() - before, edges: data.freeCapacity.edges.length };
}

describe("SQL statements per freeCapacity page", () => {
  it("costs the same for a page of 20 and a page of 100", async () => {
    const twenty = await statementsFor(20);
    const hundred = await statementsFor(100);
    expect(twenty.edges).toBe(20);
    expect(hundred.edges).toBe(100);
    expect(hundred.statements).toBe(twenty.statements);
    // Written to the test log so the figure can be quoted; the assertion above is what matters.
    process.stderr.write(
      `SQL statements per freeCapacity page (all subgraphs): ${twenty.statements} for 20 results, ${hundred.statements} for 100\n`,
    );
  });

  it("costs a small constant, not one statement per result", async () => {
    const { statements } = await statementsFor(100);
    expect(statements).toBeLessThan(20);
  });
});
