import { isIsoInstant } from "../../subgraphs/shared/domain/calendar";
import { nestingDepth } from "../../subgraphs/shared/http";

describe("isIsoInstant", () => {
  it.each(["2027-02-28T10:00:00Z", "2028-02-29T23:59:59.999+01:00", "2027-01-01T00:00Z", "2027-06-30T12:00:00.123456-05:30"])(
    "accepts %s",
    (value) => {
      expect(isIsoInstant(value)).toBe(true);
    },
  );

  // Each of these, given to JavaScript's Date, is either invalid or silently another instant.
  it.each([
    "2027-02-30T10:00:00Z",
    "2027-02-29T10:00:00Z",
    "2027-04-31T10:00:00Z",
    "2027-01-01T24:00:00Z",
    "2027-01-01T10:60:00Z",
    "2027-01-01T10:00:60Z",
    "2027-01-01T10:00:00+24:00",
    "2027-01-01T10:00:00",
    "2027-01-01",
    "2027-01-01 10:00:00Z",
  ])("refuses %s", (value) => {
    expect(isIsoInstant(value)).toBe(false);
  });
});

describe("nestingDepth", () => {
  it("counts arrays and objects, stopping past the limit without recursion", () => {
    expect(nestingDepth("x", 64)).toBe(0);
    expect(nestingDepth({ a: [1, { b: [] }] }, 64)).toBe(4);
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(nestingDepth(deep, 64)).toBe(65);
  });
});
