/**
 * Waiting for a condition that announces itself by no event (a row written, a count in /health):
 * it is checked again and again until it holds, with a deadline generous enough that a slow machine
 * makes the test slower, never red. Where an event says the thing happened (a subscription's
 * result, the event cursor), wait on that instead.
 */

type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/** Resolves with the first truthy value of `condition`; rejects, saying what was awaited, after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The promise's value, or `otherwise` once `ms` have passed; the timer ends with it, so it holds no process open. */
export async function within<T, U>(promise: Promise<T>, ms: number, otherwise: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<U>((resolve) => (timer = setTimeout(() => resolve(otherwise), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
