import {
  answersExpiredOffer,
  availableActions,
  beforePreviousStep,
  checkTransition,
  OFFER_ANSWER_DAYS,
  Party,
  ReferralAction,
  RecordedStep,
  ReferralStatus,
  STEPS,
  WAITING,
  WITH_RECEIVER,
} from "../../subgraphs/referrals/domain/referral-lifecycle";

/**
 * The referral's lifecycle (subgraphs/README.md, "Referrals and payment commitments"): registered → sent → received → accepted/rejected
 * → offered to the patient → accepted/declined → booked → completed; cancelled from any open state
 * with a reason. The expected table below is written out by hand, not read from STEPS.
 */

type Action = Exclude<ReferralAction, ReferralAction.REGISTER>;
const S = ReferralStatus;
const A = ReferralAction;
const P = Party;

const OPEN_STATES: readonly ReferralStatus[] = [
  S.REGISTERED,
  S.HANDED_TO_OFFICE,
  S.SENT,
  S.RECEIVED,
  S.ACCEPTED,
  S.REJECTED,
  S.OFFERED_TO_PATIENT,
  S.PATIENT_ACCEPTED,
  S.PATIENT_DECLINED,
  S.BOOKED,
];
const ALL_STATES = Object.values(ReferralStatus);
const ALL_PARTIES = Object.values(Party);
const ALL_ACTIONS = Object.values(ReferralAction).filter((a): a is Action => a !== A.REGISTER);

interface Expected {
  from: readonly ReferralStatus[];
  to: ReferralStatus;
  by: readonly Party[];
  reason: boolean;
}

const EXPECTED: Record<Action, Expected> = {
  [A.HAND_TO_OFFICE]: { from: [S.REGISTERED], to: S.HANDED_TO_OFFICE, by: [P.HOME_CLINIC], reason: true },
  [A.SEND]: { from: [S.REGISTERED, S.HANDED_TO_OFFICE, S.REJECTED], to: S.SENT, by: [P.HOME_OFFICE], reason: false },
  [A.RECEIVE]: { from: [S.SENT], to: S.RECEIVED, by: [P.RECEIVER], reason: false },
  [A.ACCEPT]: { from: [S.RECEIVED], to: S.ACCEPTED, by: [P.RECEIVER], reason: false },
  [A.REJECT]: { from: [S.SENT, S.RECEIVED], to: S.REJECTED, by: [P.RECEIVER], reason: true },
  [A.OFFER_TO_PATIENT]: { from: [S.ACCEPTED], to: S.OFFERED_TO_PATIENT, by: [P.RECEIVER, P.HOME_OFFICE], reason: false },
  [A.PATIENT_ACCEPT]: { from: [S.OFFERED_TO_PATIENT], to: S.PATIENT_ACCEPTED, by: [P.HOME_OFFICE, P.RECEIVER], reason: false },
  [A.PATIENT_DECLINE]: { from: [S.OFFERED_TO_PATIENT], to: S.PATIENT_DECLINED, by: [P.HOME_OFFICE, P.RECEIVER], reason: true },
  [A.OFFER_EXPIRE]: { from: [S.OFFERED_TO_PATIENT], to: S.ACCEPTED, by: [P.SYSTEM], reason: true },
  [A.PATIENT_REGRET]: { from: [S.PATIENT_DECLINED], to: S.ACCEPTED, by: [P.HOME_OFFICE], reason: true },
  [A.BOOK]: { from: [S.PATIENT_ACCEPTED], to: S.BOOKED, by: [P.RECEIVER], reason: false },
  [A.COMPLETE]: { from: [S.BOOKED], to: S.COMPLETED, by: [P.RECEIVER], reason: false },
  [A.CANCEL]: { from: OPEN_STATES, to: S.CANCELLED, by: [P.HOME_OFFICE, P.HOME_CLINIC], reason: true },
};

const REASON = "Patienten har flyttat";

