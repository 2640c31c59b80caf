/**
 * Coverage, which agreements allow sending a patient to a provider: capacity poses the question
 * with the facts only it knows (the provider's kind and region, the procedure's specialty), and
 * the agreements subgraph answers it. Asked directly (`coverage`) or for a referral.
 */

import { Arg, Ctx, Directive, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput } from "../../shared/errors";
import { CareSetting } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { requireKvaCode } from "../../shared/validation";
import { CapacityContext } from "../context";
import { CoverageStub, patientSideOfCoverage, ReferralStub } from "../entities/stubs";

/** Builds the question for a provider, or null when the provider is unknown. */
async function question(
  ctx: CapacityContext,
  facts: Omit<CoverageStub, "providerKind" | "providerRegionCode">,
): Promise<CoverageStub | null> {
  if (!isUuid(facts.providerId)) return null;
  const provider = await ctx.loaders.provider.load(facts.providerId);
  if (!provider) return null;
  return { ...facts, providerKind: provider.kind, providerRegionCode: provider.regionCode };
}

@Resolver(() => ReferralStub)
export class ReferralCoverageResolver {
  @Directive('@requires(fields: "homeRegion { code } specialty procedure { code } decisionDate homeMunicipalityCode")')
  @FieldResolver(() => CoverageStub, {
    nullable: true,
    description:
      "Under which agreements this referral's patient could be sent to the given provider for the referral's care, on the decision date, following the patient's home municipality where it matters (answered by the agreements subgraph). Null for an unknown provider.",
  })
  coverage(
    @Root() referral: ReferralStub,
    @Arg("providerId", () => ID, { description: "The provider considered." }) providerId: string,
    @Ctx() ctx: CapacityContext,
    @Arg("careSetting", () => CareSetting, { nullable: true, description: "Outpatient (when omitted) or inpatient care." })
    careSetting?: CareSetting | null,
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
export class CoverageResolver {
  @Query(() => CoverageStub, {
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
      description:
        "The patient's home municipality (kommunkod, in the home region), where it matters: Region Halland's pacts and price lists follow it. Without it, a pact limited to some municipalities is not excluded.",
    })
    homeMunicipalityCode?: string | null,
    @Arg("careSetting", () => CareSetting, {
      nullable: true,
      description: "Outpatient (when omitted) or inpatient care: decides whether a payment commitment is needed.",
    })
    careSetting?: CareSetting | null,
  ): Promise<CoverageStub | null> {
    const patient = patientSideOfCoverage(homeRegionCode, homeMunicipalityCode, careSetting);
    requireKvaCode("procedureCode", procedureCode);
    const procedure = await ctx.loaders.procedure.load(procedureCode);
    if (!procedure || procedure.specialty == null)
      throw badUserInput("procedureCode", "PROCEDURE_UNKNOWN", `"${procedureCode}" is not a procedure this hub brokers`);
    return question(ctx, {
      ...patient,
      providerId,
      specialty: procedure.specialty,
      procedureCode,
      date: date ?? ctx.today,
    });
  }
}
