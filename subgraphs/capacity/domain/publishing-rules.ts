/**
 * What a provider may publish: plain rules, no GraphQL and no database. Each returns the problems
 * found, naming the input field and the rule, so a batch is refused whole with a precise error.
 */

import { addDays, isIsoDate, isIsoInstant, stockholmDate } from "../../shared/domain/calendar";
import { VisitType } from "../../shared/domain/enums";
import { isUuid } from "../../shared/domain/ids";
import { isKvaCode } from "../../shared/domain/kva";
import type { Problem } from "../../shared/domain/problem";
import { Specialty } from "../../shared/domain/specialty";
import { Identity, Role } from "../../shared/identity";

/** Offers in one batch. */
export const MAX_BATCH = 100;
export const MAX_SLOTS = 10_000;
export const MAX_SLOT_TIMES = 500;
/**
 * Slot times in one batch, all offers together: the largest batch then stays well inside the
 * gateway's 1 MB request body (a slot time is about 25 bytes of JSON), so the documented maximum
 * can actually be sent.
 */
export const MAX_BATCH_SLOT_TIMES = 20_000;
export const MAX_WINDOW_DAYS = 366;
export const MAX_WAIT_DAYS = 730;
export const MAX_AGE = 130;
export const MAX_TEXT = 2_000;

export interface OfferInput {
  careUnitId: string;
  /** KVÅ code; omitted for first-visit capacity in the unit's specialty. */
  procedureCode?: string | null;
  visitType?: VisitType | null;
  /** A number of slots, or… */
  slots?: number | null;
  /** …concrete slot start times (ISO instants), exactly one of the two. */
  slotTimes?: string[] | null;
  validFrom: string;
  validUntil: string;
  /** Defaults to the window's first day (or today, if later). */
  earliestStart?: string | null;
  expectedWaitDays: number;
  minPatientAge?: number | null;
  maxPatientAge?: number | null;
  conditions?: string | null;
}

export interface OfferChangeInput {
  slots?: number | null;
  /** Replaces the start times of an offer published as slot times. */
  slotTimes?: string[] | null;
  validFrom?: string | null;
  validUntil?: string | null;
  earliestStart?: string | null;
  expectedWaitDays?: number | null;
  conditions?: string | null;
}

/** What the service knows about the unit and procedure an offer names. */
export interface Catalogue {
  unit(careUnitId: string): { specialty: Specialty; providerId: string; active?: boolean } | undefined;
  /** A procedure without specialty is a KVÅ code the hub does not broker; one with a past validTo is retired. */
  procedure(code: string): { specialty: Specialty | null; visitType: VisitType | null; validTo?: string | null } | undefined;
}

function windowProblems(at: string, from: string, until: string, earliest: string | null | undefined, today: string): Problem[] {
  const problems: Problem[] = [];
  for (const [name, value] of [
    ["validFrom", from],
    ["validUntil", until],
    ["earliestStart", earliest],
  ] as const) {
    if (value != null && !isIsoDate(value))
      problems.push({ field: `${at}.${name}`, rule: "DATE_FORMAT", message: "must be a date written YYYY-MM-DD" });
  }
  if (problems.length > 0) return problems;
  if (until < from)
    problems.push({
      field: `${at}.validUntil`,
      rule: "END_BEFORE_START",
      message: `the window ends (${until}) before it starts (${from})`,
    });
  else if (until < today)
    problems.push({ field: `${at}.validUntil`, rule: "WINDOW_IN_PAST", message: `the window ended on ${until}, before today (${today})` });
  else if (until > addDays(from, MAX_WINDOW_DAYS)) {
    problems.push({
      field: `${at}.validUntil`,
      rule: "WINDOW_TOO_LONG",
      message: `a window may last at most ${MAX_WINDOW_DAYS} days; publish again when it ends`,
    });
  }
  if (earliest != null && (earliest < from || earliest > until)) {
    problems.push({
      field: `${at}.earliestStart`,
      rule: "START_OUTSIDE_WINDOW",
      message: `must lie within the window (${from} to ${until})`,
    });
  }
  return problems;
}

