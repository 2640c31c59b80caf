import { DataSource, In } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { byKey, childrenByKey } from "../shared/loaders";
import { Referral } from "./entities/referral.entity";
import { ReferralSearch } from "./services/referral-search";

/** The referrals subgraph's per-request context: batched loaders. */
export function createReferralsContext(dataSource: DataSource, base: BaseRequestContext) {
  const referrals = dataSource.getRepository(Referral);
  return {
    ...base,
    search: new ReferralSearch(dataSource),
    loaders: {
      referral: byKey((ids: readonly string[]) => referrals.findBy({ id: In([...ids]) }), (r) => r.id),
      referralsOfPatient: childrenByKey(
        (ids: readonly string[]) => referrals.find({ where: { patientId: In([...ids]) }, order: { decisionDate: "ASC", id: "ASC" } }),
        (r) => r.patientId,
      ),
    },
  };
}

export type ReferralsContext = ReturnType<typeof createReferralsContext>;
