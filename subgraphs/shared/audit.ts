/**
 * Writes and reads the patient-data audit log (schema `audit`, see the AuditLog migration). Every
 * read of patient data records one row per record disclosed or refused: who (subject, HSA-id, role,
 * organisation, care assignment), which patient and record, when, in which request, the outcome
 * and its basis. The data-access layers of the patients and referrals subgraphs call it, so no
 * resolver can read patient data without leaving a record.
 */

import { EntityManager } from "typeorm";
import { RequestScope } from "./context";
import { organisationOf } from "./identity";

export type AuditAction = "READ" | "CHANGE" | "DISCLOSE";
export type AuditOutcome = "ALLOWED" | "DENIED";

export interface AuditEntry {
  action: AuditAction;
  recordKind: string;
  recordId: string;
  patientId: string;
  outcome: AuditOutcome;
  basis: string;
}

export interface AuditRecordRow {
  id: string;
  occurredAt: Date;
  subgraph: string;
  action: AuditAction;
  recordKind: string;
  recordId: string;
  patientId: string;
  subject: string;
  employeeHsaId: string | null;
  role: string;
  organisation: string | null;
  assignmentPurpose: string | null;
  careUnitHsaId: string | null;
  careProviderHsaId: string | null;
  requestId: string;
  outcome: AuditOutcome;
  basis: string;
}

const COLUMNS = 15;

/** Appends the entries in one statement (a page of 100 records is one INSERT, not 100). */
export async function audit(
  db: Pick<EntityManager, "query">,
  subgraph: string,
  ctx: RequestScope,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const { identity } = ctx;
  const values: unknown[] = [];
  const rows = entries.map((entry, i) => {
    values.push(
      subgraph,
      entry.action,
      entry.recordKind,
      entry.recordId,
      entry.patientId,
      identity.subject,
      identity.employeeHsaId,
      identity.role,
      organisationOf(identity),
      identity.assignmentPurpose,
      identity.careUnitHsaId,
      identity.careProviderHsaId,
      ctx.requestId,
      entry.outcome,
      entry.basis,
    );
    return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(", ")})`;
  });
  await db.query(
    `INSERT INTO audit.patient_data_access (subgraph, action, record_kind, record_id, patient_id, subject, employee_hsa_id, role, organisation,
       assignment_purpose, care_unit_hsa_id, care_provider_hsa_id, request_id, outcome, basis) VALUES ${rows.join(", ")}`,
    values,
  );
}

export interface AuditQuery {
  patientId?: string;
  subject?: string;
  from: Date;
  to: Date;
  limit: number;
}

/** Records of one patient or one user in a period, newest first. */
export async function readAudit(db: Pick<EntityManager, "query">, query: AuditQuery): Promise<AuditRecordRow[]> {
  const [column, value] = query.patientId ? ["patient_id", query.patientId] : ["subject", query.subject];
  const rows: Array<Record<string, unknown>> = await db.query(
    `SELECT * FROM audit.patient_data_access WHERE ${column} = $1 AND occurred_at >= $2 AND occurred_at < $3 ORDER BY occurred_at DESC, id DESC LIMIT $4`,
    [value, query.from, query.to, query.limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    occurredAt: r.occurred_at as Date,
    subgraph: String(r.subgraph),
    action: r.action as AuditAction,
    recordKind: String(r.record_kind),
    recordId: String(r.record_id),
    patientId: String(r.patient_id),
    subject: String(r.subject),
    employeeHsaId: (r.employee_hsa_id as string | null) ?? null,
    role: String(r.role),
    organisation: (r.organisation as string | null) ?? null,
    assignmentPurpose: (r.assignment_purpose as string | null) ?? null,
    careUnitHsaId: (r.care_unit_hsa_id as string | null) ?? null,
    careProviderHsaId: (r.care_provider_hsa_id as string | null) ?? null,
    requestId: String(r.request_id),
    outcome: r.outcome as AuditOutcome,
    basis: String(r.basis),
  }));
}

/**
 * Deletes records older than the retention period, through `audit.purge_expired` (the runtime role
 * may execute it but not delete from the table). The database refuses to delete anything younger
 * than five years whatever is asked, so a wrong setting cannot shorten the legal minimum.
 */
export async function purgeExpiredAudit(
  db: { query(sql: string, parameters?: unknown[]): Promise<Array<{ n: string | number }>> },
  retentionYears: number,
): Promise<number> {
  const [row] = await db.query(`SELECT audit.purge_expired($1) AS n`, [retentionYears]);
  return Number(row.n);
}
