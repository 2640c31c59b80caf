/** Who runs a care provider: one of the regions, or a private company. */
export enum ProviderKind {
  PUBLIC = "PUBLIC",
  PRIVATE = "PRIVATE",
}

/** The two 90-day steps of the care guarantee: a first visit, or a treatment/operation. */
export enum VisitType {
  FIRST_VISIT = "FIRST_VISIT",
  TREATMENT = "TREATMENT",
}

/**
 * Outpatient or inpatient care (öppen/sluten vård): agreements and a home region's own rules may
 * treat them differently (e.g. inpatient care elsewhere needs a payment commitment).
 */
export enum CareSetting {
  OUTPATIENT = "OUTPATIENT",
  INPATIENT = "INPATIENT",
}
