import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { Patient } from "./entities/patient.entity";
import { PatientRecords } from "./services/patient-records";
import type { PatientsRuntime } from "./runtime";

/**
 * The patients subgraph's per-request context. Patients and their audit log are reached only
 * through the caller-bound records (no data source or repository is handed out: see
 * test/unit/data-access-boundary.test.ts), batched by a DataLoader.
 */
export function createPatientsContext(dataSource: DataSource, base: BaseRequestContext, runtime: PatientsRuntime) {
  const records = new PatientRecords(dataSource, base, async (patientIds) => {
    // referralCareRelations takes at most 100 patients a call; a request may load more.
    const related = new Set<string>();
    for (let start = 0; start < patientIds.length; start += 100) {
      const { referralCareRelations } = await runtime.supergraph.request<{ referralCareRelations: string[] }>(
        base,
        "query CareRelations($ids: [ID!]!) { referralCareRelations(patientIds: $ids) }",
        { ids: patientIds.slice(start, start + 100) },
      );
      for (const id of referralCareRelations) related.add(id);
    }
    return related;
  });
  return {
    ...base,
    records,
    populationRegister: runtime.populationRegister,
    loaders: {
      patient: new DataLoader<string, Patient | null>((ids) => records.byIds(ids)),
    },
  };
}

export type PatientsContext = ReturnType<typeof createPatientsContext>;
