import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { GraphQLResolveInfo, GraphQLSchema, parse } from "graphql";
import { buildSchema, createResolversMap, NonEmptyArray } from "type-graphql";
import type { Constructor } from "./db/data-source";

/** The Federation 2 spec every subgraph links; one place to move all of them to a newer version. */
export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])';

const UNUSED_PUBSUB = {
  publish: () => {
    throw new Error("the hub publishes events through its outbox, not type-graphql's PubSub");
  },
  subscribe: () => {
    throw new Error("subscriptions define their own subscribe function");
  },
};

/** `__resolveReference` for an entity type: the representation the gateway sends → the entity or null. */
export type ReferenceResolver<TContext> = (representation: Record<string, unknown>, context: TContext, info: GraphQLResolveInfo) => unknown;

export interface FederatedSchemaOptions<TContext> {
  resolvers: NonEmptyArray<Constructor>;
  /** Entity types this subgraph only extends or references, which no resolver returns directly. */
  orphanedTypes?: Constructor[];
  /** Keyed by GraphQL type name. */
  referenceResolvers?: Record<string, ReferenceResolver<TContext>>;
}

export interface FederatedSchema {
  schema: GraphQLSchema;
  /** The subgraph's SDL with federation directives, as composed into the supergraph. */
  sdl: string;
}

/**
 * type-graphql schema → subgraph schema. graphql-js's printSchema drops directive usages such as
 * `@key`, so the SDL is printed with them; reference resolvers must be handed to
 * buildSubgraphSchema itself, since resolvers added afterwards are never consulted for `_entities`.
 */
export async function buildFederatedSchema<TContext>(options: FederatedSchemaOptions<TContext>): Promise<FederatedSchema> {
  const typeGraphQLSchema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    // Federation directives are declared by @link, not in the type-graphql schema.
    skipCheck: true,
    // Subscriptions bring their own `subscribe` functions (outbox streams); type-graphql insists on
    // a PubSub all the same, and this one is never used.
    pubSub: UNUSED_PUBSUB,
    validate: false,
  });
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphQLSchema)}\n`;
  const resolvers = createResolversMap(typeGraphQLSchema) as Record<string, Record<string, unknown>>;
  for (const [typeName, resolveReference] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference };
  }
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never });
  return { schema, sdl };
}
