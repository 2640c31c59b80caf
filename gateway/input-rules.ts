/**
 * Rules every argument of every operation obeys, checked at the gateway, in one place, before the
 * operation is planned: over HTTP (a plugin) and over graphql-ws (the subscription server) alike,
 * whether a value is written in the document or sent as a variable. The gateway is the only way
 * in (subgraphs answer only requests it signed), so a rule here holds for every subgraph without
 * each resolver remembering it, and a refused request never reaches a subgraph: nothing is written.
 *
 * - Text is text: no NUL character (PostgreSQL cannot store it) and no unpaired UTF-16 surrogate
 *   (it is no character at all; encoded as UTF-8 it would silently become U+FFFD).
 * - Dates and instants exist: 30 February is refused, not rolled over to 2 March (the subgraphs'
 *   scalars check the same; here the error also names the argument).
 * - Every list has a maximum (LIST_LIMITS, else DEFAULT_LIST_LIMIT), stated in its description.
 * - A list of plain values (codes, ids, enum values) never names the same value twice.
 *
 * Each refusal is BAD_USER_INPUT with the argument's path in `field` (e.g.
 * "input.offers[1].conditions") and the rule in `rule`, as the subgraphs' own checks are.
 */

import {
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLSchema,
  isCompositeType,
  isInputObjectType,
  isLeafType,
  isListType,
  isScalarType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  valueFromASTUntyped,
  GraphQLCompositeType,
  isObjectType,
  isInterfaceType,
} from "graphql";
import { isIsoDate, isIsoInstant } from "../subgraphs/shared/domain/calendar";
import type { Problem } from "../subgraphs/shared/domain/problem";
import { DATE_TIME_RULE } from "../subgraphs/shared/scalars";

export const DEFAULT_LIST_LIMIT = 100;

/** Lists with another maximum than DEFAULT_LIST_LIMIT, by schema coordinate (`Type.field` or `Type.field(argument:)`). */
export const LIST_LIMITS: Readonly<Record<string, number>> = {
  // There are 21 regions.
  "FreeCapacityFilter.regionCodes": 21,
  "CreateAgreementInputType.partyRegionCodes": 21,
  // A provider publishes up to 500 concrete slot times an offer (20 000 a batch, checked by capacity).
  "OfferInputType.slotTimes": 500,
  "UpdateCapacityInput.slotTimes": 500,
  // An agreement may cover or price a few hundred procedures (the hub's catalogue may grow).
  "CoverageInputType.procedureCodes": 500,
  "CeilingInputType.procedureCodes": 500,
  "PriceListInputType.entries": 500,
  // A what-if reading of the guarantee clock: a referral's history never holds this many facts.
  "GuaranteeFactsInput.pauses": 50,
  "GuaranteeFactsInput.declines": 50,
  "GuaranteeFactsInput.regrets": 50,
};

/** Lists of plain values where a repeat is checked by the subgraph with a rule of its own (the same instant written two ways is DUPLICATE_SLOT). */
const REPEATS_CHECKED_BY_SUBGRAPH = new Set(["OfferInputType.slotTimes", "UpdateCapacityInput.slotTimes"]);

export function listLimit(coordinate: string): number {
  return LIST_LIMITS[coordinate] ?? DEFAULT_LIST_LIMIT;
}

/** Problems found, at most this many (one is enough to act on; a few help fix a batch at once). */
const MAX_PROBLEMS = 20;

function textProblem(value: string): string | undefined {
  if (value.includes("\u0000")) return "contains the NUL character (U+0000), which is not text; remove it";
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed())
    return "contains an unpaired UTF-16 surrogate (e.g. \\ud800), which is not a character; send well-formed Unicode";
  return undefined;
}

class ArgumentChecker {
  readonly problems: Problem[] = [];

  private add(problem: Problem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
  }

