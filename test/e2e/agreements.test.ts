import { randomUUID } from "node:crypto";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { providerId } from "../../seeds/data/providers";
import { referralId } from "../../seeds/data/patients";
import { Role } from "../../subgraphs/shared/identity";
import { privateAgreement } from "../support/agreements";
import { token } from "../support/tokens";
import { startTestHub, TestHub } from "../support/hub";

/**
 * The agreements engine through the gateway: which agreements allow sending a patient from a home
 * region to a provider, in which order, at what price and why; and the administrator's changes.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

const today = stockholmDate();
const year = Number(today.slice(0, 4));

const COVERAGE = /* GraphQL */ `
  query Coverage($home: String!, $provider: ID!, $procedure: String!, $date: Date) {
    coverage(homeRegionCode: $home, providerId: $provider, procedureCode: $procedure, date: $date) {
      status reason date specialty
      homeRegion { name }
      provider { name }
      procedure { code }
      agreement { id kind name }
      pricePerCaseSek
      applicable { rank agreement { id kind name } version { version } terms { referralRequired paymentCommitmentRequired sameTermsAsResidents } pricePerCaseSek reason }
      rejected { agreement { id kind name } reasonCode reason }
    }
  }`;

async function coverage(home: string, providerKey: string, procedure: string, date: string = today) {
  return coverageOf(home, providerId(providerKey), procedure, date);
}

async function coverageOf(home: string, provider: string, procedure: string, date: string = today) {
  const { data, errors } = await hub.query(COVERAGE, { home, provider, procedure, date });
  expect(errors).toBeUndefined();
  return data.coverage;
}

const kinds = (list: Array<{ agreement: { kind: string } }>) => list.map((x) => x.agreement.kind);
const rejectedCodes = (c: any) => Object.fromEntries(c.rejected.map((r: any) => [r.agreement.name, r.reasonCode]));

describe("coverage(homeRegionCode, providerId, procedureCode, date)", () => {
  it("sends a Halland patient to a Skåne hospital under the Södra pact, Riksavtalet second", async () => {
    const c = await coverage("13", "skane-trelleborg", "NFB49");
    expect(c).toMatchObject({
      status: "COVERED",
      homeRegion: { name: "Region Halland" },
      provider: { name: "Trelleborgs lasarett" },
      procedure: { code: "NFB49" },
    });
    expect(c.agreement.name).toContain("Södra");
    expect(kinds(c.applicable)).toEqual(["HEALTHCARE_REGION_PACT", "RIKSAVTALET"]);
    expect(c.applicable[0]).toMatchObject({ rank: 1, terms: { sameTermsAsResidents: true }, version: { version: 1 } });
    expect(c.applicable[1].reason).toContain("takes precedence");
    expect(c.pricePerCaseSek).toBe(c.applicable[0].pricePerCaseSek);
    expect(c.pricePerCaseSek).toBeGreaterThan(0);
  });

  it("sends a Halland patient to a Västra Götaland hospital under the Västra pact", async () => {
    const c = await coverage("13", "vgr-sahlgrenska", "NFB49");
    expect(c.agreement.name).toContain("Västra");
    expect(kinds(c.applicable)).toEqual(["HEALTHCARE_REGION_PACT", "RIKSAVTALET"]);
    expect(rejectedCodes(c)).toMatchObject({
      "Samverkansavtal om hälso- och sjukvård i Södra sjukvårdsregionen": "PROVIDER_REGION_NOT_PARTY",
    });
  });

  it("sends a Halland patient to a Stockholm hospital under Riksavtalet only, saying why the pacts do not apply", async () => {
    const c = await coverage("13", "sthlm-karolinska", "NFB49");
    expect(kinds(c.applicable)).toEqual(["RIKSAVTALET"]);
    expect(c.agreement.kind).toBe("RIKSAVTALET");
    const codes = Object.values(rejectedCodes(c));
    expect(codes).toEqual(["PROVIDER_REGION_NOT_PARTY", "PROVIDER_REGION_NOT_PARTY"]);
    expect(c.rejected[0].reason).toContain("Region Stockholm");
  });

  it("sends a Halland patient to a private provider under Halland's own agreement, at its price", async () => {
    const c = await coverage("13", "private-kattegatt-ortopedi", "NFB49");
    expect(c.status).toBe("COVERED");
    expect(kinds(c.applicable)).toEqual(["CARE_GUARANTEE_AGREEMENT"]);
    expect(c.pricePerCaseSek).toBe(79_900);
    expect(c.reason).toContain("79900 SEK");
    expect(new Set(Object.values(rejectedCodes(c)))).toEqual(new Set(["PRIVATE_PROVIDER"]));
  });

  it("does not cover a private provider Halland has no agreement with, and says whose agreement it is", async () => {
    const c = await coverage("13", "private-oresund-ortopedcenter", "NFB49");
    expect(c).toMatchObject({ status: "NOT_COVERED", agreement: null, pricePerCaseSek: null, applicable: [] });
    expect(c.reason).toContain("no care-guarantee agreement with this private provider");
    expect(rejectedCodes(c)).toMatchObject({
      "Vårdgarantiavtal ortopedi, Region Skåne – Öresund Ortopedcenter AB": "HOME_REGION_NOT_PARTY",
    });
  });

  it("does not cover care after an agreement expired, but did while it ran", async () => {
    const now = await coverage("13", "private-lagan-ogon-horsel", "CJE20");
    expect(now.status).toBe("NOT_COVERED");
    expect(now.rejected[0]).toMatchObject({ reasonCode: "EXPIRED" });
    expect(now.reason).toContain(`ended on ${year - 1}-12-31`);
    const then = await coverage("13", "private-lagan-ogon-horsel", "CJE20", `${year - 1}-06-15`);
    expect(then).toMatchObject({ status: "COVERED", pricePerCaseSek: Math.round(10_900 * 1.03 ** -1) });
  });

  it("does not cover a procedure outside a private agreement's list", async () => {
    const c = await coverage("13", "private-kattegatt-ortopedi", "NGD01");
    expect(c.status).toBe("NOT_COVERED");
    expect(c.rejected[0]).toMatchObject({ reasonCode: "CARE_NOT_COVERED" });
    expect(c.rejected[0].reason).toContain("NGD01");
  });

  it("covers care in another region by a private provider the home region has contracted", async () => {
    const c = await coverage("13", "private-nordhalla-dagkirurgi", "JAB30");
    expect(c).toMatchObject({ status: "COVERED", agreement: { kind: "CARE_GUARANTEE_AGREEMENT" }, pricePerCaseSek: 27_500 });
  });

  it("sends a Skåne patient to Halland under the Södra pact and a Norrbotten patient under Riksavtalet", async () => {
    expect((await coverage("12", "halland-halmstad", "NFB49")).agreement.name).toContain("Södra");
    const norrbotten = await coverage("25", "halland-halmstad", "NFB49");
    expect(kinds(norrbotten.applicable)).toEqual(["RIKSAVTALET"]);
  });

  it("answers internal care for the home region's own hospital", async () => {
    const c = await coverage("13", "halland-varberg", "NFB49");
    expect(c).toMatchObject({ status: "INTERNAL_CARE", agreement: null, applicable: [], rejected: [] });
  });

  it("takes the price list valid on the date", async () => {
    const thisYear = await coverage("13", "private-kattegatt-ortopedi", "NFB49", `${year}-06-01`);
    const nextYear = await coverage("13", "private-kattegatt-ortopedi", "NFB49", `${year + 1}-06-01`);
    expect(thisYear.pricePerCaseSek).toBe(79_900);
    expect(nextYear.pricePerCaseSek).toBe(Math.round(79_900 * 1.03));
  });

  it("answers null for an unknown provider and rejects a malformed or unknown procedure", async () => {
    expect(await coverageOf("13", randomUUID(), "NFB49")).toBeNull();
    const malformed = await hub.query(COVERAGE, { home: "13", provider: providerId("halland-halmstad"), procedure: "HIP" });
    expect(malformed.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "procedureCode", rule: "KVA_CODE_FORMAT" });
    const unknown = await hub.query(COVERAGE, { home: "13", provider: providerId("halland-halmstad"), procedure: "ZZZ99" });
    expect(unknown.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "procedureCode", rule: "PROCEDURE_UNKNOWN" });
    const region = await hub.query(COVERAGE, { home: "26", provider: providerId("halland-halmstad"), procedure: "NFB49" });
    expect(region.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "homeRegionCode" });
  });

  it("gives the same answer on a capacity offer as the coverage query", async () => {
    const { data } = await hub.query(
      `{ freeCapacity(filter: { providerIds: ["${providerId("skane-trelleborg")}"], procedureCode: "NFB49" }, first: 1) { edges { node { earliestStart coverage(homeRegionCode: "13") { status agreement { id } pricePerCaseSek applicable { agreement { kind } } date } } } } }`,
    );
    const node = data.freeCapacity.edges[0].node;
    const direct = await coverage("13", "skane-trelleborg", "NFB49", node.earliestStart);
    expect(node.coverage).toEqual({
      status: direct.status,
      agreement: { id: direct.agreement.id },
      pricePerCaseSek: direct.pricePerCaseSek,
      applicable: direct.applicable.map((a: any) => ({ agreement: { kind: a.agreement.kind } })),
      date: node.earliestStart,
    });
  });
});

