/**
 * The referrals subgraph's per-request context. Referrals, and what hangs off them (history, clock
 * facts, payment commitments), are reached only through the caller-bound records and the request's
 * loaders over them, one statement per kind for a whole page; the context holds no data source and
 * no repository (test/unit/data-access-boundary.test.ts keeps it so).
 */

import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { GuaranteeLimitRule } from "./domain/guarantee-clock";
import { createReferralsLoaders } from "./loaders";
import { ReferralsRuntime } from "./runtime";
import { loadLimitRules } from "./services/guarantee-clock-store";
import { ReferralRecords } from "./services/referral-records";

export function createReferralsContext(dataSource: DataSource, base: BaseRequestContext, runtime: ReferralsRuntime) {
  const records = new ReferralRecords(dataSource, base);
  let rules: Promise<GuaranteeLimitRule[]> | undefined;
  return {
    ...base,
    records,
    workflow: runtime.workflow,
    brokering: runtime.brokering,
    events: runtime.events,
    atRiskMarginDays: runtime.atRiskMarginDays,
    /** The guarantee limits (national and regional rules, no patient data), read once per request. */
    limitRules: () => (rules ??= loadLimitRules(dataSource)),
    loaders: createReferralsLoaders(records),
  };
}

export type ReferralsContext = ReturnType<typeof createReferralsContext>;