const allowedCases = ALL_ACTIONS.flatMap((action) =>
  EXPECTED[action].from.flatMap((from) => EXPECTED[action].by.map((party) => [action, from, party, EXPECTED[action].to] as const)),
);
const conflictCases = ALL_ACTIONS.flatMap((action) =>
  ALL_STATES.filter((s) => !EXPECTED[action].from.includes(s)).map((from) => [action, from, EXPECTED[action].by[0]] as const),
);
const forbiddenCases = ALL_ACTIONS.flatMap((action) =>
  ALL_PARTIES.filter((p) => !EXPECTED[action].by.includes(p)).map((party) => [action, EXPECTED[action].from[0], party] as const),
);
const reasonSteps = ALL_ACTIONS.filter((a) => EXPECTED[a].reason);
const noReasonSteps = ALL_ACTIONS.filter((a) => !EXPECTED[a].reason);

describe("the step table", () => {
  it("STEPS has exactly the hand-written steps (every action but REGISTER)", () => {
    expect(Object.keys(STEPS).sort()).toEqual([...ALL_ACTIONS].sort());
    for (const action of ALL_ACTIONS) {
      expect({
        action,
        from: [...STEPS[action].from].sort(),
        to: STEPS[action].to,
        by: [...STEPS[action].by].sort(),
        reason: STEPS[action].reason,
      }).toEqual({
        action,
        from: [...EXPECTED[action].from].sort(),
        to: EXPECTED[action].to,
        by: [...EXPECTED[action].by].sort(),
        reason: EXPECTED[action].reason,
      });
    }
  });

  it("the only transitions checkTransition allows (over every state, action and party) are the expected ones", () => {
    const allowed: string[] = [];
    for (const action of ALL_ACTIONS)
      for (const from of ALL_STATES)
        for (const party of ALL_PARTIES) {
          const check = checkTransition(from, action, [party], REASON);
          if (check.ok) allowed.push(`${action} ${from} ${party} → ${check.to}`);
        }
    expect(allowed.sort()).toEqual(allowedCases.map(([action, from, party, to]) => `${action} ${from} ${party} → ${to}`).sort());
  });

  it("one answer window for an offer through 1177: 7 days", () => {
    expect(OFFER_ANSWER_DAYS).toBe(7);
  });
});

describe("allowed steps", () => {
  it.each(allowedCases)("%s from %s by %s leads to %s", (action, from, party, to) => {
    expect(checkTransition(from, action, [party], REASON)).toEqual({ ok: true, to });
  });

  it("a caller acting in several roles may take a step any of them may take", () => {
    expect(checkTransition(S.REGISTERED, A.SEND, [P.RECEIVER, P.HOME_OFFICE], null)).toEqual({ ok: true, to: S.SENT });
    expect(checkTransition(S.REGISTERED, A.HAND_TO_OFFICE, [P.HOME_OFFICE, P.HOME_CLINIC], REASON)).toEqual({
      ok: true,
      to: S.HANDED_TO_OFFICE,
    });
  });

  it("the happy path from registration to completion", () => {
    const path: Array<[Action, Party, ReferralStatus]> = [
      [A.HAND_TO_OFFICE, P.HOME_CLINIC, S.HANDED_TO_OFFICE],
      [A.SEND, P.HOME_OFFICE, S.SENT],
      [A.RECEIVE, P.RECEIVER, S.RECEIVED],
      [A.ACCEPT, P.RECEIVER, S.ACCEPTED],
      [A.OFFER_TO_PATIENT, P.RECEIVER, S.OFFERED_TO_PATIENT],
      [A.PATIENT_ACCEPT, P.HOME_OFFICE, S.PATIENT_ACCEPTED],
      [A.BOOK, P.RECEIVER, S.BOOKED],
      [A.COMPLETE, P.RECEIVER, S.COMPLETED],
    ];
    let current: ReferralStatus = S.REGISTERED;
    for (const [action, party, expected] of path) {
      const check = checkTransition(current, action, [party], REASON);
      expect(check).toEqual({ ok: true, to: expected });
      if (check.ok) current = check.to;
    }
    expect(current).toBe(S.COMPLETED);
  });

  it("decline, regret, offer again; an expired offer goes back to ACCEPTED; a rejected referral may be sent again", () => {
    expect(checkTransition(S.OFFERED_TO_PATIENT, A.PATIENT_DECLINE, [P.HOME_OFFICE], "Vill vänta")).toEqual({
      ok: true,
      to: S.PATIENT_DECLINED,
    });
    expect(checkTransition(S.PATIENT_DECLINED, A.PATIENT_REGRET, [P.HOME_OFFICE], "Ångrade sig")).toEqual({ ok: true, to: S.ACCEPTED });
    expect(checkTransition(S.ACCEPTED, A.OFFER_TO_PATIENT, [P.HOME_OFFICE], null)).toEqual({ ok: true, to: S.OFFERED_TO_PATIENT });
    expect(checkTransition(S.OFFERED_TO_PATIENT, A.OFFER_EXPIRE, [P.SYSTEM], "no answer in 7 days")).toEqual({ ok: true, to: S.ACCEPTED });
    expect(checkTransition(S.SENT, A.REJECT, [P.RECEIVER], "Ingen kapacitet")).toEqual({ ok: true, to: S.REJECTED });
    expect(checkTransition(S.REJECTED, A.SEND, [P.HOME_OFFICE], null)).toEqual({ ok: true, to: S.SENT });
  });
});

