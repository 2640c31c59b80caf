import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { Patient, PatientResidence } from "./entities/patient.entity";
import { createPatientsContext, PatientsContext } from "./context";
import { patientsReferenceResolvers } from "./references";
import { PatientsRuntime, startPatientsRuntime } from "./runtime";
import { PatientsInit1795305600000 } from "./migrations/1795305600000-patients-init";
import { PatientResolver } from "./resolvers/patient.resolver";
import { AuditLogResolver } from "./resolvers/audit-log.resolver";
import { AuditLog1795564800000 } from "../shared/migrations/1795564800000-audit-log";
import { AuditPurgeFunction1796169600000 } from "../shared/migrations/1796169600000-audit-purge-function";
import { PatientsRegistration1796256000000 } from "./migrations/1796256000000-patients-registration";
import { PatientsCareRelations1796515200000 } from "./migrations/1796515200000-patients-care-relations";
import { CareRelationResolver } from "./resolvers/care-relation.resolver";
import { PatientRegistrationResolver, PatientResidenceResolver } from "./resolvers/patient-registration.resolver";

/**
 * Patients: who is waiting for care, identified by personnummer or samordningsnummer; disclosed
 * only to those in the patient's care, with every access in the audit log.
 */
export const patientsSubgraph: SubgraphModule<PatientsContext, PatientsRuntime> = {
  name: "patients",
  // Who may read a patient is decided from this subgraph's own data (care relations included) and
  // its resolvers ask no other service; it is still told where the gateway is, and its /health says
  // whether it can reach it, as the operator's runbook checks for every subgraph.
  usesSupergraph: true,
  entities: [Patient, PatientResidence],
  migrations: [
    PatientsInit1795305600000,
    AuditLog1795564800000,
    AuditPurgeFunction1796169600000,
    PatientsRegistration1796256000000,
    PatientsCareRelations1796515200000,
  ],
  buildSchema: () =>
    buildFederatedSchema<PatientsContext>({
      resolvers: [PatientResolver, PatientRegistrationResolver, PatientResidenceResolver, AuditLogResolver, CareRelationResolver],
      referenceResolvers: patientsReferenceResolvers,
    }),
  startRuntime: startPatientsRuntime,
  createContext: createPatientsContext,
};
