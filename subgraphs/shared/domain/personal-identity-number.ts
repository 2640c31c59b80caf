/**
 * Swedish personal identity numbers: *personnummer* and *samordningsnummer* (coordination number,
 * day of birth + 60).
 *
 * Pure functions only, so that every subgraph, the seeds and the tests validate the same way.
 *
 * Identity numbers are personal data that must not end up in logs: no message produced here ever
 * contains the input (the messages contain no digits at all), and errors thrown by the helpers do
 * not echo their argument either.
 */

export type IdentityNumberKind = "PERSONNUMMER" | "SAMORDNINGSNUMMER";

export interface ParsedIdentityNumber {
  /** 12 digits, YYYYMMDDNNNC; for a samordningsnummer the day keeps its +60. */
  normalized: string;
  kind: IdentityNumberKind;
  /** YYYY-MM-DD, the real birth date (day minus 60 for a samordningsnummer). */
  birthDate: string;
  /** From the second-to-last digit: even = female. */
  sex: "FEMALE" | "MALE";
}

export type IdentityNumberProblem = "FORMAT" | "DATE" | "CHECK_DIGIT" | "CENTURY";

export type ParseIdentityNumberResult =
  | { ok: true; value: ParsedIdentityNumber }
  | { ok: false; problem: IdentityNumberProblem; message: string };

/**
 * Samordningsnummer carry the day of birth plus this offset, which is how the two kinds are told
 * apart (a personnummer day is 01..31, a samordningsnummer day 61..91).
 */
const SAMORDNINGSNUMMER_DAY_OFFSET = 60;

/**
 * The oldest birth year accepted. Skatteverket's own test series start in 1890 and nobody born
 * before 1800 was alive when personnummer were introduced in 1947, so an earlier year can only come
 * from a typing error or a wrongly inferred century.
 */
const EARLIEST_BIRTH_YEAR = 1800;

/** Personnummer written with a century only ever use 18, 19 or 20. */
const LATEST_BIRTH_YEAR = 2099;

// ASCII digits only: `\d` would also be ASCII here, but [0-9] says so explicitly, and full-width or
// other Unicode digits must be rejected rather than silently accepted.
const TWELVE_DIGIT_FORM = /^([0-9]{2})([0-9]{6})(-?)([0-9]{4})$/;
const TWELVE_DIGIT_WITH_PLUS = /^[0-9]{8}\+[0-9]{4}$/;
const TEN_DIGIT_FORM = /^([0-9]{6})([-+]?)([0-9]{4})$/;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const TWELVE_DIGITS = /^[0-9]{12}$/;
const NINE_DIGITS = /^[0-9]{9}$/;

// Messages are deliberately free of digits, so that not even a fragment of the input can leak
// through them into API errors or logs.
const MESSAGES = {
  notAString: "the identity number must be given as text",
  format: "the identity number must be written as YYYYMMDD-NNNC, YYYYMMDDNNNC, YYMMDD-NNNC, YYMMDDNNNC or YYMMDD+NNNC",
  plusWithCentury: "the '+' separator is only used with the short form without century (YYMMDD+NNNC)",
  century: "the century of the identity number is not a possible one",
  month: "the month of the birth date does not exist",
  day: "the day of the birth date does not exist in that month",
  samordningsnummerDay: "the day of a samordningsnummer must be the day of birth plus sixty",
  future: "the birth date is after today",
  checkDigit: "the check digit does not match (Luhn)",
  referenceDate: "the reference date (today) is not a valid YYYY-MM-DD date",
} as const;

function failure(problem: IdentityNumberProblem, message: string): ParseIdentityNumberResult {
  return { ok: false, problem, message };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(value: number, length: number): string {
  return String(value).padStart(length, "0");
}

/** Parses a reference date; `undefined` when it is not a real YYYY-MM-DD calendar date. */
function parseReferenceDate(today: unknown): { year: number; iso: string } | undefined {
  if (typeof today !== "string") return undefined;
  const match = ISO_DATE.exec(today);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, iso: today };
}

/**
 * The birth year of a short (10-digit) form.
 *
 * With '-' or no separator: the most recent year ending in `yy` whose birthday (MM-DD) is not after
 * `today`, which also makes the person younger than 100. With '+': the most recent such year in which
 * the person had turned 100 by `today`.
 *
 * Month and day are compared as text, before the date itself is validated, so that an impossible
 * date is reported as DATE for the century the writer meant rather than shifting the century.
 */
function inferBirthYear(yy: number, monthDay: string, plus: boolean, today: { year: number; iso: string }): number {
  const todayMonthDay = today.iso.slice(5);
  let year = today.year - (today.year % 100) + yy;
  if (year > today.year || (year === today.year && monthDay > todayMonthDay)) year -= 100;
  if (plus) {
    while (year + 100 > today.year || (year + 100 === today.year && monthDay > todayMonthDay)) {
      year -= 100;
    }
  }
  return year;
}

/**
 * Check digit of the nine digits YYMMDDNNN: the Luhn (modulus 10) algorithm with weights
 * 2,1,2,1,… from the left, where two-digit products contribute the sum of their digits.
 *
 * Throws a RangeError (whose message does not repeat the argument) unless given exactly nine ASCII
 * digits: that is a programming error, not a user input error.
 */
