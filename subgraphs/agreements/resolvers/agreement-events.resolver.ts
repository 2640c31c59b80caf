import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import { subscriptionStream } from "../../shared/event-stream";
import { StoredEvent } from "../../shared/outbox";
import { Agreement, AgreementEventInfo } from "../entities/agreement.entity";
import { AgreementsContext } from "../context";
import { agreementEventKind, isAgreementEvent } from "../services/agreement-outbox";

/**
 * The agreement an event is about, read when the event is delivered (its loaders were just
 * emptied), so a replayed event shows the agreement as it is now rather than as it was. Agreements
 * are never deleted, so an event's agreement is always there.
 */
async function agreementOfEvent(ctx: AgreementsContext, event: StoredEvent): Promise<Agreement> {
  const agreement = await ctx.loaders.agreement.load(event.aggregateId);
  const delivered = Object.assign(new Agreement(), agreement);
  delivered.event = { id: String(event.id), kind: agreementEventKind(event), occurredAt: event.occurredAt };
  return delivered;
}

/** Live changes to agreements; anyone who may read agreements (any authenticated caller) may hear of them. */
@Resolver(() => Agreement)
export class AgreementEventsResolver {
  @Query(() => ID, {
    description:
      "The id of the newest agreement event. Read it before reading agreements and subscribe to agreementChanged with `after` set to it: every change made since arrives, so nothing is missed between the read and the subscription.",
  })
  async agreementEventCursor(@Ctx() ctx: AgreementsContext): Promise<string> {
    return String(await ctx.events.latestId());
  }

  @Subscription(() => Agreement, {
    description:
      "Every change to agreements: created, revised (a new version), a price list added, ended, a referral committed under one or a commitment released (`event.kind` says which), with the agreement as it is when the event is delivered. Each carries `event { id }`; to resume after a lost connection, subscribe again with `after` set to the last id received: every event since then arrives first, in order, then live ones.",
    subscribe: ({ args, context }) => {
      const ctx = context as AgreementsContext;
      return subscriptionStream(ctx.events, ctx.loaders, isAgreementEvent, args.after, (event) => agreementOfEvent(ctx, event));
    },
  })
  agreementChanged(
    @Root() agreement: Agreement,
    @Arg("after", () => ID, { nullable: true, description: "Replay every event after this event id first." }) _after: string | null,
  ): Agreement {
    return agreement;
  }

  @FieldResolver(() => AgreementEventInfo, {
    nullable: true,
    description: "The event that delivered this agreement to a subscription; null when read by a query.",
  })
  event(@Root() agreement: Agreement): AgreementEventInfo | null {
    return agreement.event ?? null;
  }
}
