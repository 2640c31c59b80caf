import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { ProviderKind, Specialty } from "../../shared/graphql-enums";

@ObjectType({
  description: "A care provider (vårdgivare): a region's hospital or a private provider that offers capacity through the hub.",
})
@Directive('@key(fields: "id")')
@Entity({ name: "provider" })
export class Provider {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field({ description: "HSA-id of the provider (HSA-id, OID 1.2.752.129.2.1.4.1). Seeded values are synthetic." })
  @Column({ type: "text", name: "hsa_id", unique: true })
  hsaId: string;

  @Field({ description: 'Name, e.g. "Hallands sjukhus Halmstad".' })
  @Column({ type: "text" })
  name: string;

  @Field(() => ProviderKind, { description: "Whether a region or a private company runs the provider." })
  @Column({ type: "text" })
  kind: ProviderKind;

  @Column({ type: "text", name: "region_code" })
  regionCode: string;

  @Field({ description: "Municipality code (kommunkod, four digits) where the provider is located." })
  @Column({ type: "text", name: "municipality_code" })
  municipalityCode: string;

  /** Ten digits; shown as NNNNNN-NNNN. */
  @Column({ type: "text", name: "organisation_number" })
  organisationNumber: string;

  @Field({
    description:
      "False once the provider left the HSA catalogue (a full import without it): its units are inactive too, and its history is kept.",
  })
  @Column({ type: "boolean", default: true })
  active: boolean;

  @Column({ type: "timestamptz", name: "deactivated_at", nullable: true })
  deactivatedAt: Date | null;

  @Column({ type: "timestamptz", name: "updated_at", default: () => "now()", select: false, insert: false })
  updatedAt?: Date;
}

@ObjectType({ description: "A care unit (vårdenhet) of a provider, e.g. an orthopaedic clinic; offers are published per unit." })
@Directive('@key(fields: "id")')
@Entity({ name: "care_unit" })
export class CareUnit {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field({ description: "HSA-id of the care unit. Seeded values are synthetic." })
  @Column({ type: "text", name: "hsa_id", unique: true })
  hsaId: string;

  @Field({ description: 'Name, e.g. "Ortopedkliniken, Hallands sjukhus Varberg".' })
  @Column({ type: "text" })
  name: string;

  @Field(() => Specialty, { description: "The unit's specialty." })
  @Column({ type: "text" })
  specialty: Specialty;

  @Column({ type: "uuid", name: "provider_id" })
  providerId: string;

  @Field({
    description:
      "False once the unit was deactivated (gone from the HSA catalogue, or by an administrator): no capacity can be published at it; its history is kept.",
  })
  @Column({ type: "boolean", default: true })
  active: boolean;

  @Column({ type: "timestamptz", name: "deactivated_at", nullable: true })
  deactivatedAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why the unit was deactivated; null while it is active." })
  @Column({ type: "text", name: "deactivation_reason", nullable: true })
  deactivationReason: string | null;

  @Column({ type: "timestamptz", name: "updated_at", default: () => "now()", select: false, insert: false })
  updatedAt?: Date;
}
