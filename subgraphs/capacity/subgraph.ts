import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { CapacityOffer } from "./entities/capacity-offer.entity";
import { Procedure } from "./entities/procedure.entity";
import { CareUnit, Provider } from "./entities/provider.entity";
import { HealthcareRegion, HealthcareRegionMember, Region } from "./entities/region.entity";
import { CapacityContext, createCapacityContext } from "./loaders";
import { CapacityInit1795305600000 } from "./migrations/1795305600000-capacity-init";
import { capacityReferences } from "./references";
import { CapacityOfferResolver } from "./resolvers/capacity-offer.resolver";
import { CoverageQuestionResolver, ReferralCoverageResolver, ReferralRef } from "./resolvers/coverage-question.resolver";
import { ProcedureResolver } from "./resolvers/procedure.resolver";
import { CareUnitResolver, ProviderResolver } from "./resolvers/provider.resolver";
import { HealthcareRegionResolver, RegionResolver } from "./resolvers/region.resolver";

/**
 * Capacity: the national reference data (regions, healthcare regions, KVÅ procedures), the
 * providers and their care units, and the free-capacity offers they publish.
 */
export const capacitySubgraph: SubgraphModule<CapacityContext> = {
  name: "capacity",
  entities: [Region, HealthcareRegion, HealthcareRegionMember, Procedure, Provider, CareUnit, CapacityOffer],
  migrations: [CapacityInit1795305600000],
  buildSchema: () =>
    buildFederatedSchema<CapacityContext>({
      resolvers: [
        RegionResolver,
        HealthcareRegionResolver,
        ProcedureResolver,
        ProviderResolver,
        CareUnitResolver,
        CapacityOfferResolver,
        CoverageQuestionResolver,
        ReferralCoverageResolver,
      ],
      orphanedTypes: [ReferralRef],
      referenceResolvers: capacityReferences,
    }),
  createContext: createCapacityContext,
};
