import { RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { offlineApolloGateway } from "../../../gateway/offline-gateway";
import { benchSupergraph, IDENTITY_HEADER } from "./supergraph";

/**
 * A plain Apollo Gateway on Apollo Server with default settings, for side-by-side runs. The only
 * additions are forwarding the caller's signed identity header, without which the hub's subgraphs
 * answer nothing, and Apollo's telemetry off (`offlineApolloGateway`): a benchmark on a care node
 * contacts nothing but the hub's own processes.
 */
interface Context {
  identity: string | undefined;
}

class Forwarding extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<Context>["willSendRequest"]>>[0]) {
    if (context.identity) request.http?.headers.set(IDENTITY_HEADER, context.identity);
  }
}

async function main(): Promise<void> {
  const gateway = offlineApolloGateway({ supergraphSdl: benchSupergraph(), buildService: ({ url }) => new Forwarding({ url }) });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT), host: "127.0.0.1" },
    context: async ({ req }) => ({ identity: req.headers[IDENTITY_HEADER] as string | undefined }),
  });
  process.stdout.write(`ready ${url}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
