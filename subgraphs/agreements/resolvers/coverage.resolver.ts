import { Arg, Ctx, Directive, Field, FieldResolver, Int, ObjectType, Query, registerEnumType, Resolver, Root } from "type-graphql";
import { CareSetting } from "../../shared/graphql-enums";
import { ProcedureStub, RegionStub } from "../../shared/stubs";
import { requireMunicipalityCode, requireRegionCode } from "../../shared/validation";
import { AgreementsContext } from "../context";
import { CoverageRuleApplied, CoverageRuleCode } from "../domain/care-access";
import { CoverageStatus, RejectionReason } from "../domain/coverage";
import { Agreement, AgreementVersion } from "../entities/agreement.entity";
import { AgreementTerms } from "../entities/agreement-parts";
import { CareAccessRule } from "../entities/care-access-rule.entity";
import { Coverage } from "../entities/coverage";
import { CapacityOfferStub, ProviderStub } from "../entities/stubs";

registerEnumType(CoverageStatus, {
  name: "CoverageStatus",
  description: "Whether a patient from a home region can be sent to a provider, and how.",
  valuesConfig: {
    INTERNAL_CARE: { description: "The provider is a public provider of the patient's own region: internal care, no agreement needed." },
    COVERED: { description: "At least one agreement allows the care; `agreement` is the one to use." },
    NOT_COVERED: { description: "No agreement allows the care; `reason` and `rejected` say why." },
  },
});

registerEnumType(RejectionReason, {
  name: "RejectionReason",
  description: "Why an agreement that was considered does not allow the care.",
  valuesConfig: {
    HOME_REGION_NOT_PARTY: { description: "The patient's home region is not a party (another region's agreement with the provider)." },
    PROVIDER_REGION_NOT_PARTY: { description: "The region where the provider is, is not a party to the pact." },
    PRIVATE_PROVIDER: { description: "Riksavtalet and pacts do not cover private providers." },
    NOT_YET_IN_FORCE: { description: "The agreement, or any version of it, starts after the date." },
    EXPIRED: { description: "The agreement ended before the date." },
    CARE_NOT_COVERED: { description: "The version in force does not cover the specialty or procedure." },
    CEILING_REACHED: { description: "The agreement's volume ceiling (volymtak) for the period is used up." },
    HOME_MUNICIPALITY_NOT_PARTY: {
      description: "The home region takes part for residents of some municipalities only (Region Halland in two pacts), not the patient's.",
    },
  },
});

registerEnumType(CoverageRuleCode, {
  name: "CoverageRule",
  description: "A rule that decided a coverage answer.",
  valuesConfig: {
    INTERNAL_CARE: { description: "Care at a public provider of the home region: no agreement needed." },
    AGREEMENT_PRECEDENCE: {
      description:
        "The most specific agreement that applies: the home region's own agreement with the provider, then a pact, then Riksavtalet.",
    },
    HOME_MUNICIPALITY: {
      description:
        "The patient's home municipality decided which pact and price list apply (Region Halland: the south with Södra, the north with Västra).",
    },
    SAME_TERMS_ARRANGEMENT: {
      description: "The home region lets its residents seek care in the providing region on the same terms as that region's residents.",
    },
    PAYMENT_COMMITMENT: { description: "Whether a payment commitment is needed for the care setting, and by which rule." },
    NOT_COVERED: { description: "No agreement covers the care." },
  },
});

@ObjectType({ description: "A rule that applied to a coverage answer, and what it did." })
export class CoverageRuleApplication implements CoverageRuleApplied {
  @Field(() => CoverageRuleCode, { description: "The rule." })
  code: CoverageRuleCode;

  @Field({ description: "What it did for this case, in words an office can pass on." })
  explanation: string;
}

@ObjectType({ description: "An agreement that allows the care, with the version, terms and price that would apply." })
export class CoverageOption {
  @Field(() => Int, { description: "Position in precedence order; 1 is the agreement to use." })
  rank: number;

