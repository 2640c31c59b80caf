import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root, Subscription } from "type-graphql";
import { formatOrganisationNumber } from "../../shared/domain/hsa";
import { EventInfo, eventInfoType } from "../../shared/event-info";
import { subscriptionStream } from "../../shared/event-stream";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";
import type { StoredEvent } from "../../shared/outbox";
import { CapacityContext } from "../context";
import { CatalogueChangeKind, isCatalogueChange } from "../domain/catalogue-changes";
import { CareUnit, Provider } from "../entities/provider.entity";

export const CatalogueEventInfo = eventInfoType("CatalogueEventInfo", CatalogueChangeKind);
export type CatalogueEventInfo = EventInfo<CatalogueChangeKind>;

@ObjectType({ description: "One change to the care catalogue, as delivered to careCatalogueChanged." })
export class CatalogueChange {
  @Field(() => ID, { description: "Id of what changed: the provider, the care unit, or (for the KVÅ list) the import." })
  id: string;

  @Field(() => CatalogueEventInfo, { description: "The event: its id (to resume after), kind and time." })
  event: CatalogueEventInfo;

  providerId: string | null;
  careUnitId: string | null;
}

@InputType({ description: "A provider as the HSA catalogue has it; created or updated by its HSA-id." })
export class ProviderInput {
  @Field({ description: 'HSA-id: "SE", the ten-digit organisation number it was issued under, "-", a suffix (e.g. "SE2321000016-1234").' })
  hsaId: string;

  @Field({ description: 'Organisation number, "NNNNNN-NNNN" (check digit verified); the one in hsaId.' })
  organisationNumber: string;

  @Field({ description: "Name (1 to 200 characters)." })
  name: string;

  @Field(() => ProviderKind, { description: "PUBLIC (run by a region) or PRIVATE." })
  kind: ProviderKind;

  @Field({ description: 'County code of the region the provider is in, e.g. "13".' })
  regionCode: string;

  @Field({ description: "Municipality code (kommunkod) where the provider is; an existing municipality of that region." })
  municipalityCode: string;
}

@InputType({ description: "A care unit as the HSA catalogue has it; created or updated by its HSA-id." })
export class CareUnitInput {
  @Field({ description: "HSA-id of the unit." })
  hsaId: string;

  @Field({ description: "HSA-id of the provider the unit belongs to (a unit does not change provider)." })
  providerHsaId: string;

  @Field({ description: "Name (1 to 200 characters)." })
  name: string;

  @Field(() => Specialty, { description: "The unit's specialty." })
  specialty: Specialty;
}

@ObjectType({ description: "The result of deactivating a care unit." })
export class DeactivateCareUnitPayload {
  @Field(() => CareUnit, { description: "The unit, now inactive." })
  careUnit: CareUnit;

  @Field({ description: "How many of its open offers were withdrawn (0 when the unit was inactive already)." })
  offersWithdrawn: number;
}

function changeOfEvent(event: StoredEvent): CatalogueChange {
  const payload = event.payload as { provider?: { id: string }; careUnit?: { id: string; providerId: string } };
  return {
    id: event.aggregateId,
    event: { id: String(event.id), kind: event.type as CatalogueChangeKind, occurredAt: event.occurredAt },
    providerId: payload.provider?.id ?? payload.careUnit?.providerId ?? null,
    careUnitId: payload.careUnit?.id ?? null,
  };
}

const isCatalogueEvent = (event: StoredEvent) => isCatalogueChange(event.type);

@Resolver(() => CatalogueChange)
export class CatalogueResolver {
  @Mutation(() => Provider, {
    description:
      "Creates or updates a provider by its HSA-id (administrators only), as an import of one row would: checked the same way, a no-op when nothing differs, an event when something does. An inactive provider listed again is active again.",
  })
  upsertProvider(@Arg("input", () => ProviderInput) input: ProviderInput, @Ctx() ctx: CapacityContext): Promise<Provider> {
    return ctx.catalogue.upsertProvider(ctx, input);
  }

  @Mutation(() => CareUnit, {
    description:
      "Creates or updates a care unit of a known provider by its HSA-id (administrators only); an inactive unit listed again is active again.",
  })
  upsertCareUnit(@Arg("input", () => CareUnitInput) input: CareUnitInput, @Ctx() ctx: CapacityContext): Promise<CareUnit> {
    return ctx.catalogue.upsertCareUnit(ctx, input);
  }

  @Mutation(() => DeactivateCareUnitPayload, {
    description:
      "Deactivates a care unit (administrators only): no capacity can be published at it any more, and its open offers are withdrawn with the reason (offerChanged subscribers hear each). The unit and its history are kept.",
  })
  async deactivateCareUnit(
    @Arg("careUnitId", () => ID, { description: "The unit." }) careUnitId: string,
    @Arg("reason", { description: 'Why (3 to 500 characters), e.g. "Unit closed 2026-12-31".' }) reason: string,
    @Ctx() ctx: CapacityContext,
  ): Promise<DeactivateCareUnitPayload> {
    return ctx.catalogue.deactivateCareUnit(ctx, careUnitId, reason);
  }

  @Subscription(() => CatalogueChange, {
    description:
      "Changes to the care catalogue: providers and care units created, updated or deactivated, and KVÅ imports. Resume with `after` as for offerPublished.",
    subscribe: async ({ args, context }) =>
      subscriptionStream(context.events, context.loaders, isCatalogueEvent, args.after, changeOfEvent),
  })
  careCatalogueChanged(
    @Root() change: CatalogueChange,
    @Arg("after", () => ID, { nullable: true, description: "Replay every catalogue event after this event id first." }) _after:
      | string
      | null,
  ): CatalogueChange {
    return change;
  }

  @FieldResolver(() => Provider, {
    nullable: true,
    description: "The provider changed, or whose unit changed, as it is now; null for a KVÅ import.",
  })
  provider(@Root() change: CatalogueChange, @Ctx() ctx: CapacityContext): Promise<Provider | null> {
    return change.providerId ? ctx.loaders.provider.load(change.providerId) : Promise.resolve(null);
  }

  @FieldResolver(() => CareUnit, {
    nullable: true,
    description: "The care unit changed, as it is now; null for a change to a provider or the KVÅ list.",
  })
  careUnit(@Root() change: CatalogueChange, @Ctx() ctx: CapacityContext): Promise<CareUnit | null> {
    return change.careUnitId ? ctx.loaders.careUnit.load(change.careUnitId) : Promise.resolve(null);
  }
}

@Resolver(() => Provider)
export class ProviderCatalogueResolver {
  @FieldResolver(() => String, { description: 'Organisation number (organisationsnummer), "NNNNNN-NNNN".' })
  organisationNumber(@Root() provider: Provider): string {
    return formatOrganisationNumber(provider.organisationNumber);
  }
}
