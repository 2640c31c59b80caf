import { Directive, Field, ID, ObjectType } from "type-graphql";

/**
 * Keys of entities the capacity subgraph owns, for subgraphs that only point at them. Returning
 * `{ code }` from a field lets the gateway fetch the rest from capacity.
 */
@ObjectType("Region", { description: "One of Sweden's 21 regions (region), identified by its county code (länskod)." })
@Directive('@key(fields: "code", resolvable: false)')
export class RegionRef {
  @Field({ description: 'County code (länskod), two digits: "01" Stockholm … "13" Halland … "25" Norrbotten.' })
  code: string;
}

@ObjectType("HealthcareRegion", { description: "A healthcare region (sjukvårdsregion)." })
@Directive('@key(fields: "code", resolvable: false)')
export class HealthcareRegionRef {
  @Field({ description: 'Stable code: NORRA, MELLANSVERIGE, STOCKHOLM_GOTLAND, SYDOSTRA, SODRA or VASTRA.' })
  code: string;
}

@ObjectType("Procedure", { description: "A care procedure coded in KVÅ (Klassifikation av vårdåtgärder, Socialstyrelsen)." })
@Directive('@key(fields: "code", resolvable: false)')
export class ProcedureRef {
  @Field({ description: 'KVÅ code: three letters and two digits for surgery (e.g. "NFB49"), two letters and three digits otherwise.' })
  code: string;
}

@ObjectType("Provider", { description: "A care provider (vårdgivare): a region's hospital or a private provider." })
@Directive('@key(fields: "id", resolvable: false)')
export class ProviderRef {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}

@ObjectType("CapacityOffer", { description: "An offer of free capacity (ledig kapacitet) published by a provider." })
@Directive('@key(fields: "id", resolvable: false)')
export class CapacityOfferRef {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}

@ObjectType("Agreement", { description: "An agreement (avtal) under which a region sends patients to care outside its own providers." })
@Directive('@key(fields: "id", resolvable: false)')
export class AgreementRef {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}