describe("coverage on a referral", () => {
  it("answers for the referral's patient, care and decision date at a provider the office considers", async () => {
    const { data, errors } = await hub.queryAs(
      await token(Role.REGIONAL_OFFICE, "13"),
      `query($sodra: ID!, $private: ID!) { referrals(filter: { homeRegionCode: "13" }, first: 100) { edges { node { id decisionDate procedure { code } homeRegion { code }
         atTrelleborg: coverage(providerId: $sodra) { status date agreement { kind name } pricePerCaseSek }
         atKattegatt: coverage(providerId: $private) { status agreement { kind } rejected { reasonCode } } } } } }`,
      { sodra: providerId("skane-trelleborg"), private: providerId("private-kattegatt-ortopedi") },
    );
    expect(errors).toBeUndefined();
    const nodes = data.referrals.edges.map((e: any) => e.node);
    const hip = nodes.find((n: any) => n.procedure?.code === "NFB49");
    expect(hip.atTrelleborg).toMatchObject({ status: "COVERED", date: hip.decisionDate, agreement: { kind: "HEALTHCARE_REGION_PACT" } });
    expect(hip.atKattegatt).toMatchObject({ status: "COVERED", agreement: { kind: "CARE_GUARANTEE_AGREEMENT" } });
    const cataract = nodes.find((n: any) => n.procedure?.code === "CJE20");
    expect(cataract.atKattegatt.status).toBe("NOT_COVERED");
    expect(cataract.atKattegatt.rejected[0]).toEqual({ reasonCode: "CARE_NOT_COVERED" });
  });

  it("answers null for an unknown provider", async () => {
    const { data } = await hub.queryAs(
      await token(Role.REGIONAL_OFFICE, "13"),
      `{ referrals(first: 1) { edges { node { coverage(providerId: "${randomUUID()}") { status } } } } }`,
    );
    expect(data.referrals.edges[0].node.coverage).toBeNull();
  });
});

