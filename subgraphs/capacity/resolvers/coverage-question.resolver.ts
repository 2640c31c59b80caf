import { Arg, Ctx, Directive, Field, ID, ObjectType, Query, Resolver } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { requireKvaCode, requireRegionCode } from "../../shared/validation";
import { badUserInput } from "../../shared/errors";
import { CapacityContext } from "../loaders";

/**
 * The coverage question as this subgraph poses it: the facts of the case, which only capacity
 * knows (the provider's kind and region, the procedure's specialty). The agreements subgraph owns
 * the answer and resolves the rest of the entity by this key.
 */
@ObjectType("Coverage", { description: "Under which agreements a patient from a home region could be sent to a provider for some care on a date." })
@Directive('@key(fields: "homeRegionCode providerId providerKind providerRegionCode specialty procedureCode date", resolvable: false)')
export class CoverageQuestion {
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
  ): Promise<CoverageQuestion | null> {
    requireRegionCode("homeRegionCode", homeRegionCode);
    requireKvaCode("procedureCode", procedureCode);
    if (!isUuid(providerId)) return null;
    const [provider, procedure] = await Promise.all([ctx.loaders.provider.load(providerId), ctx.loaders.procedure.load(procedureCode)]);
    if (!provider) return null;
    if (!procedure) throw badUserInput("procedureCode", "PROCEDURE_UNKNOWN", `"${procedureCode}" is not a procedure this hub brokers`);
    return {
      homeRegionCode,
      providerId,
      providerKind: provider.kind,
      providerRegionCode: provider.regionCode,
      specialty: procedure.specialty,
      procedureCode,
      date: date ?? ctx.today,
    };
  }
}
