import { Arg, Ctx, Field, InputType, Query, registerEnumType, Resolver } from "type-graphql";
import { badUserInput } from "../../shared/errors";
import { Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { requireRegionCode } from "../../shared/validation";
import { ReferralsContext } from "../context";
import { CareCategory, readClock, ReferralOrigin } from "../domain/guarantee-clock";
import { WaitKind, whatIfInput, WhatIfFacts } from "../domain/guarantee-what-if";
import { CareGuarantee, toGuarantee } from "./referral.resolver";

registerEnumType(WaitKind, {
  name: "GuaranteeWaitKind",
  description: "A wait whose days the care guarantee does not count.",
  valuesConfig: {
    MEDICAL: { description: "Medically caused wait (medicinskt orsakad väntan)." },
    PATIENT_CHOSEN: { description: "Patient-chosen wait (patientvald väntan)." },
  },
});

/** At most this many pauses, declines or regrets in one question: a real case has a handful. */
const MAX_FACTS = 50;

@InputType({ description: "A wait not counted by the clock, from its first day (until its end, or still open on the reading day)." })
export class GuaranteePauseInput {
  @Field(() => WaitKind, { description: "Medically caused or patient-chosen." })
  kind: WaitKind;

  @Field(() => DateScalar, { description: "First day of the wait." })
  from: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "The day it ended (the clock counts again from that day); omit for a wait still open on the reading day.",
  })
  until?: string | null;
}

@InputType({ description: "The facts of a case, as a referral would have them, for reading the clock without storing anything." })
export class GuaranteeFactsInput implements WhatIfFacts {
  @Field({ description: 'County code of the patient\'s home region, "01".."25": its own limits apply (e.g. Halland\'s 60 days).' })
  homeRegionCode: string;

  @Field(() => Specialty, { description: "The specialty (some care areas have their own limit, e.g. BUP 30 days)." })
  specialty: Specialty;

  @Field(() => VisitType, { description: "First visit (nybesök) or treatment (operation/åtgärd)." })
  visitType: VisitType;

  @Field(() => CareCategory, { nullable: true, description: "What kind of care; PLANNED_CARE when omitted." })
  careCategory?: CareCategory | null;

  @Field(() => ReferralOrigin, {
    nullable: true,
    description: "How the clock starts: REFERRAL (the decision) when omitted, or SELF_REFERRAL (its arrival).",
  })
  origin?: ReferralOrigin | null;

  @Field(() => DateScalar, {
    description: "The referral decision (first visit) or treatment decision (treatment): the start event's date.",
  })
  decisionDate: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "Arrival of a self-referral (egen vårdbegäran); required with origin SELF_REFERRAL.",
  })
  selfReferralArrivalDate?: string | null;

  @Field(() => [GuaranteePauseInput], { nullable: true, description: "Waits not counted (at most 50)." })
  pauses?: GuaranteePauseInput[] | null;

  @Field(() => [DateScalar], {
    nullable: true,
    description: "Days the patient declined an offer of care (each forfeits the guarantee; at most 50).",
  })
  declines?: string[] | null;

  @Field(() => [DateScalar], {
    nullable: true,
    description: "Days the patient got in touch again after declining (each starts a new clock; at most 50).",
  })
  regrets?: string[] | null;

  @Field(() => DateScalar, { nullable: true, description: "A booked date of care (met when on or before the deadline)." })
  bookedFor?: string | null;
}

/**
 * "What if": the clock on given facts, with no referral stored and no patient data, so every
 * authenticated caller may ask (a clinic planning a decision, an office checking the hub's
 * arithmetic, a provider checking a deadline it was told).
 */
@Resolver()
export class GuaranteeReadingResolver {
  @Query(() => CareGuarantee, {
    description:
      "Reads the care-guarantee clock on given facts for a given day, with no referral stored: the same clock and the same limits (as data) as a referral's, any dates (future ones and 29 February included), and every rule that applied with why. Contains no patient data; open to every authenticated caller.",
  })
  async guaranteeReading(
    @Arg("facts", () => GuaranteeFactsInput) facts: GuaranteeFactsInput,
    @Ctx() ctx: ReferralsContext,
    @Arg("on", () => DateScalar, { nullable: true, description: "The day to read the clock on; today (Swedish time) when omitted." }) on?:
      | string
      | null,
  ): Promise<CareGuarantee> {
    requireRegionCode("facts.homeRegionCode", facts.homeRegionCode);
    for (const list of ["pauses", "declines", "regrets"] as const) {
      const length = facts[list]?.length ?? 0;
      if (length > MAX_FACTS) throw badUserInput(`facts.${list}`, "LIST_TOO_LONG", `at most ${MAX_FACTS}, got ${length}`);
    }
    const day = on ?? ctx.today;
    const rules = await ctx.limitRules();
    const built = whatIfInput(facts, rules, day, ctx.atRiskMarginDays);
    if (!built.ok) throw badUserInput(built.problem.field, built.problem.rule, built.problem.message);
    const reading = readClock(built.input, rules, day, ctx.atRiskMarginDays);
    return toGuarantee({ ...reading, atRiskMarginDays: ctx.atRiskMarginDays, readOn: day });
  }
}
