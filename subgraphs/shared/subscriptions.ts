/**
 * graphql-ws on the same HTTP server and path as queries, for the subgraphs and the gateway alike.
 * Clients whose connection is gone are found by the protocol's ping/pong and their subscriptions
 * closed (graphql-ws ends every iterator of a closed socket); a client that does not read what it
 * is sent is disconnected once too much waits in its socket buffer, so it cannot hold memory or
 * slow anyone else down. It can resume with `after`.
 *
 * graphql-ws runs the protocol for every subscription. A subscription's `next` messages are written
 * one of two ways, with the same payload (`formatResult`) and bytes either way:
 * - a stream of the subscription's own (every subgraph subscription, and the gateway's replays with
 *   `after`) is read by graphql-ws's loop, which awaits each send, so a client that does not read
 *   holds back that stream's bounded queue until it overflows (SUBSCRIBER_TOO_SLOW);
 * - a stream that delivers directly (`DeliversDirectly`: the gateway's shared delivery of identical
 *   live subscriptions, up to thousands on one stream, gateway/shared-delivery.ts) is handed its
 *   client (`SubscriptionClient`) and writes each event's once-encoded result to it itself. Its
 *   unsent bytes count against the same limits.
 */

import http, { IncomingMessage } from "node:http";
import { ApolloServerPlugin } from "@apollo/server";
import {
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  OperationDefinitionNode,
  parse,
  specifiedRules,
  subscribe,
  validate,
  ValidationRule,
} from "graphql";
import { Disposable } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import WebSocket, { WebSocketServer } from "ws";
import { formatError } from "./apollo";
import { Identity } from "./identity";
import { eventsDelivered, subscribersCutOff, watchSubscriptions } from "./metrics";
import { logger } from "./log";

/** What a subscription's authentication and context may look at. */
export interface SubscriptionConnection {
  request: IncomingMessage;
  connectionParams: Readonly<Record<string, unknown>> | undefined;
  /** The `extensions` of the subscribe message (the gateway sends the caller's signed identity there). */
  extensions: Readonly<Record<string, unknown>> | undefined;
}

export interface SubscriptionServerOptions {
  /** The service's name in metrics. */
  service?: string;
  /** Checked when a client connects; throwing (an UNAUTHENTICATED error) closes the connection with 4401. */
  onConnect?: (connection: SubscriptionConnection) => Promise<{ expiresAt?: number } | undefined>;
  /** Checked for every subscription; throwing refuses that subscription with the error. */
  authorize: (connection: SubscriptionConnection) => Promise<Identity>;
  /** The subscription's context, for the caller `authorize` returned. */
  context: (connection: SubscriptionConnection, identity: Identity) => object;
  /** Rules checked on every subscription document besides graphql-js's own (the gateway's limits). */
  validationRules?: readonly ValidationRule[];
  /** Largest document, in tokens. */
  maxTokens?: number;
  /** Further checks of an operation for its caller (the gateway's input rules, cost and cost budget); an error refuses the subscription. */
  checkOperation?: (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>> | undefined,
    identity: Identity,
  ) => GraphQLError | undefined;
  /** Leaves "Did you mean …?" out of validation errors (production: suggestions reveal the schema). */
  hideSuggestions?: boolean;
  /** For the gateway: runs a subscription operation its own way. */
  subscribe?: (args: ExecutionArgs) => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  /** Bytes allowed to wait in one client's socket buffer before it is disconnected. */
  maxBufferedBytes?: number;
  keepAliveMs?: number;
  /** How long a stopping server waits for clients to answer its close before cutting them off. */
  shutdownGraceMs?: number;
}

/**
 * What a stream that writes to its client itself is handed: one subscription on one client socket.
 * `encode` is the same function for every client of a server, so a result encoded once for one
 * client serves all of them.
 */
export interface SubscriptionClient {
  readonly socket: WebSocket;
  /** The `next` message's payload for a result, as JSON, formatted as every other message is. */
  readonly encode: (result: ExecutionResult) => string;
  /** Sends a `next` message with the payload `encode` made; a client that reads too slowly is cut off. */
  send(payload: string): void;
}

/** Marks a subscription's stream that delivers its results to the client itself (see SubscriptionClient). */
export const DELIVERS_DIRECTLY = Symbol("delivers directly");

