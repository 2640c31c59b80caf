/**
 * The reference resolvers of what other subgraphs point at in this one; an unknown key resolves
 * to null, never an error.
 */

import { isUuid } from "../shared/domain/ids";
import { ReferenceResolver } from "../shared/federation";
import { AgreementsContext } from "./context";
import { isCoverageKey } from "./entities/coverage";

export const agreementsReferences: Record<string, ReferenceResolver<AgreementsContext>> = {
  Agreement: (ref, ctx) => (typeof ref.id === "string" && isUuid(ref.id) ? ctx.loaders.agreement.load(ref.id) : null),
  // The gateway sends the offer's key with the fields `coverage` requires; they are all it needs.
  CapacityOffer: (ref) => ref,
  // A coverage question posed elsewhere (capacity's `coverage` query): its key holds the whole case.
  Coverage: (ref, ctx) => (isCoverageKey(ref) ? ctx.loaders.coverage.load(ref) : null),
};
