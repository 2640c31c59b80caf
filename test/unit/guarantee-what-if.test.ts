import { VisitType } from "../../subgraphs/shared/domain/enums";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import {
  CareCategory,
  ClockRule,
  ClockStatus,
  clockEventRule,
  ClockEventKind,
  GuaranteeLimitRule,
  readClock,
} from "../../subgraphs/referrals/domain/guarantee-clock";
import { WaitKind, whatIfInput, WhatIfFacts } from "../../subgraphs/referrals/domain/guarantee-what-if";
import { HALLAND_LIMITS } from "../../seeds/referrals";
import { NATIONAL_LIMITS } from "../../subgraphs/referrals/reference-data";

/**
 * The "what if" clock: facts given by the caller, read with the seeded limits (the same data a
 * node loads). Every expected date was counted by hand on a calendar (start = day 0).
 */
const RULES: readonly GuaranteeLimitRule[] = [...NATIONAL_LIMITS, ...HALLAND_LIMITS];
const MARGIN = 14;

function facts(overrides: Partial<WhatIfFacts> = {}): WhatIfFacts {
  return {
    homeRegionCode: "01",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    decisionDate: "2026-01-31",
    ...overrides,
  };
}

function reading(f: Partial<WhatIfFacts>, on: string) {
  const built = whatIfInput(facts(f), RULES, on, MARGIN);
  if (!built.ok) throw new Error(`${built.problem.field} ${built.problem.rule}: ${built.problem.message}`);
  return readClock(built.input, RULES, on, MARGIN);
}

function problem(f: Partial<WhatIfFacts>, on: string) {
  const built = whatIfInput(facts(f), RULES, on, MARGIN);
  return built.ok ? null : built.problem;
}

