import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from "type-graphql";
import { IDEMPOTENCY_KEY_ARG } from "../../shared/idempotency";
import { subscriptionStream } from "../../shared/event-stream";
import { VisitType } from "../../shared/graphql-enums";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { CapacityContext } from "../context";
import { OfferSource } from "../domain/offers";
import { mayReadReservation, OfferChangeInput, OfferInput } from "../domain/publishing-rules";
import { CapacityOffer, OfferEventInfo, Reservation } from "../entities/capacity-offer.entity";
import { FreeCapacityFilter } from "../entities/free-capacity-filter";
import { validateFilter } from "../services/capacity-search";
import { eventMatches, offerOfEvent } from "../services/offer-events";

const isoTimes = (times: Date[] | null | undefined) => times?.map((t) => t.toISOString()) ?? null;

@InputType({ description: "One offer of free capacity to publish." })
export class OfferInputType {
  @Field(() => ID, { description: "The care unit (vårdenhet) that will give the care." })
  careUnitId: string;

  @Field(() => String, {
    nullable: true,
    description: 'KVÅ code of the procedure, e.g. "NFB49"; omit for first-visit capacity in the unit\'s specialty.',
  })
  procedureCode?: string | null;

  @Field(() => VisitType, {
    nullable: true,
    description: "First visit (nybesök) or treatment; follows from the procedure when one is given.",
  })
  visitType?: VisitType | null;

  @Field(() => Int, { nullable: true, description: "Number of free slots (1 to 10 000); give this or slotTimes." })
  slots?: number | null;

  @Field(() => [DateTimeScalar], {
    nullable: true,
    description:
      "Concrete slot start times (at most 500, and 20 000 in a whole batch), each within the window and each once; give this or slots.",
  })
  slotTimes?: Date[] | null;

  @Field(() => DateScalar, { description: "First day the offer is valid." })
  validFrom: string;

  @Field(() => DateScalar, { description: "Last day the offer is valid (today or later; at most 366 days after validFrom)." })
  validUntil: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day a patient can come; the window's first day (or today, if later) when omitted.",
  })
  earliestStart?: string | null;

  @Field(() => Int, { description: "Expected waiting time in days from referral to care (0 to 730)." })
  expectedWaitDays: number;

  @Field(() => Int, { nullable: true, description: "Youngest patient age accepted, in years." })
  minPatientAge?: number | null;

  @Field(() => Int, { nullable: true, description: "Oldest patient age accepted, in years." })
  maxPatientAge?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Medical conditions or exclusions in the provider\'s words, e.g. "BMI under 35" (at most 2 000 characters).',
  })
  conditions?: string | null;
}

@InputType({ description: "A batch of offers from one provider, published all or nothing." })
export class PublishCapacityInput {
  @Field(() => [OfferInputType], { description: "The offers (at least 1, at most 100), all at care units of one provider." })
  offers: OfferInputType[];

  @Field({ description: "Who reports the capacity: a role or a system's name at the provider (no personal names needed)." })
  reportedBy: string;

  @Field(() => OfferSource, { nullable: true, description: "How the capacity reaches the hub; API when omitted." })
  source?: OfferSource | null;
}

@InputType({ description: "A change to an open offer; what is omitted stays as it is." })
export class UpdateCapacityInput {
  @Field(() => Int, {
    nullable: true,
    description: "New number of slots (not below the slots reserved); for offers published as a number.",
  })
  slots?: number | null;

  @Field(() => [DateTimeScalar], {
    nullable: true,
    description: "New slot start times (at most 500, each once), replacing the old ones; for offers published as times.",
  })
  slotTimes?: Date[] | null;

