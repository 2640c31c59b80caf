/**
 * The patients subgraph's per-request context. Patients and their audit log are reached only
 * through the caller-bound records (no data source or repository is handed out: see
 * test/unit/data-access-boundary.test.ts), batched by the request's loaders.
 */

import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { createPatientsLoaders } from "./loaders";
import type { PatientsRuntime } from "./runtime";
import { PatientRecords } from "./services/patient-records";

export function createPatientsContext(dataSource: DataSource, base: BaseRequestContext, runtime: PatientsRuntime) {
  const records = new PatientRecords(dataSource, base);
  return {
    ...base,
    records,
    populationRegister: runtime.populationRegister,
    careRelations: runtime.careRelations,
    loaders: createPatientsLoaders(records),
  };
}

export type PatientsContext = ReturnType<typeof createPatientsContext>;
