import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { SubgraphModule } from "../shared/subgraph";
import { AGREEMENTS_CHANGE_FEED } from "./services/agreement-outbox";
// The order of the imports below is the order type-graphql registers the types and fields in, which
// the printed schema (schema/agreements.graphql) follows: reordering them reorders that file.
import {
  Agreement,
  AgreementCeiling,
  AgreementCommitment,
  AgreementParty,
  AgreementVersion,
  PriceList,
  PriceListEntry,
} from "./entities/agreement.entity";
import { CareAccessRule } from "./entities/care-access-rule.entity";
import { CapacityOfferStub } from "./entities/stubs";
import { Coverage } from "./entities/coverage";
import { AgreementsContext, createAgreementsContext } from "./context";
import { AgreementsInit1795305600000 } from "./migrations/1795305600000-agreements-init";
import { AgreementsVersionsCeilings1795392000000 } from "./migrations/1795392000000-agreements-versions-ceilings";
import { AgreementsEventOutbox1795824000000 } from "./migrations/1795824000000-agreements-event-outbox";
import { AgreementsCommitmentLedger1796083200000 } from "./migrations/1796083200000-agreements-commitment-ledger";
import { AgreementsFollowTheMunicipality1796256000000 } from "./migrations/1796256000000-agreements-follow-the-municipality";
import { agreementsReferences } from "./references";
import {
  AgreementCommitmentResolver,
  AgreementResolver,
  AgreementVersionResolver,
  PriceListResolver,
} from "./resolvers/agreement.resolver";
import { CareAccessRuleResolver, CoverageResolver, OfferCoverageResolver } from "./resolvers/coverage.resolver";
import { AgreementEventsResolver } from "./resolvers/agreement-events.resolver";
import { CommitmentLedgerResolver } from "./resolvers/commitment-ledger.resolver";
import { AgreementsRuntime, startAgreementsRuntime } from "./runtime";

/**
 * Agreements: Riksavtalet, healthcare-region pacts and private care-guarantee agreements with
 * their price lists, and the answer to "under which agreement, at what price" for capacity offers,
 * with every change to an agreement announced to live subscriptions.
 */
export const agreementsSubgraph: SubgraphModule<AgreementsContext, AgreementsRuntime> = {
  name: "agreements",
  entities: [Agreement, AgreementVersion, AgreementParty, PriceList, PriceListEntry, AgreementCeiling, AgreementCommitment, CareAccessRule],
  migrations: [
    AgreementsInit1795305600000,
    AgreementsVersionsCeilings1795392000000,
    AgreementsEventOutbox1795824000000,
    AgreementsCommitmentLedger1796083200000,
    AgreementsFollowTheMunicipality1796256000000,
  ],
  buildSchema: () =>
    buildFederatedSchema<AgreementsContext>({
      resolvers: [
        AgreementResolver,
        AgreementEventsResolver,
        AgreementVersionResolver,
        AgreementCommitmentResolver,
        CommitmentLedgerResolver,
        PriceListResolver,
        CoverageResolver,
        OfferCoverageResolver,
        CareAccessRuleResolver,
      ],
      orphanedTypes: [CapacityOfferStub, Coverage],
      referenceResolvers: agreementsReferences,
    }),
  changeFeed: AGREEMENTS_CHANGE_FEED,
  startRuntime: startAgreementsRuntime,
  health: (runtime) => ({ liveSubscriptions: runtime.events.subscriberCount }),
  createContext: createAgreementsContext,
};
