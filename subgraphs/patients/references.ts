/** The reference resolvers of the entities the patients subgraph owns. */

import { isUuid } from "../shared/domain/ids";
import { ReferenceResolver } from "../shared/federation";
import type { PatientsContext } from "./context";

export const patientsReferenceResolvers: Record<string, ReferenceResolver<PatientsContext>> = {
  Patient: (ref, ctx) => (typeof ref.id === "string" && isUuid(ref.id) ? ctx.loaders.patient.load(ref.id) : null),
};