describe("agreements that follow the patient's municipality (Region Halland in two healthcare regions)", () => {
  const BY_MUNICIPALITY = /* GraphQL */ `
    query($home: String!, $municipality: String, $provider: ID!, $procedure: String!, $setting: CareSetting) {
      coverage(homeRegionCode: $home, homeMunicipalityCode: $municipality, providerId: $provider, procedureCode: $procedure, careSetting: $setting) {
        status careSetting decidedBy sameTermsAsResidents paymentCommitmentRequired pricePerCaseSek
        agreement { kind name } applicable { agreement { name } } rejected { agreement { name } reasonCode reason } rules { code explanation }
      }
    }`;
  async function ask(municipality: string | null, providerKey: string, setting?: string, home = "13") {
    const { data, errors } = await hub.query(BY_MUNICIPALITY, {
      home,
      municipality,
      provider: providerId(providerKey),
      procedure: "NFB49",
      setting,
    });
    expect(errors).toBeUndefined();
    return data.coverage;
  }
  const SODRA = "Samverkansavtal om hälso- och sjukvård i Södra sjukvårdsregionen";
  const VASTRA = "Samverkansavtal om hälso- och sjukvård i Västra sjukvårdsregionen";

  it.each([
    // municipality, provider, agreement that applies, pact refused for the municipality
    ["1380 Halmstad (south)", "skane-trelleborg", SODRA, null],
    ["1315 Hylte (south)", "skane-trelleborg", SODRA, null],
    ["1381 Laholm (south)", "vgr-sahlgrenska", "Riksavtal för utomlänsvård", VASTRA],
    ["1384 Kungsbacka (north)", "vgr-sahlgrenska", VASTRA, null],
    ["1383 Varberg (north)", "skane-trelleborg", "Riksavtal för utomlänsvård", SODRA],
    ["1382 Falkenberg (north)", "vgr-sahlgrenska", VASTRA, null],
  ])("a patient from %s at %s: the municipality decides the pact", async (municipality, provider, agreement, refused) => {
    const c = await ask(municipality.slice(0, 4), provider);
    expect(c).toMatchObject({ status: "COVERED", decidedBy: "HOME_MUNICIPALITY", agreement: { name: agreement } });
    expect(c.applicable.map((a: any) => a.agreement.name)).not.toContain(refused ?? "none");
    if (refused) {
      expect(c.rejected).toContainEqual(
        expect.objectContaining({ agreement: { name: refused }, reasonCode: "HOME_MUNICIPALITY_NOT_PARTY" }),
      );
      expect(c.rejected.find((r: any) => r.reasonCode === "HOME_MUNICIPALITY_NOT_PARTY").reason).toContain(
        `the patient lives in ${municipality.slice(0, 4)}`,
      );
    }
    expect(c.rules.filter((r: any) => r.code === "HOME_MUNICIPALITY").length).toBeGreaterThan(0);
  });

  it("takes the price list of the pact the municipality decides: the south pays Södra's price, the north Riksavtalet's", async () => {
    const south = await ask("1380", "skane-trelleborg");
    const north = await ask("1384", "skane-trelleborg");
    const plain = await coverage("13", "skane-trelleborg", "NFB49");
    expect(south.pricePerCaseSek).toBe(plain.applicable.find((a: any) => a.agreement.kind === "HEALTHCARE_REGION_PACT").pricePerCaseSek);
    expect(north.pricePerCaseSek).toBe(plain.applicable.find((a: any) => a.agreement.kind === "RIKSAVTALET").pricePerCaseSek);
    expect(south.pricePerCaseSek).not.toBe(north.pricePerCaseSek);
  });

  it("without a municipality keeps both pacts and says the answer depends on it", async () => {
    const c = await ask(null, "skane-trelleborg");
    expect(c).toMatchObject({ decidedBy: "AGREEMENT_PRECEDENCE", agreement: { name: SODRA } });
    expect(c.rules.find((r: any) => r.code === "HOME_MUNICIPALITY").explanation).toContain("give the patient's home municipality");
  });

  it("gives a northern Halland patient in Skåne the same terms as Skåne's residents (Halland's one-way arrangement), with no payment commitment for outpatient care", async () => {
    const outpatient = await ask("1384", "skane-trelleborg", "OUTPATIENT");
    expect(outpatient).toMatchObject({
      careSetting: "OUTPATIENT",
      agreement: { kind: "RIKSAVTALET" },
      sameTermsAsResidents: true,
      paymentCommitmentRequired: false,
    });
    expect(outpatient.rules.map((r: any) => r.code)).toEqual([
      "AGREEMENT_PRECEDENCE",
      "HOME_MUNICIPALITY",
      "SAME_TERMS_ARRANGEMENT",
      "PAYMENT_COMMITMENT",
    ]);
    // One way: a Skåne patient in Halland gets no such arrangement from Halland's rules.
    const skane = await ask(null, "halland-halmstad", "OUTPATIENT", "12");
    expect(skane.rules.map((r: any) => r.code)).not.toContain("SAME_TERMS_ARRANGEMENT");
  });

  it.each([
    // provider, setting, payment commitment required, the rule that says so
    ["skane-trelleborg", "INPATIENT", true, "slutenvård utanför regionen kräver förhandsbesked"],
    ["vgr-sahlgrenska", "INPATIENT", false, "offentlig slutenvård i Västra Götalandsregionen"],
    ["vgr-sahlgrenska", "OUTPATIENT", false, "öppen vård i Skåne, Västra Götaland"],
    ["sthlm-karolinska", "INPATIENT", true, "slutenvård utanför regionen"],
    ["sthlm-karolinska", "OUTPATIENT", true, "Riksavtal för utomlänsvård, version 1"],
    ["private-kattegatt-ortopedi", "OUTPATIENT", true, "Privata vårdgivare"],
  ])("a Halland patient at %s, %s care: payment commitment required %s", async (provider, setting, required, rule) => {
    const c = await ask("1380", provider, setting);
    expect(c).toMatchObject({ status: "COVERED", careSetting: setting, paymentCommitmentRequired: required });
    expect(c.rules.find((r: any) => r.code === "PAYMENT_COMMITMENT").explanation).toContain(rule);
  });

  it("answers the same on a capacity offer, and refuses a municipality outside the home region", async () => {
    const offers = await hub.query(
      `query($p: [ID!]) { freeCapacity(filter: { providerIds: $p, procedureCode: "NFB49" }, first: 1) { edges { node {
        north: coverage(homeRegionCode: "13", homeMunicipalityCode: "1384") { decidedBy agreement { kind } }
        south: coverage(homeRegionCode: "13", homeMunicipalityCode: "1380", careSetting: INPATIENT) { decidedBy agreement { kind } paymentCommitmentRequired } } } } }`,
      {
        p: [providerId("skane-trelleborg")],
      },
    );
    expect(offers.errors).toBeUndefined();
    expect(offers.data.freeCapacity.edges[0].node).toEqual({
      north: { decidedBy: "HOME_MUNICIPALITY", agreement: { kind: "RIKSAVTALET" } },
      south: { decidedBy: "HOME_MUNICIPALITY", agreement: { kind: "HEALTHCARE_REGION_PACT" }, paymentCommitmentRequired: true },
    });
    for (const [municipality, rule] of [
      ["1280", "MUNICIPALITY_NOT_IN_REGION"],
      ["Kungsbacka", "MUNICIPALITY_CODE_FORMAT"],
    ]) {
      const { errors } = await hub.query(BY_MUNICIPALITY, {
        home: "13",
        municipality,
        provider: providerId("skane-trelleborg"),
        procedure: "NFB49",
      });
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "homeMunicipalityCode", rule });
    }
  });

  it("follows the referral's patient: Greta (Varberg, north) and Tolvan (Halmstad, south) at a Skåne hospital", async () => {
    const { data, errors } = await hub.queryAs(
      await token(Role.REGIONAL_OFFICE, "13"),
      `query($a: ID!, $b: ID!, $p: ID!) { a: referral(id: $a) { homeMunicipalityCode coverage(providerId: $p) { decidedBy agreement { kind } } }
         b: referral(id: $b) { homeMunicipalityCode coverage(providerId: $p) { decidedBy agreement { kind } } } }`,
      { a: referralId("greta-knee"), b: referralId("tolvan-hip"), p: providerId("skane-trelleborg") },
    );
    expect(errors).toBeUndefined();
    expect(data.a).toEqual({
      homeMunicipalityCode: "1383",
      coverage: { decidedBy: "HOME_MUNICIPALITY", agreement: { kind: "RIKSAVTALET" } },
    });
    expect(data.b).toEqual({
      homeMunicipalityCode: "1380",
      coverage: { decidedBy: "HOME_MUNICIPALITY", agreement: { kind: "HEALTHCARE_REGION_PACT" } },
    });
  });

  it("lists the home region's rules as data", async () => {
    const { data, errors } = await hub.queryAs(
      await token(Role.PEER_REGION, "12"),
      `{ careAccessRules(homeRegionCode: "13") { id effect careSetting providingRegionCodes priority } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.careAccessRules.map((r: any) => r.id)).toEqual([
      "private-provider-commitment",
      "halland-vgr-public-inpatient",
      "halland-inpatient-approval",
      "halland-same-terms-outpatient",
      "halland-same-terms",
    ]);
    expect(data.careAccessRules.at(-1)).toMatchObject({
      effect: "SAME_TERMS_AS_RESIDENTS",
      providingRegionCodes: ["12", "14", "10", "07", "06"],
    });
    // Another region has only the national rule here: its node loads its own.
    expect((await hub.query(`{ careAccessRules(homeRegionCode: "01") { id } }`)).data.careAccessRules).toEqual([
      { id: "private-provider-commitment" },
    ]);
  });
});

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateAgreementInputType!) {
    createAgreement(input: $input) { id kind name validFrom validUntil parties { code } provider { name } version { version effectiveFrom } ceilings { maxCases usedCases remainingCases } priceLists { name entries { priceSek } } }
  }`;

const agreementCount = async () => (await hub.query(`{ agreements { id } }`)).data.agreements.length;

describe("administering agreements", () => {
  it("is for administrators only: an office, a provider or a peer region is refused and nothing is created", async () => {
    const before = await agreementCount();
    for (const bearer of [token(Role.REGIONAL_OFFICE, "13"), token(Role.PROVIDER), token(Role.PEER_REGION, "12")]) {
      const { errors } = await hub.queryAs(await bearer, CREATE, { input: privateAgreement() });
      expect(errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const [first] = (await hub.query(`{ agreements { id } }`)).data.agreements;
    const ending = await hub.queryAs(
      await token(Role.REGIONAL_OFFICE, "13"),
      `mutation($id: ID!, $d: Date!) { endAgreement(agreementId: $id, lastDay: $d, reason: "Uppsagt") { id } }`,
      {
        id: first.id,
        d: today,
      },
    );
    expect(ending.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(await agreementCount()).toBe(before);
  });

  it("creates a private agreement whose ceiling, once used up, stops covering; releasing frees it", async () => {
    const created = await hub.query(CREATE, { input: privateAgreement() });
    expect(created.errors).toBeUndefined();
    const agreement = created.data.createAgreement;
    expect(agreement).toMatchObject({
      kind: "CARE_GUARANTEE_AGREEMENT",
      parties: [{ code: "13" }],
      provider: { name: "Mälardalens Gynekologi & Urologi AB" },
      version: { version: 1, effectiveFrom: `${year}-01-01` },
      ceilings: [{ maxCases: 1, usedCases: 0, remainingCases: 1 }],
    });
    const date = today;
    const before = await coverage("13", "private-malardalens-gyn-uro", "KED22", date);
    expect(before).toMatchObject({ status: "COVERED", agreement: { id: agreement.id } });

    const referralId = randomUUID();
    const commit = `mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id priceSek careDate version { version } agreement { id } } }`;
    const input = { agreementId: agreement.id, referralId, specialty: "UROLOGY", procedureCode: "KED22", careDate: date };
    const committed = await hub.query(commit, { input });
    expect(committed.errors).toBeUndefined();
    expect(committed.data.commitReferralToAgreement).toMatchObject({
      priceSek: 38_000,
      careDate: date,
      version: { version: 1 },
      agreement: { id: agreement.id },
    });

    const after = await coverage("13", "private-malardalens-gyn-uro", "KED22", date);
    expect(after.status).toBe("NOT_COVERED");
    expect(after.rejected[0]).toMatchObject({ reasonCode: "CEILING_REACHED", agreement: { id: agreement.id } });
    expect(after.rejected[0].reason).toContain("1 of 1 cases");

    const second = await hub.query(commit, { input: { ...input, referralId: randomUUID() } });
    expect(second.errors![0].extensions).toMatchObject({ code: "CONFLICT", reasonCode: "CEILING_REACHED" });
    const again = await hub.query(commit, { input });
    expect(again.errors![0].extensions?.code).toBe("CONFLICT");

    const released = await hub.query(
      `mutation { releaseAgreementCommitment(referralId: "${referralId}", reason: "Patient declined") { releasedAt releaseReason } }`,
    );
    expect(released.data.releaseAgreementCommitment.releaseReason).toBe("Patient declined");
    expect((await coverage("13", "private-malardalens-gyn-uro", "KED22", date)).status).toBe("COVERED");
  });

  it("lets exactly one of many concurrent commitments take the last case under a ceiling", async () => {
    const agreement = (await hub.query(CREATE, { input: privateAgreement() })).data.createAgreement;
    const commit = `mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id } }`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        hub.query(commit, {
          input: { agreementId: agreement.id, referralId: randomUUID(), specialty: "UROLOGY", procedureCode: "KED22", careDate: today },
        }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === "CONFLICT")).toHaveLength(9);
  });

  it("versions a change: care before it keeps version 1, after it version 2; commitments keep their version", async () => {
    const agreement = (await hub.query(CREATE, { input: privateAgreement({ ceilings: [], validFrom: `${year - 1}-01-01` }) })).data
      .createAgreement;
    const referralId = randomUUID();
    const committed = await hub.query(`mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id } }`, {
      input: { agreementId: agreement.id, referralId, specialty: "UROLOGY", procedureCode: "KED22", careDate: today },
    });
    expect(committed.errors).toBeUndefined();
    const effectiveFrom = addDays(today, 30);
    const revised = await hub.query(
      `mutation($id: ID!, $input: ReviseAgreementInputType!) { reviseAgreement(agreementId: $id, input: $input) { version effectiveFrom coveredProcedures { code } terms { paymentCommitmentRequired } changeNote } }`,
      {
        id: agreement.id,
        input: {
          effectiveFrom,
          coverage: { coversAllPlannedCare: false, procedureCodes: ["KED22", "LCG21"] },
          changeNote: "Adds prolapse surgery",
        },
      },
    );
    expect(revised.errors).toBeUndefined();
    expect(revised.data.reviseAgreement).toMatchObject({
      version: 2,
      effectiveFrom,
      coveredProcedures: [{ code: "KED22" }, { code: "LCG21" }],
      terms: { paymentCommitmentRequired: true },
    });
    expect((await coverage("13", "private-malardalens-gyn-uro", "LCG21", today)).status).toBe("NOT_COVERED");
    const later = await coverage("13", "private-malardalens-gyn-uro", "LCG21", effectiveFrom);
    expect(later).toMatchObject({ status: "COVERED", applicable: [{ version: { version: 2 } }] });

    const { data } = await hub.query(
      `{ agreement(id: "${agreement.id}") { versions { version } v1: version(on: "${today}") { version } v2: version(on: "${effectiveFrom}") { version } } }`,
    );
    expect(data.agreement).toEqual({ versions: [{ version: 1 }, { version: 2 }], v1: { version: 1 }, v2: { version: 2 } });
    const overlapping = await hub.query(
      `mutation($id: ID!, $input: ReviseAgreementInputType!) { reviseAgreement(agreementId: $id, input: $input) { version } }`,
      {
        id: agreement.id,
        input: {
          effectiveFrom,
          terms: { referralRequired: true, paymentCommitmentRequired: false, sameTermsAsResidents: false },
          changeNote: "x",
        },
      },
    );
    expect(overlapping.errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.effectiveFrom",
      rule: "OVERLAPPING_VERSION",
    });
  });

  it("adds next year's price list, and refuses one that overlaps", async () => {
    const agreement = (await hub.query(CREATE, { input: privateAgreement({ ceilings: [] }) })).data.createAgreement;
    const add = `mutation($id: ID!, $input: PriceListInputType!) { addPriceList(agreementId: $id, input: $input) { name validFrom validUntil entries { priceSek procedure { code } } } }`;
    const next = await hub.query(add, {
      id: agreement.id,
      input: {
        name: `Avtalspriser ${year + 1}`,
        validFrom: `${year + 1}-01-01`,
        validUntil: `${year + 1}-12-31`,
        entries: [{ procedureCode: "KED22", priceSek: 39_500 }],
      },
    });
    expect(next.errors).toBeUndefined();
    // Other tests in this file made agreements with the same provider: look at this one's option.
    const nextYear = await coverage("13", "private-malardalens-gyn-uro", "KED22", `${year + 1}-03-01`);
    expect(nextYear.applicable.find((a: any) => a.agreement.id === agreement.id).pricePerCaseSek).toBe(39_500);
    const overlapping = await hub.query(add, {
      id: agreement.id,
      input: {
        name: "Overlapping",
        validFrom: `${year + 1}-06-01`,
        validUntil: `${year + 1}-12-31`,
        entries: [{ procedureCode: "KED22", priceSek: 1 }],
      },
    });
    expect(overlapping.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "OVERLAPPING_PRICE_LIST" });
    const { data } = await hub.query(`{ agreement(id: "${agreement.id}") { priceLists { name } } }`);
    expect(data.agreement.priceLists.map((l: any) => l.name)).toEqual([`Avtalspriser ${year + 1}`, "Avtalspriser"]);
  });

  it("ends an agreement: care after its last day is not covered; an ending cannot be moved later", async () => {
    const agreement = (await hub.query(CREATE, { input: privateAgreement({ ceilings: [] }) })).data.createAgreement;
    const lastDay = today;
    const ended = await hub.query(
      `mutation { endAgreement(agreementId: "${agreement.id}", lastDay: "${lastDay}", reason: "Provider went bankrupt") { validUntil endReason } }`,
    );
    expect(ended.data.endAgreement).toEqual({ validUntil: lastDay, endReason: "Provider went bankrupt" });
    const after = await coverage("13", "private-malardalens-gyn-uro", "KED22", addDays(lastDay, 1));
    expect(after.rejected.find((r: any) => r.agreement.id === agreement.id)).toMatchObject({ reasonCode: "EXPIRED" });
    const later = await hub.query(
      `mutation { endAgreement(agreementId: "${agreement.id}", lastDay: "${addDays(lastDay, 10)}", reason: "x") { validUntil } }`,
    );
    expect(later.errors![0].extensions?.code).toBe("CONFLICT");
  });

  it.each([
    ["an end before a start", { validFrom: `${year}-06-01`, validUntil: `${year}-05-31` }, "input.validUntil", "END_BEFORE_START"],
    [
      "a negative price",
      { priceList: { name: "P", validFrom: `${year}-01-01`, entries: [{ procedureCode: "KED22", priceSek: -5 }] } },
      "input.priceList.entries[0].priceSek",
      "NEGATIVE_PRICE",
    ],
    [
      "a pact with a region outside its healthcare region",
      {
        kind: "HEALTHCARE_REGION_PACT",
        providerId: null,
        ceilings: [],
        healthcareRegionCode: "SODRA",
        partyRegionCodes: ["12", "13", "14"],
      },
      "input.partyRegionCodes[2]",
      "PARTY_OUTSIDE_HEALTHCARE_REGION",
    ],
    ["a private agreement with two regions", { partyRegionCodes: ["13", "12"] }, "input.partyRegionCodes", "PRIVATE_AGREEMENT_PARTIES"],
    ["a private agreement without a provider", { providerId: null }, "input.providerId", "REQUIRED"],
    [
      "Riksavtalet without all regions",
      { kind: "RIKSAVTALET", providerId: null, ceilings: [], partyRegionCodes: ["13", "12"] },
      "input.partyRegionCodes",
      "RIKSAVTALET_ALL_REGIONS",
    ],
    ["an unknown party region", { partyRegionCodes: ["99"] }, "input.partyRegionCodes[0]", "REGION_CODE_UNKNOWN"],
    ["coverage of nothing", { coverage: { coversAllPlannedCare: false } }, "input.coverage", "COVERAGE_EMPTY"],
    [
      "a ceiling of zero cases",
      { ceilings: [{ periodFrom: `${year}-01-01`, periodUntil: `${year}-12-31`, maxCases: 0 }] },
      "input.ceilings[0].maxCases",
      "POSITIVE",
    ],
    [
      "a price list outside the agreement",
      {
        priceList: {
          name: "P",
          validFrom: `${year - 1}-01-01`,
          validUntil: `${year - 1}-12-31`,
          entries: [{ procedureCode: "KED22", priceSek: 5 }],
        },
      },
      "input.priceList.validFrom",
      "OUTSIDE_AGREEMENT",
    ],
  ])("refuses %s and writes nothing", async (_what, overrides, field, rule) => {
    const before = await agreementCount();
    const { data, errors } = await hub.query(CREATE, { input: privateAgreement(overrides) });
    expect(data).toBeNull();
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
    expect(await agreementCount()).toBe(before);
  });

  it("refuses changes to an agreement that does not exist", async () => {
    const { errors } = await hub.query(
      `mutation { endAgreement(agreementId: "${randomUUID()}", lastDay: "${today}", reason: "x") { id } }`,
    );
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "agreementId", rule: "UNKNOWN_AGREEMENT" });
  });
});

describe("browsing agreements", () => {
  it("filters by specialty covered by the version in force", async () => {
    const { data } = await hub.query(
      `{ agreements(filter: { specialty: GENERAL_SURGERY, partyRegionCode: "13" }) { name version { coversAllPlannedCare coveredSpecialties } } }`,
    );
    expect(data.agreements.length).toBeGreaterThan(0);
    for (const a of data.agreements) {
      expect(a.version.coversAllPlannedCare || a.version.coveredSpecialties.includes("GENERAL_SURGERY")).toBe(true);
    }
    expect(data.agreements.map((a: any) => a.name)).toContain("Ramavtal dagkirurgi, Region Halland – Nordhalla Dagkirurgi AB");
  });

  it("shows a private agreement's volume ceilings", async () => {
    const { data } = await hub.query(
      `{ agreements(filter: { providerId: "${providerId("private-vastkustens-ogon")}" }) { ceilings { periodFrom maxCases usedCases remainingCases procedures { code name } } } }`,
    );
    expect(data.agreements[0].ceilings[0]).toMatchObject({
      periodFrom: `${year}-01-01`,
      maxCases: 200,
      procedures: [{ code: "CJE20", name: expect.any(String) }],
    });
  });
});

/** Agreements of Halland with Mälardalens Gynekologi & Urologi; other tests here make some too, so each test looks at its own. */
async function create(overrides: Record<string, unknown>): Promise<string> {
  const { data, errors } = await hub.query(`mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`, {
    input: privateAgreement(overrides),
  });
  expect(errors).toBeUndefined();
  return data.createAgreement.id;
}

async function commitUnder(agreementId: string, careDate: string, procedureCode = "KED22", specialty = "UROLOGY") {
  const referralId = randomUUID();
  const { data, errors } = await hub.query(
    `mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { id priceSek } }`,
    {
      input: { agreementId, referralId, specialty, procedureCode, careDate },
    },
  );
  expect(errors).toBeUndefined();
  return { referralId, ...data.commitReferralToAgreement };
}

const priceOn = async (agreementId: string, date: string) =>
  (await coverage("13", "private-malardalens-gyn-uro", "KED22", date)).applicable.find((a: any) => a.agreement.id === agreementId)
    ?.pricePerCaseSek;

const priceLists = async (agreementId: string) =>
  (await hub.query(`{ agreement(id: "${agreementId}") { priceLists { id name validFrom validUntil endReason } } }`)).data.agreement
    .priceLists;

const COMMITMENTS = /* GraphQL */ `
  query Commitments($id: ID!, $filter: AgreementCommitmentFilter, $first: Int, $after: String) {
    agreementCommitments(agreementId: $id, filter: $filter, first: $first, after: $after) {
      totalCount totalCountIsExact
      pageInfo { hasNextPage endCursor }
      edges { node { referralId careDate priceSek version { version } procedure { code } payingRegion { code } committedAt committedBy { role organisation subject viaService }
                     released releasedAt releaseReason releasedBy { role } } }
    }
  }`;

describe("a yearly price change over an open-ended price list", () => {
  const before = addDays(today, 10);
  const change = addDays(today, 40);
  const after = addDays(today, 60);
  const ADD = `mutation($id: ID!, $input: PriceListInputType!, $supersede: Boolean) { addPriceList(agreementId: $id, input: $input, supersede: $supersede) { id name validFrom validUntil } }`;
  const newPrices = { name: "Avtalspriser från ändringen", validFrom: change, entries: [{ procedureCode: "KED22", priceSek: 41_000 }] };

  it("supersedes the open list from a date: earlier dates and commitments already made keep their price", async () => {
    const id = await create({
      validFrom: `${year - 1}-01-01`,
      validUntil: null,
      ceilings: [],
      priceList: { name: "Avtalspriser", validFrom: `${year - 1}-01-01`, entries: [{ procedureCode: "KED22", priceSek: 38_000 }] },
    });
    // Commitments on both sides of the coming change, made under the old prices.
    const early = await commitUnder(id, before);
    const madeBeforeChange = await commitUnder(id, after);
    expect([early.priceSek, madeBeforeChange.priceSek]).toEqual([38_000, 38_000]);
    const [open] = await priceLists(id);

    // Without supersede the open list is in the way, and the error says so first.
    const refused = await hub.query(ADD, { id, input: newPrices });
    expect(refused.errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.validFrom",
      rule: "OVERLAPPING_PRICE_LIST",
    });
    expect(refused.errors![0].message).toContain("end that one first");
    expect(await priceLists(id)).toEqual([open]);

    const added = await hub.query(ADD, { id, input: newPrices, supersede: true });
    expect(added.errors).toBeUndefined();
    expect(added.data.addPriceList).toMatchObject({ validFrom: change, validUntil: null });
    expect(await priceLists(id)).toEqual([
      { id: added.data.addPriceList.id, name: newPrices.name, validFrom: change, validUntil: null, endReason: null },
      { ...open, validUntil: addDays(change, -1), endReason: `Superseded by "${newPrices.name}" from ${change}` },
    ]);

    expect(await priceOn(id, before)).toBe(38_000);
    expect(await priceOn(id, addDays(change, -1))).toBe(38_000);
    expect(await priceOn(id, change)).toBe(41_000);
    expect(await priceOn(id, after)).toBe(41_000);

    // A commitment made now for care after the change gets the new price; the earlier ones keep theirs.
    const madeAfterChange = await commitUnder(id, after);
    expect(madeAfterChange.priceSek).toBe(41_000);
    const { data, errors } = await hub.query(COMMITMENTS, { id });
    expect(errors).toBeUndefined();
    const byReferral = Object.fromEntries(data.agreementCommitments.edges.map((e: any) => [e.node.referralId, e.node]));
    expect(byReferral[early.referralId]).toMatchObject({ careDate: before, priceSek: 38_000 });
    expect(byReferral[madeBeforeChange.referralId]).toMatchObject({ careDate: after, priceSek: 38_000 });
    expect(byReferral[madeAfterChange.referralId]).toMatchObject({ careDate: after, priceSek: 41_000 });
  });

  it("ends a price list from a date with a reason; refuses a past day, a later end and an unknown list, writing nothing", async () => {
    const id = await create({
      validUntil: null,
      ceilings: [],
      priceList: { name: "Avtalspriser", validFrom: `${year}-01-01`, entries: [{ procedureCode: "KED22", priceSek: 38_000 }] },
    });
    const [open] = await priceLists(id);
    const END = `mutation($list: ID!, $d: Date!, $reason: String!) { endPriceList(priceListId: $list, lastDay: $d, reason: $reason) { id validUntil endReason } }`;
    const refusals: Array<[Record<string, unknown>, string, string]> = [
      [{ list: open.id, d: addDays(today, -1), reason: "Retroactive" }, "lastDay", "DATE_IN_PAST"],
      [{ list: open.id, d: `${year - 1}-12-31`, reason: "Before it starts" }, "lastDay", "END_BEFORE_START"],
      [{ list: open.id, d: change, reason: " " }, "reason", "REQUIRED"],
      [{ list: randomUUID(), d: change, reason: "Unknown" }, "priceListId", "UNKNOWN_PRICE_LIST"],
    ];
    for (const [variables, field, rule] of refusals) {
      const { data, errors } = await hub.query(END, variables);
      expect(data).toBeNull();
      expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
    }
    expect(await priceLists(id)).toEqual([open]);

    const office = await hub.queryAs(await token(Role.REGIONAL_OFFICE, "13"), END, { list: open.id, d: change, reason: "Not mine to end" });
    expect(office.errors![0].extensions?.code).toBe("FORBIDDEN");
    expect(await priceLists(id)).toEqual([open]);

    const ended = await hub.query(END, { list: open.id, d: addDays(change, -1), reason: "New prices from the change" });
    expect(ended.data.endPriceList).toEqual({ id: open.id, validUntil: addDays(change, -1), endReason: "New prices from the change" });
    expect(await priceOn(id, addDays(change, -1))).toBe(38_000);
    expect(await priceOn(id, change)).toBeNull();
    const later = await hub.query(END, { list: open.id, d: change, reason: "Later after all" });
    expect(later.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "lastDay", rule: "ENDING_NOT_BROUGHT_FORWARD" });

    // Now the next list can follow without superseding; superseding finds nothing to end.
    const nothing = await hub.query(ADD, { id, input: newPrices, supersede: true });
    expect(nothing.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "supersede", rule: "NOTHING_TO_SUPERSEDE" });
    expect((await hub.query(ADD, { id, input: newPrices })).errors).toBeUndefined();
    expect(await priceOn(id, change)).toBe(41_000);
  });

  it("does not supersede from a day that has passed", async () => {
    const id = await create({
      validUntil: null,
      ceilings: [],
      priceList: { name: "Avtalspriser", validFrom: `${year - 1}-01-01`, entries: [{ procedureCode: "KED22", priceSek: 38_000 }] },
      validFrom: `${year - 1}-01-01`,
    });
    const before = await priceLists(id);
    const { errors } = await hub.query(ADD, { id, input: { ...newPrices, validFrom: today }, supersede: true });
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.validFrom", rule: "DATE_IN_PAST" });
    expect(await priceLists(id)).toEqual(before);
  });
});

