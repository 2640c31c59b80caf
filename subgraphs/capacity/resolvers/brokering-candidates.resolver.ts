import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { badUserInput, forbidden } from "../../shared/errors";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { CapacityContext } from "../loaders";
import { FreeCapacityFilter } from "./capacity-offer.resolver";

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
    @Arg("first", () => Int, { nullable: true, description: `How many, 1 to ${MAX_CANDIDATES} (default ${MAX_CANDIDATES}).` }) first?: number | null,
  ): Promise<CapacityOffer[]> {
    if (ctx.identity.viaService !== "referrals") throw forbidden("Brokering candidates are for ranking a referral's matches (Referral.matches); search with freeCapacity.");
    const size = first ?? MAX_CANDIDATES;
    if (!Number.isInteger(size) || size < 1 || size > MAX_CANDIDATES) throw badUserInput("first", "PAGE_SIZE", `must be 1 to ${MAX_CANDIDATES}, got ${size}`);
    const { rows } = await ctx.search.search(filter, { first: size, after: undefined }, ctx.today);
    return rows.slice(0, size);
  }
}
