import { VisitType } from "../../subgraphs/shared/domain/enums";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import {
  applicableLimit,
  CareCategory,
  ClockEvent,
  ClockEventKind,
  clockEventProblem,
  ClockInput,
  ClockReading,
  ClockRule,
  ClockStart,
  clockStart,
  ClockStatus,
  GuaranteeLimitRule,
  nationallyCovered,
  readClock,
  ReferralOrigin,
} from "../../subgraphs/referrals/domain/guarantee-clock";

/**
 * The care-guarantee clock (vårdgarantin, subgraphs/README.md, "The care guarantee"), directly.
 * Every expected date below was counted by hand on a calendar (start date = day 0, the deadline
 * itself is still in time); none is recomputed with the module's own date helpers.
 */

const HALLAND = "13";
const SKANE = "12";
const MARGIN = 14;

function rule(overrides: Partial<GuaranteeLimitRule> & Pick<GuaranteeLimitRule, "id" | "days">): GuaranteeLimitRule {
  return {
    name: overrides.id,
    regionCode: null,
    specialty: null,
    step: null,
    extendsTo: [],
    validFrom: null,
    validUntil: null,
    ...overrides,
  };
}

/** Vårdgarantin (nationell): 90 days for first visits and treatments, everywhere. */
const NATIONAL = rule({ id: "national", name: "Vårdgarantin (nationell)", days: 90 });
/** Region Hallands vårdgaranti: 60 days, and it also covers investigations. */
const HALLAND_60 = rule({
  id: "halland",
  name: "Region Hallands vårdgaranti",
  regionCode: HALLAND,
  days: 60,
  extendsTo: [CareCategory.INVESTIGATION],
});
/** BUP: 30 days to first assessment. */
const BUP_30 = rule({ id: "bup", name: "BUP 30 dagar", specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY, days: 30 });

const RULES: readonly GuaranteeLimitRule[] = [NATIONAL, HALLAND_60, BUP_30];

function input(overrides: Partial<ClockInput> = {}): ClockInput {
  return {
    visitType: VisitType.FIRST_VISIT,
    specialty: Specialty.ORTHOPAEDICS,
    category: CareCategory.PLANNED_CARE,
    homeRegionCode: SKANE,
    origin: ReferralOrigin.REFERRAL,
    decisionDate: "2026-03-01",
    selfReferralArrivalDate: null,
    events: [],
    ...overrides,
  };
}

function ev(kind: ClockEventKind, date: string): ClockEvent {
  return { kind, date };
}

const read = (overrides: Partial<ClockInput>, today: string, rules: readonly GuaranteeLimitRule[] = RULES, margin = MARGIN): ClockReading =>
  readClock(input(overrides), rules, today, margin);

describe("the national 90 days and where the clock starts", () => {
  it("a first visit counts 90 days from the referral decision (1 March → 30 May)", () => {
    const r = read({ decisionDate: "2026-03-01" }, "2026-03-01");
    expect(r).toMatchObject({
      applies: true,
      exclusion: null,
      status: ClockStatus.WITHIN_LIMIT,
      startDate: "2026-03-01",
      startedBy: ClockStart.REFERRAL_DECISION,
      restarted: false,
      limitDays: 90,
      deadline: "2026-05-30",
      daysWaited: 0,
      daysLeft: 90,
      pausedDays: 0,
      bookedFor: null,
    });
    expect(r.limitRule).toBe(NATIONAL);
  });

  it("a treatment counts 90 days from the treatment decision (15 April → 14 July)", () => {
    const r = read({ visitType: VisitType.TREATMENT, decisionDate: "2026-04-15" }, "2026-04-20");
    expect(r).toMatchObject({
      startDate: "2026-04-15",
      startedBy: ClockStart.TREATMENT_DECISION,
      limitDays: 90,
      deadline: "2026-07-14",
      daysWaited: 5,
      daysLeft: 85,
    });
  });

  it("a self-referral's first visit starts at its arrival date, not at the decision date", () => {
    const r = read(
      { origin: ReferralOrigin.SELF_REFERRAL, decisionDate: "2026-02-10", selfReferralArrivalDate: "2026-02-16" },
      "2026-02-20",
    );
    expect(r).toMatchObject({
      startDate: "2026-02-16",
      startedBy: ClockStart.SELF_REFERRAL_ARRIVAL,
      deadline: "2026-05-17",
      daysWaited: 4,
      daysLeft: 86,
    });
  });

  it("a treatment after a self-referral still starts at the treatment decision", () => {
    const r = read(
      {
        visitType: VisitType.TREATMENT,
        origin: ReferralOrigin.SELF_REFERRAL,
        decisionDate: "2026-04-15",
        selfReferralArrivalDate: "2026-02-16",
      },
      "2026-04-15",
    );
    expect(r).toMatchObject({ startDate: "2026-04-15", startedBy: ClockStart.TREATMENT_DECISION, deadline: "2026-07-14" });
  });
});

