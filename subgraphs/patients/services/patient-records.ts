import { DataSource, In } from "typeorm";
import { audit } from "../../shared/audit";
import { BaseRequestContext } from "../../shared/context";
import { patientDataAccess, PatientDataDecision, PROVIDER_WITHOUT_REFERRAL } from "../../shared/identity";
import { Patient } from "../entities/patient.entity";

/**
 * The only way the patients subgraph reads patients: scoped to the caller. Each patient found is
 * either disclosed (the caller takes part in the patient's care) or withheld as if it did not
 * exist, and either way the audit log gets a record before anything is returned. Resolvers,
 * reference resolvers (`_entities`) and DataLoaders all go through here.
 */
export class PatientRecords {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ctx: BaseRequestContext,
    /** Of these patients, those with a referral sent to the calling provider (asked of the referrals subgraph). */
    private readonly referredToCaller: (patientIds: string[]) => Promise<Set<string>> = async () => new Set(),
  ) {}

  /** Patients by id, in key order; null where there is none or the caller may not see it. */
  async byIds(ids: readonly string[]): Promise<Array<Patient | null>> {
    const found = await this.dataSource.getRepository(Patient).findBy({ id: In([...ids]) });
    const visible = await this.disclose(found);
    return ids.map((id) => visible.get(id) ?? null);
  }

  async byIdentityNumber(normalized: string): Promise<Patient | null> {
    const found = await this.dataSource.getRepository(Patient).findBy({ personalIdentityNumber: normalized });
    return [...(await this.disclose(found)).values()][0] ?? null;
  }

  /** Whether the caller may see this patient (for reads of data about the patient, e.g. its audit log). */
  async visible(patientId: string): Promise<Patient | null> {
    return (await this.byIds([patientId]))[0];
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
      this.dataSource,
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
