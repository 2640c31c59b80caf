import { DataSource } from "typeorm";
import { addDays } from "../subgraphs/shared/domain/calendar";
import { Referral, ReferralStatus } from "../subgraphs/referrals/entities/referral.entity";
import { patientId, PATIENTS, referralId, REFERRALS } from "./data/patients";
import { insertMissing, runSeedStep } from "./run";

/** Registered referrals of the synthetic patients, decided some days before `today`. */
export function seedReferralsDemo(dataSource: DataSource, today: string, now: Date = new Date()): Promise<boolean> {
  const homeRegion = new Map(PATIENTS.map((p) => [p.identityNumber, p.homeMunicipalityCode.slice(0, 2)]));
  return runSeedStep(dataSource, "demo-v1", async (manager) => {
    await insertMissing(
      manager,
      Referral,
      REFERRALS.map((r) =>
        Object.assign(new Referral(), {
          id: referralId(r.key),
          patientId: patientId(r.identityNumber),
          homeRegionCode: homeRegion.get(r.identityNumber)!,
          specialty: r.specialty,
          procedureCode: r.procedure ?? null,
          visitType: r.visitType,
          decisionDate: addDays(today, -r.decidedDaysAgo),
          diagnosisCode: r.diagnosisCode ?? null,
          status: ReferralStatus.REGISTERED,
          registeredAt: now,
        }),
      ),
    );
  });
}
