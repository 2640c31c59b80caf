import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { CareSetting, Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { CareCategory, ClockEventKind, ClockStart, ClockStatus, ReferralOrigin } from "../domain/guarantee-clock";
import { ReferralAction, ReferralStatus } from "../domain/referral-lifecycle";
import { MatchTier } from "../domain/brokering";

export { ReferralStatus };

registerEnumType(ReferralStatus, {
  name: "ReferralStatus",
  description: "Where a referral (remiss) is in its lifecycle.",
  valuesConfig: {
    REGISTERED: { description: "Registered by the home region (registrerad); the patient is waiting and nothing has been sent yet." },
    HANDED_TO_OFFICE: {
      description: "A clinic of the home region asked the care-guarantee office to find care elsewhere (cannot treat in time).",
    },
    SENT: { description: "Sent to a provider with a payment commitment (skickad med betalningsförbindelse); capacity is reserved there." },
    RECEIVED: { description: "The provider confirmed receipt (mottagen)." },
    ACCEPTED: { description: "The provider accepted the referral (accepterad) and will offer the patient a time." },
    REJECTED: { description: "The provider rejected the referral (avvisad), with a reason; the office may send it elsewhere." },
    OFFERED_TO_PATIENT: { description: "A time was offered to the patient (via 1177), who has 7 days to answer." },
    PATIENT_ACCEPTED: { description: "The patient accepted the offered care." },
    PATIENT_DECLINED: {
      description: "The patient declined the offer and chose to wait: the care guarantee is forfeited until the patient regrets.",
    },
    BOOKED: { description: "Care is booked (bokad) for a date." },
    COMPLETED: { description: "Care was given (genomförd)." },
    CANCELLED: { description: "Cancelled (makulerad) with a reason." },
  },
});

registerEnumType(ReferralAction, { name: "ReferralAction", description: "A step in a referral's lifecycle." });

registerEnumType(CareCategory, {
  name: "CareCategory",
  description:
    "What kind of care a referral asks for; decides whether the care guarantee applies (vårdgarantin gäller inte bl.a. utredning, återbesök, akut vård, medicinsk service, hjälpmedel utom hörapparatutprovning, tandvård).",
});

registerEnumType(ReferralOrigin, {
  name: "ReferralOrigin",
  description:
    "How the need for care reached specialised care: a referral decided with the patient (remiss) or the patient's own request (egen vårdbegäran).",
});

registerEnumType(ClockStatus, {
  name: "GuaranteeStatus",
  description: "The care-guarantee clock's state.",
  valuesConfig: {
    NOT_APPLICABLE: { description: "The guarantee does not apply to this care (see `exclusion`)." },
    WITHIN_LIMIT: { description: "Within the limit with more days left than the at-risk margin." },
    AT_RISK: { description: "Fewer days left than the at-risk margin: find care elsewhere now." },
    BREACHED: { description: "The limit is exceeded (vårdgarantin är bruten), or care is booked after the deadline." },
    PAUSED_MEDICAL: { description: "Medically caused wait (medicinskt orsakad väntan): the days are not counted." },
    PATIENT_CHOSEN_WAIT: { description: "Patient-chosen wait (patientvald väntan): the days are not counted." },
    FORFEITED: { description: "The patient declined an offer of care elsewhere: the limits no longer apply until the patient regrets." },
    MET: { description: "Care is booked on or before the deadline." },
  },
});

registerEnumType(ClockStart, { name: "GuaranteeClockStart", description: "What started the clock now running." });
registerEnumType(ClockEventKind, {
  name: "GuaranteeClockEventKind",
  description: "A registered fact about a referral's care-guarantee clock.",
});

registerEnumType(MatchTier, {
  name: "MatchTier",
  description:
    "Where an offer stands in the search order for finding care when the own region cannot (own region, own private agreements, pact regions, Riksavtalet).",
});

@ObjectType({
  description:
    "A referral (remiss): the home region's order for care for a patient, whose decision date starts the care-guarantee clock. Medical content is visible only to the home region's office and clinics and to the provider it was sent to.",
})
@Directive('@key(fields: "id")')
@Entity({ name: "referral" })
export class Referral {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "patient_id" })
  patientId: string;

  @Column({ type: "text", name: "home_region_code" })
  homeRegionCode: string;

  /** The patient's home municipality when registered (Region Halland's pacts follow it); null for referrals registered before it was kept. */
  @Column({ type: "text", name: "home_municipality_code", nullable: true })
  homeMunicipalityCode: string | null;

  @Field(() => Specialty, { description: "The specialty the patient is referred to." })
  @Column({ type: "text" })
  specialty: Specialty;

  @Column({ type: "text", name: "procedure_code", nullable: true })
  procedureCode: string | null;

  @Field(() => VisitType, { description: "First visit (nybesök) or treatment (operation/åtgärd): which 90-day step applies." })
  @Column({ type: "text", name: "visit_type" })
  visitType: VisitType;

  @Field(() => DateScalar, {
    description:
      "The decision date: the referral decision (remissbeslut) for a first visit, the treatment decision (beslut om behandling) for a treatment.",
  })
  @Column({ type: "date", name: "decision_date" })
  decisionDate: string;

  @Field(() => String, { nullable: true, description: 'Diagnosis, ICD-10-SE code (e.g. "M16.1").' })
  @Column({ type: "text", name: "diagnosis_code", nullable: true })
  diagnosisCode: string | null;

  @Field(() => CareCategory, { description: "What kind of care is asked for; decides whether the care guarantee applies." })
  @Column({ type: "text", name: "care_category" })
  careCategory: CareCategory;

  @Field(() => ReferralOrigin, { description: "Referral (remiss) or the patient's own request (egen vårdbegäran)." })
  @Column({ type: "text" })
  origin: ReferralOrigin;

  @Field(() => DateScalar, { nullable: true, description: "When a self-referral arrived (starts the first-visit clock)." })
  @Column({ type: "date", name: "self_referral_arrival_date", nullable: true })
  selfReferralArrivalDate: string | null;

  @Field(() => ReferralStatus, { description: "Where the referral is in its lifecycle." })
  @Column({ type: "text" })
  status: ReferralStatus;

  @Field(() => DateTimeScalar, { description: "When the referral was registered in the hub." })
  @Column({ type: "timestamptz", name: "registered_at" })
  registeredAt: Date;

  @Column({ type: "text", name: "registered_by" })
  registeredBy: string;

  @Column({ type: "uuid", name: "registering_unit_id", nullable: true })
  registeringUnitId: string | null;

  /** The provider it was last sent to (kept after a rejection, for the record). */
  @Column({ type: "uuid", name: "provider_id", nullable: true })
  providerId: string | null;

  @Column({ type: "text", name: "provider_region_code", nullable: true })
  providerRegionCode: string | null;

  @Column({ type: "uuid", name: "offer_id", nullable: true })
  offerId: string | null;

  @Column({ type: "uuid", name: "reservation_id", nullable: true })
  reservationId: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it was last sent to a provider." })
  @Column({ type: "timestamptz", name: "sent_at", nullable: true })
  sentAt: Date | null;

  @Field(() => DateScalar, { nullable: true, description: "The date of care last offered to the patient." })
  @Column({ type: "date", name: "patient_offer_date", nullable: true })
  patientOfferDate: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "The day by which the patient must answer the offer (7 days); after it the offer expires.",
  })
  @Column({ type: "date", name: "patient_answer_due", nullable: true })
  patientAnswerDue: string | null;

  @Field(() => DateScalar, { nullable: true, description: "The date care is booked for." })
  @Column({ type: "date", name: "booked_for", nullable: true })
  bookedFor: string | null;

  /** The clock's state at the last change or sweep (for listing at-risk referrals in SQL). */
  @Column({ type: "text", name: "guarantee_status", nullable: true })
  guaranteeStatus: string | null;

  @Column({ type: "date", name: "guarantee_deadline", nullable: true })
  guaranteeDeadline: string | null;

  @Field(() => Int, { description: "Increases with every change; a client can tell a newer state from an older one." })
  @Column({ type: "integer" })
  revision: number;
}

