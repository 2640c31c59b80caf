import { Client } from "pg";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { startTestHub, TestHub } from "../support/hub";
import { hsaIdOf, organisationNumber, PROVIDER_CSV_HEADER, runImport } from "../support/imports";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { token } from "../support/tokens";
import { waitFor } from "../support/wait";

/**
 * Providers and care units from the region's HSA catalogue, and KVÅ from Socialstyrelsen's list:
 * imported with `npm run import` (checked row by row, all or nothing, idempotent by HSA-id or code)
 * or changed by an administrator's mutation; every change is an event that the gateway's response
 * cache and subscribers hear.
 */
let hub: TestHub;
const open: TestSubscription[] = [];
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await hub?.stop();
});

const today = stockholmDate();
const ORG = "556677889";
const PROVIDER_HSA = hsaIdOf(ORG, "1");
const UNIT_A = hsaIdOf(ORG, "ORT1");
const UNIT_B = hsaIdOf(ORG, "OGON1");

const csv = (rows: string[]) => `${[PROVIDER_CSV_HEADER, ...rows].join("\n")}\n`;
// In Västerbotten, where the demo data has no providers: a full import is the whole of its regions.
const row = (providerName: string, unitHsa: string, unitName: string, specialty: string, municipality = "2480") =>
  `${PROVIDER_HSA},${organisationNumber(ORG)},${providerName},PRIVATE,24,${municipality},${unitHsa},"${unitName}",${specialty}`;

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const client = new Client({ connectionString: hub.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(sql, params);
    return Number(rows[0].count);
  } finally {
    await client.end();
  }
}

const UNIT_BY_HSA = `query($id: ID!) { provider(id: $id) { hsaId organisationNumber name active careUnits { id hsaId name specialty active deactivationReason } } }`;

async function providerByHsa(hsaId: string) {
  const { data } = await hub.query(`{ providers(regionCode: "24") { id hsaId } }`);
  const found = data.providers.find((p: any) => p.hsaId === hsaId);
  if (!found) return null;
  return (await hub.query(UNIT_BY_HSA, { id: found.id })).data.provider;
}

async function publishAt(careUnitId: string, procedureCode: string | null) {
  return hub.query(`mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id status } } }`, {
    input: {
      reportedBy: "Booking system (catalogue test)",
      offers: [
        {
          careUnitId,
          procedureCode,
          visitType: procedureCode ? null : "FIRST_VISIT",
          slots: 2,
          validFrom: today,
          validUntil: addDays(today, 30),
          expectedWaitDays: 10,
        },
      ],
    },
  });
}

