/**
 * "What if": the guarantee clock on facts given by the caller instead of a stored referral, for
 * the office's and the clinics' questions ("if we decide today, when is the deadline?", "what does
 * a 14-day medical pause do to it?"). The facts are turned into the same clock events a referral
 * would have registered, each checked by the same rules (clockEventRule) as if registered on its
 * own date, and read by the same clock with the same limits as data. Plain functions.
 */

import { VisitType } from "../../shared/domain/enums";
import { Specialty } from "../../shared/domain/specialty";
import {
  CareCategory,
  ClockEvent,
  ClockEventKind,
  ClockInput,
  clockEventRule,
  GuaranteeLimitRule,
  readClock,
  ReferralOrigin,
} from "./guarantee-clock";

export enum WaitKind {
  /** Medically caused wait (medicinskt orsakad väntan). */
  MEDICAL = "MEDICAL",
  /** Patient-chosen wait (patientvald väntan). */
  PATIENT_CHOSEN = "PATIENT_CHOSEN",
}

export interface WhatIfFacts {
  homeRegionCode: string;
  specialty: Specialty;
  visitType: VisitType;
  careCategory?: CareCategory | null;
  origin?: ReferralOrigin | null;
  /** The referral decision (first visit) or the treatment decision (treatment). */
  decisionDate: string;
  selfReferralArrivalDate?: string | null;
  pauses?: ReadonlyArray<{ kind: WaitKind; from: string; until?: string | null }> | null;
  /** Days the patient declined an offer (each forfeits the guarantee). */
  declines?: readonly string[] | null;
  /** Days the patient got in touch again after declining (each restarts the clock). */
  regrets?: readonly string[] | null;
  /** A booked date of care. */
  bookedFor?: string | null;
}

export interface WhatIfProblem {
  field: string;
  rule: string;
  message: string;
}

type Dated = { event: ClockEvent; field: string; order: number };

/** The order of facts on one day: a decline before the regret that answers it, a wait's start before its end. */
const SAME_DAY_ORDER: Record<ClockEventKind, number> = {
  [ClockEventKind.FORFEITED]: 0,
  [ClockEventKind.RESTARTED]: 1,
  [ClockEventKind.MEDICAL_PAUSE_STARTED]: 2,
  [ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED]: 2,
  [ClockEventKind.MEDICAL_PAUSE_ENDED]: 3,
  [ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED]: 3,
  [ClockEventKind.CARE_BOOKED]: 4,
  [ClockEventKind.BOOKING_CANCELLED]: 4,
};

/**
 * The clock input for the facts, or the first rule they break (field named as in the GraphQL
 * input, e.g. `facts.pauses[1].until`). Facts are applied in date order; every fact except the
 * booking (a date of care) must be on or before the reading day.
 */
export function whatIfInput(
  facts: WhatIfFacts,
  rules: readonly GuaranteeLimitRule[],
  on: string,
  marginDays: number,
): { ok: true; input: ClockInput } | { ok: false; problem: WhatIfProblem } {
  const fail = (field: string, rule: string, message: string) => ({ ok: false as const, problem: { field, rule, message } });
  const origin = facts.origin ?? ReferralOrigin.REFERRAL;
  if (origin === ReferralOrigin.SELF_REFERRAL) {
    if (facts.visitType !== VisitType.FIRST_VISIT)
      return fail("facts.origin", "SELF_REFERRAL_FIRST_VISIT", "a self-referral (egen vårdbegäran) asks for a first visit");
    if (!facts.selfReferralArrivalDate)
      return fail("facts.selfReferralArrivalDate", "REQUIRED", "a self-referral starts the clock when it arrives; give the arrival date");
  } else if (facts.selfReferralArrivalDate) {
    return fail("facts.selfReferralArrivalDate", "ONLY_SELF_REFERRAL", "only a self-referral has an arrival date");
  }
  for (const [i, p] of (facts.pauses ?? []).entries()) {
    if (p.until != null && p.until < p.from)
      return fail(`facts.pauses[${i}].until`, "BEFORE_PREVIOUS_STEP", `the wait began on ${p.from}; it cannot end earlier`);
  }
  // Each regret answers the decline before it: the n-th regret (in date order) follows the n-th decline.
  const declines = [...(facts.declines ?? [])].sort();
  const regrets = (facts.regrets ?? []).map((date, i) => ({ date, i })).sort((a, b) => a.date.localeCompare(b.date));
  for (const [n, regret] of regrets.entries()) {
    const field = `facts.regrets[${regret.i}]`;
    if (declines[n] === undefined) return fail(field, "CLOCK_RULE", "a regret answers a decline; give the day the patient declined");
    if (regret.date < declines[n])
      return fail(field, "BEFORE_PREVIOUS_STEP", `the patient declined on ${declines[n]}; the new contact cannot be earlier`);
  }
  const dated: Dated[] = [];
  const add = (kind: ClockEventKind, date: string, field: string) => dated.push({ event: { kind, date }, field, order: dated.length });
  (facts.pauses ?? []).forEach((p, i) => {
    const medical = p.kind === WaitKind.MEDICAL;
    add(medical ? ClockEventKind.MEDICAL_PAUSE_STARTED : ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED, p.from, `facts.pauses[${i}].from`);
    if (p.until != null)
      add(medical ? ClockEventKind.MEDICAL_PAUSE_ENDED : ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED, p.until, `facts.pauses[${i}].until`);
  });
  for (const [i, d] of (facts.declines ?? []).entries()) add(ClockEventKind.FORFEITED, d, `facts.declines[${i}]`);
  for (const [i, d] of (facts.regrets ?? []).entries()) add(ClockEventKind.RESTARTED, d, `facts.regrets[${i}]`);
  for (const d of dated) {
    if (d.event.date > on)
      return fail(d.field, "AFTER_READING_DAY", `${d.event.date} is after the reading day ${on}; read the clock on a later day to see it`);
  }
  // Each wait's end directly after its own start, so that a wait that starts and ends the same day closes.
  dated.sort(
    (a, b) => a.event.date.localeCompare(b.event.date) || SAME_DAY_ORDER[a.event.kind] - SAME_DAY_ORDER[b.event.kind] || a.order - b.order,
  );
  const base: ClockInput = {
    visitType: facts.visitType,
    specialty: facts.specialty,
    category: facts.careCategory ?? CareCategory.PLANNED_CARE,
    homeRegionCode: facts.homeRegionCode,
    origin,
    decisionDate: facts.decisionDate,
    selfReferralArrivalDate: facts.selfReferralArrivalDate ?? null,
    events: [],
  };
  const events: ClockEvent[] = [];
  for (const d of dated) {
    // As if registered on its own date: the same checks a referral's facts pass.
    const reading = readClock({ ...base, events }, rules, d.event.date, marginDays);
    const broken = clockEventRule(reading, events, d.event, on);
    if (broken) return fail(d.field, broken.rule, broken.message);
    events.push(d.event);
  }
  if (facts.bookedFor != null) {
    const start = readClock({ ...base, events }, rules, on, marginDays).startDate;
    if (start !== null && facts.bookedFor < start)
      return fail("facts.bookedFor", "BEFORE_CLOCK_START", `the clock started on ${start}; care cannot be booked earlier`);
    events.push({ kind: ClockEventKind.CARE_BOOKED, date: facts.bookedFor });
  }
  return { ok: true, input: { ...base, events } };
}