describe("illegal transitions: CONFLICT, naming the current state", () => {
  it.each(conflictCases)("%s from %s (by %s) is a conflict", (action, from, party) => {
    const check = checkTransition(from, action, [party], REASON);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.code).toBe("CONFLICT");
    expect(check.message).toContain(`the referral is ${from}`);
  });

  it("the message says what the step needs", () => {
    const check = checkTransition(S.COMPLETED, A.SEND, [P.HOME_OFFICE], null);
    expect(check).toEqual({
      ok: false,
      code: "CONFLICT",
      message: "cannot send: the referral is COMPLETED; this step needs REGISTERED or HANDED_TO_OFFICE or REJECTED",
    });
  });

  it("a missing reason on an illegal step is still a conflict, not REASON_REQUIRED", () => {
    const check = checkTransition(S.CANCELLED, A.CANCEL, [P.HOME_OFFICE], null);
    expect(check).toMatchObject({ ok: false, code: "CONFLICT" });
  });
});

describe("wrong party: FORBIDDEN", () => {
  it.each(forbiddenCases)("%s from %s by %s is forbidden", (action, from, party) => {
    const check = checkTransition(from, action, [party], REASON);
    expect(check).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });

  it("no party at all is forbidden", () => {
    expect(checkTransition(S.REGISTERED, A.SEND, [], REASON)).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });

  it("the message names who may take the step", () => {
    expect(checkTransition(S.SENT, A.RECEIVE, [P.HOME_OFFICE], null)).toEqual({
      ok: false,
      code: "FORBIDDEN",
      message: "receive is for the provider it was sent to",
    });
    expect(checkTransition(S.REGISTERED, A.CANCEL, [P.RECEIVER], REASON)).toEqual({
      ok: false,
      code: "FORBIDDEN",
      message: "cancel is for the home region's office or a clinic of the home region",
    });
    expect(checkTransition(S.OFFERED_TO_PATIENT, A.OFFER_EXPIRE, [P.HOME_OFFICE], REASON)).toEqual({
      ok: false,
      code: "FORBIDDEN",
      message: "offer expire is for the hub",
    });
  });

  it("the wrong party is told FORBIDDEN even when the state is wrong too", () => {
    expect(checkTransition(S.COMPLETED, A.COMPLETE, [P.HOME_OFFICE], null)).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });
});

describe("reasons", () => {
  const badReasons: ReadonlyArray<readonly [string, string | null]> = [
    ["null", null],
    ["empty", ""],
    ["blank", "     "],
    ["two characters", "ok"],
    ["two characters padded with spaces", "  ok  "],
  ];
  const reasonCases = reasonSteps.flatMap((action) => badReasons.map(([label, reason]) => [action, label, reason] as const));

  it("the steps that need a reason", () => {
    expect([...reasonSteps].sort()).toEqual(
      [A.CANCEL, A.HAND_TO_OFFICE, A.OFFER_EXPIRE, A.PATIENT_DECLINE, A.PATIENT_REGRET, A.REJECT].sort(),
    );
  });

  it.each(reasonCases)("%s with a %s reason gives REASON_REQUIRED", (action, _label, reason) => {
    const check = checkTransition(EXPECTED[action].from[0], action, [EXPECTED[action].by[0]], reason);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.code).toBe("REASON_REQUIRED");
    expect(check.message).toContain("needs a reason");
  });

  it.each(reasonSteps)("%s with a three-character reason is accepted", (action) => {
    expect(checkTransition(EXPECTED[action].from[0], action, [EXPECTED[action].by[0]], "abc")).toEqual({
      ok: true,
      to: EXPECTED[action].to,
    });
  });

  it.each(noReasonSteps)("%s needs no reason", (action) => {
    expect(checkTransition(EXPECTED[action].from[0], action, [EXPECTED[action].by[0]], null)).toEqual({
      ok: true,
      to: EXPECTED[action].to,
    });
  });
});