  @Field(() => DateScalar, { nullable: true, description: "New first day of the window." })
  validFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "New last day of the window." })
  validUntil?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "New first day a patient can come." })
  earliestStart?: string | null;

  @Field(() => Int, { nullable: true, description: "New expected waiting time in days." })
  expectedWaitDays?: number | null;

  @Field(() => String, { nullable: true, description: "New conditions; an empty string removes them." })
  conditions?: string | null;

  @Field(() => String, { nullable: true, description: "Who reports the change; unchanged when omitted." })
  reportedBy?: string | null;
}

@ObjectType({ description: "The result of publishing capacity." })
export class PublishCapacityPayload {
  @Field(() => [CapacityOffer], { description: "The offers created, in the order given." })
  offers: CapacityOffer[];

  @Field({
    description:
      "True when this answers a retry: an earlier call with the same idempotency key created these offers, and nothing new was created.",
  })
  replayed: boolean;
}

function toOfferInput(input: OfferInputType): OfferInput {
  return { ...input, slotTimes: isoTimes(input.slotTimes) };
}

async function offerEvents(
  ctx: CapacityContext,
  kind: "published" | "changed",
  filter: FreeCapacityFilter | null | undefined,
  after: string | null | undefined,
) {
  const criteria = filter ?? {};
  validateFilter(criteria);
  const memberships = await ctx.search.healthcareRegionMemberships();
  return subscriptionStream(
    ctx.events,
    ctx.loaders,
    (event) => eventMatches(event, kind, criteria, memberships, ctx.today),
    after,
    offerOfEvent,
  );
}

@Resolver(() => CapacityOffer)
export class PublishingResolver {
  @Mutation(() => PublishCapacityPayload, {
    description:
      "Publishes one offer or a batch of offers of free capacity (all or nothing). Every offer is announced to offerPublished subscribers.",
  })
  async publishCapacity(
    @Arg("input", () => PublishCapacityInput) input: PublishCapacityInput,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: CapacityContext,
  ): Promise<PublishCapacityPayload> {
    const offers = Array.isArray(input.offers) ? input.offers.map(toOfferInput) : input.offers;
    return ctx.publishing.publish(ctx, { ...input, offers }, idempotencyKey);
  }

  @Mutation(() => CapacityOffer, { description: "Changes an open offer's slots, window, expected wait or conditions." })
  updateCapacity(
    @Arg("offerId", () => ID) offerId: string,
    @Arg("input", () => UpdateCapacityInput) input: UpdateCapacityInput,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: CapacityContext,
  ): Promise<CapacityOffer> {
    const change: OfferChangeInput & { reportedBy?: string | null } = { ...input, slotTimes: isoTimes(input.slotTimes) };
    return ctx.publishing.update(ctx, offerId, change, idempotencyKey);
  }

  @Mutation(() => CapacityOffer, {
    description: "Withdraws an open offer with a reason. It is never listed as free capacity again; its history is kept.",
  })
  withdrawCapacity(
    @Arg("offerId", () => ID) offerId: string,
    @Arg("reason", { description: 'Why (3 to 500 characters), e.g. "Surgeon on leave".' }) reason: string,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: CapacityContext,
  ): Promise<CapacityOffer> {
    return ctx.publishing.withdraw(ctx, offerId, reason, idempotencyKey);
  }

  @Mutation(() => Reservation, {
    description:
      "Reserves free slots of an open offer for a reference (e.g. a referral), atomically: when fewer slots are free than asked for, a CONFLICT and nothing reserved.",
  })
  reserveCapacity(
    @Arg("offerId", () => ID) offerId: string,
    @Arg("slots", () => Int, { description: "Slots to reserve." }) slots: number,
    @Arg("referenceId", {
      description: "What the slots are held for, e.g. a referral id; one standing reservation per offer and reference.",
    })
    referenceId: string,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: CapacityContext,
  ): Promise<Reservation> {
    return ctx.publishing.reserve(ctx, offerId, slots, referenceId, idempotencyKey);
  }

