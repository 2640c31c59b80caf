import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { patientId } from "../../seeds/data/patients";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { sixMonthsBefore } from "../../subgraphs/referrals/domain/invoicing";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";
import { expectValidFhir } from "../support/fhir-validator";

/**
 * The payment commitment in the national e-referral shape (GraphQL and FHIR), and the invoicing
 * basis per paying region and month (GraphQL and CSV) with care more than six months old flagged.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

const today = stockholmDate();
const TOLVAN = patientId("191212121212");
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const APPROVER = { hsa_id: "SE9999999999-E000000000042", name: "Vera Vårdgaranti" };
const office = () => token(Role.REGIONAL_OFFICE, "13", APPROVER);
const clinic = () => token(Role.CLINIC);
const kattegatt = () => token(Role.PROVIDER, KATTEGATT);

async function ok(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await hub.queryAs(await bearer, query, variables);
  expect(errors).toBeUndefined();
  return data;
}

const NATIONAL = `national { commitmentTypeCode chapterCode validFrom validUntil liableCountyCouncilCode outpatientOnly approvalDate approverHsaId approverName reimbursementType }`;

/** A Halland patient's hip replacement sent to Kattegatt (a private provider under Halland's own agreement) and booked. */
async function bookedAtKattegatt(careDate: string): Promise<string> {
  const registered = await ok(clinic(), `mutation($input: RegisterReferralInput!) { registerReferral(input: $input) { id } }`, {
    input: {
      patientId: TOLVAN,
      specialty: "ORTHOPAEDICS",
      procedureCode: "NFB49",
      visitType: "TREATMENT",
      decisionDate: addDays(today, -20),
      diagnosisCode: "M16.1",
    },
  });
  const id = registered.registerReferral.id;
  const published = await ok(kattegatt(), `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`, {
    input: {
      reportedBy: "test",
      offers: [
        {
          careUnitId: careUnitId("kattegatt-ortopedi"),
          procedureCode: "NFB49",
          slots: 1,
          validFrom: today,
          validUntil: addDays(today, 60),
          expectedWaitDays: 10,
        },
      ],
    },
  });
  await ok(
    office(),
    `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer, outpatientOnly: true }) { status } }`,
    { id, offer: published.publishCapacity.offers[0].id },
  );
  await ok(kattegatt(), `mutation($id: ID!) { receiveReferral(referralId: $id) { status } }`, { id });
  await ok(kattegatt(), `mutation($id: ID!) { acceptReferral(referralId: $id) { status } }`, { id });
  await ok(kattegatt(), `mutation($id: ID!, $d: Date!) { offerCareToPatient(referralId: $id, careDate: $d) { status } }`, {
    id,
    d: careDate,
  });
  await ok(office(), `mutation($id: ID!) { recordPatientAnswer(referralId: $id, accepted: true) { status } }`, { id });
  await ok(kattegatt(), `mutation($id: ID!, $d: Date!) { bookReferral(referralId: $id, careDate: $d) { status } }`, { id, d: careDate });
  return id;
}

const BASIS = `query($r: String!, $m: String!) { invoicingBasis(payingRegion: $r, month: $m) {
  referralId paymentCommitmentNumber agreementTypeCode riksavtalChapter reimbursementType agreementKind status careDate olderThanSixMonths outpatientOnly pricePerCaseSek
  provider { id name } procedure { code } } }`;

describe("the payment commitment in the national shape", () => {
  it("names type, chapter, validity, liable county council, outpatient only, approval and approver, reimbursement type", async () => {
    const id = await bookedAtKattegatt(addDays(today, 3));
    const { referral } = await ok(
      office(),
      `query($id: ID!) { referral(id: $id) { paymentCommitment { id validFrom validUntil ${NATIONAL} } } }`,
      { id },
    );
    const commitment = referral.paymentCommitment;
    expect(commitment.national).toEqual({
      commitmentTypeCode: null, // a private provider's own agreement: invoiced directly, no inter-region type
      chapterCode: null,
      validFrom: commitment.validFrom,
      validUntil: commitment.validUntil,
      liableCountyCouncilCode: "13",
      outpatientOnly: true,
      approvalDate: today,
      approverHsaId: APPROVER.hsa_id,
      approverName: APPROVER.name,
      reimbursementType: expect.stringMatching(/^(PER_CASE_PRICE|AGREEMENT_PRICE_LIST)$/),
    });

    // …and in FHIR: a contained Coverage the ServiceRequest names as its insurance, valid R4.
    const response = await fetch(`${hub.url.replace(/\/graphql$/, "/fhir")}/ServiceRequest/${id}`, {
      headers: { authorization: `Bearer ${await office()}` },
    });
    const serviceRequest = (await response.json()) as any;
    expect(serviceRequest.insurance).toEqual([{ reference: "#payment-commitment" }]);
    const coverage = serviceRequest.contained[0];
    expect(coverage).toMatchObject({
      resourceType: "Coverage",
      identifier: [{ value: commitment.id }],
      period: { start: commitment.validFrom, end: commitment.validUntil },
      payor: [{ identifier: { value: "13" } }],
      beneficiary: { identifier: { system: "urn:oid:1.2.752.129.2.1.3.1", value: "191212121212" } },
    });
    const parts = Object.fromEntries(coverage.extension[0].extension.map((e: any) => [e.url, e]));
    expect(parts.approver.valueIdentifier).toEqual({ system: "urn:oid:1.2.752.129.2.1.4.1", value: APPROVER.hsa_id });
    expect(parts.outpatientOnly.valueBoolean).toBe(true);
    expectValidFhir([serviceRequest]);
  });
});

