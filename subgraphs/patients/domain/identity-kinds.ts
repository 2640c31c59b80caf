/**
 * The kinds of facts about a patient's identity the patients subgraph keeps: which kind of Swedish
 * personal identity number it is, and where the identity data came from. Plain enums (registered
 * for GraphQL in `entities/patient.entity.ts`).
 */

/** The kind of Swedish personal identity number. */
export enum IdentityKind {
  PERSONNUMMER = "PERSONNUMMER",
  SAMORDNINGSNUMMER = "SAMORDNINGSNUMMER",
}

/** Where a patient's identity data came from. */
export enum IdentitySource {
  SEED = "SEED",
  CLINIC_INPUT = "CLINIC_INPUT",
}
