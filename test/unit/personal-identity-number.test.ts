import {
  formatIdentityNumber,
  luhnCheckDigit,
  maskIdentityNumber,
  parseIdentityNumber,
  type IdentityNumberProblem,
  type ParsedIdentityNumber,
} from "../../subgraphs/shared/domain/personal-identity-number";
import { TEST_IDENTITY_NUMBERS } from "../../seeds/data/test-identity-numbers";

// Every number that parses successfully below is Tolvan Tolvansson, an entry of
// seeds/data/test-identity-numbers.ts (Skatteverket's test series), the samordningsnummer example of
// subgraphs/README.md, or a birth date so early that no personnummer was ever issued for it. Rejected inputs
// are invalid by construction (impossible date, wrong check digit, wrong shape). Never add a
// Luhn-valid number that is not from one of those sources: it may belong to a real person.

/** A fixed reference date: tests never read the clock. */
const TODAY = "2026-11-22";

const TOLVAN = "191212121212";

function parsed(input: string, today: string = TODAY): ParsedIdentityNumber {
  const result = parseIdentityNumber(input, today);
  if (!result.ok) throw new Error(`expected the input to parse, got ${result.problem}: ${result.message}`);
  return result.value;
}

function problemOf(input: string, today: string = TODAY): IdentityNumberProblem | "OK" {
  const result = parseIdentityNumber(input, today);
  return result.ok ? "OK" : result.problem;
}