export interface DeliversDirectly {
  [DELIVERS_DIRECTLY](client: SubscriptionClient): void;
}

function deliversDirectly(result: unknown): result is DeliversDirectly {
  return typeof (result as Partial<DeliversDirectly> | undefined)?.[DELIVERS_DIRECTLY] === "function";
}

export const GRAPHQL_WS_PATH = "/graphql";
/** Close code for a client that reads too slowly (graphql-ws leaves 4000–4999 to applications). */
export const CLOSE_TOO_SLOW = 4290;
/** Close code for a connection without a valid token, or whose token expired. */
export const CLOSE_UNAUTHENTICATED = 4401;

export function serveSubscriptions(httpServer: http.Server, schema: GraphQLSchema, options: SubscriptionServerOptions): Disposable {
  const log = logger("subscriptions");
  const format = formatError(log);
  const formatResult = resultFormatter(format);
  const encode = (result: ExecutionResult) => JSON.stringify(formatResult(result));
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const execute = options.subscribe ?? subscribe;
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  // Documents that passed parsing and validation, by their text: many clients send the same few
  // subscriptions (a region's boards), often all at once after a restart. The rules depend on the
  // document alone, so its verdict holds for every caller; authorisation is still per subscription.
  const validated = new Map<string, DocumentNode>();
  const remember = (query: string, document: DocumentNode) => {
    if (validated.size >= 500) validated.delete(validated.keys().next().value!);
    validated.set(query, document);
  };
  // Where each subscription's execution arguments (as onSubscribe made them) will be answered.
  const targets = new WeakMap<ExecutionArgs, { socket: WebSocket; id: string }>();
  // Compression would cost every message a deflate per socket; the default, but said so on purpose.
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_WS_PATH, perMessageDeflate: false });
  const connection = (
    ctx: { extra: { request: IncomingMessage }; connectionParams?: Readonly<Record<string, unknown>> },
    payload?: { extensions?: unknown },
  ) => ({
    request: ctx.extra.request,
    connectionParams: ctx.connectionParams,
    extensions: payload?.extensions as Record<string, unknown> | undefined,
  });
  // For the metrics: the connections' subscriptions, and which service each socket belongs to.
  const connections = new Set<{ subscriptions: Record<string, unknown> }>();
  const service = options.service ?? "hub";
  const stopWatching = watchSubscriptions(service, () => ({
    sockets: wss.clients.size,
    subscriptions: [...connections].reduce((sum, ctx) => sum + Object.keys(ctx.subscriptions).length, 0),
  }));
  wss.on("connection", (socket: WebSocket) => serviceOf.set(socket, service));
  const server = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        connections.add(ctx);
        socket.once("close", () => connections.delete(ctx));
        if (!options.onConnect) return true;
        try {
          const { expiresAt } = (await options.onConnect(connection(ctx))) ?? {};
          if (expiresAt) {
            // The connection lives no longer than the token it was opened with.
            const timer = setTimeout(
              () => socket.close(CLOSE_UNAUTHENTICATED, "Token expired; reconnect with a new token"),
              Math.max(0, expiresAt * 1000 - Date.now()),
            );
            socket.once("close", () => clearTimeout(timer));
          }
          return true;
        } catch (error) {
          socket.close(CLOSE_UNAUTHENTICATED, (error as Error).message.slice(0, 120));
          return false;
        }
      },
      // The document is parsed and checked here, by the same limits and with the same codes as
      // over HTTP (Apollo Server's), and the execution arguments built with the caller's context.
      onSubscribe: async (ctx, id, payload) => {
        try {
          const identity = await options.authorize(connection(ctx, payload));
          let document = validated.get(payload.query);
          if (!document) {
            try {
              document = parse(payload.query, { maxTokens: options.maxTokens });
            } catch (error) {
              return [withCode(error as GraphQLError, "GRAPHQL_PARSE_FAILED", { replace: true })];
            }
            const errors = validate(schema, document, rules);
            if (errors.length > 0)
              return errors.map((error) =>
                withCode(error, "GRAPHQL_VALIDATION_FAILED", { replace: true, hideSuggestions: options.hideSuggestions }),
              );
            remember(payload.query, document);
          }
          const operation = getOperationAST(document, payload.operationName);
          if (!operation) {
            const message = payload.operationName
              ? `Unknown operation named "${payload.operationName}".`
              : "Must provide operation name if query contains multiple operations.";
            return [new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE" } })];
          }
          const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
          if (variables.errors) return variables.errors.map((error) => withCode(error, "BAD_USER_INPUT"));
          const refused = options.checkOperation?.(document, operation, payload.variables ?? undefined, identity);
          if (refused) return [refused];
          const args: ExecutionArgs = {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: options.context(connection(ctx, payload), identity),
          };
          targets.set(args, { socket: ctx.extra.socket, id });
          return args;
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)];
        }
      },
      subscribe: async (args) => {
        const result = await execute(args);
        const target = targets.get(args);
        if (target && deliversDirectly(result)) result[DELIVERS_DIRECTLY](directClient(target.socket, target.id, encode, maxBufferedBytes));
        return result;
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        const socket = ctx.extra.socket;
        eventsDelivered.inc({ service });
        if (socket.bufferedAmount > maxBufferedBytes) cutOff(socket);
        return result.errors?.length ? formatResult(result) : undefined;
      },
      // graphql-ws wraps an error thrown by a subscription's iterator; report the one thrown.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error: GraphQLError) => {
          const thrown = error.originalError instanceof GraphQLError ? error.originalError : error;
          return format(thrown.toJSON(), thrown);
        }),
    },
    wss,
    options.keepAliveMs,
  );
  return {
    dispose: async () => {
      stopWatching();
      // graphql-ws closes every socket with 1001 ("going away") and waits until each client has
      // answered the close; one that no longer reads would hold the shutdown for ws's 30 s close
      // timeout (longer than an orchestrator waits before it kills the process). Clients that have
      // not answered within the grace are cut off: they reconnect and resume with `after` either way.
      const grace = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, options.shutdownGraceMs ?? 2_000);
      try {
        await server.dispose();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      } finally {
        clearTimeout(grace);
      }
    },
  } as Disposable;
}