function countProblems(field: string, value: number | null | undefined, max: number, rule: string, min = 0): Problem[] {
  if (value == null) return [];
  if (!Number.isInteger(value) || value < min || value > max) {
    return [{ field, rule, message: `must be a whole number from ${min} to ${max}, got ${value}` }];
  }
  return [];
}

/** Slot start times: 1 to MAX_SLOT_TIMES distinct instants, each on a day (Swedish time) within the window. */
function slotTimeProblems(at: string, times: readonly string[], from: string, until: string): Problem[] {
  const problems: Problem[] = [];
  if (times.length === 0 || times.length > MAX_SLOT_TIMES) {
    problems.push({ field: at, rule: "SLOTS_RANGE", message: `must hold 1 to ${MAX_SLOT_TIMES} start times` });
  }
  const seen = new Set<string>();
  times.forEach((time, i) => {
    if (!isIsoInstant(time)) {
      problems.push({ field: `${at}[${i}]`, rule: "DATE_TIME_FORMAT", message: "must be an ISO 8601 instant" });
      return;
    }
    const instant = new Date(time);
    const day = stockholmDate(instant);
    if (day < from || day > until) {
      problems.push({ field: `${at}[${i}]`, rule: "SLOT_OUTSIDE_WINDOW", message: `${day} is outside the window (${from} to ${until})` });
    }
    if (seen.has(instant.toISOString()))
      problems.push({ field: `${at}[${i}]`, rule: "DUPLICATE_SLOT", message: "the same start time twice" });
    seen.add(instant.toISOString());
  });
  return problems;
}

