import fs from "node:fs";
import path from "node:path";
import { createAuthenticator } from "../../gateway/auth";
import { loadConfig } from "../../subgraphs/shared/config";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { Role } from "../../subgraphs/shared/identity";
import { identitySigner, newInternalSecret } from "../../subgraphs/shared/internal-identity";
import { projectRoot } from "../../subgraphs/shared/paths";
import { careUnitId } from "../../seeds/data/providers";
import { PEERS_DIR } from "../bench/gateways/peer-packages";
import { run, Run } from "../support/hub-process";
import { GraphQLResponse, startTestHub, TestHub } from "../support/hub";
import { freePort } from "../support/ports";
import { subscribe, TestSubscription } from "../support/subscriptions";
import { waitFor } from "../support/wait";
import { token } from "../support/tokens";

/**
 * The committed supergraph is a standard artefact: Hive Gateway serves schema/supergraph.graphql,
 * unchanged, against this hub's subgraphs (forwarding the caller's signed identity as the subgraphs
 * require), and answers the README's example queries, a mutation and an offerPublished subscription
 * with coverage (federated over graphql-ws to the capacity subgraph) as this hub's gateway does.
 */
const HIVE = path.join(PEERS_DIR, "node_modules", "@graphql-hive", "gateway", "package.json");
if (!fs.existsSync(HIVE)) {
  throw new Error("Hive Gateway is not installed: run `npm ci --prefix test/bench/peers` (as .ci/run does) before npm test");
}

let hub: TestHub;
let hive: Run;
let hiveUrl: string;
const open: TestSubscription[] = [];
const README = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");

/** The first fenced graphql block after `marker` in the README. */
function example(marker: string): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`the README no longer has "${marker}"`);
  const start = README.indexOf("```graphql\n", at) + "```graphql\n".length;
  return README.slice(start, README.indexOf("\n```", start));
}

const secret = newInternalSecret();
let officeToken: string;
let adminBearer: string;
/** What this hub's gateway would send the subgraphs for a caller: its identity, signed. */
let asSignedBy: (bearer: string) => () => Promise<string>;

