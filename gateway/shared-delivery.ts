/**
 * One stream of results delivered to many subscriptions at once (the gateway's identical live
 * subscriptions). With thousands of members, the cost per event is in what is done per member, so
 * a result is encoded once per event and written to every member's socket in one synchronous loop,
 * instead of each member's own queue, promise chain and `JSON.stringify` through graphql-ws.
 * graphql-ws still owns everything else about the subscription (its protocol, errors, completion):
 * the subscription server (subgraphs/shared/subscriptions.ts) hands each member its client, as it
 * does any stream that `DeliversDirectly`.
 */

import type { Duplex } from "node:stream";
import { ExecutionResult } from "graphql";
import WebSocket from "ws";
import { BoundedQueue, tooSlow } from "../subgraphs/shared/bounded-queue";
import { DELIVERS_DIRECTLY, DeliversDirectly, SubscriptionClient } from "../subgraphs/shared/subscriptions";

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
  readonly socket: WebSocket;
  /** Writes the event's `next` message to the socket. */
  write(event: SharedEvent): void;
}

// `ws` offers no cork of its own; its frames are written to this socket (and `ws` itself corks it
// around each frame's header and body, which nests inside ours).
function raw(socket: WebSocket): Duplex | undefined {
  return (socket as unknown as { _socket?: Duplex })._socket;
}

/** A member's outlet: its subscription's client socket, written the moment an event arrives. */
class SocketOutlet implements Outlet {
  constructor(private readonly client: SubscriptionClient) {}

  get socket(): WebSocket {
    return this.client.socket;
  }

  write(event: SharedEvent): void {
    // Not even encoded for a closing socket (graphql-ws ends its subscriptions itself).
    if (this.client.socket.readyState !== WebSocket.OPEN) return;
    this.client.send(event.encode(this.client.encode));
  }
}

/**
 * One subscription's membership. Once the server attaches its outlet, events go straight to the
 * client socket, and reading the member as an iterator only waits for its end (or its error, such as
 * SUBSCRIBER_TOO_SLOW). Without an outlet it is an ordinary bounded queue of results.
 */
export class SharedMember extends BoundedQueue<ExecutionResult> implements DeliversDirectly {
  outlet?: Outlet;
  /** Events written since the client's socket was last found with nothing unsent. */
  private unsent = 0;

  constructor(
    limit: number,
    onClose: () => void,
    private readonly onAttach: (member: SharedMember) => void,
  ) {
    super(limit, onClose);
  }

  [DELIVERS_DIRECTLY](client: SubscriptionClient): void {
    this.attach(new SocketOutlet(client));
  }

  attach(outlet: Outlet): void {
    // A member that has already ended keeps its queue, for the reader to drain as it is.
    if (this.closed) return;
    this.outlet = outlet;
    // Events that arrived between joining and attaching.
    const early = this.queue.splice(0);
    if (early.length > 0) {
      const busy = outlet.socket.bufferedAmount > 0;
      for (const result of early) this.write(new SharedEvent(result), busy);
    }
    // (Writing those may already have cut it off.)
    if (!this.closed) this.onAttach(this);
  }

  /**
   * Writes the event through the outlet. `busy`: the socket still held unsent bytes when this event
   * began. Nothing queues here for a client that does not read, its bytes wait in its socket instead,
   * so the queue's limit applies to the events written while the socket was still busy.
   */
  write(event: SharedEvent, busy: boolean): void {
    if (this.closed || !this.outlet) return;
    this.outlet.write(event);
    this.unsent = busy ? this.unsent + 1 : 0;
    if (this.unsent > this.limit) this.fail(tooSlow(this.limit));
  }
}

/**
 * Reads `source` once and delivers each result to every member. Members are kept by client socket:
 * a socket is corked while the event goes to its members and uncorked right after, so a socket
 * carrying 100 subscriptions costs one write to the kernel per event rather than 100, and each
 * client can start reading while the others are still being written. Ends the source when the last
 * member leaves; `onEnd` runs once, when it ends either way, so no one joins a stream that is over.
 */
export class Broadcast {
  private readonly members = new Set<SharedMember>();
  private readonly bySocket = new Map<WebSocket, Set<SharedMember>>();
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
    const member: SharedMember = new SharedMember(
      this.limit,
      () => {
        this.members.delete(member);
        const socket = member.outlet?.socket;
        const sharing = socket && this.bySocket.get(socket);
        if (sharing) {
          sharing.delete(member);
          if (sharing.size === 0) this.bySocket.delete(socket);
        }
        if (this.members.size === 0) this.end();
      },
      (attached) => {
        const socket = attached.outlet!.socket;
        let sharing = this.bySocket.get(socket);
        if (!sharing) {
          sharing = new Set();
          this.bySocket.set(socket, sharing);
        }
        sharing.add(attached);
      },
    );
    this.members.add(member);
    return member;
  }

  private deliver(event: SharedEvent): void {
    for (const member of this.members) if (!member.outlet) member.push(event.result);
    for (const [socket, sharing] of this.bySocket) {
      const busy = socket.bufferedAmount > 0;
      const stream = raw(socket);
      stream?.cork();
      try {
        for (const member of sharing) member.write(event, busy);
      } finally {
        stream?.uncork();
      }
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    Promise.resolve(this.source.return?.()).catch(() => undefined);
  }

  private async pump(): Promise<void> {
    try {
      for (let next = await this.source.next(); !next.done; next = await this.source.next()) this.deliver(new SharedEvent(next.value));
      for (const member of this.members) member.close();
    } catch (error) {
      for (const member of this.members) member.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.end();
    }
  }
}
