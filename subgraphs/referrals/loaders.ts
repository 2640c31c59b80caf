/**
 * The referrals subgraph's DataLoaders, over the caller-bound records: referrals by id and by
 * patient, and what hangs off a referral (clock facts, steps, payment commitments). Those are keyed
 * by the referral object, so a redacted copy and a shown referral never share a cached answer, and
 * read only for referrals the request shows.
 */

import DataLoader from "dataloader";
import { Referral } from "./entities/referral.entity";
import { ReferralRecords } from "./services/referral-records";

export function createReferralsLoaders(records: ReferralRecords) {
  const ofReferral = <V>(fetch: (referrals: readonly Referral[]) => Promise<V[]>) =>
    new DataLoader<Referral, V, string>(fetch, { cacheKeyFn: (r) => `${r.id}:${records.shows(r)}` });
  return {
    referral: new DataLoader<string, Referral | null>((ids) => records.byIds(ids)),
    referralsOfPatient: new DataLoader<string, Referral[]>((ids) => records.ofPatients(ids)),
    /** Null for a referral not shown: its clock is not the caller's to read. */
    clockEvents: ofReferral((referrals) => records.clockEventsOf(referrals)),
    transitions: ofReferral((referrals) => records.transitionsOf(referrals)),
    guaranteeEvents: ofReferral((referrals) => records.guaranteeEventsOf(referrals)),
    paymentCommitments: ofReferral((referrals) => records.paymentCommitmentsOf(referrals)),
    /** Null unless the caller is the provider a peer node's referral was sent to. */
    homePatients: ofReferral((referrals) => records.homePatientsOf(referrals)),
    peerExchanges: ofReferral((referrals) => records.peerExchangesOf(referrals)),
  };
}
