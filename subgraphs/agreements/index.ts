import { runSubgraphStandalone } from "../shared/subgraph";
import { agreementsSubgraph } from "./subgraph";

runSubgraphStandalone(agreementsSubgraph);
