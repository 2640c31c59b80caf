import { generateKeyPair, SignJWT } from "jose";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { DEV_ISSUER } from "../../gateway/dev-keys";
import { startTestHub, TestHub } from "../support/hub";
import { subscribe } from "../support/subscriptions";
import { token } from "../support/tokens";

/**
 * Who may call the hub at all, and who may change capacity: tokens are verified at the gateway
 * (issuer, signature, audience, expiry, claims), and capacity can be published, changed or
 * reserved only by the provider that owns it, or an administrator.
 */
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub?.stop());

const today = stockholmDate();
const KATTEGATT = providerId("private-kattegatt-ortopedi");
const ORESUND = providerId("private-oresund-ortopedcenter");
const FREE = `{ freeCapacity(first: 1) { totalCount } }`;

async function expectUnauthenticated(bearer: string | undefined, reason: RegExp) {
  const { data, errors } = await hub.queryAs(bearer, FREE);
  expect(data).toBeUndefined();
  expect(errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  expect(errors?.[0].message).toMatch(reason);
}

describe("authentication at the gateway", () => {
  it("answers nothing without a token, and 401 over HTTP", async () => {
    const response = await fetch(hub.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: FREE }),
    });
    expect(response.status).toBe(401);
    await expectUnauthenticated(undefined, /Authorization: Bearer/);
    // /health stays open for load balancers.
    expect((await fetch(hub.url.replace(/graphql$/, "health"))).status).toBe(200);
  });

  it("lets every role read free capacity", async () => {
    for (const role of [Role.REGIONAL_OFFICE, Role.CLINIC, Role.PROVIDER, Role.PEER_REGION, Role.ADMINISTRATOR]) {
      const { data, errors } = await hub.queryAs(await token(role), FREE);
      expect(errors).toBeUndefined();
      expect(data.freeCapacity.totalCount).toBeGreaterThan(0);
    }
  });

  it("refuses expired tokens, other audiences, unknown issuers, forged signatures and incomplete claims", async () => {
    await expectUnauthenticated(await token(Role.ADMINISTRATOR, undefined, { exp: Math.floor(Date.now() / 1000) - 60 }), /expired/);
    await expectUnauthenticated(await token(Role.ADMINISTRATOR, undefined, { aud: "some-other-service" }), /aud/);
    await expectUnauthenticated(await token(Role.REGIONAL_OFFICE, undefined, { region: null }), /must name its region/);
    await expectUnauthenticated(await token(Role.PROVIDER, undefined, { provider: "acme" }), /provider/);
    await expectUnauthenticated(await token(Role.ADMINISTRATOR, undefined, { role: "SUPERUSER" }), /role/);
    await expectUnauthenticated("not-a-token", /not a JWT/);
    await expectUnauthenticated(await token(Role.ADMINISTRATOR, undefined, { iss: "https://idp.example" }), /not accepted/);

    // Same issuer and claims, signed with another key.
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT({ role: "ADMINISTRATOR", loa: 3 })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(DEV_ISSUER)
      .setAudience("care-brokering-hub")
      .setSubject("intruder")
      .setExpirationTime("1h")
      .sign(privateKey);
    await expectUnauthenticated(forged, /signature/);

    // A genuine token's header (naming the issuer's real key) and claims, signed with another key;
    // and a genuine peer region's token whose claims were raised to administrator, its signature kept.
    const genuine = await token(Role.PEER_REGION);
    const [header, payload, signature] = genuine.split(".");
    const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    const resigned = await new SignJWT(decode(payload)).setProtectedHeader(decode(header)).sign(privateKey);
    await expectUnauthenticated(resigned, /signature/);
    const raised = Buffer.from(JSON.stringify({ ...decode(payload), role: Role.ADMINISTRATOR })).toString("base64url");
    await expectUnauthenticated(`${header}.${raised}.${signature}`, /signature/);
    // …while the genuine token itself is accepted: what was refused above is the signature alone.
    const { errors } = await hub.queryAs(genuine, FREE);
    expect(errors).toBeUndefined();
  });

  it("refuses a subscription without a valid token, and ends one whose token expires", async () => {
    const anonymous = subscribe(hub.url, "subscription { offerPublished { id } }", undefined, null);
    const closed = (await anonymous.ended) as { code?: number };
    expect(closed.code).toBe(4401);

    const shortLived = await token(Role.REGIONAL_OFFICE, undefined, undefined, 2);
    const expiring = subscribe(hub.url, "subscription { offerPublished { id } }", undefined, shortLived);
    const ended = (await expiring.ended) as { code?: number; reason?: string };
    expect(ended.code).toBe(4401);
    expect(ended.reason).toContain("expired");
  });
});

describe("who may change capacity", () => {
  const PUBLISH = `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`;
  const offer = (unit: string) => ({
    reportedBy: "Booking system (test)",
    offers: [
      {
        careUnitId: careUnitId(unit),
        procedureCode: "NFB49",
        slots: 2,
        validFrom: today,
        validUntil: addDays(today, 20),
        expectedWaitDays: 7,
      },
    ],
  });

  it("lets a provider publish, change and reserve its own capacity and nobody else's", async () => {
    const kattegatt = await token(Role.PROVIDER, KATTEGATT);
    const oresund = await token(Role.PROVIDER, ORESUND);
    const own = await hub.queryAs(kattegatt, PUBLISH, { input: offer("kattegatt-ortopedi") });
    expect(own.errors).toBeUndefined();
    const id = own.data.publishCapacity.offers[0].id;

    const foreign = await hub.queryAs(oresund, PUBLISH, { input: offer("kattegatt-ortopedi") });
    expect(foreign.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(foreign.data).toBeNull();

    const WITHDRAW = `mutation($id: ID!) { withdrawCapacity(offerId: $id, reason: "Not mine to withdraw") { id status } }`;
    const RESERVE = `mutation($id: ID!) { reserveCapacity(offerId: $id, slots: 1, referenceId: "ref") { id } }`;
    for (const bearer of [oresund, await token(Role.REGIONAL_OFFICE), await token(Role.PEER_REGION), await token(Role.CLINIC)]) {
      expect((await hub.queryAs(bearer, WITHDRAW, { id })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect((await hub.queryAs(bearer, RESERVE, { id })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const { data } = await hub.query(`query($id: ID!) { capacityOffer(id: $id) { status availableSlots } }`, { id });
    expect(data.capacityOffer).toEqual({ status: "OPEN", availableSlots: 2 });

    expect((await hub.queryAs(kattegatt, RESERVE, { id })).errors).toBeUndefined();
    const withdrawn = await hub.queryAs(await token(Role.ADMINISTRATOR), WITHDRAW, { id });
    expect(withdrawn.data.withdrawCapacity.status).toBe("WITHDRAWN");
  });
});