describe("importing providers and care units", () => {
  it("imports a CSV file, changes nothing on the same file again, and updates a changed name", async () => {
    const first = await runImport(
      hub.databaseUrl,
      "providers",
      "hsa.csv",
      csv([
        row("Kustkliniken AB", UNIT_A, "Ortopedi, Kustkliniken", "ORTHOPAEDICS"),
        row("Kustkliniken AB", UNIT_B, "Ögon, Kustkliniken", "OPHTHALMOLOGY"),
      ]),
    );
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/providers: 1 created.*care units: 2 created/s);
    const provider = await providerByHsa(PROVIDER_HSA);
    expect(provider).toMatchObject({ organisationNumber: organisationNumber(ORG), name: "Kustkliniken AB", active: true });
    expect(provider.careUnits.map((u: any) => [u.hsaId, u.specialty, u.active]).sort()).toEqual([
      [UNIT_B, "OPHTHALMOLOGY", true],
      [UNIT_A, "ORTHOPAEDICS", true],
    ]);

    const events = await count("SELECT count(*) FROM capacity.event_outbox");
    const again = await runImport(
      hub.databaseUrl,
      "providers",
      "hsa.csv",
      csv([
        row("Kustkliniken AB", UNIT_A, "Ortopedi, Kustkliniken", "ORTHOPAEDICS"),
        row("Kustkliniken AB", UNIT_B, "Ögon, Kustkliniken", "OPHTHALMOLOGY"),
      ]),
    );
    expect(again.stdout).toMatch(/providers: 0 created, 0 updated.*care units: 0 created, 0 updated.*events: 0/s);
    expect(await count("SELECT count(*) FROM capacity.event_outbox")).toBe(events);

    const renamed = await runImport(
      hub.databaseUrl,
      "providers",
      "hsa.json",
      JSON.stringify(
        {
          providers: [
            {
              hsaId: PROVIDER_HSA,
              organisationNumber: organisationNumber(ORG),
              name: "Kustkliniken Halmstad AB",
              kind: "PRIVATE",
              regionCode: "24",
              municipalityCode: "2480",
              units: [{ hsaId: UNIT_A, name: "Ortopedi, Kustkliniken", specialty: "ORTHOPAEDICS" }],
            },
          ],
        },
        null,
        2,
      ),
    );
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toMatch(/providers: 0 created, 1 updated.*care units: 0 created, 0 updated, 0 deactivated/s);
    expect((await providerByHsa(PROVIDER_HSA)).name).toBe("Kustkliniken Halmstad AB");
  });

  it("deactivates a unit a full import no longer lists and withdraws its open offers with that reason", async () => {
    const provider = await providerByHsa(PROVIDER_HSA);
    const eyeUnit = provider.careUnits.find((u: any) => u.hsaId === UNIT_B);
    const published = await publishAt(eyeUnit.id, null);
    expect(published.errors).toBeUndefined();
    const offerId = published.data.publishCapacity.offers[0].id;

    const full = await runImport(
      hub.databaseUrl,
      "providers",
      "hsa.csv",
      csv([row("Kustkliniken Halmstad AB", UNIT_A, "Ortopedi, Kustkliniken", "ORTHOPAEDICS")]),
      ["--full"],
    );
    expect(full.stderr).toBe("");
    expect(full.stdout).toMatch(/care units: 0 created, 0 updated, 1 deactivated; offers withdrawn: 1/);
    const after = await providerByHsa(PROVIDER_HSA);
    const eye = after.careUnits.find((u: any) => u.hsaId === UNIT_B);
    expect(eye).toMatchObject({ active: false, deactivationReason: expect.stringMatching(/^Not in the HSA catalogue import of/) });
    expect(after.careUnits.find((u: any) => u.hsaId === UNIT_A).active).toBe(true);
    const { data } = await hub.query(`query($id: ID!) { capacityOffer(id: $id) { status withdrawalReason } }`, { id: offerId });
    expect(data.capacityOffer).toEqual({
      status: "WITHDRAWN",
      withdrawalReason: expect.stringMatching(/^Care unit deactivated: Not in the HSA catalogue import/),
    });
    // Nothing is deleted; and other regions' providers are not touched by Västerbotten's file.
    expect(await count("SELECT count(*) FROM capacity.care_unit WHERE hsa_id = $1", [UNIT_B])).toBe(1);
    expect(
      await count(
        "SELECT count(*) FROM capacity.care_unit u JOIN capacity.provider p ON p.id = u.provider_id WHERE p.region_code <> '24' AND NOT u.active",
      ),
    ).toBe(0);

    const refused = await publishAt(eye.id, null);
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.offers[0].careUnitId",
      rule: "CARE_UNIT_INACTIVE",
    });
  });

  it("refuses a file with bad rows line by line, writing nothing", async () => {
    const providers = await count("SELECT count(*) FROM capacity.provider");
    const units = await count("SELECT count(*) FROM capacity.care_unit");
    const bad = await runImport(
      hub.databaseUrl,
      "providers",
      "bad.csv",
      csv([
        `${hsaIdOf("556000001", "A")},${organisationNumber("556000001")},Bra AB,PRIVATE,13,1380,${hsaIdOf("556000001", "U1")},Enhet,ORTHOPAEDICS`,
        `SE556000001-A,${organisationNumber("556000002")},Fel AB,PRIVATE,13,1380,,,`,
        `${hsaIdOf("556000003", "A")},556000-0030,Kontrollsiffra AB,PRIVATE,13,1380,,,`,
        `${hsaIdOf("556000004", "A")},${organisationNumber("556000004")},Kommun AB,PRIVATE,13,1480,,,`,
        `${hsaIdOf("556000005", "A")},${organisationNumber("556000005")},Okänd kommun AB,PRIVATE,13,1399,,,`,
        `${hsaIdOf("556000006", "A")},${organisationNumber("556000006")},Specialitet AB,PUBLIC,13,1380,${hsaIdOf("556000006", "U1")},Enhet,DERMATOLOGY`,
      ]),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("refused, nothing was written");
    expect(bad.stderr).toContain("line 3: hsaId:");
    expect(bad.stderr).toContain("(HSA_ID_FORMAT)");
    expect(bad.stderr).toContain("line 4: organisationNumber:");
    expect(bad.stderr).toContain("(ORGANISATION_NUMBER_CHECK_DIGIT)");
    expect(bad.stderr).toContain("line 5: municipalityCode: municipality 1480 is not in region 13 (MUNICIPALITY_NOT_IN_REGION)");
    expect(bad.stderr).toContain("line 6: municipalityCode:");
    expect(bad.stderr).toContain("(MUNICIPALITY_UNKNOWN)");
    expect(bad.stderr).toContain("line 7: units.specialty:");
    expect(bad.stderr).not.toContain("line 2:");
    expect(await count("SELECT count(*) FROM capacity.provider")).toBe(providers);
    expect(await count("SELECT count(*) FROM capacity.care_unit")).toBe(units);

    const json = await runImport(
      hub.databaseUrl,
      "providers",
      "bad.json",
      `{\n  "providers": [\n    {\n      "hsaId": "${hsaIdOf("556000007", "A")}",\n      "organisationNumber": "${organisationNumber("556000007")}",\n      "name": "Json AB", "kind": "PRIVATE", "regionCode": "13", "municipalityCode": "1380",\n      "units": [\n        { "hsaId": "nope", "name": "Enhet", "specialty": "UROLOGY" }\n      ]\n    }\n  ]\n}\n`,
    );
    expect(json.code).toBe(1);
    expect(json.stderr).toContain("line 8: units.hsaId:");
    expect(await count("SELECT count(*) FROM capacity.provider")).toBe(providers);
  });
});

