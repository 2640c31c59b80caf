import { DataSource } from "typeorm";
import { parseIdentityNumber } from "../subgraphs/shared/domain/personal-identity-number";
import { IdentityKind } from "../subgraphs/patients/domain/identity-kinds";
import { Patient } from "../subgraphs/patients/entities/patient.entity";
import { patientId, PATIENTS } from "./data/patients";
import { insertMissing, runSeedStep } from "../subgraphs/shared/db/seed-step";

/** Synthetic patients (test identity numbers only). */
export function seedPatientsDemo(dataSource: DataSource, today: string): Promise<boolean> {
  return runSeedStep(dataSource, "demo-v1", async (manager) => {
    await insertMissing(
      manager,
      Patient,
      PATIENTS.map((p) => {
        const parsed = parseIdentityNumber(p.identityNumber, today);
        if (!parsed.ok) throw new Error(`seed patient ${p.givenName} ${p.familyName}: ${parsed.message}`);
        return Object.assign(new Patient(), {
          id: patientId(p.identityNumber),
          personalIdentityNumber: parsed.value.normalized,
          identityKind: parsed.value.kind as IdentityKind,
          givenName: p.givenName,
          familyName: p.familyName,
          birthDate: parsed.value.birthDate,
          homeRegionCode: p.homeMunicipalityCode.slice(0, 2),
          homeMunicipalityCode: p.homeMunicipalityCode,
        });
      }),
    );
    // Each patient's home as first registered (no date: since before the hub knew).
    await manager.query(`
      INSERT INTO patients.patient_residence (patient_id, valid_from, municipality_code, region_code, recorded_by)
      SELECT p.id, NULL, p.home_municipality_code, p.home_region_code, 'seed' FROM patients.patient p
       WHERE NOT EXISTS (SELECT 1 FROM patients.patient_residence r WHERE r.patient_id = p.id)`);
  });
}
