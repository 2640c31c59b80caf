import { DataSource } from "typeorm";
import { isIsoDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/graphql-enums";
import { cappedCount, Page, TotalCount } from "../../shared/pagination";
import { requireRegionCode } from "../../shared/validation";
import { Referral, ReferralStatus } from "../entities/referral.entity";
import { WAITING, WITH_RECEIVER } from "../domain/referral-lifecycle";

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

export type ReferralScope = { homeRegionCode: string } | { providerId: string };

export class ReferralSearch {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Referrals matching the filter within the caller's scope: the one home region whose referrals
   * the caller may see, or the provider whose received referrals it may see (none when null).
   */
  async search(
    filter: ReferralFilter,
    page: Page<ReferralPosition>,
    scope: ReferralScope | null,
  ): Promise<{ rows: Referral[]; total: TotalCount }> {
    if (filter.homeRegionCode != null) requireRegionCode("filter.homeRegionCode", filter.homeRegionCode);
    if (scope === null || ("homeRegionCode" in scope && filter.homeRegionCode != null && filter.homeRegionCode !== scope.homeRegionCode))
      return { rows: [], total: { count: 0, exact: true } };
    const matching = this.dataSource.getRepository(Referral).createQueryBuilder("r");
    if ("homeRegionCode" in scope) matching.where("r.home_region_code = :home", { home: scope.homeRegionCode });
    else {
      matching.where("r.provider_id = :provider AND r.status IN (:...withReceiver)", {
        provider: scope.providerId,
        withReceiver: [...WITH_RECEIVER],
      });
      if (filter.homeRegionCode != null) matching.andWhere("r.home_region_code = :home", { home: filter.homeRegionCode });
    }
    if (filter.status) matching.andWhere("r.status = :status", { status: filter.status });
    if (filter.specialty) matching.andWhere("r.specialty = :specialty", { specialty: filter.specialty });
    const pageQuery = matching
      .clone()
      .orderBy("r.decision_date", "ASC")
      .addOrderBy("r.id", "ASC")
      .limit(page.first + 1);
    if (page.after) {
      pageQuery.andWhere("(r.decision_date, r.id) > (:afterDate, :afterId)", {
        afterDate: page.after.decisionDate,
        afterId: page.after.id,
      });
    }
    const rows = await pageQuery.getMany();
    return { rows, total: await cappedCount(matching) };
  }

  /**
   * A region's waiting referrals whose guarantee will be breached unless care is found: fewer days
   * left than the margin (or none), soonest deadline first. Paused, forfeited and excluded clocks are
   * not counted down, so they are not listed.
   */
  async atRisk(homeRegionCode: string, dueBefore: string, page: Page<DeadlinePosition>): Promise<{ rows: Referral[]; total: TotalCount }> {
    const matching = this.dataSource
      .getRepository(Referral)
      .createQueryBuilder("r")
      .where("r.home_region_code = :home", { home: homeRegionCode })
      .andWhere("r.status IN (:...waiting)", { waiting: [...WAITING] })
      .andWhere("r.guarantee_status IN ('WITHIN_LIMIT', 'AT_RISK', 'BREACHED')")
      .andWhere("r.guarantee_deadline < :dueBefore", { dueBefore });
    const pageQuery = matching
      .clone()
      .orderBy("r.guarantee_deadline", "ASC")
      .addOrderBy("r.id", "ASC")
      .limit(page.first + 1);
    if (page.after)
      pageQuery.andWhere("(r.guarantee_deadline, r.id) > (:afterDate, :afterId)", {
        afterDate: page.after.deadline,
        afterId: page.after.id,
      });
    return { rows: await pageQuery.getMany(), total: await cappedCount(matching) };
  }
}

/** Keyset position of the at-risk list: by deadline (soonest first), then id. */
export interface DeadlinePosition {
  deadline: string;
  id: string;
}

export function readDeadlinePosition(payload: unknown): DeadlinePosition | undefined {
  const position = readReferralPosition(payload);
  return position && { deadline: position.decisionDate, id: position.id };
}

export function deadlinePosition(referral: Referral): [string, string] {
  return [referral.guaranteeDeadline ?? "9999-12-31", referral.id];
}
