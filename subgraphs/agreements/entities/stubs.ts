/**
 * Stubs of entities the capacity subgraph owns, with the @external fields that
 * `CapacityOffer.coverage` @requires. They add fields beyond the key, so they are agreements' own
 * rather than the key-only shared ones. Nothing here is stored in this subgraph's database.
 */

import { Directive, Field, ID, ObjectType } from "type-graphql";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";
import { ProcedureStub, RegionStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";

@ObjectType("Provider")
@Directive('@key(fields: "id", resolvable: false)')
export class ProviderStub {
  @Field(() => ID)
  id: string;

  @Directive("@external")
  @Field(() => ProviderKind)
  kind: ProviderKind;

  @Directive("@external")
  @Field(() => RegionStub)
  region: RegionStub;
}

/** The representation the gateway sends for `coverage`: the offer's key plus the required fields. */
@ObjectType("CapacityOffer")
@Directive('@key(fields: "id")')
export class CapacityOfferStub {
  @Field(() => ID)
  id: string;

  @Directive("@external")
  @Field(() => ProviderStub)
  provider: ProviderStub;

  @Directive("@external")
  @Field(() => ProcedureStub, { nullable: true })
  procedure: ProcedureStub | null;

  @Directive("@external")
  @Field(() => Specialty)
  specialty: Specialty;

  @Directive("@external")
  @Field(() => DateScalar)
  earliestStart: string;
}
