/**
 * The patients subgraph's DataLoaders. A patient is read through the caller-bound records, which
 * decide what the caller may see and audit it, so a page of N patients costs one statement.
 */

import DataLoader from "dataloader";
import { Patient } from "./entities/patient.entity";
import { PatientRecords } from "./services/patient-records";

export function createPatientsLoaders(records: PatientRecords) {
  return {
    patient: new DataLoader<string, Patient | null>((ids) => records.byIds(ids)),
  };
}
