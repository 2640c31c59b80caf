/**
 * Federated subscriptions, executed the way Apollo Router does: the query planner splits a
 * subscription into a `primary` fetch (the root field, sent as a subscription to the subgraph that
 * owns it, over graphql-ws) and a `rest` plan (entity fetches to the other subgraphs). For every
 * event the primary delivers, the gateway runs the whole plan with the event standing in for the
 * primary fetch's answer, so a subscriber's fields from other subgraphs (e.g. `coverage` from
 * agreements) are resolved exactly as in a query. `@apollo/gateway` plans but refuses to execute
 * subscriptions, so this is the part that executes them (through apollo-internals.ts).
 */

import {
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  Kind,
  print,
  valueFromASTUntyped,
} from "graphql";
import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { BoundedQueue, END, mapStream } from "../subgraphs/shared/bounded-queue";
import { Broadcast, SharedMember } from "./shared-delivery";
import { IDENTITY_HEADER } from "../subgraphs/shared/internal-identity";
import { logger } from "../subgraphs/shared/log";
import { FetchNode, GraphQLDataSource, OperationContext, PlanNode, QueryPlan, ServiceMap, SupergraphPlanner } from "./apollo-internals";

/**
 * What a subscription needs of the request it runs for: the caller (answers may differ between
 * callers, so it is part of the key identical subscriptions share a stream by) and the caller's
 * identity signed for the subgraphs. The whole context also reaches the entity fetches' data sources.
 */
export interface SubscriberContext {
  identity: unknown;
  signedIdentity(): Promise<string>;
}

export interface FederatedSubscriptionsOptions {
  supergraphSdl: string;
  /** The same data sources the gateway uses for queries (entity fetches go through them). */
  services: ServiceMap;
  subgraphUrls: Record<string, string>;
  /** Events allowed to wait for one subscriber before it is cut off (it can resume with `after`). */
  maxQueue?: number;
}

type Upstream = { client: Client; subscriptions: number };

export class FederatedSubscriptions {
  readonly apiGraphQLSchema: GraphQLSchema;
  private readonly planner: SupergraphPlanner;
  private readonly upstreams = new Map<string, Upstream>();
  private readonly groups = new Map<string, Broadcast>();
  private readonly log = logger("gateway/subscriptions");

  constructor(private readonly options: FederatedSubscriptionsOptions) {
    this.planner = new SupergraphPlanner(options.supergraphSdl);
    this.apiGraphQLSchema = this.planner.apiGraphQLSchema;
  }

