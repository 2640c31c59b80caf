import { isIsoDate } from "./domain/calendar";
import { isUuid } from "./domain/ids";
import { isKvaCode } from "./domain/kva";
import { municipalityExists } from "./domain/municipalities";
import { HEALTHCARE_REGIONS, isHealthcareRegionCode, isMunicipalityCode, isRegionCode } from "./domain/regions";
import { badUserInput } from "./errors";

/**
 * Checks at the edge for the identifiers every subgraph accepts. Each names the argument it
 * checks, so the client learns which input broke which rule.
 */
export function requireRegionCode(field: string, code: string): string {
  if (!isRegionCode(code)) {
    throw badUserInput(field, "REGION_CODE_UNKNOWN", `"${code}" is not one of the 21 county codes ("01".."25")`);
  }
  return code;
}

export function requireHealthcareRegionCode(field: string, code: string): string {
  if (!isHealthcareRegionCode(code)) {
    const known = HEALTHCARE_REGIONS.map((h) => h.code).join(", ");
    throw badUserInput(field, "HEALTHCARE_REGION_CODE_UNKNOWN", `"${code}" is not a healthcare region code (${known})`);
  }
  return code;
}

export function requireKvaCode(field: string, code: string): string {
  if (!isKvaCode(code)) {
    throw badUserInput(
      field,
      "KVA_CODE_FORMAT",
      `"${code}" is not a KVÅ code (three letters and two digits such as NFB49, or two letters and three digits)`,
    );
  }
  return code;
}

/** Free text with a length rule (reasons, names); surrounding spaces do not count. */
export function requireText(field: string, value: string, min: number, max: number): string {
  const text = value.trim();
  if (text.length < min || text.length > max) throw badUserInput(field, "TEXT_LENGTH", `must be ${min} to ${max} characters`);
  return text;
}

export function requireUuid(field: string, value: string, what: string): string {
  if (!isUuid(value)) throw badUserInput(field, "ID_FORMAT", `"${value}" is not ${what} id (UUID)`);
  return value;
}

export function requireDate(field: string, value: string): string {
  if (!isIsoDate(value)) throw badUserInput(field, "DATE_FORMAT", `"${value}" is not a calendar date written YYYY-MM-DD`);
  return value;
}

/** A home municipality code (kommunkod): four digits, the first two the home region's county code. */
export function requireMunicipalityCode(field: string, code: string, regionCode: string): string {
  if (!isMunicipalityCode(code))
    throw badUserInput(field, "MUNICIPALITY_CODE_FORMAT", `"${code}" is not a municipality code (kommunkod, four digits such as "1384")`);
  if (!municipalityExists(code)) throw badUserInput(field, "MUNICIPALITY_UNKNOWN", `"${code}" is not one of Sweden's 290 municipalities`);
  if (code.slice(0, 2) !== regionCode)
    throw badUserInput(field, "MUNICIPALITY_NOT_IN_REGION", `municipality ${code} is not in region ${regionCode}`);
  return code;
}