describe("clockStart", () => {
  it.each([
    [
      "first visit on a referral",
      VisitType.FIRST_VISIT,
      ReferralOrigin.REFERRAL,
      "2026-03-01",
      null,
      "2026-03-01",
      ClockStart.REFERRAL_DECISION,
    ],
    [
      "first visit on a referral (an arrival date is ignored)",
      VisitType.FIRST_VISIT,
      ReferralOrigin.REFERRAL,
      "2026-03-01",
      "2026-03-09",
      "2026-03-01",
      ClockStart.REFERRAL_DECISION,
    ],
    [
      "first visit on a self-referral",
      VisitType.FIRST_VISIT,
      ReferralOrigin.SELF_REFERRAL,
      "2026-03-01",
      "2026-03-09",
      "2026-03-09",
      ClockStart.SELF_REFERRAL_ARRIVAL,
    ],
    [
      "self-referral without a known arrival",
      VisitType.FIRST_VISIT,
      ReferralOrigin.SELF_REFERRAL,
      "2026-03-01",
      null,
      "2026-03-01",
      ClockStart.REFERRAL_DECISION,
    ],
    ["treatment", VisitType.TREATMENT, ReferralOrigin.REFERRAL, "2026-06-10", null, "2026-06-10", ClockStart.TREATMENT_DECISION],
    [
      "treatment on a self-referral",
      VisitType.TREATMENT,
      ReferralOrigin.SELF_REFERRAL,
      "2026-06-10",
      "2026-03-09",
      "2026-06-10",
      ClockStart.TREATMENT_DECISION,
    ],
  ] as const)("%s", (_label, visitType, origin, decisionDate, selfReferralArrivalDate, date, by) => {
    expect(clockStart({ visitType, origin, decisionDate, selfReferralArrivalDate })).toEqual({ date, by });
  });
});

describe("regional and care-area limits (strictest wins)", () => {
  it.each([
    ["Halland first visit: 60 beats 90", HALLAND, Specialty.ORTHOPAEDICS, VisitType.FIRST_VISIT, "2026-03-01", "halland", 60, "2026-04-30"],
    [
      "Skåne first visit: Halland's rule does not apply, 90",
      SKANE,
      Specialty.ORTHOPAEDICS,
      VisitType.FIRST_VISIT,
      "2026-03-01",
      "national",
      90,
      "2026-05-30",
    ],
    ["Halland treatment: 60", HALLAND, Specialty.ORTHOPAEDICS, VisitType.TREATMENT, "2026-04-15", "halland", 60, "2026-06-14"],
    ["Skåne treatment: 90", SKANE, Specialty.ORTHOPAEDICS, VisitType.TREATMENT, "2026-04-15", "national", 90, "2026-07-14"],
    ["BUP in Skåne: 30", SKANE, Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY, VisitType.FIRST_VISIT, "2026-03-01", "bup", 30, "2026-03-31"],
    [
      "BUP in Halland: 30 beats Halland's 60",
      HALLAND,
      Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY,
      VisitType.FIRST_VISIT,
      "2026-03-01",
      "bup",
      30,
      "2026-03-31",
    ],
  ] as const)("%s", (_label, homeRegionCode, specialty, visitType, decisionDate, ruleId, limitDays, deadline) => {
    const r = read({ homeRegionCode, specialty, visitType, decisionDate }, decisionDate);
    expect(r.limitRule?.id).toBe(ruleId);
    expect(r.limitDays).toBe(limitDays);
    expect(r.deadline).toBe(deadline);
  });

  it("the strictest rule wins whatever order the rules come in", () => {
    const c = {
      homeRegionCode: HALLAND,
      specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY,
      visitType: VisitType.FIRST_VISIT,
      category: CareCategory.PLANNED_CARE,
    };
    expect(applicableLimit([NATIONAL, HALLAND_60, BUP_30], c, "2026-03-01")).toBe(BUP_30);
    expect(applicableLimit([BUP_30, HALLAND_60, NATIONAL], c, "2026-03-01")).toBe(BUP_30);
    expect(applicableLimit([HALLAND_60, NATIONAL], c, "2026-03-01")).toBe(HALLAND_60);
  });

  it("equally strict rules are broken by rule id, independent of order", () => {
    const a = rule({ id: "a-rule", days: 45 });
    const b = rule({ id: "b-rule", days: 45 });
    const c = {
      homeRegionCode: SKANE,
      specialty: Specialty.UROLOGY,
      visitType: VisitType.FIRST_VISIT,
      category: CareCategory.PLANNED_CARE,
    };
    expect(applicableLimit([b, a, NATIONAL], c, "2026-03-01")).toBe(a);
    expect(applicableLimit([a, b, NATIONAL], c, "2026-03-01")).toBe(a);
  });

  it("a rule for one step does not apply to the other", () => {
    const treatment45 = rule({ id: "treatment-45", days: 45, step: VisitType.TREATMENT });
    const base = { homeRegionCode: SKANE, specialty: Specialty.UROLOGY, category: CareCategory.PLANNED_CARE };
    expect(applicableLimit([NATIONAL, treatment45], { ...base, visitType: VisitType.TREATMENT }, "2026-03-01")).toBe(treatment45);
    expect(applicableLimit([NATIONAL, treatment45], { ...base, visitType: VisitType.FIRST_VISIT }, "2026-03-01")).toBe(NATIONAL);
  });

  it("no rule at all: the guarantee does not apply, without an exclusion category", () => {
    const r = read({}, "2026-03-01", []);
    expect(r).toMatchObject({
      applies: false,
      exclusion: null,
      status: ClockStatus.NOT_APPLICABLE,
      deadline: null,
      limitDays: null,
      limitRule: null,
      daysLeft: null,
    });
  });
});

