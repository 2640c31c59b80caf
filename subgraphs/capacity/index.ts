import { runSubgraphStandalone } from "../shared/subgraph";
import { capacitySubgraph } from "./subgraph";

runSubgraphStandalone(capacitySubgraph);
