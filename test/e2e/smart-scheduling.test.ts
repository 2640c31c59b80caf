import fs from "node:fs";
import http from "node:http";
import { AddressInfo } from "node:net";
import path from "node:path";
import { Client } from "pg";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * SMART Scheduling Links in: publishers served by a local HTTP server (loopback; the outbound
 * guard refuses anything else) from the fixture files in test/fixtures/smart-scheduling, one set
 * with the smarthealthit.org extensions and one with the hl7.org ones. The hub polls through the
 * administrator's "poll now" (the once-a-minute rule is moved along by dating the last attempt back).
 */
let hub: TestHub;
let db: Client;
let server: http.Server;
let origin: string;
const today = stockholmDate();
const FIXTURES = path.join(__dirname, "..", "fixtures", "smart-scheduling");

/** What the fake publisher serves: per base path, its files (by name) and behaviour. */
interface Feed {
  files: Record<string, string>;
  etag: string;
  supportsSince: boolean;
  sinceFiles?: Record<string, string>;
  failWith?: number;
  manifestBody?: string;
  foreignFileUrl?: boolean;
  requests: Array<{ url: string; ifNoneMatch?: string }>;
}
const feeds: Record<string, Feed> = {};

function fixture(set: string, file: string): string {
  return fs.readFileSync(path.join(FIXTURES, set, file), "utf8").replace(/\{\{D\+(\d+)\}\}/g, (_m, days) => addDays(today, Number(days)));
}