export function offerProblems(at: string, offer: OfferInput, catalogue: Catalogue, today: string): Problem[] {
  const problems: Problem[] = [];
  const unit = isUuid(offer.careUnitId) ? catalogue.unit(offer.careUnitId) : undefined;
  const specialty = unit?.specialty;
  if (!specialty)
    problems.push({
      field: `${at}.careUnitId`,
      rule: "UNKNOWN_CARE_UNIT",
      message: `"${offer.careUnitId}" is not a care unit known to this hub`,
    });
  else if (unit.active === false)
    problems.push({
      field: `${at}.careUnitId`,
      rule: "CARE_UNIT_INACTIVE",
      message: "the care unit is deactivated; capacity cannot be published at it",
    });
  if (offer.procedureCode != null) {
    const procedure = isKvaCode(offer.procedureCode) ? catalogue.procedure(offer.procedureCode) : undefined;
    if (!isKvaCode(offer.procedureCode)) {
      problems.push({ field: `${at}.procedureCode`, rule: "KVA_CODE_FORMAT", message: `"${offer.procedureCode}" is not a KVÅ code` });
    } else if (!procedure) {
      problems.push({
        field: `${at}.procedureCode`,
        rule: "UNKNOWN_PROCEDURE",
        message: `"${offer.procedureCode}" is not a procedure this hub brokers`,
      });
    } else if (procedure.validTo != null && procedure.validTo < today) {
      problems.push({
        field: `${at}.procedureCode`,
        rule: "PROCEDURE_RETIRED",
        message: `${offer.procedureCode} was retired from KVÅ after ${procedure.validTo}`,
      });
    } else if (procedure.specialty == null) {
      problems.push({
        field: `${at}.procedureCode`,
        rule: "PROCEDURE_NOT_BROKERED",
        message: `${offer.procedureCode} is a KVÅ code the hub has no specialty for; it cannot be offered`,
      });
    } else {
      if (specialty && procedure.specialty !== specialty) {
        problems.push({
          field: `${at}.procedureCode`,
          rule: "PROCEDURE_NOT_IN_UNIT_SPECIALTY",
          message: `${offer.procedureCode} is ${procedure.specialty}, the unit is ${specialty}`,
        });
      }
      if (offer.visitType != null && offer.visitType !== procedure.visitType) {
        problems.push({
          field: `${at}.visitType`,
          rule: "VISIT_TYPE_MISMATCH",
          message: `${offer.procedureCode} is a ${procedure.visitType} procedure`,
        });
      }
    }
  } else if (offer.visitType === VisitType.TREATMENT) {
    problems.push({ field: `${at}.procedureCode`, rule: "REQUIRED", message: "treatment capacity names its KVÅ procedure" });
  }
  const hasCount = offer.slots != null;
  const hasTimes = offer.slotTimes != null;
  if (hasCount === hasTimes) {
    problems.push({
      field: `${at}.slots`,
      rule: "SLOTS_ONE_OF",
      message: "give either a number of slots or slot times, not both or neither",
    });
  }
  problems.push(...countProblems(`${at}.slots`, offer.slots, MAX_SLOTS, "SLOTS_RANGE", 1));
  problems.push(...windowProblems(at, offer.validFrom, offer.validUntil, offer.earliestStart, today));
  if (offer.slotTimes) problems.push(...slotTimeProblems(`${at}.slotTimes`, offer.slotTimes, offer.validFrom, offer.validUntil));
  problems.push(...countProblems(`${at}.expectedWaitDays`, offer.expectedWaitDays, MAX_WAIT_DAYS, "WAIT_RANGE"));
  problems.push(...countProblems(`${at}.minPatientAge`, offer.minPatientAge, MAX_AGE, "AGE_RANGE"));
  problems.push(...countProblems(`${at}.maxPatientAge`, offer.maxPatientAge, MAX_AGE, "AGE_RANGE"));
  if (offer.minPatientAge != null && offer.maxPatientAge != null && offer.maxPatientAge < offer.minPatientAge) {
    problems.push({ field: `${at}.maxPatientAge`, rule: "AGE_RANGE", message: "must not be below minPatientAge" });
  }
  if (offer.conditions != null && offer.conditions.length > MAX_TEXT) {
    problems.push({ field: `${at}.conditions`, rule: "TOO_LONG", message: `must be at most ${MAX_TEXT} characters` });
  }
  return problems;
}

export function batchProblems(offers: readonly OfferInput[], catalogue: Catalogue, today: string): Problem[] {
  if (offers.length === 0) return [{ field: "input.offers", rule: "BATCH_SIZE", message: "must hold at least one offer" }];
  if (offers.length > MAX_BATCH)
    return [{ field: "input.offers", rule: "BATCH_SIZE", message: `must hold at most ${MAX_BATCH} offers, got ${offers.length}` }];
  const problems = offers.flatMap((offer, i) => offerProblems(`input.offers[${i}]`, offer, catalogue, today));
  const slotTimes = offers.reduce((sum, offer) => sum + (offer.slotTimes?.length ?? 0), 0);
  if (slotTimes > MAX_BATCH_SLOT_TIMES) {
    problems.unshift({
      field: "input.offers",
      rule: "SLOT_TIMES_PER_BATCH",
      message: `may hold at most ${MAX_BATCH_SLOT_TIMES} slot times in all, got ${slotTimes}; send several batches`,
    });
  }
  // A batch is one provider's: idempotency keys and reports are the provider's own.
  const first = catalogue.unit(offers[0].careUnitId)?.providerId;
  offers.forEach((offer, i) => {
    const provider = catalogue.unit(offer.careUnitId)?.providerId;
    if (first && provider && provider !== first) {
      problems.push({
        field: `input.offers[${i}].careUnitId`,
        rule: "ONE_PROVIDER_PER_BATCH",
        message: "all offers of a batch must belong to one provider's care units",
      });
    }
  });
  return problems;
}

