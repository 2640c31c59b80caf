import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root, registerEnumType } from "type-graphql";
import { Directive } from "type-graphql";
import { requireRegionCode } from "../../shared/validation";
import { Agreement } from "../entities/agreement.entity";
import { CapacityOfferRef } from "../entities/references.entity";
import { RegionRef } from "../../shared/references";
import { AgreementsContext } from "../loaders";
import { CoverageStatus, decideCoverage } from "../services/coverage";

registerEnumType(CoverageStatus, {
  name: "CoverageStatus",
  description: "Whether a patient from a home region can be sent to a provider, and how.",
  valuesConfig: {
    INTERNAL_CARE: { description: "The provider is a public provider of the patient's own region: internal care, no agreement needed." },
    COVERED: { description: "An agreement covers the care; see `agreement` and `pricePerCaseSek`." },
    NOT_COVERED: { description: "No agreement covers the care; `reason` says why." },
  },
});

@ObjectType({
  description:
    "Under which agreement a patient from a home region could be sent to a provider for some care, at what price, and why (the most specific agreement wins).",
})
export class Coverage {
  @Field(() => RegionRef, { description: "The patient's home region the answer is for." })
  homeRegion: RegionRef;

  @Field(() => CoverageStatus, { description: "Internal care, covered by an agreement, or not covered." })
  status: CoverageStatus;

  @Field(() => Agreement, { nullable: true, description: "The agreement that applies, when covered." })
  agreement: Agreement | null;

  @Field(() => Int, { nullable: true, description: "Price per case in SEK from the agreement's price list; null when none is listed." })
  pricePerCaseSek: number | null;

  @Field({ description: "Why, in words a care-guarantee office can pass on." })
  reason: string;
}

/** Why the CapacityOffer fields below are required: coverage depends on who gives what care, where and when. */
const OFFER_FACTS = "provider { id kind region { code } } procedure { code } specialty earliestStart";

@Resolver(() => CapacityOfferRef)
export class OfferCoverageResolver {
  @Directive(`@requires(fields: "${OFFER_FACTS}")`)
  @FieldResolver(() => Coverage, {
    nullable: true,
    description:
      "Under which agreement a patient from the given home region could be sent to this offer, at what price, on the offer's earliest start (resolved by the agreements subgraph).",
  })
  async coverage(
    @Root() offer: CapacityOfferRef,
    @Arg("homeRegionCode", { description: 'County code of the patient\'s home region, "01".."25".' }) homeRegionCode: string,
    @Ctx() ctx: AgreementsContext,
  ): Promise<Coverage> {
    requireRegionCode("homeRegionCode", homeRegionCode);
    const agreements = await ctx.loaders.agreementFactsForHomeRegion.load(homeRegionCode);
    const decision = decideCoverage(
      {
        homeRegionCode,
        providerId: offer.provider.id,
        providerKind: offer.provider.kind,
        providerRegionCode: offer.provider.region.code,
        specialty: offer.specialty,
        procedureCode: offer.procedure?.code ?? null,
        date: offer.earliestStart,
      },
      agreements,
    );
    return {
      homeRegion: { code: homeRegionCode },
      status: decision.status,
      agreement: decision.agreement ? await ctx.loaders.agreement.load(decision.agreement.id) : null,
      pricePerCaseSek: decision.priceSek,
      reason: decision.reason,
    };
  }
}
