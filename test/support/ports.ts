import fs from "node:fs";
import net from "node:net";

/**
 * Ports for servers a test starts in another process, which listens on them a while later. They
 * are drawn from below the kernel's ephemeral range: a port from that range (what `listen(0)`
 * hands out) may meanwhile become the local end of one of the many outgoing connections the tests
 * make, and the child then fails to listen. Below it, only another listener can take a port, and
 * each one is checked free and held until all are chosen.
 */
export async function freePorts(count: number): Promise<number[]> {
  const [low, high] = belowEphemeral();
  const held: net.Server[] = [];
  try {
    while (held.length < count) {
      const server = await listen(low + Math.floor(Math.random() * (high - low)));
      if (server) held.push(server);
    }
    return held.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** The range to draw from: the 12 000 ports below the ephemeral range (Linux's, or its default). */
function belowEphemeral(): [number, number] {
  let start = 32768;
  try {
    start = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || start;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152, so the default leaves room below either way.
  }
  const high = Math.max(2048, start);
  return [Math.max(1024, high - 12_000), high];
}

function listen(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** Port settings for a hub process: the gateway, the four subgraphs and (last) the embedded PostgreSQL. */
export async function hubProcessPorts(): Promise<Record<string, string>> {
  const [gateway, patients, capacity, agreements, referrals, postgres] = await freePorts(6);
  return {
    PORT: String(gateway),
    PATIENTS_PORT: String(patients),
    CAPACITY_PORT: String(capacity),
    AGREEMENTS_PORT: String(agreements),
    REFERRALS_PORT: String(referrals),
    HUB_PG_PORT: String(postgres),
  };
}

/**
 * A gateway port whose derived defaults are free too (the subgraphs on PORT+1..PORT+4, the
 * embedded PostgreSQL on PORT+50329), for a hub started with PORT alone. Drawn so that the
 * PostgreSQL port lies above the kernel's ephemeral range, where no outgoing connection takes it.
 */
export async function portWithFreeNeighbours(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const gateway = 10_700 + Math.floor(Math.random() * 4_500);
    const wanted = [0, 1, 2, 3, 4, 50_329].map((offset) => gateway + offset);
    const held: net.Server[] = [];
    for (const port of wanted) {
      const server = await listen(port);
      if (!server) break;
      held.push(server);
    }
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
    if (held.length === wanted.length) return gateway;
  }
  throw new Error("no gateway port with five free neighbours and a free PORT+50329 found");
}
