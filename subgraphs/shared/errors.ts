import { GraphQLError } from "graphql";
import { Problem } from "./domain/problem";

/**
 * The hub's error vocabulary. Every error a client can act on carries `extensions.code`, and
 * input errors also name the argument (`field`, a path such as "filter.procedureCode") and the
 * rule it broke, so that another region's integration can react without parsing English.
 */
export type ErrorCode = "BAD_USER_INPUT" | "FORBIDDEN" | "CONFLICT" | "NOT_FOUND";

export function badUserInput(field: string, rule: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, {
    extensions: { code: "BAD_USER_INPUT", field, rule },
  });
}

/** Refuses input with the first problem as the error and every problem in `extensions.problems`. */
export function refuseInput(problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const [first] = problems;
  throw new GraphQLError(`${first.field}: ${first.message}`, {
    extensions: { code: "BAD_USER_INPUT", field: first.field, rule: first.rule, problems },
  });
}

export function conflict(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: "CONFLICT" } });
}

/** The caller may not do this (it may see what it names, so saying so reveals nothing). */
export function forbidden(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: "FORBIDDEN" } });
}

/** The thing an argument names does not exist (e.g. an offer id). */
export function notFound(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: "NOT_FOUND", field } });
}

/**
 * A start-up problem the operator can fix (port taken, database unreachable, bad setting). The
 * entry points print its message as one line and exit, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = "StartupError";
}
