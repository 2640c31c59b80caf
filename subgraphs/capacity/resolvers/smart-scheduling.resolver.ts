import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { Specialty } from "../../shared/domain/specialty";
import { DateTimeScalar } from "../../shared/scalars";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { Provider } from "../entities/provider.entity";
import { CapacityContext } from "../context";
import { PublisherRow } from "../services/smart-scheduling";

@InputType({ description: "Which care unit a publisher's FHIR Location stands for." })
class LocationMappingInput {
  @Field({ description: "The Location's resource id in the publisher's files (e.g. \"loc-1\")." })
  locationId: string;

  @Field(() => ID, { description: "The care unit (of the publisher's provider) the Location is." })
  careUnitId: string;
}

@InputType({ description: "Which specialty and KVÅ procedure a Schedule serviceType coding stands for." })
class ServiceTypeMappingInput {
  @Field({ description: "The coding's system, e.g. \"urn:oid:1.2.752.116.1.3.2.1.4\" (KVÅ) or the publisher's own." })
  system: string;

  @Field({ description: "The coding's code." })
  code: string;

  @Field(() => Specialty, { description: "The specialty of the care." })
  specialty: Specialty;

  @Field(() => String, { nullable: true, description: "KVÅ code of the procedure; omit for first visits in the specialty." })
  procedureCode?: string | null;
}

@InputType({ description: "A SMART Scheduling Links publisher of a provider's free slots." })
class RegisterSchedulingPublisherInput {
  @Field(() => ID, { description: "The provider whose slots the publisher serves." })
  providerId: string;

  @Field({ description: "A name for the publisher, e.g. the booking system's (1 to 200 characters)." })
  name: string;

  @Field({
    description: "The publisher's $bulk-publish manifest URL (http or https). The hub connects only to it and to files on its origin.",
  })
  manifestUrl: string;

  @Field(() => [LocationMappingInput], {
    description: "Location → care unit mappings (at most 100); Schedules at other Locations are reported, not guessed.",
  })
  locations: LocationMappingInput[];

  @Field(() => [ServiceTypeMappingInput], {
    description: "serviceType coding → specialty/KVÅ mappings (at most 100); a Schedule none matches is reported, not guessed.",
  })
  serviceTypes: ServiceTypeMappingInput[];
}

@ObjectType({ description: "A Location → care unit mapping of a publisher." })
class LocationMapping {
  @Field({ description: "The Location's resource id in the publisher's files." })
  locationId: string;

  @Field(() => ID, { description: "The care unit it stands for." })
  careUnitId: string;
}

@ObjectType({ description: "A serviceType coding → specialty/KVÅ mapping of a publisher." })
class ServiceTypeMapping {
  @Field({ description: "The coding's system." })
  system: string;

  @Field({ description: "The coding's code." })
  code: string;

  @Field(() => Specialty, { description: "The specialty." })
  specialty: Specialty;

  @Field(() => String, { nullable: true, description: "KVÅ code; null for first visits." })
  procedureCode: string | null;
}

@ObjectType({ description: "One problem a poll found: a manifest, a file or one line of it, with the reason." })
class PublisherProblem {
  @Field({ description: "The manifest's or file's URL." })
  file: string;

  @Field(() => Number, { nullable: true, description: "1-based line of an NDJSON file; null for the file or manifest as a whole." })
  line: number | null;

  @Field({ description: "What was wrong, and what the hub did about it." })
  reason: string;
}

@ObjectType({ description: "How the last polls of a publisher went." })
class SchedulingPublisherStatus {
  @Field(() => String, {
    nullable: true,
    description:
      "OK, APPLIED_WITH_PROBLEMS (valid lines applied, the rest in problems), NOT_MODIFIED (304) or FAILED (nothing applied); null before the first poll.",
  })
  lastOutcome: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the hub last tried." })
  lastAttemptAt: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the hub last read the feed successfully (its offers are as fresh as this).",
  })
  fetchedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "The transactionTime of the last manifest applied." })
  transactionTime: Date | null;

  @Field(() => DateTimeScalar, { description: "When the hub polls next: Cache-Control max-age after a poll, never sooner than a minute." })
  nextPollAt: Date;

  @Field(() => Boolean, { nullable: true, description: "Whether the publisher answered `_since` with only the changes; null until asked." })
  supportsSince: boolean | null;

  @Field(() => [PublisherProblem], { description: "The problems of the last poll that read the feed (the first 200)." })
  problems: PublisherProblem[];
}

