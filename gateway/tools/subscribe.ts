/**
 * A minimal graphql-ws subscriber for the terminal, for offices and providers trying the hub
 * without a browser: prints every result as one JSON line on stdout, and nothing else there, so the
 * output can be piped (`npm run -s subscribe …`: -s keeps npm's own banner out of it). What the tool
 * has to say (connected, closed, failed) goes to stderr.
 *
 *   npm run -s subscribe -- 'subscription { offerPublished { id provider { name } } }'
 *   npm run -s subscribe -- 'subscription($after: ID) { offerChanged(after: $after) { id event { id kind } } }' '{"after": "42"}'
 *
 * The gateway is GATEWAY_URL, else the one `npm start` runs with the same settings (HOST, PORT):
 * http://127.0.0.1:4000/graphql by default. The token is HUB_TOKEN's; without one, a development
 * token of a regional office (outside production).
 */

import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { HubConfig, loadConfig } from "../../subgraphs/shared/config";
import { StartupError } from "../../subgraphs/shared/errors";
import { Role } from "../../subgraphs/shared/identity";
import { signDevToken } from "../dev-keys";

async function main(): Promise<void> {
  const [query, variablesJson] = process.argv.slice(2);
  if (!query) fail("usage: npm run -s subscribe -- '<subscription>' ['<variables as JSON>']", 2);
  let variables: Record<string, unknown> | undefined;
  try {
    variables = variablesJson ? JSON.parse(variablesJson) : undefined;
  } catch {
    fail("the variables are not valid JSON", 2);
  }
  let config: HubConfig;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error instanceof StartupError ? error.message : String(error), 2);
  }
  const httpUrl = process.env.GATEWAY_URL || gatewayUrl(config.host, config.gatewayPort);
  const url = httpUrl.replace(/^http/, "ws");
  const { auth } = config;
  const token =
    process.env.HUB_TOKEN ??
    (auth.devKeyFile ? await signDevToken(auth.devKeyFile, { role: Role.REGIONAL_OFFICE, audience: auth.audience }) : undefined);
  if (!token) fail("set HUB_TOKEN to a token from your identity provider", 2);

  let connected = false;
  let socketError: unknown;
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    on: {
      // Only after the gateway acknowledged the connection (and with it the token) is anything subscribed.
      connected: () => {
        connected = true;
        process.stderr.write(`connected to ${httpUrl}; waiting for events (Ctrl-C to stop)\n`);
      },
      error: (error) => (socketError = error),
    },
  });
  const stop = () => void Promise.resolve(client.dispose()).then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  client.subscribe(
    { query, variables },
    {
      next: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      error: (error) => fail(describeFailure(error, socketError, connected, httpUrl), 1),
      complete: () => {
        process.stderr.write("the gateway ended the subscription\n");
        process.exit(0);
      },
    },
  );
}

function gatewayUrl(host: string, port: number): string {
  // A wildcard address is fine to listen on but not to connect to.
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}/graphql`;
}

/** Says in words why the subscription ended: GraphQL errors, a refused or failed connection, or a close with its code. */
export function describeFailure(error: unknown, socketError: unknown, connected: boolean, url: string): string {
  if (Array.isArray(error)) return `the gateway refused the subscription: ${JSON.stringify(error)}`;
  if (error instanceof Error) return `subscription failed: ${error.message}`;
  const cause = (socketError as { error?: NodeJS.ErrnoException } | undefined)?.error;
  if (!connected && cause) {
    const hint = "is the hub running? set GATEWAY_URL or PORT";
    if (cause.code === "ECONNREFUSED") return `cannot connect to ${url}: connection refused (${hint})`;
    if (cause.code === "ENOTFOUND" || cause.code === "EAI_AGAIN") return `cannot connect to ${url}: host not found (${hint})`;
    return `cannot connect to ${url}: ${cause.message} (${hint})`;
  }
  const close = error as { code?: number; reason?: string };
  if (typeof close.code === "number") {
    const reason = close.reason ? `: ${close.reason}` : close.code === 1006 ? ": the connection was lost" : "";
    return `${connected ? "connection" : `connecting to ${url}`} closed (code ${close.code}${reason})`;
  }
  return `subscription failed: ${String(error)}`;
}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

if (require.main === module) void main();
