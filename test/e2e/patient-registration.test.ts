import { Client } from "pg";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * Patients registered by their home region's clinic or office, through the gateway: identity
 * numbers verified, one patient per identity (concurrent registrations included), moves recorded
 * from a date, protected identity hiding name and address from everyone but the home region's
 * office, and every write in the audit log. Identity numbers are Skatteverket's test numbers.
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

const today = stockholmDate();
const clinic13 = () => token(Role.CLINIC);
const office13 = () => token(Role.REGIONAL_OFFICE, "13");
const clinic14 = () => token(Role.CLINIC, careUnitId("sahlgrenska-ortopedi"), { region: "14" });
const office14 = () => token(Role.REGIONAL_OFFICE, "14");

const REGISTER = `mutation($input: RegisterPatientInput!) { registerPatient(input: $input) {
  created patient { id personalIdentityNumber identityKind givenName familyName birthDate homeMunicipalityCode homeRegion { code } protectedIdentity identitySource
                    address { streetAddress postalCode city } residences { validFrom municipalityCode region { code } } } } }`;

const person = (overrides: Record<string, unknown> = {}) => ({
  personalIdentityNumber: "19000101-9801",
  givenName: "Astrid",
  familyName: "Provberg",
  homeMunicipalityCode: "1383",
  address: { streetAddress: "Testgatan 1", postalCode: "432 44", city: "Varberg" },
  ...overrides,
});

async function as(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  return hub.queryAs(await bearer, query, variables);
}