describe("parseIdentityNumber", () => {
  describe("accepts Tolvan Tolvansson in every accepted form", () => {
    it.each([
      ["YYYYMMDD-NNNC", "19121212-1212", TODAY],
      ["YYYYMMDDNNNC", "191212121212", TODAY],
      ["YYMMDD+NNNC (100 or older)", "121212+1212", TODAY],
      ["YYMMDD-NNNC (under 100 at the reference date)", "121212-1212", "1950-01-01"],
      ["YYMMDDNNNC (under 100 at the reference date)", "1212121212", "1950-01-01"],
    ])("accepts the %s form", (_form, input, today) => {
      expect(parseIdentityNumber(input, today)).toEqual({
        ok: true,
        value: { normalized: TOLVAN, kind: "PERSONNUMMER", birthDate: "1912-12-12", sex: "MALE" },
      });
    });

    it.each([
      ["leading spaces", "   19121212-1212"],
      ["trailing spaces", "19121212-1212   "],
      ["a trailing newline", "19121212-1212\n"],
      ["tabs around the short form", "\t121212+1212\t"],
    ])("trims %s", (_what, input) => {
      expect(parsed(input).normalized).toBe(TOLVAN);
    });
  });

  describe("samordningsnummer", () => {
    it("accepts the worked example of subgraphs/README.md, 701063-2391", () => {
      expect(parseIdentityNumber("701063-2391", TODAY)).toEqual({
        ok: true,
        value: {
          normalized: "197010632391",
          kind: "SAMORDNINGSNUMMER",
          birthDate: "1970-10-03",
          sex: "MALE",
        },
      });
    });

    it.each(["7010632391", "19701063-2391", "197010632391"])("accepts the worked example written as %s", (input) => {
      expect(parsed(input).normalized).toBe("197010632391");
    });

    it("keeps the day plus sixty in the normalized form", () => {
      expect(parsed("191406652386").normalized).toBe("191406652386");
    });

    it("subtracts sixty from the day for the birth date", () => {
      expect(parsed("191406652386").birthDate).toBe("1914-06-05");
    });

    it("reads day 61 as the first of the month", () => {
      expect(parsed("201401612385")).toEqual({
        normalized: "201401612385",
        kind: "SAMORDNINGSNUMMER",
        birthDate: "2014-01-01",
        sex: "FEMALE",
      });
    });

    it("infers the century of a short samordningsnummer with '+' from its real birth date", () => {
      expect(parsed("140168+2396").normalized).toBe("191401682396");
    });

    it("reports a personnummer day as PERSONNUMMER", () => {
      expect(parsed("19121212-1212").kind).toBe("PERSONNUMMER");
    });

    it.each([
      ["day 60 (neither a personnummer nor a samordningsnummer day)", "19140160-2396"],
      ["day 92 (the 32nd)", "19140192-2396"],
      ["day 99", "19140199-2396"],
      ["day 90 in February (the 30th)", "19140290-2396"],
      ["day 91 in April (the 31st)", "19140491-2396"],
      ["day 89 in February of a non-leap year (the 29th)", "19140289-2396"],
      ["month 13", "19141368-2396"],
      ["month 00 (Skatteverket's 'unknown month')", "19150072-2390"],
    ])("rejects a samordningsnummer with %s as DATE", (_what, input) => {
      expect(problemOf(input)).toBe("DATE");
    });
  });

  describe("century of the short forms", () => {
    it("uses '+' to mean 100 or older: 900101+9802 is 1890", () => {
      expect(parsed("900101+9802").normalized).toBe("189001019802");
    });

    it("reads '-' as under 100, so a date after today belongs to the previous century", () => {
      expect(parsed("900101-9802", "1989-12-31").normalized).toBe("189001019802");
    });

    it("reads a short form without separator like '-'", () => {
      expect(parsed("9001019802", "1989-12-31").normalized).toBe("189001019802");
    });

    it("reads '-' with a birth date equal to today as born today", () => {
      expect(parsed("000102-2391", "2000-01-02")).toMatchObject({
        normalized: "200001022391",
        birthDate: "2000-01-02",
      });
    });

    it("reads '-' as this century when the date has passed this year", () => {
      expect(parsed("000102-2391").normalized).toBe("200001022391");
    });

    it("reads '+' as the century in which the person turns 100 exactly today", () => {
      expect(parsed("000101+9801", "2000-01-01").normalized).toBe("190001019801");
    });

    it("reads '+' the day before the 100th birthday as one century earlier", () => {
      expect(parsed("000101+9801", "1999-12-31").birthDate).toBe("1800-01-01");
    });

    it("uses the reference date, not the clock: Tolvan with '-' is 1912 in 1950", () => {
      expect(parsed("121212-1212", "1950-01-01").birthDate).toBe("1912-12-12");
    });

    it("reads 000229-2399 as 2000-02-29, a leap day", () => {
      expect(parsed("000229-2399").birthDate).toBe("2000-02-29");
    });

    it("rejects 000229+2399 as DATE, since '+' makes it 1900 and 1900 was not a leap year", () => {
      expect(problemOf("000229+2399")).toBe("DATE");
    });

    it.each([
      ["century 17", "17121212-1212"],
      ["century 21", "21121212-1212"],
      ["century 00", "00121212-1212"],
      ["century 99", "99121212-1212"],
    ])("rejects a twelve-digit number with %s as CENTURY", (_what, input) => {
      expect(problemOf(input)).toBe("CENTURY");
    });

    it("rejects a '+' form that would need a birth year before 1800 as CENTURY", () => {
      expect(problemOf("121212+1212", "1850-01-01")).toBe("CENTURY");
    });
  });

  describe("calendar dates", () => {
    it("accepts 29 February in a leap year divisible by 400 (2000)", () => {
      expect(parsed("20000229-2399").birthDate).toBe("2000-02-29");
    });

    it("accepts 29 February in a leap year divisible by 4 (2024)", () => {
      expect(parsed("20240229-2383").birthDate).toBe("2024-02-29");
    });

    it.each([
      ["29 February in a non-leap year (2023)", "20230229-2383"],
      ["29 February in a century year not divisible by 400 (1900)", "19000229-9801"],
      ["30 February", "20000230-2398"],
      ["31 April", "20000431-2386"],
      ["month 13", "19121312-1212"],
      ["month 00", "19120012-1212"],
      ["day 00", "19121200-1212"],
      ["day 32", "19121232-1212"],
      ["day 45 (between personnummer and samordningsnummer days)", "19121245-1212"],
    ])("rejects %s as DATE", (_what, input) => {
      expect(problemOf(input)).toBe("DATE");
    });

    it("rejects a birth date after today as DATE", () => {
      expect(problemOf("20241231-2387", "2024-06-01")).toBe("DATE");
    });

    it("rejects a birth date one day after today as DATE", () => {
      expect(problemOf("20240101-2394", "2023-12-31")).toBe("DATE");
    });

    it("accepts a birth date equal to today", () => {
      expect(parsed("20240101-2394", "2024-01-01").birthDate).toBe("2024-01-01");
    });

    it("reports an impossible date as DATE even when the check digit is also wrong", () => {
      expect(problemOf("19121312-1213")).toBe("DATE");
    });
  });

  describe("check digit", () => {
    it("rejects a number whose check digit does not match", () => {
      expect(parseIdentityNumber("19121212-1213", TODAY)).toEqual({
        ok: false,
        problem: "CHECK_DIGIT",
        message: "the check digit does not match (Luhn)",
      });
    });

    // One change per position of YYMMDDNNNC in Tolvan's number, chosen so the date stays real and
    // only the check digit can catch it.
    it.each([
      ["year, tens", "19221212-1212"],
      ["year, units", "19131212-1212"],
      ["month, tens", "19120212-1212"],
      ["month, units", "19121112-1212"],
      ["day, tens", "19121222-1212"],
      ["day, units", "19121213-1212"],
      ["birth number, first digit", "19121212-2212"],
      ["birth number, second digit", "19121212-1312"],
      ["birth number, third digit", "19121212-1222"],
      ["check digit", "19121212-1211"],
    ])("rejects a changed digit in the %s", (_position, input) => {
      expect(problemOf(input)).toBe("CHECK_DIGIT");
    });

    it("rejects every single-digit change anywhere in YYMMDDNNNC", () => {
      const digits = TOLVAN.slice(2);
      const accepted: string[] = [];
      for (let position = 0; position < digits.length; position++) {
        for (let digit = 0; digit <= 9; digit++) {
          if (String(digit) === digits[position]) continue;
          const changed = `19${digits.slice(0, position)}${digit}${digits.slice(position + 1)}`;
          if (problemOf(changed) === "OK") accepted.push(changed);
        }
      }
      expect(accepted).toEqual([]);
    });

    it("rejects every swap of two adjacent, different digits in YYMMDDNNNC", () => {
      const digits = TOLVAN.slice(2);
      for (let position = 0; position + 1 < digits.length; position++) {
        const swapped = digits.slice(0, position) + digits[position + 1] + digits[position] + digits.slice(position + 2);
        expect(problemOf(`19${swapped}`)).not.toBe("OK");
      }
    });

    it("checks the digit in the short forms too", () => {
      expect(problemOf("121212+1213")).toBe("CHECK_DIGIT");
    });

    it("checks the digit of a samordningsnummer over the day plus sixty", () => {
      expect(problemOf("701063-2392")).toBe("CHECK_DIGIT");
    });
  });

  describe("malformed input", () => {
    it.each([
      ["an empty string", ""],
      ["only whitespace", "   "],
      ["letters", "abcdefghijkl"],
      ["a letter in the birth number", "19121212-12A2"],
      ["a letter as check digit", "121212-121X"],
      ["nine digits", "121212121"],
      ["eleven digits", "19121212121"],
      ["thirteen digits", "1912121212121"],
      ["a missing digit after the separator", "19121212-121"],
      ["an extra digit after the separator", "121212-12121"],
      ["a space as separator", "19121212 1212"],
      ["a space before the separator", "19121212 -1212"],
      ["spaces inside the digits", "1912 1212 1212"],
      ["a slash as separator", "19121212/1212"],
      ["an underscore as separator", "19121212_1212"],
      ["an en dash as separator", "19121212\u20131212"],
      ["a separator in the wrong place", "1912121-21212"],
      ["two separators", "121212--1212"],
      ["'+' and '-' together", "121212+-1212"],
      ["a separator at the end", "1212121212-"],
      ["a leading sign", "+1212121212"],
      ["full-width digits", "\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12"],
      ["dashes in the date", "1912-12-12-1212"],
    ])("rejects %s as FORMAT", (_what, input) => {
      expect(problemOf(input)).toBe("FORMAT");
    });

    it("rejects a twelve-digit number with '+' as FORMAT", () => {
      expect(parseIdentityNumber("19121212+1212", TODAY)).toEqual({
        ok: false,
        problem: "FORMAT",
        message: "the '+' separator is only used with the short form without century (YYMMDD+NNNC)",
      });
    });

    it.each([
      ["undefined", undefined],
      ["null", null],
      ["a number", 191212121212],
      ["an object", { value: TOLVAN }],
    ])("rejects %s instead of text as FORMAT without throwing", (_what, input) => {
      expect(problemOf(input as unknown as string)).toBe("FORMAT");
    });

    it.each([
      ["an impossible date", "2026-02-30"],
      ["a different format", "22/11/2026"],
      ["an empty string", ""],
      ["undefined", undefined],
    ])("returns DATE instead of throwing when the reference date is %s", (_what, today) => {
      const parse = () => parseIdentityNumber(TOLVAN, today as unknown as string);
      expect(parse).not.toThrow();
      expect(parse()).toMatchObject({ ok: false, problem: "DATE" });
    });
  });

  describe("messages", () => {
    const rejected: Array<[string, string]> = [
      ["19121212-1213", TODAY],
      ["121212+1213", TODAY],
      ["701063-2392", TODAY],
      ["19121312-1212", TODAY],
      ["19121200-1212", TODAY],
      ["20230229-2383", TODAY],
      ["19140192-2396", TODAY],
      ["20241231-2387", "2024-06-01"],
      ["21121212-1212", TODAY],
      ["19121212+1212", TODAY],
      ["1912 1212 1212", TODAY],
      ["19121212-12A2", TODAY],
      ["1912121212121", TODAY],
      ["  19121212-1213  ", TODAY],
      [TOLVAN, "2026-02-30"],
    ];

    it.each(rejected)("never contains a digit of the input %j", (input, today) => {
      const result = parseIdentityNumber(input, today);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.message).not.toMatch(/[0-9]/);
      expect(result.message).not.toContain(input.trim());
    });

    it.each(rejected)("is a short English sentence for %j", (input, today) => {
      const result = parseIdentityNumber(input, today);
      if (result.ok) throw new Error("expected a rejection");
      expect(result.message).toMatch(/^[a-z(]/);
      expect(result.message.length).toBeGreaterThan(10);
      expect(result.message.length).toBeLessThan(120);
    });

    it("differs between problems, so that the user learns what to fix", () => {
      const messageOf = (input: string) => {
        const result = parseIdentityNumber(input, TODAY);
        return result.ok ? "" : result.message;
      };
      const messages = new Set([
        messageOf("19121212-1213"),
        messageOf("19121312-1212"),
        messageOf("21121212-1212"),
        messageOf("1912 1212 1212"),
      ]);
      expect(messages.size).toBe(4);
    });
  });

  describe("sex and birth date", () => {
    it.each([
      ["Tolvan (second-to-last digit 1)", TOLVAN, "MALE", "1912-12-12"],
      ["189001019802 (second-to-last digit 0)", "189001019802", "FEMALE", "1890-01-01"],
      ["189001029819 (second-to-last digit 1)", "189001029819", "MALE", "1890-01-02"],
      ["194408139089 (second-to-last digit 8)", "194408139089", "FEMALE", "1944-08-13"],
      ["194504118359 (second-to-last digit 5)", "194504118359", "MALE", "1945-04-11"],
      ["200002292399 (second-to-last digit 9)", "200002292399", "MALE", "2000-02-29"],
      ["202402292383 (second-to-last digit 8)", "202402292383", "FEMALE", "2024-02-29"],
      ["samordningsnummer 191401682396 (second-to-last digit 9)", "191401682396", "MALE", "1914-01-08"],
      ["samordningsnummer 191406652386 (second-to-last digit 8)", "191406652386", "FEMALE", "1914-06-05"],
    ])("derives %s", (_what, input, sex, birthDate) => {
      expect(parsed(input)).toMatchObject({ sex, birthDate });
    });
  });
});

