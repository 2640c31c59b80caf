/**
 * What a change event invalidates in the gateway's response cache comes from the subgraph's own
 * description of its feed (subgraphs/shared/change-feed.ts), read by the gateway over the wire.
 */

import { partsTouched } from "../../subgraphs/shared/change-feed";
import { CAPACITY_CHANGE_FEED } from "../../subgraphs/capacity/services/offer-events";
import { AGREEMENTS_CHANGE_FEED } from "../../subgraphs/agreements/services/agreement-outbox";

describe("a subgraph's change feed description", () => {
  const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  it("survives the wire whole", () => {
    expect(wire(CAPACITY_CHANGE_FEED)).toEqual(CAPACITY_CHANGE_FEED);
    expect(wire(AGREEMENTS_CHANGE_FEED)).toEqual(AGREEMENTS_CHANGE_FEED);
  });

  it("names the parts an offer event touches: its specialty, and its procedure when it has one", () => {
    const { event } = wire(CAPACITY_CHANGE_FEED);
    expect(partsTouched(event, { id: "o1", specialty: "ORTHOPAEDICS", procedure: { code: "NFB49" } })).toEqual([
      "specialty/ORTHOPAEDICS",
      "procedureCode/NFB49",
    ]);
    expect(partsTouched(event, { id: "o2", specialty: "UROLOGY", procedure: null })).toEqual(["specialty/UROLOGY"]);
  });

  it("lets a catalogue change, and any agreement change, touch everything", () => {
    const capacity = wire(CAPACITY_CHANGE_FEED);
    expect(partsTouched(capacity.eventOf?.careCatalogueChanged, { id: "p1" })).toBeUndefined();
    expect(partsTouched(wire(AGREEMENTS_CHANGE_FEED).event, { id: "a1" })).toBeUndefined();
  });
});