@ObjectType({ description: "One step in a referral's lifecycle, as it was taken: nothing is overwritten." })
@Entity({ name: "referral_transition" })
export class ReferralTransition {
  @Field(() => ID, { description: "Increasing id: the order steps were taken in." })
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "uuid", name: "referral_id" })
  referralId: string;

  @Field(() => ReferralAction, { description: "The step." })
  @Column({ type: "text" })
  action: ReferralAction;

  @Field(() => ReferralStatus, { nullable: true, description: "The status before (null for registration)." })
  @Column({ type: "text", name: "from_status", nullable: true })
  fromStatus: ReferralStatus | null;

  @Field(() => ReferralStatus, { description: "The status after." })
  @Column({ type: "text", name: "to_status" })
  toStatus: ReferralStatus;

  @Field({ description: 'Who took it: the token subject (an employee HSA-id or a system client), or "hub" for the hub itself.' })
  @Column({ type: "text", name: "actor_subject" })
  actorSubject: string;

  @Field({ description: "The role the actor took it in." })
  @Column({ type: "text", name: "actor_role" })
  actorRole: string;

  @Field(() => String, { nullable: true, description: "The actor's organisation: care unit, provider or region." })
  @Column({ type: "text", name: "actor_organisation", nullable: true })
  actorOrganisation: string | null;

  @Field(() => String, { nullable: true, description: "Why (required for rejections, declines, regrets and cancellations)." })
  @Column({ type: "text", nullable: true })
  reason: string | null;

  @Column({ type: "jsonb" })
  details: Record<string, unknown>;

  @Field(() => String, {
    nullable: true,
    description:
      "County code of the peer node where the step was taken, for a referral sent across nodes (the provider's steps on its node; on that node, the home office's send); null for a step taken on this node.",
  })
  get node(): string | null {
    const node = this.details?.fromNode ?? this.details?.homeNode;
    return typeof node === "string" ? node : null;
  }

  @Field(() => Int, {
    nullable: true,
    description:
      "For a step a peer node told this node of: its number in that referral's steps there (applied in order, once); null otherwise.",
  })
  get peerSequence(): number | null {
    return typeof this.details?.sequence === "number" ? this.details.sequence : null;
  }

  @Field(() => DateScalar, {
    description:
      "The day it happened: for steps outside the hub (an offer sent, the patient's answer, the patient's new contact, care given) the day given when recording it; otherwise the day it was recorded.",
  })
  @Column({ type: "date", name: "happened_on" })
  happenedOn: string;

  @Field(() => DateTimeScalar, {
    description: "When it was recorded in the hub (by `actorSubject`); later than `happenedOn` for a step recorded after the fact.",
  })
  @Column({ type: "timestamptz", name: "occurred_at" })
  occurredAt: Date;
}