describe("rules valid for a period (validFrom / validUntil, both inclusive, judged on the start date)", () => {
  const fromJuly = rule({ id: "halland-from-july", regionCode: HALLAND, days: 60, validFrom: "2026-07-01" });
  const untilNewYear = rule({ id: "halland-until-new-year", regionCode: HALLAND, days: 60, validUntil: "2026-12-31" });

  it.each([
    ["the day before validFrom: national 90", fromJuly, "2026-06-30", 90, "2026-09-28"],
    ["on validFrom: 60", fromJuly, "2026-07-01", 60, "2026-08-30"],
    ["on validUntil: 60 (across new year)", untilNewYear, "2026-12-31", 60, "2027-03-01"],
    ["the day after validUntil: national 90", untilNewYear, "2027-01-01", 90, "2027-04-01"],
  ] as const)("%s", (_label, regional, decisionDate, limitDays, deadline) => {
    const r = read({ homeRegionCode: HALLAND, decisionDate }, decisionDate, [NATIONAL, regional]);
    expect(r.limitDays).toBe(limitDays);
    expect(r.deadline).toBe(deadline);
  });

  it("applicableLimit answers null when the only rule is not yet in force or has expired", () => {
    const c = {
      homeRegionCode: HALLAND,
      specialty: Specialty.ORTHOPAEDICS,
      visitType: VisitType.FIRST_VISIT,
      category: CareCategory.PLANNED_CARE,
    };
    expect(applicableLimit([fromJuly], c, "2026-06-30")).toBeNull();
    expect(applicableLimit([fromJuly], c, "2026-07-01")).toBe(fromJuly);
    expect(applicableLimit([untilNewYear], c, "2026-12-31")).toBe(untilNewYear);
    expect(applicableLimit([untilNewYear], c, "2027-01-01")).toBeNull();
  });
});

describe("calendar edges: month ends, leap years, new year", () => {
  it.each([
    ["31 Jan 2026 + 90 (short February)", "2026-01-31", SKANE, "2026-05-01"],
    ["30 Nov 2026 + 60 (into next year)", "2026-11-30", HALLAND, "2027-01-29"],
    ["31 Dec 2026 + 90 (next year, ends on a month end)", "2026-12-31", SKANE, "2027-03-31"],
    ["31 Dec 2026 + 60 (lands on 1 March in a non-leap year)", "2026-12-31", HALLAND, "2027-03-01"],
    ["leap day 29 Feb 2028 + 90", "2028-02-29", SKANE, "2028-05-29"],
    ["leap day 29 Feb 2028 + 60", "2028-02-29", HALLAND, "2028-04-29"],
    ["31 Dec 2027 + 60 crosses February 2028 and lands on the leap day", "2027-12-31", HALLAND, "2028-02-29"],
    ["1 Dec 2027 + 90 in a leap year: 29 Feb 2028", "2027-12-01", SKANE, "2028-02-29"],
    ["1 Dec 2026 + 90 in a non-leap year: 1 Mar 2027", "2026-12-01", SKANE, "2027-03-01"],
  ] as const)("%s", (_label, decisionDate, homeRegionCode, deadline) => {
    expect(read({ decisionDate, homeRegionCode }, decisionDate).deadline).toBe(deadline);
  });

  it("counts 60 waited days from 31 Dec 2027 to 29 Feb 2028, and the leap day itself is still in time", () => {
    const r = read({ decisionDate: "2027-12-31", homeRegionCode: HALLAND }, "2028-02-29");
    expect(r).toMatchObject({ daysWaited: 60, daysLeft: 0, status: ClockStatus.AT_RISK });
    expect(read({ decisionDate: "2027-12-31", homeRegionCode: HALLAND }, "2028-03-01")).toMatchObject({
      daysWaited: 61,
      daysLeft: -1,
      status: ClockStatus.BREACHED,
    });
  });

  it("BUP from the leap day: 30 days is 30 March", () => {
    expect(read({ decisionDate: "2028-02-29", specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY }, "2028-02-29").deadline).toBe(
      "2028-03-30",
    );
  });
});

describe("daylight-saving changes in Europe/Stockholm do not shift dates", () => {
  const previousTz = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = "Europe/Stockholm";
  });
  afterAll(() => {
    if (previousTz === undefined) delete process.env.TZ;
    else process.env.TZ = previousTz;
  });

  it.each([
    ["start on the spring change (29 Mar 2026) + 90", "2026-03-29", SKANE, "2026-06-27"],
    ["start the day before the spring change + 90", "2026-03-28", SKANE, "2026-06-26"],
    ["deadline on the spring change: 28 Jan 2026 + 60", "2026-01-28", HALLAND, "2026-03-29"],
    ["start on the autumn change (25 Oct 2026) + 90", "2026-10-25", SKANE, "2027-01-23"],
    ["deadline on the autumn change: 27 Jul 2026 + 90", "2026-07-27", SKANE, "2026-10-25"],
  ] as const)("%s", (_label, decisionDate, homeRegionCode, deadline) => {
    expect(read({ decisionDate, homeRegionCode }, decisionDate).deadline).toBe(deadline);
  });

  it.each([
    ["across the spring change", "2026-03-28", "2026-03-30", 2],
    ["across the autumn change", "2026-10-24", "2026-10-26", 2],
    ["a whole summer (29 Mar → 25 Oct)", "2026-03-29", "2026-10-25", 210],
  ] as const)("days waited %s are whole days", (_label, decisionDate, today, daysWaited) => {
    const r = read({ decisionDate }, today, [rule({ id: "long", days: 365 })]);
    expect(r.daysWaited).toBe(daysWaited);
    expect(r.daysLeft).toBe(365 - daysWaited);
  });

  it("a medical pause over the spring change counts calendar days", () => {
    const r = read(
      {
        decisionDate: "2026-03-01",
        events: [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-28"), ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-30")],
      },
      "2026-04-01",
    );
    expect(r.pausedDays).toBe(2);
    expect(r.deadline).toBe("2026-06-01");
  });
});