describe("dated cases, counted by hand", () => {
  it.each([
    // [what, facts, reading day, deadline, days left]
    ["national 90 days from a leap day", { decisionDate: "2028-02-29" }, "2028-02-29", "2028-05-29", 90],
    ["national 90 days from 31 December over a leap February", { decisionDate: "2027-12-31" }, "2027-12-31", "2028-03-30", 90],
    ["national 90 days from 31 December over a common February", { decisionDate: "2026-12-31" }, "2026-12-31", "2027-03-31", 90],
    [
      "Halland's 60 days from 31 December end on 29 February",
      { homeRegionCode: "13", decisionDate: "2027-12-31" },
      "2028-01-31",
      "2028-02-29",
      29,
    ],
    [
      "Halland's 60 days from 31 January in a common year end on 1 April",
      { homeRegionCode: "13", visitType: VisitType.FIRST_VISIT, decisionDate: "2026-01-31" },
      "2026-02-28",
      "2026-04-01",
      32,
    ],
    ["a first visit far in the future", { visitType: VisitType.FIRST_VISIT, decisionDate: "2030-12-31" }, "2030-12-31", "2031-03-31", 90],
    [
      "BUP's 30 days from 30 January in a leap year",
      { specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY, visitType: VisitType.FIRST_VISIT, decisionDate: "2028-01-30" },
      "2028-02-29",
      "2028-02-29",
      0,
    ],
  ])("%s", (_what, f, on, deadline, daysLeft) => {
    expect(reading(f, on)).toMatchObject({ applies: true, deadline, daysLeft });
  });

  it("a 14-day medical pause moves the deadline by 14 days (31 Jan + 90 + 14 = 15 May)", () => {
    const r = reading({ pauses: [{ kind: WaitKind.MEDICAL, from: "2026-02-14", until: "2026-02-28" }] }, "2026-03-31");
    expect(r).toMatchObject({ status: ClockStatus.WITHIN_LIMIT, pausedDays: 14, deadline: "2026-05-15", daysWaited: 45, daysLeft: 45 });
    expect(r.applied.map((a) => a.rule)).toEqual([
      ClockRule.COVERED_CARE,
      ClockRule.CLOCK_START,
      ClockRule.STRICTEST_LIMIT,
      ClockRule.MEDICAL_PAUSE,
      ClockRule.MEDICAL_PAUSE,
      ClockRule.DEADLINE,
      ClockRule.STATUS,
    ]);
    expect(r.applied.find((a) => a.rule === ClockRule.DEADLINE)!.explanation).toBe(
      "Deadline 2026-05-15: 2026-01-31 + 90 days + 14 days not counted; care on the deadline itself is in time.",
    );
  });

  it("a wait still open counts up to the reading day", () => {
    const r = reading({ pauses: [{ kind: WaitKind.PATIENT_CHOSEN, from: "2026-02-20" }] }, "2026-03-01");
    expect(r).toMatchObject({ status: ClockStatus.PATIENT_CHOSEN_WAIT, pausedDays: 9, deadline: "2026-05-10" });
  });

  it("overlapping waits of two kinds count each day once", () => {
    const r = reading(
      {
        pauses: [
          { kind: WaitKind.MEDICAL, from: "2026-02-10", until: "2026-02-20" },
          { kind: WaitKind.PATIENT_CHOSEN, from: "2026-02-15", until: "2026-02-25" },
        ],
      },
      "2026-03-01",
    );
    expect(r).toMatchObject({ pausedDays: 15, deadline: "2026-05-16" });
  });

  it("a wait that starts and ends on the same day counts no day", () => {
    expect(reading({ pauses: [{ kind: WaitKind.MEDICAL, from: "2026-02-10", until: "2026-02-10" }] }, "2026-03-01")).toMatchObject({
      pausedDays: 0,
      status: ClockStatus.WITHIN_LIMIT,
    });
  });

  it("a decline forfeits; a regret on 29 February starts a new 60-day clock for Halland (→ 29 April)", () => {
    const declined = reading({ homeRegionCode: "13", decisionDate: "2028-01-15", declines: ["2028-02-10"] }, "2028-02-20");
    expect(declined.status).toBe(ClockStatus.FORFEITED);
    const r = reading(
      { homeRegionCode: "13", decisionDate: "2028-01-15", declines: ["2028-02-10"], regrets: ["2028-02-29"] },
      "2028-03-01",
    );
    expect(r).toMatchObject({
      status: ClockStatus.WITHIN_LIMIT,
      restarted: true,
      startDate: "2028-02-29",
      deadline: "2028-04-29",
      daysWaited: 1,
      daysLeft: 59,
    });
    expect(r.applied[0]).toMatchObject({ rule: ClockRule.COVERED_CARE });
    expect(r.applied.map((a) => a.rule)).toContain(ClockRule.RESTART);
    // What came before the restart no longer counts, so it is not explained either.
    expect(r.applied.map((a) => a.rule)).not.toContain(ClockRule.FORFEIT);
  });

  it("a decline and a regret on the same day: the regret answers the decline", () => {
    expect(reading({ declines: ["2026-02-10"], regrets: ["2026-02-10"] }, "2026-02-10")).toMatchObject({
      restarted: true,
      startDate: "2026-02-10",
      deadline: "2026-05-11",
    });
  });

  it("a booking on the deadline is met; the day after, breached", () => {
    expect(reading({ decisionDate: "2028-02-29", bookedFor: "2028-05-29" }, "2028-03-01").status).toBe(ClockStatus.MET);
    expect(reading({ decisionDate: "2028-02-29", bookedFor: "2028-05-30" }, "2028-03-01").status).toBe(ClockStatus.BREACHED);
  });

  it("at risk with fewer days left than the margin, breached after the deadline", () => {
    expect(reading({ decisionDate: "2026-01-31" }, "2026-04-20")).toMatchObject({ status: ClockStatus.AT_RISK, daysLeft: 11 });
    expect(reading({ decisionDate: "2026-01-31" }, "2026-05-02")).toMatchObject({ status: ClockStatus.BREACHED, daysLeft: -1 });
  });

  it("excluded care has no clock and says why; Halland's rule covers investigations", () => {
    const r = reading({ careCategory: CareCategory.FOLLOW_UP }, "2026-02-01");
    expect(r).toMatchObject({ applies: false, status: ClockStatus.NOT_APPLICABLE, exclusion: CareCategory.FOLLOW_UP });
    expect(r.applied).toEqual([{ rule: ClockRule.EXCLUDED_CARE, date: null, explanation: expect.stringContaining("follow up") }]);
    const halland = reading(
      { homeRegionCode: "13", visitType: VisitType.FIRST_VISIT, careCategory: CareCategory.INVESTIGATION, decisionDate: "2026-02-28" },
      "2026-02-28",
    );
    expect(halland).toMatchObject({ applies: true, deadline: "2026-04-29", limitDays: 60 });
    expect(halland.applied[0]).toMatchObject({
      rule: ClockRule.REGIONAL_EXTENSION,
      explanation: expect.stringContaining("Region Hallands vårdgaranti"),
    });
  });

  it("a self-referral starts at its arrival", () => {
    expect(
      reading(
        {
          visitType: VisitType.FIRST_VISIT,
          origin: "SELF_REFERRAL" as never,
          decisionDate: "2026-01-01",
          selfReferralArrivalDate: "2026-01-31",
        },
        "2026-01-31",
      ),
    ).toMatchObject({
      startedBy: "SELF_REFERRAL_ARRIVAL",
      deadline: "2026-05-01",
    });
  });
});

