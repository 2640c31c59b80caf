/**
 * The care-guarantee clock (vårdgarantin), as plain functions over dates. Legal basis: HSL
 * 2017:30 9 kap. 1–3 §§, Patientlagen 2014:821 2 kap. 3–4 §§, HSF 2017:80 6 kap. All dates are
 * calendar dates (YYYY-MM-DD) in Swedish time; the caller decides what "today" is.
 *
 * Day arithmetic: the start date is day 0, so a 90-day limit from 1 March ends on 30 May; care on
 * the deadline itself is in time. Days the clock is paused (medically caused wait, patient-chosen
 * wait) push the deadline back day for day.
 */

import { addDays, daysBetween } from "../../shared/domain/calendar";
import { VisitType } from "../../shared/domain/enums";
import { Specialty } from "../../shared/domain/specialty";

/** What kind of care a referral asks for: decides whether the guarantee applies at all. */
export enum CareCategory {
  /** Planned specialised care: a first visit or a treatment/operation. Covered. */
  PLANNED_CARE = "PLANNED_CARE",
  /** An investigation that routinely turns into treatment in the same session (colonoscopy, angiography with stent, diagnostic laparoscopy). Covered. */
  INVESTIGATION_WITH_TREATMENT = "INVESTIGATION_WITH_TREATMENT",
  /** Fitting of hearing aids: the one aid that is covered. */
  HEARING_AID_FITTING = "HEARING_AID_FITTING",
  /** Dental care that is part of a medical investigation or treatment. Covered. */
  DENTAL_IN_MEDICAL_CARE = "DENTAL_IN_MEDICAL_CARE",
  /** Investigations and examinations (utredning). Not covered nationally. */
  INVESTIGATION = "INVESTIGATION",
  /** Follow-up visits and check-ups (återbesök). Not covered. */
  FOLLOW_UP = "FOLLOW_UP",
  /** Emergency care (akut vård). Not covered. */
  EMERGENCY = "EMERGENCY",
  /** Medical service: X-ray, laboratory (medicinsk service). Not covered. */
  MEDICAL_SERVICE = "MEDICAL_SERVICE",
  /** Sampling and tests (provtagning). Not covered. */
  SAMPLING_AND_TESTS = "SAMPLING_AND_TESTS",
  /** Aids other than hearing-aid fitting (hjälpmedel). Not covered. */
  AIDS = "AIDS",
  /** Dental care (tandvård) outside medical care. Not covered. */
  DENTAL = "DENTAL",
  /** Mandatory patient education. Not covered. */
  PATIENT_EDUCATION = "PATIENT_EDUCATION",
  /** Care the patient sought in another region on own initiative. Not covered. */
  OWN_INITIATIVE_OTHER_REGION = "OWN_INITIATIVE_OTHER_REGION",
  /** Private care without regional financing. Not covered. */
  PRIVATE_WITHOUT_REGIONAL_FINANCING = "PRIVATE_WITHOUT_REGIONAL_FINANCING",
}

const COVERED = new Set<CareCategory>([
  CareCategory.PLANNED_CARE,
  CareCategory.INVESTIGATION_WITH_TREATMENT,
  CareCategory.HEARING_AID_FITTING,
  CareCategory.DENTAL_IN_MEDICAL_CARE,
]);

/** Whether the national guarantee covers a category of care. */
export function nationallyCovered(category: CareCategory): boolean {
  return COVERED.has(category);
}

/** How the first-visit clock was started: by the referral decision, or by a self-referral's arrival. */
export enum ReferralOrigin {
  /** A referral decided with the patient (remissbeslut). */
  REFERRAL = "REFERRAL",
  /** The patient's own request for care (egen vårdbegäran): the clock starts when it arrives. */
  SELF_REFERRAL = "SELF_REFERRAL",
}

/**
 * A time limit, as data: the national 90 days, a region's stricter target, a care area's rule
 * (e.g. BUP 30 days). Null matches anything. A rule may also extend the guarantee to categories
 * the national one excludes (Region Halland's regional guarantee covers investigations).
 */
