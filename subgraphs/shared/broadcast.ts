import type { Duplex } from "node:stream";
import { ExecutionResult } from "graphql";
import type WebSocket from "ws";
import { BoundedQueue, tooSlow } from "./bounded-queue";

/**
 * One stream of results delivered to many subscriptions at once (the gateway's identical live
 * subscriptions). With thousands of members, the cost per event is in what is done per member, so
 * a result is encoded once per event and written to every member's socket in one synchronous loop,
 * instead of each member's own queue, promise chain and `JSON.stringify` through graphql-ws.
 * graphql-ws still owns everything else about the subscription (its protocol, errors, completion).
 */

/** One event of a shared stream: its result, and that result's JSON, made at most once per encoder. */
export class SharedEvent {
  private encoder?: (result: ExecutionResult) => string;
  private encoded = "";

  constructor(readonly result: ExecutionResult) {}

  encode(encoder: (result: ExecutionResult) => string): string {
    if (this.encoder !== encoder) {
      this.encoded = encoder(this.result);
      this.encoder = encoder;
    }
    return this.encoded;
  }
}

/** Where a member's events are written: one subscription on one client socket. */
export interface Outlet {
  /** Writes the event; answers whether it had to wait behind bytes the client has not yet taken. */
  write(event: SharedEvent, burst: Burst): boolean;
}

/**
 * The writes of one event. A socket is corked on its first write and uncorked when the event has
 * gone to every member, so a socket carrying many members costs one write to the kernel per event
 * rather than one per member. It also notes whether the socket still held earlier, unsent bytes when
 * this event began: that is what makes events count as waiting for a slow client.
 */
export class Burst {
  private readonly touched = new Map<WebSocket, boolean>();

  enter(socket: WebSocket): boolean {
    let busy = this.touched.get(socket);
    if (busy === undefined) {
      busy = socket.bufferedAmount > 0;
      this.touched.set(socket, busy);
      raw(socket)?.cork();
    }
    return busy;
  }

  end(): void {
    for (const socket of this.touched.keys()) raw(socket)?.uncork();
    this.touched.clear();
  }
}

// `ws` offers no cork of its own; its frames are written to this socket (and `ws` itself corks it
// around each frame's header and body, which nests inside ours).
function raw(socket: WebSocket): Duplex | undefined {
  return (socket as unknown as { _socket?: Duplex })._socket;
}

/**
 * One subscription's membership. Once the server attaches its outlet, events go straight to the
 * client socket, and reading the member as an iterator only waits for its end (or its error, such as
 * SUBSCRIBER_TOO_SLOW). Without an outlet it is an ordinary bounded queue of results.
 */
export class SharedMember extends BoundedQueue<ExecutionResult> {
  private outlet?: Outlet;
  /** Events written since the client's socket was last found with nothing unsent. */
  private unsent = 0;

  attach(outlet: Outlet): void {
    // A member that has already ended keeps its queue, for the reader to drain as it is.
    if (this.closed) return;
    this.outlet = outlet;
    if (this.queue.length === 0) return;
    // Events that arrived between joining and attaching.
    const burst = new Burst();
    try {
      for (const result of this.queue.splice(0)) this.deliver(new SharedEvent(result), burst);
    } finally {
      burst.end();
    }
  }

  deliver(event: SharedEvent, burst: Burst): void {
    if (this.closed) return;
    if (!this.outlet) {
      this.push(event.result);
      return;
    }
    // Nothing queues here for a client that does not read: the unsent bytes wait in its socket
    // instead, so the same limit applies to events written while the socket was still busy.
    this.unsent = this.outlet.write(event, burst) ? this.unsent + 1 : 0;
    if (this.unsent > this.limit) this.fail(tooSlow(this.limit));
  }
}

/**
 * Reads `source` once and delivers each result to every member. Ends the source when the last member
 * leaves; `onEnd` runs once, when it ends either way, so no one joins a stream that is over.
 */
export class Broadcast {
  private readonly members = new Set<SharedMember>();
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<ExecutionResult>,
    private readonly limit: number,
    private readonly onEnd: () => void,
  ) {
    void this.pump();
  }

  get size(): number {
    return this.members.size;
  }

  join(): SharedMember {
    const member: SharedMember = new SharedMember(this.limit, () => {
      this.members.delete(member);
      if (this.members.size === 0) this.end();
    });
    this.members.add(member);
    return member;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    Promise.resolve(this.source.return?.()).catch(() => undefined);
  }

  private async pump(): Promise<void> {
    try {
      for (let next = await this.source.next(); !next.done; next = await this.source.next()) {
        const event = new SharedEvent(next.value);
        const burst = new Burst();
        try {
          for (const member of this.members) member.deliver(event, burst);
        } finally {
          burst.end();
        }
      }
      for (const member of this.members) member.close();
    } catch (error) {
      for (const member of this.members) member.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.end();
    }
  }
}
