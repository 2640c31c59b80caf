/**
 * The list of agreements, narrowed by a filter: the `agreements` query's SQL. Agreements are
 * public, so every caller reads the same list; the request's day decides which version is in force
 * when the filter names a specialty but no date.
 */

import { DataSource } from "typeorm";
import { RequestScope } from "../../shared/context";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/domain/specialty";
import { badUserInput } from "../../shared/errors";
import { requireRegionCode } from "../../shared/validation";
import { AgreementKind } from "../domain/coverage";
import { Agreement } from "../entities/agreement.entity";

export interface AgreementListFilter {
  kind?: AgreementKind | null;
  partyRegionCode?: string | null;
  providerId?: string | null;
  specialty?: Specialty | null;
  validOn?: string | null;
}

export class AgreementListing {
  constructor(private readonly dataSource: DataSource) {}

  /** The agreements that pass the filter, most specific kind first, then by name. */
  async list(scope: RequestScope, filter: AgreementListFilter): Promise<Agreement[]> {
    const q = this.dataSource.getRepository(Agreement).createQueryBuilder("a");
    if (filter.kind) q.andWhere("a.kind = :kind", { kind: filter.kind });
    if (filter.partyRegionCode != null) {
      const code = requireRegionCode("filter.partyRegionCode", filter.partyRegionCode);
      q.andWhere("EXISTS (SELECT 1 FROM agreements.agreement_party p WHERE p.agreement_id = a.id AND p.region_code = :code)", { code });
    }
    if (filter.providerId != null) {
      if (!isUuid(filter.providerId))
        throw badUserInput("filter.providerId", "ID_FORMAT", `"${filter.providerId}" is not a provider id (UUID)`);
      q.andWhere("a.provider_id = :providerId", { providerId: filter.providerId });
    }
    if (filter.validOn) q.andWhere("a.valid_from <= :on AND (a.valid_until IS NULL OR a.valid_until >= :on)", { on: filter.validOn });
    if (filter.specialty) {
      q.andWhere(
        `EXISTS (SELECT 1 FROM agreements.agreement_version v
                  WHERE v.agreement_id = a.id AND (v.covers_all_planned_care OR :specialty = ANY (v.covered_specialties))
                    AND v.effective_from = (SELECT max(w.effective_from) FROM agreements.agreement_version w
                                             WHERE w.agreement_id = a.id AND w.effective_from <= :versionDate))`,
        { specialty: filter.specialty, versionDate: filter.validOn ?? scope.today },
      );
    }
    return q
      .orderBy("CASE a.kind WHEN 'CARE_GUARANTEE_AGREEMENT' THEN 0 WHEN 'HEALTHCARE_REGION_PACT' THEN 1 ELSE 2 END")
      .addOrderBy("a.name")
      .addOrderBy("a.id")
      .getMany();
  }
}
