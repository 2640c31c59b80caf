/**
 * Stubs: the key-only GraphQL types of entities one subgraph owns (capacity's regions, procedures,
 * providers and offers; agreements' agreements), for the subgraphs that only point at them.
 * Returning `{ code }` or `{ id }` from a field lets the gateway fetch the rest from the owner. The
 * GraphQL type names are the owner's; only the classes are called XStub, so that a stub is never
 * mistaken for the entity.
 */

import { Directive, Field, ID, ObjectType } from "type-graphql";

@ObjectType("Region", { description: "One of Sweden's 21 regions (region), identified by its county code (länskod)." })
@Directive('@key(fields: "code", resolvable: false)')
export class RegionStub {
  @Field({ description: 'County code (länskod), two digits: "01" Stockholm … "13" Halland … "25" Norrbotten.' })
  code: string;
}

@ObjectType("HealthcareRegion", { description: "A healthcare region (sjukvårdsregion)." })
@Directive('@key(fields: "code", resolvable: false)')
export class HealthcareRegionStub {
  @Field({ description: 'Stable code: NORRA, MELLANSVERIGE, STOCKHOLM_GOTLAND, SYDOSTRA, SODRA or VASTRA.' })
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