/** The offer's window after a change, checked like a new one; and slots never below what is reserved. */
export function changeProblems(
  change: OfferChangeInput,
  current: { validFrom: string; validUntil: string; earliestStart: string; reservedSlots: number; slotTimes: readonly string[] },
  today: string,
): Problem[] {
  const problems: Problem[] = [];
  if (Object.values(change).every((v) => v === undefined || v === null)) {
    return [{ field: "input", rule: "NOTHING_CHANGES", message: "give at least one field to change" }];
  }
  const from = change.validFrom ?? current.validFrom;
  const until = change.validUntil ?? current.validUntil;
  let earliest = change.earliestStart ?? current.earliestStart;
  // Moving the window forward carries an earlier start along with it.
  if (change.earliestStart == null && earliest < from) earliest = from;
  problems.push(...windowProblems("input", from, until, earliest, today));
  const hasSlotTimes = current.slotTimes.length > 0;
  if (change.slots != null && change.slotTimes != null) {
    problems.push({ field: "input.slots", rule: "SLOTS_ONE_OF", message: "give either a number of slots or slot times, not both" });
  }
  if (change.slots != null) {
    if (hasSlotTimes)
      problems.push({ field: "input.slots", rule: "SLOT_TIMES_FIXED", message: "this offer lists slot times; change them with slotTimes" });
    problems.push(...countProblems("input.slots", change.slots, MAX_SLOTS, "SLOTS_RANGE", 1));
  }
  if (change.slotTimes != null) {
    if (!hasSlotTimes)
      problems.push({
        field: "input.slotTimes",
        rule: "SLOT_COUNT_FIXED",
        message: "this offer is a number of slots; change it with slots",
      });
    problems.push(...slotTimeProblems("input.slotTimes", change.slotTimes, from, until));
  } else if (hasSlotTimes) {
    // A narrower window must still hold every published slot time.
    const outside = current.slotTimes.filter((time) => {
      const day = stockholmDate(new Date(time));
      return day < from || day > until;
    });
    if (outside.length > 0) {
      problems.push({
        field: change.validFrom != null ? "input.validFrom" : "input.validUntil",
        rule: "SLOT_OUTSIDE_WINDOW",
        message: `${outside.length} published slot time(s) would fall outside the window (${from} to ${until}); change slotTimes too`,
      });
    }
  }
  const newTotal = change.slotTimes != null ? new Set(change.slotTimes.map((t) => new Date(t).getTime())).size : change.slots;
  if (newTotal != null && Number.isInteger(newTotal) && newTotal < current.reservedSlots) {
    const field = change.slotTimes != null ? "input.slotTimes" : "input.slots";
    problems.push({
      field,
      rule: "SLOTS_BELOW_RESERVED",
      message: `${current.reservedSlots} slots are reserved; release reservations first`,
    });
  }
  problems.push(...countProblems("input.expectedWaitDays", change.expectedWaitDays, MAX_WAIT_DAYS, "WAIT_RANGE"));
  if (change.conditions != null && change.conditions.length > MAX_TEXT) {
    problems.push({ field: "input.conditions", rule: "TOO_LONG", message: `must be at most ${MAX_TEXT} characters` });
  }
  return problems;
}

/** The start the offer gets when none is given: its first day, or today if the window has begun. */
export function defaultEarliestStart(validFrom: string, today: string): string {
  return validFrom > today ? validFrom : today;
}

/**
 * Whether a caller sees a reservation (its reference is a referral id: which region holds which
 * slot for which referral is not for competing providers or other regions). The offer's provider
 * sees every reservation on it, administrators too (they manage any offer); a region sees the
 * reservations its own office made.
 */
export function mayReadReservation(
  identity: Identity,
  offer: { providerId: string },
  reservation: { reservedByRegionCode: string | null },
): boolean {
  if (identity.role === Role.ADMINISTRATOR) return true;
  if (identity.role === Role.PROVIDER) return identity.providerId === offer.providerId;
  return reservation.reservedByRegionCode !== null && identity.regionCode === reservation.reservedByRegionCode;
}