export function luhnCheckDigit(nineDigits: string): number {
  if (typeof nineDigits !== "string" || !NINE_DIGITS.test(nineDigits)) {
    throw new RangeError("luhnCheckDigit expects exactly nine digits");
  }
  let sum = 0;
  for (let index = 0; index < 9; index++) {
    const product = Number(nineDigits[index]) * (index % 2 === 0 ? 2 : 1);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Parses and validates a personnummer or samordningsnummer.
 *
 * `today` (YYYY-MM-DD) is passed in rather than read from the clock so that results are reproducible
 * and so that the caller decides which calendar (Swedish time) "today" belongs to; it is used to
 * infer the century of the short forms and to reject birth dates in the future.
 *
 * Problems are reported in this order: FORMAT (shape of the text), DATE for an invalid `today`,
 * CENTURY, DATE (impossible or future birth date), CHECK_DIGIT. A wrong date is thus reported as
 * such even though the check digit would usually catch it too, which tells the user more.
 * Never throws.
 */
export function parseIdentityNumber(input: string, today: string): ParseIdentityNumberResult {
  if (typeof input !== "string") return failure("FORMAT", MESSAGES.notAString);
  const text = input.trim();

  const long = TWELVE_DIGIT_FORM.exec(text);
  const short = long ? null : TEN_DIGIT_FORM.exec(text);
  if (!long && !short) {
    return failure("FORMAT", TWELVE_DIGIT_WITH_PLUS.test(text) ? MESSAGES.plusWithCentury : MESSAGES.format);
  }

  const reference = parseReferenceDate(today);
  if (!reference) return failure("DATE", MESSAGES.referenceDate);

  let year: number;
  let monthDayDigits: string; // MMDD as written (a samordningsnummer day still has its +60)
  let birthNumberAndCheck: string; // NNNC
  if (long) {
    year = Number(long[1] + long[2].slice(0, 2));
    monthDayDigits = long[2].slice(2);
    birthNumberAndCheck = long[4];
  } else {
    const [, yymmdd, separator, nnnc] = short as RegExpExecArray;
    monthDayDigits = yymmdd.slice(2);
    birthNumberAndCheck = nnnc;
    const writtenDay = Number(monthDayDigits.slice(2));
    const realDay = writtenDay > SAMORDNINGSNUMMER_DAY_OFFSET ? writtenDay - SAMORDNINGSNUMMER_DAY_OFFSET : writtenDay;
    const realMonthDay = `${monthDayDigits.slice(0, 2)}-${pad(realDay, 2)}`;
    year = inferBirthYear(Number(yymmdd.slice(0, 2)), realMonthDay, separator === "+", reference);
  }

  if (year < EARLIEST_BIRTH_YEAR || year > LATEST_BIRTH_YEAR) return failure("CENTURY", MESSAGES.century);

  const month = Number(monthDayDigits.slice(0, 2));
  const writtenDay = Number(monthDayDigits.slice(2));
  if (month < 1 || month > 12) return failure("DATE", MESSAGES.month);

  let kind: IdentityNumberKind;
  let day: number;
  if (writtenDay > SAMORDNINGSNUMMER_DAY_OFFSET) {
    kind = "SAMORDNINGSNUMMER";
    day = writtenDay - SAMORDNINGSNUMMER_DAY_OFFSET;
    if (day > daysInMonth(year, month)) return failure("DATE", MESSAGES.samordningsnummerDay);
  } else {
    kind = "PERSONNUMMER";
    day = writtenDay;
    if (day < 1 || day > daysInMonth(year, month)) return failure("DATE", MESSAGES.day);
  }

  const birthDate = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  // Both are YYYY-MM-DD, where text order is date order.
  if (birthDate > reference.iso) return failure("DATE", MESSAGES.future);

  const yymmddnnn = pad(year % 100, 2) + monthDayDigits + birthNumberAndCheck.slice(0, 3);
  if (luhnCheckDigit(yymmddnnn) !== Number(birthNumberAndCheck[3])) {
    return failure("CHECK_DIGIT", MESSAGES.checkDigit);
  }

  return {
    ok: true,
    value: {
      normalized: pad(year, 4) + monthDayDigits + birthNumberAndCheck,
      kind,
      birthDate,
      sex: Number(birthNumberAndCheck[2]) % 2 === 0 ? "FEMALE" : "MALE",
    },
  };
}

/**
 * YYYYMMDD-NNNC from the 12-digit normalized form. The separator is always '-': with the century
 * written out, '+' is not used.
 *
 * Throws a RangeError (without repeating the argument) unless given exactly twelve digits.
 */
export function formatIdentityNumber(normalized12: string): string {
  if (typeof normalized12 !== "string" || !TWELVE_DIGITS.test(normalized12)) {
    throw new RangeError("formatIdentityNumber expects the twelve-digit normalized form");
  }
  return `${normalized12.slice(0, 8)}-${normalized12.slice(8)}`;
}

/**
 * YYYYMMDD-**** for logs and support views: the birth date alone does not identify a person among
 * the people born that day, while the last four digits complete the identity number.
 *
 * Throws a RangeError (without repeating the argument) unless given exactly twelve digits.
 */
export function maskIdentityNumber(normalized12: string): string {
  if (typeof normalized12 !== "string" || !TWELVE_DIGITS.test(normalized12)) {
    throw new RangeError("maskIdentityNumber expects the twelve-digit normalized form");
  }
  return `${normalized12.slice(0, 8)}-****`;
}
