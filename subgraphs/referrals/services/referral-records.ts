import { DataSource, In } from "typeorm";
import { audit, AuditEntry } from "../../shared/audit";
import { BaseRequestContext } from "../../shared/context";
import { assignmentRefusal, patientDataAccess, Role } from "../../shared/identity";
import { referralAccess } from "./referral-access";
import { WITH_RECEIVER } from "./referral-lifecycle";
import { Page, TotalCount } from "../../shared/pagination";
import { Referral } from "../entities/referral.entity";
import { ReferralFilter, ReferralPosition, ReferralScope, ReferralSearch } from "./referral-search";

/**
 * The only way the referrals subgraph reads referrals (patient data: who is referred, for what,
 * with which diagnosis): scoped to the caller, like the patients subgraph's records. Lists hold
 * only what the caller may see; a referral asked for by id that the caller may not see is "not
 * found". Every referral disclosed, and every one refused by id, gets an audit record first.
 */
export class ReferralRecords {
  private readonly search: ReferralSearch;

  constructor(
    readonly dataSource: DataSource,
    private readonly ctx: BaseRequestContext,
  ) {
    this.search = new ReferralSearch(dataSource);
  }

  /** Whose referrals the caller may list: its home region's (office, clinic), or those sent to it (provider). */
  scope(): ReferralScope | null {
    const { identity } = this.ctx;
    if (identity.role === Role.PROVIDER && identity.providerId && assignmentRefusal(identity) === null) return { providerId: identity.providerId };
    if (identity.role !== Role.REGIONAL_OFFICE && identity.role !== Role.CLINIC) return null;
    return identity.regionCode && patientDataAccess(identity, identity.regionCode).allowed ? { homeRegionCode: identity.regionCode } : null;
  }

  async list(filter: ReferralFilter, page: Page<ReferralPosition>): Promise<{ rows: Referral[]; total: TotalCount }> {
    const scope = this.scope();
    const result = await this.search.search(filter, page, scope);
    await this.disclosed(result.rows.slice(0, page.first), scope && "providerId" in scope ? "REFERRAL_SENT_TO_PROVIDER_LIST" : "HOME_REGION_LIST");
    return result;
  }

  /** Of these patients, those with a referral now with the calling provider (none for other callers). */
  async patientsReferredToCaller(patientIds: readonly string[]): Promise<string[]> {
    const scope = this.scope();
    if (!scope || !("providerId" in scope) || patientIds.length === 0) return [];
    const rows: Array<{ patient_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT patient_id FROM referrals.referral WHERE provider_id = $1 AND status = ANY($2) AND patient_id = ANY($3::uuid[])`,
      [scope.providerId, [...WITH_RECEIVER], patientIds],
    );
    return rows.map((r) => r.patient_id);
  }

  /** Records rows read by a list the caller's scope already allowed. */
  disclosed(rows: readonly Referral[], basis: string): Promise<void> {
    return this.record(rows.map((referral) => [referral, true, basis]));
  }

  async byIds(ids: readonly string[]): Promise<Array<Referral | null>> {
    const found = await this.dataSource.getRepository(Referral).findBy({ id: In([...ids]) });
    const visible = await this.disclose(found);
    const byId = new Map(visible.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async ofPatients(patientIds: readonly string[]): Promise<Referral[][]> {
    const found = await this.dataSource
      .getRepository(Referral)
      .find({ where: { patientId: In([...patientIds]) }, order: { decisionDate: "ASC", id: "ASC" } });
    const visible = await this.disclose(found);
    return patientIds.map((id) => visible.filter((r) => r.patientId === id));
  }

  private async disclose(found: Referral[]): Promise<Referral[]> {
    const decided = found.map((referral) => {
      const decision = referralAccess(this.ctx.identity, referral);
      return [referral, decision.allowed, decision.basis] as const;
    });
    await this.record(decided);
    return decided.filter(([, allowed]) => allowed).map(([referral]) => referral);
  }

  private record(decided: ReadonlyArray<readonly [Referral, boolean, string]>): Promise<void> {
    const entries: AuditEntry[] = decided.map(([referral, allowed, basis]) => ({
      action: "READ",
      recordKind: "REFERRAL",
      recordId: referral.id,
      patientId: referral.patientId,
      outcome: allowed ? "ALLOWED" : "DENIED",
      basis,
    }));
    return audit(this.dataSource, "referrals", this.ctx, entries);
  }
}
