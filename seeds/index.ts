import { DataSource } from "typeorm";
import { SeedMode, SubgraphName } from "../subgraphs/shared/config";
import { seedAgreementsDemo, seedAgreementsMunicipalityRules } from "./agreements";
import { seedCapacityDemo, seedCapacityReference } from "./capacity";
import { seedPatientsDemo } from "./patients";
import { seedReferralsDemo, seedReferralsDemoLimits, seedReferralsReference } from "./referrals";

type Step = [name: string, run: (dataSource: DataSource) => Promise<boolean>];

/**
 * National reference data by the subgraph whose schema holds it: every deployment needs it, so
 * each subgraph seeds its own part when it starts, however the hub is run.
 */
const REFERENCE: Partial<Record<SubgraphName, Step[]>> = {
  capacity: [["capacity reference data", seedCapacityReference]],
  referrals: [["care-guarantee limits", seedReferralsReference]],
};

/**
 * Seeds one subgraph's reference data (idempotent: each step runs once per database, under the
 * schema's advisory lock, so replicas starting together do not race). Returns the steps that ran.
 */
export async function seedReference(name: SubgraphName, dataSource: DataSource): Promise<string[]> {
  const ran: string[] = [];
  for (const [step, run] of REFERENCE[name] ?? []) if (await run(dataSource)) ran.push(step);
  return ran;
}

/**
 * Seeds a hub's databases: `reference` = national reference data only (regions, healthcare
 * regions, KVÅ procedures, the care guarantee's national limits), what a production hub starts with; `demo` adds providers, offers,
 * agreements, synthetic patients and referrals. Returns the steps that ran (none on a database
 * seeded before). `ownRegion` (a node of the national network): demo providers of that region only,
 * and patients only on Region Halland's node.
 */
export async function seedHub(dataSources: Record<SubgraphName, DataSource>, mode: SeedMode, today: string, ownRegion?: string): Promise<string[]> {
  if (mode === "none") return [];
  const ran: string[] = [];
  const step = async (name: string, run: () => Promise<boolean>) => {
    if (await run()) ran.push(name);
  };
  ran.push(...(await seedReference("capacity", dataSources.capacity)));
  ran.push(...(await seedReference("referrals", dataSources.referrals)));
  if (mode === "demo") {
    await step("capacity demo data", () => seedCapacityDemo(dataSources.capacity, today, new Date(), ownRegion));
    await step("agreements demo data", () => seedAgreementsDemo(dataSources.agreements, today));
    // The synthetic patients and their referrals are Region Halland's: another region's node has none.
    if (ownRegion && ownRegion !== "13") return ran;
    await step("patients demo data", () => seedPatientsDemo(dataSources.patients, today));
    await step("referrals demo data", () => seedReferralsDemo(dataSources.referrals, today));
    await step("regional care-guarantee limits", () => seedReferralsDemoLimits(dataSources.referrals));
    await step("agreements following the municipality", () => seedAgreementsMunicipalityRules(dataSources.agreements));
  }
  return ran;
}
