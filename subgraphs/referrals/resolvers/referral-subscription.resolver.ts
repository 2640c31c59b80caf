import { Arg, Ctx, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import { subscriptionStream } from "../../shared/event-stream";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput, forbidden, notFound } from "../../shared/errors";
import { Identity, Role } from "../../shared/identity";
import { restoreSnapshot, StoredEvent } from "../../shared/outbox";
import { requireRegionCode } from "../../shared/validation";
import { Referral } from "../entities/referral.entity";
import { ReferralsContext } from "../context";
import { deliveryFor, isReceivedEvent, isUpdateEvent, snapshotOf } from "../services/referral-events";
import type { DeliveredReferral } from "./referral.resolver";

const INSTANTS = new Set(["registeredAt", "sentAt"]);

/** The referral as the event left it, marked with the event. */
function referralOfEvent(event: StoredEvent): DeliveredReferral {
  const { referral, action, actor, reason } = snapshotOf(event);
  const restored = restoreSnapshot(new Referral() as DeliveredReferral, referral, Object.keys(referral), INSTANTS);
  restored.event = {
    id: String(event.id),
    kind: action,
    occurredAt: event.occurredAt,
    actorRole: actor.role,
    reason,
    node: event.originRegionCode,
  };
  return restored;
}

/** A region's stream is for its own office, clinics and peer-region systems, for providers (their own referrals) and administrators. */
function requireRegionStream(identity: Identity, regionCode: string): void {
  requireRegionCode("regionCode", regionCode);
  if (identity.role === Role.PROVIDER || identity.role === Role.ADMINISTRATOR) return;
  if (identity.regionCode !== regionCode)
    throw forbidden(`Region ${regionCode}'s referral events are for that region's office, clinics and systems.`);
}

function referralStream(
  ctx: ReferralsContext,
  wanted: (event: StoredEvent) => boolean,
  regionCode: string | null,
  after: string | null | undefined,
) {
  const { identity } = ctx;
  const visible = (event: StoredEvent) => wanted(event) && deliveryFor(identity, event, regionCode) !== "NONE";
  return subscriptionStream(ctx.events, ctx.loaders, visible, after, async (event) => {
    const delivery = deliveryFor(identity, event, regionCode);
    // The records decide what the subscriber gets, and record a full delivery as a disclosure.
    return ctx.records.delivered(referralOfEvent(event), delivery === "FULL" ? "FULL" : "REDACTED", String(event.id));
  });
}

@Resolver(() => Referral)
export class ReferralSubscriptionResolver {
  @Query(() => ID, {
    description: "The id of the newest referral event: subscribe with `after` set to it after reading lists, and miss nothing.",
  })
  async referralEventCursor(@Ctx() ctx: ReferralsContext): Promise<string> {
    return String(await ctx.events.latestId());
  }

  @Subscription(() => Referral, {
    description:
      "Incoming referrals for a region's office, as they happen: every referral sent to a provider in the region, and every referral a clinic of the region hands to the office. A provider hears only of referrals sent to it; patient content only reaches those in the patient's care (others get the referral with `patient` and `diagnosisCode` null). Each carries `event { id }`; resume with `after` set to the last id received.",
    subscribe: ({ args, context }) => {
      const ctx = context as ReferralsContext;
      requireRegionStream(ctx.identity, args.regionCode);
      return referralStream(ctx, (event) => isReceivedEvent(event, args.regionCode), args.regionCode, args.after);
    },
  })
  referralReceived(
    @Root() referral: Referral,
    @Arg("regionCode", { description: "County code of the region whose incoming referrals to hear." }) _regionCode: string,
    @Arg("after", () => ID, { nullable: true, description: "Replay every matching event after this event id first." }) _after:
      | string
      | null,
  ): Referral {
    return referral;
  }

  @Subscription(() => Referral, {
    description:
      "Every change to one referral (`id`), or to the referrals of a region's patients and those sent to its providers (`regionCode`): lifecycle steps, clock facts, and the clock turning AT_RISK or BREACHED. `event.kind` says which. Same access and resume rules as referralReceived.",
    subscribe: async ({ args, context }) => {
      const ctx = context as ReferralsContext;
      const id: string | null = args.id ?? null;
      const regionCode: string | null = args.regionCode ?? null;
      if (id === null && regionCode === null) throw badUserInput("id", "REQUIRED", "give a referral id or a region code");
      if (regionCode !== null) requireRegionStream(ctx.identity, regionCode);
      if (id !== null && (!isUuid(id) || !(await ctx.loaders.referral.load(id)))) throw notFound("id", `no referral ${id}`);
      return referralStream(ctx, (event) => isUpdateEvent(event, id, regionCode), regionCode, args.after);
    },
  })
  referralUpdated(
    @Root() referral: Referral,
    @Arg("id", () => ID, { nullable: true, description: "One referral." }) _id: string | null,
    @Arg("regionCode", () => String, {
      nullable: true,
      description: "County code: referrals of the region's patients and those sent to its providers.",
    })
    _regionCode: string | null,
    @Arg("after", () => ID, { nullable: true, description: "Replay every matching event after this event id first." }) _after:
      | string
      | null,
  ): Referral {
    return referral;
  }
}
