import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { privateAgreement } from "../support/agreements";
import { createEmptyDatabase } from "../support/database";
import { startTestHub, TestHub } from "../support/hub";
import { hsaIdOf, organisationNumber, runImport } from "../support/imports";
import { token } from "../support/tokens";

/**
 * A production node filled from a region's own sources, as the README's production section says:
 * a hub started with HUB_SEED=reference on an empty database has regions, KVÅ's brokered subset and
 * the guarantee's limits, nothing else. The region imports its HSA catalogue export and
 * Socialstyrelsen's KVÅ file, its clinic registers patients, a private provider publishes capacity
 * at an imported unit, and the brokering story runs on that data. Bad files are refused line by
 * line with nothing written.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub({ HUB_SEED: "reference" }, { databaseUrl: await createEmptyDatabase() });
});
afterAll(() => hub?.stop());

const today = stockholmDate();
// Synthetic organisation numbers (valid check digits; not real organisations').
const REGION_ORG = "232199999";
const PRIVATE_ORG = "559988776";
const HOSPITAL = hsaIdOf(REGION_ORG, "1001");
const HOSPITAL_ORTHO = hsaIdOf(REGION_ORG, "1001ORT");
const PRIVATE = hsaIdOf(PRIVATE_ORG, "1");
const PRIVATE_ORTHO = hsaIdOf(PRIVATE_ORG, "ORT");

const PROVIDERS_FILE = JSON.stringify(
  {
    providers: [
      {
        hsaId: HOSPITAL,
        organisationNumber: organisationNumber(REGION_ORG),
        name: "Länssjukhuset Halmstad (test)",
        kind: "PUBLIC",
        regionCode: "13",
        municipalityCode: "1380",
        units: [{ hsaId: HOSPITAL_ORTHO, name: "Ortopedkliniken, Länssjukhuset Halmstad", specialty: "ORTHOPAEDICS" }],
      },
      {
        hsaId: PRIVATE,
        organisationNumber: organisationNumber(PRIVATE_ORG),
        name: "Ortopediklinik Väst AB (test)",
        kind: "PRIVATE",
        regionCode: "13",
        municipalityCode: "1383",
        units: [{ hsaId: PRIVATE_ORTHO, name: "Ortopedi Varberg", specialty: "ORTHOPAEDICS" }],
      },
    ],
  },
  null,
  2,
);

const KVA_FILE = [
  "code,title,validFrom,validTo,specialty,visitType",
  "NFB49,Primär total höftledsprotes cementerad,1997-01-01,,ORTHOPAEDICS,TREATMENT",
  "NGB49,Primär total knäledsprotes,1997-01-01,,ORTHOPAEDICS,TREATMENT",
  "QAB10,Ett exempel utan klassning,2020-01-01,,,",
  `NFB99,Höftledsprotes annan (utgången),1997-01-01,${addDays(today, -365)},ORTHOPAEDICS,TREATMENT`,
].join("\n");

async function ok(bearer: Promise<string> | string, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await hub.queryAs(await bearer, query, variables);
  expect(errors).toBeUndefined();
  return data;
}

describe("a production node filled from the region's sources", () => {
  let hospitalUnit: string;
  let privateProvider: string;
  let privateUnit: string;
  const office = () => token(Role.REGIONAL_OFFICE, "13");
  const clinic = () => token(Role.CLINIC, hospitalUnit, { region: "13" });

  it("starts with reference data only: no providers, no patients", async () => {
    const data = await ok(office(), `{ providers { id } regions { code } procedures { code } }`);
    expect(data.providers).toEqual([]);
    expect(data.regions).toHaveLength(21);
    expect(data.procedures.length).toBeGreaterThan(0);
  });

  it("refuses bad files line by line, with nothing written", async () => {
    const bad = PROVIDERS_FILE.replace(`"municipalityCode": "1383"`, `"municipalityCode": "1480"`).replace(
      `"specialty": "ORTHOPAEDICS"`,
      `"specialty": "ORTOPEDI"`,
    );
    const refused = await runImport(hub.databaseUrl, "providers", "hsa-export.json", bad);
    expect(refused.code).toBe(1);
    // Each problem names the line its object starts on (the "{" before its hsaId).
    const lineOf = (needle: string) => bad.slice(0, bad.indexOf(needle)).split("\n").length - 1;
    expect(refused.stderr).toContain(`line ${lineOf(`"hsaId": "${HOSPITAL_ORTHO}"`)}: units.specialty: "ORTOPEDI" is not one of`);
    expect(refused.stderr).toContain(
      `line ${lineOf(`"hsaId": "${PRIVATE}"`)}: municipalityCode: municipality 1480 is not in region 13 (MUNICIPALITY_NOT_IN_REGION)`,
    );
    const kva = await runImport(hub.databaseUrl, "kva", "kva.csv", KVA_FILE.replace("NGB49,", "NGB4,"));
    expect(kva.code).toBe(1);
    expect(kva.stderr).toContain("line 3: code:");
    const data = await ok(office(), `{ providers { id } procedure(code: "QAB10") { code } }`);
    expect(data).toEqual({ providers: [], procedure: null });
  });

  it("imports the HSA catalogue export and the KVÅ file", async () => {
    const providers = await runImport(hub.databaseUrl, "providers", "hsa-export.json", PROVIDERS_FILE, ["--full"]);
    expect(providers.stderr).toBe("");
    expect(providers.stdout).toContain("providers: 2 created, 0 updated, 0 deactivated; care units: 2 created");
    const kva = await runImport(hub.databaseUrl, "kva", "kva.csv", KVA_FILE);
    expect(kva.stderr).toBe("");
    expect(kva.stdout).toMatch(/KVÅ codes: \d+ created, \d+ updated/);

    const data = await ok(
      office(),
      `{ providers(regionCode: "13") { id hsaId kind organisationNumber healthcareRegion { code } careUnits { id hsaId specialty active } } }`,
    );
    const byHsa = new Map(data.providers.map((p: any) => [p.hsaId, p]));
    const hospital: any = byHsa.get(HOSPITAL);
    const clinicProvider: any = byHsa.get(PRIVATE);
    expect(hospital).toMatchObject({
      kind: "PUBLIC",
      organisationNumber: organisationNumber(REGION_ORG),
      healthcareRegion: { code: "SODRA" },
    });
    expect(clinicProvider).toMatchObject({ kind: "PRIVATE", healthcareRegion: { code: "VASTRA" } });
    hospitalUnit = hospital.careUnits[0].id;
    privateProvider = clinicProvider.id;
    privateUnit = clinicProvider.careUnits[0].id;
    const retired = await ok(office(), `{ procedure(code: "NFB99") { retired validTo } }`);
    expect(retired.procedure).toEqual({ retired: true, validTo: addDays(today, -365) });
  });

  let patientId: string;
  it("registers patients through the gateway, as the hospital's clinic meets them", async () => {
    const REGISTER = `mutation($input: RegisterPatientInput!) { registerPatient(input: $input) { created patient { id homeRegion { code } } } }`;
    const tolvan = await ok(clinic(), REGISTER, {
      input: { personalIdentityNumber: "19121212-1212", givenName: "Tolvan", familyName: "Tolvansson", homeMunicipalityCode: "1380" },
    });
    expect(tolvan.registerPatient).toMatchObject({ created: true, patient: { homeRegion: { code: "13" } } });
    patientId = tolvan.registerPatient.patient.id;
    const second = await ok(clinic(), REGISTER, {
      input: { personalIdentityNumber: "194001079120", givenName: "Ingrid", familyName: "Exempeldotter", homeMunicipalityCode: "1384" },
    });
    expect(second.registerPatient.created).toBe(true);
  });

  it("publishes capacity at an imported unit, and brokers the patient there under an agreement", async () => {
    const year = Number(today.slice(0, 4));
    const agreement = await ok(
      token(Role.ADMINISTRATOR),
      `mutation($input: CreateAgreementInputType!) { createAgreement(input: $input) { id } }`,
      {
        input: privateAgreement({
          name: "Vårdgarantiavtal ortopedi, Region Halland – Ortopediklinik Väst AB (test)",
          providerId: privateProvider,
          coverage: { coversAllPlannedCare: false, procedureCodes: ["NFB49"] },
          ceilings: [{ periodFrom: `${year}-01-01`, periodUntil: `${year + 1}-12-31`, maxCases: 50 }],
          priceList: {
            name: "Avtalspriser",
            validFrom: `${year}-01-01`,
            validUntil: `${year + 1}-12-31`,
            entries: [{ procedureCode: "NFB49", priceSek: 80_000 }],
          },
        }),
      },
    );
    expect(agreement.createAgreement.id).toBeDefined();

    const provider = () => token(Role.PROVIDER, privateProvider);
    const published = await ok(
      provider(),
      `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id careUnit { id } } } }`,
      {
        input: {
          reportedBy: "Booking system (test)",
          offers: [
            {
              careUnitId: privateUnit,
              procedureCode: "NFB49",
              slots: 3,
              validFrom: today,
              validUntil: addDays(today, 60),
              earliestStart: addDays(today, 5),
              expectedWaitDays: 14,
            },
          ],
        },
      },
    );
    const offerId = published.publishCapacity.offers[0].id;
    expect(published.publishCapacity.offers[0].careUnit.id).toBe(privateUnit);
    // The hospital's own unit: capacity for an unclassified KVÅ code is refused, for a retired one too.
    const hospitalProvider = (await ok(office(), `{ providers(regionCode: "13", kind: PUBLIC) { id } }`)).providers[0].id;
    for (const [code, rule] of [
      ["QAB10", "PROCEDURE_NOT_BROKERED"],
      ["NFB99", "PROCEDURE_RETIRED"],
    ]) {
      const { errors } = await hub.queryAs(
        await token(Role.PROVIDER, hospitalProvider),
        `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
        {
          input: {
            reportedBy: "Test",
            offers: [
              {
                careUnitId: hospitalUnit,
                procedureCode: code,
                slots: 1,
                validFrom: today,
                validUntil: addDays(today, 30),
                expectedWaitDays: 10,
              },
            ],
          },
        },
      );
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", rule });
    }

    const registered = await ok(clinic(), `mutation($input: RegisterReferralInput!) { registerReferral(input: $input) { id status } }`, {
      input: {
        patientId,
        specialty: "ORTHOPAEDICS",
        procedureCode: "NFB49",
        visitType: "TREATMENT",
        decisionDate: addDays(today, -80),
        diagnosisCode: "M16.1",
      },
    });
    const referralId = registered.registerReferral.id;
    await ok(
      clinic(),
      `mutation($id: ID!) { handReferralToOffice(referralId: $id, reason: "Kan inte operera inom vårdgarantin") { status } }`,
      { id: referralId },
    );

    const matches = await ok(
      office(),
      `query($id: ID!) { referral(id: $id) { guarantee { status } matches(first: 10) { tier startsByDeadline pricePerCaseSek agreement { id } offer { id } } } }`,
      { id: referralId },
    );
    expect(matches.referral.guarantee.status).toBe("AT_RISK");
    const match = matches.referral.matches.find((m: any) => m.offer.id === offerId);
    expect(match).toMatchObject({
      tier: "OWN_PRIVATE_AGREEMENT",
      startsByDeadline: true,
      pricePerCaseSek: 80_000,
      agreement: { id: agreement.createAgreement.id },
    });

    const sent = await ok(
      office(),
      `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }) { status provider { name } paymentCommitment { payingRegionCode pricePerCaseSek } } }`,
      {
        id: referralId,
        offer: offerId,
      },
    );
    expect(sent.sendReferral).toEqual({
      status: "SENT",
      provider: { name: "Ortopediklinik Väst AB (test)" },
      paymentCommitment: { payingRegionCode: "13", pricePerCaseSek: 80_000 },
    });
    // The provider sees the patient it was sent (a referral's patient), and books.
    const seen = await ok(provider(), `query($id: ID!) { referral(id: $id) { patient { givenName } } }`, { id: referralId });
    expect(seen.referral.patient.givenName).toBe("Tolvan");
    await ok(provider(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id: referralId });
    await ok(provider(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id: referralId });
    await ok(provider(), `mutation($id: ID!, $d: Date!) { offerCareToPatient(referralId: $id, careDate: $d) { status } }`, {
      id: referralId,
      d: addDays(today, 6),
    });
    await ok(office(), `mutation($id: ID!) { recordPatientAnswer(referralId: $id, accepted: true, reason: null) { status } }`, {
      id: referralId,
    });
    const booked = await ok(
      provider(),
      `mutation($id: ID!, $d: Date!) { bookReferral(referralId: $id, careDate: $d) { status guarantee { status } } }`,
      { id: referralId, d: addDays(today, 6) },
    );
    expect(booked.bookReferral).toEqual({ status: "BOOKED", guarantee: { status: "MET" } });
  });
});