describe("cancelling", () => {
  it.each(OPEN_STATES.flatMap((from) => [P.HOME_OFFICE, P.HOME_CLINIC].map((party) => [from, party] as const)))(
    "an open referral (%s) can be cancelled by %s",
    (from, party) => {
      expect(checkTransition(from, A.CANCEL, [party], "Patienten avliden")).toEqual({ ok: true, to: S.CANCELLED });
    },
  );

  it.each([S.COMPLETED, S.CANCELLED])("a %s referral can never be cancelled", (from) => {
    for (const party of ALL_PARTIES) {
      const check = checkTransition(from, A.CANCEL, [party], "Patienten avliden");
      expect(check.ok).toBe(false);
    }
    expect(checkTransition(from, A.CANCEL, [P.HOME_OFFICE], "Patienten avliden")).toMatchObject({ ok: false, code: "CONFLICT" });
  });

  it("the receiver and the hub may not cancel", () => {
    expect(checkTransition(S.SENT, A.CANCEL, [P.RECEIVER], REASON)).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(checkTransition(S.SENT, A.CANCEL, [P.SYSTEM], REASON)).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });
});

describe("availableActions", () => {
  it.each([
    [S.REGISTERED, [P.HOME_CLINIC], [A.HAND_TO_OFFICE, A.CANCEL]],
    [S.REGISTERED, [P.HOME_OFFICE], [A.SEND, A.CANCEL]],
    [S.REGISTERED, [P.HOME_OFFICE, P.HOME_CLINIC], [A.HAND_TO_OFFICE, A.SEND, A.CANCEL]],
    [S.REGISTERED, [P.RECEIVER], []],
    [S.HANDED_TO_OFFICE, [P.HOME_OFFICE], [A.SEND, A.CANCEL]],
    [S.SENT, [P.RECEIVER], [A.RECEIVE, A.REJECT]],
    [S.SENT, [P.HOME_OFFICE], [A.CANCEL]],
    [S.RECEIVED, [P.RECEIVER], [A.ACCEPT, A.REJECT]],
    [S.ACCEPTED, [P.RECEIVER], [A.OFFER_TO_PATIENT]],
    [S.ACCEPTED, [P.HOME_OFFICE], [A.OFFER_TO_PATIENT, A.CANCEL]],
    [S.REJECTED, [P.HOME_OFFICE], [A.SEND, A.CANCEL]],
    [S.OFFERED_TO_PATIENT, [P.RECEIVER], [A.PATIENT_ACCEPT, A.PATIENT_DECLINE]],
    [S.OFFERED_TO_PATIENT, [P.HOME_OFFICE], [A.PATIENT_ACCEPT, A.PATIENT_DECLINE, A.CANCEL]],
    [S.OFFERED_TO_PATIENT, [P.SYSTEM], [A.OFFER_EXPIRE]],
    [S.PATIENT_DECLINED, [P.HOME_OFFICE], [A.PATIENT_REGRET, A.CANCEL]],
    [S.PATIENT_DECLINED, [P.RECEIVER], []],
    [S.PATIENT_ACCEPTED, [P.RECEIVER], [A.BOOK]],
    [S.BOOKED, [P.RECEIVER], [A.COMPLETE]],
    [S.BOOKED, [P.HOME_CLINIC], [A.CANCEL]],
    [S.COMPLETED, ALL_PARTIES, []],
    [S.CANCELLED, ALL_PARTIES, []],
  ] as Array<[ReferralStatus, Party[], ReferralAction[]]>)("in %s, %j may take %j", (current, parties, expected) => {
    expect([...availableActions(current, parties)].sort()).toEqual([...expected].sort());
  });

  it("never offers REGISTER, and every action it offers passes checkTransition", () => {
    for (const current of ALL_STATES)
      for (const party of ALL_PARTIES) {
        const actions = availableActions(current, [party]);
        expect(actions).not.toContain(A.REGISTER);
        for (const action of actions) expect(checkTransition(current, action as Action, [party], REASON).ok).toBe(true);
      }
  });
});

