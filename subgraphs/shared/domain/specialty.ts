/**
 * Medical specialties the hub brokers care in. The list follows the care areas of the source
 * documents (orthopaedics, eye care, gynaecology, urology, cardiology, ENT, hearing care, BUP, and
 * general surgery for inguinal hernia). Values are part of the API contract with other regions.
 */
export enum Specialty {
  ORTHOPAEDICS = "ORTHOPAEDICS",
  OPHTHALMOLOGY = "OPHTHALMOLOGY",
  GYNAECOLOGY = "GYNAECOLOGY",
  UROLOGY = "UROLOGY",
  CARDIOLOGY = "CARDIOLOGY",
  OTORHINOLARYNGOLOGY = "OTORHINOLARYNGOLOGY",
  AUDIOLOGY = "AUDIOLOGY",
  GENERAL_SURGERY = "GENERAL_SURGERY",
  CHILD_AND_ADOLESCENT_PSYCHIATRY = "CHILD_AND_ADOLESCENT_PSYCHIATRY",
}

/** Swedish names users know the specialties by (used in schema descriptions and seeds). */
export const SPECIALTY_SWEDISH_NAMES: Record<Specialty, string> = {
  [Specialty.ORTHOPAEDICS]: "ortopedi",
  [Specialty.OPHTHALMOLOGY]: "ögonsjukvård",
  [Specialty.GYNAECOLOGY]: "gynekologi",
  [Specialty.UROLOGY]: "urologi",
  [Specialty.CARDIOLOGY]: "kardiologi",
  [Specialty.OTORHINOLARYNGOLOGY]: "öron-, näs- och halssjukvård",
  [Specialty.AUDIOLOGY]: "hörselvård",
  [Specialty.GENERAL_SURGERY]: "allmänkirurgi",
  [Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY]: "barn- och ungdomspsykiatri (BUP)",
};
