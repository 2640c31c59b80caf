/**
 * Capacity: the national reference data (regions, healthcare regions, KVÅ procedures), the
 * providers and their care units, and the free-capacity offers they publish, reserve and withdraw,
 * with every change announced to live subscriptions.
 */

import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { CAPACITY_REFERENCE_DATA } from "./reference-data";
import { CAPACITY_CHANGE_FEED } from "./services/offer-events";
import { CapacityContext, createCapacityContext } from "./context";
import { CapacityOffer, OfferSlot, Reservation } from "./entities/capacity-offer.entity";
import "./entities/graphql-enums";
import { Procedure } from "./entities/procedure.entity";
import { CareUnit, Provider } from "./entities/provider.entity";
import { HealthcareRegion, HealthcareRegionMember, Region } from "./entities/region.entity";
import { ReferralStub } from "./entities/stubs";
import { CapacityInit1795305600000 } from "./migrations/1795305600000-capacity-init";
import { CapacityPublishing1795478400000 } from "./migrations/1795478400000-capacity-publishing";
import { ReservationReservingRegion1795910400000 } from "./migrations/1795910400000-reservation-reserving-region";
import { CapacitySearchCoveringIndexes1795996800000 } from "./migrations/1795996800000-capacity-search-covering-indexes";
import { CapacityCareCatalogue1796169600000 } from "./migrations/1796169600000-capacity-care-catalogue";
import { SchedulingPublishers1796428800000 } from "./migrations/1796428800000-scheduling-publishers";
import { capacityReferences } from "./references";
// The resolvers in the order their fields stand in the schema: type-graphql lists the fields of
// Query, Mutation and Subscription in the order their classes are loaded.
import { CatalogueResolver, ProviderCatalogueResolver } from "./resolvers/catalogue.resolver";
import { OfferProvenanceResolver, SchedulingPublisherResolver } from "./resolvers/smart-scheduling.resolver";
import { BrokeringCandidatesResolver } from "./resolvers/brokering-candidates.resolver";
import { CapacityOfferResolver } from "./resolvers/capacity-offer.resolver";
import { CoverageResolver, ReferralCoverageResolver } from "./resolvers/coverage.resolver";
import { NationalCapacityResolver } from "./resolvers/national-capacity.resolver";
import { PublishingResolver, ReservationResolver } from "./resolvers/publishing.resolver";
import { ProcedureResolver } from "./resolvers/procedure.resolver";
import { CareUnitResolver, ProviderResolver } from "./resolvers/provider.resolver";
import { HealthcareRegionResolver, RegionResolver } from "./resolvers/region.resolver";
import { CapacityRuntime, startCapacityRuntime } from "./runtime";

export const capacitySubgraph: SubgraphModule<CapacityContext, CapacityRuntime> = {
  name: "capacity",
  entities: [Region, HealthcareRegion, HealthcareRegionMember, Procedure, Provider, CareUnit, CapacityOffer, OfferSlot, Reservation],
  migrations: [
    CapacityInit1795305600000,
    CapacityPublishing1795478400000,
    ReservationReservingRegion1795910400000,
    CapacitySearchCoveringIndexes1795996800000,
    CapacityCareCatalogue1796169600000,
    SchedulingPublishers1796428800000,
  ],
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
        CoverageResolver,
        ReferralCoverageResolver,
        SchedulingPublisherResolver,
        OfferProvenanceResolver,
      ],
      orphanedTypes: [ReferralStub],
      referenceResolvers: capacityReferences,
    }),
  referenceData: CAPACITY_REFERENCE_DATA,
  changeFeed: CAPACITY_CHANGE_FEED,
  startRuntime: startCapacityRuntime,
  health: (runtime) => ({ liveSubscriptions: runtime.events.subscriberCount }),
  createContext: createCapacityContext,
};