describe("status sets", () => {
  it("WAITING is every open state but BOOKED", () => {
    expect([...WAITING].sort()).toEqual(
      [
        S.REGISTERED,
        S.HANDED_TO_OFFICE,
        S.SENT,
        S.RECEIVED,
        S.ACCEPTED,
        S.REJECTED,
        S.OFFERED_TO_PATIENT,
        S.PATIENT_ACCEPTED,
        S.PATIENT_DECLINED,
      ].sort(),
    );
    for (const s of [S.BOOKED, S.COMPLETED, S.CANCELLED]) expect(WAITING.has(s)).toBe(false);
  });

  it("WITH_RECEIVER is from sending to completion, without a rejection", () => {
    expect([...WITH_RECEIVER].sort()).toEqual(
      [S.SENT, S.RECEIVED, S.ACCEPTED, S.OFFERED_TO_PATIENT, S.PATIENT_ACCEPTED, S.PATIENT_DECLINED, S.BOOKED, S.COMPLETED].sort(),
    );
    for (const s of [S.REGISTERED, S.HANDED_TO_OFFICE, S.REJECTED, S.CANCELLED]) expect(WITH_RECEIVER.has(s)).toBe(false);
  });

  it("every state a receiver-side step leads to (except REJECTED) is with the receiver", () => {
    for (const action of [
      A.RECEIVE,
      A.ACCEPT,
      A.OFFER_TO_PATIENT,
      A.PATIENT_ACCEPT,
      A.PATIENT_DECLINE,
      A.OFFER_EXPIRE,
      A.PATIENT_REGRET,
      A.BOOK,
      A.COMPLETE,
    ] as const) {
      expect(WITH_RECEIVER.has(STEPS[action].to)).toBe(true);
    }
  });
});

describe("dated steps", () => {
  const offer = (answerDue: string): RecordedStep => ({
    action: ReferralAction.OFFER_TO_PATIENT,
    happenedOn: "2028-02-22",
    details: { answerDue },
  });
  const expiry: RecordedStep = { action: ReferralAction.OFFER_EXPIRE, happenedOn: "2028-03-01", details: {} };

  it("an answer within the offer's days answers an offer the hub has since expired", () => {
    expect(answersExpiredOffer(ReferralStatus.ACCEPTED, [expiry, offer("2028-02-29")], "2028-02-29")).toBe(true);
    expect(answersExpiredOffer(ReferralStatus.ACCEPTED, [expiry, offer("2028-02-29")], "2028-02-22")).toBe(true);
  });

  it("not after its last day, not without an expiry, not without an answer date, not in another state", () => {
    expect(answersExpiredOffer(ReferralStatus.ACCEPTED, [expiry, offer("2028-02-29")], "2028-03-01")).toBe(false);
    expect(answersExpiredOffer(ReferralStatus.ACCEPTED, [offer("2028-02-29")], "2028-02-25")).toBe(false);
    expect(answersExpiredOffer(ReferralStatus.ACCEPTED, [expiry, offer("2028-02-29")], undefined)).toBe(false);
    expect(answersExpiredOffer(ReferralStatus.OFFERED_TO_PATIENT, [expiry, offer("2028-02-29")], "2028-02-25")).toBe(false);
    expect(answersExpiredOffer(ReferralStatus.ACCEPTED, [expiry, { ...offer("2028-02-29"), details: {} }], "2028-02-25")).toBe(false);
  });

  it("a step cannot have happened before the step it follows; the same day is fine", () => {
    expect(beforePreviousStep("2028-02-21", offer("2028-02-29"))).toBe("the step it follows (OFFER_TO_PATIENT) happened on 2028-02-22");
    expect(beforePreviousStep("2028-02-22", offer("2028-02-29"))).toBeNull();
    expect(beforePreviousStep("2028-02-21", undefined)).toBeNull();
  });
});
