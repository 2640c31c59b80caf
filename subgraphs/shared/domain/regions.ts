/**
 * Sweden's 21 regions by county code (länskod, SCB) and the six healthcare regions
 * (sjukvårdsregioner). This is national reference data fixed by law, not configuration: every
 * subgraph validates region codes against it without asking the capacity subgraph, and the seeds
 * write it to the database. Region Halland is the only region in two healthcare regions; which one
 * applies follows the municipality (kommun), so memberships can be limited to municipalities.
 */
export interface RegionReference {
  code: string;
  name: string;
}

export const REGIONS: readonly RegionReference[] = [
  { code: "01", name: "Region Stockholm" },
  { code: "03", name: "Region Uppsala" },
  { code: "04", name: "Region Sörmland" },
  { code: "05", name: "Region Östergötland" },
  { code: "06", name: "Region Jönköpings län" },
  { code: "07", name: "Region Kronoberg" },
  { code: "08", name: "Region Kalmar län" },
  { code: "09", name: "Region Gotland" },
  { code: "10", name: "Region Blekinge" },
  { code: "12", name: "Region Skåne" },
  { code: "13", name: "Region Halland" },
  { code: "14", name: "Västra Götalandsregionen" },
  { code: "17", name: "Region Värmland" },
  { code: "18", name: "Region Örebro län" },
  { code: "19", name: "Region Västmanland" },
  { code: "20", name: "Region Dalarna" },
  { code: "21", name: "Region Gävleborg" },
  { code: "22", name: "Region Västernorrland" },
  { code: "23", name: "Region Jämtland Härjedalen" },
  { code: "24", name: "Region Västerbotten" },
  { code: "25", name: "Region Norrbotten" },
];

export interface HealthcareRegionReference {
  code: string;
  name: string;
  englishName: string;
  /** Member regions; `municipalityCodes` limits a membership to part of a region (Halland). */
  members: ReadonlyArray<{ regionCode: string; municipalityCodes?: readonly string[] }>;
}

export const HEALTHCARE_REGIONS: readonly HealthcareRegionReference[] = [
  {
    code: "NORRA",
    name: "Norra sjukvårdsregionen",
    englishName: "Northern healthcare region",
    members: [{ regionCode: "22" }, { regionCode: "23" }, { regionCode: "24" }, { regionCode: "25" }],
  },
  {
    code: "MELLANSVERIGE",
    name: "Sjukvårdsregion Mellansverige",
    englishName: "Central Sweden healthcare region (formerly Uppsala-Örebro)",
    members: ["03", "04", "17", "18", "19", "20", "21"].map((regionCode) => ({ regionCode })),
  },
  {
    code: "STOCKHOLM_GOTLAND",
    name: "Sjukvårdsregion Stockholm-Gotland",
    englishName: "Stockholm-Gotland healthcare region",
    members: [{ regionCode: "01" }, { regionCode: "09" }],
  },
  {
    code: "SYDOSTRA",
    name: "Sydöstra sjukvårdsregionen",
    englishName: "South-eastern healthcare region",
    members: [{ regionCode: "05" }, { regionCode: "06" }, { regionCode: "08" }],
  },
  {
    code: "SODRA",
    name: "Södra sjukvårdsregionen",
    englishName: "Southern healthcare region",
    members: [
      { regionCode: "07" },
      { regionCode: "10" },
      { regionCode: "12" },
      // Southern Halland: Halmstad, Hylte, Laholm.
      { regionCode: "13", municipalityCodes: ["1380", "1315", "1381"] },
    ],
  },
  {
    code: "VASTRA",
    name: "Västra sjukvårdsregionen",
    englishName: "Western healthcare region",
    members: [
      { regionCode: "14" },
      // Northern Halland: Kungsbacka, Varberg, Falkenberg.
      { regionCode: "13", municipalityCodes: ["1384", "1383", "1382"] },
    ],
  },
];

const REGION_CODES = new Set(REGIONS.map((r) => r.code));
const HEALTHCARE_REGION_CODES = new Set(HEALTHCARE_REGIONS.map((h) => h.code));

/** Whether `code` is one of the 21 county codes ("01".."25", with gaps). */
export function isRegionCode(code: string): boolean {
  return REGION_CODES.has(code);
}

export function isHealthcareRegionCode(code: string): boolean {
  return HEALTHCARE_REGION_CODES.has(code);
}

/** Municipality codes (kommunkod) are four digits, the first two being the county code. */
export function isMunicipalityCode(code: string): boolean {
  return /^\d{4}$/.test(code) && isRegionCode(code.slice(0, 2));
}
