import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Specialty } from "../../shared/graphql-enums";
import { EventInfo, eventInfoType } from "../../shared/event-info";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { AgreementEventKind } from "../domain/agreement-events";
import { AgreementKind } from "../domain/coverage";

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

registerEnumType(AgreementEventKind, {
  name: "AgreementEventKind",
  description: "What happened to an agreement.",
  valuesConfig: {
    CREATED: { description: "An administrator created it, with its first version (and any first price list and volume ceilings)." },
    REVISED: { description: "Its coverage or terms change from a date: a new version (ny avtalsversion)." },
    PRICE_LIST_ADDED: { description: "A price list (prislista) was added, e.g. next year's prices." },
    PRICE_LIST_ENDED: {
      description:
        "A price list was ended (or superseded by a new one): its last day was set or brought forward. Commitments keep the price they were made at.",
    },
    ENDED: { description: "It was ended (e.g. uppsagt): its last day was set or brought forward." },
    COMMITTED: {
      description:
        "A referral (remiss) was committed under it with a payment commitment (betalningsförbindelse); the case counts against its volume ceiling (volymtak).",
    },
    COMMITMENT_RELEASED: { description: "A referral's commitment was released; the case no longer counts against the ceiling." },
  },
});

export const AgreementEventInfo = eventInfoType("AgreementEventInfo", AgreementEventKind);
export type AgreementEventInfo = EventInfo<AgreementEventKind>;

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

  @Field(() => String, { nullable: true, description: "Why the agreement was ended early, when it was." })
  @Column({ type: "text", name: "end_reason", nullable: true })
  endReason: string | null;

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

  /** The event that carried this agreement to a subscriber; absent when it was read by a query. */
  event?: AgreementEventInfo;
}

@ObjectType({
  description:
    "One version of an agreement's content. A change to an agreement creates a new version from a date; commitments keep the version they were made under.",
})
@Entity({ name: "agreement_version" })
export class AgreementVersion {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "agreement_id" })
  agreementId: string;

  @Field(() => Int, { description: "Version number, 1 for the first." })
  @Column({ type: "integer" })
  version: number;

  @Field(() => DateScalar, { description: "First day this version applies; it applies until the next version's first day." })
  @Column({ type: "date", name: "effective_from" })
  effectiveFrom: string;

  @Field({ description: "Whether the version covers all planned specialised care rather than listed specialties or procedures." })
  @Column({ type: "boolean", name: "covers_all_planned_care" })
  coversAllPlannedCare: boolean;

  @Field(() => [Specialty], { description: "Specialties covered in full (when not all planned care is)." })
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

  @Field({ description: "What changed, in the words of whoever made the change." })
  @Column({ type: "text", name: "change_note" })
  changeNote: string;

  @Field(() => DateTimeScalar, { description: "When the version was recorded." })
  @Column({ type: "timestamptz", name: "created_at", default: () => "now()" })
  createdAt: Date;
}

/** A volume ceiling (volymtak) of a private agreement, e.g. 200 cataract operations in 2026. */
@Entity({ name: "agreement_ceiling" })
export class AgreementCeiling {
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "agreement_id" })
  agreementId: string;

  @Column({ type: "date", name: "period_from" })
  periodFrom: string;

  @Column({ type: "date", name: "period_until" })
  periodUntil: string;

  @Column({ type: "integer", name: "max_cases" })
  maxCases: number;

  @Column({ type: "text", array: true, name: "procedure_codes" })
  procedureCodes: string[];
}

/** Who made a change, as recorded: role, organisation and token subject, never a patient. */
export interface ActorRecord {
  role: string;
  organisation: string | null;
  subject: string;
  viaService: string | null;
}

/**
 * A referral committed under an agreement (with its version and price at the time): what volume
 * ceilings count, and the terms the referral keeps when the agreement changes later.
 */
@ObjectType({
  description:
    "A referral committed under an agreement, with the version and price it was committed under. Names the referral by id only: nothing about the patient (the referral itself stays behind its own access rules).",
})
@Entity({ name: "agreement_commitment" })
export class AgreementCommitment {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "agreement_id" })
  agreementId: string;

  @Column({ type: "uuid", name: "agreement_version_id" })
  agreementVersionId: string;

  @Field(() => ID, { description: "The referral committed (its id in the referrals subgraph)." })
  @Column({ type: "uuid", name: "referral_id" })
  referralId: string;

  @Column({ type: "text", name: "procedure_code", nullable: true })
  procedureCode: string | null;

  @Field(() => DateScalar, { description: "The date of care the commitment is for; ceilings count it in that date's period." })
  @Column({ type: "date", name: "care_date" })
  careDate: string;

  @Field(() => Int, { nullable: true, description: "Price per case in SEK at the time of the commitment." })
  @Column({ type: "integer", name: "price_sek", nullable: true })
  priceSek: number | null;

  @Field(() => DateTimeScalar, { description: "When the commitment was made." })
  @Column({ type: "timestamptz", name: "committed_at", default: () => "now()" })
  committedAt: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the commitment was released (the referral was cancelled or moved); null while it stands.",
  })
  @Column({ type: "timestamptz", name: "released_at", nullable: true })
  releasedAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was released." })
  @Column({ type: "text", name: "release_reason", nullable: true })
  releaseReason: string | null;

  /** County code of the region that pays: the patient's home region, whose office sent the referral. */
  @Column({ type: "text", name: "paying_region_code", nullable: true })
  payingRegionCode: string | null;

  @Column({ type: "jsonb", name: "committed_by", nullable: true })
  committedBy: ActorRecord | null;

  @Column({ type: "jsonb", name: "released_by", nullable: true })
  releasedBy: ActorRecord | null;
}

/** A region that is party to an agreement. */
@Entity({ name: "agreement_party" })
export class AgreementParty {
  @PrimaryColumn({ type: "uuid", name: "agreement_id" })
  agreementId: string;

  @PrimaryColumn({ type: "text", name: "region_code" })
  regionCode: string;

  /** The party takes part for residents of these municipalities only (Halland in two pacts); null = the whole region. */
  @Column({ type: "text", array: true, name: "municipality_codes", nullable: true })
  municipalityCodes?: string[] | null;
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

  @Field(() => String, {
    nullable: true,
    description: "Why the list was ended (or which list superseded it), when it was ended after it was added.",
  })
  @Column({ type: "text", name: "end_reason", nullable: true })
  endReason: string | null;
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
