import { VisitType } from "../../subgraphs/shared/domain/enums";
import { CareCategory } from "../../subgraphs/referrals/domain/guarantee-clock";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import { seedId } from "../../subgraphs/shared/db/seed-ids";
import { TEST_IDENTITY_NUMBERS } from "./test-identity-numbers";

/**
 * Synthetic patients and their referrals. Identity numbers come only from TEST_IDENTITY_NUMBERS
 * (Tolvan Tolvansson and Skatteverket's test series); the names are invented and obviously so.
 */
export interface PatientSeed {
  identityNumber: string;
  givenName: string;
  familyName: string;
  homeMunicipalityCode: string;
}

export interface ReferralSeed {
  key: string;
  identityNumber: string;
  specialty: Specialty;
  procedure?: string;
  visitType: VisitType;
  /** Decision date, in days before the seed date. */
  decidedDaysAgo: number;
  diagnosisCode?: string;
  /** PLANNED_CARE when omitted. */
  careCategory?: CareCategory;
}

export const patientId = (identityNumber: string) => seedId("patient", identityNumber);
export const referralId = (key: string) => seedId("referral", key);

const ALLOWED = new Set(TEST_IDENTITY_NUMBERS.map((t) => t.number));

export const PATIENTS: readonly PatientSeed[] = [
  { identityNumber: "191212121212", givenName: "Tolvan", familyName: "Tolvansson", homeMunicipalityCode: "1380" },
  { identityNumber: "193008077723", givenName: "Greta", familyName: "Testsson", homeMunicipalityCode: "1383" },
  { identityNumber: "193805028432", givenName: "Sven", familyName: "Provsson", homeMunicipalityCode: "1384" },
  { identityNumber: "194001079120", givenName: "Ingrid", familyName: "Exempeldotter", homeMunicipalityCode: "1380" },
  { identityNumber: "194004057032", givenName: "Karl", familyName: "Testberg", homeMunicipalityCode: "1382" },
  { identityNumber: "194408139089", givenName: "Maj", familyName: "Provlund", homeMunicipalityCode: "1381" },
  { identityNumber: "194504118359", givenName: "Olof", familyName: "Demosson", homeMunicipalityCode: "1315" },
  { identityNumber: "198701012398", givenName: "Johan", familyName: "Fiktivsson", homeMunicipalityCode: "1383" },
  { identityNumber: "199312162390", givenName: "Ali", familyName: "Testström", homeMunicipalityCode: "1384" },
  { identityNumber: "199312172381", givenName: "Sara", familyName: "Provqvist", homeMunicipalityCode: "1380" },
  { identityNumber: "200001022391", givenName: "Erik", familyName: "Exempelsson", homeMunicipalityCode: "1280" },
  { identityNumber: "200001032382", givenName: "Lina", familyName: "Testdal", homeMunicipalityCode: "1480" },
  { identityNumber: "200002292399", givenName: "Noah", familyName: "Skottdagsson", homeMunicipalityCode: "2580" },
  { identityNumber: "200007312382", givenName: "Elsa", familyName: "Provén", homeMunicipalityCode: "0180" },
  { identityNumber: "201212132383", givenName: "Alva", familyName: "Testlund", homeMunicipalityCode: "1380" },
  { identityNumber: "201401612385", givenName: "Mira", familyName: "Samordnadsson", homeMunicipalityCode: "1383" },
];

export const REFERRALS: readonly ReferralSeed[] = [
  {
    key: "tolvan-hip",
    identityNumber: "191212121212",
    specialty: Specialty.ORTHOPAEDICS,
    procedure: "NFB49",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 48,
    diagnosisCode: "M16.1",
  },
  {
    key: "tolvan-cataract",
    identityNumber: "191212121212",
    specialty: Specialty.OPHTHALMOLOGY,
    procedure: "CJE20",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 12,
    diagnosisCode: "H25.1",
  },
  {
    key: "greta-knee",
    identityNumber: "193008077723",
    specialty: Specialty.ORTHOPAEDICS,
    procedure: "NGB49",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 71,
    diagnosisCode: "M17.1",
  },
  {
    key: "sven-hernia",
    identityNumber: "193805028432",
    specialty: Specialty.GENERAL_SURGERY,
    procedure: "JAB30",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 33,
    diagnosisCode: "K40.9",
  },
  {
    key: "ingrid-cataract",
    identityNumber: "194001079120",
    specialty: Specialty.OPHTHALMOLOGY,
    procedure: "CJE20",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 55,
    diagnosisCode: "H25.1",
  },
  {
    key: "karl-hip",
    identityNumber: "194004057032",
    specialty: Specialty.ORTHOPAEDICS,
    procedure: "NFB29",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 84,
    diagnosisCode: "M16.1",
  },
  {
    key: "maj-hip-visit",
    identityNumber: "194408139089",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.FIRST_VISIT,
    decidedDaysAgo: 40,
    diagnosisCode: "M16.1",
  },
  {
    key: "olof-turp",
    identityNumber: "194504118359",
    specialty: Specialty.UROLOGY,
    procedure: "KED22",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 62,
    diagnosisCode: "N40",
  },
  {
    key: "johan-arthroscopy",
    identityNumber: "198701012398",
    specialty: Specialty.ORTHOPAEDICS,
    procedure: "NGD01",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 25,
    diagnosisCode: "M23.2",
  },
  {
    key: "ali-hernia",
    identityNumber: "199312162390",
    specialty: Specialty.GENERAL_SURGERY,
    procedure: "JAB30",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 9,
    diagnosisCode: "K40.9",
  },
  {
    key: "sara-gyn",
    identityNumber: "199312172381",
    specialty: Specialty.GYNAECOLOGY,
    procedure: "LCB25",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 44,
    diagnosisCode: "N84.0",
  },
  {
    key: "erik-knee-visit",
    identityNumber: "200001022391",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.FIRST_VISIT,
    decidedDaysAgo: 20,
    diagnosisCode: "M23.2",
  },
  {
    key: "lina-cataract",
    identityNumber: "200001032382",
    specialty: Specialty.OPHTHALMOLOGY,
    procedure: "CJE20",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 30,
    diagnosisCode: "H26.0",
  },
  {
    key: "noah-hip-visit",
    identityNumber: "200002292399",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.FIRST_VISIT,
    decidedDaysAgo: 66,
  },
  {
    key: "elsa-gyn",
    identityNumber: "200007312382",
    specialty: Specialty.GYNAECOLOGY,
    procedure: "LCG21",
    visitType: VisitType.TREATMENT,
    decidedDaysAgo: 15,
    diagnosisCode: "N81.2",
  },
  {
    key: "alva-bup",
    identityNumber: "201212132383",
    specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY,
    visitType: VisitType.FIRST_VISIT,
    decidedDaysAgo: 26,
  },
  {
    key: "mira-hearing",
    identityNumber: "201401612385",
    specialty: Specialty.AUDIOLOGY,
    visitType: VisitType.FIRST_VISIT,
    decidedDaysAgo: 18,
    diagnosisCode: "H90.3",
    careCategory: CareCategory.HEARING_AID_FITTING,
  },
];

for (const { identityNumber } of [...PATIENTS, ...REFERRALS]) {
  if (!ALLOWED.has(identityNumber)) throw new Error("seed data uses an identity number outside the published test series");
}
