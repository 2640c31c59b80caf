import { DataSource } from "typeorm";
import { stockholmDate } from "../shared/domain/calendar";
import { EventStream } from "../shared/event-stream";
import { logger } from "../shared/log";
import { Stoppable } from "../shared/main";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { CapacityPublishing } from "./services/capacity-publishing";
import { CareCatalogue } from "./services/care-catalogue";
import { NationalSearch } from "./services/national-search";
import { PeerDirectory } from "../shared/network/directory";
import { NodeIdentity } from "../shared/network/node-key";

/** No directory: the national search is this node's own (a node that asks no peer needs no key). */
function nodeOnItsOwn(regionCode: string) {
  return {
    identity: new NodeIdentity("", () => "", regionCode),
    directory: new PeerDirectory(null, regionCode),
    peerTimeoutMs: 1,
    peerMaxAnswerBytes: 1,
  };
}

/** What lives as long as a capacity process: the offer event stream and the expiry sweep. */
export interface CapacityRuntime extends Stoppable {
  publishing: CapacityPublishing;
  catalogue: CareCatalogue;
  events: EventStream;
  national: NationalSearch;
}

/** Offers expire when their window ends; the sweep announces it within a minute of midnight. */
const EXPIRY_SWEEP_MS = 60_000;

export async function startCapacityRuntime(dataSource: DataSource, { hubRegionCode, network }: RuntimeEnvironment): Promise<CapacityRuntime> {
  const log = logger("capacity/expiry");
  const publishing = new CapacityPublishing(dataSource, hubRegionCode);
  const events = new EventStream(dataSource, "capacity");
  const sweep = async () => {
    try {
      const expired = await publishing.expireDue(stockholmDate());
      if (expired > 0) log.info(`${expired} offer(s) expired`);
    } catch (error) {
      log.warn(`expiry sweep failed: ${(error as Error).message}`);
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), EXPIRY_SWEEP_MS).unref();
  return {
    publishing,
    catalogue: new CareCatalogue(dataSource, hubRegionCode),
    events,
    national: new NationalSearch(network ?? nodeOnItsOwn(hubRegionCode), hubRegionCode),
    stop: async () => {
      clearInterval(timer);
      await events.stop();
    },
  };
}
