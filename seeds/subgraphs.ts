/**
 * The hub's subgraph modules by name, for what runs or composes them all: the all-in-one runners
 * (hub.ts, network.ts), the seeds, composition (schema/compose.ts) and the tests. The gateway
 * never imports them; it knows the subgraphs by their URLs.
 */

import { SubgraphName } from "../subgraphs/shared/config";
import { AnySubgraphModule } from "../subgraphs/shared/subgraph";
import { agreementsSubgraph } from "../subgraphs/agreements/subgraph";
import { capacitySubgraph } from "../subgraphs/capacity/subgraph";
import { patientsSubgraph } from "../subgraphs/patients/subgraph";
import { referralsSubgraph } from "../subgraphs/referrals/subgraph";

export const SUBGRAPHS: Record<SubgraphName, AnySubgraphModule> = {
  patients: patientsSubgraph,
  capacity: capacitySubgraph,
  agreements: agreementsSubgraph,
  referrals: referralsSubgraph,
};
