import { Arg, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput, forbidden } from "../../shared/errors";
import { pageSize } from "../../shared/pagination";
import { Role } from "../../shared/identity";
import { DateTimeScalar } from "../../shared/scalars";
import { PatientsContext } from "../context";

@ObjectType({ description: "One access to patient data, as the audit log (loggning enligt patientdatalagen) records it." })
export class AuditRecord {
  @Field(() => ID, { description: "The record's number in the log." })
  id: string;

  @Field(() => DateTimeScalar, { description: "When." })
  occurredAt: Date;

  @Field({ description: "READ, CHANGE or DISCLOSE." })
  action: string;

  @Field({ description: "What kind of record was touched: PATIENT (identity, contact), REFERRAL (medical content), AUDIT_LOG." })
  recordKind: string;

  @Field(() => ID, { description: "The record touched." })
  recordId: string;

  @Field(() => ID, { description: "The patient whose data it is." })
  patientId: string;

  @Field({ description: "The service that disclosed or refused it (patients, referrals)." })
  subgraph: string;

  @Field({ description: "Who: the token's subject (an employee HSA-id or a system client)." })
  subject: string;

  @Field(() => String, { nullable: true, description: "The employee's HSA-id." })
  employeeHsaId: string | null;

  @Field({ description: "The caller's role." })
  role: string;

  @Field(() => String, { nullable: true, description: "The caller's organisation: region code, provider id or care unit id." })
  organisation: string | null;

  @Field(() => String, { nullable: true, description: "The purpose of the caller's care assignment (medarbetaruppdrag)." })
  assignmentPurpose: string | null;

  @Field(() => String, { nullable: true, description: "HSA-id of the care unit of the assignment." })
  careUnitHsaId: string | null;

  @Field(() => String, { nullable: true, description: "HSA-id of the care provider of the assignment." })
  careProviderHsaId: string | null;

  @Field({ description: "The request, to find every record it made." })
  requestId: string;

  @Field({ description: "ALLOWED or DENIED." })
  outcome: string;

  @Field({ description: "Why: the care relation that allowed it, or the rule that refused it." })
  basis: string;
}

const DAY = 86_400_000;

function period(from: Date | null | undefined, to: Date | null | undefined, first: number | null | undefined) {
  const end = to ?? new Date();
  const start = from ?? new Date(end.getTime() - 30 * DAY);
  if (start > end) throw badUserInput("from", "PERIOD_ORDER", "must not be after to");
  const limit = pageSize(first, { defaultSize: 100, min: 1, max: 500 });
  return { from: start, to: end, limit };
}

@Resolver()
export class AuditLogResolver {
  @Query(() => [AuditRecord], {
    nullable: true,
    description:
      "Who accessed a patient's data, newest first (the patient's right to know; the home region's office reviews it). Null when there is no such patient you may see. Reading it is itself recorded.",
  })
  async auditLog(
    @Arg("patientId", () => ID) patientId: string,
    @Ctx() ctx: PatientsContext,
    @Arg("from", () => DateTimeScalar, { nullable: true, description: "From this instant (default: 30 days before `to`)." })
    from?: Date | null,
    @Arg("to", () => DateTimeScalar, { nullable: true, description: "Up to this instant (default: now)." }) to?: Date | null,
    @Arg("first", () => Int, { nullable: true, description: "At most this many records, 1 to 500 (default 100)." }) first?: number | null,
  ): Promise<AuditRecord[] | null> {
    if (ctx.identity.role !== Role.REGIONAL_OFFICE)
      throw forbidden("Only the patient's home region's office reviews a patient's audit log.");
    const query = period(from, to, first);
    if (!isUuid(patientId)) return null;
    return ctx.records.auditLogOf(patientId, query);
  }

  @Query(() => [AuditRecord], {
    description: "What one user (token subject) accessed, newest first: for the required spot checks (administrators).",
  })
  async auditLogByUser(
    @Arg("subject") subject: string,
    @Ctx() ctx: PatientsContext,
    @Arg("from", () => DateTimeScalar, { nullable: true, description: "From this instant (default: 30 days before `to`)." })
    from?: Date | null,
    @Arg("to", () => DateTimeScalar, { nullable: true, description: "Up to this instant (default: now)." }) to?: Date | null,
    @Arg("first", () => Int, { nullable: true, description: "At most this many records, 1 to 500 (default 100)." }) first?: number | null,
  ): Promise<AuditRecord[]> {
    if (ctx.identity.role !== Role.ADMINISTRATOR) throw forbidden("Only administrators run spot checks of a user's accesses.");
    if (subject.length < 1 || subject.length > 200) throw badUserInput("subject", "TEXT_LENGTH", "must be 1 to 200 characters");
    const records = await ctx.records.auditLogOfUser(subject, period(from, to, first));
    if (!records) throw forbidden("Only administrators run spot checks of a user's accesses.");
    return records;
  }
}
