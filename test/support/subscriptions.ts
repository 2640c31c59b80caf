import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { GraphQLResponse } from "./hub";
import { adminToken } from "./tokens";

/**
 * A graphql-ws subscriber, as a regional office's board would be: it records every result with
 * the time it arrived, and the test waits for what it expects (with a generous limit, so a slow
 * machine makes the test slower, never red).
 */
export interface Received<T = any> extends GraphQLResponse<T> {
  receivedAt: number;
}

export interface TestSubscription<T = any> {
  results: Array<Received<T>>;
  /** Resolves with the first `count` results once they have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Array<Received<T>>>;
  /** Resolves with all results so far once `done` holds for them (checked at each arrival). */
  waitUntil(done: (results: Array<Received<T>>) => boolean, timeoutMs?: number): Promise<Array<Received<T>>>;
  /** Resolves when the server ends the subscription; with the error, if it ended with one. */
  ended: Promise<unknown>;
  /** Unsubscribes politely. */
  close(): Promise<void>;
  /** Drops the connection at once, as a crashed client or a cut network would. */
  kill(): void;
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

/** Subscribes as an administrator unless `bearer` says otherwise (`null`: without a token). */
export function subscribe<T = any>(
  httpUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  bearer?: string | null,
): TestSubscription<T> {
  const client: Client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: async () => {
      const value = bearer === undefined ? await adminToken() : bearer;
      return value === null ? {} : { authorization: `Bearer ${value}` };
    },
  });
  const results: Array<Received<T>> = [];
  const waiters: Array<() => void> = [];
  let endedWith: (error?: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => {
    endedWith = resolve;
  });
  const notify = () => {
    for (const wake of waiters.splice(0)) wake();
  };
  client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        results.push({ ...(result as GraphQLResponse<T>), receivedAt: Date.now() });
        notify();
      },
      error: (error) => {
        endedWith(error);
        notify();
      },
      complete: () => {
        endedWith();
        notify();
      },
    },
  );
  let finished = false;
  void ended.then(() => {
    finished = true;
  });
  /** Wakes at each result (or the end) until `done` holds. */
  const until = async (done: () => boolean, expected: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (finished) throw new Error(`subscription ended after ${results.length} results, before ${expected}: ${JSON.stringify(results)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${results.length} results, before ${expected}: ${JSON.stringify(results.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return {
    results,
    ended,
    async waitFor(count, timeoutMs = 15_000) {
      await until(() => results.length >= count, `${count} results`, timeoutMs);
      return results.slice(0, count);
    },
    async waitUntil(done, timeoutMs = 15_000) {
      await until(() => done(results), "the expected results", timeoutMs);
      return results;
    },
    close: async () => {
      await client.dispose();
    },
    kill: () => {
      client.terminate();
    },
  };
}
