/**
 * A request's context in the agreements subgraph: the shared base (caller, day, request id), the
 * services the runtime built once, and the request's own loaders.
 */

import { DataSource } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { AgreementsLoaders, createAgreementsLoaders } from "./loaders";
import { AgreementsRuntime, AgreementsServices } from "./runtime";

export interface AgreementsContext extends BaseRequestContext, AgreementsServices {
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
