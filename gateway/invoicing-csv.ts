/**
 * The invoicing basis as a CSV download for a region's finance department:
 * `GET /invoicing-basis.csv?payingRegion=13&month=2026-11`, with the same token and rules as the
 * `invoicingBasis` query it executes (the paying region's office and administrators). RFC 4180:
 * comma-separated, double-quoted where needed, CRLF, UTF-8 with a byte-order mark so spreadsheet
 * programs read å, ä and ö right.
 */

import { IncomingMessage, ServerResponse } from "node:http";
import type { ExecuteAs, GraphQLAnswer } from "./fhir/routes";

export const INVOICING_CSV_PATH = "/invoicing-basis.csv";

const QUERY = /* GraphQL */ `
  query InvoicingBasisCsv($payingRegion: String!, $month: String!) {
    invoicingBasis(payingRegion: $payingRegion, month: $month) {
      referralId paymentCommitmentNumber agreementTypeCode riksavtalChapter reimbursementType agreementKind status careDate
      olderThanSixMonths outpatientOnly pricePerCaseSek provider { hsaId name } procedure { code }
    }
  }
`;

export const CSV_COLUMNS = [
  "paying_region",
  "month",
  "referral_id",
  "payment_commitment_number",
  "agreement_type",
  "riksavtal_chapter",
  "reimbursement_type",
  "agreement_kind",
  "status",
  "care_date",
  "older_than_six_months",
  "outpatient_only",
  "price_per_case_sek",
  "provider_hsa_id",
  "provider_name",
  "kva_code",
] as const;

function cell(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/** One invoicingBasis item as QUERY selects it: JSON scalars, written out as cells. */
type Scalar = string | number | boolean | null;
interface InvoicingLine {
  referralId: Scalar;
  paymentCommitmentNumber: Scalar;
  agreementTypeCode: Scalar;
  riksavtalChapter: Scalar;
  reimbursementType: Scalar;
  agreementKind: Scalar;
  status: Scalar;
  careDate: Scalar;
  olderThanSixMonths: Scalar;
  outpatientOnly: Scalar;
  pricePerCaseSek: Scalar;
  provider?: { hsaId: Scalar; name: Scalar } | null;
  procedure?: { code: Scalar } | null;
}

const STATUS_OF_CODE: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400 };

export function invoicingCsvRoute(execute: ExecuteAs) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== INVOICING_CSV_PATH) return false;
    const payingRegion = url.searchParams.get("payingRegion");
    const month = url.searchParams.get("month");
    for (const [field, value] of [
      ["payingRegion", payingRegion],
      ["month", month],
    ] as const) {
      if (value === null) {
        sendJson(res, 400, {
          errors: [
            {
              message: `${field}: required, e.g. ?payingRegion=13&month=2026-11`,
              extensions: { code: "BAD_USER_INPUT", field, rule: "REQUIRED" },
            },
          ],
        });
        return true;
      }
    }
    let answer: GraphQLAnswer;
    try {
      answer = await execute(req, QUERY, { payingRegion, month });
    } catch (error) {
      const extensions = (error as { extensions?: { code?: string } }).extensions ?? {};
      const code = extensions.code ?? "INTERNAL_SERVER_ERROR";
      sendJson(res, STATUS_OF_CODE[code] ?? 500, { errors: [{ message: (error as Error).message, extensions: { code } }] });
      return true;
    }
    if (answer.errors?.length || !answer.data) {
      const code = String(answer.errors?.[0]?.extensions?.code ?? "INTERNAL_SERVER_ERROR");
      sendJson(res, STATUS_OF_CODE[code] ?? 502, { errors: answer.errors });
      return true;
    }
    const lines = [CSV_COLUMNS.join(",")];
    for (const line of answer.data.invoicingBasis as InvoicingLine[]) {
      lines.push(
        [
          payingRegion,
          month,
          line.referralId,
          line.paymentCommitmentNumber,
          line.agreementTypeCode,
          line.riksavtalChapter,
          line.reimbursementType,
          line.agreementKind,
          line.status,
          line.careDate,
          line.olderThanSixMonths,
          line.outpatientOnly,
          line.pricePerCaseSek,
          line.provider?.hsaId,
          line.provider?.name,
          line.procedure?.code,
        ]
          .map(cell)
          .join(","),
      );
    }
    res.statusCode = 200;
    res.setHeader("content-type", "text/csv; charset=utf-8; header=present");
    res.setHeader("content-disposition", `attachment; filename="invoicing-basis-${payingRegion}-${month}.csv"`);
    res.end(`\uFEFF${lines.join("\r\n")}\r\n`);
    return true;
  };
}
