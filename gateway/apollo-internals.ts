/**
 * The one place the hub reaches into Apollo Federation's internals: planning an operation against a
 * supergraph (`@apollo/federation-internals`, `@apollo/query-planner`) and executing a query plan
 * (`executeQueryPlan`, `buildOperationContext` of `@apollo/gateway`). `@apollo/gateway` plans but
 * refuses to execute subscriptions, so the gateway's federated subscriptions (subscriptions.ts) run
 * each event's plan through these functions themselves.
 *
 * None of these is a documented API: they are exported for Apollo's own packages, and their
 * signatures and the fields of the request context they read change between minor versions. That is
 * why package.json pins `@apollo/gateway`, `@apollo/federation-internals`, `@apollo/query-planner`,
 * `@apollo/composition` and `@apollo/subgraph` to one exact version (they must also match each
 * other), and why test/unit/apollo-internals.test.ts checks what is used here: the functions'
 * existence and arity, and a plan executed end to end. An upgrade that changes them fails that test
 * first; then fix this file, and only this file.
 */

import { buildOperationContext, executeQueryPlan, GraphQLDataSource, ServiceMap } from "@apollo/gateway";
import { operationFromDocument, Schema, Supergraph } from "@apollo/federation-internals";
import { FetchNode, PlanNode, QueryPlan, QueryPlanner } from "@apollo/query-planner";
import { DocumentNode, ExecutionResult, GraphQLSchema } from "graphql";

export type { FetchNode, GraphQLDataSource, PlanNode, QueryPlan, ServiceMap };

/** What executing a plan needs of the operation: built once per operation, reused for every event. */
export type OperationContext = ReturnType<typeof buildOperationContext>;

/** A supergraph ready to plan operations: its API schema (what clients see) and its full schema. */
export class SupergraphPlanner {
  readonly apiGraphQLSchema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  private readonly apiSchema: Schema;
  private readonly planner: QueryPlanner;

  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  /** The query plan of an operation; throws (a GraphQLError or an Error) when it does not validate. */
  plan(document: DocumentNode, operationName: string | undefined): QueryPlan {
    return this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
  }

  /** The operation's context for `execute`. */
  operationContext(document: DocumentNode, operationName: string | undefined): OperationContext {
    return buildOperationContext({ schema: this.apiGraphQLSchema, operationDocument: document, operationName });
  }

  /**
   * Executes a plan's fetches through `services` and shapes the answer as the operation asked.
   * `context` is what each data source's `willSendRequest` receives as the request's context.
   */
  async execute(
    plan: QueryPlan,
    services: ServiceMap,
    operationContext: OperationContext,
    request: { document: DocumentNode; operationName: string | undefined; variables: Record<string, unknown>; context: unknown },
    logger: unknown,
  ): Promise<ExecutionResult> {
    // executeQueryPlan takes Apollo Server's whole request context but reads only these fields of it
    // (context, logger, metrics, request.variables, and the operation); the cache, cache policy and
    // query hash it never touches are left empty. That is the part an upgrade may change, hence the cast.
    const requestContext = {
      request: { query: undefined, variables: request.variables, operationName: request.operationName },
      context: request.context,
      cache: undefined,
      logger,
      metrics: {},
      overallCachePolicy: undefined,
      schema: this.apiGraphQLSchema,
      queryHash: "",
      document: request.document,
      source: "",
      operationName: request.operationName ?? null,
      operation: operationContext.operation,
    } as unknown as Parameters<typeof executeQueryPlan>[2];
    return (await executeQueryPlan(
      plan,
      services,
      requestContext,
      operationContext,
      this.supergraphSchema,
      this.apiSchema,
    )) as ExecutionResult;
  }
}
