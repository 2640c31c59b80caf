import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, ObjectType, registerEnumType, Resolver, Root } from "type-graphql";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";
import { ProcedureRef, RegionRef } from "../../shared/references";
import { DateScalar } from "../../shared/scalars";
import { requireRegionCode } from "../../shared/validation";
import { Agreement, AgreementVersion } from "../entities/agreement.entity";
import { CapacityOfferRef, ProviderRef } from "../entities/references.entity";
import { AgreementsContext } from "../loaders";
import { CareCase, CoverageDecision, CoverageStatus, decideCoverage, RejectionReason } from "../services/coverage";
import { AgreementTerms } from "./agreement.resolver";

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
  },
});

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

  @Field(() => Int, { nullable: true, description: "Price per case in SEK from the price list valid on the date; null when none is listed." })
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

/**
 * The answer to "under which agreement could a patient from this home region be sent to this
 * provider for this care on this date". An entity keyed by the facts of the case, so the capacity
 * subgraph (which knows providers) can pose the question and this subgraph answers it.
 */
@ObjectType({
  description:
    "Under which agreements a patient from a home region could be sent to a provider for some care on a date, in precedence order, at what price, and why the others do not apply.",
})
@Directive('@key(fields: "homeRegionCode providerId providerKind providerRegionCode specialty procedureCode date")')
export class Coverage {
  @Directive("@inaccessible")
  @Field()
  homeRegionCode: string;

  @Directive("@inaccessible")
  @Field(() => ID)
  providerId: string;

  @Directive("@inaccessible")
  @Field(() => ProviderKind)
  providerKind: ProviderKind;

  @Directive("@inaccessible")
  @Field()
  providerRegionCode: string;

  @Field(() => Specialty, { description: "The specialty of the care." })
  specialty: Specialty;

  @Directive("@inaccessible")
  @Field(() => String, { nullable: true })
  procedureCode: string | null;

  @Field(() => DateScalar, { description: "The date of care the answer is for." })
  date: string;

  decision: CoverageDecision;
}

type CoverageKey = Omit<Coverage, "decision">;

export function isCoverageKey(value: Record<string, unknown>): value is CoverageKey & Record<string, unknown> {
  return (
    typeof value.homeRegionCode === "string" &&
    typeof value.providerId === "string" &&
    typeof value.providerKind === "string" &&
    typeof value.providerRegionCode === "string" &&
    typeof value.specialty === "string" &&
    (value.procedureCode === null || typeof value.procedureCode === "string") &&
    typeof value.date === "string"
  );
}

/** Decides a case with the request's batched agreement facts. */
export async function answerCoverage(key: CoverageKey, ctx: AgreementsContext): Promise<Coverage> {
  const agreements = await ctx.loaders.agreementFactsForHomeRegion.load(key.homeRegionCode);
  const careCase: CareCase = {
    homeRegionCode: key.homeRegionCode,
    providerId: key.providerId,
    providerKind: key.providerKind,
    providerRegionCode: key.providerRegionCode,
    specialty: key.specialty,
    procedureCode: key.procedureCode,
    date: key.date,
  };
  return Object.assign(new Coverage(), { ...careCase, decision: decideCoverage(careCase, agreements) });
}

@Resolver(() => Coverage)
export class CoverageResolver {
  @FieldResolver(() => RegionRef, { description: "The patient's home region the answer is for." })
  homeRegion(@Root() coverage: Coverage): RegionRef {
    return { code: coverage.homeRegionCode };
  }

  @FieldResolver(() => ProviderRef, { description: "The provider asked about." })
  provider(@Root() coverage: Coverage): Pick<ProviderRef, "id"> {
    return { id: coverage.providerId };
  }

  @FieldResolver(() => ProcedureRef, { nullable: true, description: "The KVÅ procedure asked about; null for a first visit in the specialty." })
  procedure(@Root() coverage: Coverage): ProcedureRef | null {
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

  @FieldResolver(() => [RejectedAgreement], { description: "Agreements considered that do not allow the care, with why: the one closest to covering it first (ceiling reached, then not in force on the date, then care not covered, then parties not matching), then by precedence." })
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

@Resolver(() => CapacityOfferRef)
export class OfferCoverageResolver {
  @Directive(`@requires(fields: "${OFFER_FACTS}")`)
  @FieldResolver(() => Coverage, {
    nullable: true,
    description:
      "Under which agreements a patient from the given home region could be sent to this offer, on the offer's earliest start (answered by the agreements subgraph).",
  })
  coverage(
    @Root() offer: CapacityOfferRef,
    @Arg("homeRegionCode", { description: 'County code of the patient\'s home region, "01".."25".' }) homeRegionCode: string,
    @Ctx() ctx: AgreementsContext,
  ): Promise<Coverage> {
    return answerCoverage(
      {
        homeRegionCode: requireRegionCode("homeRegionCode", homeRegionCode),
        providerId: offer.provider.id,
        providerKind: offer.provider.kind,
        providerRegionCode: offer.provider.region.code,
        specialty: offer.specialty,
        procedureCode: offer.procedure?.code ?? null,
        date: offer.earliestStart,
      },
      ctx,
    );
  }
}
