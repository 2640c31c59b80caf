import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { CareSetting, ProviderKind } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { CareAccessEffect, CareAccessRuleFacts } from "../domain/care-access";

registerEnumType(CareAccessEffect, {
  name: "CareAccessEffect",
  description: "What a home region's care-access rule does.",
  valuesConfig: {
    SAME_TERMS_AS_RESIDENTS: {
      description: "The region's residents get care in the providing region on the same terms as its own residents (one way).",
    },
    PAYMENT_COMMITMENT_REQUIRED: { description: "Care needs the home region's prior approval: a payment commitment." },
    NO_PAYMENT_COMMITMENT_REQUIRED: { description: "Care needs no payment commitment." },
  },
});

/**
 * A home region's own rule for where its residents may seek care and on which terms, as data
 * (each region's node seeds its own): one-way same-terms arrangements, and when a payment
 * commitment is needed for outpatient or inpatient care.
 */
@ObjectType({
  description:
    "A home region's own rule for where its residents may seek care and on which terms (a one-way same-terms arrangement, or whether a payment commitment is needed).",
})
@Entity({ name: "care_access_rule" })
export class CareAccessRule implements CareAccessRuleFacts {
  @Field(() => ID, { description: 'Stable id, e.g. "halland-inpatient-approval".' })
  @PrimaryColumn({ type: "text" })
  id: string;

  @Field({ description: "What the rule says, in the home region's words." })
  @Column({ type: "text" })
  name: string;

  @Field(() => String, { nullable: true, description: "County code of the home region whose residents it is for; null for every region." })
  @Column({ type: "text", name: "home_region_code", nullable: true })
  homeRegionCode: string | null;

  @Field(() => [String], { nullable: true, description: "Only residents of these municipalities (kommunkod); null for the whole region." })
  @Column({ type: "text", array: true, name: "home_municipality_codes", nullable: true })
  homeMunicipalityCodes: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Care in these regions (county codes; "elsewhere" lists every other region); null for any region.',
  })
  @Column({ type: "text", array: true, name: "providing_region_codes", nullable: true })
  providingRegionCodes: string[] | null;

  @Field(() => ProviderKind, { nullable: true, description: "Only providers of this kind; null for both." })
  @Column({ type: "text", name: "provider_kind", nullable: true })
  providerKind: ProviderKind | null;

  @Field(() => CareSetting, { nullable: true, description: "Only this care setting; null for both." })
  @Column({ type: "text", name: "care_setting", nullable: true })
  careSetting: CareSetting | null;

  @Field(() => CareAccessEffect, { description: "What it does." })
  @Column({ type: "text" })
  effect: CareAccessEffect;

  @Field(() => Int, { description: "Among rules on payment commitments that match a case, the lowest number decides." })
  @Column({ type: "integer" })
  priority: number;

  @Field(() => DateScalar, { nullable: true, description: "First day it applies; null since always." })
  @Column({ type: "date", name: "valid_from", nullable: true })
  validFrom: string | null;

  @Field(() => DateScalar, { nullable: true, description: "Last day it applies; null until further notice." })
  @Column({ type: "date", name: "valid_until", nullable: true })
  validUntil: string | null;
}
