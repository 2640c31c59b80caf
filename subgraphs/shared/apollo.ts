import { randomUUID } from "node:crypto";
import { unwrapResolverError } from "@apollo/server/errors";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { GraphQLFormattedError } from "graphql";
import { logger, Logger } from "./log";

/** Codes a client can act on; anything else is a fault of ours and is masked. */
const CLIENT_CODES = new Set([
  "BAD_USER_INPUT",
  "FORBIDDEN",
  "CONFLICT",
  "NOT_FOUND",
  "UNAUTHENTICATED",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "SUBSCRIBER_TOO_SLOW",
  "SUBSCRIPTION_INTERRUPTED",
  "RATE_LIMITED",
  "SUBGRAPH_TIMEOUT",
  "SUBGRAPH_UNAVAILABLE",
]);

/**
 * Shared error policy: errors with a client code pass through unchanged; unexpected errors are
 * logged (message only, never variables: they may hold identity numbers) under an error id that
 * the client gets instead of internals.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === "string" && CLIENT_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    // Already masked by a subgraph: the gateway passes it on, keeping the subgraph's error id.
    if (code === "INTERNAL_SERVER_ERROR" && typeof formatted.extensions?.errorId === "string") {
      return { message: formatted.message, path: formatted.path, extensions: { code, errorId: formatted.extensions.errorId } };
    }
    const original = unwrapResolverError(error);
    const errorId = randomUUID();
    const message = original instanceof Error ? original.message : formatted.message;
    log.error(`error ${errorId} at ${formatted.path?.join(".") ?? "(request)"}: ${message}`);
    return {
      message: `Internal server error (error id ${errorId})`,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR", errorId },
    };
  };
}

/** Options every Apollo Server of the hub shares. */
export function commonApolloOptions(component: string, introspection: boolean) {
  return {
    introspection,
    // The process entry point (runMain) stops the whole process in order on SIGINT/SIGTERM. Apollo
    // Server's own handler would stop this server on its own and then re-raise the signal.
    stopOnTerminationSignals: false,
    // Stack traces stay in the log; clients get an error id.
    includeStacktraceInErrorResponses: false,
    formatError: formatError(logger(component)),
  };
}

/**
 * Plugins every Apollo Server of the hub has. They turn off what Apollo Server installs by default
 * for its hosted studio and HTTP caches, which a closed-network hub does not use. Usage and schema
 * reporting to Apollo's service switch themselves on when the environment holds an `APOLLO_KEY`
 * (an operator's shell may have one from other work): the node must not send its operations or
 * schema to a third party, so they are off whatever the environment says. Inline traces too, and
 * cache-control hints, whose hook runs for every field of every answer (a page of 100 offers
 * is about a thousand calls) to compute a Cache-Control header no one reads. The response cache
 * at the gateway decides what may be kept, from the subgraphs' change events.
 */
export function commonPlugins() {
  return [
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginCacheControlDisabled(),
  ];
}