describe("exclusions (categories the guarantee does not cover)", () => {
  const notCovered = [
    CareCategory.INVESTIGATION,
    CareCategory.FOLLOW_UP,
    CareCategory.EMERGENCY,
    CareCategory.MEDICAL_SERVICE,
    CareCategory.SAMPLING_AND_TESTS,
    CareCategory.AIDS,
    CareCategory.DENTAL,
    CareCategory.PATIENT_EDUCATION,
    CareCategory.OWN_INITIATIVE_OTHER_REGION,
    CareCategory.PRIVATE_WITHOUT_REGIONAL_FINANCING,
  ];
  const covered = [
    CareCategory.PLANNED_CARE,
    CareCategory.INVESTIGATION_WITH_TREATMENT,
    CareCategory.HEARING_AID_FITTING,
    CareCategory.DENTAL_IN_MEDICAL_CARE,
  ];

  it("the two lists together are every category", () => {
    expect([...notCovered, ...covered].sort()).toEqual(Object.values(CareCategory).sort());
  });

  it.each(notCovered)("%s is not covered: NOT_APPLICABLE with the category as exclusion", (category) => {
    expect(nationallyCovered(category)).toBe(false);
    const r = read({ category, homeRegionCode: SKANE }, "2026-04-01");
    expect(r).toEqual({
      applies: false,
      exclusion: category,
      status: ClockStatus.NOT_APPLICABLE,
      startDate: null,
      startedBy: null,
      restarted: false,
      limitDays: null,
      limitRule: null,
      deadline: null,
      daysWaited: null,
      daysLeft: null,
      pausedDays: 0,
      bookedFor: null,
      applied: [{ rule: ClockRule.EXCLUDED_CARE, date: null, explanation: expect.stringContaining("does not cover") }],
    });
  });

  it.each(covered)("%s is covered: the 90-day clock runs", (category) => {
    expect(nationallyCovered(category)).toBe(true);
    const r = read({ category, homeRegionCode: SKANE }, "2026-04-01");
    expect(r).toMatchObject({
      applies: true,
      exclusion: null,
      status: ClockStatus.WITHIN_LIMIT,
      limitDays: 90,
      deadline: "2026-05-30",
      daysWaited: 31,
      daysLeft: 59,
    });
  });

  it("Halland's regional guarantee extends to investigations, for Halland residents only", () => {
    const halland = read({ category: CareCategory.INVESTIGATION, homeRegionCode: HALLAND }, "2026-03-01");
    expect(halland).toMatchObject({
      applies: true,
      exclusion: null,
      limitDays: 60,
      deadline: "2026-04-30",
      status: ClockStatus.WITHIN_LIMIT,
    });
    expect(halland.limitRule).toBe(HALLAND_60);
    const skane = read({ category: CareCategory.INVESTIGATION, homeRegionCode: SKANE }, "2026-03-01");
    expect(skane).toMatchObject({ applies: false, exclusion: CareCategory.INVESTIGATION, status: ClockStatus.NOT_APPLICABLE });
  });

  it("the extension covers only the categories it names (a follow-up in Halland is still excluded)", () => {
    expect(read({ category: CareCategory.FOLLOW_UP, homeRegionCode: HALLAND }, "2026-03-01")).toMatchObject({
      applies: false,
      exclusion: CareCategory.FOLLOW_UP,
    });
  });

  it("only a rule that extends to a category counts for it: a stricter general rule does not", () => {
    const halland90 = rule({ id: "halland-90-investigations", regionCode: HALLAND, days: 90, extendsTo: [CareCategory.INVESTIGATION] });
    const c = {
      homeRegionCode: HALLAND,
      specialty: Specialty.ORTHOPAEDICS,
      visitType: VisitType.FIRST_VISIT,
      category: CareCategory.INVESTIGATION,
    };
    expect(applicableLimit([rule({ id: "national-30", days: 30 }), halland90], c, "2026-03-01")).toBe(halland90);
  });
});

