import { FairAdmission } from "../../gateway/limits";
import { Identity, Role, systemIdentity } from "../../subgraphs/shared/identity";

/**
 * Admission by cost, fair between clients: light requests never wait; heavy ones run
 * one at a time and, while other clients are busy, only on the time they earn beside them. The
 * clock is jest's, so nothing depends on how fast the machine is.
 */
const client = (subject: string): Identity => systemIdentity(subject, Role.PEER_REGION, "12");
const office = client("office");
const system = client("system");
// A heavy request of 20 000 is expected to take 400 ms, and earns a tenth of the time it waits.
const options = { heavyCost: 10_000, heavyShare: 1 / 10, quietMs: 50, initialMsPerCost: 0.02, maxWaitMs: 60_000 };
const HEAVY = 20_000;

const admission = () => new FairAdmission(options, () => Date.now());

/** Whether the promise has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ["setImmediate"] }));
afterEach(() => jest.useRealTimers());

test("light requests are admitted at once, even while a heavy one runs", async () => {
  const fair = admission();
  const heavy = await fair.admit(system, HEAVY);
  const light = fair.admit(office, 2_000);
  expect(await settled(light)).toBe(true);
  heavy();
  (await light)();
});

test("heavy requests run at once while no other client is busy", async () => {
  const fair = admission();
  const first = await fair.admit(system, HEAVY);
  jest.advanceTimersByTime(400);
  first();
  // Its next one too: yielding is only to others.
  expect(await settled(fair.admit(system, HEAVY))).toBe(true);
});

test("heavy requests run one at a time", async () => {
  const fair = admission();
  const first = await fair.admit(client("a"), HEAVY);
  const second = fair.admit(client("b"), HEAVY);
  jest.advanceTimersByTime(1_000);
  expect(await settled(second)).toBe(false);
  first();
  jest.advanceTimersByTime(options.quietMs);
  expect(await settled(second)).toBe(true);
});

test("beside a busy client, a heavy request waits until it has earned its expected duration", async () => {
  const fair = admission();
  const search = await fair.admit(office, 2_000);
  const heavy = fair.admit(system, HEAVY);
  // 400 ms expected at a share of a tenth: 4 000 ms of waiting.
  jest.advanceTimersByTime(3_900);
  expect(await settled(heavy)).toBe(false);
  jest.advanceTimersByTime(100);
  expect(await settled(heavy)).toBe(true);
  search();
});

test("nothing is earned while no heavy request waits: a burst does not start on a backlog", async () => {
  const fair = admission();
  const search = await fair.admit(office, 2_000);
  jest.advanceTimersByTime(60_000);
  const heavy = fair.admit(system, HEAVY);
  jest.advanceTimersByTime(1_000);
  expect(await settled(heavy)).toBe(false);
  search();
});

test("a heavy request runs once the other client has been quiet for the quiet time", async () => {
  const fair = admission();
  const search = await fair.admit(office, 2_000);
  const heavy = fair.admit(system, HEAVY);
  search();
  jest.advanceTimersByTime(options.quietMs - 1);
  expect(await settled(heavy)).toBe(false);
  jest.advanceTimersByTime(1);
  expect(await settled(heavy)).toBe(true);
});

test("no heavy request waits longer than the longest wait", async () => {
  const fair = admission();
  const search = await fair.admit(office, 2_000);
  const heavy = fair.admit(system, 10 * HEAVY);
  jest.advanceTimersByTime(options.maxWaitMs);
  expect(await settled(heavy)).toBe(true);
  search();
});

test("a client counts as busy from its request's arrival, before its cost is known", async () => {
  const fair = admission();
  const visit = fair.arrive(office);
  const heavy = fair.admit(system, HEAVY);
  jest.advanceTimersByTime(1_000);
  expect(await settled(heavy)).toBe(false);
  visit.leave();
  jest.advanceTimersByTime(options.quietMs);
  expect(await settled(heavy)).toBe(true);
});

test("heavy requests waiting for their turn do not count as busy for each other", async () => {
  const fair = admission();
  const first = fair.admit(client("a"), HEAVY);
  const second = fair.admit(client("b"), HEAVY);
  expect(await settled(first)).toBe(true);
  (await first)();
  jest.advanceTimersByTime(options.quietMs);
  expect(await settled(second)).toBe(true);
});
