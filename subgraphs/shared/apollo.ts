import { randomUUID } from "node:crypto";
import { unwrapResolverError } from "@apollo/server/errors";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { GraphQLError, GraphQLFormattedError, ValidationRule } from "graphql";
import { logger, Logger, requestScope } from "./log";
import type { ApolloServerPlugin } from "@apollo/server";

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

/** 20000 → "20 000", as the hub writes numbers to people. */
export function spaced(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** What a client is told when its document is over the token limit (graphql-js says "Syntax Error: …"). */
export function tokenLimitMessage(limit: number): string {
  return `The document has more than ${spaced(limit)} tokens (names, values and punctuation), the hub's limit; send a smaller document.`;
}

// graphql-js 16 writes "more that"; either spelling.
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/** Apollo Server's own words for some client mistakes, said so that a client knows what to change. */
const REWORDED: Record<string, string> = {
  "provided sha does not match query":
    "The persisted query's sha256Hash does not match its query; send the SHA-256 of the query text, hex-encoded.",
};

/** The HTTP status an error was raised with (Apollo Server marks its request errors so). */
function httpStatusOf(error: unknown): number | undefined {
  const status = (error as GraphQLError | undefined)?.extensions?.http as { status?: unknown } | undefined;
  return typeof status?.status === "number" ? status.status : undefined;
}

/**
 * Shared error policy: errors with a client code pass through unchanged; unexpected errors are
 * logged (message only, never variables: they may hold identity numbers) under an error id that
 * the client gets instead of internals. A request Apollo Server refused as the client's mistake
 * (HTTP 4xx) without a code of its own (e.g. a persisted query whose hash does not match) is
 * BAD_REQUEST, not a fault of ours.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let code = formatted.extensions?.code;
    const status = httpStatusOf(error);
    if (
      (code === undefined || code === "INTERNAL_SERVER_ERROR") &&
      status !== undefined &&
      status >= 400 &&
      status < 500 &&
      formatted.extensions?.errorId === undefined
    ) {
      code = "BAD_REQUEST";
      formatted = {
        ...formatted,
        message: REWORDED[formatted.message] ?? formatted.message,
        extensions: { ...formatted.extensions, code },
      };
    }
    if (code === "GRAPHQL_PARSE_FAILED") {
      const tokens = TOKEN_LIMIT.exec(formatted.message);
      if (tokens) formatted = { ...formatted, message: tokenLimitMessage(Number(tokens[1])), locations: undefined };
    }
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

/**
 * Refuses introspection where it is off, saying which setting turns it on (Apollo Server's own
 * rule tells the reader to change its source code).
 */
export const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === "__schema" || node.name.value === "__type") {
      context.reportError(
        new GraphQLError(
          "Introspection is off on this hub (GRAPHQL_INTROSPECTION=false, the default in production); its operator can turn it on with GRAPHQL_INTROSPECTION=true.",
          {
            nodes: [node],
          },
        ),
      );
    }
  },
});

/** Options every Apollo Server of the hub shares; `validationRules` are to be extended, not replaced. */
export function commonApolloOptions(component: string, introspection: boolean) {
  return {
    // Apollo Server's introspection switch only adds its rule; ours says which setting it is.
    introspection: true,
    validationRules: introspection ? [] : [noIntrospection],
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
 * cache-control hints, whose hook runs for every field of every answer (a page of 100 offers is
 * about a thousand calls) to compute a Cache-Control header no one reads (the response cache at
 * the gateway decides what may be kept, from the subgraphs' change events); and the landing page,
 * which Apollo Server serves to any browser without a token, naming its exact version. Without
 * it, a GET without a token is refused like any other request; only /health answers.
 */
export function commonPlugins() {
  return [
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginLandingPageDisabled(),
    recordOutcome,
  ];
}

/**
 * Tells the HTTP front (its one log line and measurement per request) what the request was: its
 * operation's name and type, whether the answer holds errors, and their codes.
 */
const recordOutcome: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName, operation }) {
        const scope = requestScope.getStore();
        if (!scope) return;
        scope.operationName = operationName ?? undefined;
        scope.operationType = operation?.operation;
      },
      async willSendResponse({ response, errors }) {
        const scope = requestScope.getStore();
        if (!scope) return;
        const sent = response.body.kind === "single" ? response.body.singleResult.errors : errors;
        scope.outcome = sent?.length ? "error" : "ok";
        const codes = (sent ?? []).map((error) => error.extensions?.code).filter((code): code is string => typeof code === "string");
        if (codes.length) scope.errorCodes = [...(scope.errorCodes ?? []), ...codes];
      },
    };
  },
};
