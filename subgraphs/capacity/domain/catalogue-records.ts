/**
 * The records of the care catalogue as an import file or an administrator's mutation gives them,
 * and the checks they must pass before anything is written: providers with their care units (as
 * the region's HSA catalogue knows them) and KVÅ procedure codes (Socialstyrelsen's yearly list).
 * Plain rules, no database: every row is checked, and every problem is reported with its line and
 * rule, so that a file's author fixes them in one go.
 */

import { isIsoDate } from "../../shared/domain/calendar";
import { ProviderKind, VisitType } from "../../shared/domain/enums";
import { parseHsaId, parseOrganisationNumber } from "../../shared/domain/hsa";
import { isKvaCode } from "../../shared/domain/kva";
import { municipalityExists } from "../../shared/domain/municipalities";
import { isRegionCode } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";

/** A provider as a file or a mutation gives it, before checking; `line` locates it in a file. */
export interface ProviderRecord {
  line?: number;
  hsaId?: unknown;
  organisationNumber?: unknown;
  name?: unknown;
  kind?: unknown;
  regionCode?: unknown;
  municipalityCode?: unknown;
  units?: UnitRecord[];
}

export interface UnitRecord {
  line?: number;
  hsaId?: unknown;
  name?: unknown;
  specialty?: unknown;
}

/** One thing wrong with one row: where (line in the file, field) and which rule. */
export interface RowProblem {
  line: number | null;
  field: string;
  rule: string;
  message: string;
}

export interface CheckedProvider {
  hsaId: string;
  organisationNumber: string;
  name: string;
  kind: ProviderKind;
  regionCode: string;
  municipalityCode: string;
  units: CheckedUnit[];
  /** Where the record starts in its file, for problems found when writing. */
  line?: number | null;
}

export interface CheckedUnit {
  line?: number | null;
  hsaId: string;
  name: string;
  specialty: Specialty;
}

/**
 * A KVÅ code as a file gives it: code, title and validity, and optionally the region's
 * classification (specialty and care-guarantee step), which is not KVÅ's own.
 */
export interface KvaRecord {
  line?: number;
  code?: unknown;
  title?: unknown;
  validFrom?: unknown;
  validTo?: unknown;
  specialty?: unknown;
  visitType?: unknown;
  englishName?: unknown;
}

export interface CheckedKva {
  code: string;
  title: string;
  validFrom: string | null;
  validTo: string | null;
  specialty: Specialty | null;
  visitType: VisitType | null;
  englishName: string | null;
}

const SPECIALTIES = new Set<string>(Object.values(Specialty));
const KINDS = new Set<string>(Object.values(ProviderKind));
const VISIT_TYPES = new Set<string>(Object.values(VisitType));

const textOf = (value: unknown): string | null =>
  typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : null;

/**
 * Checks providers and their units: HSA-id format (and that a provider's HSA-id carries its own
 * organisation number), the organisation number's check digit, a known kind, a region code, a
 * municipality that exists and lies in that region, unit names and known specialties, and no HSA-id
 * twice. Returns the checked records, or every problem found (all rows are checked, so a file's
 * author fixes them in one go).
 */
