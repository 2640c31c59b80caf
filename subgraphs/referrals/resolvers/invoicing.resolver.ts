/**
 * The payment commitment and the invoicing basis in the national shapes: the e-referral service
 * contract's paymentCommitment (Remisshantering, ProcessRequest) and the inter-region invoicing
 * contract's fields (Utomlänsfakturering). Both are derived from what the hub records when a
 * referral is sent; nothing here is stored twice.
 */

import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { badUserInput } from "../../shared/errors";
import { ProcedureStub, ProviderStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";
import { stockholmDate } from "../../shared/domain/calendar";
import { requireRegionCode } from "../../shared/validation";
import { PaymentCommitment } from "../entities/referral.entity";
import { ReferralsContext } from "../context";
import { ReferralStatus } from "../domain/referral-lifecycle";
import { sixMonthsBefore } from "../domain/invoicing";

@ObjectType({
  description:
    "A payment commitment as the national e-referral contract (Remisshantering, ProcessRequest's paymentCommitment) names its parts: commitment type and chapter, validity, liable county council, outpatient only, approval and, for a private provider, reimbursement type.",
})
export class NationalPaymentCommitment {
  @Field(() => String, {
    nullable: true,
    description:
      "Commitment type: the agreement type of the invoicing contract, 1 Riksavtal, 2 regional agreement, 3 two-region agreement; null for internal care or a private provider's own agreement.",
  })
  commitmentTypeCode: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Riksavtalet's chapter code: 2 = care on the home region's initiative / care guarantee; null outside Riksavtalet.",
  })
  chapterCode: string | null;

  @Field(() => DateScalar, { description: "First day the commitment is valid." })
  validFrom: string;

  @Field(() => DateScalar, { description: "Last day the commitment is valid." })
  validUntil: string;

  @Field({ description: "County code (länskod) of the liable county council: the region that pays." })
  liableCountyCouncilCode: string;

  @Field({ description: "Whether only outpatient care is covered." })
  outpatientOnly: boolean;

  @Field(() => DateScalar, { description: "The day the commitment was approved (Swedish date of issue)." })
  approvalDate: string;

  @Field(() => String, {
    nullable: true,
    description: "HSA-id of the approving employee; null when the approver signed in without one (a system) or before it was kept.",
  })
  approverHsaId: string | null;

  @Field(() => String, { nullable: true, description: "Name of the approving employee, when the identity provider gave it." })
  approverName: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "For care at a private provider, how it is reimbursed: PER_CASE_PRICE (the agreement's price per case) or AGREEMENT_PRICE_LIST (the agreement's price list); null for regions' own providers.",
  })
  reimbursementType: string | null;
}

export function nationalPaymentCommitment(commitment: PaymentCommitment): NationalPaymentCommitment {
  return {
    commitmentTypeCode: commitment.agreementTypeCode,
    chapterCode: commitment.riksavtalChapter,
    validFrom: commitment.validFrom,
    validUntil: commitment.validUntil,
    liableCountyCouncilCode: commitment.payingRegionCode,
    outpatientOnly: commitment.outpatientOnly,
    approvalDate: stockholmDate(commitment.issuedAt),
    approverHsaId: commitment.approverHsaId ?? null,
    approverName: commitment.approverName ?? null,
    reimbursementType: commitment.reimbursementType ?? null,
  };
}

@Resolver(() => PaymentCommitment)
export class PaymentCommitmentResolver {
  @FieldResolver(() => NationalPaymentCommitment, { description: "The commitment in the national e-referral contract's shape." })
  national(@Root() commitment: PaymentCommitment): NationalPaymentCommitment {
    return nationalPaymentCommitment(commitment);
  }
}

@ObjectType({
  description:
    "One referral's care to invoice between regions, in the fields of the national invoicing contract (Utomlänsfakturering). Holds no patient data: the finance department matches it to the patient in the region's own systems by the referral id.",
})
export class InvoicingBasisLine {
  @Field(() => ID, { description: "The referral the care was given on." })
  referralId: string;

