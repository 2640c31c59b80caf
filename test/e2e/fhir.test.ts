import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { careUnitId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";
import { expectValidFhir, fhirProblems } from "../support/fhir-validator";

/**
 * The FHIR R4 API on the gateway: capacity as SMART Scheduling Links' Location, Schedule and Slot
 * (search and $bulk-publish), referrals as ServiceRequest and Task. Every resource it emits is
 * checked with a FHIR R4 validator; access follows the GraphQL API's rules, audit included.
 */
let hub: TestHub;
let base: string;
let db: Client;
beforeAll(async () => {
  hub = await startTestHub();
  base = hub.url.replace(/\/graphql$/, "/fhir");
  db = new Client({ connectionString: hub.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await hub?.stop();
});

const today = stockholmDate();
const KATTEGATT_UNIT = careUnitId("kattegatt-ortopedi");

async function get(path: string, bearer?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers } });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text, json: () => JSON.parse(text) };
}
const admin = () => token(Role.ADMINISTRATOR);

async function publishTimes(times: string[], procedureCode = "NGB49") {
  const { data, errors } = await hub.query(`mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`, {
    input: {
      reportedBy: "FHIR test",
      offers: [
        {
          careUnitId: KATTEGATT_UNIT,
          procedureCode,
          slotTimes: times,
          validFrom: today,
          validUntil: addDays(today, 30),
          expectedWaitDays: 10,
        },
      ],
    },
  });
  expect(errors).toBeUndefined();
  return data.publishCapacity.offers[0].id as string;
}

describe("capacity in FHIR", () => {
  it("needs a token: capacity is never public", async () => {
    for (const path of ["/Slot", "/Schedule", "/Location", "/$bulk-publish", "/$bulk-publish/Slot.ndjson"]) {
      const answer = await get(path);
      expect(answer.status).toBe(401);
      expect(answer.json()).toMatchObject({ resourceType: "OperationOutcome", issue: [{ severity: "error", code: "login" }] });
      expect(fhirProblems(answer.json())).toEqual([]);
    }
    expect((await get("/Slot", "not-a-jwt")).status).toBe(401);
  });

  it("serves valid Location, Schedule and Slot bundles, for a peer region as for an administrator", async () => {
    for (const bearer of [await admin(), await token(Role.PEER_REGION, "12")]) {
      for (const type of ["Location", "Schedule", "Slot"]) {
        const answer = await get(`/${type}`, bearer);
        expect(answer.status).toBe(200);
        expect(answer.type).toContain("application/fhir+json");
        const bundle = answer.json();
        expect(bundle).toMatchObject({ resourceType: "Bundle", type: "searchset" });
        expect(bundle.entry.length).toBeGreaterThan(0);
        expectValidFhir([bundle, ...bundle.entry.map((e: any) => e.resource)]);
        expect(bundle.entry.every((e: any) => e.resource.resourceType === type)).toBe(true);
      }
    }
  });

  it("gives one Slot per published time with its times, and a Schedule with specialty and KVÅ", async () => {
    const times = [`${addDays(today, 3)}T08:00:00Z`, `${addDays(today, 3)}T09:00:00Z`, `${addDays(today, 4)}T08:00:00Z`];
    const offerId = await publishTimes(times);
    const slots = (await get(`/Slot?service-type=urn:oid:1.2.752.116.1.3.2.1.4|NGB49`, await admin())).json();
    const mine = slots.entry.map((e: any) => e.resource).filter((s: any) => s.schedule.reference === `Schedule/${offerId}`);
    expect(mine.map((s: any) => [s.start, s.status])).toEqual(times.map((t) => [new Date(t).toISOString(), "free"]));
    expect(new Date(mine[0].end).getTime() - new Date(mine[0].start).getTime()).toBe(30 * 60_000);
    const schedules = (await get(`/Schedule?specialty=ORTHOPAEDICS&service-type=NGB49`, await admin())).json();
    const schedule = schedules.entry.map((e: any) => e.resource).find((s: any) => s.id === offerId);
    expect(schedule.actor).toEqual([{ reference: `Location/${KATTEGATT_UNIT}` }]);
    expect(schedule.serviceType[0].coding).toEqual([
      expect.objectContaining({ system: "urn:care-brokering-hub:specialty", code: "ORTHOPAEDICS" }),
      expect.objectContaining({ system: "urn:oid:1.2.752.116.1.3.2.1.4", code: "NGB49" }),
    ]);
    const locations = (await get(`/Location?specialty=ORTHOPAEDICS`, await admin())).json();
    const location = locations.entry.map((e: any) => e.resource).find((l: any) => l.id === KATTEGATT_UNIT);
    expect(location.identifier[0].system).toBe("urn:oid:1.2.752.129.2.1.4.1");
    expectValidFhir([...mine, schedule, location]);
  });

  it("searches slots by start range and status, and shows reserved ones as busy", async () => {
    const day = addDays(today, 6);
    const times = [`${day}T07:00:00Z`, `${day}T08:00:00Z`, `${addDays(day, 1)}T07:00:00Z`];
    const offerId = await publishTimes(times, "NGD01");
    const reserve = await hub.query(`mutation($id: ID!) { reserveCapacity(offerId: $id, slots: 1, referenceId: "fhir-test") { id } }`, {
      id: offerId,
    });
    expect(reserve.errors).toBeUndefined();
    const ofOffer = async (query: string) =>
      (await get(`/Slot?${query}`, await admin()))
        .json()
        .entry.map((e: any) => e.resource)
        .filter((s: any) => s.schedule.reference === `Schedule/${offerId}`)
        .map((s: any) => [s.start, s.status]);
    const iso = (t: string) => new Date(t).toISOString();
    expect(await ofOffer("")).toEqual([
      [iso(times[0]), "busy"],
      [iso(times[1]), "free"],
      [iso(times[2]), "free"],
    ]);
    expect(await ofOffer("status=free")).toEqual([
      [iso(times[1]), "free"],
      [iso(times[2]), "free"],
    ]);
    expect(await ofOffer(`start=${day}`)).toHaveLength(2);
    expect(await ofOffer(`start=gt${encodeURIComponent(iso(times[0]))}&start=lt${addDays(day, 1)}`)).toEqual([[iso(times[1]), "free"]]);
    expect(await ofOffer(`start=ge${addDays(day, 1)}`)).toEqual([[iso(times[2]), "free"]]);
  });

  it("shows count offers as one Slot over the window with the slot-capacity extension", async () => {
    const slots = (await get(`/Slot?service-type=NFB49`, await admin())).json().entry.map((e: any) => e.resource);
    const windowSlot = slots.find((s: any) => s.id.endsWith("-w"));
    expect(windowSlot.extension).toEqual([
      { url: "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity", valueInteger: expect.any(Number) },
    ]);
  });

  it.each([
    ["/Slot?start=tomorrow", "start"],
    ["/Slot?status=booked", "status"],
    ["/Slot?colour=red", "colour"],
    ["/Slot?service-type=http://snomed.info/sct|123", "service-type"],
    ["/Schedule?specialty=not a code", "specialty"],
  ])("refuses %s with a 400 OperationOutcome naming the parameter", async (path, parameter) => {
    const answer = await get(path, await admin());
    expect(answer.status).toBe(400);
    expect(answer.json().issue[0]).toMatchObject({ severity: "error", expression: [parameter] });
    expect(fhirProblems(answer.json())).toEqual([]);
  });

  it("serves the node's own $bulk-publish manifest and NDJSON files of valid resources", async () => {
    const bearer = await token(Role.PEER_REGION, "14");
    const manifest = (await get("/$bulk-publish", bearer)).json();
    expect(manifest).toMatchObject({ transactionTime: expect.any(String), request: `${base}/$bulk-publish`, error: [] });
    expect(manifest.output.map((o: any) => o.type)).toEqual(["Location", "Schedule", "Slot"]);
    const all: any[] = [];
    for (const { type, url } of manifest.output) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/fhir+ndjson");
      const lines = (await response.text())
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((r) => r.resourceType === type)).toBe(true);
      all.push(...lines);
    }
    expectValidFhir(all);
    // Every Schedule's actor is a Location of the file, every Slot's schedule a Schedule of it.
    const ids = new Set(all.map((r) => `${r.resourceType}/${r.id}`));
    for (const r of all) {
      if (r.resourceType === "Schedule") expect(ids.has(r.actor[0].reference)).toBe(true);
      if (r.resourceType === "Slot") expect(ids.has(r.schedule.reference)).toBe(true);
    }
    expect((await get("/$bulk-publish/Patient.ndjson", bearer)).status).toBe(404);
  });
});

