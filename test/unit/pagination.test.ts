import "reflect-metadata";
import { toConnection } from "../../subgraphs/shared/pagination";

describe("toConnection", () => {
  const page = { first: 2, after: undefined };
  const cursorOf = (n: number) => [n];

  it("passes on the count and whether it is exact", () => {
    expect(toConnection([1, 2], page, { count: 2, exact: true }, "test", cursorOf)).toMatchObject({
      totalCount: 2,
      totalCountIsExact: true,
    });
    expect(toConnection([1, 2, 3], page, { count: 10_000, exact: false }, "test", cursorOf)).toMatchObject({
      totalCount: 10_000,
      totalCountIsExact: false,
    });
  });

  it("keeps the page to `first` results and says a next page exists from the extra row", () => {
    const connection = toConnection([1, 2, 3], page, { count: 3, exact: true }, "test", cursorOf);
    expect(connection.edges.map((e) => e.node)).toEqual([1, 2]);
    expect(connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });
});
