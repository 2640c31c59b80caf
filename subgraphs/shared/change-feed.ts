/**
 * A subgraph's description of its change feed: which of its public subscriptions together carry
 * every change it makes, where its event log stands, and which part of it each event changed. A
 * subgraph that declares one (`SubgraphModule.changeFeed`, beside its events in *-events.ts) serves
 * it at GET /change-feed; the gateway reads it from there, subscribes, and from then on may keep the
 * subgraph's answers in its response cache, dropping what each event touches. The gateway imports
 * no subgraph, so this description is all it knows of a subgraph's events: a new subgraph with
 * events declares its feed and needs no gateway change.
 *
 * Declaring a feed makes the subgraph's answers cacheable, shared by callers with the same access
 * scope (role and organisation): only a subgraph whose answers depend on no more than that, and
 * whose reads need not be audited one by one, declares one (patients and referrals do not).
 */

/** Where a subgraph serves its description, beside /graphql and /health. */
export const CHANGE_FEED_PATH = "/change-feed";

/** A part of the subgraph an event touches: named `name/value`, the value read at `path` of the event. */
export interface EventPart {
  name: string;
  /** Field names from the subscription field's answer down to the value (a string or number). */
  path: readonly string[];
}

/** What to read of an event and which parts it touches; without `parts` an event touches all of the subgraph. */
export interface FeedEvent {
  /** GraphQL selection read besides `id event { id }` (may be empty). */
  selection: string;
  parts?: readonly EventPart[];
}

export interface ChangeFeedDescription {
  /** A query field answering the newest event id. */
  cursorField: string;
  /** Subscription fields that take `after` and together deliver every change of the subgraph. */
  subscriptionFields: readonly string[];
  /** What each event says (all fields but those in `eventOf`); absent: each event touches everything. */
  event?: FeedEvent;
  /** A subscription field whose events are read otherwise than `event` says. */
  eventOf?: Readonly<Record<string, FeedEvent>>;
  /**
   * Answers that depend on a part only: those of `rootField` whose `argument` sets one of `by`,
   * the part being `by/value` as an event's `parts` name it.
   */
  partitioning?: { rootField: string; argument: string; by: readonly string[] };
}

/** The parts of the subgraph an event touched, as `name/value`; undefined: all of it. */
export function partsTouched(event: FeedEvent | undefined, data: Record<string, unknown>): string[] | undefined {
  if (!event?.parts) return undefined;
  return event.parts.flatMap((part) => {
    let value: unknown = data;
    for (const field of part.path)
      value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[field];
    return typeof value === "string" || typeof value === "number" ? [`${part.name}/${value}`] : [];
  });
}
