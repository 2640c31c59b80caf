import { SubgraphName } from "../subgraphs/shared/config";
import { SubgraphModule } from "../subgraphs/shared/subgraph";
import { agreementsSubgraph } from "../subgraphs/agreements/subgraph";
import { capacitySubgraph } from "../subgraphs/capacity/subgraph";
import { patientsSubgraph } from "../subgraphs/patients/subgraph";
import { referralsSubgraph } from "../subgraphs/referrals/subgraph";

/** The hub's subgraphs by name: what `npm start` runs and `npm run compose` composes. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphModule<any, any>> = {
  patients: patientsSubgraph,
  capacity: capacitySubgraph,
  agreements: agreementsSubgraph,
  referrals: referralsSubgraph,
};
