import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from "type-graphql";
import { IDEMPOTENCY_KEY_ARG } from "../../shared/idempotency";
import { Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { Referral } from "../entities/referral.entity";
import { ReferralsContext } from "../context";
import { CareCategory, ClockEventKind, ReferralOrigin } from "../domain/guarantee-clock";
import { RegisterReferralInput, SendReferralInput } from "../services/referral-workflow";

const REASON = { description: "Why (3 to 500 characters)." } as const;
const REFERRAL_ID = { description: "The referral." } as const;

@InputType("RegisterReferralInput", { description: "A new referral (remiss) for a waiting patient of your region." })
export class RegisterReferralInputType implements RegisterReferralInput {
  @Field(() => ID, { description: "The patient (patients subgraph id)." })
  patientId: string;

  @Field(() => Specialty, { description: "The specialty the patient is referred to." })
  specialty: Specialty;

  @Field(() => String, {
    nullable: true,
    description: 'KVÅ code of the procedure asked for (e.g. "NFB49"); omit for a first visit in a specialty.',
  })
  procedureCode?: string | null;

  @Field(() => VisitType, { description: "First visit (nybesök) or treatment (operation/åtgärd)." })
  visitType: VisitType;

  @Field(() => DateScalar, {
    description: "The referral decision (first visit) or treatment decision (treatment), taken with the patient; starts the clock.",
  })
  decisionDate: string;

  @Field(() => CareCategory, {
    nullable: true,
    description: "What kind of care; PLANNED_CARE when omitted. Excluded kinds are registered but have no guarantee clock.",
  })
  careCategory?: CareCategory | null;

  @Field(() => ReferralOrigin, { nullable: true, description: "REFERRAL when omitted." })
  origin?: ReferralOrigin | null;

  @Field(() => DateScalar, { nullable: true, description: "Arrival of a self-referral (egen vårdbegäran); required for SELF_REFERRAL." })
  selfReferralArrivalDate?: string | null;

  @Field(() => String, { nullable: true, description: 'Diagnosis, ICD-10-SE (e.g. "M16.1").' })
  diagnosisCode?: string | null;
}

@InputType("SendReferralInput", { description: "Where to send a referral, and the payment commitment's terms." })
export class SendReferralInputType implements SendReferralInput {
  @Field(() => ID, { description: "The capacity offer to hold a slot on (from freeCapacity or the referral's matches)." })
  offerId: string;

  @Field(() => Boolean, { nullable: true, description: "Whether the payment commitment covers outpatient care only (false when omitted)." })
  outpatientOnly?: boolean | null;

  @Field(() => DateScalar, { nullable: true, description: "Last day the payment commitment is valid (180 days from today when omitted)." })
  commitmentValidUntil?: string | null;
}

/**
 * The referral lifecycle's steps. Each is checked against the state machine (an illegal step is
 * a CONFLICT naming the current state) and against who the caller is to the referral.
 */
@Resolver(() => Referral)
export class ReferralWorkflowResolver {
  @Mutation(() => Referral, {
    description:
      "Registers a referral for a patient of your region (the office or a clinic). The guarantee clock starts at the decision date.",
  })
  registerReferral(
    @Arg("input", () => RegisterReferralInputType) input: RegisterReferralInputType,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.register(ctx, input, idempotencyKey));
  }

  @Mutation(() => Referral, {
    description: "A clinic hands a referral to its region's care-guarantee office to find care elsewhere (it cannot treat in time).",
  })
  handReferralToOffice(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("reason", REASON) reason: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.handToOffice(ctx, id, reason));
  }

  @Mutation(() => Referral, {
    description:
      "The office sends the referral to a provider's offer with a payment commitment (betalningsförbindelse): holds a slot on the offer and records the agreement and price that apply. All or nothing.",
  })
  sendReferral(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("input", () => SendReferralInputType) input: SendReferralInputType,
    @Arg("idempotencyKey", () => String, IDEMPOTENCY_KEY_ARG) idempotencyKey: string | null,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.send(ctx, id, input, idempotencyKey));
  }

  @Mutation(() => Referral, { description: "The receiving provider confirms receipt (mottagningskvittens)." })
  receiveReferral(@Arg("referralId", () => ID, REFERRAL_ID) id: string, @Ctx() ctx: ReferralsContext): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.receive(ctx, id));
  }

  @Mutation(() => Referral, { description: "The receiving provider accepts the referral." })
  acceptReferral(@Arg("referralId", () => ID, REFERRAL_ID) id: string, @Ctx() ctx: ReferralsContext): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.accept(ctx, id));
  }

  @Mutation(() => Referral, {
    description: "The receiving provider rejects the referral with a reason; the held slot is released and the payment commitment revoked.",
  })
  rejectReferral(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("reason", REASON) reason: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.reject(ctx, id, reason));
  }

  @Mutation(() => Referral, {
    description:
      "Offers the patient a date of care (through 1177 or by letter); the patient has 7 days from the day it was sent to answer, after which the offer expires. An offer sent earlier is recorded with `offeredOn`.",
  })
  offerCareToPatient(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("careDate", () => DateScalar, { description: "The date of care offered (today or later)." }) careDate: string,
    @Ctx() ctx: ReferralsContext,
    @Arg("offeredOn", () => DateScalar, {
      nullable: true,
      description:
        "The day the offer was sent; today when omitted. Not in the future (DATE_IN_FUTURE), not before the referral's previous step (BEFORE_PREVIOUS_STEP).",
    })
    offeredOn?: string | null,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.offerToPatient(ctx, id, careDate, offeredOn));
  }

  @Mutation(() => Referral, {
    description:
      "Records the patient's answer to the offer, on the day it was given (`answeredOn`; an office often hears of it later by phone, letter or 1177). Declining care elsewhere and choosing to wait forfeits the care guarantee from that day (documented as a clock event) until the patient regrets. An answer given within the offer's 7 days still counts when the hub has since expired the offer: the expiry is corrected by a new event (OFFER_EXPIRY_CORRECTED), its record kept.",
  })
  recordPatientAnswer(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("accepted", { description: "True when the patient accepted the offered care." }) accepted: boolean,
    @Arg("reason", () => String, { nullable: true, description: "Why the patient declined (required when declining)." }) reason:
      | string
      | null,
    @Ctx() ctx: ReferralsContext,
    @Arg("answeredOn", () => DateScalar, {
      nullable: true,
      description:
        "The day the patient answered; today when omitted. Not in the future (DATE_IN_FUTURE), not before the offer was sent (BEFORE_PREVIOUS_STEP), not after its last day to answer (AFTER_ANSWER_DUE).",
    })
    answeredOn?: string | null,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.patientAnswer(ctx, id, accepted, reason, answeredOn));
  }

  @Mutation(() => Referral, {
    description:
      "The patient who declined regrets: the guarantee starts again from the date the patient got in touch again (no credit for time waited); the referral is back with the provider to offer again. The contact date is not in the future (DATE_IN_FUTURE) nor before the decline (BEFORE_PREVIOUS_STEP).",
  })
  registerPatientRegret(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("contactDate", () => DateScalar, { description: "The day the patient got in touch again." }) contactDate: string,
    @Arg("reason", REASON) reason: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.regret(ctx, id, contactDate, reason));
  }

  @Mutation(() => Referral, { description: "The receiving provider books the care the patient accepted." })
  bookReferral(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("careDate", () => DateScalar, { description: "The booked date of care." }) careDate: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.book(ctx, id, careDate));
  }

  @Mutation(() => Referral, { description: "The receiving provider reports the care given, on the day it was given." })
  completeReferral(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Ctx() ctx: ReferralsContext,
    @Arg("completedOn", () => DateScalar, {
      nullable: true,
      description:
        "The day care was given; today when omitted. Not in the future (DATE_IN_FUTURE), not before the booking was recorded (BEFORE_PREVIOUS_STEP).",
    })
    completedOn?: string | null,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.complete(ctx, id, completedOn));
  }

  @Mutation(() => Referral, {
    description:
      "The home region cancels the referral (makulering) with a reason; a held slot is released and the payment commitment revoked.",
  })
  cancelReferral(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("reason", REASON) reason: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.cancel(ctx, id, reason));
  }

  @Mutation(() => Referral, {
    description:
      "Registers the start or end of a medically caused wait (medicinskt orsakad väntan) or a patient-chosen wait (patientvald väntan); those days are not counted. A start needs a reason.",
  })
  registerGuaranteeClockEvent(
    @Arg("referralId", () => ID, REFERRAL_ID) id: string,
    @Arg("kind", () => ClockEventKind, { description: "MEDICAL_PAUSE_STARTED/ENDED or PATIENT_CHOSEN_WAIT_STARTED/ENDED." })
    kind: ClockEventKind,
    @Arg("date", () => DateScalar, {
      description:
        "The day it took effect (a wait's first day, or the day it ended); may be earlier than today, when recorded late. Not in the future (DATE_IN_FUTURE), not before the clock's start (BEFORE_CLOCK_START), an end not before its start (BEFORE_PREVIOUS_STEP).",
    })
    date: string,
    @Arg("reason", () => String, { nullable: true, description: "Why (3 to 500 characters; required for a start)." }) reason: string | null,
    @Ctx() ctx: ReferralsContext,
  ): Promise<Referral> {
    return ctx.records.afterStep(ctx.workflow.registerClockEvent(ctx, id, kind, date, reason));
  }
}
