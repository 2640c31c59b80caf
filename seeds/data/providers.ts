import { ProviderKind } from "../../subgraphs/shared/domain/enums";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import { careUnitId, providerId } from "../../subgraphs/shared/db/seed-ids";

export { careUnitId, providerId };

/**
 * Demo providers. Public hospitals are real hospitals of their regions (names are public facts);
 * everything about their capacity is invented. Private providers have invented names, so that no
 * real company is shown with agreements or prices it does not have. HSA-ids are synthetic, under
 * the non-existent organisation number 999999-9999.
 */
export interface OfferSeed {
  /** KVÅ code; omitted for first-visit capacity in the unit's specialty. */
  procedure?: string;
  slots: number;
  /** Earliest start, in days from the seed date. */
  startsInDays: number;
  /** Window end, in days from the seed date. */
  validForDays: number;
  expectedWaitDays: number;
  /** Days since the capacity was reported (freshness). */
  reportedDaysAgo?: number;
  minAge?: number;
  maxAge?: number;
  conditions?: string;
  /** How the capacity reached the hub (MANUAL when omitted). */
  source?: "MANUAL" | "API";
  /** Seeded as history: never listed as free capacity. */
  state?: "WITHDRAWN" | "EXPIRED" | "FULL";
}

export interface UnitSeed {
  key: string;
  name: string;
  specialty: Specialty;
  offers: OfferSeed[];
}

export interface ProviderSeed {
  key: string;
  name: string;
  kind: ProviderKind;
  regionCode: string;
  municipalityCode: string;
  units: UnitSeed[];
}

export const hsaId = (key: string) =>
  `SE9999999999-${key
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .slice(0, 14)}`;

const hip = (startsInDays: number, slots: number, expectedWaitDays: number, extra: Partial<OfferSeed> = {}): OfferSeed => ({
  procedure: "NFB49",
  slots,
  startsInDays,
  validForDays: 150,
  expectedWaitDays,
  ...extra,
});

