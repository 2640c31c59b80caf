/**
 * The referral's lifecycle (remissens gång) as a state machine: which step may follow which, and
 * who may take it. Plain data and functions: no GraphQL, no database.
 *
 * registered → (handed to the office) → sent with a payment commitment → received → accepted or
 * rejected by the receiver → offered to the patient (7 days to answer; an unanswered offer expires
 * and the receiver may offer again) → accepted or declined by the patient (a declined offer forfeits
 * the guarantee; if the patient regrets, the referral is back with the receiver on a new clock) →
 * booked → completed. Cancelled from any open state with a reason. A rejected referral may be sent
 * again, to another offer.
 */
export enum ReferralStatus {
  REGISTERED = "REGISTERED",
  HANDED_TO_OFFICE = "HANDED_TO_OFFICE",
  SENT = "SENT",
  RECEIVED = "RECEIVED",
  ACCEPTED = "ACCEPTED",
  REJECTED = "REJECTED",
  OFFERED_TO_PATIENT = "OFFERED_TO_PATIENT",
  PATIENT_ACCEPTED = "PATIENT_ACCEPTED",
  PATIENT_DECLINED = "PATIENT_DECLINED",
  BOOKED = "BOOKED",
  COMPLETED = "COMPLETED",
  CANCELLED = "CANCELLED",
}

export enum ReferralAction {
  REGISTER = "REGISTER",
  HAND_TO_OFFICE = "HAND_TO_OFFICE",
  SEND = "SEND",
  RECEIVE = "RECEIVE",
  ACCEPT = "ACCEPT",
  REJECT = "REJECT",
  OFFER_TO_PATIENT = "OFFER_TO_PATIENT",
  PATIENT_ACCEPT = "PATIENT_ACCEPT",
  PATIENT_DECLINE = "PATIENT_DECLINE",
  OFFER_EXPIRE = "OFFER_EXPIRE",
  PATIENT_REGRET = "PATIENT_REGRET",
  BOOK = "BOOK",
  COMPLETE = "COMPLETE",
  CANCEL = "CANCEL",
}

/** Who takes a step, relative to the referral. */
export enum Party {
  /** The patient's home region: its care-guarantee office or one of its clinics. */
  HOME_OFFICE = "HOME_OFFICE",
  HOME_CLINIC = "HOME_CLINIC",
  /** The provider the referral was sent to. */
  RECEIVER = "RECEIVER",
  /** The hub itself (offers expiring). */
  SYSTEM = "SYSTEM",
}

interface Step {
  from: readonly ReferralStatus[];
  to: ReferralStatus;
  by: readonly Party[];
  /** Whether a reason must be given. */
  reason: boolean;
}

const OPEN: readonly ReferralStatus[] = [
  ReferralStatus.REGISTERED,
  ReferralStatus.HANDED_TO_OFFICE,
  ReferralStatus.SENT,
  ReferralStatus.RECEIVED,
  ReferralStatus.ACCEPTED,
  ReferralStatus.REJECTED,
  ReferralStatus.OFFERED_TO_PATIENT,
  ReferralStatus.PATIENT_ACCEPTED,
  ReferralStatus.PATIENT_DECLINED,
  ReferralStatus.BOOKED,
];

const HOME = [Party.HOME_OFFICE, Party.HOME_CLINIC] as const;

export const STEPS: Readonly<Record<Exclude<ReferralAction, ReferralAction.REGISTER>, Step>> = {
  [ReferralAction.HAND_TO_OFFICE]: {
    from: [ReferralStatus.REGISTERED],
    to: ReferralStatus.HANDED_TO_OFFICE,
    by: [Party.HOME_CLINIC],
    reason: true,
  },
  [ReferralAction.SEND]: {
    from: [ReferralStatus.REGISTERED, ReferralStatus.HANDED_TO_OFFICE, ReferralStatus.REJECTED],
    to: ReferralStatus.SENT,
    by: [Party.HOME_OFFICE],
    reason: false,
  },
  [ReferralAction.RECEIVE]: { from: [ReferralStatus.SENT], to: ReferralStatus.RECEIVED, by: [Party.RECEIVER], reason: false },
  [ReferralAction.ACCEPT]: { from: [ReferralStatus.RECEIVED], to: ReferralStatus.ACCEPTED, by: [Party.RECEIVER], reason: false },
  [ReferralAction.REJECT]: {
    from: [ReferralStatus.SENT, ReferralStatus.RECEIVED],
    to: ReferralStatus.REJECTED,
    by: [Party.RECEIVER],
    reason: true,
  },
  [ReferralAction.OFFER_TO_PATIENT]: {
    from: [ReferralStatus.ACCEPTED],
    to: ReferralStatus.OFFERED_TO_PATIENT,
    by: [Party.RECEIVER, Party.HOME_OFFICE],
    reason: false,
  },
  [ReferralAction.PATIENT_ACCEPT]: {
    from: [ReferralStatus.OFFERED_TO_PATIENT],
    to: ReferralStatus.PATIENT_ACCEPTED,
    by: [Party.HOME_OFFICE, Party.RECEIVER],
    reason: false,
  },
  [ReferralAction.PATIENT_DECLINE]: {
    from: [ReferralStatus.OFFERED_TO_PATIENT],
    to: ReferralStatus.PATIENT_DECLINED,
    by: [Party.HOME_OFFICE, Party.RECEIVER],
    reason: true,
  },
  [ReferralAction.OFFER_EXPIRE]: {
    from: [ReferralStatus.OFFERED_TO_PATIENT],
    to: ReferralStatus.ACCEPTED,
    by: [Party.SYSTEM],
    reason: true,
  },
  [ReferralAction.PATIENT_REGRET]: {
    from: [ReferralStatus.PATIENT_DECLINED],
    to: ReferralStatus.ACCEPTED,
    by: [Party.HOME_OFFICE],
    reason: true,
  },
  [ReferralAction.BOOK]: { from: [ReferralStatus.PATIENT_ACCEPTED], to: ReferralStatus.BOOKED, by: [Party.RECEIVER], reason: false },
  [ReferralAction.COMPLETE]: { from: [ReferralStatus.BOOKED], to: ReferralStatus.COMPLETED, by: [Party.RECEIVER], reason: false },
  [ReferralAction.CANCEL]: { from: OPEN, to: ReferralStatus.CANCELLED, by: [...HOME], reason: true },
};

