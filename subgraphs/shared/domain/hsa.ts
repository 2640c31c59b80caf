import { luhnCheckDigit } from "./personal-identity-number";

/**
 * Identifiers of the HSA catalogue. An organisation number (organisationsnummer) is ten digits, the
 * last a Luhn check digit over the first nine, as in a personnummer (a sole trader's organisation
 * number is the owner's personnummer, so the "third digit at least 2" rule of legal entities is not
 * required). An HSA-id is the country code SE, the organisation number of the organisation that
 * issued it, a hyphen and a suffix of letters and digits, at most 31 characters in all.
 */
const ORGANISATION_NUMBER = /^(\d{6})-?(\d{4})$/;
const HSA_ID = /^SE(\d{10})-[A-Z0-9]{1,18}$/;

export type OrganisationNumberCheck =
  | { ok: true; value: string }
  | { ok: false; rule: "ORGANISATION_NUMBER_FORMAT" | "ORGANISATION_NUMBER_CHECK_DIGIT"; message: string };

/** Parses "NNNNNN-NNNN" or ten digits into ten digits, checking the check digit. */
export function parseOrganisationNumber(input: string): OrganisationNumberCheck {
  const match = ORGANISATION_NUMBER.exec(input.trim());
  if (!match) return { ok: false, rule: "ORGANISATION_NUMBER_FORMAT", message: `"${input}" is not an organisation number (NNNNNN-NNNN)` };
  const digits = match[1] + match[2];
  if (luhnCheckDigit(digits.slice(0, 9)) !== Number(digits[9])) {
    return { ok: false, rule: "ORGANISATION_NUMBER_CHECK_DIGIT", message: `"${input}" has a wrong check digit` };
  }
  return { ok: true, value: digits };
}

/** "NNNNNN-NNNN" for ten stored digits. */
export function formatOrganisationNumber(digits: string): string {
  return `${digits.slice(0, 6)}-${digits.slice(6)}`;
}

export type HsaIdCheck =
  | { ok: true; value: string; organisationNumber: string }
  | { ok: false; rule: "HSA_ID_FORMAT" | "HSA_ID_CHECK_DIGIT"; message: string };

/** Checks an HSA-id's shape and the check digit of the organisation number inside it. */
export function parseHsaId(input: string): HsaIdCheck {
  const value = input.trim();
  const match = HSA_ID.exec(value);
  if (!match)
    return {
      ok: false,
      rule: "HSA_ID_FORMAT",
      message: `"${input}" is not an HSA-id (SE, a ten-digit organisation number, "-", then 1 to 18 letters A-Z or digits)`,
    };
  const org = parseOrganisationNumber(match[1]);
  if (!org.ok) return { ok: false, rule: "HSA_ID_CHECK_DIGIT", message: `the organisation number in "${input}" has a wrong check digit` };
  return { ok: true, value, organisationNumber: org.value };
}
