/**
 * What an operation will really cost, computed from the operation *with its variables* and every
 * field's default page size, before planning. (graphql-armor's cost rule, used before, is a
 * validation rule: it never sees variables, so `first: $n` or a left-out `first` counted as one,
 * and ten aliased `referrals(first: $n) { matches(first: $m) }` passed at 63× the limit.)
 *
 * Objects count 2, scalar fields 1, and a field with a page size multiplies its own cost and
 * everything under it by the page size: the literal, else the variable's value, else the
 * variable's default, else the argument's default (in the schema, or the "(default N)" its
 * description documents), else the largest page a connection serves. Every selection counts on
 * its own, so aliases (of aliases) and each spread of a fragment count each time; nested
 * connections multiply. The arithmetic is graphql-armor's with `depthCostFactor: 1`, so literal
 * queries cost what they always did.
 */

import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  GraphQLField,
  GraphQLSchema,
  isCompositeType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from "graphql";
import { spaced } from "../subgraphs/shared/apollo";
import { Identity } from "../subgraphs/shared/identity";

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const PAGE_ARGUMENTS = ["first", "last"];
/** A page-size argument whose default is documented nowhere is charged as the largest page a connection serves. */
const UNDOCUMENTED_PAGE = 100;

type Variables = Readonly<Record<string, unknown>> | undefined;

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const variableDefaults = new Map<string, ValueNode | undefined>(
    (operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, v.defaultValue]),
  );
  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;

  const pageSize = (node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number => {
    const definition = field?.args.find((a) => PAGE_ARGUMENTS.includes(a.name));
    const argument = node.arguments?.find((a) => PAGE_ARGUMENTS.includes(a.name.value));
    if (!definition && !argument) return 1;
    let value: unknown = argument ? literal(argument.value, variables, variableDefaults) : undefined;
    if (value === undefined || value === null) value = definition?.defaultValue;
    if ((value === undefined || value === null) && definition) {
      const documented = /default (\d+)/.exec(definition.description ?? "");
      value = documented ? Number(documented[1]) : UNDOCUMENTED_PAGE;
    }
    return typeof value === "number" && Number.isFinite(value) && value > 1 ? Math.floor(value) : 1;
  };

  // Cost of a selection set under a parent type; `inFragments` stops a (refused anyway) cycle.
  const selectionCost = (set: SelectionSetNode, parent: ReturnType<typeof getNamedType>, inFragments: ReadonlySet<string>): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === "__schema" || selection.name.value === "__type") continue;
        const field =
          parent && "getFields" in parent
            ? (parent.getFields() as Record<string, GraphQLField<unknown, unknown>>)[selection.name.value]
            : undefined;
        if (!selection.selectionSet) {
          cost += SCALAR_COST;
          continue;
        }
        const type = field ? getNamedType(field.type) : undefined;
        cost += (OBJECT_COST + selectionCost(selection.selectionSet, type, inFragments)) * pageSize(selection, field);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += OBJECT_COST + selectionCost(selection.selectionSet, type && isCompositeType(type) ? type : parent, inFragments);
      } else {
        const fragment = fragments.get(selection.name.value);
        cost += SCALAR_COST;
        if (!fragment || inFragments.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        cost +=
          OBJECT_COST +
          selectionCost(
            fragment.selectionSet,
            type && isCompositeType(type) ? type : parent,
            new Set([...inFragments, fragment.name.value]),
          );
      }
    }
    return cost;
  };
  return selectionCost(operation.selectionSet, root, new Set());
}