/**
 * The error with the client code Apollo Server gives the same mistake over HTTP: parse and
 * validation failures always theirs, others (a variable's) unless the error has a code of its own.
 */
function withCode(error: GraphQLError, code: string, { replace = false, hideSuggestions = false } = {}): GraphQLError {
  const message = hideSuggestions ? error.message.replace(/ ?Did you mean(.+?)\?$/, "") : error.message;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    // No originalError: the error reported (onError reports an iterator's original error) is this one.
    extensions: { ...error.extensions, code: replace ? code : ((error.extensions?.code as string | undefined) ?? code) },
  });
}

const serviceOf = new WeakMap<WebSocket, string>();

function cutOff(socket: WebSocket): void {
  if (socket.readyState === WebSocket.OPEN) subscribersCutOff.inc({ service: serviceOf.get(socket) ?? "hub" });
  socket.close(CLOSE_TOO_SLOW, "Client reads too slowly; reconnect and resume with after");
}

/**
 * A `next` message's payload as graphql-ws builds it (errors, if any, last), with errors formatted
 * the hub's way (client errors as they are, others masked with an error id).
 */
export function resultFormatter(format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError) {
  return (result: ExecutionResult): Record<string, unknown> => {
    const { errors, ...rest } = result;
    if (errors?.length) return { ...result, errors: errors.map((error) => format(error.toJSON(), error)) };
    return errors ? { ...rest, errors: [] } : rest;
  };
}

/** The start of a `next` message for subscription `id`; the payload's JSON and `}` complete it. */
export function nextMessagePrefix(id: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":`;
}

const TEXT_FRAME = { binary: false, compress: false } as const;

/** One subscription's client socket, for a stream that writes to it itself. */
function directClient(
  socket: WebSocket,
  id: string,
  encode: (result: ExecutionResult) => string,
  maxBufferedBytes: number,
): SubscriptionClient {
  const prefix = nextMessagePrefix(id);
  return {
    socket,
    encode,
    send(payload) {
      // A closing socket ends its subscriptions itself (graphql-ws returns them).
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(`${prefix}${payload}}`, TEXT_FRAME);
      eventsDelivered.inc({ service: serviceOf.get(socket) ?? "hub" });
      if (socket.bufferedAmount > maxBufferedBytes) cutOff(socket);
    },
  };
}

/** Closes the subscription sockets when Apollo Server drains, before the HTTP server closes. */
export function drainSubscriptions(server: Disposable): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          await server.dispose();
        },
      };
    },
  };
}