/** Days the patient has to answer an offer made through 1177. */
export const OFFER_ANSWER_DAYS = 7;

/** Statuses in which the referral is with a receiver (capacity is held for it there). */
export const WITH_RECEIVER: ReadonlySet<ReferralStatus> = new Set([
  ReferralStatus.SENT,
  ReferralStatus.RECEIVED,
  ReferralStatus.ACCEPTED,
  ReferralStatus.OFFERED_TO_PATIENT,
  ReferralStatus.PATIENT_ACCEPTED,
  ReferralStatus.PATIENT_DECLINED,
  ReferralStatus.BOOKED,
  ReferralStatus.COMPLETED,
]);

/** Statuses in which the patient is still waiting for care (the guarantee clock matters). */
export const WAITING: ReadonlySet<ReferralStatus> = new Set(OPEN.filter((s) => s !== ReferralStatus.BOOKED));

export type TransitionCheck =
  | { ok: true; to: ReferralStatus }
  | { ok: false; code: "CONFLICT" | "FORBIDDEN" | "REASON_REQUIRED"; message: string };

/** Whether `party` may take `action` on a referral in `current`, and where it leads. */
export function checkTransition(
  current: ReferralStatus,
  action: Exclude<ReferralAction, ReferralAction.REGISTER>,
  parties: readonly Party[],
  reason: string | null,
): TransitionCheck {
  const step = STEPS[action];
  if (!parties.some((p) => step.by.includes(p))) {
    return { ok: false, code: "FORBIDDEN", message: `${describeAction(action)} is for ${step.by.map(describeParty).join(" or ")}` };
  }
  if (!step.from.includes(current)) {
    return {
      ok: false,
      code: "CONFLICT",
      message: `cannot ${describeAction(action)}: the referral is ${current}; this step needs ${step.from.join(" or ")}`,
    };
  }
  if (step.reason && !(reason && reason.trim().length >= 3))
    return { ok: false, code: "REASON_REQUIRED", message: `${describeAction(action)} needs a reason (3 to 500 characters)` };
  return { ok: true, to: step.to };
}

/** A recorded step, as the rules on dated steps see it. */
export interface RecordedStep {
  action: ReferralAction;
  happenedOn: string;
  details: Record<string, unknown>;
}

/**
 * Whether an answer given on `answeredOn` answers an offer the hub has since expired: the referral
 * is back with the receiver (ACCEPTED) by the expiry alone, and the answer came within the offer's
 * days. `previous` are the last steps, newest first. The expiry is then corrected, not undone.
 */
export function answersExpiredOffer(status: ReferralStatus, previous: readonly RecordedStep[], answeredOn: string | undefined): boolean {
  if (!answeredOn || status !== ReferralStatus.ACCEPTED) return false;
  const [expiry, offer] = previous;
  if (expiry?.action !== ReferralAction.OFFER_EXPIRE || offer?.action !== ReferralAction.OFFER_TO_PATIENT) return false;
  const due = offer.details.answerDue;
  return typeof due === "string" && answeredOn <= due;
}

/** Why a step dated `on` cannot follow `previous` (the step it answers), or null: it cannot have happened earlier. */
export function beforePreviousStep(on: string, previous: RecordedStep | undefined): string | null {
  return previous && on < previous.happenedOn ? `the step it follows (${previous.action}) happened on ${previous.happenedOn}` : null;
}

/** The actions a party could take now (for clients that show buttons). */
export function availableActions(current: ReferralStatus, parties: readonly Party[]): ReferralAction[] {
  return (Object.keys(STEPS) as Array<keyof typeof STEPS>).filter(
    (action) => STEPS[action].from.includes(current) && parties.some((p) => STEPS[action].by.includes(p)),
  );
}

function describeAction(action: ReferralAction): string {
  return action.toLowerCase().replace(/_/g, " ");
}

function describeParty(party: Party): string {
  switch (party) {
    case Party.HOME_OFFICE:
      return "the home region's office";
    case Party.HOME_CLINIC:
      return "a clinic of the home region";
    case Party.RECEIVER:
      return "the provider it was sent to";
    case Party.SYSTEM:
      return "the hub";
  }
}
