import { Directive, Field, ID, ObjectType } from "type-graphql";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { ProcedureStub, RegionStub } from "../../shared/stubs";

/**
 * Entities owned by the capacity subgraph with the @external fields that `CapacityOffer.coverage`
 * @requires. Nothing here is stored in this subgraph's database.
 */
@ObjectType("Provider")
@Directive('@key(fields: "id", resolvable: false)')
export class ProviderRef {
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
export class CapacityOfferRef {
  @Field(() => ID)
  id: string;

  @Directive("@external")
  @Field(() => ProviderRef)
  provider: ProviderRef;

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
