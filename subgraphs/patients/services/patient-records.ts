import { DataSource, In } from "typeorm";
import { audit, AuditQuery, AuditRecordRow, readAudit } from "../../shared/audit";
import { BaseRequestContext } from "../../shared/context";
import { patientDataAccess, PatientDataDecision, PROVIDER_WITHOUT_REFERRAL, Role } from "../../shared/identity";
import { Patient } from "../entities/patient.entity";

/**
 * The only way the patients subgraph reads patients and their audit log: a request's data-access
 * object, bound to its caller, holding the only handle on the database a request gets (private:
 * the context has no data source and no repository). Each patient found is either disclosed (the
 * caller takes part in the patient's care) or withheld as if it did not exist, and either way the
 * audit log gets a record before anything is returned. Resolvers, reference resolvers
 * (`_entities`) and DataLoaders all go through here.
 */
export class PatientRecords {
  readonly #db: DataSource;

  constructor(
    dataSource: DataSource,
    private readonly ctx: BaseRequestContext,
    /** Of these patients, those with a referral sent to the calling provider (asked of the referrals subgraph). */
    private readonly referredToCaller: (patientIds: string[]) => Promise<Set<string>> = async () => new Set(),
  ) {
    this.#db = dataSource;
  }

  /** Patients by id, in key order; null where there is none or the caller may not see it. */
  async byIds(ids: readonly string[]): Promise<Array<Patient | null>> {
    const found = await this.#db.getRepository(Patient).findBy({ id: In([...ids]) });
    const visible = await this.disclose(found);
    return ids.map((id) => visible.get(id) ?? null);
  }

  async byIdentityNumber(normalized: string): Promise<Patient | null> {
    const found = await this.#db.getRepository(Patient).findBy({ personalIdentityNumber: normalized });
    return [...(await this.disclose(found)).values()][0] ?? null;
  }

  /** Whether the caller may see this patient (for reads of data about the patient, e.g. its audit log). */
  async visible(patientId: string): Promise<Patient | null> {
    return (await this.byIds([patientId]))[0];
  }

  /**
   * Who accessed a patient's data, for the home region's office reviewing it: null unless the
   * caller may see the patient; the review itself is recorded.
   */
  async auditLogOf(patientId: string, query: Omit<AuditQuery, "patientId" | "subject">): Promise<AuditRecordRow[] | null> {
    if (this.ctx.identity.role !== Role.REGIONAL_OFFICE) return null;
    const patient = await this.visible(patientId);
    if (!patient) return null;
    const records = await readAudit(this.#db, { patientId, ...query });
    await audit(this.#db, "patients", this.ctx, [
      { action: "READ", recordKind: "AUDIT_LOG", recordId: patient.id, patientId: patient.id, outcome: "ALLOWED", basis: "HOME_REGION_OFFICE_REVIEW" },
    ]);
    return records;
  }

  /** What one user accessed, for administrators' spot checks; null for anyone else. */
  async auditLogOfUser(subject: string, query: Omit<AuditQuery, "patientId" | "subject">): Promise<AuditRecordRow[] | null> {
    if (this.ctx.identity.role !== Role.ADMINISTRATOR) return null;
    return readAudit(this.#db, { subject, ...query });
  }

  private async disclose(found: Patient[]): Promise<Map<string, Patient>> {
    const decisions = found.map((patient): { patient: Patient; decision: PatientDataDecision } => ({ patient, decision: patientDataAccess(this.ctx.identity, patient.homeRegionCode) }));
    // A provider takes part in the care of the patients whose referrals were sent to it.
    const askReferrals = decisions.filter((d) => d.decision.basis === PROVIDER_WITHOUT_REFERRAL);
    if (askReferrals.length > 0) {
      const referred = await this.referredToCaller(askReferrals.map((d) => d.patient.id));
      for (const d of askReferrals) if (referred.has(d.patient.id)) d.decision = { allowed: true, basis: "REFERRAL_SENT_TO_PROVIDER" };
    }
    await audit(
      this.#db,
      "patients",
      this.ctx,
      decisions.map(({ patient, decision }) => ({
        action: "READ",
        recordKind: "PATIENT",
        recordId: patient.id,
        patientId: patient.id,
        outcome: decision.allowed ? "ALLOWED" : "DENIED",
        basis: decision.basis,
      })),
    );
    return new Map(decisions.filter((d) => d.decision.allowed).map((d) => [d.patient.id, d.patient]));
  }
}
