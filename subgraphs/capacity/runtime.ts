import { DataSource } from "typeorm";
import { stockholmDate } from "../shared/domain/calendar";
import { EventStream } from "../shared/event-stream";
import { logger } from "../shared/log";
import { Stoppable } from "../shared/main";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { CapacityPublishing } from "./services/capacity-publishing";
import { SmartScheduling } from "./services/smart-scheduling";

/** What lives as long as a capacity process: the offer event stream and the expiry sweep. */
export interface CapacityRuntime extends Stoppable {
  publishing: CapacityPublishing;
  scheduling: SmartScheduling;
  events: EventStream;
}

/** How often the hub looks for SMART Scheduling Links publishers due for a poll (each is polled at most once a minute). */
const PUBLISHER_CHECK_MS = 15_000;

/** Offers expire when their window ends; the sweep announces it within a minute of midnight. */
const EXPIRY_SWEEP_MS = 60_000;

export async function startCapacityRuntime(dataSource: DataSource, { hubRegionCode }: RuntimeEnvironment): Promise<CapacityRuntime> {
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
  const scheduling = new SmartScheduling(dataSource, publishing, hubRegionCode);
  let polling = false;
  const pollTimer = setInterval(() => {
    if (polling) return;
    polling = true;
    scheduling
      .pollDue()
      .catch((error: Error) => logger("capacity/smart-scheduling").warn(`polling publishers failed: ${error.message}`))
      .finally(() => (polling = false));
  }, PUBLISHER_CHECK_MS).unref();
  return {
    publishing,
    scheduling,
    events,
    stop: async () => {
      clearInterval(timer);
      clearInterval(pollTimer);
      await events.stop();
    },
  };
}
