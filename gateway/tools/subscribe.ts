import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { loadConfig } from "../../subgraphs/shared/config";
import { Role } from "../../subgraphs/shared/identity";
import { signDevToken } from "../dev-keys";

/**
 * A minimal graphql-ws subscriber for the terminal, for offices and providers trying the hub
 * without a browser: prints every result as one JSON line.
 *
 *   npm run subscribe -- 'subscription { offerPublished { id provider { name } } }'
 *   npm run subscribe -- 'subscription($after: ID) { offerChanged(after: $after) { id event { id kind } } }' '{"after": "42"}'
 *
 * The gateway is http://127.0.0.1:4000/graphql unless GATEWAY_URL says otherwise. The token is
 * HUB_TOKEN's; without one, a development token of a regional office (outside production).
 */
async function main(): Promise<void> {
  const [query, variablesJson] = process.argv.slice(2);
  if (!query) {
    process.stderr.write("usage: npm run subscribe -- '<subscription>' ['<variables as JSON>']\n");
    process.exit(2);
  }
  let variables: Record<string, unknown> | undefined;
  try {
    variables = variablesJson ? JSON.parse(variablesJson) : undefined;
  } catch {
    process.stderr.write("the variables are not valid JSON\n");
    process.exit(2);
  }
  const url = (process.env.GATEWAY_URL ?? "http://127.0.0.1:4000/graphql").replace(/^http/, "ws");
  const { auth } = loadConfig();
  const token =
    process.env.HUB_TOKEN ?? (auth.devKeyFile ? await signDevToken(auth.devKeyFile, { role: Role.REGIONAL_OFFICE, audience: auth.audience }) : undefined);
  if (!token) {
    process.stderr.write("set HUB_TOKEN to a token from your identity provider\n");
    process.exit(2);
  }
  const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
  process.stderr.write(`subscribed at ${url}; Ctrl-C to stop\n`);
  const stop = () => void Promise.resolve(client.dispose()).then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  client.subscribe(
    { query, variables },
    {
      next: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      error: (error) => {
        const close = error as { code?: number; reason?: string };
        const detail = Array.isArray(error) ? JSON.stringify(error) : error instanceof Error ? error.message : `connection closed (${close.code ?? "?"} ${close.reason ?? ""})`;
        process.stderr.write(`subscription failed: ${detail}\n`);
        process.exit(1);
      },
      complete: () => process.exit(0),
    },
  );
}

void main();
