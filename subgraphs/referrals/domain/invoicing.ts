/**
 * Invoices between regions more than six months after the care may be refused (the inter-region
 * invoicing rules): the invoicing basis flags care older than this day. Plain date arithmetic.
 */
/** The day six calendar months before `date` (the last day of the month where it has fewer days). */
export function sixMonthsBefore(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  const targetMonth = month - 6 <= 0 ? month + 6 : month - 6;
  const targetYear = month - 6 <= 0 ? year - 1 : year;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth, 0)).getUTCDate();
  return `${targetYear}-${String(targetMonth).padStart(2, "0")}-${String(Math.min(day, lastDay)).padStart(2, "0")}`;
}
