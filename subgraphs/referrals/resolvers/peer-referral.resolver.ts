import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from "type-graphql";
import { ReferralsContext } from "../context";

/**
 * What one node tells another about a referral sent across nodes: the delivery (home node →
 * provider's node) and each step the provider took (provider's node → home node). Only a peer node
 * in this node's directory, calling with its own node token, may call these; both are idempotent.
 */
@ObjectType({ description: "A node's answer to a peer's delivery or step." })
export class PeerReceipt {
  @Field({
    description:
      "ACCEPTED (taken now), DUPLICATE (taken before: nothing changed) or REFUSED (never: the sender gives the referral back, with `reason`).",
  })
  status: string;

  @Field(() => String, { nullable: true, description: "Why it was refused; null otherwise." })
  reason: string | null;
}

@Resolver()
export class PeerReferralResolver {
  @Mutation(() => PeerReceipt, {
    description:
      "For peer nodes only: a referral the peer's office sent to a provider on this node, as a JSON document (the referral's content, the patient's identity, the payment commitment). Idempotent by the referral id.",
  })
  deliverPeerReferral(
    @Arg("delivery", { description: "The delivery, a JSON document of at most 20,000 characters." }) delivery: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<PeerReceipt> {
    return ctx.workflow.receiveFromPeer(ctx, delivery);
  }

  @Mutation(() => PeerReceipt, {
    description:
      "For peer nodes only: a step the provider took on the peer's node for a referral this node sent there, numbered from 1 per referral; applied in order and once.",
  })
  applyPeerReferralStep(
    @Arg("step", { description: "The step, a JSON document of at most 10,000 characters." }) step: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<PeerReceipt> {
    return ctx.workflow.applyStepFromPeer(ctx, step);
  }
}
