import { VisitType } from "../../subgraphs/shared/domain/enums";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import {
  batchProblems,
  Catalogue,
  changeProblems,
  defaultEarliestStart,
  MAX_BATCH,
  OfferInput,
  offerProblems,
} from "../../subgraphs/capacity/domain/publishing-rules";

/** What a provider may publish or change, directly: each rule, its field and its boundaries. */
const TODAY = "2026-11-23";
const UNIT = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const EYE_UNIT = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const OTHER_PROVIDERS_UNIT = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";

const catalogue: Catalogue = {
  unit: (id) =>
    ({
      [UNIT]: { specialty: Specialty.ORTHOPAEDICS, providerId: "p1" },
      [EYE_UNIT]: { specialty: Specialty.OPHTHALMOLOGY, providerId: "p1" },
      [OTHER_PROVIDERS_UNIT]: { specialty: Specialty.ORTHOPAEDICS, providerId: "p2" },
    })[id],
  procedure: (code) =>
    ({
      NFB49: { specialty: Specialty.ORTHOPAEDICS, visitType: VisitType.TREATMENT },
      CJE20: { specialty: Specialty.OPHTHALMOLOGY, visitType: VisitType.TREATMENT },
    })[code],
};

function offer(overrides: Partial<OfferInput> = {}): OfferInput {
  return {
    careUnitId: UNIT,
    procedureCode: "NFB49",
    slots: 4,
    validFrom: TODAY,
    validUntil: "2027-01-31",
    expectedWaitDays: 14,
    ...overrides,
  };
}

const rules = (input: Partial<OfferInput>) => offerProblems("o", offer(input), catalogue, TODAY).map((p) => [p.field, p.rule]);

