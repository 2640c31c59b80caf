import { DataSource } from "typeorm";
import {
  Agreement,
  AgreementCeiling,
  AgreementParty,
  AgreementVersion,
  PriceList,
  PriceListEntry,
} from "../subgraphs/agreements/entities/agreement.entity";
import { CareAccessRule } from "../subgraphs/agreements/entities/care-access-rule.entity";
import { HEALTHCARE_REGIONS } from "../subgraphs/shared/domain/regions";
import { AGREEMENTS, agreementId, AgreementSeed, CARE_ACCESS_RULES } from "./data/agreements";
import { providerId } from "./data/providers";
import { seedId } from "../subgraphs/shared/db/seed-ids";
import { insertMissing, runSeedStep } from "../subgraphs/shared/db/seed-step";

/** Demo agreements (first versions, price lists per year, ceilings), relative to the year of `today`. */
export function seedAgreementsDemo(dataSource: DataSource, today: string): Promise<boolean> {
  const year = Number(today.slice(0, 4));
  return runSeedStep(dataSource, "demo-v1", async (manager) => {
    await insertMissing(
      manager,
      Agreement,
      AGREEMENTS.map((a) =>
        Object.assign(new Agreement(), {
          id: agreementId(a.key),
          kind: a.kind,
          name: a.name,
          validFrom: `${year + a.fromYear}-01-01`,
          validUntil: a.untilYear === undefined ? null : `${year + a.untilYear}-12-31`,
          healthcareRegionCode: a.healthcareRegionCode ?? null,
          providerId: a.providerKey ? providerId(a.providerKey) : null,
          endReason: null,
        }),
      ),
    );
    await insertMissing(
      manager,
      AgreementVersion,
      AGREEMENTS.map((a) =>
        Object.assign(new AgreementVersion(), {
          id: seedId("agreement-version", `${a.key}:1`),
          agreementId: agreementId(a.key),
          version: 1,
          effectiveFrom: `${year + a.fromYear}-01-01`,
          coversAllPlannedCare: a.coversAllPlannedCare,
          coveredSpecialties: a.specialties ?? [],
          coveredProcedureCodes: a.procedures ?? [],
          referralRequired: a.referralRequired,
          paymentCommitmentRequired: a.paymentCommitmentRequired,
          sameTermsAsResidents: a.sameTermsAsResidents,
          changeNote: "First version",
        }),
      ),
    );
    await insertMissing(
      manager,
      AgreementParty,
      AGREEMENTS.flatMap((a) => a.parties.map((regionCode) => ({ agreementId: agreementId(a.key), regionCode }))),
    );
    const lists = AGREEMENTS.flatMap((a) => priceListYears(a).map((offset) => ({ agreement: a, offset })));
    await insertMissing(
      manager,
      PriceList,
      lists.map(({ agreement, offset }) => ({
        id: priceListId(agreement, offset),
        agreementId: agreementId(agreement.key),
        name: `${agreement.priceListName} ${year + offset}`,
        validFrom: `${year + offset}-01-01`,
        validUntil: `${year + offset}-12-31`,
        endReason: null,
      })),
    );
    await insertMissing(
      manager,
      AgreementCeiling,
      AGREEMENTS.flatMap((a) =>
        (a.ceilings ?? []).map((c) => ({
          id: seedId("ceiling", `${a.key}:${c.year}`),
          agreementId: agreementId(a.key),
          periodFrom: `${year + c.year}-01-01`,
          periodUntil: `${year + c.year}-12-31`,
          maxCases: c.maxCases,
          procedureCodes: c.procedures ?? [],
        })),
      ),
    );
    await insertMissing(
      manager,
      PriceListEntry,
      lists.flatMap(({ agreement, offset }) =>
        agreement.prices.map((p) => ({
          id: seedId("price-entry", `${agreement.key}:${offset}:${p.procedure}:${p.providingRegionCode ?? ""}`),
          priceListId: priceListId(agreement, offset),
          procedureCode: p.procedure,
          providingRegionCode: p.providingRegionCode ?? null,
          // Prices rise about 3 % a year.
          priceSek: Math.round(p.priceSek * 1.03 ** offset),
        })),
      ),
    );
  });
}

/**
 * Agreements that follow the patient's municipality: a pact's party that belongs to its healthcare
 * region with part of its municipalities (Region Halland: the south in Södra, the north in Västra)
 * takes part for those residents only, as the healthcare regions' reference data says; and the
 * Halland node's own care-access rules. Its own step, so databases seeded before get it too.
 */
export function seedAgreementsMunicipalityRules(dataSource: DataSource): Promise<boolean> {
  return runSeedStep(dataSource, "demo-municipality-rules-v1", async (manager) => {
    for (const pact of AGREEMENTS.filter((a) => a.healthcareRegionCode)) {
      const members = HEALTHCARE_REGIONS.find((h) => h.code === pact.healthcareRegionCode)?.members ?? [];
      for (const member of members.filter((m) => m.municipalityCodes)) {
        await manager.query(`UPDATE agreements.agreement_party SET municipality_codes = $3 WHERE agreement_id = $1 AND region_code = $2`, [
          agreementId(pact.key),
          member.regionCode,
          [...member.municipalityCodes!],
        ]);
      }
    }
    await insertMissing(
      manager,
      CareAccessRule,
      CARE_ACCESS_RULES.map((r) =>
        Object.assign(new CareAccessRule(), {
          ...r,
          homeMunicipalityCodes: r.homeMunicipalityCodes && [...r.homeMunicipalityCodes],
          providingRegionCodes: r.providingRegionCodes && [...r.providingRegionCodes],
        }),
      ),
    );
  });
}

const priceListId = (agreement: AgreementSeed, offset: number) => seedId("price-list", `${agreement.key}:${offset}`);

/** Yearly lists from last year to next year, within the agreement's own validity. */
function priceListYears(agreement: AgreementSeed): number[] {
  const years: number[] = [];
  for (let offset = Math.max(agreement.fromYear, -1); offset <= Math.min(agreement.untilYear ?? 1, 1); offset++) years.push(offset);
  return years;
}
