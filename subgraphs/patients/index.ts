import { runSubgraphStandalone } from "../shared/subgraph";
import { patientsSubgraph } from "./subgraph";

runSubgraphStandalone(patientsSubgraph);
