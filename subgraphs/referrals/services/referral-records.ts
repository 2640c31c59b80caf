import { DataSource, In } from "typeorm";
import { audit, AuditEntry } from "../../shared/audit";
import { BaseRequestContext } from "../../shared/context";
import { patientDataAccess, Role } from "../../shared/identity";
import { Page } from "../../shared/pagination";
import { Referral } from "../entities/referral.entity";
import { ReferralFilter, ReferralPosition, ReferralSearch } from "./referral-search";

/**
 * The only way the referrals subgraph reads referrals (patient data: who is referred, for what,
 * with which diagnosis): scoped to the caller, like the patients subgraph's records. Lists hold
 * only what the caller may see; a referral asked for by id that the caller may not see is "not
 * found". Every referral disclosed, and every one refused by id, gets an audit record first.
 */
export class ReferralRecords {
  private readonly search: ReferralSearch;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ctx: BaseRequestContext,
  ) {
    this.search = new ReferralSearch(dataSource);
  }

  /** The one home region whose referrals the caller may list, or null for none. */
  private listableRegion(): string | null {
    const { identity } = this.ctx;
    if (identity.role !== Role.REGIONAL_OFFICE && identity.role !== Role.CLINIC) return null;
    return identity.regionCode && patientDataAccess(identity, identity.regionCode).allowed ? identity.regionCode : null;
  }

  async list(filter: ReferralFilter, page: Page<ReferralPosition>): Promise<{ rows: Referral[]; totalCount: number }> {
    const region = this.listableRegion();
    const result = await this.search.search(filter, page, region);
    await this.record(result.rows.slice(0, page.first).map((referral) => [referral, true, "HOME_REGION_LIST"]));
    return result;
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
      const decision = patientDataAccess(this.ctx.identity, referral.homeRegionCode);
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
