/**
 * The clock's data: limit rules and registered clock events, read in one statement each for any
 * number of referrals, and turned into the pure clock's input.
 */

import { EntityManager, In } from "typeorm";
import { GuaranteeEvent, GuaranteeLimit, Referral } from "../entities/referral.entity";
import { ClockEvent, ClockInput, ClockReading, GuaranteeLimitRule, readClock } from "../domain/guarantee-clock";

type Db = Pick<EntityManager, "getRepository">;

export async function loadLimitRules(db: Db): Promise<GuaranteeLimitRule[]> {
  const rows = await db.getRepository(GuaranteeLimit).find({ order: { id: "ASC" } });
  return rows.map((r) => ({ ...r, extendsTo: r.extendsTo ?? [] }));
}

export async function loadClockEvents(db: Db, referralIds: readonly string[]): Promise<Map<string, ClockEvent[]>> {
  const byReferral = new Map<string, ClockEvent[]>(referralIds.map((id) => [id, []]));
  if (referralIds.length === 0) return byReferral;
  const rows = await db.getRepository(GuaranteeEvent).find({ where: { referralId: In([...referralIds]) }, order: { id: "ASC" } });
  for (const row of rows) byReferral.get(row.referralId)?.push({ kind: row.kind, date: row.effectiveDate });
  return byReferral;
}

export function clockInput(referral: Referral, events: readonly ClockEvent[]): ClockInput {
  return {
    visitType: referral.visitType,
    specialty: referral.specialty,
    category: referral.careCategory,
    homeRegionCode: referral.homeRegionCode,
    origin: referral.origin,
    decisionDate: referral.decisionDate,
    selfReferralArrivalDate: referral.selfReferralArrivalDate,
    events,
  };
}

/** A reading with the margin it was read with (clients show "at risk" against it). */
export type GuaranteeReading = ClockReading & { atRiskMarginDays: number; readOn: string };

export function read(
  referral: Referral,
  events: readonly ClockEvent[],
  rules: readonly GuaranteeLimitRule[],
  today: string,
  marginDays: number,
): GuaranteeReading {
  return { ...readClock(clockInput(referral, events), rules, today, marginDays), atRiskMarginDays: marginDays, readOn: today };
}

/** Stores the reading's status and deadline on the referral, for listing and sweeping in SQL. */
export function storeReading(referral: Referral, reading: ClockReading): void {
  referral.guaranteeStatus = reading.status;
  referral.guaranteeDeadline = reading.deadline;
}

/** Re-reads the clocks of the given referrals (two statements for any number) and returns those whose status or deadline changed, updated in memory. */
export async function refreshStoredReadings(
  db: EntityManager,
  referrals: Referral[],
  today: string,
  marginDays: number,
): Promise<Referral[]> {
  const rules = await loadLimitRules(db);
  const events = await loadClockEvents(
    db,
    referrals.map((r) => r.id),
  );
  const changed: Referral[] = [];
  for (const referral of referrals) {
    const reading = read(referral, events.get(referral.id) ?? [], rules, today, marginDays);
    if (reading.status !== referral.guaranteeStatus || reading.deadline !== referral.guaranteeDeadline) {
      storeReading(referral, reading);
      changed.push(referral);
    }
  }
  return changed;
}
