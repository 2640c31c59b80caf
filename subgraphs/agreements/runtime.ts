/** What lives as long as an agreements process: its services and the agreement event stream. */

import { DataSource } from "typeorm";
import { EventStream } from "../shared/event-stream";
import { Stoppable } from "../shared/main";
import type { RuntimeEnvironment } from "../shared/subgraph";
import { AgreementAdministration } from "./services/agreement-administration";
import { AgreementListing } from "./services/agreement-listing";
import { CommitmentLedger } from "./services/commitment-ledger";

/** The services every request's context is given. */
export interface AgreementsServices {
  administration: AgreementAdministration;
  listing: AgreementListing;
  ledger: CommitmentLedger;
  events: EventStream;
}

export interface AgreementsRuntime extends AgreementsServices, Stoppable {}

export async function startAgreementsRuntime(dataSource: DataSource, { hubRegionCode }: RuntimeEnvironment): Promise<AgreementsRuntime> {
  const events = new EventStream(dataSource, "agreements");
  return {
    administration: new AgreementAdministration(dataSource, hubRegionCode),
    listing: new AgreementListing(dataSource),
    ledger: new CommitmentLedger(dataSource),
    events,
    stop: () => events.stop(),
  };
}