@ObjectType("GuaranteeClockEvent", {
  description: "A registered fact about the care-guarantee clock (pause, forfeit, restart, booking), with who, when and why.",
})
@Entity({ name: "guarantee_event" })
export class GuaranteeEvent {
  @Field(() => ID, { description: "Increasing id: the order facts were registered in." })
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "uuid", name: "referral_id" })
  referralId: string;

  @Field(() => ClockEventKind, { description: "What was registered." })
  @Column({ type: "text" })
  kind: ClockEventKind;

  @Field(() => DateScalar, {
    description: "The date it takes effect (e.g. the day a pause began, the day the patient got in touch again).",
  })
  @Column({ type: "date", name: "effective_date" })
  effectiveDate: string;

  @Field({ description: 'Who registered it (token subject, or "hub").' })
  @Column({ type: "text", name: "actor_subject" })
  actorSubject: string;

  @Field({ description: "The role it was registered in." })
  @Column({ type: "text", name: "actor_role" })
  actorRole: string;

  @Field(() => String, { nullable: true, description: "The registering organisation." })
  @Column({ type: "text", name: "actor_organisation", nullable: true })
  actorOrganisation: string | null;

  @Field(() => String, { nullable: true, description: "Why (e.g. the medical reason for a pause)." })
  @Column({ type: "text", nullable: true })
  reason: string | null;

  @Field(() => DateTimeScalar, { description: "When it was recorded in the hub (by `actorSubject`); `effectiveDate` is when it happened." })
  @Column({ type: "timestamptz", name: "occurred_at" })
  occurredAt: Date;
}

