import { Arg, Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from "type-graphql";
import { forbidden } from "../../shared/errors";
import { pageSize } from "../../shared/pagination";
import { AgreementStub, CapacityOfferStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";
import { Referral } from "../entities/referral.entity";
import { ReferralsContext } from "../context";
import { MatchTier, rankMatches } from "../domain/brokering";
import { read } from "../services/guarantee-clock-store";
import { partiesOf } from "../services/referral-access";
import { Party } from "../domain/referral-lifecycle";
import type { DeliveredReferral } from "./referral.resolver";

@ObjectType({ description: "A free-capacity offer ranked for a referral, with why it ranks where it does." })
export class BrokeringMatch {
  @Field(() => Int, { description: "Position, 1 = the first to consider." })
  rank: number;

  @Field(() => MatchTier, { description: "The search-order tier: own region, own private agreement, pact region, Riksavtalet." })
  tier: MatchTier;

  @Field(() => CapacityOfferStub, { description: "The offer (resolved by the capacity subgraph)." })
  offer: CapacityOfferStub;

  @Field(() => AgreementStub, {
    nullable: true,
    description: "The agreement the patient would be sent under; null for internal care in the own region.",
  })
  agreement: AgreementStub | null;

  @Field(() => Int, {
    nullable: true,
    description: "Price per case in SEK under that agreement; null when none is listed or for internal care.",
  })
  pricePerCaseSek: number | null;

  @Field(() => DateScalar, { description: "The offer's earliest start." })
  earliestStart: string;

  @Field({ description: "Whether the earliest start is on or before the guarantee deadline (true when no deadline applies)." })
  startsByDeadline: boolean;

  @Field(() => Int, {
    nullable: true,
    description: "Days from the earliest start to the deadline; negative when it starts too late; null without a deadline.",
  })
  marginDays: number | null;

  @Field({ description: "Why it ranks here, in words: tier and agreement, margin to the deadline, price." })
  explanation: string;
}

@Resolver(() => Referral)
export class BrokeringResolver {
  @FieldResolver(() => [BrokeringMatch], {
    description:
      "Free capacity for this referral, ranked by the search order (own region, own private agreements, pact regions, then Riksavtalet), then whether it starts by the guarantee deadline, then earliest start, then price. Offers no agreement covers are left out. For the home region's office and clinics.",
  })
  async matches(
    @Root() referral: DeliveredReferral,
    @Ctx() ctx: ReferralsContext,
    @Arg("first", () => Int, { nullable: true, description: "How many, 1 to 50 (default 10)." }) first?: number | null,
  ): Promise<BrokeringMatch[]> {
    const count = pageSize(first, { defaultSize: 10, min: 1, max: 50 });
    const parties = partiesOf(ctx.identity, referral);
    const [events, rules] = await Promise.all([ctx.loaders.clockEvents.load(referral), ctx.limitRules()]);
    if (!events || !(parties.includes(Party.HOME_OFFICE) || parties.includes(Party.HOME_CLINIC))) {
      throw forbidden("Matches are for the home region's care-guarantee office and clinics.");
    }
    const reading = read(referral, events, rules, ctx.today, ctx.atRiskMarginDays);
    const deadline = reading.applies && reading.status !== "FORFEITED" ? reading.deadline : null;
    return rankMatches(await ctx.brokering.of(ctx, referral), deadline)
      .slice(0, count)
      .map((m) => ({
        rank: m.rank,
        tier: m.tier,
        offer: { id: m.candidate.offerId },
        agreement: m.candidate.agreementId ? { id: m.candidate.agreementId } : null,
        pricePerCaseSek: m.candidate.pricePerCaseSek,
        earliestStart: m.candidate.earliestStart,
        startsByDeadline: m.startsByDeadline,
        marginDays: m.marginDays,
        explanation: m.explanation,
      }));
  }
}
