import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import { AgreementKind } from "../../subgraphs/agreements/domain/coverage";
import { CareAccessEffect, CareAccessRuleFacts } from "../../subgraphs/agreements/domain/care-access";
import { CareSetting, ProviderKind } from "../../subgraphs/shared/domain/enums";
import { seedId } from "../../subgraphs/shared/db/seed-ids";

/**
 * Demo agreements. The kinds, parties and terms follow subgraphs/README.md ("Agreements"); the prices are invented but of a
 * plausible size (SEK per case). Dates are relative to the seed year so that the data stays
 * current: price lists exist for the seed year and the next one.
 */
export interface PriceSeed {
  procedure: string;
  priceSek: number;
  /** Region where the care is given, for per-region price lists; omitted = any. */
  providingRegionCode?: string;
}

export interface AgreementSeed {
  key: string;
  kind: AgreementKind;
  name: string;
  /** Validity in years relative to the seed year; `untilYear` omitted = until further notice. */
  fromYear: number;
  untilYear?: number;
  parties: string[];
  healthcareRegionCode?: string;
  providerKey?: string;
  coversAllPlannedCare: boolean;
  specialties?: Specialty[];
  procedures?: string[];
  referralRequired: boolean;
  paymentCommitmentRequired: boolean;
  sameTermsAsResidents: boolean;
  /** Volume ceilings per calendar year, the year relative to the seed year. */
  ceilings?: Array<{ year: number; maxCases: number; procedures?: string[] }>;
  /** Price-list name prefix; a list is seeded per year from the seed year on, prices +3 % a year. */
  priceListName: string;
  prices: PriceSeed[];
}

export const agreementId = (key: string) => seedId("agreement", key);

/** Skåne, Västra Götaland, Blekinge, Kronoberg, Jönköping: where Halland's residents get care on the residents' terms. */
const SAME_TERMS_REGIONS = ["12", "14", "10", "07", "06"];

/** Regional price per case for the public hospitals' regions (the providing region's own prices). */
function regionalPrices(regionCodes: string[], base: Record<string, number>): PriceSeed[] {
  return regionCodes.flatMap((providingRegionCode, i) =>
    Object.entries(base).map(([procedure, price]) => ({ procedure, providingRegionCode, priceSek: Math.round(price * (1 + i * 0.02)) })),
  );
}

const PUBLIC_BASE_PRICES = {
  NFB29: 98_000,
  NFB39: 96_000,
  NFB49: 92_000,
  NGB49: 95_000,
  NGD01: 21_000,
  CJE20: 14_500,
  JAB30: 32_000,
  KED22: 41_000,
};

export const AGREEMENTS: readonly AgreementSeed[] = [
  {
    key: "riksavtalet",
    kind: AgreementKind.RIKSAVTALET,
    name: "Riksavtal för utomlänsvård",
    fromYear: -4,
    parties: REGIONS.map((r) => r.code),
    coversAllPlannedCare: true,
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: false,
    priceListName: "Riksavtalet, regionernas utomlänspriser",
    prices: regionalPrices(["01", "06", "07", "12", "13", "14", "25"], PUBLIC_BASE_PRICES),
  },
  {
    key: "pact-sodra",
    kind: AgreementKind.HEALTHCARE_REGION_PACT,
    name: "Samverkansavtal om hälso- och sjukvård i Södra sjukvårdsregionen",
    fromYear: -3,
    parties: ["07", "10", "12", "13"],
    healthcareRegionCode: "SODRA",
    coversAllPlannedCare: true,
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: true,
    priceListName: "Södra regionvårdsnämndens prislista",
    prices: Object.entries(PUBLIC_BASE_PRICES).map(([procedure, price]) => ({ procedure, priceSek: Math.round(price * 0.94) })),
  },
  {
    key: "pact-vastra",
    kind: AgreementKind.HEALTHCARE_REGION_PACT,
    name: "Samverkansavtal om hälso- och sjukvård i Västra sjukvårdsregionen",
    fromYear: -3,
    parties: ["13", "14"],
    healthcareRegionCode: "VASTRA",
    coversAllPlannedCare: true,
    referralRequired: true,
    paymentCommitmentRequired: false,
    sameTermsAsResidents: true,
    priceListName: "Västra sjukvårdsregionens prislista",
    prices: Object.entries(PUBLIC_BASE_PRICES).map(([procedure, price]) => ({ procedure, priceSek: Math.round(price * 0.96) })),
  },
  {
    key: "halland-kattegatt-ortopedi",
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Vårdgarantiavtal ortopedi, Region Halland – Kattegattkliniken Ortopedi AB",
    fromYear: -1,
    untilYear: 1,
    parties: ["13"],
    providerKey: "private-kattegatt-ortopedi",
    coversAllPlannedCare: false,
    procedures: ["NFB29", "NFB39", "NFB49", "NFB99", "NGB49"],
    ceilings: [
      { year: 0, maxCases: 150 },
      { year: 1, maxCases: 160 },
    ],
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: false,
    priceListName: "Kattegattkliniken, avtalspriser",
    prices: [
      { procedure: "NFB29", priceSek: 84_000 },
      { procedure: "NFB39", priceSek: 82_500 },
      { procedure: "NFB49", priceSek: 79_900 },
      { procedure: "NFB99", priceSek: 86_000 },
      { procedure: "NGB49", priceSek: 83_500 },
    ],
  },
  {
    key: "halland-vastkustens-ogon",
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Vårdgarantiavtal kataraktkirurgi, Region Halland – Västkustens Ögonklinik AB",
    fromYear: -2,
    untilYear: 1,
    parties: ["13"],
    providerKey: "private-vastkustens-ogon",
    coversAllPlannedCare: false,
    procedures: ["CJE20"],
    ceilings: [
      { year: 0, maxCases: 200, procedures: ["CJE20"] },
      { year: 1, maxCases: 200, procedures: ["CJE20"] },
    ],
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: false,
    priceListName: "Västkustens Ögonklinik, avtalspriser",
    prices: [{ procedure: "CJE20", priceSek: 11_200 }],
  },
  {
    key: "halland-nordhalla-dagkirurgi",
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Ramavtal dagkirurgi, Region Halland – Nordhalla Dagkirurgi AB",
    fromYear: 0,
    untilYear: 2,
    parties: ["13"],
    providerKey: "private-nordhalla-dagkirurgi",
    coversAllPlannedCare: false,
    specialties: [Specialty.GENERAL_SURGERY],
    procedures: ["NGD01"],
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: false,
    priceListName: "Nordhalla Dagkirurgi, avtalspriser",
    prices: [
      { procedure: "JAB30", priceSek: 27_500 },
      { procedure: "NGD01", priceSek: 18_400 },
    ],
  },
  {
    // Ended last year: shows an expired agreement that no longer covers anything.
    key: "halland-lagan-ogon-2023",
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Vårdgarantiavtal kataraktkirurgi, Region Halland – Lagans Ögon och Hörsel AB (avslutat)",
    fromYear: -3,
    untilYear: -1,
    parties: ["13"],
    providerKey: "private-lagan-ogon-horsel",
    coversAllPlannedCare: false,
    procedures: ["CJE20"],
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: false,
    priceListName: "Lagans Ögon och Hörsel, avtalspriser",
    prices: [{ procedure: "CJE20", priceSek: 10_900 }],
  },
  {
    key: "skane-oresund-ortopedcenter",
    kind: AgreementKind.CARE_GUARANTEE_AGREEMENT,
    name: "Vårdgarantiavtal ortopedi, Region Skåne – Öresund Ortopedcenter AB",
    fromYear: -1,
    untilYear: 1,
    parties: ["12"],
    providerKey: "private-oresund-ortopedcenter",
    coversAllPlannedCare: false,
    specialties: [Specialty.ORTHOPAEDICS],
    referralRequired: true,
    paymentCommitmentRequired: true,
    sameTermsAsResidents: false,
    priceListName: "Öresund Ortopedcenter, avtalspriser",
    prices: [
      { procedure: "NFB49", priceSek: 81_000 },
      { procedure: "NGB49", priceSek: 84_000 },
    ],
  },
];