describe("offerProblems", () => {
  it("accepts a well-formed offer, by count or by slot times, and first-visit capacity without a procedure", () => {
    expect(rules({})).toEqual([]);
    expect(rules({ slots: null, slotTimes: ["2026-12-01T08:00:00Z", "2026-12-01T09:00:00Z"] })).toEqual([]);
    expect(rules({ procedureCode: null, visitType: VisitType.FIRST_VISIT })).toEqual([]);
  });

  it.each<[string, Partial<OfferInput>, [string, string]]>([
    ["an unknown unit", { careUnitId: "dddddddd-dddd-4ddd-8ddd-dddddddddddd" }, ["o.careUnitId", "UNKNOWN_CARE_UNIT"]],
    ["a unit id that is no UUID", { careUnitId: "unit-1" }, ["o.careUnitId", "UNKNOWN_CARE_UNIT"]],
    ["a malformed KVÅ code", { procedureCode: "hip" }, ["o.procedureCode", "KVA_CODE_FORMAT"]],
    ["an unknown procedure", { procedureCode: "NFB98" }, ["o.procedureCode", "UNKNOWN_PROCEDURE"]],
    ["a procedure of another specialty", { procedureCode: "CJE20" }, ["o.procedureCode", "PROCEDURE_NOT_IN_UNIT_SPECIALTY"]],
    ["a visit type the procedure is not", { visitType: VisitType.FIRST_VISIT }, ["o.visitType", "VISIT_TYPE_MISMATCH"]],
    ["treatment capacity without a procedure", { procedureCode: null, visitType: VisitType.TREATMENT }, ["o.procedureCode", "REQUIRED"]],
    ["neither slots nor times", { slots: null }, ["o.slots", "SLOTS_ONE_OF"]],
    ["both slots and times", { slotTimes: ["2026-12-01T08:00:00Z"] }, ["o.slots", "SLOTS_ONE_OF"]],
    ["zero slots", { slots: 0 }, ["o.slots", "SLOTS_RANGE"]],
    ["10 001 slots", { slots: 10_001 }, ["o.slots", "SLOTS_RANGE"]],
    ["half a slot", { slots: 1.5 }, ["o.slots", "SLOTS_RANGE"]],
    ["an empty list of times", { slots: null, slotTimes: [] }, ["o.slotTimes", "SLOTS_RANGE"]],
    ["a time that is no instant", { slots: null, slotTimes: ["tomorrow"] }, ["o.slotTimes[0]", "DATE_TIME_FORMAT"]],
    ["a time outside the window", { slots: null, slotTimes: ["2027-02-01T08:00:00Z"] }, ["o.slotTimes[0]", "SLOT_OUTSIDE_WINDOW"]],
    [
      "the same time twice",
      { slots: null, slotTimes: ["2026-12-01T08:00:00Z", "2026-12-01T09:00:00+01:00"] },
      ["o.slotTimes[1]", "DUPLICATE_SLOT"],
    ],
    ["an impossible date", { validUntil: "2027-02-30" }, ["o.validUntil", "DATE_FORMAT"]],
    ["a window ending before it starts", { validFrom: "2026-12-10", validUntil: "2026-12-01" }, ["o.validUntil", "END_BEFORE_START"]],
    ["a window that has ended", { validFrom: "2026-11-01", validUntil: "2026-11-22" }, ["o.validUntil", "WINDOW_IN_PAST"]],
    ["a window of 367 days", { validUntil: "2027-11-25" }, ["o.validUntil", "WINDOW_TOO_LONG"]],
    ["an earliest start before the window", { earliestStart: "2026-11-22" }, ["o.earliestStart", "START_OUTSIDE_WINDOW"]],
    ["an earliest start after the window", { earliestStart: "2027-02-01" }, ["o.earliestStart", "START_OUTSIDE_WINDOW"]],
    ["a negative wait", { expectedWaitDays: -1 }, ["o.expectedWaitDays", "WAIT_RANGE"]],
    ["a wait of 731 days", { expectedWaitDays: 731 }, ["o.expectedWaitDays", "WAIT_RANGE"]],
    ["an age above 130", { maxPatientAge: 131 }, ["o.maxPatientAge", "AGE_RANGE"]],
    ["an age range upside down", { minPatientAge: 60, maxPatientAge: 18 }, ["o.maxPatientAge", "AGE_RANGE"]],
    ["conditions over 2 000 characters", { conditions: "x".repeat(2001) }, ["o.conditions", "TOO_LONG"]],
  ])("refuses %s", (_what, input, expected) => {
    expect(rules(input)).toContainEqual(expected);
  });

  it.each<[string, Partial<OfferInput>]>([
    ["a window ending today", { validFrom: "2026-11-01", validUntil: TODAY }],
    ["a window of exactly 366 days", { validUntil: "2027-11-24" }],
    ["1 slot", { slots: 1 }],
    ["10 000 slots", { slots: 10_000 }],
    ["a wait of 0 and of 730 days", { expectedWaitDays: 730 }],
    ["an earliest start on the window's last day", { earliestStart: "2027-01-31" }],
    ["ages 0 to 130", { minPatientAge: 0, maxPatientAge: 130 }],
  ])("accepts the boundary: %s", (_what, input) => {
    expect(rules(input)).toEqual([]);
  });

  it("reads slot days in Swedish time: 23:30 UTC on the window's last day is already the next day in Stockholm", () => {
    expect(rules({ slots: null, slotTimes: ["2027-01-31T22:30:00Z"] })).toEqual([]);
    expect(rules({ slots: null, slotTimes: ["2027-01-31T23:30:00Z"] })).toContainEqual(["o.slotTimes[0]", "SLOT_OUTSIDE_WINDOW"]);
  });
});