export interface GuaranteeLimitRule {
  id: string;
  /** Human name, e.g. "Vårdgarantin (nationell)" or "Region Hallands vårdgaranti". */
  name: string;
  regionCode: string | null;
  specialty: Specialty | null;
  step: VisitType | null;
  days: number;
  /** Categories outside the national guarantee that this rule covers too. */
  extendsTo: readonly CareCategory[];
  validFrom: string | null;
  validUntil: string | null;
}

export enum ClockEventKind {
  /** Medically caused wait (medicinskt orsakad väntan) begins: not counted. */
  MEDICAL_PAUSE_STARTED = "MEDICAL_PAUSE_STARTED",
  MEDICAL_PAUSE_ENDED = "MEDICAL_PAUSE_ENDED",
  /** Patient-chosen wait (patientvald väntan) begins: not counted. */
  PATIENT_CHOSEN_WAIT_STARTED = "PATIENT_CHOSEN_WAIT_STARTED",
  PATIENT_CHOSEN_WAIT_ENDED = "PATIENT_CHOSEN_WAIT_ENDED",
  /** The patient declined an offer of care elsewhere and chose to wait: the limits no longer apply. */
  FORFEITED = "FORFEITED",
  /** The patient regretted and got in touch again: a new clock from that date, no credit for time waited. */
  RESTARTED = "RESTARTED",
  /** Care booked for a date. */
  CARE_BOOKED = "CARE_BOOKED",
  /** A booking was undone (the referral went back to waiting). */
  BOOKING_CANCELLED = "BOOKING_CANCELLED",
}

/** A registered fact about the clock, in the order it was registered; `date` is when it takes effect. */
export interface ClockEvent {
  kind: ClockEventKind;
  date: string;
}

export interface ClockInput {
  visitType: VisitType;
  specialty: Specialty;
  category: CareCategory;
  homeRegionCode: string;
  origin: ReferralOrigin;
  /** Referral decision (first visit) or treatment decision (treatment). */
  decisionDate: string;
  /** Arrival of a self-referral (first visits with origin SELF_REFERRAL). */
  selfReferralArrivalDate: string | null;
  events: readonly ClockEvent[];
}

export enum ClockStatus {
  /** The guarantee does not apply to this care (`exclusion` says why). */
  NOT_APPLICABLE = "NOT_APPLICABLE",
  WITHIN_LIMIT = "WITHIN_LIMIT",
  /** Fewer days left than the at-risk margin. */
  AT_RISK = "AT_RISK",
  /** The deadline has passed without care, or care is booked after it. */
  BREACHED = "BREACHED",
  PAUSED_MEDICAL = "PAUSED_MEDICAL",
  PATIENT_CHOSEN_WAIT = "PATIENT_CHOSEN_WAIT",
  /** The patient declined an offer: the limits no longer apply until the patient regrets. */
  FORFEITED = "FORFEITED",
  /** Care is booked on or before the deadline. */
  MET = "MET",
}

export enum ClockStart {
  REFERRAL_DECISION = "REFERRAL_DECISION",
  SELF_REFERRAL_ARRIVAL = "SELF_REFERRAL_ARRIVAL",
  TREATMENT_DECISION = "TREATMENT_DECISION",
  /** The date the patient got in touch again after declining (regret). */
  NEW_CONTACT = "NEW_CONTACT",
}

export interface ClockReading {
  applies: boolean;
  /** Why not, when the guarantee does not apply. */
  exclusion: CareCategory | null;
  status: ClockStatus;
  startDate: string | null;
  startedBy: ClockStart | null;
  /** Whether the clock was restarted after the patient regretted. */
  restarted: boolean;
  limitDays: number | null;
  /** The rule that set the limit (the strictest that applies). */
  limitRule: GuaranteeLimitRule | null;
  deadline: string | null;
  /** Days counted so far (paused days excluded). */
  daysWaited: number | null;
  /** Days left to the deadline (negative once breached). */
  daysLeft: number | null;
  /** Days not counted so far (medically caused or patient-chosen wait). */
  pausedDays: number;
  /** The booked date of care, if any. */
  bookedFor: string | null;
  /** Every rule that applied to this reading, in the order the clock applied them, with why. */
  applied: AppliedRule[];
}