describe("status and its boundaries (national 90 from 1 March 2026, deadline 30 May, margin 14)", () => {
  it.each([
    ["the start day", "2026-03-01", 0, 90, MARGIN, ClockStatus.WITHIN_LIMIT],
    ["a month in", "2026-04-01", 31, 59, MARGIN, ClockStatus.WITHIN_LIMIT],
    ["exactly the margin left (14): still within", "2026-05-16", 76, 14, MARGIN, ClockStatus.WITHIN_LIMIT],
    ["one day fewer than the margin (13): at risk", "2026-05-17", 77, 13, MARGIN, ClockStatus.AT_RISK],
    ["the deadline day itself (0 left): at risk, not breached", "2026-05-30", 90, 0, MARGIN, ClockStatus.AT_RISK],
    ["the day after the deadline (-1): breached", "2026-05-31", 91, -1, MARGIN, ClockStatus.BREACHED],
    ["a month after the deadline", "2026-07-01", 122, -32, MARGIN, ClockStatus.BREACHED],
    ["margin 0: the deadline day is within", "2026-05-30", 90, 0, 0, ClockStatus.WITHIN_LIMIT],
    ["margin 0: the day after is breached", "2026-05-31", 91, -1, 0, ClockStatus.BREACHED],
    ["margin 30: 29 left is at risk", "2026-05-01", 61, 29, 30, ClockStatus.AT_RISK],
    ["margin 30: 30 left is within", "2026-04-30", 60, 30, 30, ClockStatus.WITHIN_LIMIT],
  ] as const)("%s", (_label, today, daysWaited, daysLeft, margin, status) => {
    const r = read({ decisionDate: "2026-03-01" }, today, RULES, margin);
    expect(r.deadline).toBe("2026-05-30");
    expect(r.daysWaited).toBe(daysWaited);
    expect(r.daysLeft).toBe(daysLeft);
    expect(r.status).toBe(status);
  });

  it("Halland 60: the deadline day 30 April is within, 1 May is breached", () => {
    expect(read({ homeRegionCode: HALLAND }, "2026-04-30", RULES, 0)).toMatchObject({ daysLeft: 0, status: ClockStatus.WITHIN_LIMIT });
    expect(read({ homeRegionCode: HALLAND }, "2026-05-01", RULES, 0)).toMatchObject({ daysLeft: -1, status: ClockStatus.BREACHED });
  });
});

describe("medically caused wait (medicinskt orsakad väntan)", () => {
  const started = ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-11");

  it.each([
    ["on the day it starts: nothing paused yet", "2026-03-11", 0, "2026-05-30", 10],
    ["one day in", "2026-03-12", 1, "2026-05-31", 10],
    ["ten days in", "2026-03-21", 10, "2026-06-09", 10],
    ["eleven days in", "2026-03-22", 11, "2026-06-10", 10],
    ["still paused past the original deadline", "2026-06-15", 96, "2026-09-03", 10],
  ] as const)("an open pause moves the deadline day for day: %s", (_label, today, pausedDays, deadline, daysWaited) => {
    const r = read({ events: [started] }, today);
    expect(r.status).toBe(ClockStatus.PAUSED_MEDICAL);
    expect(r.pausedDays).toBe(pausedDays);
    expect(r.deadline).toBe(deadline);
    expect(r.daysWaited).toBe(daysWaited);
    expect(r.daysLeft).toBe(90 - daysWaited);
  });

  it("a closed pause moves the deadline by exactly the paused days (11 → 25 March: 14 days)", () => {
    const events = [started, ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-25")];
    const r = read({ events }, "2026-04-10");
    expect(r).toMatchObject({ status: ClockStatus.WITHIN_LIMIT, pausedDays: 14, deadline: "2026-06-13", daysWaited: 26, daysLeft: 64 });
    // Later readings keep the same deadline: the pause is over.
    expect(read({ events }, "2026-06-13")).toMatchObject({
      pausedDays: 14,
      deadline: "2026-06-13",
      daysLeft: 0,
      status: ClockStatus.AT_RISK,
    });
    expect(read({ events }, "2026-06-14")).toMatchObject({
      pausedDays: 14,
      deadline: "2026-06-13",
      daysLeft: -1,
      status: ClockStatus.BREACHED,
    });
  });

  it("two pauses one after the other add up (10 + 5 days)", () => {
    const events = [
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-11"),
      ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-21"),
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-04-01"),
      ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-04-06"),
    ];
    expect(read({ events }, "2026-04-10")).toMatchObject({
      pausedDays: 15,
      deadline: "2026-06-14",
      daysWaited: 25,
      status: ClockStatus.WITHIN_LIMIT,
    });
  });

  it("a pause dated before the start counts only from the start", () => {
    const closed = [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-02-20"), ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-06")];
    expect(read({ events: closed }, "2026-03-10")).toMatchObject({ pausedDays: 5, deadline: "2026-06-04", daysWaited: 4 });
    const open = [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-02-20")];
    expect(read({ events: open }, "2026-03-04")).toMatchObject({
      status: ClockStatus.PAUSED_MEDICAL,
      pausedDays: 3,
      deadline: "2026-06-02",
      daysWaited: 0,
    });
    const wholly = [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-02-10"), ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-02-20")];
    expect(read({ events: wholly }, "2026-03-10")).toMatchObject({ pausedDays: 0, deadline: "2026-05-30", daysWaited: 9 });
  });

  it("a pause on a Halland treatment moves Halland's 60-day deadline", () => {
    const events = [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-05-01"), ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-05-08")];
    expect(
      read({ visitType: VisitType.TREATMENT, homeRegionCode: HALLAND, decisionDate: "2026-04-15", events }, "2026-05-10"),
    ).toMatchObject({
      limitDays: 60,
      pausedDays: 7,
      deadline: "2026-06-21",
      daysWaited: 18,
      daysLeft: 42,
    });
  });
});

