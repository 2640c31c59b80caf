import { DataSource } from "typeorm";
import { isIsoDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/graphql-enums";
import { Page } from "../../shared/pagination";
import { requireRegionCode } from "../../shared/validation";
import { Referral, ReferralStatus } from "../entities/referral.entity";

export interface ReferralFilter {
  homeRegionCode?: string | null;
  status?: ReferralStatus | null;
  specialty?: Specialty | null;
}

/** Keyset position: referrals are listed by decision date (longest waiting first), then id. */
export interface ReferralPosition {
  decisionDate: string;
  id: string;
}

export function readReferralPosition(payload: unknown): ReferralPosition | undefined {
  if (!Array.isArray(payload) || payload.length !== 2) return undefined;
  const [decisionDate, id] = payload;
  if (typeof decisionDate !== "string" || !isIsoDate(decisionDate) || typeof id !== "string" || !isUuid(id)) return undefined;
  return { decisionDate, id };
}

export function referralPosition(referral: Referral): [string, string] {
  return [referral.decisionDate, referral.id];
}

export class ReferralSearch {
  constructor(private readonly dataSource: DataSource) {}

  /** Referrals matching the filter within `scopeRegion`, the one home region the caller may see (none when null). */
  async search(filter: ReferralFilter, page: Page<ReferralPosition>, scopeRegion: string | null): Promise<{ rows: Referral[]; totalCount: number }> {
    if (filter.homeRegionCode != null) requireRegionCode("filter.homeRegionCode", filter.homeRegionCode);
    if (scopeRegion === null || (filter.homeRegionCode != null && filter.homeRegionCode !== scopeRegion)) return { rows: [], totalCount: 0 };
    const matching = this.dataSource.getRepository(Referral).createQueryBuilder("r").where("r.home_region_code = :home", { home: scopeRegion });
    if (filter.status) matching.andWhere("r.status = :status", { status: filter.status });
    if (filter.specialty) matching.andWhere("r.specialty = :specialty", { specialty: filter.specialty });
    const pageQuery = matching.clone().orderBy("r.decision_date", "ASC").addOrderBy("r.id", "ASC").limit(page.first + 1);
    if (page.after) {
      pageQuery.andWhere("(r.decision_date, r.id) > (:afterDate, :afterId)", { afterDate: page.after.decisionDate, afterId: page.after.id });
    }
    const rows = await pageQuery.getMany();
    return { rows, totalCount: await matching.getCount() };
  }
}