describe("the administrator's catalogue mutations", () => {
  const UPSERT_PROVIDER = `mutation($input: ProviderInput!) { upsertProvider(input: $input) { id hsaId organisationNumber name active region { code } } }`;
  const provider = (overrides: Record<string, unknown> = {}) => ({
    hsaId: hsaIdOf("556111222", "1"),
    organisationNumber: organisationNumber("556111222"),
    name: "Västkustens Ögonklinik AB",
    kind: "PRIVATE",
    regionCode: "13",
    municipalityCode: "1383",
    ...overrides,
  });

  it("is for administrators only, checked at the edge, and idempotent by HSA-id", async () => {
    const asProvider = await hub.queryAs(await token(Role.PROVIDER, providerId("private-kattegatt-ortopedi")), UPSERT_PROVIDER, {
      input: provider(),
    });
    expect(asProvider.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const asOffice = await hub.queryAs(await token(Role.REGIONAL_OFFICE, "13"), UPSERT_PROVIDER, { input: provider() });
    expect(asOffice.errors?.[0].extensions?.code).toBe("FORBIDDEN");

    const badCheck = await hub.query(UPSERT_PROVIDER, {
      input: provider({ organisationNumber: "556111-2220" === organisationNumber("556111222") ? "556111-2221" : "556111-2220" }),
    });
    expect(badCheck.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.organisationNumber",
      rule: "ORGANISATION_NUMBER_CHECK_DIGIT",
    });
    const badPlace = await hub.query(UPSERT_PROVIDER, { input: provider({ municipalityCode: "1280" }) });
    expect(badPlace.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.municipalityCode",
      rule: "MUNICIPALITY_NOT_IN_REGION",
    });

    const created = await hub.query(UPSERT_PROVIDER, { input: provider() });
    expect(created.errors).toBeUndefined();
    expect(created.data.upsertProvider).toMatchObject({
      organisationNumber: organisationNumber("556111222"),
      active: true,
      region: { code: "13" },
    });
    const again = await hub.query(UPSERT_PROVIDER, { input: provider() });
    expect(again.data.upsertProvider.id).toBe(created.data.upsertProvider.id);
  });

  it("adds a unit, and deactivating it withdraws its open offers; subscribers hear every change", async () => {
    // From the capacity event log's position now, however late the subscription reaches the subgraph.
    const after = (await hub.query(`{ offerEventCursor }`)).data.offerEventCursor;
    const changes = subscribe(
      hub.url,
      `subscription($after: ID) { careCatalogueChanged(after: $after) { id event { id kind } provider { hsaId } careUnit { hsaId active } } }`,
      { after },
    );
    open.push(changes);
    const unitHsa = hsaIdOf("556111222", "OGON");
    const added = await hub.query(
      `mutation($input: CareUnitInput!) { upsertCareUnit(input: $input) { id hsaId active provider { hsaId } } }`,
      {
        input: { hsaId: unitHsa, providerHsaId: hsaIdOf("556111222", "1"), name: "Ögonmottagningen Varberg", specialty: "OPHTHALMOLOGY" },
      },
    );
    expect(added.errors).toBeUndefined();
    const unitId = added.data.upsertCareUnit.id;
    const offer = (await publishAt(unitId, null)).data.publishCapacity.offers[0].id;

    const notAdmin = await hub.queryAs(
      await token(Role.PROVIDER, providerId("private-kattegatt-ortopedi")),
      `mutation($id: ID!) { deactivateCareUnit(careUnitId: $id, reason: "Closing") { offersWithdrawn } }`,
      { id: unitId },
    );
    expect(notAdmin.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const deactivated = await hub.query(
      `mutation($id: ID!) { deactivateCareUnit(careUnitId: $id, reason: "Unit closed at year end") { offersWithdrawn careUnit { active deactivationReason } } }`,
      { id: unitId },
    );
    expect(deactivated.data.deactivateCareUnit).toEqual({
      offersWithdrawn: 1,
      careUnit: { active: false, deactivationReason: "Unit closed at year end" },
    });
    const { data } = await hub.query(`query($id: ID!) { capacityOffer(id: $id) { status withdrawalReason } }`, { id: offer });
    expect(data.capacityOffer).toEqual({ status: "WITHDRAWN", withdrawalReason: "Care unit deactivated: Unit closed at year end" });

    const received = await changes.waitFor(2);
    expect(received.map((r) => r.data?.careCatalogueChanged.event.kind)).toEqual(["CARE_UNIT_CREATED", "CARE_UNIT_DEACTIVATED"]);
    expect(received[1].data?.careCatalogueChanged).toMatchObject({
      id: unitId,
      provider: { hsaId: hsaIdOf("556111222", "1") },
      careUnit: { hsaId: unitHsa, active: false },
    });

    // A unit does not move to another provider (offers and referrals name its provider).
    const moved = await hub.query(`mutation($input: CareUnitInput!) { upsertCareUnit(input: $input) { id } }`, {
      input: { hsaId: UNIT_A, providerHsaId: hsaIdOf("556111222", "1"), name: "Ortopedi", specialty: "ORTHOPAEDICS" },
    });
    expect(moved.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.hsaId",
      rule: "CARE_UNIT_OF_ANOTHER_PROVIDER",
    });

    const unknown = await hub.query(
      `mutation { deactivateCareUnit(careUnitId: "00000000-0000-4000-8000-000000000000", reason: "Closing") { offersWithdrawn } }`,
    );
    expect(unknown.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });

  it("drops cached capacity answers when a provider changes", async () => {
    const search = `query { freeCapacity(filter: { providerIds: ["${providerId("private-kattegatt-ortopedi")}"] }, first: 5) { edges { node { provider { name } } } } }`;
    const post = async () => {
      const response = await fetch(hub.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: await hub.authorization() },
        body: JSON.stringify({ query: search }),
      });
      return { cache: response.headers.get("x-hub-cache"), body: (await response.json()) as any };
    };
    // Cached once the gateway's change feeds are live.
    const answer = await waitFor(async () => {
      const next = await post();
      return next.cache === "hit" && next;
    }, "a cached answer");
    expect(answer.cache).toBe("hit");
    const { data } = await hub.query(`query($id: ID!) { provider(id: $id) { hsaId name kind municipalityCode organisationNumber } }`, {
      id: providerId("private-kattegatt-ortopedi"),
    });
    const { hsaId, kind, municipalityCode, organisationNumber: org } = data.provider;
    const renamed = await hub.query(`mutation($input: ProviderInput!) { upsertProvider(input: $input) { name } }`, {
      input: { hsaId, kind, municipalityCode, organisationNumber: org, regionCode: "13", name: "Kattegatt Ortopedi (renamed)" },
    });
    expect(renamed.errors).toBeUndefined();
    const after = await post();
    expect(after.cache).toBe("miss");
    expect(after.body.data.freeCapacity.edges[0].node.provider.name).toBe("Kattegatt Ortopedi (renamed)");
  });
});