/** The rules of the clock, as named in a reading's explanation. */
export enum ClockRule {
  /** The kind of care is covered by the national guarantee. */
  COVERED_CARE = "COVERED_CARE",
  /** The kind of care is excluded, and no regional rule covers it. */
  EXCLUDED_CARE = "EXCLUDED_CARE",
  /** The kind of care is excluded nationally but a regional rule covers it (Halland's investigations). */
  REGIONAL_EXTENSION = "REGIONAL_EXTENSION",
  /** Which limit applies: the strictest rule in force on the clock's start date. */
  STRICTEST_LIMIT = "STRICTEST_LIMIT",
  /** What started the first clock (referral or treatment decision, self-referral's arrival). */
  CLOCK_START = "CLOCK_START",
  /** Days of medically caused wait are not counted. */
  MEDICAL_PAUSE = "MEDICAL_PAUSE",
  /** Days of patient-chosen wait are not counted. */
  PATIENT_CHOSEN_WAIT = "PATIENT_CHOSEN_WAIT",
  /** A declined offer: the limits no longer apply. */
  FORFEIT = "FORFEIT",
  /** A regret: a new clock from the new contact, no credit for time waited. */
  RESTART = "RESTART",
  /** Care booked for a date (met if on or before the deadline). */
  BOOKING = "BOOKING",
  /** A booking undone. */
  BOOKING_CANCELLED = "BOOKING_CANCELLED",
  /** The deadline: start + limit + paused days; the start is day 0. */
  DEADLINE = "DEADLINE",
  /** How the status was decided on the reading day. */
  STATUS = "STATUS",
}

export interface AppliedRule {
  rule: ClockRule;
  /** The date the rule took effect on, when it has one. */
  date: string | null;
  explanation: string;
}

/** The rules that apply to a case on a date; the strictest (fewest days) wins. */
export function applicableLimit(
  rules: readonly GuaranteeLimitRule[],
  c: Pick<ClockInput, "homeRegionCode" | "specialty" | "visitType" | "category">,
  onDate: string,
): GuaranteeLimitRule | null {
  const national = nationallyCovered(c.category);
  const matching = rules.filter(
    (r) =>
      (r.regionCode === null || r.regionCode === c.homeRegionCode) &&
      (r.specialty === null || r.specialty === c.specialty) &&
      (r.step === null || r.step === c.visitType) &&
      (r.validFrom === null || r.validFrom <= onDate) &&
      (r.validUntil === null || onDate <= r.validUntil) &&
      (national || r.extendsTo.includes(c.category)),
  );
  if (matching.length === 0) return null;
  return matching.reduce((best, r) => (r.days < best.days || (r.days === best.days && r.id < best.id) ? r : best));
}

/** The day the first clock starts, and what started it. */
export function clockStart(c: Pick<ClockInput, "visitType" | "origin" | "decisionDate" | "selfReferralArrivalDate">): {
  date: string;
  by: ClockStart;
} {
  if (c.visitType === VisitType.TREATMENT) return { date: c.decisionDate, by: ClockStart.TREATMENT_DECISION };
  if (c.origin === ReferralOrigin.SELF_REFERRAL && c.selfReferralArrivalDate)
    return { date: c.selfReferralArrivalDate, by: ClockStart.SELF_REFERRAL_ARRIVAL };
  // A referral sent back for completion keeps this start: the decision, not the arrival.
  return { date: c.decisionDate, by: ClockStart.REFERRAL_DECISION };
}

const EMPTY = {
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
};

const START_WORDS: Record<ClockStart, string> = {
  [ClockStart.REFERRAL_DECISION]: "the referral decision (remissbeslut); a referral sent back for completion keeps it",
  [ClockStart.SELF_REFERRAL_ARRIVAL]: "the arrival of the self-referral (egen vårdbegäran)",
  [ClockStart.TREATMENT_DECISION]: "the treatment decision taken with the patient",
  [ClockStart.NEW_CONTACT]: "the day the patient got in touch again",
};

const category = (c: CareCategory) => c.toLowerCase().replace(/_/g, " ");

/**
 * Reads the clock on `today`. `marginDays`: fewer days left than this (but not yet breached) is
 * AT_RISK. Events are applied in the order given; events dated before the clock's (re)start only
 * count from the start.
 */