function feed(base: string, set: string, options: Partial<Feed> = {}): Feed {
  feeds[base] = {
    files: {
      "Location.ndjson": fixture(set, "locations.ndjson"),
      "Schedule.ndjson": fixture(set, "schedules.ndjson"),
      "Slot.ndjson": fixture(set, "slots.ndjson"),
    },
    etag: `"v1"`,
    supportsSince: false,
    requests: [],
    ...options,
  };
  return feeds[base];
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, base, name] = url.pathname.split("/");
    const current = feeds[base];
    if (!current) return void res.writeHead(404).end();
    current.requests.push({ url: req.url ?? "", ifNoneMatch: req.headers["if-none-match"] as string | undefined });
    if (name === "$bulk-publish") {
      if (current.failWith) return void res.writeHead(current.failWith).end("down");
      if (req.headers["if-none-match"] === current.etag) return void res.writeHead(304, { etag: current.etag }).end();
      const since = url.searchParams.get("_since");
      const incremental = since !== null && current.supportsSince && current.sinceFiles;
      const files = incremental ? current.sinceFiles! : current.files;
      const body =
        current.manifestBody ??
        JSON.stringify({
          transactionTime: new Date().toISOString(),
          request: incremental ? `${origin}/${base}/$bulk-publish?_since=${since}` : `${origin}/${base}/$bulk-publish`,
          output: Object.keys(files).map((file) => ({
            type: file.replace(".ndjson", ""),
            url:
              current.foreignFileUrl && file === "Slot.ndjson"
                ? `http://198.51.100.7/${file}`
                : `${origin}/${base}/${incremental ? "since-" : ""}${file}`,
          })),
          error: [],
        });
      return void res.writeHead(200, { "content-type": "application/json", etag: current.etag, "cache-control": "max-age=300" }).end(body);
    }
    const file = name.startsWith("since-") ? current.sinceFiles?.[name.slice(6)] : current.files[name];
    if (file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/fhir+ndjson" }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub = await startTestHub();
  db = new Client({ connectionString: hub.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await hub?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

const REGISTER = `mutation($input: RegisterSchedulingPublisherInput!) { registerSchedulingPublisher(input: $input) { id status { lastOutcome } } }`;
const POLL = `mutation($id: ID!) { pollSchedulingPublisher(publisherId: $id) {
  status { lastOutcome fetchedAt transactionTime nextPollAt supportsSince problems { file line reason } } } }`;
const OFFERS = `query($p: [ID!], $code: String) { freeCapacity(filter: { providerIds: $p, procedureCode: $code }, first: 100) { edges { node {
  id slotTimes availableSlots totalSlots source status provenance { publisherName manifestUrl scheduleId transactionTime fetchedAt } } } } }`;

async function ok(query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await hub.query(query, variables);
  expect(errors).toBeUndefined();
  return data;
}

async function register(base: string, provider: string, unit: string, kva: string): Promise<string> {
  const data = await ok(REGISTER, {
    input: {
      providerId: providerId(provider),
      name: `Booking system ${base}`,
      manifestUrl: `${origin}/${base}/$bulk-publish`,
      locations: [{ locationId: "loc-halmstad", careUnitId: careUnitId(unit) }],
      serviceTypes: [
        {
          system: "urn:oid:1.2.752.116.1.3.2.1.4",
          code: kva,
          specialty: kva === "CJE20" ? "OPHTHALMOLOGY" : "ORTHOPAEDICS",
          procedureCode: kva,
        },
      ],
    },
  });
  return data.registerSchedulingPublisher.id;
}

/** Polls now, after dating the last attempt back past the once-a-minute rule (time passing). */
async function poll(id: string) {
  await db.query(`UPDATE capacity.scheduling_publisher SET last_attempt_at = last_attempt_at - interval '2 minutes' WHERE id = $1`, [id]);
  return (await ok(POLL, { id })).pollSchedulingPublisher.status;
}

async function feedOffers(provider: string, code: string) {
  const data = await ok(OFFERS, { p: [providerId(provider)], code });
  return data.freeCapacity.edges.map((e: any) => e.node).filter((o: any) => o.source === "SCHEDULING_FEED");
}

const at = (days: number, time: string) => new Date(`${addDays(today, days)}T${time}Z`).toISOString();

describe("SMART Scheduling Links publishers", () => {
  it("turns free slots into an offer with slot times and provenance, and reports every bad line with its reason", async () => {
    const current = feed("sh", "smarthealthit");
    const id = await register("sh", "private-kattegatt-ortopedi", "kattegatt-ortopedi", "NGB49");
    const status = await poll(id);
    expect(status.lastOutcome).toBe("APPLIED_WITH_PROBLEMS");
    const [offer] = await feedOffers("private-kattegatt-ortopedi", "NGB49");
    expect(offer.slotTimes).toEqual([at(3, "08:00:00"), at(3, "10:00:00"), at(4, "08:00:00")]);
    expect(offer.provenance).toMatchObject({
      publisherName: "Booking system sh",
      manifestUrl: `${origin}/sh/$bulk-publish`,
      scheduleId: "knee",
    });
    expect(offer.provenance.fetchedAt).toEqual(status.fetchedAt);
    const reasons = status.problems.map((p: any) => [p.line, p.reason]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        [2, expect.stringContaining("Schedule physio: no mapping for its serviceType")],
        [6, expect.stringContaining("unknown Schedule unknown")],
        [7, expect.stringContaining("is not an instant")],
        [8, expect.stringContaining("not a JSON object")],
        [9, expect.stringContaining('status "maybe"')],
      ]),
    );
    expect(status.problems.every((p: any) => p.file.startsWith(origin))).toBe(true);
    // Cache-Control max-age=300 decides the next poll.
    expect(new Date(status.nextPollAt).getTime() - new Date(status.fetchedAt).getTime()).toBe(300_000);

    // Within the minute: refused, and the publisher is not asked.
    const asked = current.requests.length;
    const again = await hub.query(POLL, { id });
    expect(again.errors?.[0].extensions?.code).toBe("CONFLICT");
    expect(current.requests.length).toBe(asked);

    // Unchanged (ETag): 304, nothing changes.
    const unchanged = await poll(id);
    expect(unchanged.lastOutcome).toBe("NOT_MODIFIED");
    expect(current.requests.at(-1)?.ifNoneMatch).toBe(`"v1"`);
    expect((await feedOffers("private-kattegatt-ortopedi", "NGB49"))[0].slotTimes).toHaveLength(3);
  });

  it("takes a slot booked elsewhere or gone out of the offer, and never gives back a reserved one", async () => {
    const current = feed("sh2", "smarthealthit");
    current.files["Schedule.ndjson"] = current.files["Schedule.ndjson"].split("\n")[0];
    current.files["Slot.ndjson"] = current.files["Slot.ndjson"]
      .split("\n")
      .slice(0, 4)
      .join("\n")
      .replace(/"id":"k/g, '"id":"m');
    const publisherId = await register("sh2", "private-kattegatt-ortopedi", "kattegatt-ortopedi", "NGB49");
    await poll(publisherId);
    const offersBefore = await feedOffers("private-kattegatt-ortopedi", "NGB49");
    const mine = offersBefore.find((o: any) => o.provenance.manifestUrl.includes("/sh2/"));
    expect(mine.slotTimes).toHaveLength(3);

    // One booked elsewhere (busy), one gone: two fewer times.
    current.files["Slot.ndjson"] = current.files["Slot.ndjson"]
      .split("\n")
      .filter((l) => !l.includes('"id":"m3"'))
      .join("\n")
      .replace(
        '"id":"m2","schedule":{"reference":"Schedule/knee"},"status":"free"',
        '"id":"m2","schedule":{"reference":"Schedule/knee"},"status":"busy"',
      );
    current.etag = `"v2"`;
    await poll(publisherId);
    let offer = (await ok(`query($id: ID!) { capacityOffer(id: $id) { slotTimes availableSlots status } }`, { id: mine.id })).capacityOffer;
    expect(offer).toEqual({ slotTimes: [at(3, "08:00:00")], availableSlots: 1, status: "OPEN" });

    // Reserved through the hub, then the feed lists nothing free: the reserved time stays held.
    const reserved = await hub.query(`mutation($id: ID!) { reserveCapacity(offerId: $id, slots: 1, referenceId: "smart-test") { id } }`, {
      id: mine.id,
    });
    expect(reserved.errors).toBeUndefined();
    current.files["Slot.ndjson"] = current.files["Slot.ndjson"].replace(/"status":"free"/g, '"status":"busy"');
    current.etag = `"v3"`;
    await poll(publisherId);
    offer = (
      await ok(`query($id: ID!) { capacityOffer(id: $id) { slotTimes availableSlots totalSlots status reservations { slots } } }`, {
        id: mine.id,
      })
    ).capacityOffer;
    expect(offer).toMatchObject({
      slotTimes: [at(3, "08:00:00")],
      availableSlots: 0,
      totalSlots: 1,
      status: "OPEN",
      reservations: [{ slots: 1 }],
    });
  });

  it("reads the hl7.org extension base, asks `_since` and applies an incremental answer without dropping the rest", async () => {
    const current = feed("hl7", "hl7", { supportsSince: true });
    current.sinceFiles = { "Slot.ndjson": fixture("hl7", "slots-since.ndjson") };
    const id = await register("hl7", "private-vastkustens-ogon", "vastkustens-ogon", "CJE20");
    const first = await poll(id);
    expect(first.lastOutcome).toBe("OK");
    const [offer] = await feedOffers("private-vastkustens-ogon", "CJE20");
    expect(offer.slotTimes).toEqual([at(6, "07:00:00"), at(7, "07:00:00")]);
    current.etag = `"v2"`;
    const second = await poll(id);
    expect(current.requests.filter((r) => r.url.includes("$bulk-publish")).at(-1)?.url).toContain("_since=");
    expect(second.supportsSince).toBe(true);
    const after = (await ok(`query($id: ID!) { capacityOffer(id: $id) { slotTimes } }`, { id: offer.id })).capacityOffer;
    // c1 became busy-unavailable, c4 is new, c3 was not in the answer and stays.
    expect(after.slotTimes).toEqual([at(7, "07:00:00"), at(8, "07:00:00")]);
  });

  it("reports a failing publisher, a manifest that is not JSON and files elsewhere, and keeps serving the offers", async () => {
    const current = feed("bad", "smarthealthit");
    const id = await register("bad", "private-kattegatt-ortopedi", "kattegatt-ortopedi", "NGB49");
    current.failWith = 500;
    const failed = await poll(id);
    expect(failed).toMatchObject({ lastOutcome: "FAILED", problems: [{ line: null, reason: "the manifest answered HTTP 500" }] });
    current.failWith = undefined;
    current.manifestBody = "<html>not json</html>";
    expect((await poll(id)).problems[0].reason).toBe("the manifest is not JSON");
    current.manifestBody = JSON.stringify({ transactionTime: new Date().toISOString(), output: [], padding: "x".repeat(1_100_000) });
    expect((await poll(id)).problems[0].reason).toBe("the manifest is larger than 1000000 bytes");
    current.manifestBody = undefined;
    current.foreignFileUrl = true;
    const foreign = await poll(id);
    expect(foreign.problems.map((p: any) => p.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining("is not on the manifest's origin")]),
    );
    const health = await fetch(hub.url.replace(/graphql$/, "health"));
    expect(health.status).toBe(200);
  });

  it("is for administrators; a bad registration names the field and rule", async () => {
    const provider = await hub.queryAs(
      await token(Role.PROVIDER, providerId("private-kattegatt-ortopedi")),
      `{ schedulingPublishers { id } }`,
    );
    expect(provider.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const bad = await hub.query(REGISTER, {
      input: {
        providerId: providerId("private-kattegatt-ortopedi"),
        name: "x",
        manifestUrl: "ftp://example.org/manifest",
        locations: [{ locationId: "a", careUnitId: careUnitId("kattegatt-ortopedi") }],
        serviceTypes: [{ system: "s", code: "c", specialty: "ORTHOPAEDICS" }],
      },
    });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.manifestUrl", rule: "URL_SCHEME" });
    const otherUnit = await hub.query(REGISTER, {
      input: {
        providerId: providerId("private-kattegatt-ortopedi"),
        name: "x",
        manifestUrl: `${origin}/other/$bulk-publish`,
        locations: [{ locationId: "a", careUnitId: careUnitId("halmstad-ortopedi") }],
        serviceTypes: [{ system: "s", code: "c", specialty: "ORTHOPAEDICS" }],
      },
    });
    expect(otherUnit.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.locations[0].careUnitId",
      rule: "OTHER_PROVIDER",
    });
  });
});