describe("what was committed under an agreement", () => {
  const CEILING_USE = /* GraphQL */ `
    query Use($id: ID!) { agreementCeilingUse(agreementId: $id) {
      ceiling { maxCases periodFrom periodUntil } usedCases remainingCases releasedCases casesPer30Days paceFrom readOn projectedReachedOn outlook } }`;

  it("pages an agreement's commitments by care date, with who committed, the price, and whether and why released", async () => {
    const id = await create({
      validUntil: `${year + 1}-12-31`,
      ceilings: [{ periodFrom: today, periodUntil: addDays(today, 364), maxCases: 10 }],
    });
    const dates = [addDays(today, 3), addDays(today, 1), addDays(today, 2)];
    const made = [];
    for (const date of dates) made.push(await commitUnder(id, date));
    const released = await hub.query(
      `mutation { releaseAgreementCommitment(referralId: "${made[2].referralId}", reason: "Patient declined") { id } }`,
    );
    expect(released.errors).toBeUndefined();

    const first = await hub.query(COMMITMENTS, { id, first: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.data.agreementCommitments).toMatchObject({ totalCount: 3, totalCountIsExact: true, pageInfo: { hasNextPage: true } });
    const nodes = first.data.agreementCommitments.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.careDate)).toEqual([dates[1], dates[2]]);
    expect(nodes[0]).toMatchObject({
      referralId: made[1].referralId,
      priceSek: 38_000,
      version: { version: 1 },
      procedure: { code: "KED22" },
      payingRegion: { code: "13" },
      committedBy: { role: "ADMINISTRATOR", viaService: null, subject: expect.any(String) },
      released: false,
      releasedAt: null,
      releaseReason: null,
      releasedBy: null,
    });
    expect(Date.parse(nodes[0].committedAt)).not.toBeNaN();
    expect(nodes[1]).toMatchObject({
      referralId: made[2].referralId,
      released: true,
      releaseReason: "Patient declined",
      releasedBy: { role: "ADMINISTRATOR" },
    });
    const rest = await hub.query(COMMITMENTS, { id, first: 2, after: first.data.agreementCommitments.pageInfo.endCursor });
    expect(rest.data.agreementCommitments.edges.map((e: any) => e.node.careDate)).toEqual([dates[0]]);
    expect(rest.data.agreementCommitments.pageInfo.hasNextPage).toBe(false);

    const standing = await hub.query(COMMITMENTS, { id, filter: { released: false } });
    expect(standing.data.agreementCommitments.edges.map((e: any) => e.node.referralId)).toEqual([made[1].referralId, made[0].referralId]);
    const window = await hub.query(COMMITMENTS, { id, filter: { careFrom: dates[2], careUntil: dates[2] } });
    expect(window.data.agreementCommitments.totalCount).toBe(1);

    // The ceiling's use: 2 standing of 10, both made today, so 2 per 30 days: 8 left take 120 days.
    const use = await hub.query(CEILING_USE, { id });
    expect(use.errors).toBeUndefined();
    expect(use.data.agreementCeilingUse).toEqual([
      {
        ceiling: { maxCases: 10, periodFrom: today, periodUntil: addDays(today, 364) },
        usedCases: 2,
        remainingCases: 8,
        releasedCases: 1,
        casesPer30Days: 2,
        paceFrom: addDays(today, -29),
        readOn: today,
        projectedReachedOn: addDays(today, 120),
        outlook: "REACHED_AT_PACE",
      },
    ]);
  });

  it("is for administrators and the paying region's office; FORBIDDEN for anyone else, with no patient data", async () => {
    const id = await create({ ceilings: [{ periodFrom: `${year}-01-01`, periodUntil: `${year}-12-31`, maxCases: 5 }] });
    const { referralId } = await commitUnder(id, today);
    const halland = await hub.queryAs(await token(Role.REGIONAL_OFFICE, "13"), COMMITMENTS, { id });
    expect(halland.errors).toBeUndefined();
    expect(halland.data.agreementCommitments.edges.map((e: any) => e.node.referralId)).toEqual([referralId]);
    const hallandUse = await hub.queryAs(await token(Role.REGIONAL_OFFICE, "13"), CEILING_USE, { id });
    expect(hallandUse.data.agreementCeilingUse[0]).toMatchObject({ usedCases: 1, remainingCases: 4 });

    for (const bearer of [token(Role.REGIONAL_OFFICE, "12"), token(Role.CLINIC), token(Role.PROVIDER), token(Role.PEER_REGION, "13")]) {
      for (const query of [COMMITMENTS, CEILING_USE]) {
        const { data, errors } = await hub.queryAs(await bearer, query, { id });
        expect(data).toBeNull();
        expect(errors![0].extensions?.code).toBe("FORBIDDEN");
      }
    }
    // Nothing about the patient is there to ask for.
    const patient = await hub.query(`{ agreementCommitments(agreementId: "${id}") { edges { node { patient { id } } } } }`);
    expect(patient.errors![0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("shows an office only the commitments its region pays for under an agreement of several regions", async () => {
    const { data } = await hub.query(
      `{ agreements(filter: { kind: HEALTHCARE_REGION_PACT, partyRegionCode: "12" }) { id name parties { code } } }`,
    );
    const sodra = data.agreements.find((a: any) => a.name.includes("Södra"));
    const input = (payingRegionCode?: string) => ({
      agreementId: sodra.id,
      referralId: randomUUID(),
      specialty: "ORTHOPAEDICS",
      procedureCode: "NFB49",
      careDate: today,
      payingRegionCode,
    });
    const commit = `mutation($input: CommitReferralInput!) { commitReferralToAgreement(input: $input) { referralId payingRegion { code } } }`;
    const unnamed = await hub.query(commit, { input: input() });
    expect(unnamed.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.payingRegionCode", rule: "REQUIRED" });
    const outsider = await hub.query(commit, { input: input("01") });
    expect(outsider.errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.payingRegionCode",
      rule: "PAYING_REGION_NOT_PARTY",
    });
    const skane = (await hub.query(commit, { input: input("12") })).data.commitReferralToAgreement;
    const halland = (await hub.query(commit, { input: input("13") })).data.commitReferralToAgreement;
    expect([skane.payingRegion, halland.payingRegion]).toEqual([{ code: "12" }, { code: "13" }]);

    const seenBy = async (region: string) =>
      (
        await hub.queryAs(await token(Role.REGIONAL_OFFICE, region), COMMITMENTS, { id: sodra.id, first: 100 })
      ).data.agreementCommitments.edges.map((e: any) => e.node.referralId);
    expect(await seenBy("12")).toContain(skane.referralId);
    expect(await seenBy("12")).not.toContain(halland.referralId);
    expect(await seenBy("13")).toEqual([halland.referralId]);
    const all = (await hub.query(COMMITMENTS, { id: sodra.id, first: 100 })).data.agreementCommitments.edges.map(
      (e: any) => e.node.referralId,
    );
    expect(all).toEqual(expect.arrayContaining([skane.referralId, halland.referralId]));
  });

  it("refuses a malformed or unknown agreement id and a bad cursor", async () => {
    expect((await hub.query(COMMITMENTS, { id: "x" })).errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "agreementId",
      rule: "ID_FORMAT",
    });
    expect((await hub.query(COMMITMENTS, { id: randomUUID() })).errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "agreementId",
      rule: "UNKNOWN_AGREEMENT",
    });
    const id = await create({ ceilings: [] });
    expect((await hub.query(COMMITMENTS, { id, after: "nonsense" })).errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "after",
      rule: "CURSOR_INVALID",
    });
    expect((await hub.query(COMMITMENTS, { id, first: 101 })).errors![0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "first",
    });
  });
});

