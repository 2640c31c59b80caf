import { Client } from "pg";
import { DataSource } from "typeorm";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { SupergraphClient } from "../../subgraphs/shared/supergraph-client";
import { referralsSubgraph } from "../../subgraphs/referrals/subgraph";
import { ReferralWorkflow } from "../../subgraphs/referrals/services/referral-workflow";
import { subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { patientId, referralId } from "../../seeds/data/patients";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { Received, subscribe, TestSubscription } from "../support/subscriptions";
import { token } from "../support/tokens";

/**
 * The referral lifecycle's rules through the gateway: registering, illegal steps, who may take
 * which step, all-or-nothing sending (nothing half done when a check or the last slot fails), the
 * slot given back on rejection and cancellation, clock pauses, unanswered offers expiring, and who
 * hears which referral events.
 */
let hub: TestHub;
let db: Client;
beforeAll(async () => {
  hub = await startTestHub();
  db = new Client({ connectionString: hub.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await hub?.stop();
});

const today = stockholmDate();
const TOLVAN = patientId("191212121212");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const ORESUND = providerId("private-oresund-ortopedcenter");
const office = () => token(Role.REGIONAL_OFFICE, "13");
const clinic = () => token(Role.CLINIC);
const kattegatt = () => token(Role.PROVIDER, KATTEGATT);

async function as(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  return hub.queryAs(await bearer, query, variables);
}

async function ok(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await as(bearer, query, variables);
  expect(errors).toBeUndefined();
  return data;
}

const REGISTER = `mutation($input: RegisterReferralInput!, $key: String) { registerReferral(input: $input, idempotencyKey: $key) {
  id status careCategory guarantee { applies exclusion status deadline limitDays startedBy } } }`;
const SEND = `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }) { status offer { id } provider { id } } }`;
const STATE = `query($id: ID!) { referral(id: $id) { status history { action } paymentCommitments { revokedAt revocationReason } } }`;

async function register(overrides: Record<string, unknown> = {}, bearer = clinic()): Promise<string> {
  const data = await ok(bearer, REGISTER, {
    input: {
      patientId: TOLVAN,
      specialty: "ORTHOPAEDICS",
      procedureCode: "NFB49",
      visitType: "TREATMENT",
      decisionDate: addDays(today, -20),
      diagnosisCode: "M16.1",
      ...overrides,
    },
  });
  return data.registerReferral.id;
}

/** A Kattegatt offer (hip replacement unless said) with `slots` free slots, published for this test. */
async function kattegattOffer(slots: number, procedureCode = "NFB49"): Promise<string> {
  const data = await ok(kattegatt(), `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`, {
    input: {
      reportedBy: "Booking system (test)",
      offers: [
        {
          careUnitId: careUnitId("kattegatt-ortopedi"),
          procedureCode,
          slots,
          validFrom: today,
          validUntil: addDays(today, 60),
          expectedWaitDays: 10,
        },
      ],
    },
  });
  return data.publishCapacity.offers[0].id;
}

async function freeSlots(offerId: string): Promise<number> {
  return (await ok(office(), `query($id: ID!) { capacityOffer(id: $id) { availableSlots } }`, { id: offerId })).capacityOffer
    .availableSlots;
}

async function oresundOffer(): Promise<string> {
  const data = await ok(
    office(),
    `query($p: [ID!]) { freeCapacity(filter: { providerIds: $p, procedureCode: "NFB49" }, first: 1) { edges { node { id } } } }`,
    { p: [ORESUND] },
  );
  return data.freeCapacity.edges[0].node.id;
}

describe("registering a referral", () => {
  it("registers a referral for a patient of the clinic's region and starts the clock at the decision", async () => {
    const data = await ok(clinic(), REGISTER, {
      input: {
        patientId: TOLVAN,
        specialty: "ORTHOPAEDICS",
        procedureCode: "NFB49",
        visitType: "TREATMENT",
        decisionDate: addDays(today, -20),
        diagnosisCode: "M16.1",
      },
      key: "register-once",
    });
    expect(data.registerReferral).toMatchObject({
      status: "REGISTERED",
      careCategory: "PLANNED_CARE",
      guarantee: { applies: true, status: "WITHIN_LIMIT", deadline: addDays(today, 40), limitDays: 60, startedBy: "TREATMENT_DECISION" },
    });
    const again = await ok(clinic(), REGISTER, {
      input: {
        patientId: TOLVAN,
        specialty: "ORTHOPAEDICS",
        procedureCode: "NFB49",
        visitType: "TREATMENT",
        decisionDate: addDays(today, -20),
        diagnosisCode: "M16.1",
      },
      key: "register-once",
    });
    expect(again.registerReferral.id).toBe(data.registerReferral.id);
  });

  it("registers excluded care without a clock, saying why", async () => {
    const data = await ok(clinic(), REGISTER, {
      input: { patientId: TOLVAN, specialty: "ORTHOPAEDICS", visitType: "FIRST_VISIT", decisionDate: today, careCategory: "FOLLOW_UP" },
    });
    expect(data.registerReferral.guarantee).toMatchObject({
      applies: false,
      exclusion: "FOLLOW_UP",
      status: "NOT_APPLICABLE",
      deadline: null,
    });
  });

  it.each([
    ["a decision in the future", { decisionDate: addDays(today, 1) }, "input.decisionDate", "DATE_IN_FUTURE"],
    ["a malformed KVÅ code", { procedureCode: "hip" }, "input.procedureCode", "KVA_CODE_FORMAT"],
    ["a malformed ICD-10 code", { diagnosisCode: "hip pain" }, "input.diagnosisCode", "ICD10_FORMAT"],
    [
      "a self-referral without its arrival date",
      { origin: "SELF_REFERRAL", visitType: "FIRST_VISIT", procedureCode: null },
      "input.selfReferralArrivalDate",
      "REQUIRED",
    ],
    ["an unknown patient", { patientId: "00000000-0000-4000-8000-000000000000" }, "input.patientId", "PATIENT_UNKNOWN"],
  ])("refuses %s, naming the field and rule", async (_case, overrides, field, rule) => {
    const { count: before } = (await db.query(`SELECT count(*)::int AS count FROM referrals.referral`)).rows[0];
    const { errors } = await as(clinic(), REGISTER, {
      input: {
        patientId: TOLVAN,
        specialty: "ORTHOPAEDICS",
        procedureCode: "NFB49",
        visitType: "TREATMENT",
        decisionDate: today,
        ...overrides,
      },
    });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
    expect((await db.query(`SELECT count(*)::int AS count FROM referrals.referral`)).rows[0].count).toBe(before);
  });

  it("does not let another region's office register for a patient it may not see (nor tell it the patient exists)", async () => {
    const { errors } = await as(token(Role.REGIONAL_OFFICE, "14"), REGISTER, {
      input: { patientId: TOLVAN, specialty: "ORTHOPAEDICS", visitType: "TREATMENT", decisionDate: today },
    });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "PATIENT_UNKNOWN" });
  });
});

describe("the lifecycle's rules", () => {
  it("answers an illegal step with CONFLICT naming the current state, and a step that is not the caller's with FORBIDDEN", async () => {
    const id = await register();
    const offer = await kattegattOffer(3);
    await ok(office(), SEND, { id, offer });
    const twice = await as(office(), SEND, { id, offer });
    expect(twice.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", status: "SENT", rule: "ILLEGAL_TRANSITION" });
    expect(twice.errors?.[0].message).toContain("the referral is SENT");
    const officeAccepts = await as(office(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id });
    expect(officeAccepts.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const acceptEarly = await as(kattegatt(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id });
    expect(acceptEarly.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", status: "SENT" });
    const noReason = await as(kattegatt(), `mutation($id: ID!) { rejectReferral(referralId: $id, reason: "") { status } }`, { id });
    expect(noReason.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "reason" });
  });

  it("answers a provider the referral was not sent to as if it did not exist", async () => {
    const id = await register();
    const other = token(Role.PROVIDER, ORESUND);
    expect((await ok(other, `query($id: ID!) { referral(id: $id) { id } }`, { id })).referral).toBeNull();
    const step = await as(other, `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id });
    expect(step.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect((await ok(token(Role.REGIONAL_OFFICE, "14"), `query($id: ID!) { referral(id: $id) { id } }`, { id })).referral).toBeNull();
  });

  it("sends nothing when no agreement covers the provider: no slot held, no step kept", async () => {
    const id = await register();
    const offer = await oresundOffer();
    const before = await freeSlots(offer);
    const { errors } = await as(office(), SEND, { id, offer });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.offerId", rule: "NOT_COVERED" });
    expect(await freeSlots(offer)).toBe(before);
    expect((await ok(office(), STATE, { id })).referral).toMatchObject({
      status: "REGISTERED",
      history: [{ action: "REGISTER" }],
      paymentCommitments: [],
    });
  });

  it("commits a referral under an agreement only by sending it (no direct commitment, which would use up a ceiling)", async () => {
    const id = await register();
    const { errors } = await as(office(), `mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id } }`, {
      input: { agreementId: "00000000-0000-4000-8000-000000000001", referralId: id, specialty: "ORTHOPAEDICS", careDate: today },
    });
    expect(errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses an offer for other care", async () => {
    const id = await register({ specialty: "OPHTHALMOLOGY", procedureCode: "CJE20", diagnosisCode: "H25.1" });
    const { errors } = await as(office(), SEND, { id, offer: await kattegattOffer(1) });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "SPECIALTY_MISMATCH" });
  });

  it("gives the last slot to exactly one of many referrals sent at once; the others are left as they were", async () => {
    const offer = await kattegattOffer(1);
    const ids = await Promise.all(Array.from({ length: 6 }, () => register()));
    const results = await Promise.all(ids.map((id) => as(office(), SEND, { id, offer })));
    const sent = results.filter((r) => r.data?.sendReferral?.status === "SENT");
    expect(sent).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) expect(r.errors![0].extensions).toMatchObject({ code: "CONFLICT" });
    expect(await freeSlots(offer)).toBe(0);
    const states = await Promise.all(ids.map(async (id) => (await ok(office(), STATE, { id })).referral));
    expect(states.filter((s) => s.status === "SENT")).toHaveLength(1);
    for (const s of states.filter((s) => s.status !== "SENT"))
      expect(s).toMatchObject({ status: "REGISTERED", history: [{ action: "REGISTER" }], paymentCommitments: [] });
  });

  it("gives the slot back and revokes the payment commitment when the provider rejects; the office can send elsewhere", async () => {
    const id = await register();
    const offer = await kattegattOffer(2);
    const used = async () =>
      (
        await ok(
          office(),
          `query($id: ID!) { capacityOffer(id: $id) { coverage(homeRegionCode: "13") { agreement { ceilings { usedCases } } } } }`,
          { id: offer },
        )
      ).capacityOffer.coverage.agreement.ceilings.reduce((sum: number, c: any) => sum + c.usedCases, 0);
    const usedBefore = await used();
    await ok(office(), SEND, { id, offer });
    expect(await freeSlots(offer)).toBe(1);
    expect(await used()).toBe(usedBefore + 1);
    await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id });
    const rejected = await ok(
      kattegatt(),
      `mutation($id: ID!) { rejectReferral(referralId: $id, reason: "Patienten behöver intensivvård efter operation") { status } }`,
      { id },
    );
    expect(rejected.rejectReferral.status).toBe("REJECTED");
    expect(await freeSlots(offer)).toBe(2);
    expect(await used()).toBe(usedBefore);
    const state = (await ok(office(), STATE, { id })).referral;
    expect(state.paymentCommitments).toEqual([
      expect.objectContaining({ revocationReason: "Patienten behöver intensivvård efter operation" }),
    ]);
    // The provider's part ended with the rejection.
    expect((await ok(kattegatt(), `query($id: ID!) { referral(id: $id) { id } }`, { id })).referral).toBeNull();
    const resent = await ok(office(), SEND, { id, offer: await kattegattOffer(1) });
    expect(resent.sendReferral.status).toBe("SENT");
  });

  it("cancels from an open state with a reason, giving the slot back", async () => {
    const id = await register();
    const offer = await kattegattOffer(1);
    await ok(office(), SEND, { id, offer });
    const cancelled = await ok(
      office(),
      `mutation($id: ID!) { cancelReferral(referralId: $id, reason: "Patienten har avlidit") { status } }`,
      { id },
    );
    expect(cancelled.cancelReferral.status).toBe("CANCELLED");
    expect(await freeSlots(offer)).toBe(1);
    const again = await as(office(), `mutation($id: ID!) { cancelReferral(referralId: $id, reason: "igen") { status } }`, { id });
    expect(again.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", status: "CANCELLED" });
  });

  it("records the sending office as who committed and the home region as who pays, which that office then reads back", async () => {
    const id = await register();
    const offer = await kattegattOffer(1);
    const agreementId = (
      await ok(office(), `query($id: ID!) { capacityOffer(id: $id) { coverage(homeRegionCode: "13") { agreement { id } } } }`, {
        id: offer,
      })
    ).capacityOffer.coverage.agreement.id;
    await ok(office(), SEND, { id, offer });
    await ok(office(), `mutation($id: ID!) { cancelReferral(referralId: $id, reason: "Patienten tackade nej") { status } }`, { id });
    const COMMITMENTS = `query($a: ID!) { agreementCommitments(agreementId: $a, first: 100) { edges { node { referralId payingRegion { code } committedBy { role organisation viaService } released releaseReason releasedBy { role viaService } } } } }`;
    const { agreementCommitments } = await ok(office(), COMMITMENTS, { a: agreementId });
    expect(agreementCommitments.edges.map((e: any) => e.node).find((n: any) => n.referralId === id)).toEqual({
      referralId: id,
      payingRegion: { code: "13" },
      committedBy: { role: "REGIONAL_OFFICE", organisation: "13", viaService: "referrals" },
      released: true,
      releaseReason: expect.any(String),
      releasedBy: { role: "REGIONAL_OFFICE", viaService: "referrals" },
    });
    // The provider the referral went to does not read the agreement's ledger.
    expect((await as(kattegatt(), COMMITMENTS, { a: agreementId })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});

describe("the clock", () => {
  it("does not count a medically caused wait: the deadline moves by the paused days", async () => {
    const id = await register({ decisionDate: addDays(today, -30) });
    const PAUSE = `mutation($id: ID!, $kind: GuaranteeClockEventKind!, $date: Date!, $reason: String) {
      registerGuaranteeClockEvent(referralId: $id, kind: $kind, date: $date, reason: $reason) { guarantee { status deadline pausedDays daysLeft } } }`;
    const paused = await ok(clinic(), PAUSE, {
      id,
      kind: "MEDICAL_PAUSE_STARTED",
      date: addDays(today, -10),
      reason: "Infektion måste läka före operation",
    });
    expect(paused.registerGuaranteeClockEvent.guarantee).toMatchObject({
      status: "PAUSED_MEDICAL",
      pausedDays: 10,
      deadline: addDays(today, 40),
    });
    const resumed = await ok(clinic(), PAUSE, { id, kind: "MEDICAL_PAUSE_ENDED", date: today, reason: null });
    expect(resumed.registerGuaranteeClockEvent.guarantee).toMatchObject({
      status: "WITHIN_LIMIT",
      pausedDays: 10,
      deadline: addDays(today, 40),
      daysLeft: 40,
    });
    const twice = await as(clinic(), PAUSE, { id, kind: "MEDICAL_PAUSE_ENDED", date: today, reason: null });
    expect(twice.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "CLOCK_RULE" });
    const future = await as(clinic(), PAUSE, { id, kind: "PATIENT_CHOSEN_WAIT_STARTED", date: addDays(today, 1), reason: "Semester" });
    expect(future.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "date", rule: "DATE_IN_FUTURE" });
  });

  it("expires an offer the patient did not answer within 7 days; the provider may offer again", async () => {
    const id = await register();
    await ok(office(), SEND, { id, offer: await kattegattOffer(1) });
    await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id });
    await ok(kattegatt(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id });
    await ok(kattegatt(), `mutation($id: ID!, $d: Date!) { offerCareToPatient(referralId: $id, careDate: $d) { status } }`, {
      id,
      d: addDays(today, 9),
    });
    // The hub's sweep, as it runs every minute, on the eighth day.
    const dataSource: DataSource = await subgraphDataSource(referralsSubgraph, hub.databaseUrl).initialize();
    try {
      const workflow = new ReferralWorkflow(dataSource, "13", new SupergraphClient(() => hub.url, "unused", "referrals"), 14);
      expect(await workflow.expireUnansweredOffers(addDays(today, 7))).toBe(0);
      expect(await workflow.expireUnansweredOffers(addDays(today, 8))).toBeGreaterThanOrEqual(1);
    } finally {
      await dataSource.destroy();
    }
    const state = await ok(
      office(),
      `query($id: ID!) { referral(id: $id) { status patientAnswerDue history { action actorRole reason } } }`,
      { id },
    );
    expect(state.referral).toMatchObject({ status: "ACCEPTED", patientAnswerDue: null });
    expect(state.referral.history.at(-1)).toEqual({ action: "OFFER_EXPIRE", actorRole: "SYSTEM", reason: "Not answered within 7 days" });
  });
});

describe("steps dated when they happened", () => {
  const OFFER = `mutation($id: ID!, $d: Date!, $on: Date) { offerCareToPatient(referralId: $id, careDate: $d, offeredOn: $on) { status patientAnswerDue } }`;
  const ANSWER = `mutation($id: ID!, $accepted: Boolean!, $reason: String, $on: Date) {
    recordPatientAnswer(referralId: $id, accepted: $accepted, reason: $reason, answeredOn: $on) { status guarantee { status } } }`;
  const HISTORY = `query($id: ID!) { referral(id: $id) { status history { action happenedOn occurredAt actorRole } guaranteeEvents { kind effectiveDate occurredAt actorRole } } }`;
  const stockholmDay = (iso: string) => stockholmDate(new Date(iso));

  /** A referral the provider accepted today. */
  async function accepted(): Promise<string> {
    const id = await register();
    await ok(office(), SEND, { id, offer: await kattegattOffer(1) });
    await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id });
    await ok(kattegatt(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id });
    return id;
  }

  afterEach(() => hub.clock.setDaysAhead(0));

  it("refuses a step dated in the future or before the step it answers, naming the field and rule, and writes nothing", async () => {
    const id = await accepted();
    const refused = async (bearer: Promise<string>, query: string, variables: Record<string, unknown>, field: string, rule: string) => {
      const before = (await ok(office(), HISTORY, { id })).referral;
      const { errors } = await as(bearer, query, variables);
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
      expect((await ok(office(), HISTORY, { id })).referral).toEqual(before);
    };
    await refused(kattegatt(), OFFER, { id, d: addDays(today, 9), on: addDays(today, 1) }, "offeredOn", "DATE_IN_FUTURE");
    // The provider accepted today: its offer cannot have been sent yesterday.
    await refused(kattegatt(), OFFER, { id, d: addDays(today, 9), on: addDays(today, -1) }, "offeredOn", "BEFORE_PREVIOUS_STEP");
    await ok(kattegatt(), OFFER, { id, d: addDays(today, 9) });
    hub.clock.setDaysAhead(3);
    await refused(office(), ANSWER, { id, accepted: false, reason: "Vill vänta", on: addDays(today, 4) }, "answeredOn", "DATE_IN_FUTURE");
    await refused(
      office(),
      ANSWER,
      { id, accepted: false, reason: "Vill vänta", on: addDays(today, -1) },
      "answeredOn",
      "BEFORE_PREVIOUS_STEP",
    );
  });

  it("records an answer heard of later on the day it was given: the forfeit counts from then, and the history keeps both dates and who recorded it", async () => {
    const id = await accepted();
    await ok(kattegatt(), OFFER, { id, d: addDays(today, 9) });
    hub.clock.setDaysAhead(4);
    const declined = await ok(office(), ANSWER, { id, accepted: false, reason: "Patienten ringde: vill vänta", on: addDays(today, 2) });
    expect(declined.recordPatientAnswer).toEqual({ status: "PATIENT_DECLINED", guarantee: { status: "FORFEITED" } });
    const state = (await ok(office(), HISTORY, { id })).referral;
    const answer = state.history.at(-1);
    expect(answer).toMatchObject({ action: "PATIENT_DECLINE", happenedOn: addDays(today, 2), actorRole: "REGIONAL_OFFICE" });
    // Recorded now (real time; the test's "today" is four days ahead), not on the day it happened.
    expect(stockholmDay(answer.occurredAt)).toBe(today);
    expect(state.guaranteeEvents.at(-1)).toMatchObject({
      kind: "FORFEITED",
      effectiveDate: addDays(today, 2),
      actorRole: "REGIONAL_OFFICE",
    });
    // A regret cannot precede the decline it answers.
    const early = await as(
      office(),
      `mutation($id: ID!, $d: Date!) { registerPatientRegret(referralId: $id, contactDate: $d, reason: "Ångrar sig") { status } }`,
      { id, d: addDays(today, 1) },
    );
    expect(early.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "contactDate", rule: "BEFORE_PREVIOUS_STEP" });
  });

  it("an answer given in time but recorded after the sweep expired the offer still counts: the expiry is corrected by a new event, its record kept", async () => {
    const id = await accepted();
    const offered = await ok(kattegatt(), OFFER, { id, d: addDays(today, 20) });
    expect(offered.offerCareToPatient.patientAnswerDue).toBe(addDays(today, 7));
    const dataSource: DataSource = await subgraphDataSource(referralsSubgraph, hub.databaseUrl).initialize();
    try {
      const workflow = new ReferralWorkflow(dataSource, "13", new SupergraphClient(() => hub.url, "unused", "referrals"), 14);
      expect(await workflow.expireUnansweredOffers(addDays(today, 8))).toBeGreaterThanOrEqual(1);
    } finally {
      await dataSource.destroy();
    }
    hub.clock.setDaysAhead(9);
    // Answered on the eighth day: too late, the offer had expired.
    const late = await as(office(), ANSWER, { id, accepted: true, on: addDays(today, 8) });
    expect(late.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", status: "ACCEPTED" });
    const answered = await ok(office(), ANSWER, { id, accepted: true, on: addDays(today, 6) });
    expect(answered.recordPatientAnswer.status).toBe("PATIENT_ACCEPTED");
    const history = (await ok(office(), HISTORY, { id })).referral.history;
    expect(history.slice(-3).map((h: any) => [h.action, h.happenedOn])).toEqual([
      ["OFFER_TO_PATIENT", today],
      ["OFFER_EXPIRE", addDays(today, 8)],
      ["PATIENT_ACCEPT", addDays(today, 6)],
    ]);
    const events = await db.query(
      `SELECT type, payload->>'reason' AS reason FROM referrals.event_outbox WHERE aggregate_id = $1 ORDER BY id`,
      [id],
    );
    expect(events.rows.slice(-2).map((r) => r.type)).toEqual(["REFERRAL_OFFER_EXPIRY_CORRECTED", "REFERRAL_PATIENT_ACCEPT"]);
    expect(events.rows.at(-2).reason).toBe(
      `The patient answered on ${addDays(today, 6)}, within the 7 days; recorded ${addDays(today, 9)}`,
    );
  });

  it("reports care given on the day it was given, not before the booking, not in the future", async () => {
    const id = await accepted();
    await ok(kattegatt(), OFFER, { id, d: addDays(today, 2) });
    await ok(office(), ANSWER, { id, accepted: true });
    await ok(kattegatt(), `mutation($id: ID!, $d: Date!) { bookReferral(referralId: $id, careDate: $d) { status } }`, {
      id,
      d: addDays(today, 2),
    });
    hub.clock.setDaysAhead(5);
    const COMPLETE = `mutation($id: ID!, $on: Date) { completeReferral(referralId: $id, completedOn: $on) { status } }`;
    for (const [on, rule] of [
      [addDays(today, 6), "DATE_IN_FUTURE"],
      [addDays(today, -1), "BEFORE_PREVIOUS_STEP"],
    ]) {
      const { errors } = await as(kattegatt(), COMPLETE, { id, on });
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "completedOn", rule });
    }
    expect((await ok(kattegatt(), COMPLETE, { id, on: addDays(today, 2) })).completeReferral.status).toBe("COMPLETED");
    expect((await ok(office(), HISTORY, { id })).referral.history.at(-1)).toMatchObject({
      action: "COMPLETE",
      happenedOn: addDays(today, 2),
      actorRole: "PROVIDER",
    });
  });

  it("a wait recorded late re-reads the clock from its real dates; the change is announced as a new event", async () => {
    // Halland's 60 days, decided 70 days ago: breached as registered.
    const id = await register({ decisionDate: addDays(today, -70) });
    const PAUSE = `mutation($id: ID!, $kind: GuaranteeClockEventKind!, $date: Date!, $reason: String) {
      registerGuaranteeClockEvent(referralId: $id, kind: $kind, date: $date, reason: $reason) { guarantee { status deadline pausedDays daysLeft } } }`;
    expect(
      (await ok(office(), `query($id: ID!) { referral(id: $id) { guarantee { status daysLeft } } }`, { id })).referral.guarantee,
    ).toEqual({ status: "BREACHED", daysLeft: -10 });
    await ok(clinic(), PAUSE, { id, kind: "MEDICAL_PAUSE_STARTED", date: addDays(today, -30), reason: "Infektion, fick inte opereras" });
    const endsEarly = await as(clinic(), PAUSE, { id, kind: "MEDICAL_PAUSE_ENDED", date: addDays(today, -31), reason: null });
    expect(endsEarly.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "date", rule: "BEFORE_PREVIOUS_STEP" });
    const ended = await ok(clinic(), PAUSE, { id, kind: "MEDICAL_PAUSE_ENDED", date: addDays(today, -10), reason: null });
    expect(ended.registerGuaranteeClockEvent.guarantee).toEqual({
      status: "AT_RISK",
      pausedDays: 20,
      deadline: addDays(today, 10),
      daysLeft: 10,
    });
    const events = await db.query(
      `SELECT type, payload->>'reason' AS reason FROM referrals.event_outbox WHERE aggregate_id = $1 ORDER BY id`,
      [id],
    );
    const corrections = events.rows.filter((r) => r.type.endsWith("GUARANTEE_AT_RISK"));
    expect(corrections).toHaveLength(1);
    expect(corrections[0].reason).toBe(
      `Clock re-read from MEDICAL_PAUSE_ENDED dated ${addDays(today, -10)}, recorded ${today}; it was PAUSED_MEDICAL`,
    );
  });
});

describe("the payment commitment follows the patient's municipality and the care setting", () => {
  const SEND_AS = `mutation($id: ID!, $offer: ID!, $outpatient: Boolean) { sendReferral(referralId: $id, input: { offerId: $offer, outpatientOnly: $outpatient }) {
    homeMunicipalityCode paymentCommitment { agreementKind agreementTypeCode careSetting outpatientOnly requiredByRules decidedBy rulesApplied } } }`;
  async function trelleborgOffer(): Promise<string> {
    const data = await ok(
      office(),
      `query($p: [ID!]) { freeCapacity(filter: { providerIds: $p, procedureCode: "NFB49" }, first: 1) { edges { node { id } } } }`,
      {
        p: [providerId("skane-trelleborg")],
      },
    );
    return data.freeCapacity.edges[0].node.id;
  }

  it("a northern Halland patient's outpatient care in Skåne: Riksavtalet on Skåne residents' terms, no commitment required by the rules", async () => {
    const id = await register({ patientId: patientId("193008077723") });
    const sent = (await ok(office(), SEND_AS, { id, offer: await trelleborgOffer(), outpatient: true })).sendReferral;
    expect(sent.homeMunicipalityCode).toBe("1383");
    expect(sent.paymentCommitment).toMatchObject({
      agreementKind: "RIKSAVTALET",
      agreementTypeCode: "1",
      careSetting: "OUTPATIENT",
      outpatientOnly: true,
      requiredByRules: false,
      decidedBy: "HOME_MUNICIPALITY",
    });
    expect(sent.paymentCommitment.rulesApplied.map((r: string) => r.split(":")[0])).toEqual([
      "AGREEMENT_PRECEDENCE",
      "HOME_MUNICIPALITY",
      "SAME_TERMS_ARRANGEMENT",
      "PAYMENT_COMMITMENT",
    ]);
  });

  it("a southern Halland patient's care that may be inpatient, in Skåne: the Södra pact, a commitment required by Halland's inpatient rule", async () => {
    const id = await register();
    const sent = (await ok(office(), SEND_AS, { id, offer: await trelleborgOffer() })).sendReferral;
    expect(sent.homeMunicipalityCode).toBe("1380");
    expect(sent.paymentCommitment).toMatchObject({
      agreementKind: "HEALTHCARE_REGION_PACT",
      careSetting: "INPATIENT",
      outpatientOnly: false,
      requiredByRules: true,
      decidedBy: "HOME_MUNICIPALITY",
    });
    expect(sent.paymentCommitment.rulesApplied.at(-1)).toContain("slutenvård utanför regionen kräver förhandsbesked");
  });
});

describe('the clock that answers "what if"', () => {
  const READING = `query($facts: GuaranteeFactsInput!, $on: Date) { guaranteeReading(facts: $facts, on: $on) {
    applies status startDate startedBy restarted limitDays limitName deadline daysWaited daysLeft pausedDays readOn rulesApplied { rule date explanation } } }`;
  const hip = { homeRegionCode: "13", specialty: "ORTHOPAEDICS", visitType: "TREATMENT" };

  it.each([
    // Counted by hand: the start is day 0; Halland's 60 days; the national 90; BUP's 30.
    [
      "Halland, decided 31 December before a leap year: 60 days end on 29 February",
      { ...hip, decisionDate: "2027-12-31" },
      "2028-01-31",
      "2028-02-29",
      29,
    ],
    [
      "Stockholm, decided on a leap day: 90 days end on 29 May",
      { ...hip, homeRegionCode: "01", decisionDate: "2028-02-29" },
      "2028-02-29",
      "2028-05-29",
      90,
    ],
    [
      "Halland, decided 31 January in a common year: 60 days end on 1 April",
      { ...hip, decisionDate: "2026-01-31" },
      "2026-02-28",
      "2026-04-01",
      32,
    ],
    [
      "Skåne, decided 30 November: 90 days end on 28 February",
      { ...hip, homeRegionCode: "12", decisionDate: "2026-11-30" },
      "2026-12-31",
      "2027-02-28",
      59,
    ],
    [
      "BUP, decided 31 January of a leap year: 30 days end on 1 March",
      { homeRegionCode: "01", specialty: "CHILD_AND_ADOLESCENT_PSYCHIATRY", visitType: "FIRST_VISIT", decisionDate: "2028-01-31" },
      "2028-02-29",
      "2028-03-01",
      1,
    ],
  ])("%s", async (_case, facts, on, deadline, daysLeft) => {
    const reading = (await ok(token(Role.PEER_REGION, "12"), READING, { facts, on })).guaranteeReading;
    expect(reading).toMatchObject({ applies: true, deadline, daysLeft, readOn: on });
  });

  it("answers what a 14-day medical pause and a decline with a regret do, with every rule that applied", async () => {
    const facts = {
      ...hip,
      decisionDate: "2028-01-15",
      pauses: [{ kind: "MEDICAL", from: "2028-01-20", until: "2028-02-03" }],
      declines: ["2028-02-10"],
      regrets: ["2028-02-29"],
    };
    const reading = (await ok(kattegatt(), READING, { facts, on: "2028-03-01" })).guaranteeReading;
    // A new clock from 29 February; the pause before it no longer counts: 29 Feb + 60 = 29 April.
    expect(reading).toMatchObject({
      status: "WITHIN_LIMIT",
      startDate: "2028-02-29",
      startedBy: "NEW_CONTACT",
      restarted: true,
      pausedDays: 0,
      deadline: "2028-04-29",
      daysWaited: 1,
      daysLeft: 59,
    });
    expect(reading.rulesApplied.map((r: any) => r.rule)).toEqual(["COVERED_CARE", "STRICTEST_LIMIT", "RESTART", "DEADLINE", "STATUS"]);
    expect(reading.rulesApplied[1]).toEqual({
      rule: "STRICTEST_LIMIT",
      date: "2028-02-29",
      explanation: expect.stringContaining("Region Hallands vårdgaranti, behandling: 60 days"),
    });
    const paused = (
      await ok(clinic(), READING, {
        facts: { ...hip, decisionDate: "2028-01-15", pauses: [{ kind: "MEDICAL", from: "2028-01-20", until: "2028-02-03" }] },
        on: "2028-03-01",
      })
    ).guaranteeReading;
    // 15 Jan + 60 + 14 = 29 March.
    expect(paused).toMatchObject({ pausedDays: 14, deadline: "2028-03-29", daysLeft: 28 });
    expect(paused.rulesApplied.filter((r: any) => r.rule === "MEDICAL_PAUSE").map((r: any) => r.date)).toEqual([
      "2028-01-20",
      "2028-02-03",
    ]);
  });

  it("reads today when no day is given, stores nothing, and is open to every authenticated role (it holds no patient data)", async () => {
    const { count: before } = (await db.query(`SELECT count(*)::int AS count FROM referrals.referral`)).rows[0];
    for (const bearer of [office(), clinic(), kattegatt(), token(Role.PEER_REGION, "14"), token(Role.ADMINISTRATOR)]) {
      const reading = (await ok(bearer, READING, { facts: { ...hip, decisionDate: today } })).guaranteeReading;
      expect(reading).toMatchObject({ readOn: today, deadline: addDays(today, 60), daysLeft: 60 });
    }
    expect((await db.query(`SELECT count(*)::int AS count FROM referrals.referral`)).rows[0].count).toBe(before);
    const anonymous = await hub.queryAs(undefined, READING, { facts: { ...hip, decisionDate: today } });
    expect(anonymous.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  });

  it.each([
    ["a regret before the decline", { declines: ["2026-02-10"], regrets: ["2026-02-09"] }, "facts.regrets[0]", "BEFORE_PREVIOUS_STEP"],
    [
      "a wait ending before it began",
      { pauses: [{ kind: "PATIENT_CHOSEN", from: "2026-02-10", until: "2026-02-01" }] },
      "facts.pauses[0].until",
      "BEFORE_PREVIOUS_STEP",
    ],
    ["a wait after the reading day", { pauses: [{ kind: "MEDICAL", from: "2026-03-02" }] }, "facts.pauses[0].from", "AFTER_READING_DAY"],
    ["a wait before the decision", { pauses: [{ kind: "MEDICAL", from: "2026-01-01" }] }, "facts.pauses[0].from", "BEFORE_CLOCK_START"],
    ["an unknown region", { homeRegionCode: "99" }, "facts.homeRegionCode", "REGION_CODE_UNKNOWN"],
  ])("refuses %s, naming the field and rule", async (_case, overrides, field, rule) => {
    const { errors } = await as(office(), READING, { facts: { ...hip, decisionDate: "2026-01-31", ...overrides }, on: "2026-03-01" });
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
  });
});

describe("who hears of referrals", () => {
  it("lets an office subscribe to its own region only", async () => {
    const other = subscribe(
      hub.url,
      `subscription { referralReceived(regionCode: "13") { id } }`,
      undefined,
      await token(Role.REGIONAL_OFFICE, "14"),
    );
    const ended = await Promise.race([other.ended, other.waitFor(1).then(() => other.results[0])]);
    const errors = (ended as any)?.errors ?? (Array.isArray(ended) ? ended : undefined);
    expect(errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(other.results.every((r) => !r.data?.referralReceived)).toBe(true);
  });

  it("tells a clinic's hand-over to its office, and a provider only of referrals sent to it; another region hears of arrivals without patient content", async () => {
    const RECEIVED = `subscription($r: String!, $after: ID) { referralReceived(regionCode: $r, after: $after) { id status diagnosisCode patient { givenName } event { kind } } }`;
    // Every feed starts from the event log as it is now, however late it reaches the subgraph.
    const after = (await ok(office(), `{ referralEventCursor }`)).referralEventCursor;
    const officeFeed = subscribe(hub.url, RECEIVED, { r: "13", after }, await office());
    const kattegattFeed = subscribe(hub.url, RECEIVED, { r: "13", after }, await kattegatt());
    const oresundFeed = subscribe(hub.url, RECEIVED, { r: "13", after }, await token(Role.PROVIDER, ORESUND));
    const skane = subscribe(hub.url, RECEIVED, { r: "12", after }, await token(Role.REGIONAL_OFFICE, "12"));
    const skanePeer = subscribe(hub.url, RECEIVED, { r: "12", after }, await token(Role.PEER_REGION, "12"));
    try {
      const handed = await register();
      await ok(
        clinic(),
        `mutation($id: ID!) { handReferralToOffice(referralId: $id, reason: "Kan inte operera inom 60 dagar") { status } }`,
        { id: handed },
      );
      const sent = await register();
      await ok(office(), SEND, { id: sent, offer: await kattegattOffer(1) });
      // A Halland patient sent to a public hospital in Skåne (the Southern pact) arrives in Skåne's feed.
      const lund = await ok(
        office(),
        `query($p: [ID!]) { freeCapacity(filter: { providerIds: $p, procedureCode: "NFB49" }, first: 1) { edges { node { id } } } }`,
        {
          p: [providerId("skane-sus-lund")],
        },
      );
      const toSkane = await register();
      await ok(office(), SEND, { id: toSkane, offer: lund.freeCapacity.edges[0].node.id });

      const [first, second] = await officeFeed.waitFor(2);
      expect(first.data.referralReceived).toMatchObject({
        id: handed,
        status: "HANDED_TO_OFFICE",
        patient: { givenName: "Tolvan" },
        event: { kind: "HAND_TO_OFFICE" },
      });
      expect(second.data.referralReceived).toMatchObject({ id: sent, status: "SENT", diagnosisCode: "M16.1", event: { kind: "SEND" } });
      const [toKattegatt] = await kattegattFeed.waitFor(1);
      expect(toKattegatt.data.referralReceived).toMatchObject({ id: sent, diagnosisCode: "M16.1" });
      const [inSkane] = await skane.waitFor(1);
      expect(inSkane.data.referralReceived).toEqual({
        id: toSkane,
        status: "SENT",
        diagnosisCode: null,
        patient: null,
        event: { kind: "SEND" },
      });
      // A peer region's system: the same arrival, never a patient field.
      const [toPeer] = await skanePeer.waitFor(1);
      expect(toPeer.data.referralReceived).toEqual({
        id: toSkane,
        status: "SENT",
        diagnosisCode: null,
        patient: null,
        event: { kind: "SEND" },
      });
      // Nothing else arrived: one more referral sent to Kattegatt is the next thing its feed and the
      // office's hear. Each feed is offered the event log in order, so by then Öresund's feed (on the
      // same log, from the same cursor, but with nothing of its own to hear) was offered all the above.
      const marker = await register();
      await ok(office(), SEND, { id: marker, offer: await kattegattOffer(1) });
      const beforeMarker = async (feed: TestSubscription) => {
        const isMarker = (result: Received) => result.data?.referralReceived?.id === marker;
        const results = await feed.waitUntil((all) => all.some(isMarker));
        return results.slice(0, results.findIndex(isMarker));
      };
      expect(await beforeMarker(kattegattFeed)).toHaveLength(1);
      expect(await beforeMarker(officeFeed)).toHaveLength(2);
      expect(oresundFeed.results).toHaveLength(0);
      // Each delivery of patient content was recorded.
      const audited = await db.query(
        `SELECT count(*)::int AS n FROM audit.patient_data_access WHERE record_id = $1 AND action = 'DISCLOSE'`,
        [sent],
      );
      expect(audited.rows[0].n).toBe(2);
    } finally {
      await Promise.all([officeFeed, kattegattFeed, oresundFeed, skane, skanePeer].map((s) => s.close()));
    }
  });

  it("resumes after the last event id with every missed event, in order", async () => {
    const id = await register();
    const UPDATED = `subscription($id: ID!, $after: ID) { referralUpdated(id: $id, after: $after) { status event { id kind } } }`;
    const cursor = (await ok(office(), `{ referralEventCursor }`)).referralEventCursor;
    await ok(clinic(), `mutation($id: ID!) { handReferralToOffice(referralId: $id, reason: "Lång kö") { status } }`, { id });
    await ok(office(), SEND, { id, offer: await kattegattOffer(1) });
    const replay = subscribe(hub.url, UPDATED, { id, after: cursor }, await office());
    try {
      const events = await replay.waitFor(2);
      expect(events.map((e) => e.data.referralUpdated.event.kind)).toEqual(["HAND_TO_OFFICE", "SEND"]);
      await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id });
      const [, , live] = await replay.waitFor(3);
      expect(live.data.referralUpdated).toMatchObject({ status: "RECEIVED", event: { kind: "RECEIVE" } });
    } finally {
      await replay.close();
    }
  });
});

describe("a provider's view", () => {
  it("lists only the referrals sent to it", async () => {
    const id = await register();
    await ok(office(), SEND, { id, offer: await kattegattOffer(1) });
    const mine = await ok(kattegatt(), `{ referrals(first: 100) { edges { node { id status provider { id } } } } }`);
    const nodes = mine.referrals.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toContain(id);
    expect(nodes.every((n: any) => n.provider.id === KATTEGATT)).toBe(true);
    expect(nodes.map((n: any) => n.id)).not.toContain(referralId("tolvan-hip"));
  });

  it("sees a patient's identity from the moment a referral is sent to it until it lets go of it", async () => {
    const GRETA = patientId("193008077723");
    const PATIENT = `query($id: ID!) { patient(id: $id) { givenName personalIdentityNumber } }`;
    expect((await ok(kattegatt(), PATIENT, { id: GRETA })).patient).toBeNull();
    const id = await register({ patientId: GRETA, procedureCode: "NGB49", diagnosisCode: "M17.1" });
    await ok(office(), SEND, { id, offer: await kattegattOffer(1, "NGB49") });
    expect((await ok(kattegatt(), PATIENT, { id: GRETA })).patient).toEqual({
      givenName: "Greta",
      personalIdentityNumber: "19300807-7723",
    });
    // …also through the referral, resolved across subgraphs; another provider still sees nothing.
    expect((await ok(kattegatt(), `query($id: ID!) { referral(id: $id) { patient { givenName } } }`, { id })).referral.patient).toEqual({
      givenName: "Greta",
    });
    expect((await ok(token(Role.PROVIDER, ORESUND), PATIENT, { id: GRETA })).patient).toBeNull();
    const basis = await db.query(
      `SELECT basis FROM audit.patient_data_access WHERE patient_id = $1 AND record_kind = 'PATIENT' AND outcome = 'ALLOWED' AND role = 'PROVIDER'`,
      [GRETA],
    );
    expect(basis.rows.map((r) => r.basis)).toContain("REFERRAL_SENT_TO_PROVIDER");
    await ok(kattegatt(), `mutation($id: ID!) { rejectReferral(referralId: $id, reason: "Ingen operatör ledig") { status } }`, { id });
    expect((await ok(kattegatt(), PATIENT, { id: GRETA })).patient).toBeNull();
  });
});
