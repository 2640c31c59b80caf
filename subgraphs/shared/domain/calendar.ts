/**
 * Calendar dates in Swedish time. The care guarantee counts calendar days in Europe/Stockholm, and
 * "today" at 00:30 in Stockholm is still "yesterday" in UTC, so dates are never taken from
 * `Date.toISOString()`.
 */
const STOCKHOLM_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Stockholm",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The calendar date (YYYY-MM-DD) in Stockholm at the given instant (now by default). The hub's own
 * "today" comes from its `Clock` (subgraphs/shared/clock.ts), which a caller can set.
 */
export function stockholmDate(at: Date = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return STOCKHOLM_DATE.format(at);
}

/** Whether `value` is a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether `value` is an ISO 8601 instant with a time zone that names a real moment. JavaScript's
 * Date rolls impossible dates over (30 February becomes 2 March), so each part is checked first.
 */
export function isIsoInstant(value: string): boolean {
  const match = INSTANT.exec(value);
  if (!match) return false;
  const [, date, hours, minutes, seconds = "00", zoneHours = "00", zoneMinutes = "00"] = match;
  return isIsoDate(date) && +hours <= 23 && +minutes <= 59 && +seconds <= 59 && +zoneHours <= 23 && +zoneMinutes <= 59;
}

/** Adds whole days to a YYYY-MM-DD date (calendar arithmetic, no time zones involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split("-").map(Number);
  const [ty, tm, td] = to.split("-").map(Number);
  return Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(fy, fm - 1, fd)) / 86_400_000);
}

/** The later of two YYYY-MM-DD dates (string order is date order for this format). */
export function laterDate(a: string, b: string): string {
  return a >= b ? a : b;
}
