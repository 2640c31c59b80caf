import { loadConfig } from "../../subgraphs/shared/config";

/** Ports follow the gateway's PORT unless set: a second hub on one machine needs PORT and HUB_PG_DATA only. */
describe("default ports", () => {
  const ports = (env: Record<string, string>) => {
    const config = loadConfig(env);
    return { gateway: config.gatewayPort, ...config.subgraphPorts, postgres: config.embeddedPostgres.port };
  };

  it("are 4000, 4001-4004 and 54329 without settings", () => {
    expect(ports({})).toEqual({ gateway: 4000, patients: 4001, capacity: 4002, agreements: 4003, referrals: 4004, postgres: 54329 });
  });

  it("move with PORT: subgraphs on PORT+1..PORT+4, PostgreSQL on PORT+50329", () => {
    expect(ports({ PORT: "5000" })).toEqual({
      gateway: 5000,
      patients: 5001,
      capacity: 5002,
      agreements: 5003,
      referrals: 5004,
      postgres: 55329,
    });
    const config = loadConfig({ PORT: "5000" });
    expect(config.subgraphUrls.capacity).toBe("http://127.0.0.1:5002/graphql");
    expect(config.gatewayUrl).toBe("http://127.0.0.1:5000/graphql");
  });

  it("put PostgreSQL on PORT+5 where PORT+50329 would pass 65535", () => {
    expect(ports({ PORT: "20000" }).postgres).toBe(20005);
  });

  it("give every subgraph a free port when PORT=0", () => {
    expect(ports({ PORT: "0" })).toEqual({ gateway: 0, patients: 0, capacity: 0, agreements: 0, referrals: 0, postgres: 54329 });
  });

  it("yield to explicit settings", () => {
    expect(ports({ PORT: "5000", CAPACITY_PORT: "6100", HUB_PG_PORT: "6200" })).toEqual({
      gateway: 5000,
      patients: 5001,
      capacity: 6100,
      agreements: 5003,
      referrals: 5004,
      postgres: 6200,
    });
    expect(loadConfig({ PORT: "5000", CAPACITY_URL: "http://capacity.internal/graphql" }).subgraphUrls.capacity).toBe(
      "http://capacity.internal/graphql",
    );
  });

  it("name the setting when PORT leaves no room for a derived one", () => {
    expect(() => loadConfig({ PORT: "65533" })).toThrow(
      "PORT=65533 leaves no room for AGREEMENTS_PORT's default (65536 is past 65535); set AGREEMENTS_PORT, or a lower PORT",
    );
    expect(ports({ PORT: "65533", AGREEMENTS_PORT: "7003", REFERRALS_PORT: "7004", HUB_PG_PORT: "7005" }).capacity).toBe(65535);
  });
});