  @Field(() => Agreement, { description: "The agreement." })
  agreement: Agreement;

  @Field(() => AgreementVersion, { description: "The version in force on the date." })
  version: AgreementVersion;

  @Field(() => AgreementTerms, { description: "Terms of that version." })
  terms: AgreementTerms;

  @Field(() => Int, {
    nullable: true,
    description: "Price per case in SEK from the price list valid on the date; null when none is listed.",
  })
  pricePerCaseSek: number | null;

  @Field({ description: "Why it applies, and, below rank 1, what takes precedence." })
  reason: string;
}

@ObjectType({ description: "An agreement that was considered and does not allow the care." })
export class RejectedAgreement {
  @Field(() => Agreement, { description: "The agreement." })
  agreement: Agreement;

  @Field(() => RejectionReason, { description: "Why not, as a code." })
  reasonCode: RejectionReason;

  @Field({ description: "Why not, in words." })
  reason: string;
}

@Resolver(() => Coverage)
export class CoverageResolver {
  @FieldResolver(() => RegionStub, { description: "The patient's home region the answer is for." })
  homeRegion(@Root() coverage: Coverage): RegionStub {
    return { code: coverage.homeRegionCode };
  }

  @FieldResolver(() => ProviderStub, { description: "The provider asked about." })
  provider(@Root() coverage: Coverage): Pick<ProviderStub, "id"> {
    return { id: coverage.providerId };
  }

  @FieldResolver(() => ProcedureStub, {
    nullable: true,
    description: "The KVÅ procedure asked about; null for a first visit in the specialty.",
  })
  procedure(@Root() coverage: Coverage): ProcedureStub | null {
    return coverage.procedureCode ? { code: coverage.procedureCode } : null;
  }

  @FieldResolver(() => CoverageStatus, { description: "Internal care, covered by an agreement, or not covered." })
  status(@Root() coverage: Coverage): CoverageStatus {
    return coverage.decision.status;
  }

  @FieldResolver(() => Agreement, { nullable: true, description: "The agreement to use: the first of `applicable`." })
  agreement(@Root() coverage: Coverage, @Ctx() ctx: AgreementsContext): Promise<Agreement | null> | null {
    const first = coverage.decision.applicable[0];
    return first ? ctx.loaders.agreement.load(first.agreement.id) : null;
  }

  @FieldResolver(() => Int, { nullable: true, description: "Price per case in SEK under the agreement to use; null when none is listed." })
  pricePerCaseSek(@Root() coverage: Coverage): number | null {
    return coverage.decision.applicable[0]?.priceSek ?? null;
  }

  @FieldResolver({
    description:
      "Why, in words a care-guarantee office can pass on. When not covered, it ends with the reason of the first of `rejected`: the agreement closest to covering the care.",
  })
  reason(@Root() coverage: Coverage): string {
    return coverage.decision.reason;
  }

  @FieldResolver(() => CoverageRuleCode, {
    description: "The rule that decided which agreement applies (or that none does); `rules` says how.",
  })
  decidedBy(@Root() coverage: Coverage): CoverageRuleCode {
    return coverage.access.decidedBy;
  }

