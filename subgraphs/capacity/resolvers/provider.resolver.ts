import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { ProviderKind } from "../../shared/graphql-enums";
import { CareUnit, Provider } from "../entities/provider.entity";
import { HealthcareRegion, Region } from "../entities/region.entity";
import { CapacityContext } from "../context";
import { requireRegionCode } from "../../shared/validation";

@Resolver(() => Provider)
export class ProviderResolver {
  @Query(() => Provider, { nullable: true, description: "A care provider by id; null when there is none." })
  provider(@Arg("id", () => ID) id: string, @Ctx() ctx: CapacityContext): Promise<Provider | null> {
    return isUuid(id) ? ctx.loaders.provider.load(id) : Promise.resolve(null);
  }

  @Query(() => [Provider], { description: "Care providers known to this hub, by name; optionally of one region and/or kind." })
  providers(
    @Ctx() ctx: CapacityContext,
    @Arg("regionCode", () => String, { nullable: true, description: "County code of the providers' region." }) regionCode?: string | null,
    @Arg("kind", () => ProviderKind, { nullable: true }) kind?: ProviderKind | null,
  ): Promise<Provider[]> {
    const where: { regionCode?: string; kind?: ProviderKind } = {};
    if (regionCode != null) where.regionCode = requireRegionCode("regionCode", regionCode);
    if (kind != null) where.kind = kind;
    return ctx.catalogue.providers(where);
  }

  @FieldResolver(() => Region, { description: "The region the provider is located in." })
  async region(@Root() provider: Provider, @Ctx() ctx: CapacityContext): Promise<Region> {
    return (await ctx.loaders.region.load(provider.regionCode))!;
  }

  @FieldResolver(() => HealthcareRegion, {
    description: "The healthcare region of the provider's location; in Region Halland it follows the municipality.",
  })
  async healthcareRegion(@Root() provider: Provider, @Ctx() ctx: CapacityContext): Promise<HealthcareRegion> {
    const memberships = await ctx.loaders.membershipsOfRegion.load(provider.regionCode);
    const membership = memberships.find((m) => !m.municipalityCodes || m.municipalityCodes.includes(provider.municipalityCode));
    return (await ctx.loaders.healthcareRegion.load(membership!.healthcareRegionCode))!;
  }

  @FieldResolver(() => [CareUnit], { description: "The provider's care units, by name." })
  careUnits(@Root() provider: Provider, @Ctx() ctx: CapacityContext): Promise<CareUnit[]> {
    return ctx.loaders.careUnitsOfProvider.load(provider.id);
  }
}

@Resolver(() => CareUnit)
export class CareUnitResolver {
  @FieldResolver(() => Provider, { description: "The provider the unit belongs to." })
  async provider(@Root() unit: CareUnit, @Ctx() ctx: CapacityContext): Promise<Provider> {
    return (await ctx.loaders.provider.load(unit.providerId))!;
  }
}
