import { randomUUID } from "node:crypto";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";

/**
 * Providers publish, change, withdraw and reserve capacity through the gateway: batches are all or
 * nothing, retries with an idempotency key never double-publish, and the last slot goes to exactly
 * one of many concurrent reservations.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

const today = stockholmDate();
const KATTEGATT_UNIT = careUnitId("kattegatt-ortopedi");
const KATTEGATT = providerId("private-kattegatt-ortopedi");

const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishCapacityInput!, $key: String) {
    publishCapacity(input: $input, idempotencyKey: $key) {
      replayed
      offers { id status availableSlots totalSlots slotTimes earliestStart validFrom validUntil expectedWaitDays visitType revision
               procedure { code } provider { id } careUnit { id } minPatientAge maxPatientAge conditions source reportedBy }
    }
  }`;

const OFFER = /* GraphQL */ `
  query Offer($id: ID!) {
    capacityOffer(id: $id) { id status availableSlots totalSlots revision withdrawalReason withdrawnAt validUntil earliestStart expectedWaitDays
                            reservations { id slots referenceId } }
  }`;

const FREE_FOR_PROVIDER = /* GraphQL */ `
  query Free($providerIds: [ID!]) {
    freeCapacity(filter: { providerIds: $providerIds }, first: 100) { totalCount edges { node { id } } }
  }`;

function hip(overrides: Record<string, unknown> = {}) {
  return {
    careUnitId: KATTEGATT_UNIT,
    procedureCode: "NFB49",
    slots: 4,
    validFrom: today,
    validUntil: addDays(today, 60),
    expectedWaitDays: 21,
    ...overrides,
  };
}

async function publish(offers: unknown[], key?: string) {
  return hub.query(PUBLISH, { input: { offers, reportedBy: "Booking system (test)" }, key });
}

async function publishOk(offers: unknown[], key?: string) {
  const { data, errors } = await publish(offers, key);
  expect(errors).toBeUndefined();
  return data.publishCapacity;
}

async function freeIdsOfKattegatt(): Promise<string[]> {
  const { data, errors } = await hub.query(FREE_FOR_PROVIDER, { providerIds: [KATTEGATT] });
  expect(errors).toBeUndefined();
  return data.freeCapacity.edges.map((e: any) => e.node.id);
}

