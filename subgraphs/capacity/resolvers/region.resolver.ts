import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { HEALTHCARE_REGIONS, REGIONS } from "../../shared/domain/regions";
import { requireHealthcareRegionCode, requireRegionCode } from "../../shared/validation";
import { loadExisting } from "../../shared/loaders";
import { HealthcareRegion, Region } from "../entities/region.entity";
import { CapacityContext } from "../context";

const ALL_REGION_CODES = REGIONS.map((r) => r.code);
const ALL_HEALTHCARE_REGION_CODES = HEALTHCARE_REGIONS.map((h) => h.code);

@Resolver(() => Region)
export class RegionResolver {
  @Query(() => [Region], { description: "All 21 regions, ordered by county code." })
  regions(@Ctx() ctx: CapacityContext): Promise<Region[]> {
    return loadExisting(ctx.loaders.region, ALL_REGION_CODES);
  }

  @Query(() => Region, { nullable: true, description: "A region by county code." })
  region(@Arg("code", { description: 'County code, e.g. "13".' }) code: string, @Ctx() ctx: CapacityContext): Promise<Region | null> {
    return ctx.loaders.region.load(requireRegionCode("code", code));
  }

  @Query(() => Region, { description: "The region this hub node belongs to (its HUB_REGION_CODE)." })
  async hubRegion(@Ctx() ctx: CapacityContext): Promise<Region> {
    const region = await ctx.loaders.region.load(ctx.hubRegionCode);
    if (!region) throw new Error(`hub region ${ctx.hubRegionCode} is missing from the reference data`);
    return region;
  }

  @FieldResolver(() => [HealthcareRegion], {
    description: "The healthcare regions this region belongs to: one, or two for Region Halland (Södra and Västra).",
  })
  async healthcareRegions(@Root() region: Region, @Ctx() ctx: CapacityContext): Promise<HealthcareRegion[]> {
    const memberships = await ctx.loaders.membershipsOfRegion.load(region.code);
    return loadExisting(
      ctx.loaders.healthcareRegion,
      memberships.map((m) => m.healthcareRegionCode),
    );
  }

  @FieldResolver(() => HealthcareRegion, {
    nullable: true,
    description:
      "The healthcare region the whole region belongs to. Null for a region split between two (Region Halland: the south belongs to Södra, the north to Västra); use `healthcareRegions`, or `Provider.healthcareRegion`, which follows the provider's municipality.",
  })
  async healthcareRegion(@Root() region: Region, @Ctx() ctx: CapacityContext): Promise<HealthcareRegion | null> {
    const memberships = await ctx.loaders.membershipsOfRegion.load(region.code);
    if (memberships.length !== 1 || memberships[0].municipalityCodes) return null;
    return ctx.loaders.healthcareRegion.load(memberships[0].healthcareRegionCode);
  }
}

@Resolver(() => HealthcareRegion)
export class HealthcareRegionResolver {
  @Query(() => [HealthcareRegion], { description: "The six healthcare regions (sjukvårdsregioner)." })
  healthcareRegions(@Ctx() ctx: CapacityContext): Promise<HealthcareRegion[]> {
    return loadExisting(ctx.loaders.healthcareRegion, ALL_HEALTHCARE_REGION_CODES);
  }

  @Query(() => HealthcareRegion, { nullable: true, description: "A healthcare region by code." })
  healthcareRegion(
    @Arg("code", { description: "NORRA, MELLANSVERIGE, STOCKHOLM_GOTLAND, SYDOSTRA, SODRA or VASTRA." }) code: string,
    @Ctx() ctx: CapacityContext,
  ): Promise<HealthcareRegion | null> {
    return ctx.loaders.healthcareRegion.load(requireHealthcareRegionCode("code", code));
  }

  @FieldResolver(() => [Region], {
    description: "Member regions. Region Halland is a member of Södra and Västra with part of its municipalities each.",
  })
  async regions(@Root() healthcareRegion: HealthcareRegion, @Ctx() ctx: CapacityContext): Promise<Region[]> {
    const members = await ctx.loaders.membersOfHealthcareRegion.load(healthcareRegion.code);
    return loadExisting(
      ctx.loaders.region,
      members.map((m) => m.regionCode),
    );
  }
}