describe("the invoicing basis", () => {
  it("lists booked and completed care per paying region and month, and flags care more than six months old", async () => {
    const careDate = addDays(today, 2);
    const id = await bookedAtKattegatt(careDate);
    const month = careDate.slice(0, 7);
    const lines = (await ok(office(), BASIS, { r: "13", m: month })).invoicingBasis;
    const line = lines.find((l: any) => l.referralId === id);
    expect(line).toMatchObject({
      status: "BOOKED",
      careDate,
      olderThanSixMonths: false,
      agreementKind: "CARE_GUARANTEE_AGREEMENT",
      outpatientOnly: true,
      procedure: { code: "NFB49" },
      provider: { id: KATTEGATT },
    });
    expect(line.paymentCommitmentNumber).toEqual(expect.any(String));
    // Another month and another paying region do not list it.
    const nextMonth = addDays(`${month}-28`, 7).slice(0, 7);
    expect((await ok(office(), BASIS, { r: "13", m: nextMonth })).invoicingBasis.some((l: any) => l.referralId === id)).toBe(false);
    expect(
      (await ok(token(Role.REGIONAL_OFFICE, "12"), BASIS, { r: "12", m: month })).invoicingBasis.some((l: any) => l.referralId === id),
    ).toBe(false);

    // Care given, then read seven months later: completed, and flagged.
    hub.clock.setDaysAhead(2);
    await ok(kattegatt(), `mutation($id: ID!, $on: Date) { completeReferral(referralId: $id, completedOn: $on) { status } }`, {
      id,
      on: careDate,
    });
    hub.clock.setDaysAhead(2 + 214);
    const later = (await ok(token(Role.ADMINISTRATOR), BASIS, { r: "13", m: month })).invoicingBasis.find((l: any) => l.referralId === id);
    expect(later).toMatchObject({ status: "COMPLETED", careDate, olderThanSixMonths: true });
    hub.clock.setDaysAhead(0);
  });

  it("is for the paying region's office and administrators only; bad arguments name the field and rule", async () => {
    const month = today.slice(0, 7);
    for (const bearer of [
      token(Role.REGIONAL_OFFICE, "12"),
      token(Role.PEER_REGION, "13"),
      token(Role.PROVIDER, KATTEGATT),
      token(Role.CLINIC),
    ]) {
      const { errors } = await hub.queryAs(await bearer, BASIS, { r: "13", m: month });
      expect(errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const badMonth = await hub.queryAs(await office(), BASIS, { r: "13", m: "2026-13" });
    expect(badMonth.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "month", rule: "MONTH_FORMAT" });
    const badRegion = await hub.queryAs(await office(), BASIS, { r: "99", m: month });
    expect(badRegion.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "payingRegion" });
  });

  it("downloads as CSV with a token, with the contract's columns", async () => {
    const careDate = addDays(today, 1);
    const id = await bookedAtKattegatt(careDate);
    const url = `${hub.url.replace(/\/graphql$/, "")}/invoicing-basis.csv?payingRegion=13&month=${careDate.slice(0, 7)}`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${await token(Role.REGIONAL_OFFICE, "12")}` } })).status).toBe(403);
    const missing = await fetch(url.replace(/month=[^&]+/, ""), { headers: { authorization: `Bearer ${await office()}` } });
    expect(missing.status).toBe(400);
    const response = await fetch(url, { headers: { authorization: `Bearer ${await office()}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const [header, ...rows] = (await response.text())
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(header.split(",")).toEqual(
      expect.arrayContaining([
        "payment_commitment_number",
        "agreement_type",
        "riksavtal_chapter",
        "reimbursement_type",
        "care_date",
        "older_than_six_months",
      ]),
    );
    const row = rows.find((r) => r.includes(id))!;
    expect(row).toContain(`13,${careDate.slice(0, 7)},${id},`);
    expect(row).toContain("Kattegattkliniken");
  });
});

describe("six months before", () => {
  it.each([
    ["2026-12-01", "2026-06-01"],
    ["2026-03-31", "2025-09-30"],
    ["2026-08-31", "2026-02-28"],
    ["2028-08-30", "2028-02-29"],
  ])("%s → %s", (date, expected) => {
    expect(sixMonthsBefore(date)).toBe(expected);
  });
});
