import { DataSource } from "typeorm";
import { addDays } from "../subgraphs/shared/domain/calendar";
import { VisitType } from "../subgraphs/shared/domain/enums";
import { GuaranteeLimit, Referral, ReferralStatus } from "../subgraphs/referrals/entities/referral.entity";
import { CareCategory, ReferralOrigin } from "../subgraphs/referrals/domain/guarantee-clock";
import { patientId, PATIENTS, referralId, REFERRALS } from "./data/patients";
import { insertMissing, runSeedStep } from "../subgraphs/shared/db/seed-step";
import { guaranteeLimit } from "../subgraphs/referrals/reference-data";

/**
 * Region Halland's own promise: a specialist visit within 60 days of the referral decision and
 * treatment within 60 days of the treatment decision; its regional guarantee also covers
 * investigations (X-ray, tests, sampling). Regional data: demo seed of the Halland node.
 */
export const HALLAND_LIMITS: readonly GuaranteeLimit[] = [
  guaranteeLimit({
    id: "halland-visit",
    name: "Region Hallands vårdgaranti, besök och utredning",
    regionCode: "13",
    specialty: null,
    step: VisitType.FIRST_VISIT,
    days: 60,
    extendsTo: [CareCategory.INVESTIGATION, CareCategory.MEDICAL_SERVICE, CareCategory.SAMPLING_AND_TESTS],
  }),
  guaranteeLimit({
    id: "halland-treatment",
    name: "Region Hallands vårdgaranti, behandling",
    regionCode: "13",
    specialty: null,
    step: VisitType.TREATMENT,
    days: 60,
  }),
];

/** Region Halland's own limits, for the demo node (its own step, so databases seeded before get it too). */
export function seedReferralsDemoLimits(dataSource: DataSource): Promise<boolean> {
  return runSeedStep(dataSource, "demo-limits-v1", (manager) => insertMissing(manager, GuaranteeLimit, [...HALLAND_LIMITS]));
}

/** Registered referrals of the synthetic patients, decided some days before `today`. */
export function seedReferralsDemo(dataSource: DataSource, today: string, now: Date = new Date()): Promise<boolean> {
  const homeMunicipality = new Map(PATIENTS.map((p) => [p.identityNumber, p.homeMunicipalityCode]));
  return runSeedStep(dataSource, "demo-v1", async (manager) => {
    await insertMissing(
      manager,
      Referral,
      REFERRALS.map((r) =>
        Object.assign(new Referral(), {
          id: referralId(r.key),
          patientId: patientId(r.identityNumber),
          homeRegionCode: homeMunicipality.get(r.identityNumber)!.slice(0, 2),
          homeMunicipalityCode: homeMunicipality.get(r.identityNumber)!,
          specialty: r.specialty,
          procedureCode: r.procedure ?? null,
          visitType: r.visitType,
          decisionDate: addDays(today, -r.decidedDaysAgo),
          diagnosisCode: r.diagnosisCode ?? null,
          careCategory: r.careCategory ?? CareCategory.PLANNED_CARE,
          origin: ReferralOrigin.REFERRAL,
          selfReferralArrivalDate: null,
          status: ReferralStatus.REGISTERED,
          registeredAt: now,
          registeredBy: "seed",
          revision: 1,
        }),
      ),
    );
  });
}
