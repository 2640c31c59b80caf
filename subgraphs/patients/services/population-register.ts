/**
 * The population register (folkbokföringen, reached through PU-tjänsten by Swedish care systems):
 * who a personal identity number belongs to, where the person lives, and whether the identity is
 * protected. The hub cannot reach it, and does not pretend to: registering a patient asks this
 * seam, whose only implementation today answers with what the registering clinic entered (it has
 * the patient in front of it and the identity document). A later integration implements
 * PopulationRegister and is chosen in patients/runtime.ts; nothing else changes.
 */

import type { ParsedIdentityNumber } from "../../shared/domain/personal-identity-number";
import { IdentitySource } from "../domain/identity-kinds";

export interface StatedIdentity {
  givenName: string;
  familyName: string;
  homeMunicipalityCode: string;
  address: { streetAddress: string; postalCode: string; city: string } | null;
  protectedIdentity: boolean;
}

export interface PopulationRecord extends StatedIdentity {
  /** Recorded with the patient, so a reader knows how far to trust the data. */
  source: IdentitySource;
}

export interface PopulationRegister {
  /** The person behind a verified identity number; `stated` is what the caller entered. */
  lookUp(identity: ParsedIdentityNumber, stated: StatedIdentity): Promise<PopulationRecord>;
}

/** The registering clinic's input, taken as it is (the identity number was verified before). */
export class ClinicInputRegister implements PopulationRegister {
  async lookUp(_identity: ParsedIdentityNumber, stated: StatedIdentity): Promise<PopulationRecord> {
    return { ...stated, source: IdentitySource.CLINIC_INPUT };
  }
}
