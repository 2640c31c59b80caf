import "reflect-metadata";
import "../shared/graphql-enums";
import { buildFederatedSchema } from "../shared/federation";
import { AgreementStub, CapacityOfferStub, ProviderStub } from "../shared/stubs";
import { SubgraphModule } from "../shared/subgraph";
import { REFERRALS_REFERENCE_DATA } from "./reference-data";
import { AuditLog1795564800000 } from "../shared/migrations/1795564800000-audit-log";
import { GuaranteeEvent, GuaranteeLimit, PaymentCommitment, Referral, ReferralTransition } from "./entities/referral.entity";
import { PatientStub } from "./entities/stubs";
import { createReferralsContext, ReferralsContext } from "./context";
import { referralsReferenceResolvers } from "./references";
import { ReferralsInit1795305600000 } from "./migrations/1795305600000-referrals-init";
import { ReferralLifecycle1795651200000 } from "./migrations/1795651200000-referral-lifecycle";
import { PaymentCommitmentAgreementVersion1795737600000 } from "./migrations/1795737600000-payment-commitment-agreement-version";
import { StepsDatedWhenTheyHappened1796169600000 } from "./migrations/1796169600000-steps-dated-when-they-happened";
import { ReferralHomeMunicipality1796342400000 } from "./migrations/1796342400000-referral-home-municipality";
import { PaymentCommitmentNationalShape1796428800000 } from "./migrations/1796428800000-payment-commitment-national-shape";
import { ReferralSendInFlight1796515200000 } from "./migrations/1796515200000-referral-send-in-flight";
import { PeerReferrals1796601600000 } from "./migrations/1796601600000-peer-referrals";
import { PeerReferralResolver } from "./resolvers/peer-referral.resolver";
import { InvoicingResolver, PaymentCommitmentResolver } from "./resolvers/invoicing.resolver";
import { BrokeringResolver } from "./resolvers/brokering.resolver";
import { GuaranteeReadingResolver } from "./resolvers/guarantee-reading.resolver";
import { PatientReferralsResolver, ReferralResolver } from "./resolvers/referral.resolver";
import { ReferralSubscriptionResolver } from "./resolvers/referral-subscription.resolver";
import { ReferralWorkflowResolver } from "./resolvers/referral-workflow.resolver";
import { ReferralsRuntime, startReferralsRuntime } from "./runtime";

/**
 * Referrals: the home region's orders for care, their lifecycle with payment commitments, the
 * care-guarantee clock, brokering matches, and live incoming referrals for the regional office.
 */
export const referralsSubgraph: SubgraphModule<ReferralsContext, ReferralsRuntime> = {
  name: "referrals",
  usesSupergraph: true,
  entities: [Referral, ReferralTransition, GuaranteeEvent, GuaranteeLimit, PaymentCommitment],
  migrations: [
    ReferralsInit1795305600000,
    AuditLog1795564800000,
    ReferralLifecycle1795651200000,
    PaymentCommitmentAgreementVersion1795737600000,
    StepsDatedWhenTheyHappened1796169600000,
    ReferralHomeMunicipality1796342400000,
    PaymentCommitmentNationalShape1796428800000,
    ReferralSendInFlight1796515200000,
    PeerReferrals1796601600000,
  ],
  buildSchema: () =>
    buildFederatedSchema<ReferralsContext>({
      resolvers: [
        ReferralResolver,
        PatientReferralsResolver,
        ReferralWorkflowResolver,
        BrokeringResolver,
        ReferralSubscriptionResolver,
        GuaranteeReadingResolver,
        PaymentCommitmentResolver,
        InvoicingResolver,
        PeerReferralResolver,
      ],
      orphanedTypes: [PatientStub, ProviderStub, CapacityOfferStub, AgreementStub],
      referenceResolvers: referralsReferenceResolvers,
    }),
  referenceData: REFERRALS_REFERENCE_DATA,
  startRuntime: startReferralsRuntime,
  health: (runtime) => ({ liveSubscriptions: runtime.events.subscriberCount }),
  createContext: createReferralsContext,
};