describe("facts that break a rule, named by field and rule", () => {
  it.each([
    [
      "a wait ending before it began",
      { pauses: [{ kind: WaitKind.MEDICAL, from: "2026-02-10", until: "2026-02-09" }] },
      "2026-03-01",
      "facts.pauses[0].until",
      "BEFORE_PREVIOUS_STEP",
    ],
    [
      "a wait after the reading day",
      { pauses: [{ kind: WaitKind.MEDICAL, from: "2026-03-02" }] },
      "2026-03-01",
      "facts.pauses[0].from",
      "AFTER_READING_DAY",
    ],
    [
      "a wait before the clock started",
      { pauses: [{ kind: WaitKind.MEDICAL, from: "2026-01-30" }] },
      "2026-03-01",
      "facts.pauses[0].from",
      "BEFORE_CLOCK_START",
    ],
    [
      "two open waits of one kind",
      {
        pauses: [
          { kind: WaitKind.MEDICAL, from: "2026-02-01" },
          { kind: WaitKind.MEDICAL, from: "2026-02-05" },
        ],
      },
      "2026-03-01",
      "facts.pauses[1].from",
      "CLOCK_RULE",
    ],
    [
      "a regret before the decline",
      { declines: ["2026-02-10"], regrets: ["2026-02-09"] },
      "2026-03-01",
      "facts.regrets[0]",
      "BEFORE_PREVIOUS_STEP",
    ],
    ["a regret without a decline", { regrets: ["2026-02-09"] }, "2026-03-01", "facts.regrets[0]", "CLOCK_RULE"],
    ["a second decline without a regret", { declines: ["2026-02-10", "2026-02-12"] }, "2026-03-01", "facts.declines[1]", "CLOCK_RULE"],
    [
      "a wait on a forfeited guarantee",
      { declines: ["2026-02-10"], pauses: [{ kind: WaitKind.MEDICAL, from: "2026-02-11" }] },
      "2026-03-01",
      "facts.pauses[0].from",
      "CLOCK_RULE",
    ],
    [
      "a self-referral without its arrival",
      { visitType: VisitType.FIRST_VISIT, origin: "SELF_REFERRAL" as never },
      "2026-03-01",
      "facts.selfReferralArrivalDate",
      "REQUIRED",
    ],
    ["care booked before the clock started", { bookedFor: "2026-01-30" }, "2026-03-01", "facts.bookedFor", "BEFORE_CLOCK_START"],
  ])("%s", (_what, f, on, field, rule) => {
    expect(problem(f as Partial<WhatIfFacts>, on)).toMatchObject({ field, rule });
  });
});

describe("the rule codes of a registered clock fact", () => {
  const base = facts();
  const read = (events: Array<{ kind: ClockEventKind; date: string }>, on: string) =>
    readClock({ ...whatIfOk(base, on), events }, RULES, on, MARGIN);
  function whatIfOk(f: WhatIfFacts, on: string) {
    const built = whatIfInput(f, RULES, on, MARGIN);
    if (!built.ok) throw new Error("facts");
    return built.input;
  }
  it("names a date in the future, before the start, and an end before its start", () => {
    expect(
      clockEventRule(read([], "2026-03-01"), [], { kind: ClockEventKind.MEDICAL_PAUSE_STARTED, date: "2026-03-02" }, "2026-03-01")?.rule,
    ).toBe("DATE_IN_FUTURE");
    expect(
      clockEventRule(read([], "2026-03-01"), [], { kind: ClockEventKind.MEDICAL_PAUSE_STARTED, date: "2026-01-30" }, "2026-03-01")?.rule,
    ).toBe("BEFORE_CLOCK_START");
    const open = [{ kind: ClockEventKind.MEDICAL_PAUSE_STARTED, date: "2026-02-10" }];
    expect(
      clockEventRule(read(open, "2026-03-01"), open, { kind: ClockEventKind.MEDICAL_PAUSE_ENDED, date: "2026-02-09" }, "2026-03-01"),
    ).toEqual({
      rule: "BEFORE_PREVIOUS_STEP",
      message: "the medically caused wait began on 2026-02-10; it cannot end earlier",
    });
    const declined = [{ kind: ClockEventKind.FORFEITED, date: "2026-02-10" }];
    expect(
      clockEventRule(read(declined, "2026-03-01"), declined, { kind: ClockEventKind.RESTARTED, date: "2026-02-09" }, "2026-03-01")?.rule,
    ).toBe("BEFORE_PREVIOUS_STEP");
  });
});
