import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { AgreementKind } from "../services/coverage";

registerEnumType(AgreementKind, {
  name: "AgreementKind",
  description: "The kinds of agreement under which a region sends patients elsewhere.",
  valuesConfig: {
    RIKSAVTALET: {
      description: "Riksavtalet för utomlänsvård: the national agreement between all 21 regions (invoicing agreement type 1).",
    },
    HEALTHCARE_REGION_PACT: {
      description:
        "Samverkansavtal inom sjukvårdsregion: the pact of a healthcare region's regions; patients get care on the same terms as residents (type 2).",
    },
    CARE_GUARANTEE_AGREEMENT: {
      description: "Vårdgarantiavtal/ramavtal: one region's procured agreement with one private provider.",
    },
  },
});

@ObjectType({
  description:
    "An agreement (avtal) that lets a region send its patients to care outside its own providers: Riksavtalet, a healthcare-region pact, or a private care-guarantee agreement.",
})
@Directive('@key(fields: "id")')
@Entity({ name: "agreement" })
export class Agreement {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Field(() => AgreementKind, { description: "Which kind of agreement this is." })
  @Column({ type: "text" })
  kind: AgreementKind;

  @Field({ description: 'Name of the agreement, e.g. "Riksavtal för utomlänsvård".' })
  @Column({ type: "text" })
  name: string;

  @Field(() => DateScalar, { description: "First day the agreement applies." })
  @Column({ type: "date", name: "valid_from" })
  validFrom: string;

  @Field(() => DateScalar, { nullable: true, description: "Last day the agreement applies; null while it runs until further notice." })
  @Column({ type: "date", name: "valid_until", nullable: true })
  validUntil: string | null;

  @Field({ description: "Whether the agreement covers all planned specialised care rather than listed specialties or procedures." })
  @Column({ type: "boolean", name: "covers_all_planned_care" })
  coversAllPlannedCare: boolean;

  @Field(() => [Specialty], { description: "Specialties covered (in full) when not all planned care is." })
  @Column({ type: "text", array: true, name: "covered_specialties" })
  coveredSpecialties: Specialty[];

  @Column({ type: "text", array: true, name: "covered_procedure_codes" })
  coveredProcedureCodes: string[];

  @Column({ type: "boolean", name: "referral_required" })
  referralRequired: boolean;

  @Column({ type: "boolean", name: "payment_commitment_required" })
  paymentCommitmentRequired: boolean;

  @Column({ type: "boolean", name: "same_terms_as_residents" })
  sameTermsAsResidents: boolean;

  @Column({ type: "text", name: "healthcare_region_code", nullable: true })
  healthcareRegionCode: string | null;

  @Column({ type: "uuid", name: "provider_id", nullable: true })
  providerId: string | null;

  @Field(() => Int, {
    description:
      "Agreement type code in inter-region invoicing (Inera Utomlänsfakturering): 1 = Riksavtal, 2 = regional agreement, 3 = two-region agreement; 0 for a private agreement, invoiced directly by the provider.",
  })
  invoicingAgreementType(): number {
    switch (this.kind) {
      case AgreementKind.RIKSAVTALET:
        return 1;
      case AgreementKind.HEALTHCARE_REGION_PACT:
        return 2;
      default:
        return 0;
    }
  }
}

/** A region that is party to an agreement. */
@Entity({ name: "agreement_party" })
export class AgreementParty {
  @PrimaryColumn({ type: "uuid", name: "agreement_id" })
  agreementId: string;

  @PrimaryColumn({ type: "text", name: "region_code" })
  regionCode: string;
}

@ObjectType({ description: "A price list (prislista) of an agreement; prices change yearly, so each list has its own validity." })
@Entity({ name: "price_list" })
export class PriceList {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "agreement_id" })
  agreementId: string;

  @Field({ description: 'Name, e.g. "Södra regionvårdsnämndens prislista 2026".' })
  @Column({ type: "text" })
  name: string;

  @Field(() => DateScalar, { description: "First day the prices apply." })
  @Column({ type: "date", name: "valid_from" })
  validFrom: string;

  @Field(() => DateScalar, { nullable: true, description: "Last day the prices apply; null until further notice." })
  @Column({ type: "date", name: "valid_until", nullable: true })
  validUntil: string | null;
}

@Entity({ name: "price_list_entry" })
export class PriceListEntry {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "price_list_id" })
  priceListId: string;

  @Column({ type: "text", name: "procedure_code" })
  procedureCode: string;

  /** The region where the care is given, for lists with per-region prices (Riksavtalet); null = any. */
  @Column({ type: "text", name: "providing_region_code", nullable: true })
  providingRegionCode: string | null;

  @Column({ type: "integer", name: "price_sek" })
  priceSek: number;
}
