/**
 * Stubs: the key-only GraphQL types of entities one subgraph owns (capacity's regions, procedures,
 * providers and offers; agreements' agreements), for the subgraphs that only point at them.
 * Returning `{ code }` or `{ id }` from a field lets the gateway fetch the rest from the owner. The
 * GraphQL type names are the owner's; only the classes are called XStub, so that a stub is never
 * mistaken for the entity.
 */

import { Directive, Field, ID, ObjectType } from "type-graphql";
import { CareSetting, ProviderKind, Specialty } from "./graphql-enums";
import { DateScalar } from "./scalars";

@ObjectType("Region", { description: "One of Sweden's 21 regions (region), identified by its county code (länskod)." })
@Directive('@key(fields: "code", resolvable: false)')
export class RegionStub {
  @Field({ description: 'County code (länskod), two digits: "01" Stockholm … "13" Halland … "25" Norrbotten.' })
  code: string;
}

@ObjectType("HealthcareRegion", { description: "A healthcare region (sjukvårdsregion)." })
@Directive('@key(fields: "code", resolvable: false)')
export class HealthcareRegionStub {
  @Field({ description: "Stable code: NORRA, MELLANSVERIGE, STOCKHOLM_GOTLAND, SYDOSTRA, SODRA or VASTRA." })
  code: string;
}

@ObjectType("Procedure", { description: "A care procedure coded in KVÅ (Klassifikation av vårdåtgärder, Socialstyrelsen)." })
@Directive('@key(fields: "code", resolvable: false)')
export class ProcedureStub {
  @Field({ description: 'KVÅ code: three letters and two digits for surgery (e.g. "NFB49"), two letters and three digits otherwise.' })
  code: string;
}

@ObjectType("Provider", { description: "A care provider (vårdgivare): a region's hospital or a private provider." })
@Directive('@key(fields: "id", resolvable: false)')
export class ProviderStub {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}

@ObjectType("CapacityOffer", { description: "An offer of free capacity (ledig kapacitet) published by a provider." })
@Directive('@key(fields: "id", resolvable: false)')
export class CapacityOfferStub {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}

@ObjectType("Agreement", { description: "An agreement (avtal) under which a region sends patients to care outside its own providers." })
@Directive('@key(fields: "id", resolvable: false)')
export class AgreementStub {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}

/**
 * The key of `Coverage`: the facts of a care case. Capacity poses the question (it knows providers)
 * and agreements answers it, so both subgraphs declare these fields, identically, by extending this.
 * The facts a client did not give are hidden from the API (`@inaccessible`); they travel only
 * between the two subgraphs.
 */
// Decorated so that subclasses inherit its fields; no resolver returns it, so the schema never shows it.
@ObjectType()
export abstract class CoverageKeyFields {
  @Directive("@inaccessible")
  @Field()
  homeRegionCode: string;

  /** The patient's home municipality where known: Region Halland's pacts follow it. */
  @Directive("@inaccessible")
  @Field(() => String, { nullable: true })
  homeMunicipalityCode: string | null;

  @Directive("@inaccessible")
  @Field(() => ID)
  providerId: string;

  @Directive("@inaccessible")
  @Field(() => ProviderKind)
  providerKind: ProviderKind;

  @Directive("@inaccessible")
  @Field()
  providerRegionCode: string;

  @Field(() => Specialty, { description: "The specialty of the care." })
  specialty: Specialty;

  @Directive("@inaccessible")
  @Field(() => String, { nullable: true })
  procedureCode: string | null;

  @Field(() => DateScalar, { description: "The date of care the answer is for." })
  date: string;

  @Field(() => CareSetting, { description: "The care setting the answer is for (outpatient unless asked otherwise)." })
  careSetting: CareSetting;
}

/** The fields of `Coverage`'s key, in the order the key names them. */
export const COVERAGE_KEY =
  "homeRegionCode homeMunicipalityCode providerId providerKind providerRegionCode specialty procedureCode date careSetting";
