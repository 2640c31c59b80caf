/**
 * The national reference data the capacity subgraph's schema holds and every deployment needs,
 * demo or production: Sweden's regions, the six healthcare regions (with their members), and the
 * KVÅ procedures. The subgraph seeds it when it starts (`capacitySubgraph.referenceData`), however
 * the hub is run; the demo node's providers and offers are in seeds/.
 */

import { ReferenceData } from "../shared/db/seed-step";
import { VisitType } from "../shared/domain/enums";
import { HEALTHCARE_REGIONS, REGIONS } from "../shared/domain/regions";
import { Specialty } from "../shared/domain/specialty";
import { Procedure } from "./entities/procedure.entity";
import { HealthcareRegion, HealthcareRegionMember, Region } from "./entities/region.entity";

/**
 * KVÅ procedures the hub brokers (and the demo data uses).
 *
 * The codes are real KVÅ codes for the care areas the hub is built around (subgraphs/README.md,
 * "Capacity"): primary hip replacement NFB29/NFB39/NFB49/NFB99, the NGB family of knee
 * replacements, cataract CJE20, knee arthroscopy NGD01 and others. Only the three gynaecology titles were
 * found quoted in public sources (below); for the other codes the Swedish `name` is a descriptive
 * name written for this data set, not checked against Socialstyrelsen's KVÅ file, and says so in
 * `titleSource`. A production hub loads KVÅ from Socialstyrelsen's published file instead.
 */
export interface ProcedureSeed {
  code: string;
  name: string;
  englishName: string;
  specialty: Specialty;
  visitType: VisitType;
  titleSource: string;
}

const DESCRIPTIVE = "descriptive name for demo data; official KVÅ title not verified";
const SFOG = "old.sfog.se, 'Utredning av diagnoskoder för hysteroskopiska ingrepp' (2017-12-22), quoting the KVÅ text";
const SLL = "Stockholms läns landsting, Vårdval specialiserad gynekologi, rapporteringsanvisning (revision history)";

export const PROCEDURES: readonly ProcedureSeed[] = [
  // Orthopaedics: primary total hip replacement (NFB family), knee replacement (NGB), knee arthroscopy (NGD).
  {
    code: "NFB29",
    name: "Primär total höftledsprotes, ocementerad",
    englishName: "Primary total hip replacement, uncemented",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  {
    code: "NFB39",
    name: "Primär total höftledsprotes, hybrid",
    englishName: "Primary total hip replacement, hybrid fixation",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  {
    code: "NFB49",
    name: "Primär total höftledsprotes, cementerad",
    englishName: "Primary total hip replacement, cemented",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  {
    code: "NFB99",
    name: "Annan primär total höftledsprotes",
    englishName: "Other primary total hip replacement",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  {
    code: "NGB49",
    name: "Primär total knäledsprotes, cementerad",
    englishName: "Primary total knee replacement, cemented",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  {
    code: "NGD01",
    name: "Artroskopisk operation i knäled",
    englishName: "Arthroscopic knee operation",
    specialty: Specialty.ORTHOPAEDICS,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  // Eye care: cataract surgery.
  {
    code: "CJE20",
    name: "Kataraktoperation med implantation av intraokulär lins",
    englishName: "Cataract extraction with intraocular lens implant",
    specialty: Specialty.OPHTHALMOLOGY,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  // General surgery: inguinal hernia repair.
  {
    code: "JAB30",
    name: "Öppen ljumskbråcksoperation med nät",
    englishName: "Open inguinal hernia repair with mesh",
    specialty: Specialty.GENERAL_SURGERY,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  // Urology: transurethral resection of the prostate.
  {
    code: "KED22",
    name: "Transuretral resektion av prostata",
    englishName: "Transurethral resection of the prostate (TURP)",
    specialty: Specialty.UROLOGY,
    visitType: VisitType.TREATMENT,
    titleSource: DESCRIPTIVE,
  },
  // Gynaecology: titles found quoted in public sources.
  {
    code: "LCB25",
    name: "Hysteroskopi med exstirpation av förändring",
    englishName: "Hysteroscopic removal of a lesion (e.g. polyp, myoma)",
    specialty: Specialty.GYNAECOLOGY,
    visitType: VisitType.TREATMENT,
    titleSource: SFOG,
  },
  {
    code: "LCC05",
    name: "Hysteroskopisk resektion",
    englishName: "Hysteroscopic resection",
    specialty: Specialty.GYNAECOLOGY,
    visitType: VisitType.TREATMENT,
    titleSource: SFOG,
  },
  {
    code: "LCG21",
    name: "Laparoskopisk uteropexi",
    englishName: "Laparoscopic uteropexy (prolapse repair)",
    specialty: Specialty.GYNAECOLOGY,
    visitType: VisitType.TREATMENT,
    titleSource: SLL,
  },
];

/** Regions, healthcare regions (and which regions and municipalities belong to each) and KVÅ procedures. */
export const CAPACITY_REFERENCE_DATA: readonly ReferenceData[] = [
  {
    name: "capacity reference data",
    step: "reference-v1",
    tables: [
      { entity: Region, rows: REGIONS.map((r) => ({ code: r.code, name: r.name })) },
      { entity: HealthcareRegion, rows: HEALTHCARE_REGIONS.map((h) => ({ code: h.code, name: h.name, englishName: h.englishName })) },
      {
        entity: HealthcareRegionMember,
        rows: HEALTHCARE_REGIONS.flatMap((h) =>
          h.members.map((m) => ({
            healthcareRegionCode: h.code,
            regionCode: m.regionCode,
            municipalityCodes: m.municipalityCodes ? [...m.municipalityCodes] : null,
          })),
        ),
      },
      {
        entity: Procedure,
        rows: PROCEDURES.map((p) => ({
          code: p.code,
          name: p.name,
          englishName: p.englishName,
          specialty: p.specialty,
          visitType: p.visitType,
          validFrom: null,
          validTo: null,
        })),
      },
    ],
  },
];
