/**
 * Who a caller is to one referral, from the facts on it. The home region's office and clinics take
 * part in the patient's care; so does the provider the referral was sent to, from the moment it was
 * sent and for as long as it is with that provider. Plain functions over the identity.
 */

import { assignmentRefusal, Identity, patientDataAccess, PatientDataDecision, Role } from "../../shared/identity";
import { Party, ReferralStatus, WITH_RECEIVER } from "../domain/referral-lifecycle";

export interface ReferralFacts {
  homeRegionCode: string;
  providerId: string | null;
  status: ReferralStatus;
}

export function partiesOf(identity: Identity, referral: ReferralFacts): Party[] {
  const parties: Party[] = [];
  const home = patientDataAccess(identity, referral.homeRegionCode);
  if (home.allowed && identity.role === Role.REGIONAL_OFFICE) parties.push(Party.HOME_OFFICE);
  if (home.allowed && identity.role === Role.CLINIC) parties.push(Party.HOME_CLINIC);
  if (isReceiver(identity, referral)) parties.push(Party.RECEIVER);
  return parties;
}

function isReceiver(identity: Identity, referral: ReferralFacts): boolean {
  return (
    identity.role === Role.PROVIDER &&
    referral.providerId !== null &&
    identity.providerId === referral.providerId &&
    WITH_RECEIVER.has(referral.status) &&
    // The provider's user needs a care assignment that allows patient data, like anyone else.
    assignmentRefusal(identity) === null
  );
}

/** Whether the caller may see the referral's content (patient, diagnosis, history), and on what basis. */
export function referralAccess(identity: Identity, referral: ReferralFacts): PatientDataDecision {
  if (isReceiver(identity, referral)) return { allowed: true, basis: "REFERRAL_SENT_TO_PROVIDER" };
  return patientDataAccess(identity, referral.homeRegionCode);
}
