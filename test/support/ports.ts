import net from "node:net";

/**
 * Ports that were free a moment ago (the OS picks them), for servers a test starts in another
 * process. All are held open until all are chosen, so the OS cannot hand out one port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
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
