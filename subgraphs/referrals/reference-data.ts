/**
 * The national reference data the referrals subgraph's schema holds and every deployment needs:
 * the care guarantee's national time limits. The subgraph seeds them when it starts
 * (`referralsSubgraph.referenceData`); a region's own, stricter limits are regional data (the demo
 * node's are in seeds/referrals.ts).
 */

import { ReferenceData } from "../shared/db/seed-step";
import { VisitType } from "../shared/domain/enums";
import { Specialty } from "../shared/domain/specialty";
import { GuaranteeLimit } from "./entities/referral.entity";

/** A guarantee limit with the fields most rules leave at their defaults (no extension, valid from the start, without end). */
export const guaranteeLimit = (
  row: Omit<GuaranteeLimit, "extendsTo" | "validFrom" | "validUntil"> & Partial<GuaranteeLimit>,
): GuaranteeLimit => Object.assign(new GuaranteeLimit(), { extendsTo: [], validFrom: null, validUntil: null, ...row });

/**
 * The care guarantee's national limits (HSF 2017:80 6 kap.: 90 days to a first visit and to
 * treatment) and the strengthened guarantee for child and adolescent psychiatry (BUP: 30 days to
 * first assessment, 30 more to in-depth investigation or treatment). National reference data.
 */
export const NATIONAL_LIMITS: readonly GuaranteeLimit[] = [
  guaranteeLimit({
    id: "national-first-visit",
    name: "Vårdgarantin (nationell), nybesök",
    regionCode: null,
    specialty: null,
    step: VisitType.FIRST_VISIT,
    days: 90,
  }),
  guaranteeLimit({
    id: "national-treatment",
    name: "Vårdgarantin (nationell), operation/åtgärd",
    regionCode: null,
    specialty: null,
    step: VisitType.TREATMENT,
    days: 90,
  }),
  guaranteeLimit({
    id: "bup-first-visit",
    name: "Förstärkt vårdgaranti BUP, första bedömning",
    regionCode: null,
    specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY,
    step: VisitType.FIRST_VISIT,
    days: 30,
  }),
  guaranteeLimit({
    id: "bup-treatment",
    name: "Förstärkt vårdgaranti BUP, fördjupad utredning/behandling",
    regionCode: null,
    specialty: Specialty.CHILD_AND_ADOLESCENT_PSYCHIATRY,
    step: VisitType.TREATMENT,
    days: 30,
  }),
];

/** The national limits. */
export const REFERRALS_REFERENCE_DATA: readonly ReferenceData[] = [
  { name: "care-guarantee limits", step: "reference-v1", tables: [{ entity: GuaranteeLimit, rows: NATIONAL_LIMITS }] },
];
