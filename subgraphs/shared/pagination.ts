import { GraphQLResolveInfo, Kind, SelectionNode } from "graphql";
import { ClassType, Field, Int, ObjectType, Directive } from "type-graphql";
import { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { badUserInput } from "./errors";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/**
 * Results a connection's `totalCount` counts at most (as Elasticsearch's `track_total_hits`).
 * Counting every match costs time in proportion to the matches, so it grows with the data; counting
 * up to a cap costs at most the cap, whatever the data's size.
 */
export const TOTAL_COUNT_CAP = 10_000;

/** `totalCount` and whether it is exact (false when more than the cap match). */
export interface TotalCount {
  count: number;
  exact: boolean;
}

/** 10000 → "10 000", as the descriptions write numbers. */
function spaced(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/**
 * Counts the rows of `matching` up to `cap`, in one statement that stops reading after `cap + 1`
 * rows: `SELECT count(*) FROM (<matching> LIMIT cap + 1)`. `matching` must yield one row per result
 * (joins to one row only, e.g. an offer's provider), as the page query does; its ordering is dropped.
 */
export async function cappedCount<T extends ObjectLiteral>(
  matching: SelectQueryBuilder<T>,
  cap: number = TOTAL_COUNT_CAP,
): Promise<TotalCount> {
  if (!Number.isInteger(cap) || cap < 0) throw new Error(`a count cap is a whole number, 0 or more; got ${cap}`);
  const [sql, parameters] = matching
    .clone()
    .select("1")
    .orderBy()
    .offset(undefined)
    .limit(cap + 1)
    .getQueryAndParameters();
  const [{ count }]: Array<{ count: number }> = await matching.dataSource.query(
    `SELECT count(*)::int AS count FROM (${sql}) AS matching`,
    parameters,
  );
  return count > cap ? { count: cap, exact: false } : { count, exact: true };
}

/**
 * Whether the query asks for the connection's total (`totalCount` or `totalCountIsExact`), through
 * fragments too. Counting costs a statement that reads up to the cap's rows, more than the page
 * itself: the brokering's candidate pages and most internal requests never ask for it.
 */
export function asksForTotal(info: Pick<GraphQLResolveInfo, "fieldNodes" | "fragments">): boolean {
  const asks = (selections: readonly SelectionNode[], seen: Set<string>): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === "totalCount" || selection.name.value === "totalCountIsExact";
      if (selection.kind === Kind.INLINE_FRAGMENT) return asks(selection.selectionSet.selections, seen);
      const fragment = info.fragments[selection.name.value];
      if (!fragment || seen.has(fragment.name.value)) return false;
      return asks(fragment.selectionSet.selections, new Set([...seen, fragment.name.value]));
    });
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && asks(node.selectionSet.selections, new Set()));
}

/** Relay page information, shared by every connection in the supergraph. */
@ObjectType({ description: "Where a page sits in its result list (Relay cursor connections)." })
@Directive("@shareable")
export class PageInfo {
  @Field({ description: "Whether more results follow this page; fetch them with `after: endCursor`." })
  hasNextPage: boolean;

  @Field({ description: "Whether results precede this page (true when the page was asked for with `after`)." })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the first edge of the page, null for an empty page." })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "Cursor of the last edge of the page, null for an empty page." })
  endCursor: string | null;
}

export interface Page<TPosition> {
  first: number;
  after: TPosition | undefined;
}

/** What a list's `first` may be, and the codes of a `first` out of bounds (part of the list's contract). */
export interface PageSizeRule {
  defaultSize: number;
  min: number;
  max: number;
  /** Codes for a `first` below `min` (or not whole) and above `max`; PAGE_SIZE for both when absent. */
  codes?: { below: string; above: string };
}

/** Every connection's `first`: 0 to 100, 20 when absent. */
const CONNECTION_PAGE_SIZE: PageSizeRule = {
  defaultSize: DEFAULT_PAGE_SIZE,
  min: 0,
  max: MAX_PAGE_SIZE,
  codes: { below: "PAGE_SIZE_NOT_NEGATIVE", above: "PAGE_SIZE_MAXIMUM" },
};

