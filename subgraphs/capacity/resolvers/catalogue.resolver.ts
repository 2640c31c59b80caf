import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, registerEnumType, Resolver, Root, Subscription } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { formatOrganisationNumber } from "../../shared/domain/hsa";
import { badUserInput, forbidden, notFound } from "../../shared/errors";
import { eventInfoType, EventInfo } from "../../shared/event-info";
import { subscriptionStream } from "../../shared/event-stream";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";
import { describeCaller, Identity, Role } from "../../shared/identity";
import type { StoredEvent } from "../../shared/outbox";
import { Problem } from "../../shared/domain/problem";
import { refuseInput } from "../../shared/errors";
import { requireText } from "../../shared/validation";
import { CareUnit, Provider } from "../entities/provider.entity";
import { CapacityContext } from "../loaders";
import { CATALOGUE_EVENT_KINDS, CatalogueEventKind, checkCatalogue, ProviderRecord, RowProblem } from "../services/care-catalogue";
import { PROCEDURE_LIST_CHANGED } from "../services/kva-catalogue";

/** What happened in the care catalogue (providers, care units, the KVÅ list). */
export enum CatalogueChangeKind {
  PROVIDER_CREATED = "PROVIDER_CREATED",
  PROVIDER_UPDATED = "PROVIDER_UPDATED",
  PROVIDER_DEACTIVATED = "PROVIDER_DEACTIVATED",
  CARE_UNIT_CREATED = "CARE_UNIT_CREATED",
  CARE_UNIT_UPDATED = "CARE_UNIT_UPDATED",
  CARE_UNIT_DEACTIVATED = "CARE_UNIT_DEACTIVATED",
  PROCEDURE_LIST_CHANGED = "PROCEDURE_LIST_CHANGED",
}

registerEnumType(CatalogueChangeKind, {
  name: "CatalogueChangeKind",
  description: "What changed in the care catalogue.",
  valuesConfig: {
    PROVIDER_CREATED: { description: "A provider was added (import or upsertProvider)." },
    PROVIDER_UPDATED: { description: "A provider's name, kind, organisation number or place changed, or it was active again." },
    PROVIDER_DEACTIVATED: { description: "A provider left the HSA catalogue (a full import without it)." },
    CARE_UNIT_CREATED: { description: "A care unit was added." },
    CARE_UNIT_UPDATED: { description: "A care unit's name or specialty changed, or it was active again." },
    CARE_UNIT_DEACTIVATED: { description: "A care unit was deactivated; its open offers were withdrawn with the reason." },
    PROCEDURE_LIST_CHANGED: { description: "A KVÅ import added or changed procedure codes." },
  },
});

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

/** The catalogue is the node's master data: only an administrator changes it by hand. */
function requireAdministrator(caller: Identity): void {
  if (caller.role !== Role.ADMINISTRATOR) throw forbidden(`Only an administrator may change providers and care units (you are ${describeCaller(caller)}).`);
}

/** Row problems of a mutation's single record, as the hub's input errors (field under `input.`). */
function refuseRows(problems: RowProblem[]): void {
  refuseInput(problems.map((p): Problem => ({ field: `input.${p.field.replace(/^units\./, "")}`, rule: p.rule, message: p.message })));
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

const isCatalogueEvent = (event: StoredEvent) => CATALOGUE_EVENT_KINDS.has(event.type) || event.type === PROCEDURE_LIST_CHANGED;

@Resolver(() => CatalogueChange)
export class CatalogueResolver {
  @Mutation(() => Provider, {
    description:
      "Creates or updates a provider by its HSA-id (administrators only), as an import of one row would: checked the same way, a no-op when nothing differs, an event when something does. An inactive provider listed again is active again.",
  })
  async upsertProvider(@Arg("input", () => ProviderInput) input: ProviderInput, @Ctx() ctx: CapacityContext): Promise<Provider> {
    requireAdministrator(ctx.identity);
    const { providers, problems } = checkCatalogue([{ ...input, units: [] }]);
    refuseRows(problems);
    const { problems: conflicts } = await ctx.catalogue.apply(providers);
    refuseRows(conflicts);
    return (await ctx.repositories.provider.findOneBy({ hsaId: providers[0].hsaId }))!;
  }

  @Mutation(() => CareUnit, {
    description: "Creates or updates a care unit of a known provider by its HSA-id (administrators only); an inactive unit listed again is active again.",
  })
  async upsertCareUnit(@Arg("input", () => CareUnitInput) input: CareUnitInput, @Ctx() ctx: CapacityContext): Promise<CareUnit> {
    requireAdministrator(ctx.identity);
    const providerHsaId = requireText("input.providerHsaId", input.providerHsaId, 1, 40);
    const provider = await ctx.repositories.provider.findOneBy({ hsaId: providerHsaId });
    if (!provider) throw notFound("input.providerHsaId", `no provider ${providerHsaId} in this hub; add it with upsertProvider first`);
    const record: ProviderRecord = {
      hsaId: provider.hsaId,
      organisationNumber: provider.organisationNumber,
      name: provider.name,
      kind: provider.kind,
      regionCode: provider.regionCode,
      municipalityCode: provider.municipalityCode,
      units: [{ hsaId: input.hsaId, name: input.name, specialty: input.specialty }],
    };
    const { providers, problems } = checkCatalogue([record]);
    refuseRows(problems);
    const { problems: conflicts } = await ctx.catalogue.apply(providers);
    refuseRows(conflicts);
    return (await ctx.repositories.careUnit.findOneBy({ hsaId: providers[0].units[0].hsaId }))!;
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
    requireAdministrator(ctx.identity);
    if (!isUuid(careUnitId)) throw badUserInput("careUnitId", "ID_FORMAT", `"${careUnitId}" is not a care unit id (UUID)`);
    const why = requireText("reason", reason, 3, 500);
    const result = await ctx.catalogue.deactivateUnit(careUnitId, why);
    if (!result) throw notFound("careUnitId", `no care unit ${careUnitId}`);
    return { careUnit: result.unit, offersWithdrawn: result.offersWithdrawn };
  }

  @Subscription(() => CatalogueChange, {
    description:
      "Changes to the care catalogue: providers and care units created, updated or deactivated, and KVÅ imports. Resume with `after` as for offerPublished.",
    subscribe: async ({ args, context }) => subscriptionStream(context.events, context.loaders, isCatalogueEvent, args.after, changeOfEvent),
  })
  careCatalogueChanged(
    @Root() change: CatalogueChange,
    @Arg("after", () => ID, { nullable: true, description: "Replay every catalogue event after this event id first." }) _after: string | null,
  ): CatalogueChange {
    return change;
  }

  @FieldResolver(() => Provider, { nullable: true, description: "The provider changed, or whose unit changed, as it is now; null for a KVÅ import." })
  provider(@Root() change: CatalogueChange, @Ctx() ctx: CapacityContext): Promise<Provider | null> {
    return change.providerId ? ctx.loaders.provider.load(change.providerId) : Promise.resolve(null);
  }

  @FieldResolver(() => CareUnit, { nullable: true, description: "The care unit changed, as it is now; null for a change to a provider or the KVÅ list." })
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

export { CatalogueEventKind };
