/**
 * A request's context in the agreements subgraph: the shared base (caller, day, request id), the
 * services the runtime built once, and the request's own loaders.
 */

import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { EventStream } from "../shared/event-stream";
import { AgreementsLoaders, createAgreementsLoaders } from "./loaders";
import { AgreementsRuntime } from "./runtime";
import { AgreementAdministration } from "./services/agreement-administration";
import { AgreementListing } from "./services/agreement-listing";
import { CommitmentLedger } from "./services/commitment-ledger";

export interface AgreementsContext extends BaseRequestContext {
  administration: AgreementAdministration;
  listing: AgreementListing;
  ledger: CommitmentLedger;
  events: EventStream;
  loaders: AgreementsLoaders;
}

export function createAgreementsContext(dataSource: DataSource, base: BaseRequestContext, runtime: AgreementsRuntime): AgreementsContext {
  return {
    ...base,
    administration: runtime.administration,
    listing: runtime.listing,
    ledger: runtime.ledger,
    events: runtime.events,
    loaders: createAgreementsLoaders(dataSource),
  };
}
