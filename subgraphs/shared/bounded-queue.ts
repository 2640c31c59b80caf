import { GraphQLError } from "graphql";

/**
 * A subscription's queue of values waiting for its client, read as an async iterator. It holds at
 * most `limit` values: a client that falls that far behind is cut off with SUBSCRIBER_TOO_SLOW
 * (and can resume with its last event id) rather than making the process hold ever more for it.
 * `onClose` runs once, however the queue ends (client left, cut off, or server stopping).
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  protected readonly queue: T[] = [];
  private waiting?: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void };
  private failure?: Error;
  private done = false;

  constructor(
    protected readonly limit: number,
    private readonly onClose: () => void = () => undefined,
  ) {}

  get closed(): boolean {
    return this.done;
  }

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.queue.length >= this.limit) {
      this.fail(tooSlow(this.limit));
      return;
    }
    this.queue.push(value);
  }

  /** Ends the queue with an error, dropping what waits: the reader gets the error next. */
  fail(error: Error): void {
    if (this.done) return;
    this.queue.length = 0;
    this.failure = error;
    this.close();
  }

  /** Ends the queue; the reader still gets what waits, then the end. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.onClose();
    if (this.waiting) {
      const { resolve, reject } = this.waiting;
      this.waiting = undefined;
      if (this.failure) {
        reject(this.failure);
        this.failure = undefined;
      } else resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/** The error a subscriber gets when more than `limit` events wait for it. */
export function tooSlow(limit: number): GraphQLError {
  return new GraphQLError(
    `Subscription closed: more than ${limit} events were waiting for this client. Subscribe again with after set to the last event id received.`,
    { extensions: { code: "SUBSCRIBER_TOO_SLOW" } },
  );
}

/**
 * Maps a stream value by value. Written as a plain iterator rather than an async generator on
 * purpose: a generator's `return()` waits behind its pending `next()`, which for a quiet stream may
 * never settle, so a client that leaves would keep its subscription (and its upstream) open.
 * Here `return()` closes the source at once. `map` may answer `END` after a value to end the stream.
 */
export const END = Symbol("end of stream");

export function mapStream<S, T>(
  source: AsyncIterator<S>,
  map: (value: S) => Promise<T | [T, typeof END]> | T | [T, typeof END],
): AsyncIterableIterator<T> {
  let ended = false;
  const finish = async (): Promise<IteratorResult<T>> => {
    ended = true;
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next() {
      if (ended) return { value: undefined, done: true };
      const result = await source.next();
      if (result.done || ended) return finish();
      const mapped = await map(result.value);
      if (Array.isArray(mapped) && mapped[1] === END) {
        await finish();
        return { value: mapped[0], done: false };
      }
      return { value: mapped as T, done: false };
    },
    return: finish,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