describe("luhnCheckDigit", () => {
  it.each([
    ["121212121", 2], // Tolvan
    ["701063239", 1], // the worked samordningsnummer example
    ["900101980", 2], // 189001019802
    ["900103980", 0], // 189001039800: a digit sum ending in 0 gives check digit 0
    ["000229239", 9], // 200002292399
  ])("computes the check digit of %s as %i", (nineDigits, expected) => {
    expect(luhnCheckDigit(nineDigits)).toBe(expected);
  });

  it.each([["12121212"], ["1212121212"], ["12121212a"], [""]])("throws a RangeError that does not repeat the argument for %j", (input) => {
    expect(() => luhnCheckDigit(input)).toThrow(RangeError);
    try {
      luhnCheckDigit(input);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/[0-9]/);
    }
  });
});

describe("formatIdentityNumber", () => {
  it("writes the normalized form as YYYYMMDD-NNNC", () => {
    expect(formatIdentityNumber(TOLVAN)).toBe("19121212-1212");
  });

  it("keeps the day plus sixty of a samordningsnummer", () => {
    expect(formatIdentityNumber("197010632391")).toBe("19701063-2391");
  });

  it("round-trips through parseIdentityNumber", () => {
    for (const { number } of TEST_IDENTITY_NUMBERS) {
      expect(parsed(formatIdentityNumber(number)).normalized).toBe(number);
    }
  });

  it.each([["19121212-1212"], ["1212121212"], ["19121212121a"]])(
    "throws a RangeError that does not repeat the argument for %j",
    (input) => {
      expect(() => formatIdentityNumber(input)).toThrow(RangeError);
      expect(() => formatIdentityNumber(input)).not.toThrow(/[0-9]/);
    },
  );
});

