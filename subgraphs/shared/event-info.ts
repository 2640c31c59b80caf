import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeScalar } from "./scalars";

/** The event that delivered an entity to a subscription: its place in the log, what happened, when. */
export interface EventInfo<TKind extends string> {
  id: string;
  kind: TKind;
  occurredAt: Date;
}

/**
 * The GraphQL type of a subgraph's event info (e.g. OfferEventInfo, AgreementEventInfo). Every
 * outbox-backed subscription resumes the same way, so the id's contract is worded once here and
 * each subgraph only brings the enum of what can happen to its entities.
 */
export function eventInfoType<TKind extends string>(name: string, kindEnum: Record<string, TKind>): new () => EventInfo<TKind> {
  @ObjectType(name, { description: "A change event from the hub's event log, as delivered to subscriptions." })
  class EventInfoType implements EventInfo<TKind> {
    @Field(() => ID, {
      description:
        "The event's id: increasing in commit order. Resubscribe with `after` set to the last id received to get every event missed, in order.",
    })
    id: string;

    @Field(() => kindEnum, { description: "What happened." })
    kind: TKind;

    @Field(() => DateTimeScalar, { description: "When the change was made." })
    occurredAt: Date;
  }
  return EventInfoType;
}
