/**
 * Reading back what was committed under an agreement (who may: `ledgerAccess`): its commitments,
 * paged, and the use of its volume ceilings with their pace.
 */

import { DataSource } from "typeorm";
import { RequestScope } from "../../shared/context";
import { isIsoDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput, forbidden } from "../../shared/errors";
import { describeCaller, Identity } from "../../shared/identity";
import { cappedCount, Page, TotalCount } from "../../shared/pagination";
import { Agreement, AgreementCommitment, AgreementParty } from "../entities/agreement.entity";
import { CeilingUse, ceilingUse, paceWindowStart } from "../domain/ceiling-use";
import { LedgerAccess, ledgerAccess } from "./commitment-access";

export interface CommitmentFilter {
  released?: boolean | null;
  careFrom?: string | null;
  careUntil?: string | null;
}

/** Keyset position: commitments are listed by care date, then id. */
export interface CommitmentPosition {
  careDate: string;
  id: string;
}

export function readCommitmentPosition(payload: unknown): CommitmentPosition | undefined {
  if (!Array.isArray(payload) || payload.length !== 2) return undefined;
  const [careDate, id] = payload;
  if (typeof careDate !== "string" || !isIsoDate(careDate) || typeof id !== "string" || !isUuid(id)) return undefined;
  return { careDate, id };
}

export function commitmentPosition(commitment: AgreementCommitment): [string, string] {
  return [commitment.careDate, commitment.id];
}

export interface CeilingUseRow extends CeilingUse {
  id: string;
  periodFrom: string;
  periodUntil: string;
  maxCases: number;
  procedureCodes: string[];
  releasedCases: number;
  paceFrom: string;
  readOn: string;
}

export class CommitmentLedger {
  constructor(private readonly dataSource: DataSource) {}

  /** The agreement and what the caller may read of it; an unknown id is input error, as for changes. */
  private async accessOf(caller: Identity, agreementId: string): Promise<LedgerAccess> {
    if (!isUuid(agreementId)) throw badUserInput("agreementId", "ID_FORMAT", `"${agreementId}" is not an agreement id (UUID)`);
    const agreement = await this.dataSource.getRepository(Agreement).findOneBy({ id: agreementId });
    if (!agreement) throw badUserInput("agreementId", "UNKNOWN_AGREEMENT", `no agreement has the id "${agreementId}"`);
    const parties = (await this.dataSource.getRepository(AgreementParty).findBy({ agreementId })).map((p) => p.regionCode);
    const access = ledgerAccess(caller, parties);
    if (!access) {
      throw forbidden(
        `What was committed under "${agreement.name}" is read by administrators and the care-guarantee office of the region that pays (${parties.length === 1 ? `region ${parties[0]}` : "a party region"}); you are ${describeCaller(caller)}.`,
      );
    }
    return access;
  }

  async commitments(
    scope: RequestScope,
    agreementId: string,
    filter: CommitmentFilter,
    page: Page<CommitmentPosition>,
  ): Promise<{ rows: AgreementCommitment[]; total: TotalCount }> {
    for (const field of ["careFrom", "careUntil"] as const) {
      const value = filter[field];
      if (value != null && !isIsoDate(value)) throw badUserInput(`filter.${field}`, "DATE_FORMAT", "must be a date written YYYY-MM-DD");
    }
    const access = await this.accessOf(scope.identity, agreementId);
    const matching = this.dataSource
      .getRepository(AgreementCommitment)
      .createQueryBuilder("c")
      .where("c.agreement_id = :agreementId", { agreementId });
    if ("payingRegionCode" in access) matching.andWhere("c.paying_region_code = :paying", { paying: access.payingRegionCode });
    if (filter.released === true) matching.andWhere("c.released_at IS NOT NULL");
    if (filter.released === false) matching.andWhere("c.released_at IS NULL");
    if (filter.careFrom != null) matching.andWhere("c.care_date >= :careFrom", { careFrom: filter.careFrom });
    if (filter.careUntil != null) matching.andWhere("c.care_date <= :careUntil", { careUntil: filter.careUntil });
    const pageQuery = matching
      .clone()
      .orderBy("c.care_date", "ASC")
      .addOrderBy("c.id", "ASC")
      .limit(page.first + 1);
    if (page.after)
      pageQuery.andWhere("(c.care_date, c.id) > (:afterDate, :afterId)", { afterDate: page.after.careDate, afterId: page.after.id });
    return { rows: await pageQuery.getMany(), total: await cappedCount(matching) };
  }

  /** Each volume ceiling of the agreement, its use so far, its pace and when it is reached at that pace. */
  async ceilingUse(scope: RequestScope, agreementId: string): Promise<CeilingUseRow[]> {
    await this.accessOf(scope.identity, agreementId);
    const today = scope.today;
    const paceFrom = paceWindowStart(today);
    const rows: Array<{
      id: string;
      period_from: string;
      period_until: string;
      max_cases: number;
      procedure_codes: string[];
      used: number;
      released: number;
      in_window: number;
    }> = await this.dataSource.query(
      `SELECT c.id, c.period_from::text, c.period_until::text, c.max_cases, c.procedure_codes,
              count(m.id) FILTER (WHERE m.released_at IS NULL)::int AS used,
              count(m.id) FILTER (WHERE m.released_at IS NOT NULL)::int AS released,
              count(m.id) FILTER (WHERE m.released_at IS NULL
                                    AND (m.committed_at AT TIME ZONE 'Europe/Stockholm')::date BETWEEN $2::date AND $3::date)::int AS in_window
         FROM agreements.agreement_ceiling c
         LEFT JOIN agreements.agreement_commitment m
           ON m.agreement_id = c.agreement_id
          AND m.care_date BETWEEN c.period_from AND c.period_until
          AND (cardinality(c.procedure_codes) = 0 OR m.procedure_code = ANY (c.procedure_codes))
        WHERE c.agreement_id = $1
        GROUP BY c.id
        ORDER BY c.period_from, c.id`,
      [agreementId, paceFrom, today],
    );
    return rows.map((row) => ({
      id: row.id,
      periodFrom: row.period_from,
      periodUntil: row.period_until,
      maxCases: row.max_cases,
      procedureCodes: row.procedure_codes,
      releasedCases: row.released,
      paceFrom,
      readOn: today,
      ...ceilingUse(
        {
          periodFrom: row.period_from,
          periodUntil: row.period_until,
          maxCases: row.max_cases,
          usedCases: row.used,
          committedInWindow: row.in_window,
        },
        today,
      ),
    }));
  }
}
