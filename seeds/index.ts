import { DataSource } from "typeorm";
import { SeedMode, SubgraphName } from "../subgraphs/shared/config";
import { seedAgreementsDemo, seedAgreementsMunicipalityRules } from "./agreements";
import { seedCapacityDemo, seedCapacityReference } from "./capacity";
import { seedPatientsDemo } from "./patients";
import { seedReferralsDemo, seedReferralsDemoLimits, seedReferralsReference } from "./referrals";

/**
 * Seeds a hub's databases: `reference` = national reference data only (regions, healthcare
 * regions, KVÅ procedures, the care guarantee's national limits), what a production hub starts with; `demo` adds providers, offers,
 * agreements, synthetic patients and referrals. Returns the steps that ran (none on a database
 * seeded before).
 */
export async function seedHub(dataSources: Record<SubgraphName, DataSource>, mode: SeedMode, today: string): Promise<string[]> {
  if (mode === "none") return [];
  const ran: string[] = [];
  const step = async (name: string, run: () => Promise<boolean>) => {
    if (await run()) ran.push(name);
  };
  await step("capacity reference data", () => seedCapacityReference(dataSources.capacity));
  await step("care-guarantee limits", () => seedReferralsReference(dataSources.referrals));
  if (mode === "demo") {
    await step("capacity demo data", () => seedCapacityDemo(dataSources.capacity, today));
    await step("agreements demo data", () => seedAgreementsDemo(dataSources.agreements, today));
    await step("patients demo data", () => seedPatientsDemo(dataSources.patients, today));
    await step("referrals demo data", () => seedReferralsDemo(dataSources.referrals, today));
    await step("regional care-guarantee limits", () => seedReferralsDemoLimits(dataSources.referrals));
    await step("agreements following the municipality", () => seedAgreementsMunicipalityRules(dataSources.agreements));
  }
  return ran;
}
