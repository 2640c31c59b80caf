import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver, Root } from "type-graphql";
import { addDays } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { forbidden } from "../../shared/errors";
import type { EventInfo } from "../../shared/event-info";
import { Specialty } from "../../shared/graphql-enums";
import { Connection, parsePage, toConnection } from "../../shared/pagination";
import { CapacityOfferStub, ProcedureStub, ProviderStub, RegionStub } from "../../shared/stubs";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { requireRegionCode } from "../../shared/validation";
import {
  GuaranteeEvent,
  GuaranteeLimit,
  PaymentCommitment,
  Referral,
  ReferralStatus,
  ReferralTransition,
} from "../entities/referral.entity";
import { PatientStub } from "../entities/stubs";
import { ReferralsContext } from "../context";
import { AppliedRule, CareCategory, ClockRule, ClockStart, ClockStatus } from "../domain/guarantee-clock";
import { GuaranteeReading, read } from "../services/guarantee-clock-store";
import { partiesOf } from "../services/referral-access";
import { availableActions, ReferralAction } from "../domain/referral-lifecycle";
import {
  deadlinePosition,
  readDeadlinePosition,
  readReferralPosition,
  ReferralFilter,
  referralPosition,
} from "../services/referral-search";

@InputType({ description: "Narrows the referral list. All fields are optional and combine with AND." })
export class ReferralListFilter implements ReferralFilter {
  @Field(() => String, { nullable: true, description: "Only referrals of patients from this home region (county code)." })
  homeRegionCode?: string | null;

  @Field(() => ReferralStatus, { nullable: true, description: "Only referrals in this status." })
  status?: ReferralStatus | null;

  @Field(() => Specialty, { nullable: true, description: "Only referrals to this specialty." })
  specialty?: Specialty | null;
}

@ObjectType({ description: "A page of referrals, longest waiting (earliest decision date) first." })
export class ReferralConnection extends Connection(Referral, "Referral", "referral") {}

@ObjectType({ description: "A page of referrals at risk of breaching the care guarantee, soonest deadline first." })
export class AtRiskReferralConnection extends Connection(Referral, "AtRiskReferral", "referral at risk") {}

registerEnumType(ClockRule, {
  name: "GuaranteeRule",
  description: "A rule of the care-guarantee clock, as named in a reading's explanation (`rulesApplied`).",
  valuesConfig: {
    COVERED_CARE: { description: "The kind of care is covered by the national guarantee." },
    EXCLUDED_CARE: {
      description: "The kind of care is excluded (investigations, follow-ups, emergency care …) and no regional rule covers it.",
    },
    REGIONAL_EXTENSION: { description: "Excluded nationally, but a regional rule covers it (e.g. Region Halland's investigations)." },
    STRICTEST_LIMIT: {
      description: "The limit: the strictest rule in force on the clock's start date for this region, specialty and step.",
    },
    CLOCK_START: { description: "What started the clock: the referral or treatment decision, or a self-referral's arrival (day 0)." },
    MEDICAL_PAUSE: { description: "Medically caused wait: its days are not counted." },
    PATIENT_CHOSEN_WAIT: { description: "Patient-chosen wait: its days are not counted." },
    FORFEIT: { description: "The patient declined an offer and chose to wait: the limits no longer apply." },
    RESTART: { description: "The patient regretted: a new clock from the day of the new contact, no credit for time waited." },
    BOOKING: { description: "Care booked for a date." },
    BOOKING_CANCELLED: { description: "A booking was undone." },
    DEADLINE: { description: "How the deadline was computed: start + limit + days not counted." },
    STATUS: { description: "How the status was decided on the reading day." },
  },
});

@ObjectType({ description: "A rule of the care-guarantee clock that applied to a reading, and why." })
export class GuaranteeRuleApplied implements AppliedRule {
  @Field(() => ClockRule, { description: "The rule." })
  rule: ClockRule;

  @Field(() => DateScalar, {
    nullable: true,
    description: "The day it took effect on, when it has one (a pause's start, the deadline, the reading day).",
  })
  date: string | null;

  @Field({ description: "What it did to this reading, in words an office can check by hand." })
  explanation: string;
}

@ObjectType({
  description:
    "The care-guarantee clock (vårdgarantin) of a referral, read today in Swedish time; or, from `guaranteeReading`, of given facts on a given day.",
})
export class CareGuarantee {
  @Field({ description: "Whether the guarantee applies to this care at all." })
  applies: boolean;

  @Field(() => CareCategory, {
    nullable: true,
    description: "Why the guarantee does not apply (the excluded kind of care), when it does not.",
  })
  exclusion: CareCategory | null;

  @Field(() => ClockStatus, { description: "The clock's state." })
  status: ClockStatus;

