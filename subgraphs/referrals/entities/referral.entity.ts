import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";

export enum ReferralStatus {
  REGISTERED = "REGISTERED",
}

registerEnumType(ReferralStatus, {
  name: "ReferralStatus",
  description: "Where a referral is in its lifecycle.",
  valuesConfig: {
    REGISTERED: { description: "Registered by the home region (registrerad); the patient is waiting and nothing has been sent yet." },
  },
});

@ObjectType({
  description:
    "A referral (remiss): the home region's order for care for a patient, whose decision date starts the care-guarantee clock.",
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
      "The decision date that starts the care-guarantee clock: the referral decision (remissbeslut) for a first visit, the treatment decision for a treatment.",
  })
  @Column({ type: "date", name: "decision_date" })
  decisionDate: string;

  @Field(() => String, { nullable: true, description: 'Diagnosis, ICD-10-SE code (e.g. "M16.1").' })
  @Column({ type: "text", name: "diagnosis_code", nullable: true })
  diagnosisCode: string | null;

  @Field(() => ReferralStatus, { description: "Where the referral is in its lifecycle." })
  @Column({ type: "text" })
  status: ReferralStatus;

  @Field(() => DateTimeScalar, { description: "When the referral was registered in the hub." })
  @Column({ type: "timestamptz", name: "registered_at" })
  registeredAt: Date;
}

@ObjectType("Patient", { description: "A patient, as the referrals subgraph knows them: by id, with their referrals." })
@Directive('@key(fields: "id")')
export class PatientRef {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}
