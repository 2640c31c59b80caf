/**
 * How fast a volume ceiling (volymtak) is being used, and when it will be reached at that pace.
 * Plain rules, no GraphQL and no database: part of the agreements engine.
 *
 * The pace is the standing commitments the ceiling counts that were made in the 30 days up to and
 * including today (Swedish dates): cases per 30 days. A trailing window rather than an average
 * since the period began, because commitments are made when referrals are sent, often months
 * before the care date that puts them in the period, and an administrator wants to know how fast
 * the ceiling fills now. Released commitments no longer use the ceiling, so they do not count
 * towards the pace either.
 */

import { addDays } from "../../shared/domain/calendar";

/** The trailing window, in days, the pace is measured over. */
export const PACE_WINDOW_DAYS = 30;

export enum CeilingOutlook {
  /** No cases left: the agreement is rejected with CEILING_REACHED for care in the period. */
  REACHED = "REACHED",
  /** At the current pace the ceiling is reached on `projectedReachedOn`, within the period. */
  REACHED_AT_PACE = "REACHED_AT_PACE",
  /** At the current pace (possibly none) the ceiling is not reached before the period ends. */
  NOT_REACHED_AT_PACE = "NOT_REACHED_AT_PACE",
  /** The period is over; what is used is final. */
  PERIOD_ENDED = "PERIOD_ENDED",
}

export interface CeilingUseInput {
  periodFrom: string;
  periodUntil: string;
  maxCases: number;
  /** Standing commitments the ceiling counts (care date in the period, a counted procedure). */
  usedCases: number;
  /** Of those, the ones committed in the window of PACE_WINDOW_DAYS days up to and including today. */
  committedInWindow: number;
}

export interface CeilingUse {
  usedCases: number;
  remainingCases: number;
  casesPer30Days: number;
  projectedReachedOn: string | null;
  outlook: CeilingOutlook;
}

/** The first day of the pace window ending `today`. */
export function paceWindowStart(today: string): string {
  return addDays(today, -(PACE_WINDOW_DAYS - 1));
}

export function ceilingUse(ceiling: CeilingUseInput, today: string): CeilingUse {
  const remainingCases = Math.max(0, ceiling.maxCases - ceiling.usedCases);
  const pace = ceiling.committedInWindow;
  const base = { usedCases: ceiling.usedCases, remainingCases, casesPer30Days: pace, projectedReachedOn: null };
  if (remainingCases === 0) return { ...base, outlook: CeilingOutlook.REACHED };
  if (today > ceiling.periodUntil) return { ...base, outlook: CeilingOutlook.PERIOD_ENDED };
  if (pace === 0) return { ...base, outlook: CeilingOutlook.NOT_REACHED_AT_PACE };
  // At `pace` cases per 30 days, the last remaining case is committed this many days from today.
  const projected = addDays(today, Math.ceil((remainingCases * PACE_WINDOW_DAYS) / pace));
  if (projected > ceiling.periodUntil) return { ...base, outlook: CeilingOutlook.NOT_REACHED_AT_PACE };
  return { ...base, projectedReachedOn: projected, outlook: CeilingOutlook.REACHED_AT_PACE };
}