  @Field(() => DateScalar, { nullable: true, description: "The day the running clock started (day 0)." })
  startDate: string | null;

  @Field(() => ClockStart, {
    nullable: true,
    description:
      "What started it: the referral or treatment decision, a self-referral's arrival, or the patient's new contact after regretting.",
  })
  startedBy: ClockStart | null;

  @Field({ description: "Whether the clock was restarted after the patient regretted (no credit for time waited before)." })
  restarted: boolean;

  @Field(() => Int, {
    nullable: true,
    description: "The limit in days: the strictest rule that applies (national 90, the region's target, a care area's rule).",
  })
  limitDays: number | null;

  @Field(() => String, { nullable: true, description: 'The rule that set the limit, e.g. "Region Hallands vårdgaranti".' })
  limitName: string | null;

  @Field(() => DateScalar, { nullable: true, description: "The last day care may be given within the limit (paused days added)." })
  deadline: string | null;

  @Field(() => Int, { nullable: true, description: "Days counted so far (paused days excluded)." })
  daysWaited: number | null;

  @Field(() => Int, { nullable: true, description: "Days left to the deadline; negative once breached." })
  daysLeft: number | null;

  @Field(() => Int, { description: "Days not counted (medically caused or patient-chosen wait)." })
  pausedDays: number;

  @Field(() => Int, { description: "Fewer days left than this is AT_RISK (the hub's setting)." })
  atRiskMarginDays: number;

  @Field(() => DateScalar, { description: "The day the clock was read (today in Sweden, or the day asked for)." })
  readOn: string;

  @Field(() => [GuaranteeRuleApplied], {
    description: "Every rule that applied to this reading, in the order the clock applied them, with why.",
  })
  rulesApplied: GuaranteeRuleApplied[];
}

export function toGuarantee(reading: GuaranteeReading): CareGuarantee {
  return { ...reading, limitName: reading.limitRule?.name ?? null, rulesApplied: reading.applied };
}

/**
 * The shared event info (`subgraphs/shared/event-info.ts`) with who and why. Its kind stays text,
 * not an enum as the other subgraphs' are: a referral's events also name clock facts and clock
 * statuses (CLOCK_…, GUARANTEE_…), whose lists grow with the clock's rules.
 */
@ObjectType({ description: "The event a subscription delivered a referral for: which, what and why." })
export class ReferralEventInfo implements EventInfo<string> {
  @Field(() => ID, { description: "Increasing event id; resume a subscription with `after` set to the last one received." })
  id: string;

  @Field({
    description:
      "What happened: a lifecycle step (e.g. SEND, ACCEPT), a clock fact (CLOCK_MEDICAL_PAUSE_STARTED …), a clock status change (GUARANTEE_AT_RISK, GUARANTEE_BREACHED …; also when a fact recorded late changes it), or OFFER_EXPIRY_CORRECTED (an answer given in time was recorded after the offer had expired).",
  })
  kind: string;

  @Field(() => DateTimeScalar, { description: "When it happened." })
  occurredAt: Date;

  @Field({ description: "The role of who did it (SYSTEM for the hub)." })
  actorRole: string;

  @Field(() => String, { nullable: true, description: "Why, when a reason was given." })
  reason: string | null;

  @Field({
    description:
      "County code of the node where it happened: this node's region, or a peer's for a step the provider took on its own node (a referral sent across nodes).",
  })
  node: string;
}

@ObjectType({ description: "A referral's exchange with the other node that takes part in it." })
export class PeerExchangeInfo {
  @Field({ description: "County code of the other node." })
  node: string;

  @Field({
    description: "PROVIDER_NODE: the other node holds the provider (this is the home); HOME_NODE: the other node is the patient's home.",
  })
  role: string;

  @Field({ description: "Whether the referral has reached the provider's node (on the home node: acknowledged by it)." })
  delivered: boolean;

  @Field(() => Int, {
    description: "How many messages (the referral, steps, a cancellation) still wait for delivery to the other node, retried with backoff.",
  })
  waitingForDelivery: number;

  @Field(() => DateTimeScalar, { nullable: true, description: "Since when the oldest of them waits; null when none waits." })
  waitingSince: Date | null;

  @Field(() => Int, { nullable: true, description: "How long the oldest has waited, in seconds; null when none waits." })
  waitingSeconds: number | null;

  @Field(() => Int, { description: "How many times the oldest waiting message was tried." })
  attempts: number;

  @Field(() => String, {
    nullable: true,
    description: "Why the last try of the oldest waiting message failed; null when none waits or none failed.",
  })
  lastError: string | null;
}

@ObjectType({ description: "A patient of another region, as the home region's node delivered them with a referral sent here." })
export class HomePatientInfo {
  @Field({ description: "Personnummer or samordningsnummer, as the home region writes it (YYYYMMDD-NNNN)." })
  personalIdentityNumber: string;

