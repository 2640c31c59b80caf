import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { EventInfo, eventInfoType } from "../../shared/event-info";
import { Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { OfferEventKind, OfferSource, OfferStatus } from "../domain/offers";
import "./graphql-enums";

@ObjectType({
  description:
    "Free capacity (ledig kapacitet) a provider's care unit offers to patients from other regions or under agreements: a number of slots for a procedure or a visit type within a time window.",
})
@Directive('@key(fields: "id")')
@Entity({ name: "capacity_offer" })
export class CapacityOffer {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "care_unit_id" })
  careUnitId: string;

  // Kept on the offer (a unit never changes provider) so that searches filter without a join.
  @Column({ type: "uuid", name: "provider_id" })
  providerId: string;

  @Field(() => Specialty, { description: "The specialty the capacity is in." })
  @Column({ type: "text" })
  specialty: Specialty;

  @Column({ type: "text", name: "procedure_code", nullable: true })
  procedureCode: string | null;

  @Field(() => VisitType, { description: "Whether the capacity is for first visits (nybesök) or treatments (operation/åtgärd)." })
  @Column({ type: "text", name: "visit_type" })
  visitType: VisitType;

  @Field(() => Int, { description: "Slots offered in total." })
  @Column({ type: "integer", name: "total_slots" })
  totalSlots: number;

  @Column({ type: "integer", name: "reserved_slots", default: 0 })
  reservedSlots: number;

  @Column({ type: "date", name: "earliest_start" })
  earliestStart: string;

  @Field(() => DateScalar, { description: "First day of the window the offer is valid for." })
  @Column({ type: "date", name: "valid_from" })
  validFrom: string;

  @Field(() => DateScalar, { description: "Last day of the window; after it the offer has expired and is no longer listed." })
  @Column({ type: "date", name: "valid_until" })
  validUntil: string;

  @Field(() => Int, { description: "Expected waiting time in days from referral to care at this unit (väntetid), as reported." })
  @Column({ type: "integer", name: "expected_wait_days" })
  expectedWaitDays: number;

  @Field(() => OfferStatus, { description: "Open, withdrawn or expired." })
  @Column({ type: "text" })
  status: OfferStatus;

  @Field(() => OfferSource, { description: "How the capacity reached the hub." })
  @Column({ type: "text" })
  source: OfferSource;

  @Field({ description: "Who reported the capacity (a person's role or a system's name at the provider)." })
  @Column({ type: "text", name: "reported_by" })
  reportedBy: string;

  @Field(() => DateTimeScalar, { description: "When the capacity was last reported or confirmed." })
  @Column({ type: "timestamptz", name: "reported_at" })
  reportedAt: Date;

  @Field(() => Int, { nullable: true, description: "Youngest patient age (years) the offer accepts; null for no limit." })
  @Column({ type: "integer", name: "min_patient_age", nullable: true })
  minPatientAge: number | null;

  @Field(() => Int, { nullable: true, description: "Oldest patient age (years) the offer accepts; null for no limit." })
  @Column({ type: "integer", name: "max_patient_age", nullable: true })
  maxPatientAge: number | null;

  @Field(() => String, { nullable: true, description: 'Medical conditions or exclusions in the provider\'s words, e.g. "BMI under 35".' })
  @Column({ type: "text", nullable: true })
  conditions: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the provider withdrew the offer; null while it is open." })
  @Column({ type: "timestamptz", name: "withdrawn_at", nullable: true })
  withdrawnAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why the provider withdrew the offer." })
  @Column({ type: "text", name: "withdrawal_reason", nullable: true })
  withdrawalReason: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the offer expired (its window ended); null while it is open." })
  @Column({ type: "timestamptz", name: "expired_at", nullable: true })
  expiredAt: Date | null;

  @Field(() => Int, {
    description: "Counts changes to the offer: 1 when published, +1 for every update, reservation, release, withdrawal or expiry.",
  })
  @Column({ type: "integer", default: 1 })
  revision: number;

  /** The event that carried this offer to a subscriber; absent when it was read by a query. */
  event?: OfferEventInfo;
}

export const OfferEventInfo = eventInfoType("OfferEventInfo", OfferEventKind);
export type OfferEventInfo = EventInfo<OfferEventKind>;

/** A concrete slot of an offer (published as start times rather than a number of slots). */
@Entity({ name: "offer_slot" })
export class OfferSlot {
  @PrimaryColumn({ type: "uuid", name: "offer_id" })
  offerId: string;

  @PrimaryColumn({ type: "timestamptz", name: "starts_at" })
  startsAt: Date;
}

@ObjectType({ description: "Slots of an offer held for a reference (e.g. a referral) until used or released." })
@Entity({ name: "reservation" })
export class Reservation {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  @Column({ type: "uuid", name: "offer_id" })
  offerId: string;

  @Field({ description: "The caller's reference the slots are held for, e.g. a referral id." })
  @Column({ type: "text", name: "reference_id" })
  referenceId: string;

  @Field(() => Int, { description: "Slots held." })
  @Column({ type: "integer" })
  slots: number;

  @Field(() => DateTimeScalar, { description: "When the slots were reserved." })
  @Column({ type: "timestamptz", name: "reserved_at", default: () => "now()" })
  reservedAt: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the reservation was released; null while it holds." })
  @Column({ type: "timestamptz", name: "released_at", nullable: true })
  releasedAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was released." })
  @Column({ type: "text", name: "release_reason", nullable: true })
  releaseReason: string | null;

  /** The region of whoever reserved (an office reserving for its referral); null for a provider's own. Decides who sees the reservation. */
  @Column({ type: "text", name: "reserved_by_region_code", nullable: true })
  reservedByRegionCode: string | null;
}
