import net from "node:net";

/**
 * A TCP proxy on loopback in front of one of the hub's processes, for fault tests: it passes
 * everything through (HTTP and WebSocket alike), and while `delayMs` is set it holds what the
 * process sends back for that long, in order, as a slow or congested service would.
 */
export interface DelayingProxy {
  port: number;
  delayMs: number;
  close(): Promise<void>;
}

export async function delayingProxy(targetPort: number): Promise<DelayingProxy> {
  const sockets = new Set<net.Socket>();
  const state = { delayMs: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    // Each chunk waits its turn, so a delay changed mid-stream never reorders bytes.
    let chain = Promise.resolve();
    upstream.on("data", (chunk) => {
      const delay = state.delayMs;
      chain = chain
        .then(() => (delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay).unref()) : undefined))
        .then(() => {
          if (!client.destroyed) client.write(chunk);
        });
    });
    client.pipe(upstream);
    const end = () => {
      void chain.then(() => client.destroy());
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.on("close", end);
    upstream.on("error", end);
    client.on("close", () => upstream.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