  @Field(() => String, { nullable: true, description: "Given name; null when the home region withholds it (protected identity)." })
  givenName: string | null;

  @Field(() => String, { nullable: true, description: "Family name; null when the home region withholds it (protected identity)." })
  familyName: string | null;

  @Field(() => DateScalar, { description: "Date of birth." })
  birthDate: string;

  @Field({ description: "County code of the home region's node, which stays the authority for the patient." })
  homeNode: string;
}

/** A referral as an event left it (see ReferralRecords.delivered: a subscriber outside the patient's care gets a copy without patient content). */
export type DeliveredReferral = Referral & { event?: ReferralEventInfo };

@Resolver(() => Referral)
export class ReferralResolver {
  @Query(() => Referral, { nullable: true, description: "A referral by id; null when there is none or you may not see it." })
  referral(@Arg("id", () => ID) id: string, @Ctx() ctx: ReferralsContext): Promise<Referral | null> {
    return isUuid(id) ? ctx.loaders.referral.load(id) : Promise.resolve(null);
  }

  @Query(() => ReferralConnection, {
    description:
      "Referrals you may see: your region's (its office and clinics), or those sent to you (a provider); by decision date (longest waiting first), then id. Relay cursor pagination.",
  })
  async referrals(
    @Ctx() ctx: ReferralsContext,
    @Arg("filter", () => ReferralListFilter, { nullable: true }) filter?: ReferralListFilter | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 0 to 100 (default 20)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the edge after which the page starts." }) after?: string | null,
  ): Promise<ReferralConnection> {
    const page = parsePage(first, after, "referrals", readReferralPosition);
    const { rows, total } = await ctx.records.list(filter ?? {}, page);
    return toConnection(rows, page, total, "referrals", referralPosition);
  }

  @Query(() => AtRiskReferralConnection, {
    description:
      "The region's waiting referrals that will breach the care guarantee unless care is found: fewer days left than the at-risk margin, or already breached; soonest deadline first. For the region's office and clinics.",
  })
  async atRiskReferrals(
    @Ctx() ctx: ReferralsContext,
    @Arg("regionCode", { description: "County code of the home region." }) regionCode: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 0 to 100 (default 20)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the edge after which the page starts." }) after?: string | null,
  ): Promise<AtRiskReferralConnection> {
    requireRegionCode("regionCode", regionCode);
    const scope = ctx.records.scope();
    if (!scope || !("homeRegionCode" in scope) || scope.homeRegionCode !== regionCode) {
      throw forbidden(`Only region ${regionCode}'s care-guarantee office and clinics see its waiting patients.`);
    }
    const page = parsePage(first, after, "atRiskReferrals", readDeadlinePosition);
    const found = await ctx.records.atRisk(regionCode, addDays(ctx.today, ctx.atRiskMarginDays), page);
    if (!found) throw forbidden(`Only region ${regionCode}'s care-guarantee office and clinics see its waiting patients.`);
    return toConnection(found.rows, page, found.total, "atRiskReferrals", deadlinePosition);
  }

  @Query(() => [GuaranteeLimit], {
    description: "The care-guarantee limits that apply to a home region's patients (national, regional and care-area rules).",
  })
  async guaranteeLimits(
    @Ctx() ctx: ReferralsContext,
    @Arg("regionCode", { description: "County code of the home region." }) regionCode: string,
  ): Promise<GuaranteeLimit[]> {
    requireRegionCode("regionCode", regionCode);
    const rules = (await ctx.limitRules()) as GuaranteeLimit[];
    return rules.filter((r) => r.regionCode === null || r.regionCode === regionCode);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Diagnosis, ICD-10-SE code (e.g. "M16.1").' })
  diagnosisCode(@Root() referral: DeliveredReferral): string | null {
    return referral.diagnosisCode ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The patient's home municipality (kommunkod) when the referral was registered: Region Halland's pacts and price lists follow it. Null when you may not see patient data, or for referrals registered before it was kept.",
  })
  homeMunicipalityCode(@Root() referral: DeliveredReferral): string | null {
    return referral.homeMunicipalityCode ?? null;
  }

  @FieldResolver(() => PatientStub, {
    nullable: true,
    description: "The patient referred (resolved by the patients subgraph); null when you may not see patient data.",
  })
  patient(@Root() referral: DeliveredReferral): PatientStub | null {
    return referral.patientId ? { id: referral.patientId } : null;
  }

  @FieldResolver(() => RegionStub, { description: "The patient's home region, which issues the referral and pays." })
  homeRegion(@Root() referral: Referral): RegionStub {
    return { code: referral.homeRegionCode };
  }

