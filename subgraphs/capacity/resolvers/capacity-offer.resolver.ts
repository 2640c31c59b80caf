import { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, Field, FieldResolver, ID, Info, InputType, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { laterDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { ProviderKind, Specialty, VisitType } from "../../shared/graphql-enums";
import { asksForTotal, Connection, parsePage, toConnection } from "../../shared/pagination";
import { DateScalar } from "../../shared/scalars";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { Procedure } from "../entities/procedure.entity";
import { CareUnit, Provider } from "../entities/provider.entity";
import { CapacityContext } from "../loaders";
import { CapacitySearchFilter, offerPosition, readOfferPosition } from "../services/capacity-search";
import { OfferFreshness, offerFreshness } from "../services/freshness";

@InputType({ description: "Narrows a free-capacity search. All fields are optional and combine with AND." })
export class FreeCapacityFilter implements CapacitySearchFilter {
  @Field(() => Specialty, { nullable: true, description: "Only capacity in this specialty." })
  specialty?: Specialty | null;

  @Field(() => String, { nullable: true, description: 'Only capacity for this KVÅ procedure, e.g. "NFB49".' })
  procedureCode?: string | null;

  @Field(() => VisitType, { nullable: true, description: "Only first visits (nybesök) or only treatments (operation/åtgärd)." })
  visitType?: VisitType | null;

  @Field(() => [String], { nullable: true, description: 'Only providers located in these regions (county codes, e.g. ["12", "14"]; at most 21, each once).' })
  regionCodes?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "Only providers located in this healthcare region (e.g. SODRA); in Region Halland by the provider's municipality.",
  })
  healthcareRegionCode?: string | null;

  @Field(() => [ID], { nullable: true, description: "Only these providers (at most 100, each once)." })
  providerIds?: string[] | null;

  @Field(() => ProviderKind, { nullable: true, description: "Only regional (PUBLIC) or only private providers." })
  providerKind?: ProviderKind | null;

  @Field(() => DateScalar, { nullable: true, description: "Only offers whose earliest start is on or before this date (e.g. a patient's guarantee deadline)." })
  startsOnOrBefore?: string | null;

  @Field(() => Int, { nullable: true, description: "Only offers with at least this many free slots (default 1)." })
  minAvailableSlots?: number | null;

  @Field(() => Int, { nullable: true, description: "Only offers whose reported expected wait is at most this many days." })
  maxExpectedWaitDays?: number | null;
}

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
    const { rows, total } = await ctx.search.search(filter ?? {}, page, ctx.today, asksForTotal(info));
    return toConnection(rows, page, total, "freeCapacity", offerPosition);
  }

  @Query(() => CapacityOffer, { nullable: true, description: "One offer by id, whatever its status (history is kept); null when there is none." })
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

  @FieldResolver(() => Procedure, { nullable: true, description: "The KVÅ procedure offered; null for first-visit capacity in a specialty." })
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