  @FieldResolver(() => [CoverageRuleApplication], {
    description:
      "Every rule that applied, with what it did: agreement precedence, the patient's home municipality, the home region's same-terms arrangements, and the payment-commitment rule for the care setting.",
  })
  rules(@Root() coverage: Coverage): CoverageRuleApplied[] {
    return coverage.access.rules;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description: "Whether the patient gets care on the same terms as the providing region's residents; null when not covered.",
  })
  sameTermsAsResidents(@Root() coverage: Coverage): boolean | null {
    return coverage.access.sameTermsAsResidents;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      "Whether the home region must approve the care with a payment commitment, for this care setting (agreements and the home region's rules may differ for outpatient and inpatient care); null when not covered.",
  })
  paymentCommitmentRequired(@Root() coverage: Coverage): boolean | null {
    return coverage.access.paymentCommitmentRequired;
  }

  @FieldResolver(() => [CoverageOption], { description: "Every agreement that allows the care, in precedence order." })
  async applicable(@Root() coverage: Coverage, @Ctx() ctx: AgreementsContext): Promise<CoverageOption[]> {
    return Promise.all(
      coverage.decision.applicable.map(async (option, i) => ({
        rank: i + 1,
        agreement: (await ctx.loaders.agreement.load(option.agreement.id))!,
        version: (await ctx.loaders.version.load(option.version.id))!,
        terms: option.version.terms,
        pricePerCaseSek: option.priceSek,
        reason: option.reason,
      })),
    );
  }

  @FieldResolver(() => [RejectedAgreement], {
    description:
      "Agreements considered that do not allow the care, with why: the one closest to covering it first (ceiling reached, then not in force on the date, then care not covered, then parties not matching), then by precedence.",
  })
  async rejected(@Root() coverage: Coverage, @Ctx() ctx: AgreementsContext): Promise<RejectedAgreement[]> {
    return Promise.all(
      coverage.decision.rejected.map(async (r) => ({
        agreement: (await ctx.loaders.agreement.load(r.agreement.id))!,
        reasonCode: r.code,
        reason: r.reason,
      })),
    );
  }
}

/** Why the CapacityOffer fields below are required: coverage depends on who gives what care, where and when. */
const OFFER_FACTS = "provider { id kind region { code } } procedure { code } specialty earliestStart";

@Resolver(() => CapacityOfferStub)
export class OfferCoverageResolver {
  @Directive(`@requires(fields: "${OFFER_FACTS}")`)
  @FieldResolver(() => Coverage, {
    nullable: true,
    description:
      "Under which agreements a patient from the given home region could be sent to this offer, on the offer's earliest start (answered by the agreements subgraph).",
  })
  coverage(
    @Root() offer: CapacityOfferStub,
    @Arg("homeRegionCode", { description: 'County code of the patient\'s home region, "01".."25".' }) homeRegionCode: string,
    @Ctx() ctx: AgreementsContext,
    @Arg("homeMunicipalityCode", () => String, {
      nullable: true,
      description:
        "The patient's home municipality (kommunkod), where it matters: Region Halland's pacts follow it. Without it, a pact limited to some municipalities is not excluded.",
    })
    homeMunicipalityCode?: string | null,
    @Arg("careSetting", () => CareSetting, {
      nullable: true,
      description: "Outpatient (when omitted) or inpatient care: decides whether a payment commitment is needed.",
    })
    careSetting?: CareSetting | null,
  ): Promise<Coverage> {
    requireRegionCode("homeRegionCode", homeRegionCode);
    if (homeMunicipalityCode != null) requireMunicipalityCode("homeMunicipalityCode", homeMunicipalityCode, homeRegionCode);
    return ctx.loaders.coverage.load({
      homeRegionCode,
      homeMunicipalityCode: homeMunicipalityCode ?? null,
      careSetting: careSetting ?? CareSetting.OUTPATIENT,
      providerId: offer.provider.id,
      providerKind: offer.provider.kind,
      providerRegionCode: offer.provider.region.code,
      specialty: offer.specialty,
      procedureCode: offer.procedure?.code ?? null,
      date: offer.earliestStart,
    });
  }
}

@Resolver(() => CareAccessRule)
export class CareAccessRuleResolver {
  @Query(() => [CareAccessRule], {
    description:
      "A home region's own rules for where its residents may seek care and on which terms (one-way same-terms arrangements, payment commitments for outpatient and inpatient care), as this node loads them; coverage answers apply them.",
  })
  async careAccessRules(
    @Ctx() ctx: AgreementsContext,
    @Arg("homeRegionCode", { description: "County code of the home region." }) homeRegionCode: string,
  ): Promise<CareAccessRule[]> {
    requireRegionCode("homeRegionCode", homeRegionCode);
    return ctx.loaders.careAccessRulesFor.load(homeRegionCode);
  }
}