describe("publishCapacity", () => {
  it("publishes a batch, by count and by slot times, and lists it as free capacity with coverage", async () => {
    const times = [`${addDays(today, 10)}T08:00:00+01:00`, `${addDays(today, 10)}T10:30:00+01:00`, `${addDays(today, 11)}T08:00:00+01:00`];
    const result = await publishOk([
      hip({ minPatientAge: 18, maxPatientAge: 85, conditions: "BMI under 35" }),
      hip({ procedureCode: "NGB49", slots: null, slotTimes: times, earliestStart: addDays(today, 10), expectedWaitDays: 10 }),
    ]);
    expect(result.replayed).toBe(false);
    const [byCount, byTimes] = result.offers;
    expect(byCount).toMatchObject({
      status: "OPEN",
      availableSlots: 4,
      totalSlots: 4,
      slotTimes: [],
      earliestStart: today,
      visitType: "TREATMENT",
      revision: 1,
      procedure: { code: "NFB49" },
      provider: { id: KATTEGATT },
      careUnit: { id: KATTEGATT_UNIT },
      minPatientAge: 18,
      maxPatientAge: 85,
      conditions: "BMI under 35",
      source: "API",
    });
    expect(byTimes).toMatchObject({ totalSlots: 3, availableSlots: 3, earliestStart: addDays(today, 10), procedure: { code: "NGB49" } });
    expect(byTimes.slotTimes).toEqual(times.map((t) => new Date(t).toISOString()));

    const { data } = await hub.query(
      `query($id: ID!) { capacityOffer(id: $id) { id coverage(homeRegionCode: "13") { agreement { kind } pricePerCaseSek } } }`,
      { id: byCount.id },
    );
    expect(data.capacityOffer.coverage).toMatchObject({ agreement: { kind: "CARE_GUARANTEE_AGREEMENT" } });
    expect(await freeIdsOfKattegatt()).toEqual(expect.arrayContaining([byCount.id, byTimes.id]));
  });

  it("publishes first-visit capacity without a procedure", async () => {
    const [offer] = (await publishOk([hip({ procedureCode: null, visitType: "FIRST_VISIT" })])).offers;
    expect(offer).toMatchObject({ visitType: "FIRST_VISIT", procedure: null });
  });

  const invalid: Array<[string, Record<string, unknown>, string, string]> = [
    ["an unknown care unit", { careUnitId: randomUUID() }, "input.offers[1].careUnitId", "UNKNOWN_CARE_UNIT"],
    ["an unknown procedure", { procedureCode: "NFB98" }, "input.offers[1].procedureCode", "UNKNOWN_PROCEDURE"],
    [
      "a procedure outside the unit's specialty",
      { procedureCode: "CJE20" },
      "input.offers[1].procedureCode",
      "PROCEDURE_NOT_IN_UNIT_SPECIALTY",
    ],
    ["zero slots", { slots: 0 }, "input.offers[1].slots", "SLOTS_RANGE"],
    ["absurdly many slots", { slots: 1_000_000 }, "input.offers[1].slots", "SLOTS_RANGE"],
    [
      "a window ending in the past",
      { validFrom: addDays(today, -30), validUntil: addDays(today, -1) },
      "input.offers[1].validUntil",
      "WINDOW_IN_PAST",
    ],
    [
      "a window ending before it starts",
      { validFrom: addDays(today, 10), validUntil: addDays(today, 5) },
      "input.offers[1].validUntil",
      "END_BEFORE_START",
    ],
    [
      "a slot time outside the window",
      { slots: null, slotTimes: [`${addDays(today, 90)}T08:00:00Z`] },
      "input.offers[1].slotTimes[0]",
      "SLOT_OUTSIDE_WINDOW",
    ],
    ["both slots and slot times", { slotTimes: [`${addDays(today, 5)}T08:00:00Z`] }, "input.offers[1].slots", "SLOTS_ONE_OF"],
    ["a negative expected wait", { expectedWaitDays: -1 }, "input.offers[1].expectedWaitDays", "WAIT_RANGE"],
    [
      "an earliest start outside the window",
      { earliestStart: addDays(today, 61) },
      "input.offers[1].earliestStart",
      "START_OUTSIDE_WINDOW",
    ],
  ];

  it.each(invalid)("refuses a batch with %s and writes nothing", async (_what, overrides, field, rule) => {
    const before = await freeIdsOfKattegatt();
    const { data, errors } = await publish([hip(), hip(overrides)]);
    expect(data).toBeNull();
    expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
    expect(errors?.[0].message).toContain(field);
    expect(await freeIdsOfKattegatt()).toEqual(before);
  });

  it("refuses an empty batch and one larger than 100", async () => {
    const empty = await publish([]);
    expect(empty.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.offers", rule: "BATCH_SIZE" });
    const before = await freeIdsOfKattegatt();
    const huge = await publish(Array.from({ length: 101 }, () => hip()));
    expect(huge.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.offers", rule: "LIST_TOO_LONG" });
    expect(await freeIdsOfKattegatt()).toEqual(before);
  });

  it("refuses a batch mixing two providers' units", async () => {
    const { errors } = await publish([hip(), hip({ careUnitId: careUnitId("oresund-ortopedi") })]);
    expect(errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.offers[1].careUnitId",
      rule: "ONE_PROVIDER_PER_BATCH",
    });
  });

  it("answers a retry with the same idempotency key with the first result and creates nothing", async () => {
    const key = randomUUID();
    const first = await publishOk([hip({ slots: 2 })], key);
    const before = await freeIdsOfKattegatt();
    // Concurrent retries, as an integration that timed out and retried twice would send.
    const retries = await Promise.all([publishOk([hip({ slots: 2 })], key), publishOk([hip({ slots: 2 })], key)]);
    for (const retry of retries) {
      expect(retry.replayed).toBe(true);
      expect(retry.offers.map((o: any) => o.id)).toEqual(first.offers.map((o: any) => o.id));
    }
    expect(await freeIdsOfKattegatt()).toEqual(before);

    const other = await publish([hip({ slots: 3 })], key);
    expect(other.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", field: "idempotencyKey" });
    expect(await freeIdsOfKattegatt()).toEqual(before);
  });

  it("lets a failed attempt's key be used again (nothing was stored for it)", async () => {
    const key = randomUUID();
    const failed = await publish([hip({ slots: 0 })], key);
    expect(failed.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const ok = await publishOk([hip({ slots: 1 })], key);
    expect(ok.replayed).toBe(false);
  });
});

describe("updateCapacity and withdrawCapacity", () => {
  it("changes slots and window, bumps the revision, and refuses what breaks the rules", async () => {
    const [offer] = (await publishOk([hip({ slots: 5 })])).offers;
    const UPDATE = `mutation($id: ID!, $input: UpdateCapacityInput!, $key: String) {
      updateCapacity(offerId: $id, input: $input, idempotencyKey: $key) { id totalSlots availableSlots validUntil expectedWaitDays revision } }`;
    const updated = await hub.query(UPDATE, { id: offer.id, input: { slots: 8, validUntil: addDays(today, 30), expectedWaitDays: 14 } });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateCapacity).toMatchObject({
      totalSlots: 8,
      availableSlots: 8,
      validUntil: addDays(today, 30),
      expectedWaitDays: 14,
      revision: 2,
    });

    const nothing = await hub.query(UPDATE, { id: offer.id, input: {} });
    expect(nothing.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "NOTHING_CHANGES" });
    const past = await hub.query(UPDATE, { id: offer.id, input: { validUntil: addDays(today, -1) } });
    expect(past.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.validUntil" });

    await hub.query(`mutation($id: ID!) { reserveCapacity(offerId: $id, slots: 3, referenceId: "ref-1") { id } }`, { id: offer.id });
    const below = await hub.query(UPDATE, { id: offer.id, input: { slots: 2 } });
    expect(below.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.slots", rule: "SLOTS_BELOW_RESERVED" });
    const { data } = await hub.query(OFFER, { id: offer.id });
    expect(data.capacityOffer).toMatchObject({ totalSlots: 8, availableSlots: 5, revision: 3 });
  });

  it("withdraws with a reason: gone from freeCapacity, history kept, no further changes", async () => {
    const [offer] = (await publishOk([hip()])).offers;
    expect(await freeIdsOfKattegatt()).toContain(offer.id);
    const WITHDRAW = `mutation($id: ID!, $reason: String!, $key: String) {
      withdrawCapacity(offerId: $id, reason: $reason, idempotencyKey: $key) { id status withdrawalReason withdrawnAt } }`;
    const noReason = await hub.query(WITHDRAW, { id: offer.id, reason: " " });
    expect(noReason.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "reason" });
    const key = randomUUID();
    const withdrawn = await hub.query(WITHDRAW, { id: offer.id, reason: "Surgeon on leave", key });
    expect(withdrawn.data.withdrawCapacity).toMatchObject({ status: "WITHDRAWN", withdrawalReason: "Surgeon on leave" });
    const retried = await hub.query(WITHDRAW, { id: offer.id, reason: "Surgeon on leave", key });
    expect(retried.errors).toBeUndefined();
    expect(retried.data.withdrawCapacity.withdrawnAt).toBe(withdrawn.data.withdrawCapacity.withdrawnAt);

    expect(await freeIdsOfKattegatt()).not.toContain(offer.id);
    const { data } = await hub.query(OFFER, { id: offer.id });
    expect(data.capacityOffer).toMatchObject({ status: "WITHDRAWN", withdrawalReason: "Surgeon on leave", revision: 2 });
    const again = await hub.query(WITHDRAW, { id: offer.id, reason: "Twice" });
    expect(again.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", rule: "OFFER_WITHDRAWN" });
    const reserve = await hub.query(`mutation($id: ID!) { reserveCapacity(offerId: $id, slots: 1, referenceId: "late") { id } }`, {
      id: offer.id,
    });
    expect(reserve.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", rule: "OFFER_WITHDRAWN" });
  });

  it("answers an unknown offer with NOT_FOUND and a malformed id with BAD_USER_INPUT", async () => {
    const unknown = await hub.query(`mutation($id: ID!) { withdrawCapacity(offerId: $id, reason: "Gone") { id } }`, { id: randomUUID() });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND", field: "offerId" });
    const malformed = await hub.query(`mutation { withdrawCapacity(offerId: "42", reason: "Gone") { id } }`);
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "offerId" });
  });
});

describe("reserveCapacity and releaseReservation", () => {
  const RESERVE = `mutation($id: ID!, $slots: Int!, $ref: String!, $key: String) {
    reserveCapacity(offerId: $id, slots: $slots, referenceId: $ref, idempotencyKey: $key) { id slots referenceId releasedAt offer { id availableSlots } } }`;
  const RELEASE = `mutation($id: ID!, $reason: String!) { releaseReservation(reservationId: $id, reason: $reason) { id releasedAt releaseReason offer { availableSlots } } }`;

  it("gives the last slot to exactly one of 40 concurrent requests; the others get CONFLICT", async () => {
    const [offer] = (await publishOk([hip({ slots: 1 })])).offers;
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => hub.query(RESERVE, { id: offer.id, slots: 1, ref: `referral-${i}` })),
    );
    const won = attempts.filter((a) => a.data?.reserveCapacity);
    const lost = attempts.filter((a) => a.errors);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(39);
    for (const loser of lost) expect(loser.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", rule: "NOT_ENOUGH_FREE_SLOTS" });
    expect(won[0].data.reserveCapacity.offer.availableSlots).toBe(0);
    const { data } = await hub.query(OFFER, { id: offer.id });
    expect(data.capacityOffer).toMatchObject({ availableSlots: 0, reservations: [{ slots: 1 }] });
    // A full offer is not free capacity.
    expect(await freeIdsOfKattegatt()).not.toContain(offer.id);
  });

  it("never reserves more than is free, however the requests overlap", async () => {
    const [offer] = (await publishOk([hip({ slots: 10 })])).offers;
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hub.query(RESERVE, { id: offer.id, slots: 3, ref: `batch-${i}` })),
    );
    expect(attempts.filter((a) => a.data?.reserveCapacity)).toHaveLength(3);
    const { data } = await hub.query(OFFER, { id: offer.id });
    expect(data.capacityOffer.availableSlots).toBe(1);
  });

  it("releases a reservation, freeing its slots, once; and replays a reservation retried with its key", async () => {
    const [offer] = (await publishOk([hip({ slots: 2 })])).offers;
    const key = randomUUID();
    const first = await hub.query(RESERVE, { id: offer.id, slots: 2, ref: "referral-x", key });
    const retry = await hub.query(RESERVE, { id: offer.id, slots: 2, ref: "referral-x", key });
    expect(retry.data.reserveCapacity.id).toBe(first.data.reserveCapacity.id);
    const twice = await hub.query(RESERVE, { id: offer.id, slots: 1, ref: "referral-x" });
    expect(twice.errors?.[0].extensions?.code).toBe("CONFLICT");

    const released = await hub.query(RELEASE, { id: first.data.reserveCapacity.id, reason: "Patient chose another provider" });
    expect(released.errors).toBeUndefined();
    expect(released.data.releaseReservation).toMatchObject({
      releaseReason: "Patient chose another provider",
      offer: { availableSlots: 2 },
    });
    const again = await hub.query(RELEASE, { id: first.data.reserveCapacity.id, reason: "Again" });
    expect(again.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", rule: "ALREADY_RELEASED" });
  });

  it("refuses impossible requests with BAD_USER_INPUT", async () => {
    const [offer] = (await publishOk([hip()])).offers;
    const zero = await hub.query(RESERVE, { id: offer.id, slots: 0, ref: "r" });
    expect(zero.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "slots" });
    const tooMany = await hub.query(RESERVE, { id: offer.id, slots: 5, ref: "r" });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", availableSlots: 4 });
  });
});
