import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/graphql-enums";
import { Connection, parsePage, toConnection } from "../../shared/pagination";
import { ProcedureRef, RegionRef } from "../../shared/references";
import { PatientRef, Referral, ReferralStatus } from "../entities/referral.entity";
import { ReferralsContext } from "../loaders";
import { readReferralPosition, ReferralFilter, referralPosition } from "../services/referral-search";

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

@Resolver(() => Referral)
export class ReferralResolver {
  @Query(() => Referral, { nullable: true, description: "A referral by id; null when there is none." })
  referral(@Arg("id", () => ID) id: string, @Ctx() ctx: ReferralsContext): Promise<Referral | null> {
    return isUuid(id) ? ctx.loaders.referral.load(id) : Promise.resolve(null);
  }

  @Query(() => ReferralConnection, {
    description:
      "Referrals you may see (your region's, for its office and clinics), by decision date (longest waiting first), then id. Relay cursor pagination.",
  })
  async referrals(
    @Ctx() ctx: ReferralsContext,
    @Arg("filter", () => ReferralListFilter, { nullable: true }) filter?: ReferralListFilter | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 0 to 100 (default 20)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the edge after which the page starts." }) after?: string | null,
  ): Promise<ReferralConnection> {
    const page = parsePage(first, after, readReferralPosition);
    const { rows, totalCount } = await ctx.records.list(filter ?? {}, page);
    return toConnection(rows, page, totalCount, referralPosition);
  }

  @FieldResolver(() => PatientRef, { description: "The patient referred (resolved by the patients subgraph)." })
  patient(@Root() referral: Referral): PatientRef {
    return { id: referral.patientId };
  }

  @FieldResolver(() => RegionRef, { description: "The patient's home region, which issues the referral and pays." })
  homeRegion(@Root() referral: Referral): RegionRef {
    return { code: referral.homeRegionCode };
  }

  @FieldResolver(() => ProcedureRef, { nullable: true, description: "The KVÅ procedure asked for; null for a first visit in a specialty." })
  procedure(@Root() referral: Referral): ProcedureRef | null {
    return referral.procedureCode ? { code: referral.procedureCode } : null;
  }
}

@Resolver(() => PatientRef)
export class PatientReferralsResolver {
  @FieldResolver(() => [Referral], { description: "The patient's referrals, by decision date." })
  referrals(@Root() patient: PatientRef, @Ctx() ctx: ReferralsContext): Promise<Referral[]> {
    return ctx.loaders.referralsOfPatient.load(patient.id);
  }
}
