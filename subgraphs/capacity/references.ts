import { isUuid } from "../shared/domain/ids";
import { ReferenceResolver } from "../shared/federation";
import { CapacityContext } from "./context";

const byId =
  (pick: (ctx: CapacityContext) => { load(id: string): Promise<unknown> }): ReferenceResolver<CapacityContext> =>
  (ref, ctx) =>
    typeof ref.id === "string" && isUuid(ref.id) ? pick(ctx).load(ref.id) : null;

const byCode =
  (pick: (ctx: CapacityContext) => { load(code: string): Promise<unknown> }): ReferenceResolver<CapacityContext> =>
  (ref, ctx) =>
    typeof ref.code === "string" ? pick(ctx).load(ref.code) : null;

/** Entities other subgraphs reference by key; an unknown key resolves to null, never an error. */
export const capacityReferences: Record<string, ReferenceResolver<CapacityContext>> = {
  Region: byCode((ctx) => ctx.loaders.region),
  HealthcareRegion: byCode((ctx) => ctx.loaders.healthcareRegion),
  Procedure: byCode((ctx) => ctx.loaders.procedure),
  Provider: byId((ctx) => ctx.loaders.provider),
  CareUnit: byId((ctx) => ctx.loaders.careUnit),
  CapacityOffer: byId((ctx) => ctx.loaders.offer),
  // Capacity adds `coverage` to referrals; the representation carries the facts it requires.
  Referral: (ref) => ref,
};