describe("patient-chosen wait (patientvald väntan)", () => {
  it("an open wait moves the deadline day for day and shows PATIENT_CHOSEN_WAIT", () => {
    const events = [ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-04-01")];
    expect(read({ events }, "2026-04-20")).toMatchObject({
      status: ClockStatus.PATIENT_CHOSEN_WAIT,
      pausedDays: 19,
      deadline: "2026-06-18",
      daysWaited: 31,
      daysLeft: 59,
    });
    expect(read({ events }, "2026-04-21")).toMatchObject({
      status: ClockStatus.PATIENT_CHOSEN_WAIT,
      pausedDays: 20,
      deadline: "2026-06-19",
      daysWaited: 31,
    });
  });

  it("a closed wait moves the deadline by exactly its days (1 → 21 April: 20 days), with the new deadline day still within", () => {
    const events = [
      ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-04-01"),
      ev(ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, "2026-04-21"),
    ];
    expect(read({ events }, "2026-06-19")).toMatchObject({
      status: ClockStatus.AT_RISK,
      pausedDays: 20,
      deadline: "2026-06-19",
      daysWaited: 90,
      daysLeft: 0,
    });
    expect(read({ events }, "2026-06-20")).toMatchObject({
      status: ClockStatus.BREACHED,
      pausedDays: 20,
      deadline: "2026-06-19",
      daysWaited: 91,
      daysLeft: -1,
    });
  });

  it("a medical pause and a patient-chosen wait, one after the other, add up", () => {
    const events = [
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-11"),
      ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-21"),
      ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-04-01"),
      ev(ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, "2026-04-06"),
    ];
    expect(read({ events }, "2026-04-10")).toMatchObject({
      status: ClockStatus.WITHIN_LIMIT,
      pausedDays: 15,
      deadline: "2026-06-14",
      daysWaited: 25,
    });
  });
});

describe("forfeiting and restarting after regret", () => {
  it("a forfeited guarantee shows FORFEITED, even long after the deadline", () => {
    const events = [ev(ClockEventKind.FORFEITED, "2026-04-01")];
    expect(read({ events }, "2026-04-02").status).toBe(ClockStatus.FORFEITED);
    expect(read({ events }, "2026-08-01").status).toBe(ClockStatus.FORFEITED);
  });

  it("forfeiting drops a booking", () => {
    const events = [ev(ClockEventKind.CARE_BOOKED, "2026-04-20"), ev(ClockEventKind.FORFEITED, "2026-04-01")];
    expect(read({ events }, "2026-04-02")).toMatchObject({ status: ClockStatus.FORFEITED, bookedFor: null });
  });

  it("a restart starts a new clock from the new contact: no credit for earlier waiting, earlier pauses forgotten", () => {
    const events = [
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-05"),
      ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-15"),
      ev(ClockEventKind.FORFEITED, "2026-04-01"),
      ev(ClockEventKind.RESTARTED, "2026-04-20"),
    ];
    expect(read({ events }, "2026-04-30")).toMatchObject({
      applies: true,
      status: ClockStatus.WITHIN_LIMIT,
      startDate: "2026-04-20",
      startedBy: ClockStart.NEW_CONTACT,
      restarted: true,
      limitDays: 90,
      pausedDays: 0,
      deadline: "2026-07-19",
      daysWaited: 10,
      daysLeft: 80,
    });
  });

  it("a pause still open when the patient declined is forgotten by the restart", () => {
    const events = [
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-20"),
      ev(ClockEventKind.FORFEITED, "2026-04-01"),
      ev(ClockEventKind.RESTARTED, "2026-04-20"),
    ];
    expect(read({ events }, "2026-04-30")).toMatchObject({ status: ClockStatus.WITHIN_LIMIT, pausedDays: 0, deadline: "2026-07-19" });
  });

  it("a pause after the restart moves the new deadline", () => {
    const events = [
      ev(ClockEventKind.FORFEITED, "2026-04-01"),
      ev(ClockEventKind.RESTARTED, "2026-04-20"),
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-05-01"),
      ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-05-11"),
    ];
    expect(read({ events }, "2026-05-20")).toMatchObject({
      startDate: "2026-04-20",
      pausedDays: 10,
      deadline: "2026-07-29",
      daysWaited: 20,
    });
  });

  it("a restart drops an earlier booking", () => {
    const events = [
      ev(ClockEventKind.CARE_BOOKED, "2026-05-01"),
      ev(ClockEventKind.FORFEITED, "2026-04-01"),
      ev(ClockEventKind.RESTARTED, "2026-04-20"),
      ev(ClockEventKind.CARE_BOOKED, "2026-05-01"),
    ];
    expect(read({ events: events.slice(0, 3) }, "2026-04-25")).toMatchObject({ bookedFor: null, status: ClockStatus.WITHIN_LIMIT });
    expect(read({ events }, "2026-04-25")).toMatchObject({ bookedFor: "2026-05-01", status: ClockStatus.MET });
  });

  it("a restarted Halland clock uses 60 days from the new contact", () => {
    const events = [ev(ClockEventKind.FORFEITED, "2026-04-01"), ev(ClockEventKind.RESTARTED, "2026-04-20")];
    expect(read({ homeRegionCode: HALLAND, events }, "2026-04-20")).toMatchObject({
      startDate: "2026-04-20",
      limitDays: 60,
      deadline: "2026-06-19",
      daysWaited: 0,
      daysLeft: 60,
    });
  });

  it("a restart long after the old deadline is not breached: the old waiting is not counted", () => {
    const events = [ev(ClockEventKind.FORFEITED, "2026-04-01"), ev(ClockEventKind.RESTARTED, "2026-07-01")];
    expect(read({ events }, "2026-07-02")).toMatchObject({
      status: ClockStatus.WITHIN_LIMIT,
      daysWaited: 1,
      daysLeft: 89,
      deadline: "2026-09-29",
    });
  });
});

describe("overlapping pauses and rules after a restart", () => {
  it("counts a day in both a medically caused and a patient-chosen wait once (11–25 March not counted: 14 days)", () => {
    const r = read(
      {
        decisionDate: "2026-03-01",
        events: [
          ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-11"),
          ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-03-15"),
          ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-21"),
          ev(ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, "2026-03-25"),
        ],
      },
      "2026-04-10",
    );
    expect(r).toMatchObject({ pausedDays: 14, deadline: "2026-06-13", daysWaited: 26, daysLeft: 64, status: ClockStatus.WITHIN_LIMIT });
  });

  it("counts one open pause inside another once (medical 11–25 March open patient-chosen from 15 March, read 20 March)", () => {
    const r = read(
      {
        decisionDate: "2026-03-01",
        events: [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-11"), ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-03-15")],
      },
      "2026-03-20",
    );
    expect(r).toMatchObject({ pausedDays: 9, deadline: "2026-06-08", daysWaited: 10, status: ClockStatus.PAUSED_MEDICAL });
  });

  it("a restarted clock runs under the rules in force on the day of the new contact", () => {
    const until = rule({ id: "halland-old", regionCode: HALLAND, days: 60, validUntil: "2026-03-31" });
    const strict = rule({ id: "halland-new", regionCode: HALLAND, days: 45, validFrom: "2026-04-01" });
    const r = read(
      {
        homeRegionCode: HALLAND,
        decisionDate: "2026-03-01",
        events: [ev(ClockEventKind.FORFEITED, "2026-03-20"), ev(ClockEventKind.RESTARTED, "2026-04-05")],
      },
      "2026-04-05",
      [NATIONAL, until, strict],
    );
    expect(r).toMatchObject({ startDate: "2026-04-05", limitDays: 45, deadline: "2026-05-20", restarted: true });
  });
});