/**
 * Region Halland's own rules for where its residents may seek care (the Halland node's data; another
 * region's node seeds its own): the same terms as the residents of Skåne, Västra Götaland, Blekinge,
 * Kronoberg and Jönköping (one way), so no payment commitment for outpatient care at their public
 * providers; inpatient care elsewhere needs a payment commitment, except public inpatient care in
 * Västra Götaland; a private provider always needs one (the lowest priority number decides).
 */
export const CARE_ACCESS_RULES: readonly CareAccessRuleFacts[] = [
  {
    id: "private-provider-commitment",
    name: "Privata vårdgivare: remiss med betalningsförbindelse krävs alltid",
    homeRegionCode: null,
    homeMunicipalityCodes: null,
    providingRegionCodes: null,
    providerKind: ProviderKind.PRIVATE,
    careSetting: null,
    effect: CareAccessEffect.PAYMENT_COMMITMENT_REQUIRED,
    priority: 0,
    validFrom: null,
    validUntil: null,
  },
  {
    id: "halland-vgr-public-inpatient",
    name: "Region Halland: offentlig slutenvård i Västra Götalandsregionen utan förhandsbesked",
    homeRegionCode: "13",
    homeMunicipalityCodes: null,
    providingRegionCodes: ["14"],
    providerKind: ProviderKind.PUBLIC,
    careSetting: CareSetting.INPATIENT,
    effect: CareAccessEffect.NO_PAYMENT_COMMITMENT_REQUIRED,
    priority: 10,
    validFrom: null,
    validUntil: null,
  },
  {
    id: "halland-inpatient-approval",
    name: "Region Halland: slutenvård utanför regionen kräver förhandsbesked (betalningsförbindelse)",
    homeRegionCode: "13",
    homeMunicipalityCodes: null,
    providingRegionCodes: REGIONS.map((r) => r.code).filter((code) => code !== "13"),
    providerKind: null,
    careSetting: CareSetting.INPATIENT,
    effect: CareAccessEffect.PAYMENT_COMMITMENT_REQUIRED,
    priority: 20,
    validFrom: null,
    validUntil: null,
  },
  {
    id: "halland-same-terms-outpatient",
    name: "Region Halland: öppen vård i Skåne, Västra Götaland, Blekinge, Kronoberg och Jönköping på samma villkor som länets invånare, utan betalningsförbindelse",
    homeRegionCode: "13",
    homeMunicipalityCodes: null,
    providingRegionCodes: SAME_TERMS_REGIONS,
    providerKind: ProviderKind.PUBLIC,
    careSetting: CareSetting.OUTPATIENT,
    effect: CareAccessEffect.NO_PAYMENT_COMMITMENT_REQUIRED,
    priority: 30,
    validFrom: null,
    validUntil: null,
  },
  {
    id: "halland-same-terms",
    name: "Region Halland: vård i Skåne, Västra Götaland, Blekinge, Kronoberg och Jönköping på samma villkor som länets invånare",
    homeRegionCode: "13",
    homeMunicipalityCodes: null,
    providingRegionCodes: SAME_TERMS_REGIONS,
    providerKind: ProviderKind.PUBLIC,
    careSetting: null,
    effect: CareAccessEffect.SAME_TERMS_AS_RESIDENTS,
    priority: 100,
    validFrom: null,
    validUntil: null,
  },
];
