import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { GuaranteeLimitRule } from "./services/guarantee-clock";
import { loadLimitRules } from "./services/guarantee-clocks";
import { ReferralRecords } from "./services/referral-records";
import { ReferralsRuntime } from "./runtime";

/**
 * The referrals subgraph's per-request context. Referrals, and what hangs off them (history, clock
 * facts, payment commitments), are reached only through the caller-bound records and their
 * DataLoaders, one statement per kind for a whole page; the context holds no data source and no
 * repository (test/unit/data-access-boundary.test.ts keeps it so).
 */
export function createReferralsContext(dataSource: DataSource, base: BaseRequestContext, runtime: ReferralsRuntime) {
  const records = new ReferralRecords(dataSource, base);
  let rules: Promise<GuaranteeLimitRule[]> | undefined;
  return {
    ...base,
    records,
    workflow: runtime.workflow,
    events: runtime.events,
    supergraph: runtime.supergraph,
    atRiskMarginDays: runtime.atRiskMarginDays,
    /** The guarantee limits (national and regional rules, no patient data), read once per request. */
    limitRules: () => (rules ??= loadLimitRules(dataSource)),
    loaders: records.loaders,
  };
}

export type ReferralsContext = ReturnType<typeof createReferralsContext>;