  @Field(() => ID, { description: "The payment commitment number (the commitment's id)." })
  paymentCommitmentNumber: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Type of agreement: 1 Riksavtal, 2 regional agreement, 3 two-region agreement; null for a private provider's own agreement (it invoices directly).",
  })
  agreementTypeCode: string | null;

  @Field(() => String, { nullable: true, description: "Riksavtalet's chapter (2 = care guarantee); null outside Riksavtalet." })
  riksavtalChapter: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Reimbursement type for a private provider (PER_CASE_PRICE, AGREEMENT_PRICE_LIST); null otherwise.",
  })
  reimbursementType: string | null;

  @Field(() => String, { description: "The agreement's kind (RIKSAVTALET, HEALTHCARE_REGION_PACT, CARE_GUARANTEE_AGREEMENT)." })
  agreementKind: string;

  @Field(() => ReferralStatus, { description: "BOOKED or COMPLETED." })
  status: ReferralStatus;

  @Field(() => DateScalar, { description: "The day of care: the day it was given (COMPLETED), or the day booked (BOOKED)." })
  careDate: string;

  @Field({
    description:
      "Whether the care is more than six months old: the providing region may no longer invoice it (the invoice may be refused).",
  })
  olderThanSixMonths: boolean;

  @Field({ description: "Whether only outpatient care is covered." })
  outpatientOnly: boolean;

  @Field(() => Int, {
    nullable: true,
    description: "Price per case in SEK under the agreement when the commitment was issued; null when none is listed.",
  })
  pricePerCaseSek: number | null;

  @Field(() => ProviderStub, { description: "The provider that gives the care (and invoices, or whose region does)." })
  provider: ProviderStub;

  @Field(() => ProcedureStub, { nullable: true, description: "The KVÅ procedure; null for a first visit in a specialty." })
  procedure: ProcedureStub | null;
}

@Resolver()
export class InvoicingResolver {
  @Query(() => [InvoicingBasisLine], {
    description:
      "The invoicing basis of a paying region for a month: every referral with a payment commitment in force under an agreement whose care was booked or given in that month, by day of care. For the paying region's office (its finance department) and administrators; internal care is not invoiced and not listed. Also as CSV: GET /invoicing-basis.csv?payingRegion=13&month=2026-11 on the gateway.",
  })
  async invoicingBasis(
    @Arg("payingRegion", { description: 'County code of the region that pays, e.g. "13".' }) payingRegion: string,
    @Arg("month", { description: "The month of care, YYYY-MM." }) month: string,
    @Ctx() ctx: ReferralsContext,
  ): Promise<InvoicingBasisLine[]> {
    requireRegionCode("payingRegion", payingRegion);
    const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
    if (!match) throw badUserInput("month", "MONTH_FORMAT", `must be a month written YYYY-MM, got "${month}"`);
    const first = `${month}-01`;
    const next = match[2] === "12" ? `${Number(match[1]) + 1}-01-01` : `${match[1]}-${String(Number(match[2]) + 1).padStart(2, "0")}-01`;
    const rows = await ctx.records.invoicingBasis(payingRegion, first, next);
    const limit = sixMonthsBefore(ctx.today);
    return rows.map((row) => ({
      referralId: row.referral_id,
      paymentCommitmentNumber: row.commitment_id,
      agreementTypeCode: row.agreement_type_code,
      riksavtalChapter: row.riksavtal_chapter,
      reimbursementType: row.reimbursement_type,
      agreementKind: row.agreement_kind,
      status: row.status,
      careDate: row.care_date,
      olderThanSixMonths: row.care_date < limit,
      outpatientOnly: row.outpatient_only,
      pricePerCaseSek: row.price_per_case_sek,
      provider: { id: row.provider_id },
      procedure: row.procedure_code ? { code: row.procedure_code } : null,
    }));
  }
}