  /** graphql-ws's `subscribe`: the stream of results for one client subscription. */
  subscribe = async (args: ExecutionArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> => {
    const operationName = args.operationName ?? undefined;
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const context = args.contextValue as SubscriberContext;
    // A subscription that replays (`after`) has a history of its own; live ones with the same
    // operation and variables share one upstream subscription and one plan execution per event.
    // The caller is part of the key: answers may differ between callers.
    const key = replays(args.document, variables)
      ? undefined
      : JSON.stringify([print(args.document), operationName ?? null, variables, context.identity]);
    // One already streaming was planned from the same document: joining it needs no plan of its own
    // (thousands of identical subscriptions arriving at once would otherwise each build one).
    const running = key === undefined ? undefined : this.groups.get(key);
    if (running) return running.join();
    let plan: QueryPlan;
    try {
      plan = this.planner.plan(args.document, operationName);
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)] };
    }
    if (plan.node?.kind !== "Subscription") {
      return {
        errors: [
          new GraphQLError("Only subscription operations are served over graphql-ws here; send queries and mutations over HTTP.", {
            extensions: { code: "BAD_REQUEST" },
          }),
        ],
      };
    }
    const { primary, rest } = plan.node;
    // The subgraph learns the caller from the subscribe message, signed like a request's header.
    const identity = await context.signedIdentity();
    const open = () => this.resolveEach(this.openPrimary(primary, variables, identity), primary, rest, args, variables);
    if (key === undefined) return open();
    return this.shared(key, open);
  };

  /** Joins (or starts) the shared stream for identical live subscriptions. */
  private shared(key: string, open: () => AsyncIterableIterator<ExecutionResult>): SharedMember {
    let group = this.groups.get(key);
    if (!group) {
      const started: Broadcast = new Broadcast(open(), this.options.maxQueue ?? 1000, () => {
        if (this.groups.get(key) === started) this.groups.delete(key);
      });
      this.groups.set(key, started);
      group = started;
    }
    return group.join();
  }

  /** The primary fetch as a subscription to the owning subgraph; its events queue up for this subscriber. */
  private openPrimary(primary: FetchNode, variables: Record<string, unknown>, signedIdentity: string): BoundedQueue<ExecutionResult> {
    const upstream = this.upstream(primary.serviceName);
    upstream.subscriptions += 1;
    let unsubscribe: () => void = () => undefined;
    const queue = new BoundedQueue<ExecutionResult>(this.options.maxQueue ?? 1000, () => {
      unsubscribe();
      upstream.subscriptions -= 1;
    });
    const used = Object.fromEntries(
      (primary.variableUsages ?? []).filter((name) => name in variables).map((name) => [name, variables[name]]),
    );
    unsubscribe = upstream.client.subscribe<Record<string, unknown>>(
      {
        query: primary.operation,
        variables: used,
        operationName: primary.operationName,
        extensions: { [IDENTITY_HEADER]: signedIdentity },
      },
      {
        next: (result) => queue.push(result as ExecutionResult),
        error: (error) => queue.fail(upstreamError(primary.serviceName, error)),
        complete: () => queue.close(),
      },
    );
    return queue;
  }

  private resolveEach(
    events: BoundedQueue<ExecutionResult>,
    primary: FetchNode,
    rest: PlanNode | undefined,
    args: ExecutionArgs,
    variables: Record<string, unknown>,
  ): AsyncIterableIterator<ExecutionResult> {
    const operationContext = this.planner.operationContext(args.document, args.operationName ?? undefined);
    const plan: QueryPlan = { kind: "QueryPlan", node: rest ? { kind: "Sequence", nodes: [primary, rest] } : primary };
    return mapStream(events, async (event): Promise<ExecutionResult | [ExecutionResult, typeof END]> => {
      // The subgraph refused the subscription (e.g. a bad filter): pass its errors on and end.
      if (!event.data) return [{ errors: (event.errors ?? []).map(toGraphQLError) }, END];
      return this.resolveEvent(plan, primary, event, operationContext, args, variables);
    });
  }

  /** Runs the plan for one event; the primary fetch is answered with the event itself. */
  private async resolveEvent(
    plan: QueryPlan,
    primary: FetchNode,
    event: ExecutionResult,
    operationContext: OperationContext,
    args: ExecutionArgs,
    variables: Record<string, unknown>,
  ): Promise<ExecutionResult> {
    const real = this.options.services[primary.serviceName];
    const answered: GraphQLDataSource = {
      process: (request) =>
        request.request.query === primary.operation
          ? Promise.resolve({ data: event.data as Record<string, unknown>, errors: event.errors as GraphQLFormattedError[] | undefined })
          : real.process(request),
    };
    return this.planner.execute(
      plan,
      { ...this.options.services, [primary.serviceName]: answered },
      operationContext,
      { document: args.document, operationName: args.operationName ?? undefined, variables, context: args.contextValue },
      this.log,
    );
  }

  /** One graphql-ws connection per subgraph, shared by all subscriptions to it (opened on first use). */
  private upstream(serviceName: string): Upstream {
    let upstream = this.upstreams.get(serviceName);
    if (!upstream) {
      const url = this.options.subgraphUrls[serviceName].replace(/^http/, "ws");
      upstream = {
        subscriptions: 0,
        client: createClient({
          url,
          webSocketImpl: WebSocket,
          // Kept open until the gateway stops, not closed when its last subscription ends: a
          // subscription arriving just as the socket closes would be cut off with it. (Closing it
          // lazily, a while after the last one, left graphql-ws's timer running past dispose().)
          lazy: false,
          // Each subscriber hears of a broken connection through its own subscription.
          onNonLazyError: () => undefined,
          // A silently re-established upstream would restart subscriptions without their missed
          // events; instead each subscriber hears of the break and resumes with `after`.
          retryAttempts: 0,
          keepAlive: 10_000,
        }),
      };
      this.upstreams.set(serviceName, upstream);
    }
    return upstream;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((u) => u.client.dispose()));
    this.upstreams.clear();
  }
}

/** Whether any root field is asked to replay from an event id (`after`), which makes its stream its own. */
function replays(document: DocumentNode, variables: Record<string, unknown>): boolean {
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.selectionSet.selections.some(
        (selection) =>
          selection.kind !== Kind.FIELD ||
          (selection.arguments ?? []).some(
            (argument) => argument.name.value === "after" && valueFromASTUntyped(argument.value, variables) != null,
          ),
      ),
  );
}

function toGraphQLError(error: GraphQLFormattedError | GraphQLError): GraphQLError {
  return error instanceof GraphQLError ? error : new GraphQLError(error.message, { extensions: error.extensions, path: error.path });
}

function upstreamError(serviceName: string, error: unknown): GraphQLError {
  if (Array.isArray(error) && error.length > 0) return toGraphQLError(error[0] as GraphQLFormattedError);
  return new GraphQLError(
    `The subscription was interrupted (connection to the ${serviceName} service closed). Subscribe again with after set to the last event id received to get what was missed.`,
    { extensions: { code: "SUBSCRIPTION_INTERRUPTED" } },
  );
}
