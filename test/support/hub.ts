import { loadConfig } from "../../subgraphs/shared/config";
import { Hub, startHub } from "../../seeds/hub";
import { createTestDatabase } from "./database";
import { Role } from "../../subgraphs/shared/identity";
import { token } from "./tokens";
import { TestClock } from "./clock";

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

export interface TestHub {
  hub: Hub;
  url: string;
  databaseUrl: string;
  /** The day the hub (gateway, subgraphs, sweeps) lives on; the test moves it. */
  clock: TestClock;
  /** Sends an operation through the gateway as an administrator with a care assignment. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** The Authorization header `query` sends. */
  authorization(): Promise<string>;
  /** Sends an operation with the given token (see tokens.ts), or none. */
  queryAs<T = any>(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/**
 * The whole hub (four subgraphs and the gateway, each on its own free port) on a fresh copy of the
 * seeded test database. `env` overrides settings as the environment would.
 */
export async function startTestHub(env: Record<string, string> = {}, options: { databaseUrl?: string } = {}): Promise<TestHub> {
  // A second hub on the same database stands for a second set of processes in production.
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    PORT: "0",
    PATIENTS_PORT: "0",
    CAPACITY_PORT: "0",
    AGREEMENTS_PORT: "0",
    REFERRALS_PORT: "0",
    HUB_SEED: "none",
    LOG_LEVEL: "error",
    HUB_DEV_KEY_FILE: process.env.HUB_DEV_KEY_FILE ?? "",
    // Tests send many requests as one client; the limit itself is tested with a low one.
    HUB_RATE_LIMIT_PER_MINUTE: "1000000",
    HUB_COST_PER_MINUTE: "1000000000",
    HUB_COST_IN_FLIGHT: "1000000000",
    // One gateway in this process, also for NODE_ENV=production (whose default is one worker
    // process per core); test/e2e/gateway-workers.test.ts runs several.
    HUB_GATEWAY_WORKERS: "1",
    ...env,
  });
  const clock = new TestClock();
  const hub = await startHub(config, databaseUrl, clock);
  return {
    hub,
    url: hub.gateway.url,
    databaseUrl,
    clock,
    query: async (query, variables) => postGraphQL(hub.gateway.url, query, variables, await token(Role.ADMINISTRATOR)),
    authorization: async () => `Bearer ${await token(Role.ADMINISTRATOR)}`,
    queryAs: (bearer, query, variables) => postGraphQL(hub.gateway.url, query, variables, bearer),
    stop: () => hub.stop(),
  };
}
