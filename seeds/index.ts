import { DataSource } from "typeorm";
import { SeedMode, SUBGRAPH_NAMES, SubgraphName } from "../subgraphs/shared/config";
import { seedAgreementsDemo, seedAgreementsMunicipalityRules } from "./agreements";
import { seedReference } from "../subgraphs/shared/subgraph";
import { seedCapacityDemo } from "./capacity";
import { seedPatientsDemo } from "./patients";
import { seedReferralsDemo, seedReferralsDemoLimits } from "./referrals";
import { SUBGRAPHS } from "./subgraphs";

/**
 * Seeds a hub's databases: `reference` = national reference data only (regions, healthcare
 * regions, KVÅ procedures, the care guarantee's national limits), what a production hub starts with; `demo` adds providers, offers,
 * agreements, synthetic patients and referrals. Returns the steps that ran (none on a database
 * seeded before). `ownRegion` (a node of the national network): demo providers of that region only,
 * and patients only on Region Halland's node.
 */
export async function seedHub(
  dataSources: Record<SubgraphName, DataSource>,
  mode: SeedMode,
  today: string,
  ownRegion?: string,
): Promise<string[]> {
  if (mode === "none") return [];
  const ran: string[] = [];
  const step = async (name: string, run: () => Promise<boolean>) => {
    if (await run()) ran.push(name);
  };
  // National reference data: each subgraph's own (what it also seeds when it starts on its own).
  for (const name of SUBGRAPH_NAMES) ran.push(...(await seedReference(SUBGRAPHS[name], dataSources[name])));
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
