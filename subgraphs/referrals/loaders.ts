import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { Referral } from "./entities/referral.entity";
import { ReferralRecords } from "./services/referral-records";

/**
 * The referrals subgraph's per-request context. Referrals are reached only through the
 * caller-scoped records, batched by DataLoaders.
 */
export function createReferralsContext(dataSource: DataSource, base: BaseRequestContext) {
  const records = new ReferralRecords(dataSource, base);
  return {
    ...base,
    records,
    loaders: {
      referral: new DataLoader<string, Referral | null>((ids) => records.byIds(ids)),
      referralsOfPatient: new DataLoader<string, Referral[]>((ids) => records.ofPatients(ids)),
    },
  };
}

export type ReferralsContext = ReturnType<typeof createReferralsContext>;
