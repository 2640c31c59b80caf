import { getNullableType, isInputObjectType, isInterfaceType, isListType, isObjectType } from "graphql";
import { composeSupergraph } from "../../schema/compose";
import { LIST_LIMITS, listLimit } from "../../gateway/input-rules";
import { spaced } from "../../subgraphs/shared/apollo";

/**
 * Every list a client sends has a maximum, and its description says which (the gateway enforces
 * it from `LIST_LIMITS`, see input-rules.ts): a new list argument without "at most N" in its
 * description fails here, and so does a description that disagrees with the limit enforced.
 */
describe("list arguments and input fields", () => {
  let lists: Array<{ coordinate: string; description: string }>;
  beforeAll(async () => {
    const api = (await composeSupergraph()).apiSchema;
    lists = [];
    for (const type of Object.values(api.getTypeMap())) {
      if (type.name.startsWith("__")) continue;
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (isListType(getNullableType(field.type)))
            lists.push({ coordinate: `${type.name}.${field.name}`, description: field.description ?? "" });
        }
      }
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          for (const argument of field.args) {
            if (isListType(getNullableType(argument.type)))
              lists.push({ coordinate: `${type.name}.${field.name}(${argument.name}:)`, description: argument.description ?? "" });
          }
        }
      }
    }
  });

  it("state the maximum the gateway enforces", () => {
    expect(lists.length).toBeGreaterThan(10);
    const wrong = lists.filter(({ coordinate, description }) => !description.includes(`at most ${spaced(listLimit(coordinate))}`));
    expect(wrong).toEqual([]);
  });

  it("are all there is in LIST_LIMITS (no limit for a list that no longer exists)", () => {
    const coordinates = new Set(lists.map((l) => l.coordinate));
    expect(Object.keys(LIST_LIMITS).filter((c) => !coordinates.has(c))).toEqual([]);
  });
});
