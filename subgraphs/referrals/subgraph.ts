import "reflect-metadata";
import "../shared/graphql-enums";
import { isUuid } from "../shared/domain/ids";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { PatientRef, Referral } from "./entities/referral.entity";
import { createReferralsContext, ReferralsContext } from "./loaders";
import { ReferralsInit1795305600000 } from "./migrations/1795305600000-referrals-init";
import { AuditLog1795564800000 } from "../shared/migrations/1795564800000-audit-log";
import { PatientReferralsResolver, ReferralResolver } from "./resolvers/referral.resolver";

/** Referrals: the home region's orders for care, whose decision dates start the guarantee clock. */
export const referralsSubgraph: SubgraphModule<ReferralsContext> = {
  name: "referrals",
  entities: [Referral],
  migrations: [ReferralsInit1795305600000, AuditLog1795564800000],
  buildSchema: () =>
    buildFederatedSchema<ReferralsContext>({
      resolvers: [ReferralResolver, PatientReferralsResolver],
      orphanedTypes: [PatientRef],
      referenceResolvers: {
        Referral: (ref, ctx) => (typeof ref.id === "string" && isUuid(ref.id) ? ctx.loaders.referral.load(ref.id) : null),
        // Any patient id can carry a (possibly empty) list of referrals.
        Patient: (ref) => (typeof ref.id === "string" && isUuid(ref.id) ? { id: ref.id } : null),
      },
    }),
  createContext: createReferralsContext,
};
