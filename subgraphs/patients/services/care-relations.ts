/**
 * The care relations that let a provider read a patient: recorded by the referrals subgraph when it
 * sends a referral to the provider, ended when the referral is rejected or cancelled (both
 * idempotent by the referral), and read when a provider asks for a patient. Only the hub's own
 * referrals service records them, acting for the caller who took the step; no client can.
 */

import { DataSource } from "typeorm";
import { RequestScope } from "../../shared/context";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput, forbidden } from "../../shared/errors";

export class CareRelations {
  readonly #db: DataSource;

  constructor(dataSource: DataSource) {
    this.#db = dataSource;
  }

  /** The provider now holds the referral (recording it again, or for a re-sent referral's new provider, is the same call). */
  async record(scope: RequestScope, referralId: string, patientId: string, providerId: string): Promise<boolean> {
    requireReferralsService(scope);
    for (const [field, value] of [
      ["referralId", referralId],
      ["patientId", patientId],
      ["providerId", providerId],
    ] as const) {
      if (!isUuid(value)) throw badUserInput(field, "ID_FORMAT", `"${value}" is not an id (UUID)`);
    }
    const [known]: Array<{ id: string }> = await this.#db.query(`SELECT id FROM patients.patient WHERE id = $1`, [patientId]);
    if (!known) throw badUserInput("patientId", "PATIENT_UNKNOWN", "no patient with this id");
    await this.#db.query(
      `INSERT INTO patients.care_relation (referral_id, patient_id, provider_id) VALUES ($1, $2, $3)
       ON CONFLICT (referral_id) DO UPDATE SET patient_id = EXCLUDED.patient_id, provider_id = EXCLUDED.provider_id, recorded_at = now()`,
      [referralId, patientId, providerId],
    );
    return true;
  }

  /** The provider no longer holds the referral; ending one that is not recorded changes nothing. */
  async end(scope: RequestScope, referralId: string): Promise<boolean> {
    requireReferralsService(scope);
    if (!isUuid(referralId)) throw badUserInput("referralId", "ID_FORMAT", `"${referralId}" is not a referral id (UUID)`);
    await this.#db.query(`DELETE FROM patients.care_relation WHERE referral_id = $1`, [referralId]);
    return true;
  }
}

function requireReferralsService(scope: RequestScope): void {
  if (scope.identity.viaService !== "referrals")
    throw forbidden(
      "Care relations follow the referrals sent (sendReferral, rejectReferral, cancelReferral); they are not recorded directly.",
    );
}