describe("a regret's date", () => {
  it("cannot be before the day the patient declined", () => {
    const events = [ev(ClockEventKind.FORFEITED, "2026-03-20")];
    const reading = read({ decisionDate: "2026-03-01", events }, "2026-04-01");
    expect(clockEventProblem(reading, events, ev(ClockEventKind.RESTARTED, "2026-03-19"), "2026-04-01")).toMatch(/declined on 2026-03-20/);
    expect(clockEventProblem(reading, events, ev(ClockEventKind.RESTARTED, "2026-03-20"), "2026-04-01")).toBeNull();
  });
});

describe("booked care", () => {
  it.each([
    ["well before the deadline", "2026-04-15", ClockStatus.MET],
    ["on the deadline", "2026-05-30", ClockStatus.MET],
    ["one day after the deadline", "2026-05-31", ClockStatus.BREACHED],
  ] as const)("booked %s", (_label, bookedFor, status) => {
    const r = read({ events: [ev(ClockEventKind.CARE_BOOKED, bookedFor)] }, "2026-04-01");
    expect(r.bookedFor).toBe(bookedFor);
    expect(r.status).toBe(status);
  });

  it("a booking in time stays MET after the deadline has passed", () => {
    expect(read({ events: [ev(ClockEventKind.CARE_BOOKED, "2026-05-20")] }, "2026-06-15").status).toBe(ClockStatus.MET);
  });

  it("a paused deadline counts for the booking: 10 paused days make 9 June in time", () => {
    const events = [
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-11"),
      ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-21"),
      ev(ClockEventKind.CARE_BOOKED, "2026-06-09"),
    ];
    expect(read({ events }, "2026-04-01")).toMatchObject({ deadline: "2026-06-09", status: ClockStatus.MET });
    const late = [...events.slice(0, 2), ev(ClockEventKind.CARE_BOOKED, "2026-06-10")];
    expect(read({ events: late }, "2026-04-01")).toMatchObject({ deadline: "2026-06-09", status: ClockStatus.BREACHED });
  });

  it("a cancelled booking returns to waiting", () => {
    const events = [ev(ClockEventKind.CARE_BOOKED, "2026-05-31"), ev(ClockEventKind.BOOKING_CANCELLED, "2026-04-01")];
    expect(read({ events }, "2026-04-01")).toMatchObject({ bookedFor: null, status: ClockStatus.WITHIN_LIMIT, daysLeft: 59 });
    expect(read({ events }, "2026-05-20")).toMatchObject({ bookedFor: null, status: ClockStatus.AT_RISK, daysLeft: 10 });
    expect(read({ events }, "2026-06-01")).toMatchObject({ bookedFor: null, status: ClockStatus.BREACHED, daysLeft: -2 });
  });

  it("a new booking after a cancelled one counts", () => {
    const events = [
      ev(ClockEventKind.CARE_BOOKED, "2026-06-10"),
      ev(ClockEventKind.BOOKING_CANCELLED, "2026-04-01"),
      ev(ClockEventKind.CARE_BOOKED, "2026-05-10"),
    ];
    expect(read({ events }, "2026-04-02")).toMatchObject({ bookedFor: "2026-05-10", status: ClockStatus.MET });
  });
});