@ObjectType({
  description:
    "A care-guarantee time limit, as data: the national 90 days, a region's stricter target, or a care area's rule such as BUP's 30 days.",
})
@Entity({ name: "guarantee_limit" })
export class GuaranteeLimit {
  @Field(() => ID, { description: 'Stable id, e.g. "national-treatment".' })
  @PrimaryColumn({ type: "text" })
  id: string;

  @Field({ description: 'Name, e.g. "Vårdgarantin (nationell)".' })
  @Column({ type: "text" })
  name: string;

  @Field(() => String, { nullable: true, description: "The home region it applies to (county code); null for every region." })
  @Column({ type: "text", name: "region_code", nullable: true })
  regionCode: string | null;

  @Field(() => Specialty, { nullable: true, description: "The specialty it applies to; null for all." })
  @Column({ type: "text", nullable: true })
  specialty: Specialty | null;

  @Field(() => VisitType, { nullable: true, description: "The step it applies to; null for both." })
  @Column({ type: "text", nullable: true })
  step: VisitType | null;

  @Field(() => Int, { description: "The limit in calendar days." })
  @Column({ type: "integer" })
  days: number;

  @Field(() => [CareCategory], {
    description: "Care outside the national guarantee that this rule covers too (e.g. investigations in Halland).",
  })
  @Column({ type: "text", array: true, name: "extends_to" })
  extendsTo: CareCategory[];

  @Field(() => DateScalar, { nullable: true, description: "First day it applies (by the clock's start date)." })
  @Column({ type: "date", name: "valid_from", nullable: true })
  validFrom: string | null;

  @Field(() => DateScalar, { nullable: true, description: "Last day it applies." })
  @Column({ type: "date", name: "valid_until", nullable: true })
  validUntil: string | null;
}

