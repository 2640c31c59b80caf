import { stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { HEALTHCARE_REGIONS, REGIONS } from "../../subgraphs/shared/domain/regions";
import { PATIENTS, REFERRALS } from "../../seeds/data/patients";
import { AGREEMENTS } from "../../seeds/data/agreements";
import { Role } from "../../subgraphs/shared/identity";
import { token } from "../support/tokens";
import { startTestHub, TestHub } from "../support/hub";

/** Entities that cross subgraphs, resolved by the gateway through their keys. */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

describe("reference data (capacity)", () => {
  it("lists the 21 regions with county codes, Halland in both Södra and Västra", async () => {
    const { data, errors } = await hub.query(`{ regions { code name healthcareRegion { code } healthcareRegions { code } } }`);
    expect(errors).toBeUndefined();
    expect(data.regions.map((r: any) => r.code)).toEqual(REGIONS.map((r) => r.code));
    const halland = data.regions.find((r: any) => r.code === "13");
    expect(halland.healthcareRegions.map((h: any) => h.code).sort()).toEqual(["SODRA", "VASTRA"]);
    expect(halland.healthcareRegion).toBeNull();
    expect(data.regions.find((r: any) => r.code === "12").healthcareRegion).toEqual({ code: "SODRA" });
    expect(data.regions.filter((r: any) => r.healthcareRegions.length === 0)).toEqual([]);
  });

  it("lists the six healthcare regions with their member regions", async () => {
    const { data } = await hub.query(`{ healthcareRegions { code name regions { code } } }`);
    expect(data.healthcareRegions).toHaveLength(6);
    for (const reference of HEALTHCARE_REGIONS) {
      const found = data.healthcareRegions.find((h: any) => h.code === reference.code);
      expect(found.regions.map((r: any) => r.code).sort()).toEqual(reference.members.map((m) => m.regionCode).sort());
    }
  });

  it("names the hub's own region from configuration", async () => {
    const { data } = await hub.query(`{ hubRegion { code name } }`);
    expect(data.hubRegion).toEqual({ code: "13", name: "Region Halland" });
  });

  it("lists providers of a region with their care units", async () => {
    const { data } = await hub.query(`{ providers(regionCode: "13", kind: PUBLIC) { name careUnits { name provider { name } } } }`);
    expect(data.providers.map((p: any) => p.name)).toEqual([
      "Hallands sjukhus Halmstad",
      "Hallands sjukhus Kungsbacka",
      "Hallands sjukhus Varberg",
    ]);
    for (const provider of data.providers) {
      expect(provider.careUnits.length).toBeGreaterThan(0);
      expect(provider.careUnits.every((u: any) => u.provider.name === provider.name)).toBe(true);
    }
  });
});

describe("agreements (agreements subgraph, with parties and providers from capacity)", () => {
  it("resolves parties, the pact's healthcare region and the private provider across subgraphs", async () => {
    const { data, errors } = await hub.query(
      `{ agreements(filter: { partyRegionCode: "13" }) { kind name parties { code name } healthcareRegion { name } provider { name kind region { code } } priceLists { validFrom entries { procedure { code name } priceSek } } } }`,
    );
    expect(errors).toBeUndefined();
    const kinds = data.agreements.map((a: any) => a.kind);
    // Most specific first.
    expect(kinds.indexOf("CARE_GUARANTEE_AGREEMENT")).toBeLessThan(kinds.indexOf("HEALTHCARE_REGION_PACT"));
    expect(kinds.indexOf("HEALTHCARE_REGION_PACT")).toBeLessThan(kinds.indexOf("RIKSAVTALET"));
    expect(data.agreements).toHaveLength(AGREEMENTS.filter((a) => a.parties.includes("13")).length);
    const riksavtalet = data.agreements.find((a: any) => a.kind === "RIKSAVTALET");
    expect(riksavtalet.parties).toHaveLength(21);
    expect(riksavtalet.parties.every((p: any) => typeof p.name === "string")).toBe(true);
    const sodra = data.agreements.find((a: any) => a.name.includes("Södra"));
    expect(sodra.healthcareRegion).toEqual({ name: "Södra sjukvårdsregionen" });
    const kattegatt = data.agreements.find((a: any) => a.provider?.name === "Kattegattkliniken Ortopedi AB");
    expect(kattegatt.provider).toEqual({ name: "Kattegattkliniken Ortopedi AB", kind: "PRIVATE", region: { code: "13" } });
    expect(kattegatt.priceLists[0].entries.map((e: any) => e.procedure.code)).toContain("NFB49");
    expect(kattegatt.priceLists[0].entries[0].procedure.name).toEqual(expect.any(String));
  });

  it("filters agreements valid on a date: an ended agreement is left out", async () => {
    const all = await hub.query(`{ agreements(filter: { partyRegionCode: "13", kind: CARE_GUARANTEE_AGREEMENT }) { name validUntil } }`);
    const today = stockholmDate();
    const ended = all.data.agreements.filter((a: any) => a.validUntil !== null && a.validUntil < today);
    expect(ended.length).toBeGreaterThan(0);
    const current = await hub.query(
      `query($on: Date) { agreements(filter: { partyRegionCode: "13", kind: CARE_GUARANTEE_AGREEMENT, validOn: $on }) { name } }`,
      { on: today },
    );
    expect(current.data.agreements.length).toBe(all.data.agreements.length - ended.length);
  });
});

/** Patient data is for the home region's office: these patients are Region Halland's. */
const asOffice = async (query: string, variables?: Record<string, unknown>) =>
  hub.queryAs(await token(Role.REGIONAL_OFFICE, "13"), query, variables);

describe("patients and referrals", () => {
  it("resolves a referral's patient (patients), procedure and home region (capacity)", async () => {
    const { data, errors } = await asOffice(
      `{ referrals(first: 100, filter: { homeRegionCode: "13" }) { totalCount edges { node { id decisionDate status specialty procedure { code name } homeRegion { name } patient { givenName familyName personalIdentityNumber homeRegion { code } } } } } }`,
    );
    expect(errors).toBeUndefined();
    const hallandPatients = new Set(PATIENTS.filter((p) => p.homeMunicipalityCode.startsWith("13")).map((p) => p.identityNumber));
    expect(data.referrals.totalCount).toBe(REFERRALS.filter((r) => hallandPatients.has(r.identityNumber)).length);
    const nodes = data.referrals.edges.map((e: any) => e.node);
    expect(nodes.every((n: any) => n.homeRegion.name === "Region Halland" && n.patient.homeRegion.code === "13")).toBe(true);
    const tolvansHip = nodes.find((n: any) => n.patient.givenName === "Tolvan" && n.procedure?.code === "NFB49");
    expect(tolvansHip.patient.personalIdentityNumber).toBe("19121212-1212");
    expect(tolvansHip.procedure.name).toEqual(expect.any(String));
    // Longest waiting first.
    const dates = nodes.map((n: any) => n.decisionDate);
    expect(dates).toEqual([...dates].sort());
  });

  it("lists a patient's referrals (referrals subgraph extends Patient)", async () => {
    const { data, errors } = await asOffice(
      `{ patientByPersonalIdentityNumber(personalIdentityNumber: "191212121212") { id givenName identityKind birthDate referrals { specialty visitType procedure { code } } } }`,
    );
    expect(errors).toBeUndefined();
    const tolvan = data.patientByPersonalIdentityNumber;
    expect(tolvan).toMatchObject({ givenName: "Tolvan", identityKind: "PERSONNUMMER", birthDate: "1912-12-12" });
    expect(tolvan.referrals.map((r: any) => r.procedure?.code).sort()).toEqual(
      REFERRALS.filter((r) => r.identityNumber === "191212121212")
        .map((r) => r.procedure)
        .sort(),
    );
  });

  it("finds a patient by the 10-digit form and by samordningsnummer", async () => {
    // Tolvan is over 100, so his 10-digit form is written with '+'.
    const short = await asOffice(`{ patientByPersonalIdentityNumber(personalIdentityNumber: "121212+1212") { givenName } }`);
    expect(short.data.patientByPersonalIdentityNumber).toEqual({ givenName: "Tolvan" });
    const coordination = await asOffice(
      `{ patientByPersonalIdentityNumber(personalIdentityNumber: "20140161-2385") { identityKind birthDate } }`,
    );
    expect(coordination.data.patientByPersonalIdentityNumber).toEqual({ identityKind: "SAMORDNINGSNUMMER", birthDate: "2014-01-01" });
  });

  it("answers a well-formed but unknown identity number with null", async () => {
    // 19000101-9801 is in Skatteverket's test series but not seeded as a patient.
    const { data, errors } = await asOffice(`{ patientByPersonalIdentityNumber(personalIdentityNumber: "19000101-9801") { id } }`);
    expect(errors).toBeUndefined();
    expect(data.patientByPersonalIdentityNumber).toBeNull();
  });

  it("pages referrals with a stable order", async () => {
    const all = await asOffice(`{ referrals(first: 100) { edges { node { id } } } }`);
    const first = await asOffice(`{ referrals(first: 5) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`);
    const second = await asOffice(`query($after: String) { referrals(first: 5, after: $after) { edges { node { id } } } }`, {
      after: first.data.referrals.pageInfo.endCursor,
    });
    const ids = [...first.data.referrals.edges, ...second.data.referrals.edges].map((e: any) => e.node.id);
    expect(ids).toEqual(all.data.referrals.edges.slice(0, 10).map((e: any) => e.node.id));
  });
});
