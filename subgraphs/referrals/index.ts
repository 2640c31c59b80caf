import { runSubgraphStandalone } from "../shared/subgraph";
import { referralsSubgraph } from "./subgraph";

runSubgraphStandalone(referralsSubgraph);