  @FieldResolver(() => ProcedureStub, {
    nullable: true,
    description: "The KVÅ procedure asked for; null for a first visit in a specialty.",
  })
  procedure(@Root() referral: Referral): ProcedureStub | null {
    return referral.procedureCode ? { code: referral.procedureCode } : null;
  }

  @FieldResolver(() => ProviderStub, { nullable: true, description: "The provider it was last sent to; null before it was sent." })
  provider(@Root() referral: Referral): ProviderStub | null {
    return referral.providerId ? { id: referral.providerId } : null;
  }

  @FieldResolver(() => CapacityOfferStub, {
    nullable: true,
    description: "The capacity offer a slot is held on for it; null when none is held.",
  })
  offer(@Root() referral: Referral): CapacityOfferStub | null {
    return referral.offerId && referral.reservationId ? { id: referral.offerId } : null;
  }

  @FieldResolver(() => CareGuarantee, {
    nullable: true,
    description: "The care-guarantee clock, read today; null when you may not see patient data.",
  })
  async guarantee(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<CareGuarantee | null> {
    const [events, rules] = await Promise.all([ctx.loaders.clockEvents.load(referral), ctx.limitRules()]);
    if (!events) return null;
    return toGuarantee(read(referral, events, rules, ctx.today, ctx.atRiskMarginDays));
  }

  @FieldResolver(() => PeerExchangeInfo, {
    nullable: true,
    description:
      "For a referral sent across nodes: the other node, and whether what this node has to tell it (the referral itself, a step, a cancellation) is still waiting for delivery, since when. Null for a referral no other node takes part in.",
  })
  async peerExchange(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<PeerExchangeInfo | null> {
    const exchange = await ctx.loaders.peerExchanges.load(referral);
    if (!exchange) return null;
    const since = exchange.waitingSince ? new Date(exchange.waitingSince) : null;
    return {
      node: exchange.node,
      role: exchange.side === "PROVIDER" ? "PROVIDER_NODE" : "HOME_NODE",
      delivered: exchange.deliveredAt !== null,
      waitingForDelivery: exchange.pending,
      waitingSince: since,
      waitingSeconds: since ? Math.max(0, Math.round((Date.now() - since.getTime()) / 1000)) : null,
      attempts: exchange.attempts ?? 0,
      lastError: exchange.lastError,
    };
  }

  @FieldResolver(() => HomePatientInfo, {
    nullable: true,
    description:
      "For a referral another region's node sent to a provider here: the home region's patient, as that node delivered it (this node keeps no other record of the patient). Only for the provider it was sent to, while it holds it; every read is audited. Null otherwise (for a referral homed here, read `patient`).",
  })
  homePatient(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<HomePatientInfo | null> {
    return ctx.loaders.homePatients.load(referral);
  }

  @FieldResolver(() => [ReferralTransition], { description: "Every step taken, oldest first, with who, role, organisation, when and why." })
  history(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<ReferralTransition[]> {
    return ctx.loaders.transitions.load(referral);
  }

  @FieldResolver(() => [GuaranteeEvent], {
    description: "Registered facts about the clock (pauses, forfeit, restart, booking), oldest first.",
  })
  guaranteeEvents(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<GuaranteeEvent[]> {
    return ctx.loaders.guaranteeEvents.load(referral);
  }

  @FieldResolver(() => [PaymentCommitment], {
    description: "Payment commitments issued for it (betalningsförbindelser), oldest first; revoked ones say when and why.",
  })
  paymentCommitments(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<PaymentCommitment[]> {
    return ctx.loaders.paymentCommitments.load(referral);
  }

  @FieldResolver(() => PaymentCommitment, { nullable: true, description: "The payment commitment in force (not revoked), if any." })
  async paymentCommitment(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): Promise<PaymentCommitment | null> {
    const all = await ctx.loaders.paymentCommitments.load(referral);
    return [...all].reverse().find((c) => c.revokedAt === null) ?? null;
  }

  @FieldResolver(() => [ReferralAction], { description: "The steps you could take now (for showing the right buttons)." })
  availableActions(@Root() referral: DeliveredReferral, @Ctx() ctx: ReferralsContext): ReferralAction[] {
    return referral.patientId ? availableActions(referral.status, partiesOf(ctx.identity, referral)) : [];
  }

  @FieldResolver(() => ReferralEventInfo, {
    nullable: true,
    description: "In a subscription: the event that delivered this referral. Null in queries.",
  })
  event(@Root() referral: DeliveredReferral): ReferralEventInfo | null {
    return referral.event ?? null;
  }
}

@Resolver(() => PatientStub)
export class PatientReferralsResolver {
  @FieldResolver(() => [Referral], { description: "The patient's referrals you may see, by decision date." })
  referrals(@Root() patient: PatientStub, @Ctx() ctx: ReferralsContext): Promise<Referral[]> {
    return ctx.loaders.referralsOfPatient.load(patient.id);
  }
}
