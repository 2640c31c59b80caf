import fs from "node:fs";
import path from "node:path";
import { GraphQLInputObjectType, GraphQLObjectType, GraphQLScalarType, isSpecifiedScalarType } from "graphql";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { composeSupergraph } from "../../schema/compose";
import { SCHEMA_DIR, SUPERGRAPH_FILE } from "../../subgraphs/shared/paths";

/**
 * Like a schema registry's check: the subgraphs' SDL as the code builds it must compose, and must
 * equal the committed files, so every contract change shows up as a diff in review.
 */
describe("the committed supergraph", () => {
  let composition: Awaited<ReturnType<typeof composeSupergraph>>;
  beforeAll(async () => {
    composition = await composeSupergraph();
  });

  it.each(SUBGRAPH_NAMES)("has an up-to-date SDL for the %s subgraph (run `npm run compose` after a schema change)", (name) => {
    const committed = fs.readFileSync(path.join(SCHEMA_DIR, `${name}.graphql`), "utf8");
    expect(composition.subgraphSdl[name]).toBe(committed);
  });

  it("is the composition of the subgraphs (run `npm run compose` after a schema change)", () => {
    expect(composition.supergraphSdl).toBe(fs.readFileSync(SUPERGRAPH_FILE, "utf8"));
  });

  it("keeps the names other regions' systems depend on", () => {
    const api = composition.apiSchema;
    const argsOf = (field: { args: ReadonlyArray<{ name: string; type: unknown }> }) =>
      Object.fromEntries(field.args.map((a) => [a.name, String(a.type)]));
    const freeCapacity = api.getQueryType()!.getFields().freeCapacity;
    expect(argsOf(freeCapacity)).toEqual({ filter: "FreeCapacityFilter", first: "Int", after: "String" });
    expect(String(freeCapacity.type)).toBe("CapacityOfferConnection!");
    const offer = api.getType("CapacityOffer") as GraphQLObjectType;
    // Optional arguments may be added (the municipality and care setting); required ones stay.
    expect(argsOf(offer.getFields().coverage)).toEqual({
      homeRegionCode: "String!",
      homeMunicipalityCode: "String",
      careSetting: "CareSetting",
    });
    const connection = api.getType("CapacityOfferConnection") as GraphQLObjectType;
    expect(Object.keys(connection.getFields())).toEqual(expect.arrayContaining(["totalCount", "edges", "pageInfo"]));
    const edge = api.getType("CapacityOfferEdge") as GraphQLObjectType;
    expect(Object.keys(edge.getFields())).toEqual(["cursor", "node"]);
    const pageInfo = api.getType("PageInfo") as GraphQLObjectType;
    expect(Object.keys(pageInfo.getFields())).toEqual(expect.arrayContaining(["hasNextPage", "endCursor"]));
    expect(String((api.getType("Region") as GraphQLObjectType).getFields().code.type)).toBe("String!");
  });

  it("describes every type and field a client sees", () => {
    const undocumented: string[] = [];
    for (const type of Object.values(composition.apiSchema.getTypeMap())) {
      if (type.name.startsWith("__") || isSpecifiedScalarType(type as GraphQLScalarType)) continue;
      const isRoot = ["Query", "Mutation", "Subscription"].includes(type.name);
      if (!type.description && !isRoot) undocumented.push(type.name);
      if (type instanceof GraphQLObjectType || type instanceof GraphQLInputObjectType) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });
});
