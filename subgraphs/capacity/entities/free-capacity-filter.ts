/**
 * The GraphQL input type of a free-capacity search's filter: `freeCapacity`, `nationalCapacity` and
 * the `offerPublished`/`offerChanged` subscriptions all take it.
 */

import { Field, ID, InputType, Int } from "type-graphql";
import { ProviderKind, Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import type { CapacitySearchFilter } from "../domain/capacity-filter";

@InputType({ description: "Narrows a free-capacity search. All fields are optional and combine with AND." })
export class FreeCapacityFilter implements CapacitySearchFilter {
  @Field(() => Specialty, { nullable: true, description: "Only capacity in this specialty." })
  specialty?: Specialty | null;

  @Field(() => String, { nullable: true, description: 'Only capacity for this KVÅ procedure, e.g. "NFB49".' })
  procedureCode?: string | null;

  @Field(() => VisitType, { nullable: true, description: "Only first visits (nybesök) or only treatments (operation/åtgärd)." })
  visitType?: VisitType | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only providers located in these regions (county codes, e.g. ["12", "14"]; at most 21, each once).',
  })
  regionCodes?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "Only providers located in this healthcare region (e.g. SODRA); in Region Halland by the provider's municipality.",
  })
  healthcareRegionCode?: string | null;

  @Field(() => [ID], { nullable: true, description: "Only these providers (at most 100, each once)." })
  providerIds?: string[] | null;

  @Field(() => ProviderKind, { nullable: true, description: "Only regional (PUBLIC) or only private providers." })
  providerKind?: ProviderKind | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "Only offers whose earliest start is on or before this date (e.g. a patient's guarantee deadline).",
  })
  startsOnOrBefore?: string | null;

  @Field(() => Int, { nullable: true, description: "Only offers with at least this many free slots (default 1)." })
  minAvailableSlots?: number | null;

  @Field(() => Int, { nullable: true, description: "Only offers whose reported expected wait is at most this many days." })
  maxExpectedWaitDays?: number | null;
}