export function readClock(input: ClockInput, rules: readonly GuaranteeLimitRule[], today: string, marginDays: number): ClockReading {
  const first = clockStart(input);
  let start = first.date;
  let startedBy = first.by;
  let restarted = false;
  let forfeited = false;
  let bookedFor: string | null = null;
  // Open pauses by kind, and closed ones as day ranges [from, to): a day in both a medically
  // caused and a patient-chosen wait is still one day not counted.
  let medicalSince: string | null = null;
  let choiceSince: string | null = null;
  let closed: Array<[string, string]> = [];
  // The explanation, built as the clock goes: cheap strings, read only by those who ask for them.
  let events: AppliedRule[] = [];
  const note = (rule: ClockRule, date: string | null, explanation: string) => events.push({ rule, date, explanation });

  for (const event of input.events) {
    switch (event.kind) {
      case ClockEventKind.MEDICAL_PAUSE_STARTED:
        medicalSince ??= event.date;
        note(ClockRule.MEDICAL_PAUSE, event.date, `A medically caused wait began on ${event.date}: its days are not counted.`);
        break;
      case ClockEventKind.MEDICAL_PAUSE_ENDED:
        if (medicalSince !== null) closed.push([medicalSince, event.date]);
        if (medicalSince !== null)
          note(
            ClockRule.MEDICAL_PAUSE,
            event.date,
            `The medically caused wait from ${medicalSince} ended on ${event.date}: ${daysBetween(medicalSince, event.date)} days not counted.`,
          );
        medicalSince = null;
        break;
      case ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED:
        choiceSince ??= event.date;
        note(ClockRule.PATIENT_CHOSEN_WAIT, event.date, `A patient-chosen wait began on ${event.date}: its days are not counted.`);
        break;
      case ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED:
        if (choiceSince !== null) closed.push([choiceSince, event.date]);
        if (choiceSince !== null)
          note(
            ClockRule.PATIENT_CHOSEN_WAIT,
            event.date,
            `The patient-chosen wait from ${choiceSince} ended on ${event.date}: ${daysBetween(choiceSince, event.date)} days not counted.`,
          );
        choiceSince = null;
        break;
      case ClockEventKind.FORFEITED:
        forfeited = true;
        bookedFor = null;
        note(
          ClockRule.FORFEIT,
          event.date,
          `The patient declined an offer of care on ${event.date} and chose to wait: the limits no longer apply unless the patient regrets.`,
        );
        break;
      case ClockEventKind.RESTARTED:
        // A new clock from the new contact: nothing waited or paused before it counts.
        start = event.date;
        startedBy = ClockStart.NEW_CONTACT;
        restarted = true;
        forfeited = false;
        medicalSince = null;
        choiceSince = null;
        closed = [];
        bookedFor = null;
        // What came before no longer counts, so neither does its explanation.
        events = [];
        note(
          ClockRule.RESTART,
          event.date,
          `The patient regretted and got in touch again on ${event.date}: a new clock from that day (day 0); time waited and paused before it is not credited.`,
        );
        break;
      case ClockEventKind.CARE_BOOKED:
        bookedFor = event.date;
        note(ClockRule.BOOKING, event.date, `Care booked for ${event.date}.`);
        break;
      case ClockEventKind.BOOKING_CANCELLED:
        if (bookedFor !== null) note(ClockRule.BOOKING_CANCELLED, event.date, `The booking for ${bookedFor} was undone on ${event.date}.`);
        bookedFor = null;
        break;
    }
  }
  const applied: AppliedRule[] = [];
  const covered = nationallyCovered(input.category);
  // The limit in force when the running clock started (a restarted clock starts under today's rules).
  const rule = applicableLimit(rules, input, start);
  if (!rule) {
    const why = covered
      ? `No limit rule for ${input.visitType.toLowerCase().replace(/_/g, " ")} in region ${input.homeRegionCode} is in force on ${start}.`
      : `The care guarantee does not cover ${category(input.category)}, and no rule of region ${input.homeRegionCode} extends it to it.`;
    applied.push({ rule: covered ? ClockRule.STRICTEST_LIMIT : ClockRule.EXCLUDED_CARE, date: null, explanation: why });
    return { ...EMPTY, applies: false, exclusion: covered ? null : input.category, status: ClockStatus.NOT_APPLICABLE, applied };
  }
  applied.push(
    covered
      ? { rule: ClockRule.COVERED_CARE, date: null, explanation: `The care guarantee covers ${category(input.category)}.` }
      : {
          rule: ClockRule.REGIONAL_EXTENSION,
          date: null,
          explanation: `${category(input.category)} is outside the national guarantee, but ${rule.name} covers it.`,
        },
  );
  if (!restarted)
    applied.push({
      rule: ClockRule.CLOCK_START,
      date: first.date,
      explanation: `The clock started on ${first.date} (day 0): ${START_WORDS[first.by]}.`,
    });
  applied.push({
    rule: ClockRule.STRICTEST_LIMIT,
    date: start,
    explanation: `${rule.name}: ${rule.days} days, the strictest limit in force on ${start} for this care (regions may set shorter limits, never longer).`,
  });
  applied.push(...events);

  const open: Array<[string, string]> = [medicalSince, choiceSince].flatMap((since) =>
    since === null ? [] : [[since, today] as [string, string]],
  );
  const pausedDays = coveredDays([...closed, ...open], start);
  const limitDays = rule.days;
  const deadline = addDays(start, limitDays + pausedDays);
  const daysWaited = Math.max(0, daysBetween(start, today) - pausedDays);
  const daysLeft = limitDays - daysWaited;
  const base = {
    applies: true,
    exclusion: null,
    startDate: start,
    startedBy,
    restarted,
    limitDays,
    limitRule: rule,
    deadline,
    daysWaited,
    daysLeft,
    pausedDays,
    bookedFor,
    applied,
  };
  const openWaits = [medicalSince, choiceSince].filter((d) => d !== null);
  applied.push({
    rule: ClockRule.DEADLINE,
    date: deadline,
    explanation: `Deadline ${deadline}: ${start} + ${limitDays} days${pausedDays ? ` + ${pausedDays} days not counted` : ""}${openWaits.length ? ` (a wait still open on ${today} counts up to that day)` : ""}; care on the deadline itself is in time.`,
  });

  let status: ClockStatus;
  let why: string;
  if (forfeited) [status, why] = [ClockStatus.FORFEITED, "the patient declined and has not regretted"];
  else if (medicalSince !== null) [status, why] = [ClockStatus.PAUSED_MEDICAL, `a medically caused wait is open since ${medicalSince}`];
  else if (choiceSince !== null) [status, why] = [ClockStatus.PATIENT_CHOSEN_WAIT, `a patient-chosen wait is open since ${choiceSince}`];
  else if (bookedFor !== null)
    [status, why] =
      bookedFor <= deadline
        ? [ClockStatus.MET, `care is booked for ${bookedFor}, on or before the deadline`]
        : [ClockStatus.BREACHED, `care is booked for ${bookedFor}, after the deadline`];
  else if (daysLeft < 0) [status, why] = [ClockStatus.BREACHED, `${-daysLeft} days past the limit`];
  else if (daysLeft < marginDays) [status, why] = [ClockStatus.AT_RISK, `${daysLeft} days left, fewer than the ${marginDays}-day margin`];
  else [status, why] = [ClockStatus.WITHIN_LIMIT, `${daysLeft} days left`];
  applied.push({ rule: ClockRule.STATUS, date: today, explanation: `On ${today}: ${status}, ${why} (${daysWaited} days counted).` });
  return { ...base, status };
}

