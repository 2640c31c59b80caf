import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { Patient } from "./entities/patient.entity";
import { PatientRecords } from "./services/patient-records";

/**
 * The patients subgraph's per-request context. Patients are reached only through the caller-scoped
 * records (no repository is handed out), batched by a DataLoader.
 */
export function createPatientsContext(dataSource: DataSource, base: BaseRequestContext) {
  const records = new PatientRecords(dataSource, base);
  return {
    ...base,
    records,
    dataSource,
    loaders: {
      patient: new DataLoader<string, Patient | null>((ids) => records.byIds(ids)),
    },
  };
}

export type PatientsContext = ReturnType<typeof createPatientsContext>;