describe("registering a patient", () => {
  it("verifies the identity number and the municipality at the edge", async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ personalIdentityNumber: "19000101-9802" }, "input.personalIdentityNumber", "IDENTITY_NUMBER_CHECK_DIGIT"],
      [{ personalIdentityNumber: "19000231-9801" }, "input.personalIdentityNumber", "IDENTITY_NUMBER_DATE"],
      [{ personalIdentityNumber: "abc" }, "input.personalIdentityNumber", "IDENTITY_NUMBER_FORMAT"],
      [{ homeMunicipalityCode: "1399" }, "input.homeMunicipalityCode", "MUNICIPALITY_UNKNOWN"],
      [{ givenName: " " }, "input.givenName", "TEXT_LENGTH"],
      [
        { address: { streetAddress: "Testgatan 1", postalCode: "4324", city: "Varberg" } },
        "input.address.postalCode",
        "POSTAL_CODE_FORMAT",
      ],
    ];
    for (const [overrides, field, rule] of cases) {
      const { errors } = await as(clinic13(), REGISTER, { input: person(overrides) });
      expect(errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field, rule });
      // The number is never repeated in an error.
      expect(errors?.[0].message).not.toContain("9801");
    }
    expect(
      Number((await db.query("SELECT count(*) FROM patients.patient WHERE personal_identity_number = '190001019801'")).rows[0].count),
    ).toBe(0);
  });

  it("is for the home region's clinics and office only", async () => {
    for (const bearer of [
      clinic14(),
      office14(),
      token(Role.PROVIDER, providerId("private-kattegatt-ortopedi")),
      token(Role.ADMINISTRATOR),
      token(Role.PEER_REGION, "13"),
    ]) {
      const { errors } = await as(bearer, REGISTER, { input: person() });
      expect(errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const lowAssurance = await as(token(Role.CLINIC, undefined, { loa: 2 }), REGISTER, { input: person() });
    expect(lowAssurance.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("registers once: the same identity again, even concurrently, finds the same patient", async () => {
    const input = person({ personalIdentityNumber: "189001019802", givenName: "Hedvig", homeMunicipalityCode: "1380", address: null });
    const bearer = await clinic13();
    const answers = await Promise.all(Array.from({ length: 6 }, () => hub.queryAs(bearer, REGISTER, { input })));
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    const ids = new Set(answers.map((a) => a.data.registerPatient.patient.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.data.registerPatient.created)).toHaveLength(1);
    expect(answers[0].data.registerPatient.patient).toMatchObject({
      personalIdentityNumber: "18900101-9802",
      identityKind: "PERSONNUMMER",
      birthDate: "1890-01-01",
      homeRegion: { code: "13" },
      identitySource: "CLINIC_INPUT",
      residences: [{ validFrom: null, municipalityCode: "1380", region: { code: "13" } }],
    });
    expect(
      Number((await db.query("SELECT count(*) FROM patients.patient WHERE personal_identity_number = '189001019802'")).rows[0].count),
    ).toBe(1);
    // The office of the home region finds it too; another region is refused (and learns only that).
    const again = await as(office13(), REGISTER, { input });
    expect(again.data.registerPatient).toMatchObject({ created: false, patient: { id: [...ids][0] } });
    const elsewhere = await as(office14(), REGISTER, { input: { ...input, homeMunicipalityCode: "1480" } });
    expect(elsewhere.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", rule: "NOT_THE_HOME_REGION" });
  });

  it("registers a samordningsnummer, and audits every registration as a change", async () => {
    const { data, errors } = await as(office13(), REGISTER, {
      input: person({ personalIdentityNumber: "191401682396", givenName: "Samuel", address: null }),
    });
    expect(errors).toBeUndefined();
    expect(data.registerPatient.patient).toMatchObject({ identityKind: "SAMORDNINGSNUMMER", birthDate: "1914-01-08" });
    const audit = await db.query(
      `SELECT action, outcome, basis, role FROM audit.patient_data_access WHERE patient_id = $1 AND action = 'CHANGE'`,
      [data.registerPatient.patient.id],
    );
    expect(audit.rows).toEqual([{ action: "CHANGE", outcome: "ALLOWED", basis: "HOME_REGION_OFFICE_REGISTERED", role: "REGIONAL_OFFICE" }]);
  });
});

describe("a move", () => {
  const MOVE = `mutation($id: ID!, $input: ChangePatientAddressInput!) { changePatientAddress(patientId: $id, input: $input) {
    homeMunicipalityCode homeRegion { code } address { city } residences { validFrom municipalityCode } } }`;

  it("changes the home municipality from a date, keeping the history; the home region follows", async () => {
    const registered = await as(clinic13(), REGISTER, {
      input: person({ personalIdentityNumber: "191001029816", givenName: "Gustav", homeMunicipalityCode: "1383" }),
    });
    const id = registered.data.registerPatient.patient.id;
    const future = await as(clinic13(), MOVE, { id, input: { homeMunicipalityCode: "1380", validFrom: addDays(today, 1) } });
    expect(future.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.validFrom", rule: "DATE_IN_FUTURE" });
    const notHome = await as(clinic14(), MOVE, { id, input: { homeMunicipalityCode: "1380", validFrom: today } });
    expect(notHome.errors?.[0].extensions?.code).toBe("NOT_FOUND");

    const within = await as(clinic13(), MOVE, {
      id,
      input: {
        homeMunicipalityCode: "1380",
        validFrom: addDays(today, -10),
        address: { streetAddress: "Provvägen 2", postalCode: "30233", city: "Halmstad" },
      },
    });
    expect(within.errors).toBeUndefined();
    expect(within.data.changePatientAddress).toEqual({
      homeMunicipalityCode: "1380",
      homeRegion: { code: "13" },
      address: { city: "Halmstad" },
      residences: [
        { validFrom: null, municipalityCode: "1383" },
        { validFrom: addDays(today, -10), municipalityCode: "1380" },
      ],
    });
    const earlier = await as(clinic13(), MOVE, { id, input: { homeMunicipalityCode: "1384", validFrom: addDays(today, -20) } });
    expect(earlier.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", rule: "NOT_AFTER_LAST_MOVE" });

    // To Göteborg: the patient now belongs to Västra Götaland, whose office and clinics see it; Halland no longer does.
    const away = await as(office13(), MOVE, { id, input: { homeMunicipalityCode: "1480", validFrom: today } });
    expect(away.errors).toBeUndefined();
    expect(away.data.changePatientAddress).toBeNull();
    const seen = await as(office14(), `query($id: ID!) { patient(id: $id) { homeRegion { code } residences { municipalityCode } } }`, {
      id,
    });
    expect(seen.data.patient).toEqual({
      homeRegion: { code: "14" },
      residences: [{ municipalityCode: "1383" }, { municipalityCode: "1380" }, { municipalityCode: "1480" }],
    });
    expect((await as(office13(), `query($id: ID!) { patient(id: $id) { id } }`, { id })).data.patient).toBeNull();
    const audit = await db.query(
      `SELECT basis FROM audit.patient_data_access WHERE patient_id = $1 AND action = 'CHANGE' AND outcome = 'ALLOWED' ORDER BY occurred_at, id`,
      [id],
    );
    expect(audit.rows.map((r) => r.basis)).toEqual([
      "HOME_REGION_CLINIC_REGISTERED",
      "HOME_REGION_CLINIC_ADDRESS_CHANGED",
      "HOME_REGION_OFFICE_ADDRESS_CHANGED",
    ]);
  });
});

describe("the guarantee's home rules follow a move", () => {
  it("registers referrals after a move with the new home municipality (Halland's pacts follow it)", async () => {
    const { data } = await as(clinic13(), REGISTER, {
      input: person({ personalIdentityNumber: "202402292383", givenName: "Flytt", homeMunicipalityCode: "1384", address: null }),
    });
    const patientId = data.registerPatient.patient.id;
    const REFERRAL = `mutation($input: RegisterReferralInput!) { registerReferral(input: $input) { homeMunicipalityCode homeRegion { code } } }`;
    const input = {
      patientId,
      specialty: "ORTHOPAEDICS",
      procedureCode: "NFB49",
      visitType: "TREATMENT",
      decisionDate: addDays(today, -5),
      diagnosisCode: "M16.1",
    };
    const before = await as(clinic13(), REFERRAL, { input });
    expect(before.errors).toBeUndefined();
    expect(before.data.registerReferral).toEqual({ homeMunicipalityCode: "1384", homeRegion: { code: "13" } });
    const moved = await as(
      clinic13(),
      `mutation($id: ID!, $input: ChangePatientAddressInput!) { changePatientAddress(patientId: $id, input: $input) { homeMunicipalityCode } }`,
      {
        id: patientId,
        input: { homeMunicipalityCode: "1380", validFrom: addDays(today, -3) },
      },
    );
    expect(moved.data.changePatientAddress.homeMunicipalityCode).toBe("1380");
    const after = await as(clinic13(), REFERRAL, { input });
    expect(after.data.registerReferral).toEqual({ homeMunicipalityCode: "1380", homeRegion: { code: "13" } });
  });
});

describe("protected identity", () => {
  const READ = `query($id: ID!) { patient(id: $id) { id givenName familyName address { streetAddress } protectedIdentity personalIdentityNumber } }`;

  it("shows name and address to the home region's office only, whoever else may see the patient", async () => {
    const { data } = await as(clinic13(), REGISTER, {
      input: person({
        personalIdentityNumber: "202401012394",
        givenName: "Skyddad",
        familyName: "Person",
        homeMunicipalityCode: "1380",
        protectedIdentity: true,
      }),
    });
    const id = data.registerPatient.patient.id;
    // Even the registering clinic gets the answer without name and address.
    expect(data.registerPatient.patient).toMatchObject({ givenName: null, familyName: null, address: null, protectedIdentity: true });
    expect((await as(office13(), READ, { id })).data.patient).toMatchObject({
      givenName: "Skyddad",
      familyName: "Person",
      address: { streetAddress: "Testgatan 1" },
    });
    expect((await as(clinic13(), READ, { id })).data.patient).toMatchObject({
      givenName: null,
      familyName: null,
      address: null,
      personalIdentityNumber: "20240101-2394",
    });
    expect((await as(office14(), READ, { id })).data.patient).toBeNull();

    // Unmarking (by the home region) shows the name again to its clinics; marking again hides it.
    const MARK = `mutation($id: ID!, $p: Boolean!) { setProtectedIdentity(patientId: $id, protectedIdentity: $p) { givenName protectedIdentity } }`;
    expect((await as(clinic13(), MARK, { id, p: false })).data.setProtectedIdentity).toEqual({
      givenName: "Skyddad",
      protectedIdentity: false,
    });
    expect((await as(clinic13(), MARK, { id, p: true })).data.setProtectedIdentity).toEqual({ givenName: null, protectedIdentity: true });
    expect((await as(office14(), MARK, { id, p: false })).errors?.[0].extensions?.code).toBe("NOT_FOUND");
    const denied = await db.query(
      `SELECT count(*) FROM audit.patient_data_access WHERE patient_id = $1 AND action = 'CHANGE' AND outcome = 'DENIED'`,
      [id],
    );
    expect(Number(denied.rows[0].count)).toBe(1);
  });
});
