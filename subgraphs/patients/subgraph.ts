import "reflect-metadata";
import "../shared/graphql-enums";
import { isUuid } from "../shared/domain/ids";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { Patient } from "./entities/patient.entity";
import { createPatientsContext, PatientsContext } from "./loaders";
import { PatientsInit1795305600000 } from "./migrations/1795305600000-patients-init";
import { PatientResolver } from "./resolvers/patient.resolver";

/** Patients: who is waiting for care, identified by personnummer or samordningsnummer. */
export const patientsSubgraph: SubgraphModule<PatientsContext> = {
  name: "patients",
  entities: [Patient],
  migrations: [PatientsInit1795305600000],
  buildSchema: () =>
    buildFederatedSchema<PatientsContext>({
      resolvers: [PatientResolver],
      referenceResolvers: {
        Patient: (ref, ctx) => (typeof ref.id === "string" && isUuid(ref.id) ? ctx.loaders.patient.load(ref.id) : null),
      },
    }),
  createContext: createPatientsContext,
};