  @Mutation(() => Reservation, { description: "Releases a reservation; its slots are free again." })
  releaseReservation(
    @Arg("reservationId", () => ID) reservationId: string,
    @Arg("reason", { description: 'Why (3 to 500 characters), e.g. "Patient chose another provider".' }) reason: string,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: CapacityContext,
  ): Promise<Reservation> {
    return ctx.publishing.release(ctx, reservationId, reason, idempotencyKey);
  }

  @Query(() => ID, {
    description:
      "The id of the newest offer event. Read it before reading offers (e.g. freeCapacity) and subscribe with `after` set to it: every change made since arrives, so a board built from a query plus a subscription misses nothing.",
  })
  async offerEventCursor(@Ctx() ctx: CapacityContext): Promise<string> {
    return String(await ctx.events.latestId());
  }

  @Subscription(() => CapacityOffer, {
    description:
      "New offers as they are published, filtered as freeCapacity filters. Each carries `event { id }`; to resume after a lost connection, subscribe again with `after` set to the last id received: every matching event since then arrives first, in order, then live ones.",
    subscribe: ({ args, context }) => offerEvents(context, "published", args.filter, args.after),
  })
  offerPublished(
    @Root() offer: CapacityOffer,
    @Arg("filter", () => FreeCapacityFilter, { nullable: true, description: "Which offers; the fields of freeCapacity's filter." })
    _filter: FreeCapacityFilter | null,
    @Arg("after", () => ID, { nullable: true, description: "Replay every matching event after this event id first." }) _after:
      | string
      | null,
  ): CapacityOffer {
    return offer;
  }

  @Subscription(() => CapacityOffer, {
    description:
      "Changes to offers: updated, reserved, released, withdrawn, expired (`event.kind` says which), with the offer as the change left it. The filter's care and place fields apply (specialty, procedure, visit type, provider, region); start, slots and wait do not, so a board also hears of offers leaving its view. Resume with `after` as for offerPublished.",
    subscribe: ({ args, context }) => offerEvents(context, "changed", args.filter, args.after),
  })
  offerChanged(
    @Root() offer: CapacityOffer,
    @Arg("filter", () => FreeCapacityFilter, {
      nullable: true,
      description: "Which offers; the care and place fields of freeCapacity's filter.",
    })
    _filter: FreeCapacityFilter | null,
    @Arg("after", () => ID, { nullable: true, description: "Replay every matching event after this event id first." }) _after:
      | string
      | null,
  ): CapacityOffer {
    return offer;
  }

  @FieldResolver(() => OfferEventInfo, {
    nullable: true,
    description: "The event that delivered this offer to a subscription; null when read by a query.",
  })
  event(@Root() offer: CapacityOffer): OfferEventInfo | null {
    return offer.event ?? null;
  }

  @FieldResolver(() => [DateTimeScalar], {
    description: "The slot start times, for offers published as concrete times; empty for offers published as a number of slots.",
  })
  async slotTimes(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): Promise<Date[]> {
    return (await ctx.loaders.slotsOfOffer.load(offer.id)).map((slot) => slot.startsAt);
  }

  @FieldResolver(() => [Reservation], {
    description:
      "Standing (unreleased) reservations of the offer you may see, oldest first: all of them for the offer's provider (and administrators), a region's own for that region, none for others (`availableSlots` still counts them all).",
  })
  async reservations(@Root() offer: CapacityOffer, @Ctx() ctx: CapacityContext): Promise<Reservation[]> {
    const all = await ctx.loaders.openReservationsOfOffer.load(offer.id);
    return all.filter((reservation) => mayReadReservation(ctx.identity, offer, reservation));
  }
}

@Resolver(() => Reservation)
export class ReservationResolver {
  @FieldResolver(() => CapacityOffer, { description: "The offer the slots are reserved from." })
  async offer(@Root() reservation: Reservation, @Ctx() ctx: CapacityContext): Promise<CapacityOffer> {
    return (await ctx.loaders.offer.load(reservation.offerId))!;
  }
}
