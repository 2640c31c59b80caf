import { EntityManager, In } from "typeorm";
import {
  Agreement,
  AgreementCeiling,
  AgreementParty,
  AgreementVersion,
  PriceList,
  PriceListEntry,
} from "../entities/agreement.entity";
import { AgreementFacts, AgreementKind } from "../domain/coverage";

/** A ceiling row with its use, as the query below selects it (dates as text, counts as int). */
interface CeilingUseRow {
  id: string;
  agreement_id: string;
  period_from: string;
  period_until: string;
  max_cases: number;
  procedure_codes: string[];
  used: number;
}

export type FactsSelection = { homeRegionCodes: readonly string[] } | { agreementIds: readonly string[] };

/**
 * Reads agreements as the engine sees them — parties, versions, price lists and volume ceilings
 * with the cases committed against them — in a fixed number of statements however many agreements
 * are read. By home region: the agreements those regions are party to, plus every private
 * agreement (so the engine can say why another region's agreement with a provider does not apply).
 */
export async function loadAgreementFacts(manager: EntityManager, selection: FactsSelection): Promise<AgreementFacts[]> {
  const query = manager.getRepository(Agreement).createQueryBuilder("a");
  if ("agreementIds" in selection) {
    query.where("a.id IN (:...ids)", { ids: selection.agreementIds.length ? [...selection.agreementIds] : [null] });
  } else {
    query
      .where("a.kind = :private", { private: AgreementKind.CARE_GUARANTEE_AGREEMENT })
      .orWhere("EXISTS (SELECT 1 FROM agreements.agreement_party p WHERE p.agreement_id = a.id AND p.region_code IN (:...codes))", {
        codes: [...selection.homeRegionCodes],
      });
  }
  const agreements = await query.getMany();
  if (agreements.length === 0) return [];
  const ids = agreements.map((a) => a.id);
  const byAgreement = <T extends { agreementId: string }>(rows: T[]) => {
    const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
    for (const row of rows) groups.get(row.agreementId)?.push(row);
    return groups;
  };
  const parties = byAgreement(await manager.getRepository(AgreementParty).find({ where: { agreementId: In(ids) } }));
  const versions = byAgreement(await manager.getRepository(AgreementVersion).find({ where: { agreementId: In(ids) }, order: { version: "ASC" } }));
  const priceLists = await manager.getRepository(PriceList).find({ where: { agreementId: In(ids) }, order: { validFrom: "DESC" } });
  const entries = priceLists.length
    ? await manager.getRepository(PriceListEntry).find({ where: { priceListId: In(priceLists.map((l) => l.id)) } })
    : [];
  const ceilings: Array<AgreementCeiling & { used: number }> = (
    await manager.query(
      `SELECT c.id, c.agreement_id, c.period_from::text, c.period_until::text, c.max_cases, c.procedure_codes, count(m.id)::int AS used
         FROM agreements.agreement_ceiling c
         LEFT JOIN agreements.agreement_commitment m
           ON m.agreement_id = c.agreement_id AND m.released_at IS NULL
          AND m.care_date BETWEEN c.period_from AND c.period_until
          AND (cardinality(c.procedure_codes) = 0 OR m.procedure_code = ANY (c.procedure_codes))
        WHERE c.agreement_id = ANY ($1::uuid[])
        GROUP BY c.id`,
      [ids],
    )
  ).map((row: CeilingUseRow) => ({
    id: row.id,
    agreementId: row.agreement_id,
    periodFrom: row.period_from,
    periodUntil: row.period_until,
    maxCases: row.max_cases,
    procedureCodes: row.procedure_codes,
    used: row.used,
  }));
  const listsByAgreement = byAgreement(priceLists);
  const ceilingsByAgreement = byAgreement(ceilings);
  return agreements.map((a) => ({
    id: a.id,
    kind: a.kind,
    name: a.name,
    validFrom: a.validFrom,
    validUntil: a.validUntil,
    partyRegionCodes: parties.get(a.id)!.map((p) => p.regionCode),
    partyMunicipalityCodes: Object.fromEntries(parties.get(a.id)!.flatMap((p) => (p.municipalityCodes ? [[p.regionCode, p.municipalityCodes]] : []))),
    providerId: a.providerId,
    versions: versions.get(a.id)!.map((v) => ({
      id: v.id,
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      coversAllPlannedCare: v.coversAllPlannedCare,
      specialties: v.coveredSpecialties,
      procedureCodes: v.coveredProcedureCodes,
      terms: { referralRequired: v.referralRequired, paymentCommitmentRequired: v.paymentCommitmentRequired, sameTermsAsResidents: v.sameTermsAsResidents },
    })),
    priceLists: listsByAgreement.get(a.id)!.map((l) => ({
      validFrom: l.validFrom,
      validUntil: l.validUntil,
      entries: entries.filter((e) => e.priceListId === l.id),
    })),
    ceilings: ceilingsByAgreement.get(a.id)!.map((c) => ({
      id: c.id,
      periodFrom: c.periodFrom,
      periodUntil: c.periodUntil,
      maxCases: c.maxCases,
      procedureCodes: c.procedureCodes,
      usedCases: c.used,
    })),
  }));
}
