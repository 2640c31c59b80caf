import { parentPort, workerData } from "node:worker_threads";
import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";

/**
 * One share of the fan-out benchmark's subscribers, in a worker thread: 10 000 graphql-ws clients
 * in one thread measure that thread more than the gateway (each message costs the client a read,
 * a frame and a parse), while real subscribers sit on thousands of machines. Each worker opens its
 * sockets in connected batches, subscribes, and reports every receipt with a wall-clock time
 * (`performance.timeOrigin + performance.now()`, comparable across threads) every 50 ms.
 */
export interface SubscriberShare {
  url: string;
  bearer: string;
  query: string;
  variables: Record<string, unknown>;
  /** Sockets [firstSocket, firstSocket + sockets) of the run, `perSocket` subscriptions each, `count` in all. */
  firstSocket: number;
  sockets: number;
  perSocket: number;
  count: number;
}

export type FromSubscribers =
  | { kind: "connected" }
  | { kind: "receipts"; receipts: Array<[offerId: string, index: number, at: number]> }
  | { kind: "failure"; what: string }
  | { kind: "closed" };

const now = () => performance.timeOrigin + performance.now();

async function run(share: SubscriberShare): Promise<void> {
  const port = parentPort!;
  const clients: Client[] = [];
  let receipts: Array<[string, number, number]> = [];
  const fail = (what: unknown) =>
    port.postMessage({ kind: "failure", what: typeof what === "string" ? what : JSON.stringify(what) } satisfies FromSubscribers);
  const flush = setInterval(() => {
    if (receipts.length === 0) return;
    port.postMessage({ kind: "receipts", receipts } satisfies FromSubscribers);
    receipts = [];
  }, 50);
  // Sockets open in batches, each batch connected before the next, at a pace the server's accept
  // queue takes (10 000 at once overflow it and are reset).
  const end = share.firstSocket + share.sockets;
  for (let s = share.firstSocket; s < end; s += 250) {
    const batch: Array<Promise<void>> = [];
    for (let b = s; b < Math.min(end, s + 250); b++) {
      let connected: () => void = () => undefined;
      batch.push(new Promise<void>((resolve) => (connected = resolve)));
      const client = createClient({
        url: share.url,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: { authorization: `Bearer ${share.bearer}` },
        on: {
          connected: () => connected(),
          closed: () => connected(),
          error: (error) => fail((error as { message?: string })?.message ?? "socket error"),
        },
      });
      clients.push(client);
      for (let k = 0; k < share.perSocket && b * share.perSocket + k < share.count; k++) {
        const index = b * share.perSocket + k;
        client.subscribe<{ offerPublished: { id: string } }>(
          { query: share.query, variables: share.variables },
          {
            next: (result) => {
              if (result.errors || !result.data) fail(result.errors);
              else receipts.push([result.data.offerPublished.id, index, now()]);
            },
            error: (error) => fail((error as { reason?: string })?.reason ?? error),
            complete: () => undefined,
          },
        );
      }
    }
    await Promise.race([Promise.all(batch), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  port.postMessage({ kind: "connected" } satisfies FromSubscribers);
  port.once("message", async () => {
    clearInterval(flush);
    await Promise.all(clients.map((c) => Promise.resolve(c.dispose()).catch(() => undefined)));
    port.postMessage({ kind: "closed" } satisfies FromSubscribers);
  });
}

if (parentPort) void run(workerData as SubscriberShare);