describe("batchProblems", () => {
  it("refuses empty batches and batches over the limit", () => {
    expect(batchProblems([], catalogue, TODAY).map((p) => p.rule)).toEqual(["BATCH_SIZE"]);
    expect(
      batchProblems(
        Array.from({ length: MAX_BATCH + 1 }, () => offer()),
        catalogue,
        TODAY,
      ).map((p) => p.rule),
    ).toEqual(["BATCH_SIZE"]);
    expect(
      batchProblems(
        Array.from({ length: MAX_BATCH }, () => offer()),
        catalogue,
        TODAY,
      ),
    ).toEqual([]);
  });

  it("names the item of the batch that is wrong, and every wrong item", () => {
    const problems = batchProblems(
      [offer(), offer({ slots: 0 }), offer({ careUnitId: EYE_UNIT, procedureCode: "CJE20" }), offer({ expectedWaitDays: -3 })],
      catalogue,
      TODAY,
    );
    expect(problems.map((p) => p.field)).toEqual(["input.offers[1].slots", "input.offers[3].expectedWaitDays"]);
  });

  it("keeps a batch to one provider's units", () => {
    const problems = batchProblems([offer(), offer({ careUnitId: OTHER_PROVIDERS_UNIT })], catalogue, TODAY);
    expect(problems.map((p) => [p.field, p.rule])).toEqual([["input.offers[1].careUnitId", "ONE_PROVIDER_PER_BATCH"]]);
  });
});

describe("changeProblems", () => {
  const current = {
    validFrom: "2026-11-01",
    validUntil: "2027-01-31",
    earliestStart: "2026-11-10",
    reservedSlots: 3,
    slotTimes: [] as string[],
  };
  const change = (input: Record<string, unknown>, state = current) => changeProblems(input, state, TODAY).map((p) => [p.field, p.rule]);

  it("needs something to change", () => {
    expect(change({})).toEqual([["input", "NOTHING_CHANGES"]]);
  });

  it("accepts more slots, a longer window and a new wait", () => {
    expect(change({ slots: 10, validUntil: "2027-03-31", expectedWaitDays: 20 })).toEqual([]);
  });

  it("never lets slots fall below what is reserved", () => {
    expect(change({ slots: 3 })).toEqual([]);
    expect(change({ slots: 2 })).toEqual([["input.slots", "SLOTS_BELOW_RESERVED"]]);
  });

  it("checks the window after the change like a new one, carrying an earlier start along", () => {
    expect(change({ validUntil: "2026-11-22" })).toContainEqual(["input.validUntil", "WINDOW_IN_PAST"]);
    expect(change({ validFrom: "2026-12-01" })).toEqual([]);
    expect(change({ validFrom: "2026-12-01", earliestStart: "2026-11-15" })).toContainEqual([
      "input.earliestStart",
      "START_OUTSIDE_WINDOW",
    ]);
  });

  it("changes slot-time offers by their times, never below the reserved, and keeps every time inside the window", () => {
    const timed = {
      ...current,
      slotTimes: ["2026-12-01T08:00:00.000Z", "2027-01-20T08:00:00.000Z", "2027-01-21T08:00:00.000Z", "2027-01-22T08:00:00.000Z"],
    };
    expect(change({ slots: 5 }, timed)).toContainEqual(["input.slots", "SLOT_TIMES_FIXED"]);
    expect(change({ slotTimes: ["2026-12-02T08:00:00Z"] })).toContainEqual(["input.slotTimes", "SLOT_COUNT_FIXED"]);
    expect(change({ slotTimes: ["2026-12-02T08:00:00Z", "2026-12-03T08:00:00Z"] }, timed)).toEqual([
      ["input.slotTimes", "SLOTS_BELOW_RESERVED"],
    ]);
    expect(change({ validUntil: "2027-01-15" }, timed)).toEqual([["input.validUntil", "SLOT_OUTSIDE_WINDOW"]]);
  });
});

describe("defaultEarliestStart", () => {
  it.each([
    ["2026-12-01", "2026-12-01"],
    ["2026-11-23", TODAY],
    ["2026-11-01", TODAY],
  ])("a window from %s starts on %s", (from, expected) => {
    expect(defaultEarliestStart(from, TODAY)).toBe(expected);
  });
});
