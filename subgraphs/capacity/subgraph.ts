import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { CapacityOffer, OfferSlot, Reservation } from "./entities/capacity-offer.entity";
import { Procedure } from "./entities/procedure.entity";
import { CareUnit, Provider } from "./entities/provider.entity";
import { HealthcareRegion, HealthcareRegionMember, Region } from "./entities/region.entity";
import { CapacityContext, createCapacityContext } from "./loaders";
import { CapacityInit1795305600000 } from "./migrations/1795305600000-capacity-init";
import { CapacityPublishing1795478400000 } from "./migrations/1795478400000-capacity-publishing";
import { CapacitySearchCoveringIndexes1795996800000 } from "./migrations/1795996800000-capacity-search-covering-indexes";
import { ReservationReservingRegion1795910400000 } from "./migrations/1795910400000-reservation-reserving-region";
import { CapacityCareCatalogue1796169600000 } from "./migrations/1796169600000-capacity-care-catalogue";
import { CatalogueResolver, ProviderCatalogueResolver } from "./resolvers/catalogue.resolver";
import { SchedulingPublishers1796428800000 } from "./migrations/1796428800000-scheduling-publishers";
import { OfferProvenanceResolver, SchedulingPublisherResolver } from "./resolvers/smart-scheduling.resolver";
import { capacityReferences } from "./references";
import { BrokeringCandidatesResolver } from "./resolvers/brokering-candidates.resolver";
import { CapacityOfferResolver } from "./resolvers/capacity-offer.resolver";
import { NationalCapacityResolver } from "./resolvers/national-capacity.resolver";
import { PublishingResolver, ReservationResolver } from "./resolvers/publishing.resolver";
import { CapacityRuntime, startCapacityRuntime } from "./runtime";
import { CoverageQuestionResolver, ReferralCoverageResolver, ReferralRef } from "./resolvers/coverage-question.resolver";
import { ProcedureResolver } from "./resolvers/procedure.resolver";
import { CareUnitResolver, ProviderResolver } from "./resolvers/provider.resolver";
import { HealthcareRegionResolver, RegionResolver } from "./resolvers/region.resolver";

/**
 * Capacity: the national reference data (regions, healthcare regions, KVÅ procedures), the
 * providers and their care units, and the free-capacity offers they publish, reserve and withdraw,
 * with every change announced to live subscriptions.
 */
export const capacitySubgraph: SubgraphModule<CapacityContext, CapacityRuntime> = {
  name: "capacity",
  entities: [Region, HealthcareRegion, HealthcareRegionMember, Procedure, Provider, CareUnit, CapacityOffer, OfferSlot, Reservation],
  migrations: [CapacityInit1795305600000, CapacityPublishing1795478400000, ReservationReservingRegion1795910400000, CapacitySearchCoveringIndexes1795996800000, CapacityCareCatalogue1796169600000, SchedulingPublishers1796428800000],
  buildSchema: () =>
    buildFederatedSchema<CapacityContext>({
      resolvers: [
        RegionResolver,
        HealthcareRegionResolver,
        ProcedureResolver,
        ProviderResolver,
        CareUnitResolver,
        CatalogueResolver,
        ProviderCatalogueResolver,
        CapacityOfferResolver,
        BrokeringCandidatesResolver,
        NationalCapacityResolver,
        PublishingResolver,
        ReservationResolver,
        CoverageQuestionResolver,
        ReferralCoverageResolver,
        SchedulingPublisherResolver,
        OfferProvenanceResolver,
      ],
      orphanedTypes: [ReferralRef],
      referenceResolvers: capacityReferences,
    }),
  startRuntime: startCapacityRuntime,
  health: (runtime) => ({ liveSubscriptions: runtime.events.subscriberCount }),
  createContext: createCapacityContext,
};
