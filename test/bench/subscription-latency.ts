import os from "node:os";
import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { careUnitId, providerId } from "../../seeds/data/providers";
import { signDevToken } from "../../gateway/dev-keys";
import { loadConfig } from "../../subgraphs/shared/config";
import { Role } from "../../subgraphs/shared/identity";
import { postGraphQL } from "../support/hub";
import { startBenchHub } from "./hub-process";

/**
 * Delivery latency of live offers through the gateway: publish commit → subscriber receipt, with 1
 * and with 100 subscribers, each on its own graphql-ws connection (as 100 regional offices would
 * be), each selecting a field the agreements subgraph resolves per event.
 *
 * The commit happens inside the publish request, so it is bracketed: "send → receipt" is an upper
 * bound of commit → receipt and "answer → receipt" a lower one. Prints figures; asserts nothing.
 *
 *   npm run bench                                   # starts its own hub on a throw-away embedded PostgreSQL
 *   BENCH_GATEWAY_URL=http://127.0.0.1:4000/graphql npm run bench   # measures a running hub
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
/**
 * "100" is 100 identical subscriptions (the gateway shares one upstream stream and one plan
 * execution per event among them); "100d" is 100 subscriptions that differ in their filter, so
 * each costs its own upstream stream and entity fetches per event.
 */
const RUNS = (process.env.BENCH_SUBSCRIBERS ?? "1,100,100d").split(",");
const UNIT = careUnitId("kattegatt-ortopedi");
const PROVIDER = providerId("private-kattegatt-ortopedi");
const today = stockholmDate();

const SUBSCRIPTION = /* GraphQL */ `
  subscription Bench($filter: FreeCapacityFilter) {
    offerPublished(filter: $filter) {
      id event { id }
      provider { name }
      coverage(homeRegionCode: "13") { agreement { kind } pricePerCaseSek }
    }
  }`;

interface Subscriber {
  client: Client;
  received: Map<string, number>;
  waiters: Array<() => void>;
}

let bearer = "";

async function main(): Promise<void> {
  // Signed with the development key the hub trusts (npm start's, or HUB_DEV_KEY_FILE's).
  const { auth } = loadConfig();
  bearer = await signDevToken(auth.devKeyFile!, { role: Role.ADMINISTRATOR, audience: auth.audience });
  const hub = process.env.BENCH_GATEWAY_URL ? { url: process.env.BENCH_GATEWAY_URL, stop: async () => undefined } : await startBenchHub();
  try {
    console.log(`subscription delivery latency, ${ROUNDS} offers per run, node ${process.version}, ${os.cpus().length} cores`);
    for (const spec of RUNS) await run(hub.url, Number.parseInt(spec, 10), spec.endsWith("d"));
  } finally {
    await hub.stop();
  }
}

async function run(url: string, count: number, distinct: boolean): Promise<void> {
  const subscribers = Array.from({ length: count }, (_, i) => openSubscriber(url, distinct ? 200 + i : 200));
  // Warm-up, which also waits for every subscription to be live (they start without `after`):
  // publish until one offer reaches all, then a few more for connections, plans and pools.
  let warm = 0;
  while (warm < 3) {
    const { id } = await publish(url);
    const deadline = performance.now() + 5000;
    while (!subscribers.every((s) => s.received.has(id)) && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (subscribers.every((s) => s.received.has(id))) warm += 1;
  }
  const sendToReceipt: number[] = [];
  const answerToReceipt: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { id, sentAt, answeredAt } = await publish(url);
    await waitAll(subscribers, id);
    for (const s of subscribers) {
      const at = s.received.get(id)!;
      sendToReceipt.push(at - sentAt);
      answerToReceipt.push(at - answeredAt);
    }
  }
  await Promise.all(subscribers.map((s) => s.client.dispose()));
  console.log(
    `${String(count).padStart(3)} ${distinct ? "distinct" : "identical"} subscription(s): publish sent → receipt ${summary(sendToReceipt)}; publish answered → receipt ${summary(answerToReceipt)}`,
  );
}

function openSubscriber(url: string, maxExpectedWaitDays: number): Subscriber {
  const subscriber: Subscriber = {
    client: createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${bearer}` },
    }),
    received: new Map(),
    waiters: [],
  };
  subscriber.client.subscribe<any>(
    { query: SUBSCRIPTION, variables: { filter: { providerIds: [PROVIDER], maxExpectedWaitDays } } },
    {
      next: (result) => {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        subscriber.received.set(result.data.offerPublished.id, performance.now());
        for (const wake of subscriber.waiters.splice(0)) wake();
      },
      error: (error) => {
        console.error("subscription failed", error);
        process.exitCode = 1;
      },
      complete: () => undefined,
    },
  );
  return subscriber;
}

async function waitAll(subscribers: Subscriber[], id: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (const s of subscribers) {
    while (!s.received.has(id)) {
      if (performance.now() > deadline) throw new Error(`offer ${id} did not reach every subscriber within 30 s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        s.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

async function publish(url: string): Promise<{ id: string; sentAt: number; answeredAt: number }> {
  const sentAt = performance.now();
  const { data, errors } = await postGraphQL(
    url,
    `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
    {
      input: {
        reportedBy: "Benchmark",
        offers: [
          { careUnitId: UNIT, procedureCode: "NFB49", slots: 2, validFrom: today, validUntil: addDays(today, 30), expectedWaitDays: 10 },
        ],
      },
    },
    bearer,
  );
  if (errors) throw new Error(JSON.stringify(errors));
  return { id: data.publishCapacity.offers[0].id, sentAt, answeredAt: performance.now() };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms (n=${values.length})`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
