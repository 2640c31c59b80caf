/**
 * How current a capacity report is. Socialstyrelsen found capacity data too old to refer patients
 * by; the national waiting-time database shows estimates older than six weeks as missing. Users
 * must see the age of what they rely on, so every offer carries this grade.
 */
export enum OfferFreshness {
  FRESH = "FRESH",
  AGING = "AGING",
  STALE = "STALE",
}

export const FRESH_DAYS = 7;
export const STALE_AFTER_DAYS = 42;

export function offerFreshness(reportedAt: Date, now: Date): OfferFreshness {
  const ageDays = (now.getTime() - reportedAt.getTime()) / 86_400_000;
  if (ageDays <= FRESH_DAYS) return OfferFreshness.FRESH;
  if (ageDays <= STALE_AFTER_DAYS) return OfferFreshness.AGING;
  return OfferFreshness.STALE;
}
