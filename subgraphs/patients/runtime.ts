import { DataSource } from "typeorm";
import { purgeExpiredAudit } from "../shared/audit";
import { logger } from "../shared/log";
import { Stoppable } from "../shared/main";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { CareRelations } from "./services/care-relations";
import { ClinicInputRegister, PopulationRegister } from "./services/population-register";

/** What lives as long as a patients process: the care relations the referrals subgraph records, the population register, and the audit purge. */
export interface PatientsRuntime extends Stoppable {
  careRelations: CareRelations;
  /** Who a personal identity number belongs to: the one place a population-register integration goes. */
  populationRegister: PopulationRegister;
}

/** The audit log's retention is enforced from here, the subgraph that owns patient identity; twice a day is plenty. */
const PURGE_MS = 12 * 60 * 60 * 1000;

export async function startPatientsRuntime(dataSource: DataSource, environment: RuntimeEnvironment): Promise<PatientsRuntime> {
  const log = logger("patients/audit-retention");
  const purge = async () => {
    try {
      const purged = await purgeExpiredAudit(dataSource, environment.auditRetentionYears);
      if (purged > 0) log.info(`purged ${purged} audit record(s) older than ${environment.auditRetentionYears} years`);
    } catch (error) {
      log.warn(`audit retention purge failed: ${(error as Error).message}`);
    }
  };
  await purge();
  const timer = setInterval(() => void purge(), PURGE_MS).unref();
  return {
    careRelations: new CareRelations(dataSource),
    populationRegister: new ClinicInputRegister(),
    stop: async () => clearInterval(timer),
  };
}
