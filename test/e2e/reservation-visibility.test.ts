import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { patientId } from "../../seeds/data/patients";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { token } from "../support/tokens";

/**
 * A reservation's reference is a referral id: which region holds which slot for which referral.
 * Through the gateway, only the offer's provider (and administrators) and the reserving region see
 * it; competing providers and other regions see the offer's free slots, not the reservation.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => hub?.stop());

const today = stockholmDate();
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const ORESUND = providerId("private-oresund-ortopedcenter");

async function ok(bearer: Promise<string>, query: string, variables?: Record<string, unknown>) {
  const { data, errors } = await hub.queryAs(await bearer, query, variables);
  expect(errors).toBeUndefined();
  return data;
}

it("shows a reservation's reference to the offer's provider and the reserving region only", async () => {
  const offer = (
    await ok(
      token(Role.PROVIDER, KATTEGATT),
      `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
      {
        input: {
          reportedBy: "Booking system (test)",
          offers: [
            {
              careUnitId: careUnitId("kattegatt-ortopedi"),
              procedureCode: "NFB49",
              slots: 3,
              validFrom: today,
              validUntil: addDays(today, 60),
              expectedWaitDays: 10,
            },
          ],
        },
      },
    )
  ).publishCapacity.offers[0].id;
  const referral = (
    await ok(token(Role.CLINIC), `mutation($input: RegisterReferralInput!) { registerReferral(input: $input) { id } }`, {
      input: {
        patientId: patientId("191212121212"),
        specialty: "ORTHOPAEDICS",
        procedureCode: "NFB49",
        visitType: "TREATMENT",
        decisionDate: addDays(today, -20),
        diagnosisCode: "M16.1",
      },
    })
  ).registerReferral.id;
  await ok(
    token(Role.REGIONAL_OFFICE, "13"),
    `mutation($id: ID!, $offer: ID!) { sendReferral(referralId: $id, input: { offerId: $offer }) { status } }`,
    { id: referral, offer },
  );

  const RESERVATIONS = `query($id: ID!) { capacityOffer(id: $id) { availableSlots reservations { referenceId reservedAt slots } } }`;
  const seenBy = async (bearer: Promise<string>) => (await ok(bearer, RESERVATIONS, { id: offer })).capacityOffer;

  for (const bearer of [
    token(Role.PROVIDER, KATTEGATT),
    token(Role.REGIONAL_OFFICE, "13"),
    token(Role.CLINIC),
    token(Role.PEER_REGION, "13"),
    token(Role.ADMINISTRATOR),
  ]) {
    expect(await seenBy(bearer)).toMatchObject({ availableSlots: 2, reservations: [{ referenceId: referral, slots: 1 }] });
  }
  for (const bearer of [token(Role.PROVIDER, ORESUND), token(Role.REGIONAL_OFFICE, "14"), token(Role.PEER_REGION, "12")]) {
    expect(await seenBy(bearer)).toEqual({ availableSlots: 2, reservations: [] });
  }
});
