import { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { laterDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { asksForTotal, Connection, parsePage, toConnection } from "../../shared/pagination";
import { DateScalar } from "../../shared/scalars";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { Procedure } from "../entities/procedure.entity";
import { CareUnit, Provider } from "../entities/provider.entity";
import { CapacityContext } from "../context";
import { offerPosition, readOfferPosition } from "../domain/capacity-filter";
import { OfferFreshness, offerFreshness } from "../domain/freshness";
import { FreeCapacityFilter } from "../entities/free-capacity-filter";

@ObjectType({ description: "A page of free-capacity offers, ordered by earliest start, then id." })
export class CapacityOfferConnection extends Connection(CapacityOffer, "CapacityOffer", "capacity offer") {}

@Resolver(() => CapacityOffer)
export class CapacityOfferResolver {
  @Query(() => CapacityOfferConnection, {
    description:
      "Free capacity (ledig kapacitet): open offers with free slots whose window has not ended, ordered by earliest start, then id. Relay cursor pagination; the order is stable under paging.",
  })
  async freeCapacity(
    @Ctx() ctx: CapacityContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => FreeCapacityFilter, { nullable: true }) filter?: FreeCapacityFilter | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 0 to 100 (default 20)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the edge after which the page starts (`pageInfo.endCursor`)." })
    after?: string | null,
  ): Promise<CapacityOfferConnection> {
    const page = parsePage(first, after, "freeCapacity", readOfferPosition);
    const { rows, total } = await ctx.search.search(ctx, filter ?? {}, page, asksForTotal(info));
    return toConnection(rows, page, total, "freeCapacity", offerPosition);
  }

  @Query(() => CapacityOffer, {
    nullable: true,
    description: "One offer by id, whatever its status (history is kept); null when there is none.",
  })
  capacityOffer(@Arg("id", () => ID) id: string, @Ctx() ctx: CapacityContext): Promise<CapacityOffer | null> {
    return isUuid(id) ? ctx.loaders.offer.load(id) : Promise.resolve(null);
  }

  @FieldResolver(() => Int, { description: "Slots still free: offered minus reserved." })
  availableSlots(@Root() offer: CapacityOffer): number {
    return offer.totalSlots - offer.reservedSlots;
  }

  @FieldResolver(() => DateScalar, {
    description: "First day a patient can be seen or treated: the reported start, or today once that day has passed.",
  })
  earliestStart(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): string {
    // Monotonic in the stored start, so ordering by the stored value orders this one too.
    return laterDate(offer.earliestStart, ctx.today);
  }

  @FieldResolver(() => OfferFreshness, { description: "How current the report is, from `reportedAt`." })
  freshness(@Root() offer: CapacityOffer): OfferFreshness {
    return offerFreshness(offer.reportedAt, new Date());
  }

  @FieldResolver(() => Procedure, {
    nullable: true,
    description: "The KVÅ procedure offered; null for first-visit capacity in a specialty.",
  })
  procedure(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): Promise<Procedure | null> {
    return offer.procedureCode ? ctx.loaders.procedure.load(offer.procedureCode) : Promise.resolve(null);
  }

  @FieldResolver(() => Provider, { description: "The provider offering the capacity." })
  async provider(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): Promise<Provider> {
    return (await ctx.loaders.provider.load(offer.providerId))!;
  }

  @FieldResolver(() => CareUnit, { description: "The care unit (vårdenhet) that will give the care." })
  async careUnit(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): Promise<CareUnit> {
    return (await ctx.loaders.careUnit.load(offer.careUnitId))!;
  }
}