describe("clockEventProblem", () => {
  const today = "2026-04-01";
  const problem = (events: ClockEvent[], event: ClockEvent, overrides: Partial<ClockInput> = {}, on = today) =>
    clockEventProblem(read({ ...overrides, events }, on), events, event, on);

  it("accepts an ordinary pause dated today or earlier", () => {
    expect(problem([], ev(ClockEventKind.MEDICAL_PAUSE_STARTED, today))).toBeNull();
    expect(problem([], ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-03-15"))).toBeNull();
    expect(problem([], ev(ClockEventKind.FORFEITED, today))).toBeNull();
  });

  it("refuses a date in the future", () => {
    expect(problem([], ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-04-02"))).toBe("a clock event cannot be dated in the future");
  });

  it("refuses anything when the guarantee does not apply", () => {
    expect(problem([], ev(ClockEventKind.MEDICAL_PAUSE_STARTED, today), { category: CareCategory.EMERGENCY })).toBe(
      "the care guarantee does not apply to this referral",
    );
  });

  it("refuses a date before the clock's start, naming the start", () => {
    expect(problem([], ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-02-28"))).toBe(
      "the clock started on 2026-03-01; the date cannot be earlier",
    );
    expect(problem([], ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-01"))).toBeNull();
  });

  it("after a restart, the restart date is the start that counts", () => {
    const events = [ev(ClockEventKind.FORFEITED, "2026-03-10"), ev(ClockEventKind.RESTARTED, "2026-03-20")];
    expect(problem(events, ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-19"))).toBe(
      "the clock started on 2026-03-20; the date cannot be earlier",
    );
    expect(problem(events, ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-20"))).toBeNull();
  });

  it("restarts only a forfeited guarantee", () => {
    expect(problem([], ev(ClockEventKind.RESTARTED, today))).toMatch(/only a forfeited guarantee can restart/);
    expect(problem([ev(ClockEventKind.FORFEITED, "2026-03-15")], ev(ClockEventKind.RESTARTED, today))).toBeNull();
    expect(
      problem(
        [ev(ClockEventKind.FORFEITED, "2026-03-15"), ev(ClockEventKind.RESTARTED, "2026-03-20")],
        ev(ClockEventKind.RESTARTED, today),
      ),
    ).toMatch(/only a forfeited/);
  });

  it("refuses forfeiting twice", () => {
    expect(problem([ev(ClockEventKind.FORFEITED, "2026-03-15")], ev(ClockEventKind.FORFEITED, today))).toBe(
      "the guarantee is already forfeited",
    );
  });

  it("refuses a pause on a forfeited guarantee", () => {
    const events = [ev(ClockEventKind.FORFEITED, "2026-03-15")];
    expect(problem(events, ev(ClockEventKind.MEDICAL_PAUSE_STARTED, today))).toBe("the guarantee is forfeited");
    expect(problem(events, ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, today))).toBe("the guarantee is forfeited");
  });

  it("refuses a second pause of the same kind while one is open", () => {
    expect(problem([ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-10")], ev(ClockEventKind.MEDICAL_PAUSE_STARTED, today))).toBe(
      "a medically caused wait is already registered",
    );
    expect(
      problem([ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-03-10")], ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, today)),
    ).toBe("a patient-chosen wait is already registered");
  });

  it("allows a new pause once the earlier one has ended, or after a restart closed it", () => {
    const ended = [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-10"), ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-12")];
    expect(problem(ended, ev(ClockEventKind.MEDICAL_PAUSE_STARTED, today))).toBeNull();
    const restarted = [
      ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-10"),
      ev(ClockEventKind.FORFEITED, "2026-03-12"),
      ev(ClockEventKind.RESTARTED, "2026-03-20"),
    ];
    expect(problem(restarted, ev(ClockEventKind.MEDICAL_PAUSE_STARTED, today))).toBeNull();
  });

  it("refuses ending a pause that is not open", () => {
    expect(problem([], ev(ClockEventKind.MEDICAL_PAUSE_ENDED, today))).toBe("no medically caused wait is registered");
    expect(problem([], ev(ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, today))).toBe("no patient-chosen wait is registered");
    const ended = [ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-10"), ev(ClockEventKind.MEDICAL_PAUSE_ENDED, "2026-03-12")];
    expect(problem(ended, ev(ClockEventKind.MEDICAL_PAUSE_ENDED, today))).toBe("no medically caused wait is registered");
    // A patient-chosen wait does not open a medical one, and vice versa.
    expect(problem([ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-03-10")], ev(ClockEventKind.MEDICAL_PAUSE_ENDED, today))).toBe(
      "no medically caused wait is registered",
    );
    expect(problem([ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-10")], ev(ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, today))).toBe(
      "no patient-chosen wait is registered",
    );
  });

  it("accepts ending an open pause", () => {
    expect(problem([ev(ClockEventKind.MEDICAL_PAUSE_STARTED, "2026-03-10")], ev(ClockEventKind.MEDICAL_PAUSE_ENDED, today))).toBeNull();
    expect(
      problem([ev(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, "2026-03-10")], ev(ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, today)),
    ).toBeNull();
  });

  it("accepts a booking and its cancellation", () => {
    expect(problem([], ev(ClockEventKind.CARE_BOOKED, today))).toBeNull();
    expect(problem([ev(ClockEventKind.CARE_BOOKED, "2026-03-20")], ev(ClockEventKind.BOOKING_CANCELLED, today))).toBeNull();
  });
});
