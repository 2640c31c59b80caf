import { Arg, Ctx, Directive, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from "type-graphql";
import { Procedure } from "../entities/procedure.entity";
import { Region } from "../entities/region.entity";
import { isUuid } from "../../shared/domain/ids";
import { CareSetting, ProviderKind, Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { requireKvaCode, requireMunicipalityCode, requireRegionCode } from "../../shared/validation";
import { badUserInput } from "../../shared/errors";
import { CapacityContext } from "../loaders";

/**
 * The coverage question as this subgraph poses it: the facts of the case, which only capacity
 * knows (the provider's kind and region, the procedure's specialty). The agreements subgraph owns
 * the answer and resolves the rest of the entity by this key.
 */
@ObjectType("Coverage", { description: "Under which agreements a patient from a home region could be sent to a provider for some care on a date." })
@Directive('@key(fields: "homeRegionCode homeMunicipalityCode providerId providerKind providerRegionCode specialty procedureCode date careSetting", resolvable: false)')
export class CoverageQuestion {
  @Directive("@inaccessible")
  @Field()
  homeRegionCode: string;

  /** The patient's home municipality where known: Region Halland's pacts follow it. */
  @Directive("@inaccessible")
  @Field(() => String, { nullable: true })
  homeMunicipalityCode: string | null;

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

  @Field(() => CareSetting, { description: "The care setting the answer is for (outpatient unless asked otherwise)." })
  careSetting: CareSetting;
}

/** A referral as this subgraph sees it: the facts its coverage question needs, owned by the referrals subgraph. */
@ObjectType("Referral")
@Directive('@key(fields: "id")')
export class ReferralRef {
  @Field(() => ID)
  id: string;

  @Directive("@external")
  @Field(() => Region)
  homeRegion: Pick<Region, "code">;

  @Directive("@external")
  @Field(() => Specialty)
  specialty: Specialty;

  @Directive("@external")
  @Field(() => Procedure, { nullable: true })
  procedure: Pick<Procedure, "code"> | null;

  @Directive("@external")
  @Field(() => DateScalar)
  decisionDate: string;

  @Directive("@external")
  @Field(() => String, { nullable: true })
  homeMunicipalityCode: string | null;
}

/** Builds the question for a provider, or null when the provider is unknown. */
async function question(
  ctx: CapacityContext,
  facts: { homeRegionCode: string; homeMunicipalityCode: string | null; providerId: string; specialty: Specialty; procedureCode: string | null; date: string; careSetting: CareSetting },
): Promise<CoverageQuestion | null> {
  if (!isUuid(facts.providerId)) return null;
  const provider = await ctx.loaders.provider.load(facts.providerId);
  if (!provider) return null;
  return { ...facts, providerKind: provider.kind, providerRegionCode: provider.regionCode };
}

@Resolver(() => ReferralRef)
export class ReferralCoverageResolver {
  @Directive('@requires(fields: "homeRegion { code } specialty procedure { code } decisionDate homeMunicipalityCode")')
  @FieldResolver(() => CoverageQuestion, {
    nullable: true,
    description:
      "Under which agreements this referral's patient could be sent to the given provider for the referral's care, on the decision date, following the patient's home municipality where it matters (answered by the agreements subgraph). Null for an unknown provider.",
  })
  coverage(
    @Root() referral: ReferralRef,
    @Arg("providerId", () => ID, { description: "The provider considered." }) providerId: string,
    @Ctx() ctx: CapacityContext,
    @Arg("careSetting", () => CareSetting, { nullable: true, description: "Outpatient (when omitted) or inpatient care." }) careSetting?: CareSetting | null,
  ) {
    return question(ctx, {
      homeRegionCode: referral.homeRegion.code,
      homeMunicipalityCode: referral.homeMunicipalityCode ?? null,
      careSetting: careSetting ?? CareSetting.OUTPATIENT,
      providerId,
      specialty: referral.specialty,
      procedureCode: referral.procedure?.code ?? null,
      date: referral.decisionDate,
    });
  }
}

@Resolver()
export class CoverageQuestionResolver {
  @Query(() => CoverageQuestion, {
    nullable: true,
    description:
      "Which agreements allow sending a patient from a home region to a provider for a procedure on a date, in precedence order, at what price, and why the others do not (answered by the agreements subgraph). Null for an unknown provider.",
  })
  async coverage(
    @Ctx() ctx: CapacityContext,
    @Arg("homeRegionCode", { description: 'County code of the patient\'s home region, "01".."25".' }) homeRegionCode: string,
    @Arg("providerId", () => ID, { description: "The provider." }) providerId: string,
    @Arg("procedureCode", { description: 'KVÅ code of the care, e.g. "NFB49".' }) procedureCode: string,
    @Arg("date", () => DateScalar, { nullable: true, description: "Date of care; today when omitted." }) date?: string | null,
    @Arg("homeMunicipalityCode", () => String, {
      nullable: true,
      description: "The patient's home municipality (kommunkod, in the home region), where it matters: Region Halland's pacts and price lists follow it. Without it, a pact limited to some municipalities is not excluded.",
    })
    homeMunicipalityCode?: string | null,
    @Arg("careSetting", () => CareSetting, { nullable: true, description: "Outpatient (when omitted) or inpatient care: decides whether a payment commitment is needed." })
    careSetting?: CareSetting | null,
  ): Promise<CoverageQuestion | null> {
    requireRegionCode("homeRegionCode", homeRegionCode);
    if (homeMunicipalityCode != null) requireMunicipalityCode("homeMunicipalityCode", homeMunicipalityCode, homeRegionCode);
    requireKvaCode("procedureCode", procedureCode);
    const procedure = await ctx.loaders.procedure.load(procedureCode);
    if (!procedure || procedure.specialty == null) throw badUserInput("procedureCode", "PROCEDURE_UNKNOWN", `"${procedureCode}" is not a procedure this hub brokers`);
    return question(ctx, {
      homeRegionCode,
      homeMunicipalityCode: homeMunicipalityCode ?? null,
      careSetting: careSetting ?? CareSetting.OUTPATIENT,
      providerId,
      specialty: procedure.specialty,
      procedureCode,
      date: date ?? ctx.today,
    });
  }
}
