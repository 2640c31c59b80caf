import { randomUUID } from "node:crypto";
import { IncomingMessage } from "node:http";
import { Clock } from "./clock";
import { Identity } from "./identity";

/**
 * What every subgraph's request context holds: a request id that ties log lines (and, later,
 * audit records) of one request together, and the calendar date the request is answered for, so
 * that every resolver of one request agrees on what "today" is.
 */
export interface BaseRequestContext extends RequestScope {
  /** County code of the region this hub node belongs to. */
  hubRegionCode: string;
}

/**
 * What a service method needs to act for a caller: who asks, the day the request is answered for,
 * and the id that ties the request's log lines and audit records together. Every request context is
 * one, so a resolver passes its `ctx`.
 */
export interface RequestScope {
  requestId: string;
  today: string;
  /** The caller, as the gateway verified it. */
  identity: Identity;
}

/** A request's base context; its `today` is read from the hub's clock once, when the request arrives. */
export function baseContext(req: IncomingMessage | undefined, hubRegionCode: string, identity: Identity, clock: Clock): BaseRequestContext {
  const forwarded = req?.headers["x-request-id"];
  const requestId = typeof forwarded === "string" && /^[\w-]{1,64}$/.test(forwarded) ? forwarded : randomUUID();
  return { requestId, today: clock.today(), hubRegionCode, identity };
}

/**
 * For a subscription's context, which may last for days: "today" is read at each use rather than
 * fixed when the client subscribed.
 */
export function withLiveToday<T extends BaseRequestContext>(context: T, clock: Clock): T {
  Object.defineProperty(context, "today", { get: () => clock.today(), enumerable: true });
  return context;
}
