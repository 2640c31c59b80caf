import { randomUUID } from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { isIsoDate } from "../../shared/domain/calendar";
import { VisitType } from "../../shared/domain/enums";
import { isKvaCode } from "../../shared/domain/kva";
import { Specialty } from "../../shared/domain/specialty";
import { appendEvents } from "../../shared/outbox";
import { RowProblem } from "./care-catalogue";

/**
 * KVÅ, Socialstyrelsen's yearly code list of procedures, imported from its file: code, title and
 * validity. Codes are never deleted (old referrals and offers name them): a code the new list ends
 * carries its last valid day. Whether the hub brokers a code (its specialty and care-guarantee
 * step) is the region's classification, not KVÅ's: an import may give it in optional columns and
 * otherwise leaves what the hub had (the reference seeds classify the codes they bring).
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

export interface KvaChanges {
  created: number;
  updated: number;
  unchanged: number;
}

/** The event an import that changed the list appends (caches of capacity answers naming procedures hear it). */
export const PROCEDURE_LIST_CHANGED = "PROCEDURE_LIST_CHANGED";

const SPECIALTIES = new Set<string>(Object.values(Specialty));
const VISIT_TYPES = new Set<string>(Object.values(VisitType));
const optional = (value: unknown): string | null => {
  const text = typeof value === "string" ? value.trim() : value == null ? "" : String(value);
  return text === "" ? null : text;
};

export function checkKva(records: readonly KvaRecord[]): { codes: CheckedKva[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const codes: CheckedKva[] = [];
  const seen = new Map<string, number | null>();
  for (const record of records) {
    const line = record.line ?? null;
    const before = problems.length;
    const code = optional(record.code) ?? "";
    if (!isKvaCode(code)) problems.push({ line, field: "code", rule: "KVA_CODE_FORMAT", message: `"${code}" is not a KVÅ code (three letters and two digits, or two letters and three digits)` });
    else if (seen.has(code)) problems.push({ line, field: "code", rule: "DUPLICATE_CODE", message: `${code} is also on line ${seen.get(code)}` });
    else seen.set(code, line);
    const title = optional(record.title) ?? "";
    if (title.length < 1 || title.length > 500) problems.push({ line, field: "title", rule: "TEXT_LENGTH", message: "must be 1 to 500 characters" });
    const validFrom = optional(record.validFrom);
    const validTo = optional(record.validTo);
    if (validFrom !== null && !isIsoDate(validFrom)) problems.push({ line, field: "validFrom", rule: "DATE_FORMAT", message: `"${validFrom}" is not a date written YYYY-MM-DD` });
    if (validTo !== null && !isIsoDate(validTo)) problems.push({ line, field: "validTo", rule: "DATE_FORMAT", message: `"${validTo}" is not a date written YYYY-MM-DD` });
    else if (validTo !== null && validFrom !== null && isIsoDate(validFrom) && validTo < validFrom) {
      problems.push({ line, field: "validTo", rule: "VALIDITY_ORDER", message: `${validTo} is before validFrom ${validFrom}` });
    }
    const specialty = optional(record.specialty);
    const visitType = optional(record.visitType);
    if (specialty !== null && !SPECIALTIES.has(specialty)) problems.push({ line, field: "specialty", rule: "SPECIALTY_UNKNOWN", message: `"${specialty}" is not a specialty the hub knows` });
    if (visitType !== null && !VISIT_TYPES.has(visitType)) problems.push({ line, field: "visitType", rule: "VISIT_TYPE_UNKNOWN", message: `"${visitType}" is not FIRST_VISIT or TREATMENT` });
    if ((specialty === null) !== (visitType === null)) {
      problems.push({ line, field: specialty === null ? "specialty" : "visitType", rule: "CLASSIFICATION_INCOMPLETE", message: "give specialty and visitType together, or neither" });
    }
    if (problems.length === before) {
      codes.push({ code, title, validFrom, validTo, specialty: specialty as Specialty | null, visitType: visitType as VisitType | null, englishName: optional(record.englishName) });
    }
  }
  return { codes: problems.length ? [] : codes, problems };
}

/**
 * Upserts checked codes in one transaction: a new code is inserted, a known one gets the file's
 * title and validity (and its classification where the file gives one); nothing is deleted.
 */
export async function applyKva(dataSource: DataSource, codes: readonly CheckedKva[], originRegionCode: string): Promise<KvaChanges> {
  return dataSource.transaction(async (db: EntityManager) => {
    let created = 0;
    let updated = 0;
    for (let i = 0; i < codes.length; i += 5_000) {
      const chunk = codes.slice(i, i + 5_000);
      const rows: Array<{ inserted: boolean }> = await db.query(
        `INSERT INTO capacity.procedure AS p (code, name, valid_from, valid_to, specialty, visit_type, english_name)
           SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[], $7::text[])
         ON CONFLICT (code) DO UPDATE SET
           name = EXCLUDED.name,
           valid_from = EXCLUDED.valid_from,
           valid_to = EXCLUDED.valid_to,
           specialty = coalesce(EXCLUDED.specialty, p.specialty),
           visit_type = coalesce(EXCLUDED.visit_type, p.visit_type),
           english_name = coalesce(EXCLUDED.english_name, p.english_name)
         WHERE (p.name, p.valid_from, p.valid_to, p.specialty, p.visit_type, p.english_name)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.valid_from, EXCLUDED.valid_to, coalesce(EXCLUDED.specialty, p.specialty), coalesce(EXCLUDED.visit_type, p.visit_type), coalesce(EXCLUDED.english_name, p.english_name))
         RETURNING (xmax = 0) AS inserted`,
        [
          chunk.map((c) => c.code),
          chunk.map((c) => c.title),
          chunk.map((c) => c.validFrom),
          chunk.map((c) => c.validTo),
          chunk.map((c) => c.specialty),
          chunk.map((c) => c.visitType),
          chunk.map((c) => c.englishName),
        ],
      );
      for (const row of rows) row.inserted ? created++ : updated++;
    }
    if (created + updated > 0) {
      await appendEvents(db, "capacity", [{ type: PROCEDURE_LIST_CHANGED, aggregateId: randomUUID(), originRegionCode, payload: { created, updated } }]);
    }
    return { created, updated, unchanged: codes.length - created - updated };
  });
}
