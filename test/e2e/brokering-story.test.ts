import { Client } from "pg";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { referralId } from "../../seeds/data/patients";
import { providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { token } from "../support/tokens";

/**
 * The brokering story of the README ("Referrals and the care guarantee"), through the gateway: a Halland orthopaedics
 * patient (Tolvan, hip replacement NFB49, treatment decided 48 days ago) is at risk of breaching
 * Region Halland's 60-day target; the office finds care tier by tier, sends the referral to a
 * private provider under Halland's care-guarantee agreement, the provider accepts, the patient
 * declines the offered time by phone the next day (the office records it two days after that, on
 * the day it happened: the guarantee is forfeited from then), gets in touch again ten days after
 * the offer (recorded four days later: a new clock from the day of the contact), is offered again,
 * accepts and is booked. The office's live subscriptions see every step.
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

const HIP = referralId("tolvan-hip");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const office = () => token(Role.REGIONAL_OFFICE, "13");
const kattegatt = () => token(Role.PROVIDER, KATTEGATT);

async function as(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const result = await hub.queryAs(await bearer, query, variables);
  return result;
}

async function ok(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await as(bearer, query, variables);
  expect(errors).toBeUndefined();
  return data;
}

const REFERRAL_FIELDS = `id status revision guarantee { status deadline daysLeft limitDays limitName startDate startedBy restarted applies }`;
const TIERS = ["OWN_REGION", "OWN_PRIVATE_AGREEMENT", "PACT_REGION", "RIKSAVTALET"];

describe("a Halland patient at risk is brokered to a private provider and booked", () => {
  let updates: TestSubscription;
  let received: TestSubscription;
  const today = stockholmDate();

  beforeAll(async () => {
    // Both subscriptions start from the event log as it is now, so they hear every step, however
    // late they reach the subgraph.
    const after = (await ok(office(), `{ referralEventCursor }`)).referralEventCursor;
    updates = subscribe(
      hub.url,
      `subscription($r: String!, $after: ID) { referralUpdated(regionCode: $r, after: $after) { id status event { id kind actorRole reason } patient { givenName } guarantee { status } } }`,
      { r: "13", after },
      await office(),
    );
    received = subscribe(
      hub.url,
      `subscription($r: String!, $after: ID) { referralReceived(regionCode: $r, after: $after) { id status diagnosisCode provider { name } patient { givenName } event { kind } } }`,
      { r: "13", after },
      await office(),
    );
  });
  afterAll(async () => {
    await updates?.close();
    await received?.close();
  });

  it("lists the patient among Halland's referrals at risk, against Halland's 60-day target", async () => {
    const data = await ok(
      office(),
      `{ atRiskReferrals(regionCode: "13", first: 50) { totalCount edges { node { ${REFERRAL_FIELDS} } } } }`,
    );
    const nodes = data.atRiskReferrals.edges.map((e: any) => e.node);
    const hip = nodes.find((n: any) => n.id === HIP);
    expect(hip).toMatchObject({
      status: "REGISTERED",
      guarantee: {
        status: "AT_RISK",
        limitDays: 60,
        limitName: "Region Hallands vårdgaranti, behandling",
        daysLeft: 12,
        deadline: addDays(today, 12),
        startedBy: "TREATMENT_DECISION",
      },
    });
    // Soonest deadline first.
    const deadlines = nodes.map((n: any) => n.guarantee.deadline);
    expect([...deadlines].sort()).toEqual(deadlines);
  });

  let chosenOffer: string;
  let agreementId: string;
  it("ranks free capacity tier by tier and finds the private provider under Halland's agreement in time", async () => {
    const data = await ok(
      office(),
      `query($id: ID!) { referral(id: $id) { matches(first: 50) { rank tier startsByDeadline marginDays earliestStart pricePerCaseSek explanation
          agreement { id name kind } offer { id provider { id name kind region { code } } availableSlots } } } }`,
      { id: HIP },
    );
    const matches = data.referral.matches;
    expect(matches.length).toBeGreaterThan(1);
    expect(matches.map((m: any) => m.rank)).toEqual(matches.map((_: unknown, i: number) => i + 1));
    // Tier by tier: the search order never goes back.
    const tierIndexes = matches.map((m: any) => TIERS.indexOf(m.tier));
    expect([...tierIndexes].sort((a, b) => a - b)).toEqual(tierIndexes);
    expect(new Set(matches.map((m: any) => m.tier)).size).toBeGreaterThan(1);
    // Halland's own hospitals have hip capacity, but none that starts before the patient's deadline.
    const own = matches.filter((m: any) => m.tier === "OWN_REGION");
    expect(own.length).toBeGreaterThan(0);
    for (const m of own) expect(m).toMatchObject({ startsByDeadline: false, offer: { provider: { region: { code: "13" } } } });
    const privateMatch = matches.find(
      (m: any) => m.tier === "OWN_PRIVATE_AGREEMENT" && m.offer.provider.id === KATTEGATT && m.startsByDeadline,
    );
    expect(privateMatch).toMatchObject({
      agreement: { kind: "CARE_GUARANTEE_AGREEMENT", name: "Vårdgarantiavtal ortopedi, Region Halland – Kattegattkliniken Ortopedi AB" },
      pricePerCaseSek: 79_900,
    });
    expect(privateMatch.marginDays).toBeGreaterThanOrEqual(0);
    expect(privateMatch.explanation).toContain("Tier 2");
    chosenOffer = privateMatch.offer.id;
    agreementId = privateMatch.agreement.id;
  });

  it("sends the referral with a payment commitment, holding a slot on the offer", async () => {
    const before = await ok(office(), `query($id: ID!) { capacityOffer(id: $id) { availableSlots } }`, { id: chosenOffer });
    const CEILING = `query($id: ID!) { agreement(id: $id) { ceilings { usedCases periodFrom } } }`;
    const usedBefore = (await ok(office(), CEILING, { id: agreementId })).agreement.ceilings.map((c: any) => c.usedCases);
    const data = await ok(
      office(),
      `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }, idempotencyKey: "story-send") {
          status provider { name } offer { id availableSlots }
          paymentCommitment { payingRegionCode agreementKind agreementName agreementVersion agreementTypeCode pricePerCaseSek procedureCode diagnosisCode outpatientOnly approvedBy validFrom } } }`,
      { id: HIP, offer: chosenOffer },
    );
    expect(data.sendReferral).toMatchObject({
      status: "SENT",
      provider: { name: "Kattegattkliniken Ortopedi AB" },
      offer: { id: chosenOffer, availableSlots: before.capacityOffer.availableSlots - 1 },
      paymentCommitment: {
        payingRegionCode: "13",
        agreementKind: "CARE_GUARANTEE_AGREEMENT",
        agreementVersion: 1,
        agreementTypeCode: null,
        pricePerCaseSek: 79_900,
        procedureCode: "NFB49",
        diagnosisCode: "M16.1",
        outpatientOnly: false,
        validFrom: today,
      },
    });
    // A retry with the same key holds nothing more.
    const retry = await ok(
      office(),
      `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }, idempotencyKey: "story-send") { status } }`,
      { id: HIP, offer: chosenOffer },
    );
    expect(retry.sendReferral.status).toBe("SENT");
    const after = await ok(office(), `query($id: ID!) { capacityOffer(id: $id) { availableSlots } }`, { id: chosenOffer });
    expect(after.capacityOffer.availableSlots).toBe(before.capacityOffer.availableSlots - 1);
    // The case counts against the agreement's volume ceiling (this year's), once.
    const usedAfter = (await ok(office(), CEILING, { id: agreementId })).agreement.ceilings.map((c: any) => c.usedCases);
    expect(usedAfter.reduce((a: number, b: number) => a + b, 0)).toBe(usedBefore.reduce((a: number, b: number) => a + b, 0) + 1);
  });

  it("lets the provider it was sent to read and accept it", async () => {
    const seen = await ok(kattegatt(), `query($id: ID!) { referral(id: $id) { diagnosisCode status availableActions } }`, { id: HIP });
    expect(seen.referral).toMatchObject({ diagnosisCode: "M16.1", status: "SENT", availableActions: ["RECEIVE", "REJECT"] });
    expect(
      (await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id: HIP })).receiveReferral.status,
    ).toBe("RECEIVED");
    expect(
      (await ok(kattegatt(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id: HIP })).acceptReferral.status,
    ).toBe("ACCEPTED");
  });

  it("records the patient's decline, heard of by phone, on the day it was given: the guarantee is forfeited from then", async () => {
    const offered = await ok(
      kattegatt(),
      `mutation($id: ID!, $d: Date!) { offerCareToPatient(referralId: $id, careDate: $d) { status patientOfferDate patientAnswerDue } }`,
      {
        id: HIP,
        d: addDays(today, 8),
      },
    );
    expect(offered.offerCareToPatient).toMatchObject({
      status: "OFFERED_TO_PATIENT",
      patientOfferDate: addDays(today, 8),
      patientAnswerDue: addDays(today, 7),
    });
    // The patient phoned the next day; the office records it two days after that.
    hub.clock.setDaysAhead(3);
    const declined = await ok(
      office(),
      `mutation($id: ID!, $on: Date!) { recordPatientAnswer(referralId: $id, accepted: false, reason: "Vill hellre vänta på operation i Halmstad", answeredOn: $on) { ${REFERRAL_FIELDS} } }`,
      { id: HIP, on: addDays(today, 1) },
    );
    expect(declined.recordPatientAnswer).toMatchObject({ status: "PATIENT_DECLINED", guarantee: { status: "FORFEITED" } });
    // The forfeit is documented: who, when it happened, why.
    const events = await ok(office(), `query($id: ID!) { referral(id: $id) { guaranteeEvents { kind effectiveDate actorRole reason } } }`, {
      id: HIP,
    });
    expect(events.referral.guaranteeEvents).toEqual([
      {
        kind: "FORFEITED",
        effectiveDate: addDays(today, 1),
        actorRole: "REGIONAL_OFFICE",
        reason: "Vill hellre vänta på operation i Halmstad",
      },
    ]);
  });

  it("restarts the clock from the day the patient got in touch again (recorded four days later), with no credit for time waited", async () => {
    hub.clock.setDaysAhead(14);
    const later = addDays(today, 14);
    const contact = addDays(today, 10);
    const early = await as(
      office(),
      `mutation($id: ID!, $d: Date!) { registerPatientRegret(referralId: $id, contactDate: $d, reason: "Patienten ångrar sig") { status } }`,
      {
        id: HIP,
        d: addDays(later, 1),
      },
    );
    expect(early.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "contactDate", rule: "DATE_IN_FUTURE" });
    // Not before the decline it answers (the day after the offer).
    const beforeDecline = await as(
      office(),
      `mutation($id: ID!, $d: Date!) { registerPatientRegret(referralId: $id, contactDate: $d, reason: "Patienten ångrar sig") { status } }`,
      {
        id: HIP,
        d: today,
      },
    );
    expect(beforeDecline.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "contactDate",
      rule: "BEFORE_PREVIOUS_STEP",
    });
    const data = await ok(
      office(),
      `mutation($id: ID!, $d: Date!) { registerPatientRegret(referralId: $id, contactDate: $d, reason: "Patienten hörde av sig och vill ta erbjudandet") { ${REFERRAL_FIELDS} } }`,
      { id: HIP, d: contact },
    );
    expect(data.registerPatientRegret).toMatchObject({
      status: "ACCEPTED",
      guarantee: {
        status: "WITHIN_LIMIT",
        startDate: contact,
        startedBy: "NEW_CONTACT",
        restarted: true,
        deadline: addDays(contact, 60),
        daysLeft: 56,
      },
    });
  });

  it("offers again; the patient accepts and the provider books within the new deadline", async () => {
    const later = addDays(today, 14);
    await ok(kattegatt(), `mutation($id: ID!, $d: Date!) { offerCareToPatient(referralId: $id, careDate: $d) { status } }`, {
      id: HIP,
      d: addDays(later, 10),
    });
    const accepted = await ok(
      office(),
      `mutation($id: ID!) { recordPatientAnswer(referralId: $id, accepted: true, reason: null) { status } }`,
      { id: HIP },
    );
    expect(accepted.recordPatientAnswer.status).toBe("PATIENT_ACCEPTED");
    const booked = await ok(
      kattegatt(),
      `mutation($id: ID!, $d: Date!) { bookReferral(referralId: $id, careDate: $d) { status bookedFor ${REFERRAL_FIELDS} } }`,
      {
        id: HIP,
        d: addDays(later, 10),
      },
    );
    expect(booked.bookReferral).toMatchObject({ status: "BOOKED", bookedFor: addDays(later, 10), guarantee: { status: "MET" } });
  });

  it("kept every step with who, role, organisation and why", async () => {
    const data = await ok(
      office(),
      `query($id: ID!) { referral(id: $id) { history { action fromStatus toStatus actorRole actorOrganisation reason happenedOn occurredAt } } }`,
      { id: HIP },
    );
    expect(data.referral.history.map((h: any) => h.action)).toEqual([
      "SEND",
      "RECEIVE",
      "ACCEPT",
      "OFFER_TO_PATIENT",
      "PATIENT_DECLINE",
      "PATIENT_REGRET",
      "OFFER_TO_PATIENT",
      "PATIENT_ACCEPT",
      "BOOK",
    ]);
    expect(data.referral.history[0]).toMatchObject({
      fromStatus: "REGISTERED",
      toStatus: "SENT",
      actorRole: "REGIONAL_OFFICE",
      actorOrganisation: "13",
    });
    expect(data.referral.history[2]).toMatchObject({ actorRole: "PROVIDER", actorOrganisation: KATTEGATT });
    // The decline and the new contact keep the days they happened; when they were recorded is kept beside them.
    expect(data.referral.history[4]).toMatchObject({ action: "PATIENT_DECLINE", happenedOn: addDays(today, 1) });
    expect(data.referral.history[5]).toMatchObject({ action: "PATIENT_REGRET", happenedOn: addDays(today, 10) });
    expect(data.referral.history[8]).toMatchObject({ action: "BOOK", happenedOn: addDays(today, 14) });
    for (const step of data.referral.history) expect(typeof step.occurredAt).toBe("string");
  });

  it("showed the Halland office each step live, with the patient resolved across subgraphs", async () => {
    const steps = [
      "SEND",
      "RECEIVE",
      "ACCEPT",
      "OFFER_TO_PATIENT",
      "PATIENT_DECLINE",
      "PATIENT_REGRET",
      "OFFER_TO_PATIENT",
      "PATIENT_ACCEPT",
      "BOOK",
    ];
    const mine = () =>
      updates.results.filter((r) => r.data?.referralUpdated?.id === HIP && steps.includes(r.data.referralUpdated.event.kind));
    await updates.waitUntil(() => mine().length >= steps.length);
    expect(mine().map((r) => r.data.referralUpdated.event.kind)).toEqual(steps);
    expect(mine().every((r) => r.data.referralUpdated.patient?.givenName === "Tolvan")).toBe(true);
    const ids = mine().map((r) => Number(r.data.referralUpdated.event.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // The referral was sent to a provider in Halland: it arrived on the region's incoming stream.
    const [arrived] = await received.waitFor(1);
    expect(arrived.data.referralReceived).toMatchObject({
      id: HIP,
      status: "SENT",
      diagnosisCode: "M16.1",
      provider: { name: "Kattegattkliniken Ortopedi AB" },
      patient: { givenName: "Tolvan" },
      event: { kind: "SEND" },
    });
  });
});
