import { GraphQLError } from "graphql";
import { BoundedQueue, END, mapStream } from "../../subgraphs/shared/bounded-queue";
import { ProviderKind, VisitType } from "../../subgraphs/shared/domain/enums";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import { StoredEvent } from "../../subgraphs/shared/outbox";
import { OfferEventKind, OfferSource, OfferStatus } from "../../subgraphs/capacity/domain/offers";
import { CapacityOffer } from "../../subgraphs/capacity/entities/capacity-offer.entity";
import { Provider } from "../../subgraphs/capacity/entities/provider.entity";
import { eventMatches, HealthcareRegionMembership, offerEvent, offerOfEvent } from "../../subgraphs/capacity/services/offer-events";

/** Which subscriptions an offer event is for, what it carries, and the queues that deliver it. */
const TODAY = "2026-11-23";

function offer(overrides: Partial<CapacityOffer> = {}): CapacityOffer {
  return Object.assign(new CapacityOffer(), {
    id: "0f0f0f0f-0000-4000-8000-000000000001",
    careUnitId: "0f0f0f0f-0000-4000-8000-000000000002",
    providerId: "0f0f0f0f-0000-4000-8000-000000000003",
    specialty: Specialty.ORTHOPAEDICS,
    procedureCode: "NFB49",
    visitType: VisitType.TREATMENT,
    totalSlots: 4,
    reservedSlots: 0,
    earliestStart: "2026-12-01",
    validFrom: TODAY,
    validUntil: "2027-01-31",
    expectedWaitDays: 14,
    status: OfferStatus.OPEN,
    source: OfferSource.API,
    reportedBy: "Booking system",
    reportedAt: new Date("2026-11-23T08:00:00Z"),
    minPatientAge: null,
    maxPatientAge: null,
    conditions: null,
    withdrawnAt: null,
    withdrawalReason: null,
    expiredAt: null,
    revision: 1,
    ...overrides,
  });
}

const KUNGSBACKA = Object.assign(new Provider(), { regionCode: "13", municipalityCode: "1384", kind: ProviderKind.PUBLIC }); // northern Halland: Västra
const HALMSTAD = Object.assign(new Provider(), { regionCode: "13", municipalityCode: "1380", kind: ProviderKind.PRIVATE }); // southern Halland: Södra
const MEMBERSHIPS: HealthcareRegionMembership[] = [
  { healthcareRegionCode: "SODRA", regionCode: "13", municipalityCodes: ["1380", "1315", "1381"] },
  { healthcareRegionCode: "VASTRA", regionCode: "13", municipalityCodes: ["1384", "1383", "1382"] },
  { healthcareRegionCode: "SODRA", regionCode: "12", municipalityCodes: null },
];

/** An event as a subscriber gets it from the database (JSON round trip: dates become strings). */
function stored(kind: OfferEventKind, o: CapacityOffer = offer(), provider: Provider = HALMSTAD, id = 42): StoredEvent {
  const event = offerEvent(kind, o, provider, "13");
  return { ...event, payload: JSON.parse(JSON.stringify(event.payload)), id, occurredAt: new Date("2026-11-23T09:00:00Z") };
}

const published = (filter: Record<string, unknown>, event = stored(OfferEventKind.PUBLISHED)) =>
  eventMatches(event, "published", filter, MEMBERSHIPS, TODAY);
const changed = (filter: Record<string, unknown>, event: StoredEvent) => eventMatches(event, "changed", filter, MEMBERSHIPS, TODAY);

describe("offerPublished applies the whole free-capacity filter", () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ["no filter", {}, true],
    ["its specialty", { specialty: Specialty.ORTHOPAEDICS }, true],
    ["another specialty", { specialty: Specialty.UROLOGY }, false],
    ["its procedure", { procedureCode: "NFB49" }, true],
    ["another procedure", { procedureCode: "NGB49" }, false],
    ["its visit type", { visitType: VisitType.TREATMENT }, true],
    ["another visit type", { visitType: VisitType.FIRST_VISIT }, false],
    ["its provider among others", { providerIds: ["x", "0f0f0f0f-0000-4000-8000-000000000003"] }, true],
    ["other providers", { providerIds: ["x"] }, false],
    ["its region", { regionCodes: ["12", "13"] }, true],
    ["other regions", { regionCodes: ["12"] }, false],
    ["its provider kind", { providerKind: ProviderKind.PRIVATE }, true],
    ["the other kind", { providerKind: ProviderKind.PUBLIC }, false],
    ["its healthcare region (southern Halland is Södra)", { healthcareRegionCode: "SODRA" }, true],
    ["the other healthcare region", { healthcareRegionCode: "VASTRA" }, false],
    ["a start by its earliest start", { startsOnOrBefore: "2026-12-01" }, true],
    ["a start before it", { startsOnOrBefore: "2026-11-30" }, false],
    ["up to its free slots", { minAvailableSlots: 4 }, true],
    ["more than its free slots", { minAvailableSlots: 5 }, false],
    ["a wait up to its own", { maxExpectedWaitDays: 14 }, true],
    ["a shorter wait", { maxExpectedWaitDays: 13 }, false],
  ])("with %s: %s", (_what, filter, expected) => {
    expect(published(filter)).toBe(expected);
  });

  it("follows the provider's municipality for Halland's two healthcare regions", () => {
    const north = stored(OfferEventKind.PUBLISHED, offer(), KUNGSBACKA);
    expect(published({ healthcareRegionCode: "VASTRA" }, north)).toBe(true);
    expect(published({ healthcareRegionCode: "SODRA" }, north)).toBe(false);
  });

  it("never announces a full, withdrawn or already ended offer as free capacity", () => {
    expect(published({}, stored(OfferEventKind.PUBLISHED, offer({ reservedSlots: 4 })))).toBe(false);
    expect(published({}, stored(OfferEventKind.PUBLISHED, offer({ status: OfferStatus.WITHDRAWN })))).toBe(false);
    expect(published({}, stored(OfferEventKind.PUBLISHED, offer({ validUntil: "2026-11-22" })))).toBe(false);
  });

  it("takes only PUBLISHED events, and offerChanged only the others", () => {
    for (const kind of Object.values(OfferEventKind)) {
      expect(published({}, stored(kind))).toBe(kind === OfferEventKind.PUBLISHED);
      expect(changed({}, stored(kind))).toBe(kind !== OfferEventKind.PUBLISHED);
    }
  });

  it("ignores events that are not about offers", () => {
    expect(published({}, { ...stored(OfferEventKind.PUBLISHED), type: "REFERRAL_SENT" })).toBe(false);
  });
});

