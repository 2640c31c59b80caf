import { GraphQLError } from "graphql";
import { DataSource, SelectQueryBuilder } from "typeorm";
import type { RequestScope } from "../../shared/context";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput } from "../../shared/errors";
import { requireHealthcareRegionCode, requireKvaCode, requireRegionCode } from "../../shared/validation";
import { cappedCount, Page, TotalCount } from "../../shared/pagination";
import { CapacitySearchFilter, OfferPosition } from "../domain/capacity-filter";
import { OfferStatus } from "../domain/offers";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { Provider } from "../entities/provider.entity";
import { hydrate } from "../../shared/rows";
import { HealthcareRegionMember } from "../entities/region.entity";

/** The total of a search whose caller did not ask for it: never shown (the field was not selected). */
const NOT_COUNTED: TotalCount = { count: 0, exact: false };

/** Rejects filters that cannot be meant, naming the field and the rule broken. */
export function validateFilter(filter: CapacitySearchFilter): void {
  if (filter.procedureCode != null) requireKvaCode("filter.procedureCode", filter.procedureCode);
  filter.regionCodes?.forEach((code, index) => {
    requireRegionCode(`filter.regionCodes[${index}]`, code);
  });
  if (filter.healthcareRegionCode != null) requireHealthcareRegionCode("filter.healthcareRegionCode", filter.healthcareRegionCode);
  filter.providerIds?.forEach((id, index) => {
    if (!isUuid(id)) throw badUserInput(`filter.providerIds[${index}]`, "ID_FORMAT", `"${id}" is not a provider id (UUID)`);
  });
  if (filter.minAvailableSlots != null && filter.minAvailableSlots < 1) {
    throw badUserInput("filter.minAvailableSlots", "POSITIVE", `must be at least 1, got ${filter.minAvailableSlots}`);
  }
  if (filter.maxExpectedWaitDays != null && filter.maxExpectedWaitDays < 0) {
    throw badUserInput("filter.maxExpectedWaitDays", "NOT_NEGATIVE", `must be 0 or more, got ${filter.maxExpectedWaitDays}`);
  }
}

/**
 * Free-capacity search. Listed are open offers whose window has not ended and that have a free
 * slot; ordered by earliest start, then id, which is stable under paging because the cursor is
 * that pair (keyset pagination: page 500 costs what page 1 costs).
 */
export class CapacitySearch {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A search by a retired KVÅ code says so rather than answering "no capacity": nothing can be
   * offered under it any more, and the caller should search by its successor.
   */
  private async refuseRetired(code: string, today: string): Promise<void> {
    const [row]: Array<{ valid_to: string | null }> = await this.dataSource.query(
      `SELECT to_char(valid_to, 'YYYY-MM-DD') AS valid_to FROM capacity.procedure WHERE code = $1`,
      [code],
    );
    if (row?.valid_to != null && row.valid_to < today) {
      throw new GraphQLError(
        `filter.procedureCode: ${code} was retired from KVÅ after ${row.valid_to}; search by the code that replaced it`,
        {
          extensions: { code: "BAD_USER_INPUT", field: "filter.procedureCode", rule: "PROCEDURE_RETIRED", validTo: row.valid_to },
        },
      );
    }
  }

  async search(
    scope: RequestScope,
    filter: CapacitySearchFilter,
    page: Page<OfferPosition>,
    /** Whether to count the matches: not when the caller does not ask for the total (a count reads up to the cap's rows). */
    counted = true,
  ): Promise<{ rows: CapacityOffer[]; total: TotalCount }> {
    const { today } = scope;
    validateFilter(filter);
    if (filter.procedureCode != null) await this.refuseRetired(filter.procedureCode, today);
    const matching = this.matching(filter, today);
    const pageQuery = matching
      .clone()
      .orderBy("o.earliest_start", "ASC")
      .addOrderBy("o.id", "ASC")
      .limit(page.first + 1);
    if (page.after) {
      pageQuery.andWhere("(o.earliest_start, o.id) > (:afterStart, :afterId)", {
        afterStart: page.after.earliestStart,
        afterId: page.after.id,
      });
    }
    // Sequential on purpose: one request never runs two statements at once on the pool's behalf.
    // Raw rows made entities by the columns' own mapping (rows.ts): the same offers as getMany,
    // without its general transformer on every page.
    const metadata = this.dataSource.getMetadata(CapacityOffer);
    const rows = (await pageQuery.getRawMany()).map((raw) => hydrate<CapacityOffer>(this.dataSource, metadata, raw, "o"));
    // Counted up to a cap: a count of every match would grow with the data (see cappedCount).
    const total = counted ? await cappedCount(matching) : NOT_COUNTED;
    return { rows, total };
  }

  /** Every region's healthcare-region memberships: what filtering offer events by healthcare region needs. */
  healthcareRegionMemberships(): Promise<HealthcareRegionMember[]> {
    return this.dataSource.getRepository(HealthcareRegionMember).find();
  }

  private matching(filter: CapacitySearchFilter, today: string): SelectQueryBuilder<CapacityOffer> {
    const q = this.dataSource
      .getRepository(CapacityOffer)
      .createQueryBuilder("o")
      .where("o.status = :open", { open: OfferStatus.OPEN })
      .andWhere("o.valid_until >= :today", { today })
      .andWhere("o.total_slots - o.reserved_slots >= :minSlots", { minSlots: filter.minAvailableSlots ?? 1 });
    if (filter.specialty) q.andWhere("o.specialty = :specialty", { specialty: filter.specialty });
    if (filter.procedureCode) q.andWhere("o.procedure_code = :procedureCode", { procedureCode: filter.procedureCode });
    if (filter.visitType) q.andWhere("o.visit_type = :visitType", { visitType: filter.visitType });
    if (filter.providerIds?.length) q.andWhere("o.provider_id IN (:...providerIds)", { providerIds: filter.providerIds });
    if (filter.startsOnOrBefore) q.andWhere("o.earliest_start <= :startsBy", { startsBy: filter.startsOnOrBefore });
    if (filter.maxExpectedWaitDays != null) q.andWhere("o.expected_wait_days <= :maxWait", { maxWait: filter.maxExpectedWaitDays });
    if (filter.regionCodes?.length || filter.providerKind || filter.healthcareRegionCode) {
      q.innerJoin(Provider, "p", "p.id = o.provider_id");
      if (filter.regionCodes?.length) q.andWhere("p.region_code IN (:...regionCodes)", { regionCodes: filter.regionCodes });
      if (filter.providerKind) q.andWhere("p.kind = :kind", { kind: filter.providerKind });
      if (filter.healthcareRegionCode) {
        // A provider belongs to a healthcare region through its region, limited to the member
        // municipalities where the membership is partial (Region Halland).
        q.andWhere(
          `EXISTS (SELECT 1 FROM capacity.healthcare_region_member m
                    WHERE m.healthcare_region_code = :hrCode AND m.region_code = p.region_code
                      AND (m.municipality_codes IS NULL OR p.municipality_code = ANY (m.municipality_codes)))`,
          { hrCode: filter.healthcareRegionCode },
        );
      }
    }
    return q;
  }
}
