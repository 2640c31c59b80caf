import http from "node:http";
import { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { buildSchema, ExecutionArgs, ExecutionResult, GraphQLError } from "graphql";
import { Disposable, MessageType, stringifyMessage } from "graphql-ws";
import WebSocket from "ws";
import { BoundedQueue } from "../../subgraphs/shared/bounded-queue";
import { Broadcast, SharedMember } from "../../gateway/shared-delivery";
import { Identity } from "../../subgraphs/shared/identity";
import { CLOSE_TOO_SLOW, serveSubscriptions } from "../../subgraphs/shared/subscriptions";

/**
 * A shared stream writes each event once-encoded straight to its members' sockets: the frames must
 * be exactly what graphql-ws itself sends, a client that does not read must be cut off without
 * holding up the others, and the stream must end when its last member leaves.
 */
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Tick { n: Int blob: String }
  type Subscription { tick: Tick own: Tick }
`);

interface Server {
  url: string;
  /** The upstream of the shared stream: what the test pushes, every `tick` member gets. */
  upstream: BoundedQueue<ExecutionResult>;
  broadcast: () => Broadcast | undefined;
  /** Results every `own` subscription (graphql-ws's own loop) gets, one stream each. */
  own: ExecutionResult[];
  upstreamClosed: () => boolean;
  stop(): Promise<void>;
}

interface ServerOptions {
  maxQueue?: number;
  maxBufferedBytes?: number;
  authorize?: (connectionParams: Readonly<Record<string, unknown>> | undefined) => Promise<Identity>;
}

async function startServer(options: ServerOptions = {}): Promise<Server> {
  const httpServer = http.createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  let upstreamClosed = false;
  const upstream = new BoundedQueue<ExecutionResult>(100_000, () => {
    upstreamClosed = true;
  });
  let broadcast: Broadcast | undefined;
  const own: ExecutionResult[] = [];
  const server: Disposable = serveSubscriptions(httpServer, schema, {
    authorize: async (connection) => (options.authorize ? options.authorize(connection.connectionParams) : ({} as Identity)),
    validationRules: [
      (context) => ({
        Field: (node) =>
          node.name.value === "blob" && node.alias
            ? context.reportError(new GraphQLError("no aliased blobs", { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }))
            : undefined,
      }),
    ],
    context: () => ({}),
    maxBufferedBytes: options.maxBufferedBytes,
    subscribe: async (args: ExecutionArgs) => {
      if (JSON.stringify(args.document).includes('"own"')) {
        return (async function* () {
          yield* own;
        })();
      }
      broadcast ??= new Broadcast(upstream, options.maxQueue ?? 1000, () => undefined);
      return broadcast.join();
    },
  });
  return {
    url: `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`,
    upstream,
    own,
    broadcast: () => broadcast,
    upstreamClosed: () => upstreamClosed,
    async stop() {
      await server.dispose();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

/** A bare graphql-ws client that keeps every message exactly as it arrived. */
interface RawClient {
  socket: WebSocket;
  messages: string[];
  closed: Promise<number>;
  subscribe(id: string, query: string): void;
  /** Waits until `count` messages have arrived (or the socket closed). */
  waitFor(count: number): Promise<string[]>;
}

async function connect(url: string, connectionParams: Record<string, unknown> = {}): Promise<RawClient> {
  const socket = new WebSocket(url, "graphql-transport-ws");
  const messages: string[] = [];
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  let acked: () => void = () => undefined;
  const ack = new Promise<void>((resolve) => (acked = resolve));
  socket.on("message", (data) => {
    const text = String(data);
    if (JSON.parse(text).type === MessageType.ConnectionAck) acked();
    else messages.push(text);
  });
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ type: MessageType.ConnectionInit, payload: connectionParams }));
  await ack;
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  return {
    socket,
    messages,
    closed,
    subscribe: (id, query) => socket.send(JSON.stringify({ id, type: MessageType.Subscribe, payload: { query } })),
    async waitFor(count) {
      const deadline = Date.now() + 20_000;
      while (messages.length < count && !isClosed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      return messages;
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  // Let the server attach the member it has just joined.
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const servers: Server[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function server(options?: ServerOptions): Promise<Server> {
  const started = await startServer(options);
  servers.push(started);
  return started;
}

async function client(url: string, connectionParams?: Record<string, unknown>): Promise<RawClient> {
  const connected = await connect(url, connectionParams);
  clients.push(connected);
  return connected;
}

const TICK = "subscription { tick { n blob } }";
const OWN = "subscription { own { n blob } }";

describe("a shared stream's frames", () => {
  it("are byte for byte the next messages graphql-ws itself sends, with each subscription's id and errors formatted", async () => {
    const results: ExecutionResult[] = [
      { data: { tick: { n: 1, blob: 'quote " and ü and \\u2028' } } },
      { data: { tick: null }, errors: [new GraphQLError("no such tick", { path: ["tick"], extensions: { code: "BAD_USER_INPUT" } })] },
      { data: { tick: { n: 3, blob: null } }, errors: [] },
    ];
    const s = await server();
    s.own.push(...results);
    const a = await client(s.url);
    const b = await client(s.url);
    a.subscribe("a-1", TICK);
    a.subscribe('a "2"', TICK);
    b.subscribe("b-1", TICK);
    await until(() => s.broadcast()?.size === 3);
    for (const result of results) s.upstream.push(result);
    // graphql-ws's own loop, for the same results on a stream of its own.
    b.subscribe("b-own", OWN);

    const ownFrames = (await b.waitFor(1 + results.length * 2)).filter(
      (m) => JSON.parse(m).id === "b-own" && JSON.parse(m).type === "next",
    );
    expect(ownFrames).toHaveLength(results.length);
    const expected = (id: string) => [
      stringifyMessage({ id, type: MessageType.Next, payload: { data: { tick: { n: 1, blob: 'quote " and ü and \\u2028' } } } }),
      stringifyMessage({
        id,
        type: MessageType.Next,
        payload: { data: { tick: null }, errors: [{ message: "no such tick", path: ["tick"], extensions: { code: "BAD_USER_INPUT" } }] },
      }),
      stringifyMessage({ id, type: MessageType.Next, payload: { data: { tick: { n: 3, blob: null } }, errors: [] } }),
    ];
    expect(ownFrames).toEqual(expected("b-own"));
    expect((await a.waitFor(6)).filter((m) => JSON.parse(m).id === "a-1")).toEqual(expected("a-1"));
    expect(a.messages.filter((m) => JSON.parse(m).id === 'a "2"')).toEqual(expected('a "2"'));
    expect(b.messages.filter((m) => JSON.parse(m).id === "b-1")).toEqual(expected("b-1"));
  });

  it("end with graphql-ws's complete when the stream ends", async () => {
    const s = await server();
    const a = await client(s.url);
    a.subscribe("a-1", TICK);
    await until(() => s.broadcast()?.size === 1);
    s.upstream.push({ data: { tick: { n: 1, blob: "x" } } });
    s.upstream.close();
    expect(await a.waitFor(2)).toEqual([
      stringifyMessage({ id: "a-1", type: MessageType.Next, payload: { data: { tick: { n: 1, blob: "x" } } } }),
      stringifyMessage({ id: "a-1", type: MessageType.Complete }),
    ]);
  });
});

describe("a client that does not read", () => {
  // Large events fill the kernel's socket buffers quickly, so unsent bytes then wait in the server.
  const blob = "x".repeat(256 * 1024);
  const rawSocket = (c: RawClient) => (c.socket as unknown as { _socket: Duplex })._socket;
  const events = 200;

  /** Two members of one stream; `slow` stops reading, then the stream sends `events` large events. */
  async function flood(options: Parameters<typeof server>[0]) {
    const s = await server(options);
    const slow = await client(s.url);
    const fast = await client(s.url);
    slow.subscribe("slow", TICK);
    fast.subscribe("fast", TICK);
    await until(() => s.broadcast()?.size === 2);
    rawSocket(slow).pause();
    for (let n = 0; n < events; n++) {
      s.upstream.push({ data: { tick: { n, blob } } });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { s, slow, fast };
  }

  it("gets SUBSCRIBER_TOO_SLOW once more than the limit of events wait for it, and the others get every event", async () => {
    const { s, slow, fast } = await flood({ maxQueue: 5, maxBufferedBytes: 1024 * 1024 * 1024 });
    await until(() => s.broadcast()?.size === 1);
    expect(s.broadcast()?.size).toBe(1);
    expect((await fast.waitFor(events)).map((m) => JSON.parse(m).payload.data.tick.n)).toEqual([...Array(events).keys()]);
    rawSocket(slow).resume();
    const last = await until(() => slow.messages.some((m) => JSON.parse(m).type === MessageType.Error)).then(() =>
      slow.messages.map((m) => JSON.parse(m)).pop(),
    );
    expect(last).toMatchObject({ id: "slow", type: MessageType.Error, payload: [{ extensions: { code: "SUBSCRIBER_TOO_SLOW" } }] });
    expect(slow.messages.length).toBeLessThan(events);
    expect(s.upstreamClosed()).toBe(false);
  });

  it("is disconnected with 4290 once too many bytes wait for it, and the others get every event", async () => {
    const { s, slow, fast } = await flood({ maxQueue: 1_000_000, maxBufferedBytes: 4 * 1024 * 1024 });
    rawSocket(slow).resume();
    expect(await slow.closed).toBe(CLOSE_TOO_SLOW);
    await until(() => s.broadcast()?.size === 1);
    expect(s.broadcast()?.size).toBe(1);
    expect((await fast.waitFor(events)).map((m) => JSON.parse(m).payload.data.tick.n)).toEqual([...Array(events).keys()]);
  });
});

describe("leaving a shared stream", () => {
  it("closes the upstream only when the last member leaves, by complete or by disconnecting", async () => {
    const s = await server();
    const a = await client(s.url);
    const b = await client(s.url);
    a.subscribe("a-1", TICK);
    a.subscribe("a-2", TICK);
    b.subscribe("b-1", TICK);
    await until(() => s.broadcast()?.size === 3);
    a.socket.send(JSON.stringify({ id: "a-1", type: MessageType.Complete }));
    await until(() => s.broadcast()?.size === 2);
    s.upstream.push({ data: { tick: { n: 1, blob: null } } });
    expect((await b.waitFor(1)).map((m) => JSON.parse(m).id)).toEqual(["b-1"]);
    expect((await a.waitFor(1)).map((m) => JSON.parse(m).id)).toEqual(["a-2"]);
    expect(s.upstreamClosed()).toBe(false);
    b.socket.terminate();
    await until(() => s.broadcast()?.size === 1);
    expect(s.upstreamClosed()).toBe(false);
    a.socket.send(JSON.stringify({ id: "a-2", type: MessageType.Complete }));
    await until(() => s.upstreamClosed());
    expect(s.broadcast()?.size).toBe(0);
    expect(s.upstreamClosed()).toBe(true);
  });

  it("is an ordinary bounded queue for a reader without a socket", async () => {
    const upstream = new BoundedQueue<ExecutionResult>(10);
    let ended = 0;
    const broadcast = new Broadcast(upstream, 2, () => (ended += 1));
    const member: SharedMember = broadcast.join();
    const other = broadcast.join();
    upstream.push({ data: { n: 1 } });
    expect(await member.next()).toEqual({ value: { data: { n: 1 } }, done: false });
    await other.return();
    upstream.push({ data: { n: 2 } });
    upstream.close();
    expect(await member.next()).toEqual({ value: { data: { n: 2 } }, done: false });
    expect(await member.next()).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });
});

describe("subscribe messages with the same document", () => {
  it("are each authorised and each held to the rules, however often the document was accepted before", async () => {
    const s = await server({
      authorize: async (params) => {
        if (params?.who !== "office") throw new GraphQLError("not you", { extensions: { code: "FORBIDDEN" } });
        return {} as Identity;
      },
    });
    const office = await client(s.url, { who: "office" });
    const stranger = await client(s.url, { who: "stranger" });
    const aliased = "subscription { tick { n b: blob } }";
    office.subscribe("ok-1", TICK);
    office.subscribe("ok-2", TICK);
    office.subscribe("bad-1", aliased);
    office.subscribe("bad-2", aliased);
    stranger.subscribe("no-1", TICK);
    await until(() => s.broadcast()?.size === 2);
    expect(s.broadcast()?.size).toBe(2);
    const errors = (c: RawClient, count: number) =>
      c.waitFor(count).then((messages) => messages.map((m) => JSON.parse(m)).map((m) => [m.id, m.type, m.payload[0].message]));
    expect(await errors(office, 2)).toEqual([
      ["bad-1", MessageType.Error, "no aliased blobs"],
      ["bad-2", MessageType.Error, "no aliased blobs"],
    ]);
    expect(await errors(stranger, 1)).toEqual([["no-1", MessageType.Error, "not you"]]);
  });
});
