import { randomUUID } from "node:crypto";
import { stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { providerId } from "../../seeds/data/providers";

const year = Number(stockholmDate().slice(0, 4));

/**
 * A private agreement of Region Halland with Mälardalens Gynekologi & Urologi (which has none in
 * the seeds), valid this year and next, with one case under its ceiling and this year's prices.
 */
export function privateAgreement(overrides: Record<string, unknown> = {}) {
  return {
    kind: "CARE_GUARANTEE_AGREEMENT",
    name: `Test agreement ${randomUUID()}`,
    partyRegionCodes: ["13"],
    providerId: providerId("private-malardalens-gyn-uro"),
    validFrom: `${year}-01-01`,
    validUntil: `${year + 1}-12-31`,
    coverage: { coversAllPlannedCare: false, procedureCodes: ["KED22"] },
    terms: { referralRequired: true, paymentCommitmentRequired: true, sameTermsAsResidents: false },
    ceilings: [{ periodFrom: `${year}-01-01`, periodUntil: `${year + 1}-12-31`, maxCases: 1 }],
    priceList: {
      name: "Avtalspriser",
      validFrom: `${year}-01-01`,
      validUntil: `${year}-12-31`,
      entries: [{ procedureCode: "KED22", priceSek: 38_000 }],
    },
    ...overrides,
  };
}