describe("offerChanged applies only what describes the offer's care and place", () => {
  const full = stored(OfferEventKind.RESERVED, offer({ reservedSlots: 4, earliestStart: "2027-01-10", expectedWaitDays: 60 }));

  it("still tells a board about an offer leaving its view (full, later, longer wait)", () => {
    expect(changed({ minAvailableSlots: 1, startsOnOrBefore: "2026-12-01", maxExpectedWaitDays: 30 }, full)).toBe(true);
  });

  it("but not about offers of other care or places", () => {
    expect(changed({ specialty: Specialty.UROLOGY }, full)).toBe(false);
    expect(changed({ regionCodes: ["01"] }, full)).toBe(false);
    expect(changed({ healthcareRegionCode: "VASTRA" }, full)).toBe(false);
  });
});

describe("offerOfEvent", () => {
  it("restores the offer as the change left it, with the event's id, kind and time", () => {
    const restored = offerOfEvent(
      stored(
        OfferEventKind.WITHDRAWN,
        offer({
          status: OfferStatus.WITHDRAWN,
          withdrawnAt: new Date("2026-11-23T08:30:00Z"),
          withdrawalReason: "Surgeon on leave",
          revision: 3,
        }),
        HALMSTAD,
        7,
      ),
    );
    expect(restored).toBeInstanceOf(CapacityOffer);
    expect(restored).toMatchObject({ status: OfferStatus.WITHDRAWN, withdrawalReason: "Surgeon on leave", revision: 3, totalSlots: 4 });
    expect(restored.withdrawnAt).toEqual(new Date("2026-11-23T08:30:00Z"));
    expect(restored.reportedAt).toEqual(new Date("2026-11-23T08:00:00Z"));
    expect(restored.event).toEqual({ id: "7", kind: OfferEventKind.WITHDRAWN, occurredAt: new Date("2026-11-23T09:00:00Z") });
  });
});

describe("BoundedQueue", () => {
  it("delivers in order, and wakes a reader waiting for the next value", async () => {
    const queue = new BoundedQueue<number>(10);
    queue.push(1);
    queue.push(2);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    const waiting = queue.next();
    queue.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
  });

  it("cuts off a reader that falls more than the limit behind, dropping what waits", async () => {
    let closed = 0;
    const queue = new BoundedQueue<number>(3, () => closed++);
    for (let i = 0; i < 4; i++) queue.push(i);
    const error = await queue.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe("SUBSCRIBER_TOO_SLOW");
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    queue.push(9);
    expect(closed).toBe(1);
  });

  it("lets what waits drain after close, then ends; onClose runs once", async () => {
    let closed = 0;
    const queue = new BoundedQueue<string>(10, () => closed++);
    queue.push("a");
    queue.close();
    queue.close();
    expect(await queue.next()).toEqual({ value: "a", done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it("ends a pending read at once when the reader leaves (return), without waiting for an event", async () => {
    const queue = new BoundedQueue<number>(10);
    const pending = queue.next();
    await queue.return();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe("mapStream", () => {
  it("maps values and closes its source at once on return, even while a read is pending", async () => {
    let closed = false;
    const source = new BoundedQueue<number>(10, () => (closed = true));
    const mapped = mapStream(source, (n) => n * 10);
    source.push(1);
    expect(await mapped.next()).toEqual({ value: 10, done: false });
    const pending = mapped.next();
    await mapped.return!();
    expect(closed).toBe(true);
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it("ends after a value marked END", async () => {
    const source = new BoundedQueue<number>(10);
    const mapped = mapStream(source, (n): number | [number, typeof END] => (n === 2 ? [n, END] : n));
    source.push(1);
    source.push(2);
    source.push(3);
    expect(await mapped.next()).toEqual({ value: 1, done: false });
    expect(await mapped.next()).toEqual({ value: 2, done: false });
    expect(await mapped.next()).toEqual({ value: undefined, done: true });
    expect(source.closed).toBe(true);
  });
});
