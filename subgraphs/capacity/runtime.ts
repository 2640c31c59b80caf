/**
 * What lives as long as a capacity process: the services, built once and shared by every request,
 * the capacity event stream, and the two background jobs (the expiry sweep and the polling of
 * SMART Scheduling Links publishers).
 */

import { DataSource } from "typeorm";
import { EventStream } from "../shared/event-stream";
import { logger } from "../shared/log";
import { Stoppable } from "../shared/main";
import { PeerDirectory } from "../shared/network/directory";
import { NodeIdentity } from "../shared/network/node-key";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { CapacityPublishing } from "./services/capacity-publishing";
import { CapacitySearch } from "./services/capacity-search";
import { CareCatalogue } from "./services/care-catalogue";
import { NationalSearch } from "./services/national-search";
import { SmartScheduling } from "./services/smart-scheduling";

/** No directory: the national search is this node's own (a node that asks no peer needs no key). */
function nodeOnItsOwn(regionCode: string) {
  return {
    identity: new NodeIdentity("", () => "", regionCode),
    directory: new PeerDirectory(null, regionCode),
    peerTimeoutMs: 1,
    peerMaxAnswerBytes: 1,
  };
}

/** The capacity services and event stream a request's context hands to resolvers. */
export interface CapacityServices {
  search: CapacitySearch;
  publishing: CapacityPublishing;
  scheduling: SmartScheduling;
  catalogue: CareCatalogue;
  events: EventStream;
  national: NationalSearch;
}

export interface CapacityRuntime extends CapacityServices, Stoppable {}

/** How often the hub looks for SMART Scheduling Links publishers due for a poll (each is polled at most once a minute). */
const PUBLISHER_CHECK_MS = 15_000;

/** Offers expire when their window ends; the sweep announces it within a minute of midnight. */
const EXPIRY_SWEEP_MS = 60_000;

export async function startCapacityRuntime(
  dataSource: DataSource,
  { hubRegionCode, network, clock }: RuntimeEnvironment,
): Promise<CapacityRuntime> {
  const log = logger("capacity/expiry");
  const publishing = new CapacityPublishing(dataSource, hubRegionCode);
  const events = new EventStream(dataSource, "capacity");
  const sweep = async () => {
    try {
      const expired = await publishing.expireDue(clock.today());
      if (expired > 0) log.info(`${expired} offer(s) expired`);
    } catch (error) {
      log.warn(`expiry sweep failed: ${(error as Error).message}`);
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), EXPIRY_SWEEP_MS).unref();
  const scheduling = new SmartScheduling(dataSource, publishing, hubRegionCode);
  let polling = false;
  const pollTimer = setInterval(() => {
    if (polling) return;
    polling = true;
    scheduling
      .pollDue(clock.today())
      .catch((error: Error) => logger("capacity/smart-scheduling").warn(`polling publishers failed: ${error.message}`))
      .finally(() => (polling = false));
  }, PUBLISHER_CHECK_MS).unref();
  const search = new CapacitySearch(dataSource);
  return {
    search,
    publishing,
    scheduling,
    catalogue: new CareCatalogue(dataSource, hubRegionCode),
    events,
    national: new NationalSearch(network ?? nodeOnItsOwn(hubRegionCode), hubRegionCode, search),
    stop: async () => {
      clearInterval(timer);
      clearInterval(pollTimer);
      await events.stop();
    },
  };
}
