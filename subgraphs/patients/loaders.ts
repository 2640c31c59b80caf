import { DataSource, In } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { byKey } from "../shared/loaders";
import { Patient } from "./entities/patient.entity";

/** The patients subgraph's per-request context: batched loaders. */
export function createPatientsContext(dataSource: DataSource, base: BaseRequestContext) {
  const patients = dataSource.getRepository(Patient);
  return {
    ...base,
    repositories: { patient: patients },
    loaders: {
      patient: byKey((ids: readonly string[]) => patients.findBy({ id: In([...ids]) }), (p) => p.id),
    },
  };
}

export type PatientsContext = ReturnType<typeof createPatientsContext>;