/** Days covered by at least one of the ranges [from, to), counting only from `start`. */
function coveredDays(ranges: ReadonlyArray<readonly [string, string]>, start: string): number {
  const clipped = ranges
    .map(([from, to]): [string, string] => [laterOf(from, start), to])
    .filter(([from, to]) => from < to)
    .sort(([a], [b]) => a.localeCompare(b));
  let total = 0;
  let reach: string | null = null;
  for (const [from, to] of clipped) {
    const begin = reach !== null && reach > from ? reach : from;
    if (to > begin) total += daysBetween(begin, to);
    if (reach === null || to > reach) reach = to;
  }
  return total;
}

function laterOf(a: string, b: string): string {
  return a >= b ? a : b;
}

/** Why a clock event cannot be registered now, or null when it can (checked before it is stored). */
export function clockEventProblem(reading: ClockReading, events: readonly ClockEvent[], event: ClockEvent, today: string): string | null {
  return clockEventRule(reading, events, event, today)?.message ?? null;
}

/**
 * The rule a clock event breaks, as a stable code and in words: DATE_IN_FUTURE, BEFORE_CLOCK_START,
 * BEFORE_PREVIOUS_STEP (a pause's end before its start, a regret before the decline), or
 * CLOCK_RULE for a fact that does not fit the clock's state (a second open pause, a pause on a
 * forfeited guarantee…).
 */
