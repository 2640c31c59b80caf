import http, { IncomingMessage } from "node:http";
import { ApolloServerPlugin } from "@apollo/server";
import { ExecutionArgs, ExecutionResult, GraphQLError, GraphQLSchema } from "graphql";
import { Disposable } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { formatError } from "./apollo";
import { logger } from "./log";

/**
 * graphql-ws on the same HTTP server and path as queries, for the subgraphs and the gateway alike.
 * Clients whose connection is gone are found by the protocol's ping/pong and their subscriptions
 * closed (graphql-ws ends every iterator of a closed socket); a client that does not read what it
 * is sent is disconnected once too much waits in its socket buffer, so it cannot hold memory or
 * slow anyone else down. It can resume with `after`.
 */
export interface SubscriptionServerOptions {
  /** For the gateway: runs a subscription operation its own way. */
  subscribe?: (args: ExecutionArgs) => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
  /** Bytes allowed to wait in one client's socket buffer before it is disconnected. */
  maxBufferedBytes?: number;
  keepAliveMs?: number;
}

export const GRAPHQL_WS_PATH = "/graphql";
/** Close code for a client that reads too slowly (graphql-ws leaves 4000–4999 to applications). */
export const CLOSE_TOO_SLOW = 4290;

export function serveSubscriptions(
  httpServer: http.Server,
  schema: GraphQLSchema,
  context: (req: IncomingMessage) => object,
  options: SubscriptionServerOptions = {},
): Disposable {
  const log = logger("subscriptions");
  const format = formatError(log);
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_WS_PATH });
  const server = useServer(
    {
      schema,
      context: (ctx) => context(ctx.extra.request),
      subscribe: options.subscribe,
      onNext: (ctx, _id, _payload, _args, result) => {
        const socket = ctx.extra.socket;
        if (socket.bufferedAmount > maxBufferedBytes) {
          socket.close(CLOSE_TOO_SLOW, "Client reads too slowly; reconnect and resume with after");
        }
        if (!result.errors?.length) return undefined;
        return { ...result, errors: result.errors.map((error) => format(error.toJSON(), error)) };
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
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  } as Disposable;
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
