import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { isIsoDate, isIsoInstant } from "./domain/calendar";

function invalid(message: string, rule = "DATE_FORMAT"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", rule } });
}

function parseDate(value: unknown): string {
  if (typeof value !== "string" || !isIsoDate(value)) {
    throw invalid(`Date must be a calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * A calendar date (YYYY-MM-DD) in Swedish time, with no time of day: care-guarantee limits,
 * agreement validity and offer windows are counted in whole calendar days.
 */
export const DateScalar = new GraphQLScalarType({
  name: "Date",
  description: "A calendar date in Swedish time (Europe/Stockholm), written YYYY-MM-DD (ISO 8601).",
  serialize: (value) => parseDate(value),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid("Date must be a string written YYYY-MM-DD");
    return parseDate(ast.value);
  },
});

function serializeDateTime(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError("DateTime cannot represent this value");
  return date.toISOString();
}

export const DATE_TIME_RULE = "an ISO 8601 instant with a time zone that exists, e.g. 2027-02-01T09:30:00+01:00";

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !isIsoInstant(value)) {
    throw invalid(`DateTime must be ${DATE_TIME_RULE}, got ${JSON.stringify(value)}`, "DATE_TIME_FORMAT");
  }
  return new Date(value);
}

/** An instant in time, serialised as ISO 8601 in UTC. */
export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  description: "An instant, written as ISO 8601 with a time zone (the hub answers in UTC, e.g. 2026-11-22T09:30:00.000Z).",
  serialize: serializeDateTime,
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid("DateTime must be a string", "DATE_TIME_FORMAT");
    return parseDateTime(ast.value);
  },
});
