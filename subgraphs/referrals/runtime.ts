import { DataSource } from "typeorm";
import { EventStream } from "../shared/event-stream";
import { logger } from "../shared/log";
import { Stoppable } from "../shared/main";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { BrokeringCandidates } from "./services/brokering-candidates";
import { ReferralWorkflow } from "./services/referral-workflow";

/** What lives as long as a referrals process: the event stream, the workflow, the brokering search, and the sweeps. */
export interface ReferralsRuntime extends Stoppable {
  workflow: ReferralWorkflow;
  brokering: BrokeringCandidates;
  events: EventStream;
  atRiskMarginDays: number;
}

/** Unanswered offers expire and clocks move with the calendar day; a minute's delay is fine. */
const SWEEP_MS = 60_000;
/**
 * A send still in flight after this long was left by a crash (a live one waits on at most a few
 * gateway calls of 10 s each): the sweep gives back what it held.
 */
const SEND_ABANDONED_MS = 2 * 60_000;
/** How often the referrals and steps still to be told to peers are looked for. */
const PEER_DELIVERY_MS = 1000;

export async function startReferralsRuntime(dataSource: DataSource, environment: RuntimeEnvironment): Promise<ReferralsRuntime> {
  const log = logger("referrals/sweep");
  const supergraph = environment.supergraph("referrals");
  const workflow = new ReferralWorkflow(
    dataSource,
    environment.hubRegionCode,
    supergraph,
    environment.atRiskMarginDays,
    environment.network,
    environment.clock,
  );
  const events = new EventStream(dataSource, "referrals");
  let clocksReadOn: string | null = null;
  const sweep = async () => {
    const today = environment.clock.today();
    try {
      const abandoned = await workflow.recoverAbandonedSends(new Date(Date.now() - SEND_ABANDONED_MS));
      if (abandoned > 0) log.info(`${abandoned} send(s) interrupted half-way given back`);
      await workflow.giveBackPending();
      const expired = await workflow.expireUnansweredOffers(today);
      if (expired > 0) log.info(`${expired} unanswered offer(s) to patients expired`);
      // Clocks change with the date: read them all once a day (and at start).
      if (clocksReadOn !== today) {
        const changed = await workflow.refreshClocks(today);
        clocksReadOn = today;
        if (changed > 0) log.info(`${changed} care-guarantee clock(s) changed on ${today}`);
      }
    } catch (error) {
      log.warn(`sweep failed: ${(error as Error).message}`);
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), SWEEP_MS).unref();
  // What this node still has to tell peers (referrals delivered, steps back) is posted every second; each row keeps its own backoff.
  // A node with no directory has no peers to tell anything, so it does not look.
  const peerDelivery = environment.network?.directory.file
    ? setInterval(
        () => void workflow.deliverToPeers().catch((error: Error) => log.warn(`peer delivery failed: ${error.message}`)),
        PEER_DELIVERY_MS,
      ).unref()
    : undefined;
  return {
    workflow,
    brokering: new BrokeringCandidates(supergraph),
    events,
    atRiskMarginDays: environment.atRiskMarginDays,
    stop: async () => {
      clearInterval(timer);
      clearInterval(peerDelivery);
      await events.stop();
    },
  };
}
