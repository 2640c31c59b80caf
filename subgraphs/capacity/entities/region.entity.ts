import { Directive, Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";

@ObjectType({ description: "One of Sweden's 21 regions (region), identified by its county code (länskod)." })
@Directive('@key(fields: "code")')
@Entity({ name: "region" })
export class Region {
  @Field({ description: 'County code (länskod), two digits: "01" Stockholm … "13" Halland … "25" Norrbotten.' })
  @PrimaryColumn({ type: "text" })
  code: string;

  @Field({ description: 'The region\'s name, e.g. "Region Halland".' })
  @Column({ type: "text" })
  name: string;
}

@ObjectType({
  description:
    "A healthcare region (sjukvårdsregion): one of six groups of regions that cooperate on specialised care and share a pact (samverkansavtal) and a price list.",
})
@Directive('@key(fields: "code")')
@Entity({ name: "healthcare_region" })
export class HealthcareRegion {
  @Field({ description: "Stable code: NORRA, MELLANSVERIGE, STOCKHOLM_GOTLAND, SYDOSTRA, SODRA or VASTRA." })
  @PrimaryColumn({ type: "text" })
  code: string;

  @Field({ description: 'Swedish name, e.g. "Södra sjukvårdsregionen".' })
  @Column({ type: "text" })
  name: string;

  @Field({ description: 'English name, e.g. "Southern healthcare region".' })
  @Column({ type: "text", name: "english_name" })
  englishName: string;
}

/**
 * A region's membership of a healthcare region. Region Halland is in two, split by municipality,
 * so a membership may be limited to some municipalities (null = the whole region).
 */
@Entity({ name: "healthcare_region_member" })
export class HealthcareRegionMember {
  @PrimaryColumn({ type: "text", name: "healthcare_region_code" })
  healthcareRegionCode: string;

  @PrimaryColumn({ type: "text", name: "region_code" })
  regionCode: string;

  @Column({ type: "text", array: true, name: "municipality_codes", nullable: true })
  municipalityCodes: string[] | null;
}
