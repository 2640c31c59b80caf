import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { forbidden } from "../../shared/errors";
import { pageSize } from "../../shared/pagination";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { CapacityContext } from "../context";
import { FreeCapacityFilter } from "../entities/free-capacity-filter";

/** As many offers as the referrals subgraph ranks for one referral (enough for any one specialty and procedure today). */
const MAX_CANDIDATES = 500;

@Resolver()
export class BrokeringCandidatesResolver {
  /**
   * One answer where paging `freeCapacity` would take the referrals subgraph several round trips
   * through the gateway from inside one resolver: the planner joins each offer's coverage
   * (agreements) to it in the same request.
   */
  @Query(() => [CapacityOffer], {
    description:
      "Free capacity to rank for a referral, in one answer: the offers `freeCapacity` lists for the filter, in its order (earliest start, then id), the first `first` of them. For the hub's referrals service as it ranks a referral's matches; FORBIDDEN to anyone else, who pages `freeCapacity`.",
  })
  async brokeringCandidates(
    @Ctx() ctx: CapacityContext,
    @Arg("filter", () => FreeCapacityFilter) filter: FreeCapacityFilter,
    @Arg("first", () => Int, { nullable: true, description: `How many, 1 to ${MAX_CANDIDATES} (default ${MAX_CANDIDATES}).` }) first?:
      | number
      | null,
  ): Promise<CapacityOffer[]> {
    if (ctx.identity.viaService !== "referrals")
      throw forbidden("Brokering candidates are for ranking a referral's matches (Referral.matches); search with freeCapacity.");
    const size = pageSize(first, { defaultSize: MAX_CANDIDATES, min: 1, max: MAX_CANDIDATES });
    const { rows } = await ctx.search.search(ctx, filter, { first: size, after: undefined });
    return rows.slice(0, size);
  }
}