@ObjectType({ description: "A SMART Scheduling Links publisher the hub polls for a provider's free slots." })
export class SchedulingPublisher {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;

  @Field({ description: "The publisher's name." })
  name: string;

  @Field({ description: "The $bulk-publish manifest URL." })
  manifestUrl: string;

  providerId: string;

  @Field(() => [LocationMapping], { description: "Location → care unit mappings." })
  locations: LocationMapping[];

  @Field(() => [ServiceTypeMapping], { description: "serviceType coding → specialty/KVÅ mappings." })
  serviceTypes: ServiceTypeMapping[];

  @Field(() => SchedulingPublisherStatus, { description: "How the last polls went, line by line." })
  status: SchedulingPublisherStatus;
}

@ObjectType({ description: "Where an offer made from a SMART Scheduling Links feed came from." })
class OfferProvenance {
  @Field(() => ID, { description: "The publisher." })
  publisherId: string;

  @Field({ description: "The publisher's name." })
  publisherName: string;

  @Field({ description: "The manifest URL read." })
  manifestUrl: string;

  @Field({ description: "The publisher's Schedule the offer is made from." })
  scheduleId: string;

  @Field(() => DateTimeScalar, { nullable: true, description: "The transactionTime of the manifest last applied." })
  transactionTime: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the hub last read the feed successfully; when polls fail the offer ages from here.",
  })
  fetchedAt: Date | null;
}

function toPublisher(row: PublisherRow): SchedulingPublisher {
  return {
    id: row.id,
    name: row.name,
    manifestUrl: row.manifest_url,
    providerId: row.provider_id,
    locations: row.location_map,
    serviceTypes: row.service_type_map as ServiceTypeMapping[],
    status: {
      lastOutcome: row.last_outcome,
      lastAttemptAt: row.last_attempt_at,
      fetchedAt: row.fetched_at,
      transactionTime: row.transaction_time,
      nextPollAt: row.next_poll_at,
      supportsSince: row.supports_since,
      problems: row.problems,
    },
  };
}

@Resolver(() => SchedulingPublisher)
export class SchedulingPublisherResolver {
  @Mutation(() => SchedulingPublisher, {
    description: "Registers a SMART Scheduling Links publisher for a provider (administrators). The hub polls it from now on.",
  })
  async registerSchedulingPublisher(
    @Arg("input") input: RegisterSchedulingPublisherInput,
    @Ctx() ctx: CapacityContext,
  ): Promise<SchedulingPublisher> {
    return toPublisher(
      await ctx.scheduling.register(ctx, {
        ...input,
        serviceTypes: input.serviceTypes.map((s) => ({ ...s, procedureCode: s.procedureCode ?? null })),
      }),
    );
  }

  @Mutation(() => SchedulingPublisher, {
    description: "Polls a publisher now (administrators); refused with CONFLICT within a minute of the last poll.",
  })
  async pollSchedulingPublisher(
    @Arg("publisherId", () => ID) publisherId: string,
    @Ctx() ctx: CapacityContext,
  ): Promise<SchedulingPublisher> {
    return toPublisher(await ctx.scheduling.pollNow(ctx, publisherId));
  }

  @Query(() => [SchedulingPublisher], {
    description: "The SMART Scheduling Links publishers, with how their last polls went (administrators).",
  })
  async schedulingPublishers(@Ctx() ctx: CapacityContext): Promise<SchedulingPublisher[]> {
    return (await ctx.scheduling.list(ctx)).map(toPublisher);
  }

  @FieldResolver(() => Provider, { description: "The provider whose slots it publishes." })
  async provider(@Root() publisher: SchedulingPublisher, @Ctx() ctx: CapacityContext): Promise<Provider> {
    return (await ctx.loaders.provider.load(publisher.providerId))!;
  }
}

@Resolver(() => CapacityOffer)
export class OfferProvenanceResolver {
  @FieldResolver(() => OfferProvenance, {
    nullable: true,
    description:
      "For an offer made from a SMART Scheduling Links feed: the publisher, manifest, transaction time and when it was fetched; null otherwise.",
  })
  async provenance(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): Promise<OfferProvenance | null> {
    const found = await ctx.loaders.provenanceOfOffer.load(offer.id);
    if (!found) return null;
    return {
      publisherId: found.publisher.id,
      publisherName: found.publisher.name,
      manifestUrl: found.publisher.manifest_url,
      scheduleId: found.scheduleId,
      transactionTime: found.publisher.transaction_time,
      fetchedAt: found.publisher.fetched_at,
    };
  }
}