describe("importing KVÅ", () => {
  const kva = (rows: string[]) => `${["code;title;validFrom;validTo", ...rows].join("\n")}\n`;

  it("adds and updates codes, keeps retired ones resolvable, and says so when searched by one", async () => {
    const imported = await runImport(
      hub.databaseUrl,
      "kva",
      "kva.csv",
      kva([
        "NFB49;Primär total höftledsprotes, cementerad (2026);2026-01-01;",
        "QDB99;Exempelåtgärd utan klassning;2026-01-01;",
        `NFB62;Utgången höftkod;1997-01-01;${addDays(today, -400)}`,
      ]),
    );
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toMatch(/KVÅ codes: 2 created, 1 updated, 0 unchanged/);
    const again = await runImport(
      hub.databaseUrl,
      "kva",
      "kva.csv",
      kva(["NFB49;Primär total höftledsprotes, cementerad (2026);2026-01-01;"]),
    );
    expect(again.stdout).toMatch(/0 created, 0 updated, 1 unchanged/);

    const { data } = await hub.query(
      `{ hip: procedure(code: "NFB49") { name specialty retired validFrom } old: procedure(code: "NFB62") { name retired validTo specialty } procedures { code } }`,
    );
    expect(data.hip).toEqual({
      name: "Primär total höftledsprotes, cementerad (2026)",
      specialty: "ORTHOPAEDICS",
      retired: false,
      validFrom: "2026-01-01",
    });
    expect(data.old).toEqual({ name: "Utgången höftkod", retired: true, validTo: addDays(today, -400), specialty: null });
    // The brokered list stays the hub's classified subset.
    expect(data.procedures.map((p: any) => p.code)).not.toContain("QDB99");

    const search = await hub.query(`{ freeCapacity(filter: { procedureCode: "NFB62" }) { totalCount } }`);
    expect(search.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "filter.procedureCode",
      rule: "PROCEDURE_RETIRED",
    });
    const unbrokered = await publishAt(careUnitId("kattegatt-ortopedi"), "QDB99");
    expect(unbrokered.errors?.[0].extensions).toMatchObject({ rule: "PROCEDURE_NOT_BROKERED" });
  });

  it("refuses a bad KVÅ file line by line, writing nothing", async () => {
    const before = await count("SELECT count(*) FROM capacity.procedure");
    const bad = await runImport(
      hub.databaseUrl,
      "kva",
      "kva.csv",
      kva(["QDB98;Bra;2026-01-01;", "QD98;Fel kod;2026-01-01;", "QDB97;Fel datum;2026-13-01;", "QDB98;Dubblett;2026-01-01;"]),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("line 3: code:");
    expect(bad.stderr).toContain("line 4: validFrom:");
    expect(bad.stderr).toContain("line 5: code: QDB98 is also on line 2 (DUPLICATE_CODE)");
    expect(await count("SELECT count(*) FROM capacity.procedure")).toBe(before);
  });
});
