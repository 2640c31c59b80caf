import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { PatientsContext } from "../context";

@Resolver()
export class CareRelationResolver {
  @Mutation(() => Boolean, {
    description:
      "Records that a provider holds a referral for a patient, which lets the provider read the patient. For the hub's referrals service as it sends a referral; FORBIDDEN to anyone else. Idempotent by the referral.",
  })
  recordCareRelation(
    @Arg("referralId", () => ID, { description: "The referral sent." }) referralId: string,
    @Arg("patientId", () => ID, { description: "The referral's patient." }) patientId: string,
    @Arg("providerId", () => ID, { description: "The provider it was sent to." }) providerId: string,
    @Ctx() ctx: PatientsContext,
  ): Promise<boolean> {
    return ctx.careRelations.record(ctx, referralId, patientId, providerId);
  }

  @Mutation(() => Boolean, {
    description:
      "Ends the care relation a referral gave its provider (rejected or cancelled). For the hub's referrals service; FORBIDDEN to anyone else. Ending one that is not recorded changes nothing.",
  })
  endCareRelation(
    @Arg("referralId", () => ID, { description: "The referral let go." }) referralId: string,
    @Ctx() ctx: PatientsContext,
  ): Promise<boolean> {
    return ctx.careRelations.end(ctx, referralId);
  }
}
