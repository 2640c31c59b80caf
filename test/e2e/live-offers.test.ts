import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { CapacityPublishing } from "../../subgraphs/capacity/services/capacity-publishing";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { postGraphQL, startTestHub, TestHub } from "../support/hub";
import { ready, run } from "../support/hub-process";
import { adminToken } from "../support/tokens";
import { hubProcessPorts } from "../support/ports";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { waitFor } from "../support/wait";

/**
 * Live offers through the gateway over graphql-ws: a subscriber gets exactly the offers its filter
 * matches, with fields from other subgraphs resolved; changes arrive as offerChanged; a subscriber
 * that reconnects with `after` misses nothing and sees nothing twice; and two hubs on one database
 * both deliver every event.
 */
let hub: TestHub;
const open: TestSubscription[] = [];
beforeAll(async () => {
  hub = await startTestHub();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => hub?.stop());

const today = stockholmDate();
const KATTEGATT_UNIT = careUnitId("kattegatt-ortopedi"); // private, Halland
const KAROLINSKA_UNIT = careUnitId("karolinska-ortopedi"); // public, Stockholm
const SOS_EYES = careUnitId("sos-ogon"); // public, Stockholm, ophthalmology

const PUBLISHED = /* GraphQL */ `
  subscription Published($filter: FreeCapacityFilter, $after: ID) {
    offerPublished(filter: $filter, after: $after) {
      id availableSlots earliestStart
      event { id kind occurredAt }
      procedure { code name }
      provider { id name kind region { code name } }
      coverage(homeRegionCode: "13") { status agreement { kind name } pricePerCaseSek }
    }
  }`;

const CHANGED = /* GraphQL */ `
  subscription Changed($filter: FreeCapacityFilter, $after: ID) {
    offerChanged(filter: $filter, after: $after) { id status availableSlots revision withdrawalReason event { id kind } }
  }`;

function live(query: string, variables?: Record<string, unknown>, url = hub.url): TestSubscription {
  const subscription = subscribe(url, query, variables);
  open.push(subscription);
  return subscription;
}

async function publishOne(
  unit: string,
  procedureCode: string | null,
  slots = 3,
  target: Pick<TestHub, "query"> = hub,
): Promise<{ id: string; sentAt: number; answeredAt: number }> {
  const sentAt = Date.now();
  const { data, errors } = await target.query(
    `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
    {
      input: {
        reportedBy: "Booking system (test)",
        offers: [
          {
            careUnitId: unit,
            procedureCode,
            visitType: procedureCode ? null : "FIRST_VISIT",
            slots,
            validFrom: today,
            validUntil: addDays(today, 30),
            expectedWaitDays: 14,
          },
        ],
      },
    },
  );
  expect(errors).toBeUndefined();
  return { id: data.publishCapacity.offers[0].id, sentAt, answeredAt: Date.now() };
}

/** Subscriptions the capacity subgraph is streaming (its /health says). */
async function upstreamCount(): Promise<number> {
  const response = await fetch(hub.hub.subgraphs.capacity.url.replace(/graphql$/, "health"));
  return ((await response.json()) as { liveSubscriptions: number }).liveSubscriptions;
}

/**
 * Where the event log stands now. Subscribing with `after` set to it is how a client that reads
 * and then subscribes makes sure it misses nothing, whenever its subscription actually starts.
 */
async function cursor(target: TestHub = hub): Promise<string> {
  const { data, errors } = await target.query("{ offerEventCursor }");
  expect(errors).toBeUndefined();
  return data.offerEventCursor;
}

describe("offerPublished", () => {
  it("delivers exactly the matching offers, with fields from other subgraphs resolved", async () => {
    const board = live(PUBLISHED, {
      filter: { specialty: "ORTHOPAEDICS", procedureCode: "NFB49", providerKind: "PRIVATE" },
      after: await cursor(),
    });
    const primer = await publishOne(KATTEGATT_UNIT, "NFB49");
    await board.waitFor(1);

    const matching: string[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < 3; i++) {
      await publishOne(KAROLINSKA_UNIT, "NFB49"); // public: filtered out
      await publishOne(SOS_EYES, "CJE20"); // other specialty
      await publishOne(KATTEGATT_UNIT, "NGB49"); // other procedure
      const hit = await publishOne(KATTEGATT_UNIT, "NFB49");
      matching.push(hit.id);
      const [received] = (await board.waitFor(2 + i)).slice(-1);
      latencies.push(received.receivedAt - hit.answeredAt);
    }
    const all = await board.waitFor(4);
    // Nothing else trickled in: the filter held. One more matching offer is the fifth thing the
    // board hears (the log is delivered in order, so every offer above was considered before it).
    const closing = await publishOne(KATTEGATT_UNIT, "NFB49");
    const heard = await board.waitUntil((results) => results.some((r) => r.data?.offerPublished?.id === closing.id));
    expect(
      heard.slice(
        0,
        heard.findIndex((r) => r.data?.offerPublished?.id === closing.id),
      ),
    ).toHaveLength(4);
    expect(all.map((r) => r.data.offerPublished.id)).toEqual([primer.id, ...matching]);
    for (const { data, errors } of all) {
      expect(errors).toBeUndefined();
      expect(data.offerPublished).toMatchObject({
        availableSlots: 3,
        event: { kind: "PUBLISHED" },
        procedure: { code: "NFB49" },
        provider: { kind: "PRIVATE", region: { code: "13", name: "Region Halland" } },
        coverage: { status: "COVERED", agreement: { kind: "CARE_GUARANTEE_AGREEMENT" } },
      });
      expect(data.offerPublished.coverage.pricePerCaseSek).toBeGreaterThan(0);
    }
    const ids = all.map((r) => Number(r.data.offerPublished.event.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // Recorded, not asserted (timing never fails a test): publish answer → receipt.
    process.stdout.write(`offerPublished latency after the publish answer (ms): ${latencies.join(", ")}\n`);
  });

  it("refuses a bad filter and a bad cursor with BAD_USER_INPUT", async () => {
    const bad = live(PUBLISHED, { filter: { procedureCode: "hip" } });
    const ended = await Promise.race([bad.ended, bad.waitFor(1).then(() => bad.results[0])]);
    const errors = (ended as any)?.errors ?? (Array.isArray(ended) ? ended : undefined);
    expect(errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "filter.procedureCode" });

    const cursor = live(PUBLISHED, { after: "yesterday" });
    const result = await Promise.race([cursor.ended, cursor.waitFor(1).then(() => cursor.results[0])]);
    const cursorErrors = (result as any)?.errors ?? (Array.isArray(result) ? result : undefined);
    expect(cursorErrors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
  });

  it("tells a client that posts a subscription over HTTP to use graphql-ws", async () => {
    const { errors } = await hub.query("subscription { offerPublished { id } }");
    expect(errors?.[0].extensions?.code).toBe("BAD_REQUEST");
    expect(errors?.[0].message).toContain("graphql-ws");
  });
});

describe("offerChanged", () => {
  it("announces updates, reservations, releases, withdrawal and expiry of an offer, in order", async () => {
    const KATTEGATT = providerId("private-kattegatt-ortopedi");
    const board = live(CHANGED, { filter: { providerIds: [KATTEGATT] }, after: await cursor() });
    const offer = await publishOne(KATTEGATT_UNIT, "NFB49", 2);
    const run = async (query: string, variables: Record<string, unknown>) => {
      const { data, errors } = await hub.query(query, variables);
      expect(errors).toBeUndefined();
      return data;
    };
    await run(`mutation($id: ID!) { updateCapacity(offerId: $id, input: { expectedWaitDays: 9 }) { id } }`, { id: offer.id });
    const reserved = await run(`mutation($id: ID!) { reserveCapacity(offerId: $id, slots: 2, referenceId: "ref-a") { id } }`, {
      id: offer.id,
    });
    await run(`mutation($id: ID!) { releaseReservation(reservationId: $id, reason: "Patient declined") { id } }`, {
      id: reserved.reserveCapacity.id,
    });
    await run(`mutation($id: ID!) { withdrawCapacity(offerId: $id, reason: "Theatre closed for repairs") { id } }`, { id: offer.id });

    const events = (await board.waitFor(4)).map((r) => r.data.offerChanged);
    expect(events.map((e) => [e.event.kind, e.availableSlots, e.revision])).toEqual([
      ["UPDATED", 2, 2],
      ["RESERVED", 0, 3],
      ["RELEASED", 2, 4],
      ["WITHDRAWN", 2, 5],
    ]);
    expect(events[3]).toMatchObject({ id: offer.id, status: "WITHDRAWN", withdrawalReason: "Theatre closed for repairs" });

    // Expiry: the window of a second offer ends (time passes), and the sweep announces it once,
    // however many processes sweep.
    const second = await publishOne(KATTEGATT_UNIT, "NFB49");
    const capacityDb = hub.hub.dataSources.capacity;
    await capacityDb.query("UPDATE capacity.capacity_offer SET valid_from = $2, earliest_start = $2, valid_until = $2 WHERE id = $1", [
      second.id,
      addDays(today, -1),
    ]);
    const sweeps = await Promise.all([1, 2].map(() => new CapacityPublishing(capacityDb, "13").expireDue(today)));
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(1);
    const [expired] = (await board.waitFor(5)).slice(-1);
    expect(expired.data.offerChanged).toMatchObject({ id: second.id, status: "EXPIRED", event: { kind: "EXPIRED" } });
  });
});

describe("no event lost", () => {
  it("replays every missed event in order, without duplicates, to a subscriber that reconnects with after", async () => {
    const filter = { specialty: "ORTHOPAEDICS", regionCodes: ["13"] };
    const QUERY = `subscription($filter: FreeCapacityFilter, $after: ID) { offerPublished(filter: $filter, after: $after) { id event { id } } }`;
    const first = live(QUERY, { filter, after: await cursor() });
    const published: string[] = [];
    // The publisher keeps going while the subscriber crashes and comes back.
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        published.push((await publishOne(KATTEGATT_UNIT, "NFB49")).id);
        await publishOne(SOS_EYES, "CJE20"); // never matches
      }
    })();
    await first.waitFor(3);
    first.kill();
    const seen = first.results.map((r) => r.data.offerPublished);
    const lastEventId = seen[seen.length - 1].event.id;
    // Events pile up while it is away.
    const atCrash = published.length;
    await waitFor(() => published.length >= atCrash + 3, "three offers published while the subscriber is away");
    const second = live(QUERY, { filter, after: lastEventId });
    await second.waitFor(5);
    // It caught up with everything published so far, and then went on live for two more.
    const caughtUp = published.length;
    await second.waitFor(caughtUp - seen.length + 2);
    publishing = false;
    await publisher;
    const total = published.length;
    const received = [...seen, ...(await second.waitFor(total - seen.length)).map((r) => r.data.offerPublished)];
    expect(received.map((o) => o.id)).toEqual(published);
    expect(new Set(received.map((o) => o.event.id)).size).toBe(total);
    const eventIds = received.map((o) => Number(o.event.id));
    expect([...eventIds].sort((a, b) => a - b)).toEqual(eventIds);
  });

  it("delivers every event through two hub processes on one database, whichever took the change", async () => {
    // A second, separate process (gateway and subgraphs) on the same database, as a second
    // node of a deployment would be.
    const ports = await hubProcessPorts();
    const process2 = run({ ...ports, DATABASE_URL: hub.databaseUrl, HUB_SEED: "none" });
    const otherUrl = `http://127.0.0.1:${ports.PORT}/graphql`;
    const bearer = await adminToken();
    const other = { query: (query: string, variables?: Record<string, unknown>) => postGraphQL(otherUrl, query, variables, bearer) };
    try {
      await ready(process2);
      // A provider no other test here publishes for, so that only this test's offers match.
      const query = `subscription($after: ID, $provider: ID!) { offerPublished(filter: { providerIds: [$provider] }, after: $after) { id provider { name } } }`;
      const variables = { after: await cursor(), provider: providerId("private-oresund-ortopedcenter") };
      const here = live(query, variables);
      const there = live(query, variables, otherUrl);
      const published: string[] = [];
      for (let i = 0; i < 5; i++)
        published.push((await publishOne(careUnitId("oresund-ortopedi"), "NFB49", 1, i % 2 === 0 ? other : hub)).id);
      const [a, b] = await Promise.all([here.waitFor(5), there.waitFor(5)]);
      expect(a.map((r) => r.data.offerPublished.id)).toEqual(published);
      expect(b.map((r) => r.data.offerPublished.id)).toEqual(published);
      expect(b[0].data.offerPublished.provider.name).toBe("Öresund Ortopedcenter AB");
    } finally {
      await Promise.all(open.splice(0).map((s) => s.close()));
      process2.child.kill("SIGINT");
      await process2.exited;
    }
  });

  it("closes the upstream subscription of a client whose connection is gone", async () => {
    const before = await upstreamCount();
    const crashing = live(PUBLISHED, { after: await cursor() });
    await publishOne(KATTEGATT_UNIT, "NFB49");
    await crashing.waitFor(1);
    expect(await upstreamCount()).toBe(before + 1);
    crashing.kill();
    await waitFor(async () => (await upstreamCount()) === before, "the upstream subscription to close");
    expect(await upstreamCount()).toBe(before);
  });

  it("shares one upstream stream among identical live subscriptions, until the last one leaves", async () => {
    const before = await upstreamCount();
    const query = `subscription { offerPublished(filter: { providerKind: PRIVATE, specialty: ORTHOPAEDICS }) { id coverage(homeRegionCode: "13") { pricePerCaseSek } } }`;
    const a = live(query);
    const b = live(query);
    // Live subscriptions start "from now": publish until one of the offers has reached both.
    const probes: string[] = [];
    const reachedBoth = (id: string) => [a, b].every((s) => s.results.some((r) => r.data.offerPublished.id === id));
    await waitFor(async () => {
      probes.push((await publishOne(KATTEGATT_UNIT, "NFB49")).id);
      return probes.some(reachedBoth);
    }, "an offer that reached both subscribers");
    expect(await upstreamCount()).toBe(before + 1);
    const next = await publishOne(KATTEGATT_UNIT, "NFB49");
    for (const s of [a, b]) {
      await s.waitUntil((results) => results.some((r) => r.data.offerPublished.id === next.id));
      const got = s.results.find((r) => r.data.offerPublished.id === next.id)!;
      expect(got.data.offerPublished.coverage.pricePerCaseSek).toBe(79_900);
    }
    a.kill();
    const after = await publishOne(KATTEGATT_UNIT, "NFB49");
    await b.waitUntil((results) => results.some((r) => r.data.offerPublished.id === after.id));
    expect(b.results.map((r) => r.data.offerPublished.id)).toContain(after.id);
    expect(await upstreamCount()).toBe(before + 1);
    await b.close();
    await waitFor(async () => (await upstreamCount()) === before, "the shared upstream subscription to close");
    expect(await upstreamCount()).toBe(before);
  });
});
