/** The reference resolvers of the entities the referrals subgraph owns or adds fields to. */

import { isUuid } from "../shared/domain/ids";
import { ReferenceResolver } from "../shared/federation";
import type { ReferralsContext } from "./context";

export const referralsReferenceResolvers: Record<string, ReferenceResolver<ReferralsContext>> = {
  Referral: (ref, ctx) => (typeof ref.id === "string" && isUuid(ref.id) ? ctx.loaders.referral.load(ref.id) : null),
  // Any patient id can carry a (possibly empty) list of referrals.
  Patient: (ref) => (typeof ref.id === "string" && isUuid(ref.id) ? { id: ref.id } : null),
};