export function checkCatalogue(records: readonly ProviderRecord[]): { providers: CheckedProvider[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const providers: CheckedProvider[] = [];
  const seenProviders = new Map<string, number | null>();
  const seenUnits = new Map<string, number | null>();
  const name = (line: number | null, field: string, value: unknown): string => {
    const text = textOf(value);
    if (!text || text.length > 200) problems.push({ line, field, rule: "TEXT_LENGTH", message: "must be 1 to 200 characters" });
    return text ?? "";
  };
  for (const record of records) {
    const line = record.line ?? null;
    const before = problems.length;
    const hsa = parseHsaId(textOf(record.hsaId) ?? "");
    if (!hsa.ok) problems.push({ line, field: "hsaId", rule: hsa.rule, message: hsa.message });
    else if (seenProviders.has(hsa.value))
      problems.push({
        line,
        field: "hsaId",
        rule: "DUPLICATE_HSA_ID",
        message: `${hsa.value} is also on line ${seenProviders.get(hsa.value)}`,
      });
    const org = parseOrganisationNumber(textOf(record.organisationNumber) ?? "");
    if (!org.ok) problems.push({ line, field: "organisationNumber", rule: org.rule, message: org.message });
    else if (hsa.ok && hsa.organisationNumber !== org.value) {
      problems.push({
        line,
        field: "hsaId",
        rule: "HSA_ID_ORGANISATION_MISMATCH",
        message: `${hsa.value} is not issued under organisation number ${textOf(record.organisationNumber)}`,
      });
    }
    const providerName = name(line, "name", record.name);
    const kind = textOf(record.kind) ?? "";
    if (!KINDS.has(kind))
      problems.push({ line, field: "kind", rule: "PROVIDER_KIND_UNKNOWN", message: `"${kind}" is not PUBLIC or PRIVATE` });
    const regionCode = textOf(record.regionCode) ?? "";
    const municipalityCode = textOf(record.municipalityCode) ?? "";
    if (!isRegionCode(regionCode))
      problems.push({
        line,
        field: "regionCode",
        rule: "REGION_CODE_UNKNOWN",
        message: `"${regionCode}" is not one of the 21 county codes`,
      });
    if (!municipalityExists(municipalityCode)) {
      problems.push({
        line,
        field: "municipalityCode",
        rule: "MUNICIPALITY_UNKNOWN",
        message: `"${municipalityCode}" is not a Swedish municipality code`,
      });
    } else if (isRegionCode(regionCode) && municipalityCode.slice(0, 2) !== regionCode) {
      problems.push({
        line,
        field: "municipalityCode",
        rule: "MUNICIPALITY_NOT_IN_REGION",
        message: `municipality ${municipalityCode} is not in region ${regionCode}`,
      });
    }
    if (hsa.ok && !seenProviders.has(hsa.value)) seenProviders.set(hsa.value, line);
    const units: CheckedUnit[] = [];
    for (const unit of record.units ?? []) {
      const unitLine = unit.line ?? line;
      const unitHsa = parseHsaId(textOf(unit.hsaId) ?? "");
      if (!unitHsa.ok) problems.push({ line: unitLine, field: "units.hsaId", rule: unitHsa.rule, message: unitHsa.message });
      else if (seenUnits.has(unitHsa.value)) {
        problems.push({
          line: unitLine,
          field: "units.hsaId",
          rule: "DUPLICATE_HSA_ID",
          message: `${unitHsa.value} is also on line ${seenUnits.get(unitHsa.value)}`,
        });
      } else seenUnits.set(unitHsa.value, unitLine);
      const unitName = name(unitLine, "units.name", unit.name);
      const specialty = textOf(unit.specialty) ?? "";
      if (!SPECIALTIES.has(specialty)) {
        problems.push({
          line: unitLine,
          field: "units.specialty",
          rule: "SPECIALTY_UNKNOWN",
          message: `"${specialty}" is not one of ${[...SPECIALTIES].join(", ")}`,
        });
      }
      if (unitHsa.ok) units.push({ line: unitLine, hsaId: unitHsa.value, name: unitName, specialty: specialty as Specialty });
    }
    if (problems.length === before && hsa.ok && org.ok) {
      providers.push({
        line,
        hsaId: hsa.value,
        organisationNumber: org.value,
        name: providerName,
        kind: kind as ProviderKind,
        regionCode,
        municipalityCode,
        units,
      });
    }
  }
  return { providers: problems.length ? [] : providers, problems };
}

const optional = (value: unknown): string | null => {
  const text = typeof value === "string" ? value.trim() : value == null ? "" : String(value);
  return text === "" ? null : text;
};

/** Checks KVÅ codes: the code's format, each code once, a title, valid dates in order, a known classification given whole or not at all. */
export function checkKva(records: readonly KvaRecord[]): { codes: CheckedKva[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const codes: CheckedKva[] = [];
  const seen = new Map<string, number | null>();
  for (const record of records) {
    const line = record.line ?? null;
    const before = problems.length;
    const code = optional(record.code) ?? "";
    if (!isKvaCode(code))
      problems.push({
        line,
        field: "code",
        rule: "KVA_CODE_FORMAT",
        message: `"${code}" is not a KVÅ code (three letters and two digits, or two letters and three digits)`,
      });
    else if (seen.has(code))
      problems.push({ line, field: "code", rule: "DUPLICATE_CODE", message: `${code} is also on line ${seen.get(code)}` });
    else seen.set(code, line);
    const title = optional(record.title) ?? "";
    if (title.length < 1 || title.length > 500)
      problems.push({ line, field: "title", rule: "TEXT_LENGTH", message: "must be 1 to 500 characters" });
    const validFrom = optional(record.validFrom);
    const validTo = optional(record.validTo);
    if (validFrom !== null && !isIsoDate(validFrom))
      problems.push({ line, field: "validFrom", rule: "DATE_FORMAT", message: `"${validFrom}" is not a date written YYYY-MM-DD` });
    if (validTo !== null && !isIsoDate(validTo))
      problems.push({ line, field: "validTo", rule: "DATE_FORMAT", message: `"${validTo}" is not a date written YYYY-MM-DD` });
    else if (validTo !== null && validFrom !== null && isIsoDate(validFrom) && validTo < validFrom) {
      problems.push({ line, field: "validTo", rule: "VALIDITY_ORDER", message: `${validTo} is before validFrom ${validFrom}` });
    }
    const specialty = optional(record.specialty);
    const visitType = optional(record.visitType);
    if (specialty !== null && !SPECIALTIES.has(specialty))
      problems.push({ line, field: "specialty", rule: "SPECIALTY_UNKNOWN", message: `"${specialty}" is not a specialty the hub knows` });
    if (visitType !== null && !VISIT_TYPES.has(visitType))
      problems.push({ line, field: "visitType", rule: "VISIT_TYPE_UNKNOWN", message: `"${visitType}" is not FIRST_VISIT or TREATMENT` });
    if ((specialty === null) !== (visitType === null)) {
      problems.push({
        line,
        field: specialty === null ? "specialty" : "visitType",
        rule: "CLASSIFICATION_INCOMPLETE",
        message: "give specialty and visitType together, or neither",
      });
    }
    if (problems.length === before) {
      codes.push({
        code,
        title,
        validFrom,
        validTo,
        specialty: specialty as Specialty | null,
        visitType: visitType as VisitType | null,
        englishName: optional(record.englishName),
      });
    }
  }
  return { codes: problems.length ? [] : codes, problems };
}