describe("maskIdentityNumber", () => {
  it("keeps only the birth date: 19121212-****", () => {
    expect(maskIdentityNumber(TOLVAN)).toBe("19121212-****");
  });

  it("hides the birth number and check digit of a samordningsnummer too", () => {
    expect(maskIdentityNumber("197010632391")).toBe("19701063-****");
  });

  it("replaces the last four digits of every number and keeps nothing else", () => {
    for (const { number } of TEST_IDENTITY_NUMBERS) {
      expect(maskIdentityNumber(number)).toBe(`${number.slice(0, 8)}-****`);
    }
  });

  it.each([["19121212-1212"], ["1212121212"], [""]])("throws a RangeError that does not repeat the argument for %j", (input) => {
    expect(() => maskIdentityNumber(input)).toThrow(RangeError);
    expect(() => maskIdentityNumber(input)).not.toThrow(/[0-9]/);
  });
});

describe("TEST_IDENTITY_NUMBERS", () => {
  it("starts with Tolvan Tolvansson", () => {
    expect(TEST_IDENTITY_NUMBERS[0]?.number).toBe(TOLVAN);
  });

  it.each(TEST_IDENTITY_NUMBERS.map((entry) => [entry.number, entry.source]))(
    "%s parses with today = 2026-11-22 and is already normalized",
    (number) => {
      const result = parseIdentityNumber(number, "2026-11-22");
      expect(result).toMatchObject({ ok: true, value: { normalized: number } });
    },
  );

  it("says where every number came from", () => {
    for (const { source } of TEST_IDENTITY_NUMBERS) {
      expect(source.trim().length).toBeGreaterThan(20);
    }
  });

  it("lists every number once", () => {
    const numbers = TEST_IDENTITY_NUMBERS.map((entry) => entry.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it("has both sexes and both kinds", () => {
    const values = TEST_IDENTITY_NUMBERS.map((entry) => parsed(entry.number, "2026-11-22"));
    expect(new Set(values.map((value) => value.sex))).toEqual(new Set(["FEMALE", "MALE"]));
    expect(new Set(values.map((value) => value.kind))).toEqual(new Set(["PERSONNUMMER", "SAMORDNINGSNUMMER"]));
  });
});