/** The value an argument will have: a literal, or the variable's value or default. */
function literal(value: ValueNode, variables: Variables, defaults: Map<string, ValueNode | undefined>): unknown {
  switch (value.kind) {
    case Kind.INT:
      return Number.parseInt(value.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(value.value);
    case Kind.NULL:
      return null;
    case Kind.VARIABLE: {
      const name = value.name.value;
      if (variables && Object.hasOwn(variables, name)) return variables[name];
      const fallback = defaults.get(name);
      return fallback ? literal(fallback, variables, defaults) : undefined;
    }
    default:
      return undefined;
  }
}

/** Refuses an operation over the per-request limit, as a validation failure saying by how much. */
export function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  maxCost: number,
): { cost: number; error?: GraphQLError } {
  const cost = operationCost(schema, document, operation, variables);
  if (cost <= maxCost) return { cost };
  return {
    cost,
    error: new GraphQLError(
      `The query costs ${spaced(cost)}, more than the limit of ${spaced(maxCost)} (objects count 2, fields 1, times the page size); ask for fewer fields or smaller pages.`,
      { extensions: { code: "GRAPHQL_VALIDATION_FAILED", cost, maxCost, http: { status: 400 } } },
    ),
  };
}

/**
 * Cost per client (the token's subject) per minute, beyond the per-request limit: a token bucket of
 * `perMinute` cost units, refilled continuously, bursts up to the same. Requests per minute alone
 * let a system client send hundreds of maximum-cost requests and crowd out an office's searches;
 * this bounds the work any one client asks for. Spent, it is HTTP 429 `RATE_LIMITED` with
 * `Retry-After` (the seconds until the request's cost is refilled).
 */
export class CostBudget {
  private readonly buckets = new Map<string, { units: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  charge(identity: Identity, cost: number, now = Date.now()): void {
    const key = `${identity.issuer} ${identity.subject}`;
    const bucket = this.buckets.get(key) ?? { units: this.perMinute, at: now };
    bucket.units = Math.min(this.perMinute, bucket.units + ((now - bucket.at) / 60_000) * this.perMinute);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.units < cost) {
      const retryAfter = Math.max(1, Math.ceil(((cost - bucket.units) * 60) / this.perMinute));
      throw new GraphQLError(
        `Too much work asked: at most ${spaced(this.perMinute)} cost units a minute per client, and this request costs ${spaced(cost)}; retry in ${retryAfter} s.`,
        {
          extensions: {
            code: "RATE_LIMITED",
            limit: "COST_PER_MINUTE",
            retryAfterSeconds: retryAfter,
            // Apollo Server reads `http.headers` as a Map (another package's typings declare a record).
            http: { status: 429, headers: new Map([["retry-after", String(retryAfter)]]) } as never,
          },
        },
      );
    }
    bucket.units -= cost;
    // Full buckets carry no information; drop them so the map stays the size of the busy clients.
    if (this.buckets.size > 10_000) {
      for (const [k, b] of this.buckets) if (b.units + ((now - b.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(k);
    }
  }
}

/** The same error without its HTTP status and headers, for graphql-ws (which has neither). */
export function withoutHttp(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return new GraphQLError(error.message, { extensions });
}

/**
 * Cost in flight per client: a client's requests run while their cost together stays within
 * `limit` (one request always runs, however costly); the rest wait their turn, in order, without
 * using the CPU. The budget a minute bounds how much work a client asks for; this bounds how much
 * of it runs at once, so six maximum-cost requests sent together by one system client run one
 * after another beside the other clients' searches instead of all at once in front of them.
 */
export class CostInFlight {
  private readonly clients = new Map<string, { running: number; waiting: Array<{ cost: number; go: () => void }> }>();

  constructor(private readonly limit: number) {}

  /** Waits for the client's turn; answers the release, to call once when the request is done. */
  async acquire(identity: Identity, cost: number): Promise<() => void> {
    const key = `${identity.issuer} ${identity.subject}`;
    const client = this.clients.get(key) ?? { running: 0, waiting: [] };
    this.clients.set(key, client);
    if (client.waiting.length > 0 || (client.running > 0 && client.running + cost > this.limit)) {
      await new Promise<void>((go) => client.waiting.push({ cost, go }));
    } else {
      client.running += cost;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      client.running -= cost;
      // Wake those next in line that now fit (the first always, when nothing else runs).
      while (client.waiting.length > 0 && (client.running === 0 || client.running + client.waiting[0].cost <= this.limit)) {
        const next = client.waiting.shift()!;
        client.running += next.cost;
        next.go();
      }
      if (client.running === 0 && client.waiting.length === 0) this.clients.delete(key);
    };
  }
}