/** `first` checked against the list's rule (BAD_USER_INPUT with the rule's code), or its default when absent. */
export function pageSize(first: number | null | undefined, rule: PageSizeRule): number {
  const size = first ?? rule.defaultSize;
  const { below, above } = rule.codes ?? { below: "PAGE_SIZE", above: "PAGE_SIZE" };
  if (!Number.isInteger(size) || size < rule.min)
    throw badUserInput("first", below, `must be a whole number from ${rule.min} to ${rule.max}, got ${size}`);
  if (size > rule.max) throw badUserInput("first", above, `must be at most ${rule.max}, got ${size}`);
  return size;
}

/**
 * Checks `first`/`after`. Cursors are opaque to clients (base64url JSON of the connection's name
 * and the position) but are checked strictly here: a cursor from another connection (whose
 * position may look alike, e.g. a date and an id), or a tampered one, is BAD_USER_INPUT, never a
 * server error or a silently empty page.
 */
export function parsePage<TPosition>(
  first: number | null | undefined,
  after: string | null | undefined,
  connection: string,
  readPosition: (payload: unknown) => TPosition | undefined,
): Page<TPosition> {
  const size = pageSize(first, CONNECTION_PAGE_SIZE);
  if (after === null || after === undefined) return { first: size, after: undefined };
  let position: TPosition | undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
    position = Array.isArray(payload) && payload.length === 2 && payload[0] === connection ? readPosition(payload[1]) : undefined;
  } catch {
    position = undefined;
  }
  if (position === undefined) {
    throw badUserInput("after", "CURSOR_INVALID", `is not a cursor of ${connection}; use a cursor that ${connection} returned`);
  }
  return { first: size, after: position };
}

export function encodeCursor(connection: string, position: unknown): string {
  return Buffer.from(JSON.stringify([connection, position]), "utf8").toString("base64url");
}

/** A page of rows → edges and page info. `rows` holds up to `first + 1` rows: the extra one says a next page exists. */
export function toConnection<TRow, TPosition>(
  rows: TRow[],
  page: Page<TPosition>,
  total: TotalCount,
  connection: string,
  cursorOf: (row: TRow) => unknown,
): { totalCount: number; totalCountIsExact: boolean; edges: Array<{ cursor: string; node: TRow }>; pageInfo: PageInfo } {
  const hasNextPage = rows.length > page.first;
  const edges = rows.slice(0, page.first).map((node) => ({ cursor: encodeCursor(connection, cursorOf(node)), node }));
  return {
    totalCount: total.count,
    totalCountIsExact: total.exact,
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: page.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * Relay connection types for a node type: `<Name>Connection` with `<Name>Edge`s. type-graphql
 * needs a class per GraphQL type, so this builds the pair.
 */
export function Connection<TNode extends object>(nodeType: ClassType<TNode>, name: string, description: string) {
  @ObjectType(`${name}Edge`, { description: `One ${description} in a page, with its cursor.` })
  class Edge {
    @Field({ description: "Opaque position of this edge; pass it as `after` to continue after it." })
    cursor: string;

    @Field(() => nodeType, { description: `The ${description}.` })
    node: TNode;
  }

  // Not emitted itself: type-graphql 2 only emits types reachable from resolvers, and resolvers
  // return the concrete subclass.
  @ObjectType()
  abstract class ConnectionType {
    @Field(() => Int, {
      description: `Number of results matching the filter, across all pages, counted up to ${spaced(TOTAL_COUNT_CAP)}: when more match it is ${spaced(TOTAL_COUNT_CAP)} and \`totalCountIsExact\` is false.`,
    })
    totalCount: number;

    @Field({
      description: `False when more than ${spaced(TOTAL_COUNT_CAP)} results match: \`totalCount\` then stops at ${spaced(TOTAL_COUNT_CAP)}; narrow the filter for an exact number.`,
    })
    totalCountIsExact: boolean;

    @Field(() => [Edge], { description: "The results of this page, in order." })
    edges: Edge[];

    @Field(() => PageInfo, { description: "Paging information." })
    pageInfo: PageInfo;
  }
  return ConnectionType;
}
