import DataLoader from "dataloader";
import { DataSource, In } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { childrenByKey } from "../shared/loaders";
import { GuaranteeEvent, PaymentCommitment, Referral, ReferralTransition } from "./entities/referral.entity";
import { ClockEvent, GuaranteeLimitRule } from "./services/guarantee-clock";
import { loadClockEvents, loadLimitRules } from "./services/guarantee-clocks";
import { ReferralRecords } from "./services/referral-records";
import { ReferralsRuntime } from "./runtime";

/**
 * The referrals subgraph's per-request context. Referrals are reached only through the
 * caller-scoped records; what hangs off a referral the caller was shown (history, clock facts,
 * payment commitments) is batched by DataLoaders, one statement per kind for a whole page.
 */
export function createReferralsContext(dataSource: DataSource, base: BaseRequestContext, runtime: ReferralsRuntime) {
  const records = new ReferralRecords(dataSource, base);
  let rules: Promise<GuaranteeLimitRule[]> | undefined;
  const children = <T extends { referralId: string }>(entity: new () => T, order: Record<string, "ASC">) =>
    childrenByKey<string, T>(
      (ids) => dataSource.getRepository(entity).find({ where: { referralId: In([...ids]) } as never, order: order as never }),
      (row) => row.referralId,
    );
  return {
    ...base,
    records,
    workflow: runtime.workflow,
    events: runtime.events,
    supergraph: runtime.supergraph,
    atRiskMarginDays: runtime.atRiskMarginDays,
    /** The guarantee limits, read once per request. */
    limitRules: () => (rules ??= loadLimitRules(dataSource)),
    loaders: {
      referral: new DataLoader<string, Referral | null>((ids) => records.byIds(ids)),
      referralsOfPatient: new DataLoader<string, Referral[]>((ids) => records.ofPatients(ids)),
      clockEvents: new DataLoader<string, ClockEvent[]>(async (ids) => {
        const byReferral = await loadClockEvents(dataSource, ids);
        return ids.map((id) => byReferral.get(id) ?? []);
      }),
      transitions: children(ReferralTransition, { id: "ASC" }),
      guaranteeEvents: children(GuaranteeEvent, { id: "ASC" }),
      paymentCommitments: children(PaymentCommitment, { issuedAt: "ASC" }),
    },
  };
}

export type ReferralsContext = ReturnType<typeof createReferralsContext>;
