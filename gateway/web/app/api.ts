import { createClient, Client } from "graphql-ws";

/**
 * The app's only way to the hub: the public GraphQL API on this origin, over HTTP for queries and
 * mutations and graphql-ws for live data. The token lives in this module's memory only (never in
 * localStorage or sessionStorage): a reload signs out.
 */
export interface GraphQLErrorShape {
  message: string;
  extensions?: {
    code?: string;
    field?: string;
    rule?: string;
    problems?: Array<{ field?: string; message?: string; rule?: string }>;
    [key: string]: unknown;
  };
}

export class HubError extends Error {
  constructor(readonly errors: GraphQLErrorShape[]) {
    super(errors.map((e) => e.message).join(" "));
  }
  get code() {
    return this.errors[0]?.extensions?.code;
  }
}

let token: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setToken(value: string | null, unauthenticated?: () => void): void {
  token = value;
  if (unauthenticated) onUnauthenticated = unauthenticated;
  if (value === null) closeLive();
}

export async function gql<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status}` }] }))) as {
    data?: T;
    errors?: GraphQLErrorShape[];
  };
  if (response.status === 401) onUnauthenticated();
  if (body.errors?.length) throw new HubError(body.errors);
  return body.data as T;
}

let client: Client | null = null;
type LiveState = "connecting" | "connected" | "reconnecting";
const stateListeners = new Set<(state: LiveState) => void>();
export let liveState: LiveState = "connecting";
function setLiveState(state: LiveState) {
  liveState = state;
  for (const listener of stateListeners) listener(state);
}
export function onLiveState(listener: (state: LiveState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

function liveClient(): Client {
  if (client) return client;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  client = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${token}` }),
    lazy: true,
    // A dropped connection is tried again for ever (with a growing pause); every subscription is
    // then sent again with `after` set to the last event it saw (see live()).
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => token !== null,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 5000))),
    on: {
      connected: () => setLiveState("connected"),
      closed: () => setLiveState(token ? "reconnecting" : "connecting"),
    },
  });
  return client;
}

function closeLive() {
  client?.dispose();
  client = null;
}

/**
 * A live subscription that misses no event and shows none twice: it starts `after` the cursor read
 * with the screen's data, keeps the id of the last event it delivered as `after` (graphql-ws sends
 * the same payload object again when it reconnects, so the resumed subscription asks only for
 * what came after), and drops an event id it has seen already.
 */
export function live<T>(
  query: string,
  variables: Record<string, unknown>,
  after: string | null,
  field: string,
  onEvent: (value: T) => void,
): () => void {
  const payload = { query, variables: { ...variables, after } };
  const seen = new Set<string>();
  let stopped = false;
  let unsubscribe: () => void = () => undefined;
  const start = () => {
    unsubscribe = liveClient().subscribe<Record<string, T>>(payload, {
      next: (result) => {
        const value = result.data?.[field] as (T & { event?: { id: string } | null }) | undefined;
        if (!value) return;
        const id = value.event?.id;
        if (id) {
          if (seen.has(id)) return;
          seen.add(id);
          payload.variables.after = id;
        }
        onEvent(value);
      },
      // Refused by the hub (e.g. the token expired): try again shortly from the last event.
      error: () => {
        if (!stopped && token) setTimeout(() => !stopped && start(), 1000);
      },
      complete: () => undefined,
    });
  };
  start();
  return () => {
    stopped = true;
    unsubscribe();
  };
}

/** The claims the app reads from a token; the rest are kept as they came. */
export interface Claims {
  sub?: string;
  exp: number;
  role: string;
  region?: string;
  provider?: string;
  nonce?: string;
  [claim: string]: unknown;
}

/** The claims of a token, for showing who is signed in (the gateway verifies it; this only reads it). */
export function claimsOf(jwt: string): Claims {
  const part = jwt.split(".")[1] ?? "";
  const json = atob(
    part
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(part.length / 4) * 4, "="),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

/** A fresh idempotency key per user action, so a retried request never sends twice. */
export const newKey = () => crypto.randomUUID();
