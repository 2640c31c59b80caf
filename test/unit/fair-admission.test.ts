import { FairAdmission } from "../../gateway/limits";
import { Identity, Role, systemIdentity } from "../../subgraphs/shared/identity";

/**
 * Admission by cost, fair between clients (issue 14): light requests never wait; heavy ones run
 * one at a time and, while other clients are busy, take at most their share of the time. The
 * clock is a variable here, so nothing depends on how fast the machine is.
 */
const client = (subject: string): Identity => systemIdentity(subject, Role.PEER_REGION, "12");
const office = client("office");
const system = client("system");
const options = { heavyCost: 10_000, heavyShare: 1 / 10, quietMs: 50, maxWaitMs: 60_000 };

let clock = 0;
const admission = () => new FairAdmission(options, () => clock);

/** Whether the promise has settled after pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

beforeEach(() => {
  clock = 0;
  jest.useFakeTimers({ doNotFake: ["setImmediate"] });
});
afterEach(() => jest.useRealTimers());

test("light requests are admitted at once, even while a heavy one runs", async () => {
  const fair = admission();
  const heavy = await fair.admit(system, 19_800);
  const light = fair.admit(office, 2_000);
  expect(await settled(light)).toBe(true);
  heavy();
  (await light)();
});

test("a heavy request runs at once when no other client is busy", async () => {
  const fair = admission();
  const first = await fair.admit(system, 19_800);
  clock += 400;
  first();
  // Its next one too: yielding is only to others.
  expect(await settled(fair.admit(system, 19_800))).toBe(true);
});

test("heavy requests run one at a time", async () => {
  const fair = admission();
  const first = await fair.admit(client("a"), 19_800);
  const second = fair.admit(client("b"), 19_800);
  expect(await settled(second)).toBe(false);
  first();
  expect(await settled(second)).toBe(true);
});

test("while another client is busy, a heavy request waits out its share, then runs", async () => {
  const fair = admission();
  const first = await fair.admit(system, 19_800);
  clock += 400;
  first();
  const search = await fair.admit(office, 2_000);
  const next = fair.admit(system, 19_800);
  // The last heavy request took 400 ms; at a share of 1/10 the next may start 3 600 ms after it ended.
  clock += 3_000;
  jest.advanceTimersByTime(3_000);
  expect(await settled(next)).toBe(false);
  clock += 600;
  jest.advanceTimersByTime(600);
  expect(await settled(next)).toBe(true);
  search();
});

test("a heavy request runs once the other client has been quiet for the quiet time", async () => {
  const fair = admission();
  const first = await fair.admit(system, 19_800);
  clock += 400;
  first();
  const search = await fair.admit(office, 2_000);
  const next = fair.admit(system, 19_800);
  expect(await settled(next)).toBe(false);
  search();
  clock += 49;
  jest.advanceTimersByTime(49);
  expect(await settled(next)).toBe(false);
  clock += 1;
  jest.advanceTimersByTime(1);
  expect(await settled(next)).toBe(true);
});
