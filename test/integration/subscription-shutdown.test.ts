import http from "node:http";
import { AddressInfo } from "node:net";
import { buildSchema } from "graphql";
import WebSocket from "ws";
import { Role, systemIdentity } from "../../subgraphs/shared/identity";
import { serveSubscriptions } from "../../subgraphs/shared/subscriptions";

/**
 * Stopping a server with subscription sockets open: every client is told to go away, and one that
 * no longer reads cannot hold the stop (an orchestrator kills a process that does not stop in time,
 * and a rolling deploy waits for each one).
 */
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Subscription { ticks: Int }
`);

async function server() {
  const httpServer = http.createServer();
  const subscriptions = serveSubscriptions(httpServer, schema, {
    authorize: async () => systemIdentity("test", Role.ADMINISTRATOR, "13"),
    context: () => ({}),
    shutdownGraceMs: 300,
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`;
  return { url, subscriptions, httpServer };
}

/** A graphql-ws client past the handshake; `reading: false` then stops reading its socket. */
async function client(url: string, reading: boolean): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(url, "graphql-transport-ws");
  const closed = new Promise<number>((resolve) => socket.once("close", resolve));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  socket.send(JSON.stringify({ type: "connection_init" }));
  await new Promise((resolve) => socket.once("message", resolve));
  if (!reading) (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  return { socket, closed };
}

describe("stopping the subscription server", () => {
  it("tells reading clients it is going away, and cuts off one that stopped reading after the grace", async () => {
    const { url, subscriptions, httpServer } = await server();
    try {
      const reader = await client(url, true);
      const stalled = await client(url, false);
      const started = Date.now();
      await subscriptions.dispose();
      const took = Date.now() - started;
      expect(await reader.closed).toBe(1001);
      // Without the cut-off this waits for ws's 30 s close timeout.
      expect(took).toBeLessThan(10_000);
      expect(took).toBeGreaterThanOrEqual(250);
      stalled.socket.terminate();
      await stalled.closed;
    } finally {
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });

  it("closes properly every client that answers", async () => {
    const { url, subscriptions, httpServer } = await server();
    try {
      const clients = await Promise.all([client(url, true), client(url, true)]);
      await subscriptions.dispose();
      // A proper close each (a client cut off after the grace would see 1006).
      expect(await Promise.all(clients.map((c) => c.closed))).toEqual([1001, 1001]);
    } finally {
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });
});
