import { AgreementFacts, AgreementKind } from "../domain/coverage";

/** An agreement's row as the statement below builds it: its facts, already shaped as JSON by PostgreSQL. */
type FactsRow = Omit<AgreementFacts, "partyRegionCodes" | "partyMunicipalityCodes"> & {
  parties: { region: string; municipalities: string[] | null }[];
};

export type FactsSelection = { homeRegionCodes: readonly string[] } | { agreementIds: readonly string[] };

/**
 * Reads agreements as the engine sees them — parties, versions, price lists and volume ceilings
 * with the cases committed against them — in one statement however many agreements are read
 * (PostgreSQL builds each agreement's facts as JSON, rather than six round trips and their entity
 * mapping; it is read once per request and home region, for every coverage answer). By
 * home region: the agreements those regions are party to, plus every private agreement (so the
 * engine can say why another region's agreement with a provider does not apply).
 */
export async function loadAgreementFacts(
  db: { query(sql: string, parameters?: unknown[]): Promise<FactsRow[]> },
  selection: FactsSelection,
): Promise<AgreementFacts[]> {
  const [where, parameter] =
    "agreementIds" in selection
      ? ["a.id = ANY ($1::uuid[])", [...selection.agreementIds]]
      : [
          `a.kind = '${AgreementKind.CARE_GUARANTEE_AGREEMENT}' OR EXISTS (SELECT 1 FROM agreements.agreement_party p WHERE p.agreement_id = a.id AND p.region_code = ANY ($1::text[]))`,
          [...selection.homeRegionCodes],
        ];
  const rows = await db.query(
    `SELECT a.id, a.kind, a.name, a.valid_from::text AS "validFrom", a.valid_until::text AS "validUntil", a.provider_id AS "providerId",
            (SELECT coalesce(json_agg(json_build_object('region', p.region_code, 'municipalities', p.municipality_codes)), '[]')
               FROM agreements.agreement_party p WHERE p.agreement_id = a.id) AS parties,
            (SELECT coalesce(json_agg(json_build_object('id', v.id, 'version', v.version, 'effectiveFrom', v.effective_from::text,
                      'coversAllPlannedCare', v.covers_all_planned_care, 'specialties', v.covered_specialties, 'procedureCodes', v.covered_procedure_codes,
                      'terms', json_build_object('referralRequired', v.referral_required, 'paymentCommitmentRequired', v.payment_commitment_required,
                                                 'sameTermsAsResidents', v.same_terms_as_residents)) ORDER BY v.version), '[]')
               FROM agreements.agreement_version v WHERE v.agreement_id = a.id) AS versions,
            (SELECT coalesce(json_agg(json_build_object('validFrom', l.valid_from::text, 'validUntil', l.valid_until::text,
                      'entries', (SELECT coalesce(json_agg(json_build_object('procedureCode', e.procedure_code, 'providingRegionCode', e.providing_region_code,
                                                                             'priceSek', e.price_sek)), '[]')
                                    FROM agreements.price_list_entry e WHERE e.price_list_id = l.id)) ORDER BY l.valid_from DESC), '[]')
               FROM agreements.price_list l WHERE l.agreement_id = a.id) AS "priceLists",
            (SELECT coalesce(json_agg(json_build_object('id', c.id, 'periodFrom', c.period_from::text, 'periodUntil', c.period_until::text,
                      'maxCases', c.max_cases, 'procedureCodes', c.procedure_codes,
                      'usedCases', (SELECT count(*)::int FROM agreements.agreement_commitment m
                                     WHERE m.agreement_id = c.agreement_id AND m.released_at IS NULL
                                       AND m.care_date BETWEEN c.period_from AND c.period_until
                                       AND (cardinality(c.procedure_codes) = 0 OR m.procedure_code = ANY (c.procedure_codes))))), '[]')
               FROM agreements.agreement_ceiling c WHERE c.agreement_id = a.id) AS ceilings
       FROM agreements.agreement a
      WHERE ${where}`,
    [parameter],
  );
  return rows.map((a) => ({
    id: a.id,
    kind: a.kind,
    name: a.name,
    validFrom: a.validFrom,
    validUntil: a.validUntil,
    partyRegionCodes: a.parties.map((p) => p.region),
    partyMunicipalityCodes: Object.fromEntries(a.parties.flatMap((p) => (p.municipalities ? [[p.region, p.municipalities]] : []))),
    providerId: a.providerId,
    versions: a.versions,
    priceLists: a.priceLists,
    ceilings: a.ceilings,
  }));
}