describe("referrals in FHIR", () => {
  const office13 = () => token(Role.REGIONAL_OFFICE, "13");
  async function hallandReferral(): Promise<{ id: string; patient: { personalIdentityNumber: string } }> {
    const { data, errors } = await hub.queryAs(
      await office13(),
      `{ referrals(first: 1) { edges { node { id patient { personalIdentityNumber } } } } }`,
    );
    expect(errors).toBeUndefined();
    return data.referrals.edges[0].node;
  }

  it("serves a referral as a valid ServiceRequest and Task to its home office, with the national OIDs, and audits the read", async () => {
    const referral = await hallandReferral();
    const requestId = `fhir-${randomUUID()}`;
    const request = await get(`/ServiceRequest/${referral.id}`, await office13(), { "x-request-id": requestId });
    expect(request.status).toBe(200);
    const serviceRequest = request.json();
    expect(serviceRequest).toMatchObject({ resourceType: "ServiceRequest", id: referral.id, intent: "order" });
    expect(serviceRequest.subject.identifier).toEqual({
      system: "urn:oid:1.2.752.129.2.1.3.1",
      value: referral.patient.personalIdentityNumber.replace("-", ""),
    });
    const task = (await get(`/Task/${referral.id}`, await office13())).json();
    expect(task).toMatchObject({ resourceType: "Task", focus: { reference: `ServiceRequest/${referral.id}` }, intent: "order" });
    expectValidFhir([serviceRequest, task]);
    const { rows } = await db.query(`SELECT record_kind, outcome, subgraph FROM audit.patient_data_access WHERE request_id = $1`, [
      requestId,
    ]);
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ outcome: "ALLOWED" })]));
  });

  it("answers 404 to roles that may not see the referral, as GraphQL answers null", async () => {
    const referral = await hallandReferral();
    for (const bearer of [await token(Role.PEER_REGION, "13"), await token(Role.REGIONAL_OFFICE, "14")]) {
      for (const type of ["ServiceRequest", "Task"]) {
        const answer = await get(`/${type}/${referral.id}`, bearer);
        expect(answer.status).toBe(404);
        expect(answer.text).not.toContain(referral.patient.personalIdentityNumber.replace("-", ""));
        expect(fhirProblems(answer.json())).toEqual([]);
      }
    }
    expect((await get(`/ServiceRequest/${randomUUID()}`, await office13())).status).toBe(404);
    expect((await get(`/ServiceRequest/${referral.id}`)).status).toBe(401);
  });
});
