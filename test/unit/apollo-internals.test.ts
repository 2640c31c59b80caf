/**
 * Guards gateway/apollo-internals.ts, the one adapter over Apollo Federation's undocumented exports:
 * an upgrade of the pinned Apollo packages that changes a function it calls, or what executing a
 * plan needs, fails here before it fails in a subscription.
 */

import fs from "node:fs";
import path from "node:path";
import { buildOperationContext, executeQueryPlan, GraphQLDataSource } from "@apollo/gateway";
import { operationFromDocument, Supergraph } from "@apollo/federation-internals";
import { QueryPlanner } from "@apollo/query-planner";
import { composeServices } from "@apollo/composition";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { execute, parse } from "graphql";
import { SupergraphPlanner } from "../../gateway/apollo-internals";
import { projectRoot } from "../../subgraphs/shared/paths";

const PINNED = ["@apollo/gateway", "@apollo/federation-internals", "@apollo/query-planner", "@apollo/composition", "@apollo/subgraph"];

describe("Apollo Federation's internals the gateway uses", () => {
  it("are pinned to one exact version, the one installed", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const versions = PINNED.map((name) => manifest.dependencies[name]);
    for (const version of versions) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(versions).size).toBe(1);
    for (const name of PINNED) {
      const installed = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string };
      expect(`${name}@${installed.version}`).toBe(`${name}@${manifest.dependencies[name]}`);
    }
  });

  it("exist with the parameters the adapter passes", () => {
    // executeQueryPlan(plan, services, requestContext, operationContext, supergraphSchema, apiSchema, telemetry?)
    expect(executeQueryPlan).toBeInstanceOf(Function);
    expect(executeQueryPlan.length).toBe(7);
    // buildOperationContext({ schema, operationDocument, operationName })
    expect(buildOperationContext.length).toBe(1);
    // operationFromDocument(apiSchema, document, { operationName })
    expect(operationFromDocument.length).toBe(3);
    expect(Supergraph.build).toBeInstanceOf(Function);
    expect(QueryPlanner).toBeInstanceOf(Function);
  });

  it("plan and execute an operation across two subgraphs, with the request's context reaching the fetches", async () => {
    const offers = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Query { offers: [Offer!]! }
      type Offer @key(fields: "id") { id: ID! slots: Int! }`;
    const agreements = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Offer @key(fields: "id") { id: ID! covered: Boolean! }`;
    const composed = composeServices([
      { name: "offers", url: "http://offers", typeDefs: parse(offers) },
      { name: "agreements", url: "http://agreements", typeDefs: parse(agreements) },
    ]);
    expect(composed.errors).toBeUndefined();
    const schemas = {
      offers: buildSubgraphSchema({ typeDefs: parse(offers), resolvers: { Query: { offers: () => [{ id: "o1", slots: 3 }] } } }),
      agreements: buildSubgraphSchema({
        typeDefs: parse(agreements),
        resolvers: { Offer: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, covered: ref.id === "o1" }) } },
      }),
    };
    const seen: unknown[] = [];
    const service = (name: keyof typeof schemas): GraphQLDataSource => ({
      process: async ({ request, context }) => {
        seen.push(context);
        return (await execute({ schema: schemas[name], document: parse(request.query!), variableValues: request.variables })) as never;
      },
    });
    const planner = new SupergraphPlanner(composed.supergraphSdl!);
    const document = parse("query Offers { offers { id slots covered } }");
    const plan = planner.plan(document, "Offers");
    expect(plan.node?.kind).toBe("Sequence");
    const context = { caller: "test" };
    const result = await planner.execute(
      plan,
      { offers: service("offers"), agreements: service("agreements") },
      planner.operationContext(document, "Offers"),
      { document, operationName: "Offers", variables: {}, context },
      console,
    );
    expect(result).toEqual({ data: { offers: [{ id: "o1", slots: 3, covered: true }] } });
    expect(seen).toEqual([context, context]);
  });
});