export const PROVIDERS: readonly ProviderSeed[] = [
  // Region Halland (13)
  {
    key: "halland-halmstad",
    name: "Hallands sjukhus Halmstad",
    kind: ProviderKind.PUBLIC,
    regionCode: "13",
    municipalityCode: "1380",
    units: [
      {
        key: "halmstad-ortopedi",
        name: "Ortopedkliniken, Hallands sjukhus Halmstad",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [
          hip(21, 4, 45),
          { procedure: "NGB49", slots: 3, startsInDays: 28, validForDays: 120, expectedWaitDays: 50 },
          { slots: 10, startsInDays: 7, validForDays: 60, expectedWaitDays: 20, conditions: "Nybesök ortopedi, höft och knä" },
        ],
      },
      {
        key: "halmstad-ogon",
        name: "Ögonkliniken, Hallands sjukhus Halmstad",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 12, startsInDays: 14, validForDays: 90, expectedWaitDays: 30 }],
      },
    ],
  },
  {
    key: "halland-varberg",
    name: "Hallands sjukhus Varberg",
    kind: ProviderKind.PUBLIC,
    regionCode: "13",
    municipalityCode: "1383",
    units: [
      {
        key: "varberg-ortopedi",
        name: "Ortopedkliniken, Hallands sjukhus Varberg",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [
          hip(35, 2, 60, { reportedDaysAgo: 20 }),
          { procedure: "NGD01", slots: 6, startsInDays: 10, validForDays: 60, expectedWaitDays: 25 },
        ],
      },
      {
        key: "varberg-gynekologi",
        name: "Kvinnokliniken, Hallands sjukhus Varberg",
        specialty: Specialty.GYNAECOLOGY,
        offers: [{ procedure: "LCB25", slots: 5, startsInDays: 18, validForDays: 90, expectedWaitDays: 35 }],
      },
    ],
  },
  {
    key: "halland-kungsbacka",
    name: "Hallands sjukhus Kungsbacka",
    kind: ProviderKind.PUBLIC,
    regionCode: "13",
    municipalityCode: "1384",
    units: [
      {
        key: "kungsbacka-kirurgi",
        name: "Kirurgisk dagkirurgi, Hallands sjukhus Kungsbacka",
        specialty: Specialty.GENERAL_SURGERY,
        offers: [{ procedure: "JAB30", slots: 15, startsInDays: 12, validForDays: 120, expectedWaitDays: 28 }],
      },
    ],
  },
  // Region Skåne (12), Södra sjukvårdsregionen
  {
    key: "skane-sus-lund",
    name: "Skånes universitetssjukhus Lund",
    kind: ProviderKind.PUBLIC,
    regionCode: "12",
    municipalityCode: "1281",
    units: [
      {
        key: "sus-lund-ortopedi",
        name: "Ortopedi, Skånes universitetssjukhus Lund",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(42, 3, 70), { procedure: "NFB29", slots: 2, startsInDays: 49, validForDays: 120, expectedWaitDays: 75 }],
      },
      {
        key: "sus-lund-urologi",
        name: "Urologi, Skånes universitetssjukhus Lund",
        specialty: Specialty.UROLOGY,
        offers: [{ procedure: "KED22", slots: 4, startsInDays: 30, validForDays: 90, expectedWaitDays: 55 }],
      },
    ],
  },
  {
    key: "skane-trelleborg",
    name: "Trelleborgs lasarett",
    kind: ProviderKind.PUBLIC,
    regionCode: "12",
    municipalityCode: "1287",
    units: [
      {
        key: "trelleborg-ortopedi",
        name: "Ortopedkliniken, Trelleborgs lasarett",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [
          hip(14, 8, 30),
          { procedure: "NGB49", slots: 6, startsInDays: 21, validForDays: 120, expectedWaitDays: 35 },
          hip(5, 3, 10, { state: "WITHDRAWN" }),
        ],
      },
    ],
  },
  {
    key: "skane-helsingborg",
    name: "Helsingborgs lasarett",
    kind: ProviderKind.PUBLIC,
    regionCode: "12",
    municipalityCode: "1283",
    units: [
      {
        key: "helsingborg-ogon",
        name: "Ögonkliniken, Helsingborgs lasarett",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 20, startsInDays: 9, validForDays: 60, expectedWaitDays: 21 }],
      },
    ],
  },
  // Västra Götalandsregionen (14), Västra sjukvårdsregionen
  {
    key: "vgr-sahlgrenska",
    name: "Sahlgrenska universitetssjukhuset",
    kind: ProviderKind.PUBLIC,
    regionCode: "14",
    municipalityCode: "1480",
    units: [
      {
        key: "sahlgrenska-ortopedi",
        name: "Ortopedi, Sahlgrenska universitetssjukhuset Mölndal",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(28, 5, 55), { procedure: "NFB39", slots: 2, startsInDays: 40, validForDays: 120, expectedWaitDays: 65 }],
      },
      {
        key: "sahlgrenska-ogon",
        name: "Ögonsjukvård, Sahlgrenska universitetssjukhuset Mölndal",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 25, startsInDays: 20, validForDays: 90, expectedWaitDays: 40, reportedDaysAgo: 50 }],
      },
    ],
  },
  {
    key: "vgr-boras",
    name: "Södra Älvsborgs sjukhus Borås",
    kind: ProviderKind.PUBLIC,
    regionCode: "14",
    municipalityCode: "1490",
    units: [
      {
        key: "boras-ortopedi",
        name: "Ortopedkliniken, Södra Älvsborgs sjukhus",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(18, 4, 40), hip(3, 2, 5, { state: "EXPIRED" })],
      },
    ],
  },
  {
    key: "vgr-lidkoping",
    name: "Skaraborgs sjukhus Lidköping",
    kind: ProviderKind.PUBLIC,
    regionCode: "14",
    municipalityCode: "1494",
    units: [
      {
        key: "lidkoping-ortopedi",
        name: "Ortopedi, Skaraborgs sjukhus Lidköping",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [
          { procedure: "NGB49", slots: 5, startsInDays: 16, validForDays: 120, expectedWaitDays: 38 },
          hip(11, 1, 25, { state: "FULL" }),
        ],
      },
    ],
  },
  // Region Stockholm (01)
  {
    key: "sthlm-karolinska",
    name: "Karolinska universitetssjukhuset",
    kind: ProviderKind.PUBLIC,
    regionCode: "01",
    municipalityCode: "0184",
    units: [
      {
        key: "karolinska-ortopedi",
        name: "Ortopedi, Karolinska universitetssjukhuset Huddinge",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(56, 3, 80)],
      },
    ],
  },
  {
    key: "sthlm-sodersjukhuset",
    name: "Södersjukhuset",
    kind: ProviderKind.PUBLIC,
    regionCode: "01",
    municipalityCode: "0180",
    units: [
      {
        key: "sos-ortopedi",
        name: "Ortopedkliniken, Södersjukhuset",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(24, 6, 45, { reportedDaysAgo: 3 }), { slots: 12, startsInDays: 6, validForDays: 45, expectedWaitDays: 14 }],
      },
      {
        key: "sos-ogon",
        name: "S:t Eriks Ögonsjukhus (samarbete), Södersjukhuset",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 30, startsInDays: 12, validForDays: 90, expectedWaitDays: 24 }],
      },
    ],
  },
  // Region Kronoberg (07), Södra; Region Jönköpings län (06), Sydöstra; Region Norrbotten (25), Norra
  {
    key: "kronoberg-vaxjo",
    name: "Centrallasarettet Växjö",
    kind: ProviderKind.PUBLIC,
    regionCode: "07",
    municipalityCode: "0780",
    units: [
      {
        key: "vaxjo-ortopedi",
        name: "Ortopedkliniken, Centrallasarettet Växjö",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(31, 3, 58)],
      },
    ],
  },
  {
    key: "jonkoping-ryhov",
    name: "Länssjukhuset Ryhov",
    kind: ProviderKind.PUBLIC,
    regionCode: "06",
    municipalityCode: "0680",
    units: [
      {
        key: "ryhov-ogon",
        name: "Ögonkliniken, Länssjukhuset Ryhov",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 15, startsInDays: 25, validForDays: 90, expectedWaitDays: 42 }],
      },
    ],
  },
  {
    key: "norrbotten-sunderby",
    name: "Sunderby sjukhus",
    kind: ProviderKind.PUBLIC,
    regionCode: "25",
    municipalityCode: "2580",
    units: [
      {
        key: "sunderby-ortopedi",
        name: "Ortopedkliniken, Sunderby sjukhus",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(63, 2, 85)],
      },
    ],
  },
  // Private providers (invented names)
  {
    key: "private-kattegatt-ortopedi",
    name: "Kattegattkliniken Ortopedi AB",
    kind: ProviderKind.PRIVATE,
    regionCode: "13",
    municipalityCode: "1380",
    units: [
      {
        key: "kattegatt-ortopedi",
        name: "Kattegattkliniken Ortopedi, Halmstad",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [
          hip(10, 6, 20, { source: "API" }),
          { procedure: "NFB29", slots: 4, startsInDays: 12, validForDays: 120, expectedWaitDays: 22, conditions: "BMI under 35; ASA 1–2" },
          { procedure: "NGB49", slots: 5, startsInDays: 15, validForDays: 120, expectedWaitDays: 25, maxAge: 85 },
        ],
      },
    ],
  },
  {
    key: "private-vastkustens-ogon",
    name: "Västkustens Ögonklinik AB",
    kind: ProviderKind.PRIVATE,
    regionCode: "13",
    municipalityCode: "1383",
    units: [
      {
        key: "vastkustens-ogon",
        name: "Västkustens Ögonklinik, Varberg",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 40, startsInDays: 5, validForDays: 90, expectedWaitDays: 10, minAge: 18 }],
      },
    ],
  },
  {
    key: "private-nordhalla-dagkirurgi",
    name: "Nordhalla Dagkirurgi AB",
    kind: ProviderKind.PRIVATE,
    regionCode: "14",
    municipalityCode: "1480",
    units: [
      {
        key: "nordhalla-dagkirurgi",
        name: "Nordhalla Dagkirurgi, Göteborg",
        specialty: Specialty.GENERAL_SURGERY,
        offers: [{ procedure: "JAB30", slots: 10, startsInDays: 8, validForDays: 90, expectedWaitDays: 14 }],
      },
      {
        key: "nordhalla-artroskopi",
        name: "Nordhalla Dagkirurgi, knäartroskopi",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [{ procedure: "NGD01", slots: 8, startsInDays: 9, validForDays: 90, expectedWaitDays: 12 }],
      },
    ],
  },
  {
    key: "private-oresund-ortopedcenter",
    name: "Öresund Ortopedcenter AB",
    kind: ProviderKind.PRIVATE,
    regionCode: "12",
    municipalityCode: "1280",
    units: [
      {
        key: "oresund-ortopedi",
        name: "Öresund Ortopedcenter, Malmö",
        specialty: Specialty.ORTHOPAEDICS,
        offers: [hip(8, 5, 16), { procedure: "NGB49", slots: 4, startsInDays: 13, validForDays: 120, expectedWaitDays: 20 }],
      },
    ],
  },
  {
    key: "private-malardalens-gyn-uro",
    name: "Mälardalens Gynekologi & Urologi AB",
    kind: ProviderKind.PRIVATE,
    regionCode: "01",
    municipalityCode: "0180",
    units: [
      {
        key: "malardalens-gynekologi",
        name: "Mälardalens Gynekologi, Stockholm",
        specialty: Specialty.GYNAECOLOGY,
        offers: [{ procedure: "LCG21", slots: 3, startsInDays: 19, validForDays: 90, expectedWaitDays: 30 }],
      },
      {
        key: "malardalens-urologi",
        name: "Mälardalens Urologi, Stockholm",
        specialty: Specialty.UROLOGY,
        offers: [{ procedure: "KED22", slots: 4, startsInDays: 22, validForDays: 90, expectedWaitDays: 33 }],
      },
    ],
  },
  {
    key: "private-lagan-ogon-horsel",
    name: "Lagans Ögon och Hörsel AB",
    kind: ProviderKind.PRIVATE,
    regionCode: "13",
    municipalityCode: "1381",
    units: [
      {
        key: "lagan-ogon",
        name: "Lagans Ögonmottagning, Laholm",
        specialty: Specialty.OPHTHALMOLOGY,
        offers: [{ procedure: "CJE20", slots: 10, startsInDays: 11, validForDays: 60, expectedWaitDays: 18 }],
      },
      {
        key: "lagan-horsel",
        name: "Lagans Hörselmottagning, Laholm",
        specialty: Specialty.AUDIOLOGY,
        offers: [{ slots: 20, startsInDays: 4, validForDays: 60, expectedWaitDays: 9, conditions: "Utprovning av hörapparat" }],
      },
    ],
  },
];