export function clockEventRule(
  reading: ClockReading,
  events: readonly ClockEvent[],
  event: ClockEvent,
  today: string,
): { rule: string; message: string } | null {
  const problem = (rule: string, message: string) => ({ rule, message });
  if (event.date > today) return problem("DATE_IN_FUTURE", "a clock event cannot be dated in the future");
  if (!reading.applies) return problem("CLOCK_RULE", "the care guarantee does not apply to this referral");
  if (reading.startDate && event.date < reading.startDate)
    return problem("BEFORE_CLOCK_START", `the clock started on ${reading.startDate}; the date cannot be earlier`);
  const openSince = (started: ClockEventKind, ended: ClockEventKind) => {
    let since: string | null = null;
    for (const e of events) {
      if (e.kind === started) since ??= e.date;
      if (e.kind === ended || e.kind === ClockEventKind.RESTARTED) since = null;
    }
    return since;
  };
  const endedBefore = (started: ClockEventKind, ended: ClockEventKind, what: string) => {
    const since = event.kind === ended ? openSince(started, ended) : null;
    return since !== null && event.date < since
      ? problem("BEFORE_PREVIOUS_STEP", `the ${what} began on ${since}; it cannot end earlier`)
      : null;
  };
  const early =
    endedBefore(ClockEventKind.MEDICAL_PAUSE_STARTED, ClockEventKind.MEDICAL_PAUSE_ENDED, "medically caused wait") ??
    endedBefore(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, "patient-chosen wait");
  if (early) return early;
  const message = stateProblem(reading, events, event);
  if (message === null) return null;
  return problem(
    event.kind === ClockEventKind.RESTARTED && message.startsWith("the patient declined on") ? "BEFORE_PREVIOUS_STEP" : "CLOCK_RULE",
    message,
  );
}

function stateProblem(reading: ClockReading, events: readonly ClockEvent[], event: ClockEvent): string | null {
  const open = (started: ClockEventKind, ended: ClockEventKind) => {
    let isOpen = false;
    for (const e of events) {
      if (e.kind === started) isOpen = true;
      if (e.kind === ended || e.kind === ClockEventKind.RESTARTED) isOpen = false;
    }
    return isOpen;
  };
  const medical = open(ClockEventKind.MEDICAL_PAUSE_STARTED, ClockEventKind.MEDICAL_PAUSE_ENDED);
  const choice = open(ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED);
  switch (event.kind) {
    case ClockEventKind.MEDICAL_PAUSE_STARTED:
      return medical
        ? "a medically caused wait is already registered"
        : reading.status === ClockStatus.FORFEITED
          ? "the guarantee is forfeited"
          : null;
    case ClockEventKind.MEDICAL_PAUSE_ENDED:
      return medical ? null : "no medically caused wait is registered";
    case ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED:
      return choice
        ? "a patient-chosen wait is already registered"
        : reading.status === ClockStatus.FORFEITED
          ? "the guarantee is forfeited"
          : null;
    case ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED:
      return choice ? null : "no patient-chosen wait is registered";
    case ClockEventKind.FORFEITED:
      return reading.status === ClockStatus.FORFEITED ? "the guarantee is already forfeited" : null;
    case ClockEventKind.RESTARTED: {
      if (reading.status !== ClockStatus.FORFEITED) return "only a forfeited guarantee can restart (the patient regretted after declining)";
      const declined = [...events].reverse().find((e) => e.kind === ClockEventKind.FORFEITED)?.date;
      return declined && event.date < declined ? `the patient declined on ${declined}; the new contact cannot be earlier` : null;
    }
    default:
      return null;
  }
}