@ObjectType({
  description:
    "A payment commitment (betalningsförbindelse): the home region's promise to pay for the care, recorded when the referral is sent. Shaped to convert to and from the national e-referral contract (clinicalprocess:activity:request).",
})
@Entity({ name: "payment_commitment" })
export class PaymentCommitment {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "referral_id" })
  referralId: string;

  @Column({ type: "uuid", name: "offer_id" })
  offerId: string;

  @Column({ type: "uuid", name: "provider_id" })
  providerId: string;

  @Field({ description: "County code of the region that pays (the patient's home region)." })
  @Column({ type: "text", name: "paying_region_code" })
  payingRegionCode: string;

  @Column({ type: "uuid", name: "agreement_id", nullable: true })
  agreementId: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The agreement's kind (RIKSAVTALET, HEALTHCARE_REGION_PACT, CARE_GUARANTEE_AGREEMENT); null for internal care.",
  })
  @Column({ type: "text", name: "agreement_kind", nullable: true })
  agreementKind: string | null;

  @Field(() => String, { nullable: true, description: "The agreement's name when the commitment was issued." })
  @Column({ type: "text", name: "agreement_name", nullable: true })
  agreementName: string | null;

  /** The commitment the agreements subgraph made (it counts against the agreement's ceilings). */
  @Column({ type: "uuid", name: "agreement_commitment_id", nullable: true })
  agreementCommitmentId: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "The agreement version the referral was sent under; its terms and price stay with the referral.",
  })
  @Column({ type: "integer", name: "agreement_version", nullable: true })
  agreementVersion: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Agreement type as the national invoicing contract codes it (Utomlänsfakturering): 1 Riksavtal, 2 regional agreement, 3 two-region agreement; null for internal care or a private provider's own agreement.",
  })
  @Column({ type: "text", name: "agreement_type_code", nullable: true })
  agreementTypeCode: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Riksavtalet's chapter: \"2\" = care on the home region's initiative / care guarantee; null outside Riksavtalet.",
  })
  @Column({ type: "text", name: "riksavtal_chapter", nullable: true })
  riksavtalChapter: string | null;

  @Field({ description: "Whether the commitment covers outpatient care only (inpatient care needs another approval)." })
  @Column({ type: "boolean", name: "outpatient_only" })
  outpatientOnly: boolean;

  @Field(() => CareSetting, {
    nullable: true,
    description:
      "The care setting whose rules applied: OUTPATIENT for an outpatient-only commitment, INPATIENT otherwise; null for commitments issued before it was kept.",
  })
  @Column({ type: "text", name: "care_setting", nullable: true })
  careSetting: CareSetting | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Whether the agreement or the home region's rules required a payment commitment for this care (e.g. Region Halland: inpatient care outside the region, except public inpatient care in Västra Götaland); false when the office issued it without being required to.",
  })
  @Column({ type: "boolean", name: "required_by_rules", nullable: true })
  requiredByRules: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The rule that decided the agreement (a CoverageRule: AGREEMENT_PRECEDENCE, HOME_MUNICIPALITY, SAME_TERMS_ARRANGEMENT, INTERNAL_CARE).",
  })
  @Column({ type: "text", name: "decided_by", nullable: true })
  decidedBy: string | null;

  @Field(() => [String], {
    nullable: true,
    description: "Every coverage rule that applied when it was issued, in words (agreement, municipality, same terms, payment commitment).",
  })
  @Column({ type: "text", array: true, name: "rules_applied", nullable: true })
  rulesApplied: string[] | null;

  @Field(() => String, { nullable: true, description: "The desired activity, KVÅ code." })
  @Column({ type: "text", name: "procedure_code", nullable: true })
  procedureCode: string | null;

  @Field(() => String, { nullable: true, description: "The condition, ICD-10-SE code." })
  @Column({ type: "text", name: "diagnosis_code", nullable: true })
  diagnosisCode: string | null;

  @Field(() => Int, { nullable: true, description: "Price per case in SEK under the agreement when issued; null when none is listed." })
  @Column({ type: "integer", name: "price_per_case_sek", nullable: true })
  pricePerCaseSek: number | null;

  @Field(() => DateScalar, { description: "First day the commitment is valid." })
  @Column({ type: "date", name: "valid_from" })
  validFrom: string;

  @Field(() => DateScalar, { description: "Last day the commitment is valid." })
  @Column({ type: "date", name: "valid_until" })
  validUntil: string;

  @Field({ description: "Who approved it (token subject of the office's user)." })
  @Column({ type: "text", name: "approved_by" })
  approvedBy: string;

  /** The approver's HSA-id (employee), when the token carried one. */
  @Column({ type: "text", name: "approver_hsa_id", nullable: true })
  approverHsaId: string | null;

  /** The approver's name, when the identity provider gave it. */
  @Column({ type: "text", name: "approver_name", nullable: true })
  approverName: string | null;

  /** How a private provider is reimbursed (PER_CASE_PRICE, AGREEMENT_PRICE_LIST); null for regions' own providers. */
  @Column({ type: "text", name: "reimbursement_type", nullable: true })
  reimbursementType: string | null;

  @Field(() => DateTimeScalar, { description: "When it was issued." })
  @Column({ type: "timestamptz", name: "issued_at" })
  issuedAt: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it was revoked (the referral was rejected or cancelled)." })
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true })
  revokedAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was revoked." })
  @Column({ type: "text", name: "revocation_reason", nullable: true })
  revocationReason: string | null;
}
