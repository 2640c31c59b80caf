import fs from "node:fs";
import http from "node:http";
import { SUPERGRAPH_FILE } from "../../../subgraphs/shared/paths";
import { peerRequire } from "./peer-packages";
import { IDENTITY_HEADER } from "./supergraph";

/**
 * Hive Gateway serving the committed supergraph file exactly as it is (the contract: a standard
 * artefact another engine serves), for the test that compares its answers with this hub's gateway.
 * Only the deployment is configured: where each subgraph listens (<NAME>_URL; the file names the
 * default ports), subscriptions to the subgraphs over graphql-ws, and forwarding the caller's
 * signed identity the way the subgraphs require it — a header on HTTP, a connection parameter on
 * graphql-ws.
 */
interface HiveGateway {
  createGatewayRuntime(options: Record<string, unknown>): http.RequestListener;
}

async function main(): Promise<void> {
  const { createGatewayRuntime } = peerRequire("@graphql-hive/gateway") as HiveGateway;
  const supergraph = fs.readFileSync(SUPERGRAPH_FILE, "utf8");
  const locations = Object.fromEntries(
    ["patients", "capacity", "agreements", "referrals"].map((name) => {
      const url = process.env[`${name.toUpperCase()}_URL`];
      if (!url) throw new Error(`${name.toUpperCase()}_URL is not set`);
      return [name, { location: url }];
    }),
  );
  const gateway = createGatewayRuntime({
    supergraph,
    logging: (process.env.HIVE_LOGGING ?? "error") as string,
    transportEntries: {
      ...locations,
      "*.http": {
        options: {
          subscriptions: {
            kind: "ws",
            options: { connectionParams: { [IDENTITY_HEADER]: `{context.headers.${IDENTITY_HEADER}}` } },
          },
        },
      },
    },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }: { request: Request }) => {
        const identity = request.headers.get(IDENTITY_HEADER);
        return identity ? { [IDENTITY_HEADER]: identity } : {};
      },
    },
  });
  const server = http.createServer(gateway);
  const port = Number(process.env.PORT);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  process.stdout.write(`ready http://127.0.0.1:${port}/graphql\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
