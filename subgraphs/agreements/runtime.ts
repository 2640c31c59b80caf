import { DataSource } from "typeorm";
import { EventStream } from "../shared/event-stream";
import { Stoppable } from "../shared/main";

/** What lives as long as an agreements process: the agreement event stream. */
export interface AgreementsRuntime extends Stoppable {
  events: EventStream;
}

export async function startAgreementsRuntime(dataSource: DataSource): Promise<AgreementsRuntime> {
  const events = new EventStream(dataSource, "agreements");
  return { events, stop: () => events.stop() };
}
