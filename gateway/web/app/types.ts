/**
 * The shapes the screens read from the gateway's answers: only the fields their operations select
 * (gateway/web/operations.ts), all optional data as the schema has it nullable.
 */

export interface PatientRef {
  id: string;
  givenName: string;
  familyName: string;
  birthDate?: string;
}

export interface Guarantee {
  status: string;
  daysLeft?: number | null;
  deadline?: string | null;
  startDate?: string | null;
  pausedDays?: number | null;
  limitDays?: number | null;
  limitName?: string | null;
}

export interface ReferralHistoryEntry {
  id: string;
  happenedOn: string;
  toStatus: string;
  actorRole: string;
  reason?: string | null;
}

/** A referral as a list or the referral screen shows it; each screen selects a subset of these fields. */
export interface Referral {
  id: string;
  status: string;
  specialty: string;
  visitType: string;
  decisionDate: string;
  availableActions: string[];
  patient: PatientRef | null;
  procedure: { code: string; name: string } | null;
  guarantee?: Guarantee | null;
  provider?: { name: string } | null;
  paymentCommitment?: { agreementName: string; pricePerCaseSek: number; validUntil: string } | null;
  history: ReferralHistoryEntry[];
}

/** A capacity offer as the provider's offer list shows it. */
export interface Offer {
  id: string;
  specialty: string;
  procedure?: { code: string; name?: string } | null;
  careUnit: { name: string };
  totalSlots: number;
  availableSlots: number;
  expectedWaitDays: number;
  validFrom: string;
  validUntil: string;
  conditions?: string | null;
}

export interface AuditEntry {
  id: string;
  occurredAt: string;
  role: string;
  action: string;
  subject: string;
  recordKind: string;
  outcome: string;
  basis?: string | null;
}
