import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver, Root } from "type-graphql";
import { Connection, parsePage, toConnection } from "../../shared/pagination";
import { RegionStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";
import { ActorRecord, AgreementCommitment } from "../entities/agreement.entity";
import { VolumeCeiling, volumeCeiling } from "../entities/agreement-parts";
import { AgreementsContext } from "../context";
import { CeilingOutlook, PACE_WINDOW_DAYS } from "../domain/ceiling-use";
import { commitmentPosition, CommitmentFilter, readCommitmentPosition } from "../services/commitment-ledger";

registerEnumType(CeilingOutlook, {
  name: "CeilingOutlook",
  description: `Whether a volume ceiling will be reached in its period at the pace of the last ${PACE_WINDOW_DAYS} days.`,
  valuesConfig: {
    REACHED: { description: "No cases left: the agreement is rejected with CEILING_REACHED for care in the period." },
    REACHED_AT_PACE: { description: "At the current pace the ceiling is reached on `projectedReachedOn`, before the period ends." },
    NOT_REACHED_AT_PACE: { description: "At the current pace (possibly none) the ceiling is not reached before the period ends." },
    PERIOD_ENDED: { description: "The period is over; what is used is final." },
  },
});

@ObjectType({ description: "Who made a change to a commitment: role and organisation from the caller's token, never a patient." })
export class AgreementActor {
  @Field({ description: "The caller's role, e.g. REGIONAL_OFFICE or ADMINISTRATOR." })
  role: string;

  @Field(() => String, {
    nullable: true,
    description: "The caller's organisation: a region's county code, a provider id or a care unit id.",
  })
  organisation: string | null;

  @Field({ description: "The token's subject: the employee's HSA-id or a system client's id." })
  subject: string;

  @Field(() => String, {
    nullable: true,
    description: 'The hub service that acted on the caller\'s behalf, e.g. "referrals" when an office sent a referral.',
  })
  viaService: string | null;
}

@ObjectType({ description: "A page of an agreement's commitments, by care date, then id." })
export class AgreementCommitmentConnection extends Connection(AgreementCommitment, "AgreementCommitment", "commitment") {}

@InputType({ description: "Narrows an agreement's commitments. All fields are optional and combine with AND." })
export class AgreementCommitmentFilter implements CommitmentFilter {
  @Field(() => Boolean, {
    nullable: true,
    description: "true: only released commitments; false: only standing ones (those that count against ceilings).",
  })
  released?: boolean | null;

  @Field(() => DateScalar, { nullable: true, description: "Only commitments for care on or after this date." })
  careFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: "Only commitments for care on or before this date." })
  careUntil?: string | null;
}

@ObjectType({ description: "A volume ceiling's use over its period: how much is used, how fast, and when it is reached at that pace." })
export class CeilingUse {
  @Field(() => VolumeCeiling, { description: "The ceiling." })
  ceiling: VolumeCeiling;

  @Field(() => Int, { description: "Standing commitments the ceiling counts: care dates in the period, a counted procedure." })
  usedCases: number;

  @Field(() => Int, { description: "Cases left before the ceiling is reached." })
  remainingCases: number;

  @Field(() => Int, { description: "Commitments for care in the period that were released and so no longer count." })
  releasedCases: number;

  @Field(() => Int, {
    description: `The pace: standing commitments the ceiling counts that were made in the ${PACE_WINDOW_DAYS} days from \`paceFrom\` to \`readOn\` (Swedish dates), i.e. cases per ${PACE_WINDOW_DAYS} days.`,
  })
  casesPer30Days: number;

  @Field(() => DateScalar, { description: `First day of the ${PACE_WINDOW_DAYS}-day window the pace is measured over.` })
  paceFrom: string;

  @Field(() => DateScalar, { description: "The day the use was read (today in Sweden): the last day of the pace window." })
  readOn: string;

  @Field(() => DateScalar, {
    nullable: true,
    description:
      "The day the last case would be committed if commitments keep coming at the pace; null unless that day is within the period (see `outlook`).",
  })
  projectedReachedOn: string | null;

  @Field(() => CeilingOutlook, { description: "Whether the ceiling is reached, will be at the pace, will not be, or its period is over." })
  outlook: CeilingOutlook;
}

@Resolver(() => AgreementCommitment)
export class CommitmentLedgerResolver {
  @Query(() => AgreementCommitmentConnection, {
    description:
      "What was committed under an agreement: its commitments (referral id, care date, version, price, who committed and when, whether and why released), by care date, then id; Relay cursor pagination. For administrators (all commitments) and the care-guarantee office of a region party to the agreement (the commitments its region pays for); FORBIDDEN for others. Names referrals by id only.",
  })
  async agreementCommitments(
    @Arg("agreementId", () => ID, { description: "The agreement." }) agreementId: string,
    @Ctx() ctx: AgreementsContext,
    @Arg("filter", () => AgreementCommitmentFilter, { nullable: true, description: "Narrows the list." })
    filter?: AgreementCommitmentFilter | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 0 to 100 (default 20)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the edge after which the page starts." }) after?: string | null,
  ): Promise<AgreementCommitmentConnection> {
    const page = parsePage(first, after, "agreementCommitments", readCommitmentPosition);
    const { rows, total } = await ctx.ledger.commitments(ctx, agreementId, filter ?? {}, page);
    return toConnection(rows, page, total, "agreementCommitments", commitmentPosition);
  }

  @Query(() => [CeilingUse], {
    description: `The use of an agreement's volume ceilings over their periods: used, remaining, the pace over the last ${PACE_WINDOW_DAYS} days and the day the ceiling is reached at that pace. Same access as \`agreementCommitments\`; empty for an agreement without ceilings.`,
  })
  async agreementCeilingUse(
    @Arg("agreementId", () => ID, { description: "The agreement." }) agreementId: string,
    @Ctx() ctx: AgreementsContext,
  ): Promise<CeilingUse[]> {
    return (await ctx.ledger.ceilingUse(ctx, agreementId)).map((row) => ({
      ceiling: volumeCeiling(row),
      usedCases: row.usedCases,
      remainingCases: row.remainingCases,
      releasedCases: row.releasedCases,
      casesPer30Days: row.casesPer30Days,
      paceFrom: row.paceFrom,
      readOn: row.readOn,
      projectedReachedOn: row.projectedReachedOn,
      outlook: row.outlook,
    }));
  }

  @FieldResolver(() => Boolean, {
    description: "Whether the commitment was released (see `releasedAt`, `releaseReason`); a standing one counts against ceilings.",
  })
  released(@Root() commitment: AgreementCommitment): boolean {
    return commitment.releasedAt !== null;
  }

  @FieldResolver(() => RegionStub, {
    nullable: true,
    description:
      "The region that pays: the patient's home region. Null for commitments under a several-party agreement made before it was recorded.",
  })
  payingRegion(@Root() commitment: AgreementCommitment): RegionStub | null {
    return commitment.payingRegionCode ? { code: commitment.payingRegionCode } : null;
  }

  @FieldResolver(() => AgreementActor, {
    nullable: true,
    description: "Who committed it (null for commitments made before this was recorded).",
  })
  committedBy(@Root() commitment: AgreementCommitment): ActorRecord | null {
    return commitment.committedBy ?? null;
  }

  @FieldResolver(() => AgreementActor, {
    nullable: true,
    description: "Who released it; null while it stands (or when released before this was recorded).",
  })
  releasedBy(@Root() commitment: AgreementCommitment): ActorRecord | null {
    return commitment.releasedBy ?? null;
  }
}