  /** Checks a value (as JSON: a variable's, or a literal's) against its input type. */
  value(value: unknown, type: GraphQLInputType, field: string, coordinate: string): void {
    if (value === null || value === undefined || this.problems.length >= MAX_PROBLEMS) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      // A single value where a list is expected stands for a list of one (input coercion).
      if (!Array.isArray(value)) {
        this.value(value, nullable.ofType, field, coordinate);
        return;
      }
      const limit = listLimit(coordinate);
      if (value.length > limit) {
        this.add({ field, rule: "LIST_TOO_LONG", message: `at most ${limit} items, got ${value.length}` });
        return;
      }
      const itemType = getNullableType(nullable.ofType);
      if (isLeafType(itemType) && !REPEATS_CHECKED_BY_SUBGRAPH.has(coordinate)) {
        const seen = new Map<string, number>();
        value.forEach((item, i) => {
          const key = JSON.stringify(item);
          const first = seen.get(key);
          if (first !== undefined)
            this.add({
              field: `${field}[${i}]`,
              rule: "DUPLICATE_VALUE",
              message: `${key} is already item ${first}; name each value once`,
            });
          else seen.set(key, i);
        });
      }
      value.forEach((item, i) => {
        this.value(item, nullable.ofType, `${field}[${i}]`, coordinate);
      });
      return;
    }
    if (isInputObjectType(nullable)) {
      if (typeof value !== "object" || Array.isArray(value)) return;
      this.object(value as Record<string, unknown>, nullable, field);
      return;
    }
    if (typeof value !== "string") return;
    const text = textProblem(value);
    if (text) {
      this.add({ field, rule: "TEXT_CHARACTER", message: text });
      return;
    }
    if (isScalarType(nullable) && nullable.name === "DateTime" && !isIsoInstant(value)) {
      this.add({ field, rule: "DATE_TIME_FORMAT", message: `must be ${DATE_TIME_RULE}, got ${JSON.stringify(value)}` });
    }
    if (isScalarType(nullable) && nullable.name === "Date" && !isIsoDate(value)) {
      this.add({
        field,
        rule: "DATE_FORMAT",
        message: `must be a calendar date that exists, written YYYY-MM-DD, got ${JSON.stringify(value)}`,
      });
    }
  }

  private object(value: Record<string, unknown>, type: GraphQLInputObjectType, field: string): void {
    const fields = type.getFields();
    for (const [name, item] of Object.entries(value)) {
      const definition = fields[name];
      if (definition) this.value(item, definition.type, `${field}.${name}`, `${type.name}.${name}`);
    }
  }
}

/**
 * Checks the arguments of the operation a request runs (its fields and the fragments it spreads),
 * literals and variables alike. Returns the BAD_USER_INPUT error to answer, or undefined.
 */
export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
): GraphQLError | undefined {
  const checker = new ArgumentChecker();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const visited = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const definition =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
        for (const argument of selection.arguments ?? []) {
          const argumentDefinition = definition?.args.find((a) => a.name === argument.name.value);
          if (!argumentDefinition) continue;
          const value = valueFromASTUntyped(argument.value, variables as Record<string, unknown> | undefined);
          checker.value(
            value,
            argumentDefinition.type,
            argument.name.value,
            `${parent!.name}.${selection.name.value}(${argument.name.value}:)`,
          );
        }
        if (selection.selectionSet && definition) {
          const type = getNamedType(definition.type);
          walk(selection.selectionSet, isCompositeType(type) ? type : undefined);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, type && isCompositeType(type) ? type : undefined);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment) walk(fragment.selectionSet, type && isCompositeType(type) ? type : undefined);
      }
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  if (checker.problems.length === 0) return undefined;
  const [first] = checker.problems;
  return new GraphQLError(`${first.field}: ${first.message}`, {
    extensions: { code: "BAD_USER_INPUT", field: first.field, rule: first.rule, problems: checker.problems, http: { status: 400 } },
  });
}
