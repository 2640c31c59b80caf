import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { Agreement, AgreementParty, PriceList, PriceListEntry } from "./entities/agreement.entity";
import { CapacityOfferRef } from "./entities/references.entity";
import { AgreementsContext, createAgreementsContext } from "./loaders";
import { AgreementsInit1795305600000 } from "./migrations/1795305600000-agreements-init";
import { agreementsReferences } from "./references";
import { AgreementResolver, PriceListResolver } from "./resolvers/agreement.resolver";
import { OfferCoverageResolver } from "./resolvers/coverage.resolver";

/**
 * Agreements: Riksavtalet, healthcare-region pacts and private care-guarantee agreements with
 * their price lists, and the answer to "under which agreement, at what price" for capacity offers.
 */
export const agreementsSubgraph: SubgraphModule<AgreementsContext> = {
  name: "agreements",
  entities: [Agreement, AgreementParty, PriceList, PriceListEntry],
  migrations: [AgreementsInit1795305600000],
  buildSchema: () =>
    buildFederatedSchema<AgreementsContext>({
      resolvers: [AgreementResolver, PriceListResolver, OfferCoverageResolver],
      orphanedTypes: [CapacityOfferRef],
      referenceResolvers: agreementsReferences,
    }),
  createContext: createAgreementsContext,
};
