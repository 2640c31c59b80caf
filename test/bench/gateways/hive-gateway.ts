import http from "node:http";
import { peerRequire } from "./peer-packages";
import { benchSupergraph, IDENTITY_HEADER } from "./supergraph";

/**
 * The little of Hive Gateway's API used here. The package lives in the peers' own install
 * (test/bench/peers), which the hub's type-check cannot rely on being present, so it is loaded
 * untyped from there.
 */
interface HiveGateway {
  createGatewayRuntime(options: {
    supergraph: string;
    logging: string;
    propagateHeaders: { fromClientToSubgraphs: (payload: { request: Request }) => Record<string, string | undefined> };
  }): http.RequestListener;
}

/**
 * Hive Gateway (the npm package's runtime) serving the committed supergraph with default settings,
 * for side-by-side runs. The only addition is forwarding the caller's signed identity header,
 * without which the hub's subgraphs answer nothing.
 */
async function main(): Promise<void> {
  const { createGatewayRuntime } = peerRequire("@graphql-hive/gateway") as HiveGateway;
  const gateway = createGatewayRuntime({
    supergraph: benchSupergraph(),
    logging: "error",
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => {
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