beforeAll(async () => {
  hub = await startTestHub({ HUB_INTERNAL_SECRET: secret });
  const port = await freePort();
  const urls = Object.fromEntries(Object.entries(hub.hub.subgraphs).map(([name, server]) => [`${name.toUpperCase()}_URL`, server.url]));
  hive = run(
    { PORT: String(port), HIVE_LOGGING: process.env.HIVE_LOGGING ?? "error", ...urls },
    path.join(projectRoot(), "dist", "test", "bench", "gateways", "hive-supergraph.js"),
  );
  hiveUrl = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  while (!hive.stdout().includes("ready")) {
    if (Date.now() > deadline || hive.child.exitCode !== null)
      throw new Error(`Hive Gateway did not start:\n${hive.stdout()}\n${hive.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const verify = await createAuthenticator(loadConfig({ HUB_DEV_KEY_FILE: process.env.HUB_DEV_KEY_FILE ?? "" }).auth);
  asSignedBy = (bearer) => {
    const identity = verify(`Bearer ${bearer}`);
    return async () => identitySigner(await identity, secret)();
  };
  officeToken = await token(Role.REGIONAL_OFFICE, "13");
  adminBearer = await token(Role.ADMINISTRATOR);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  if (hive) {
    // Hive Gateway's runtime keeps its process up on SIGTERM (it waits for its disposal hooks).
    hive.child.kill("SIGKILL");
    await hive.exited;
  }
  await hub?.stop();
});

async function viaHive(bearer: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> {
  const response = await fetch(hiveUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-identity": await asSignedBy(bearer)() },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

/** A subscription through Hive Gateway, over GraphQL over SSE (its default for clients). */
function subscribeViaHive(bearer: string, query: string, variables: Record<string, unknown>) {
  const events: any[] = [];
  const controller = new AbortController();
  const started = (async () => {
    const response = await fetch(hiveUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", "x-hub-identity": await asSignedBy(bearer)() },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .join("");
          if (data) events.push(JSON.parse(data));
        }
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return {
    events,
    close: () => controller.abort(),
    started,
  };
}

describe("Hive Gateway serving the committed supergraph", () => {
  it("serves the supergraph file unchanged (only where the subgraphs listen is configured)", () => {
    // The file Hive read is the committed one, byte for byte: nothing is rewritten for it.
    expect(fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8")).toContain(
      '@join__graph(name: "capacity", url: "http://127.0.0.1:4002/graphql")',
    );
  });

  async function compare(marker: string): Promise<void> {
    const query = example(marker);
    const ours = await hub.queryAs(officeToken, query);
    const theirs = await viaHive(officeToken, query);
    expect(ours.errors).toBeUndefined();
    if (theirs.errors) throw new Error(`Hive Gateway answered errors: ${JSON.stringify(theirs.errors)}\n${hive.stderr()}`);
    expect(theirs.data).toEqual(ours.data);
    expect(JSON.stringify(ours.data).length).toBeGreaterThan(100);
  }

  it.each([
    ["1. free capacity with coverage (capacity, then agreements by the compound key)", "**1. Free hip-replacement capacity"],
    ["3. waiting referrals with the patient (referrals, then patients)", "**3. Waiting referrals of Halland patients"],
  ])("answers README example %s as this hub's gateway does", async (_name, marker) => {
    await compare(marker);
  });

  // A known fault of Hive Gateway 2.15.1's query planner, not of the supergraph (Apollo Gateway and
  // this hub plan it): below Query.coverage (capacity) it fetches Coverage from agreements by its
  // compound key but leaves `agreement` out of the nested CoverageOption/RejectedAgreement
  // selections (value types of agreements holding the Agreement entity), and answers
  // "Cannot return null for non-nullable field CoverageOption.agreement". When this test starts
  // passing, Hive has fixed it: make it an ordinary test (and update the engine table in gateway/README.md).
  it.failing("answers README example 2 (coverage, applicable and rejected agreements) as this hub's gateway does [Hive Gateway 2.15.1 planner fault]", async () => {
    await compare("**2. Under which agreements");
  });

  it("runs a mutation (publishCapacity) that this hub's gateway then reads back the same", async () => {
    const today = stockholmDate();
    const published = await viaHive(
      adminBearer,
      `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id availableSlots earliestStart procedure { code } provider { name } } } }`,
      {
        input: {
          reportedBy: "Booking system (Hive Gateway test)",
          offers: [
            {
              careUnitId: careUnitId("kattegatt-ortopedi"),
              procedureCode: "NFB49",
              slots: 3,
              validFrom: today,
              validUntil: addDays(today, 30),
              earliestStart: addDays(today, 2),
              expectedWaitDays: 4,
            },
          ],
        },
      },
    );
    expect(published.errors).toBeUndefined();
    const [offer] = published.data.publishCapacity.offers;
    expect(offer).toMatchObject({ availableSlots: 3, earliestStart: addDays(today, 2), procedure: { code: "NFB49" } });
    const read = await hub.queryAs(
      adminBearer,
      `query($id: ID!) { capacityOffer(id: $id) { id availableSlots earliestStart procedure { code } provider { name } } }`,
      { id: offer.id },
    );
    expect(read.data.capacityOffer).toEqual(offer);
  });

  it("delivers offerPublished with coverage (graphql-ws to the subgraph) as this hub's gateway does", async () => {
    const query = `subscription($f: FreeCapacityFilter, $after: ID) { offerPublished(filter: $f, after: $after) { id availableSlots procedure { code } provider { name } coverage(homeRegionCode: "13") { status agreement { name } pricePerCaseSek } } }`;
    // Both start from the event log's position now, however late they reach the capacity subgraph.
    const variables = {
      f: { procedureCode: "NFB49" },
      after: (await hub.queryAs(adminBearer, `{ offerEventCursor }`)).data.offerEventCursor,
    };
    const ours = subscribe(hub.url, query, variables, officeToken);
    open.push(ours);
    const theirs = subscribeViaHive(officeToken, query, variables);
    try {
      const today = stockholmDate();
      const published = await hub.queryAs(
        adminBearer,
        `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
        {
          input: {
            reportedBy: "Booking system (Hive Gateway test)",
            offers: [
              {
                careUnitId: careUnitId("kattegatt-ortopedi"),
                procedureCode: "NFB49",
                slots: 2,
                validFrom: today,
                validUntil: addDays(today, 20),
                earliestStart: addDays(today, 3),
                expectedWaitDays: 5,
              },
            ],
          },
        },
      );
      expect(published.errors).toBeUndefined();
      const id = published.data.publishCapacity.offers[0].id;
      const [delivered] = await ours.waitFor(1);
      await waitFor(() => theirs.events.some((event) => event.data?.offerPublished?.id === id), "the offer through Hive Gateway");
      const hiveEvent = theirs.events.find((event) => event.data?.offerPublished?.id === id);
      expect(hiveEvent).toBeDefined();
      expect(delivered.data.offerPublished.id).toBe(id);
      expect(delivered.data.offerPublished.coverage.status).toBe("COVERED");
      expect(hiveEvent.errors).toBeUndefined();
      expect(hiveEvent.data).toEqual(delivered.data);
    } finally {
      theirs.close();
      await theirs.started;
    }
  });
});
