import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { Stoppable } from "../shared/main";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { SupergraphClient } from "../shared/supergraph-client";
import { Patient } from "./entities/patient.entity";
import { PatientRecords } from "./services/patient-records";

/**
 * The patients subgraph's per-request context. Patients are reached only through the caller-scoped
 * records (no repository is handed out), batched by a DataLoader.
 */
export function createPatientsContext(dataSource: DataSource, base: BaseRequestContext, runtime: PatientsRuntime) {
  const records = new PatientRecords(dataSource, base, async (patientIds) => {
    const { referralCareRelations } = await runtime.supergraph.request<{ referralCareRelations: string[] }>(
      base,
      "query CareRelations($ids: [ID!]!) { referralCareRelations(patientIds: $ids) }",
      { ids: patientIds },
    );
    return new Set(referralCareRelations);
  });
  return {
    ...base,
    records,
    dataSource,
    loaders: {
      patient: new DataLoader<string, Patient | null>((ids) => records.byIds(ids)),
    },
  };
}

/** What lives as long as a patients process: the way to ask the referrals subgraph about care relations. */
export interface PatientsRuntime extends Stoppable {
  supergraph: SupergraphClient;
}

export async function startPatientsRuntime(_dataSource: DataSource, environment: RuntimeEnvironment): Promise<PatientsRuntime> {
  return { supergraph: environment.supergraph("patients"), stop: async () => undefined };
}

export type PatientsContext = ReturnType<typeof createPatientsContext>;