describe("the headline reason", () => {
  it("names the agreement whose ceiling is reached, not another agreement with the provider that does not cover the care", async () => {
    // The unrelated agreement starts later, so precedence alone (the newest first) would put it first.
    const gynaecology = await create({
      name: `Gynekologi ${randomUUID()}`,
      coverage: { coversAllPlannedCare: false, procedureCodes: ["LCC05"] },
      ceilings: [{ periodFrom: `${year}-01-01`, periodUntil: `${year}-12-31`, maxCases: 1 }],
      priceList: {
        name: "Avtalspriser",
        validFrom: `${year}-01-01`,
        validUntil: `${year}-12-31`,
        entries: [{ procedureCode: "LCC05", priceSek: 24_000 }],
      },
    });
    const urology = await create({
      validFrom: today,
      ceilings: [],
      priceList: {
        name: "Avtalspriser",
        validFrom: today,
        validUntil: `${year + 1}-12-31`,
        entries: [{ procedureCode: "KED22", priceSek: 38_000 }],
      },
    });
    await commitUnder(gynaecology, today, "LCC05", "GYNAECOLOGY");
    const c = await coverage("13", "private-malardalens-gyn-uro", "LCC05", today);
    expect(c.status).toBe("NOT_COVERED");
    expect(c.rejected[0]).toMatchObject({ agreement: { id: gynaecology }, reasonCode: "CEILING_REACHED" });
    expect(c.reason).toContain("Its volume ceiling is reached: 1 of 1 cases");
    expect(c.reason).not.toContain("does not cover");
    expect(c.rejected.find((r: any) => r.agreement.id === urology)).toMatchObject({ reasonCode: "CARE_NOT_COVERED" });
    const order = [
      "CEILING_REACHED",
      "NOT_YET_IN_FORCE",
      "EXPIRED",
      "CARE_NOT_COVERED",
      "PROVIDER_REGION_NOT_PARTY",
      "PRIVATE_PROVIDER",
      "HOME_REGION_NOT_PARTY",
    ];
    const ranks = c.rejected.map((r: any) => order.indexOf(r.reasonCode));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it("reports the most specific rule first where several refuse one input", async () => {
    const id = await create({ validUntil: `${year}-12-31`, ceilings: [] });
    const { errors } = await hub.query(
      `mutation($id: ID!, $input: PriceListInputType!) { addPriceList(agreementId: $id, input: $input) { id } }`,
      {
        id,
        input: { name: "Overlapping and too long", validFrom: `${year}-06-01`, entries: [{ procedureCode: "KED22", priceSek: 1 }] },
      },
    );
    expect(errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.validFrom", rule: "OVERLAPPING_PRICE_LIST" });
    expect((errors![0].extensions!.problems as any[]).map((p) => p.rule)).toEqual(["OVERLAPPING_PRICE_LIST", "OUTSIDE_AGREEMENT"]);
  });
});
