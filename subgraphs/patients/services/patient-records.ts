import { randomUUID } from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { audit, AuditQuery, AuditRecordRow, readAudit } from "../../shared/audit";
import { rowsWhereIn } from "../../shared/rows";
import { BaseRequestContext } from "../../shared/context";
import { ParsedIdentityNumber } from "../../shared/domain/personal-identity-number";
import { regionOfMunicipality } from "../../shared/domain/municipalities";
import { conflict, forbidden, notFound } from "../../shared/errors";
import {
  assignmentRefusal,
  describeCaller,
  organisationOf,
  patientDataAccess,
  PatientDataDecision,
  PROVIDER_WITHOUT_REFERRAL,
  Role,
} from "../../shared/identity";
import { IdentityKind } from "../domain/identity-kinds";
import { Patient, PatientResidence } from "../entities/patient.entity";
import { PopulationRegister, StatedIdentity } from "./population-register";

/** A patient's new home from a date (the date checked by the caller: not in the future). */
export interface AddressChange {
  homeMunicipalityCode: string;
  address: StatedIdentity["address"];
  validFrom: string;
}

/**
 * The only way the patients subgraph reads patients and their audit log: a request's data-access
 * object, bound to its caller, holding the only handle on the database a request gets (private:
 * the context has no data source and no repository). Each patient found is either disclosed (the
 * caller takes part in the patient's care) or withheld as if it did not exist, and either way the
 * audit log gets a record before anything is returned. Resolvers, reference resolvers
 * (`_entities`) and DataLoaders all go through here.
 */
export class PatientRecords {
  readonly #db: DataSource;

  constructor(
    dataSource: DataSource,
    private readonly ctx: BaseRequestContext,
  ) {
    this.#db = dataSource;
  }

  /** Patients by id, in key order; null where there is none or the caller may not see it. */
  async byIds(ids: readonly string[]): Promise<Array<Patient | null>> {
    const found = await rowsWhereIn(this.#db, Patient, "id", ids);
    const visible = await this.disclose(found);
    return ids.map((id) => visible.get(id) ?? null);
  }

  async byIdentityNumber(normalized: string): Promise<Patient | null> {
    const found = await rowsWhereIn(this.#db, Patient, "personalIdentityNumber", [normalized]);
    return [...(await this.disclose(found)).values()][0] ?? null;
  }

  /** Whether the caller may see this patient (for reads of data about the patient, e.g. its audit log). */
  async visible(patientId: string): Promise<Patient | null> {
    return (await this.byIds([patientId]))[0];
  }

  /**
   * Who accessed a patient's data, for the home region's office reviewing it: null unless the
   * caller may see the patient; the review itself is recorded.
   */
  async auditLogOf(patientId: string, query: Omit<AuditQuery, "patientId" | "subject">): Promise<AuditRecordRow[] | null> {
    if (this.ctx.identity.role !== Role.REGIONAL_OFFICE) return null;
    const patient = await this.visible(patientId);
    if (!patient) return null;
    const records = await readAudit(this.#db, { patientId, ...query });
    await audit(this.#db, "patients", this.ctx, [
      {
        action: "READ",
        recordKind: "AUDIT_LOG",
        recordId: patient.id,
        patientId: patient.id,
        outcome: "ALLOWED",
        basis: "HOME_REGION_OFFICE_REVIEW",
      },
    ]);
    return records;
  }

  /** What one user accessed, for administrators' spot checks; null for anyone else. */
  async auditLogOfUser(subject: string, query: Omit<AuditQuery, "patientId" | "subject">): Promise<AuditRecordRow[] | null> {
    if (this.ctx.identity.role !== Role.ADMINISTRATOR) return null;
    return readAudit(this.#db, { subject, ...query });
  }

  private async disclose(found: Patient[]): Promise<Map<string, Patient>> {
    const decisions = found.map((patient): { patient: Patient; decision: PatientDataDecision } => ({
      patient,
      decision: patientDataAccess(this.ctx.identity, patient.homeRegionCode),
    }));
    // A provider takes part in the care of the patients whose referrals were sent to it (the care
    // relations the referrals subgraph records as it sends them: see care-relations.ts).
    const providerAsks = decisions.filter((d) => d.decision.basis === PROVIDER_WITHOUT_REFERRAL);
    if (providerAsks.length > 0) {
      const referred = await this.referredToCaller(providerAsks.map((d) => d.patient.id));
      for (const d of providerAsks) if (referred.has(d.patient.id)) d.decision = { allowed: true, basis: "REFERRAL_SENT_TO_PROVIDER" };
    }
    await audit(
      this.#db,
      "patients",
      this.ctx,
      decisions.map(({ patient, decision }) => ({
        action: "READ",
        recordKind: "PATIENT",
        recordId: patient.id,
        patientId: patient.id,
        outcome: decision.allowed ? "ALLOWED" : "DENIED",
        basis: decision.basis,
      })),
    );
    return new Map(decisions.filter((d) => d.decision.allowed).map((d) => [d.patient.id, this.withheldIfProtected(d.patient)]));
  }

  /** Of these patients, those with a referral sent to the calling provider that is with it now. */
  private async referredToCaller(patientIds: string[]): Promise<Set<string>> {
    const { providerId } = this.ctx.identity;
    // A provider's user needs a care assignment allowing patient data, like anyone else (PROVIDER_WITHOUT_REFERRAL is only given with one).
    if (!providerId) return new Set();
    const rows: Array<{ patient_id: string }> = await this.#db.query(
      `SELECT DISTINCT patient_id FROM patients.care_relation WHERE provider_id = $1 AND patient_id = ANY($2::uuid[])`,
      [providerId, patientIds],
    );
    return new Set(rows.map((r) => r.patient_id));
  }

  /**
   * Protected identity: name and address are for the home region's care-guarantee office only,
   * whatever else the caller may see of the patient (a copy without them for anyone else).
   */
  private withheldIfProtected(patient: Patient): Patient {
    const { identity } = this.ctx;
    if (!patient.protectedIdentity || (identity.role === Role.REGIONAL_OFFICE && identity.regionCode === patient.homeRegionCode))
      return patient;
    return Object.assign(Object.create(Object.getPrototypeOf(patient)) as Patient, patient, {
      givenName: "",
      familyName: "",
      streetAddress: null,
      postalCode: null,
      city: null,
      identityWithheld: true,
    });
  }

  /**
   * Registers a patient the caller has in front of it, or finds the one registered before under
   * the same identity number (concurrent registrations included: the number is unique, and the
   * loser of a race reads the winner's row). Only the home region's clinics and office register,
   * and the registration is audited as a change. Answers the patient (as the caller may see it) and
   * whether this call created it.
   */
  async register(
    identity: ParsedIdentityNumber,
    stated: StatedIdentity,
    register: PopulationRegister,
  ): Promise<{ patient: Patient; created: boolean }> {
    const homeRegionCode = regionOfMunicipality(stated.homeMunicipalityCode);
    this.requireRegistrar(homeRegionCode);
    const record = await register.lookUp(identity, stated);
    const recordHome = regionOfMunicipality(record.homeMunicipalityCode);
    const outcome = await this.#db.transaction(async (db) => {
      const id = randomUUID();
      const inserted: Array<{ id: string }> = await db.query(
        `INSERT INTO patients.patient (id, personal_identity_number, identity_kind, given_name, family_name, birth_date, home_region_code, home_municipality_code,
                                       protected_identity, street_address, postal_code, city, identity_source, registered_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (personal_identity_number) DO NOTHING RETURNING id`,
        [
          id,
          identity.normalized,
          identity.kind as IdentityKind,
          record.givenName,
          record.familyName,
          identity.birthDate,
          recordHome,
          record.homeMunicipalityCode,
          record.protectedIdentity,
          record.address?.streetAddress ?? null,
          record.address?.postalCode ?? null,
          record.address?.city ?? null,
          record.source,
          organisationOf(this.ctx.identity),
        ],
      );
      if (inserted.length > 0) {
        await this.addResidence(db, id, null, record.homeMunicipalityCode);
        await this.auditChange(db, id, "ALLOWED", `${this.basis()}_REGISTERED`);
        return { id, created: true };
      }
      const [existing] = await db.getRepository(Patient).findBy({ personalIdentityNumber: identity.normalized });
      if (existing.homeRegionCode !== this.ctx.identity.regionCode) {
        await this.auditChange(db, existing.id, "DENIED", "NOT_THE_HOME_REGION");
        return { id: existing.id, created: false, refused: true };
      }
      return { id: existing.id, created: false };
    });
    if ("refused" in outcome) {
      throw forbidden(
        "A patient with this identity number is registered with another home region; that region records a move (changePatientAddress).",
        { rule: "NOT_THE_HOME_REGION" },
      );
    }
    const patient = await this.visible(outcome.id);
    return { patient: patient!, created: outcome.created };
  }

  /**
   * Records a move from a date: the home municipality (and so the home region, which the care
   * guarantee's rules and payment follow) changes from `validFrom`, the old one is kept in the
   * history. Only the current home region's clinics and office record it; audited as a change.
   */
  async changeAddress(patientId: string, change: AddressChange): Promise<Patient | null> {
    await this.requireChanger(patientId);
    await this.#db.transaction(async (db) => {
      // Two moves recorded at once are serialised on the patient's row.
      await db.getRepository(Patient).findOne({ where: { id: patientId }, lock: { mode: "pessimistic_write" } });
      const [latest]: Array<{ valid_from: string | null }> = await db.query(
        `SELECT to_char(valid_from, 'YYYY-MM-DD') AS valid_from FROM patients.patient_residence WHERE patient_id = $1 ORDER BY valid_from DESC NULLS LAST LIMIT 1`,
        [patientId],
      );
      if (latest?.valid_from != null && change.validFrom <= latest.valid_from) {
        throw conflict(`The patient's home is already recorded from ${latest.valid_from}; a move is recorded from a later date.`, {
          field: "input.validFrom",
          rule: "NOT_AFTER_LAST_MOVE",
        });
      }
      await this.addResidence(db, patientId, change.validFrom, change.homeMunicipalityCode);
      await db.query(
        `UPDATE patients.patient SET home_municipality_code = $2, home_region_code = $3, street_address = $4, postal_code = $5, city = $6, updated_at = now() WHERE id = $1`,
        [
          patientId,
          change.homeMunicipalityCode,
          regionOfMunicipality(change.homeMunicipalityCode),
          change.address?.streetAddress ?? null,
          change.address?.postalCode ?? null,
          change.address?.city ?? null,
        ],
      );
      await this.auditChange(db, patientId, "ALLOWED", `${this.basis()}_ADDRESS_CHANGED`);
    });
    // The caller may no longer see a patient who moved to another region: it learns that by null.
    return (await this.byIds([patientId]))[0];
  }

  /** Marks or unmarks protected identity; the home region's clinics and office only, audited. */
  async setProtectedIdentity(patientId: string, protectedIdentity: boolean): Promise<Patient | null> {
    await this.requireChanger(patientId);
    await this.#db.transaction(async (db) => {
      await db.query(`UPDATE patients.patient SET protected_identity = $2, updated_at = now() WHERE id = $1`, [
        patientId,
        protectedIdentity,
      ]);
      await this.auditChange(
        db,
        patientId,
        "ALLOWED",
        `${this.basis()}_${protectedIdentity ? "PROTECTED_IDENTITY_MARKED" : "PROTECTED_IDENTITY_UNMARKED"}`,
      );
    });
    return this.visible(patientId);
  }

  /** The residence history of a patient the caller may see (callers reach this through a disclosed patient). */
  async residencesOf(patientId: string): Promise<PatientResidence[]> {
    return this.#db
      .getRepository(PatientResidence)
      .find({ where: { patientId }, order: { validFrom: { direction: "ASC", nulls: "FIRST" } } });
  }

  /**
   * A change is for the home region's clinics and office: NOT_FOUND when the caller may not see the
   * patient at all (as a read would answer), FORBIDDEN when it may see but not change it (a
   * provider with a referral); a refusal of a patient that exists is audited.
   */
  private async requireChanger(patientId: string): Promise<void> {
    const current = await this.#db.getRepository(Patient).findOneBy({ id: patientId });
    if (current && this.mayChange(current)) return;
    if (!current) throw notFound("patientId", "no patient with this id that you may change");
    const seen = (await this.byIds([patientId]))[0];
    await this.auditChange(this.#db.manager, current.id, "DENIED", this.refusalBasis(current));
    if (!seen) throw notFound("patientId", "no patient with this id that you may change");
    throw forbidden(
      `Only the patient's home region's clinics and office change a patient (you are ${describeCaller(this.ctx.identity)}).`,
      { rule: "NOT_A_REGISTRAR" },
    );
  }

  private mayChange(patient: Patient): boolean {
    const { identity } = this.ctx;
    return (
      (identity.role === Role.CLINIC || identity.role === Role.REGIONAL_OFFICE) &&
      identity.regionCode === patient.homeRegionCode &&
      assignmentRefusal(identity) === null
    );
  }

  private refusalBasis(patient: Patient): string {
    return (
      assignmentRefusal(this.ctx.identity) ??
      patientDataAccess(this.ctx.identity, patient.homeRegionCode).basis.replace(/^HOME_REGION_.*/, "NOT_A_REGISTRAR")
    );
  }

  private basis(): string {
    return this.ctx.identity.role === Role.REGIONAL_OFFICE ? "HOME_REGION_OFFICE" : "HOME_REGION_CLINIC";
  }

  /** Registering is for the home region's clinics and office, with a care assignment at LoA3. */
  private requireRegistrar(homeRegionCode: string): void {
    const { identity } = this.ctx;
    if (identity.role !== Role.CLINIC && identity.role !== Role.REGIONAL_OFFICE) {
      throw forbidden(`Only the home region's clinics and care-guarantee office register patients (you are ${describeCaller(identity)}).`, {
        rule: "NOT_A_REGISTRAR",
      });
    }
    if (identity.regionCode !== homeRegionCode) {
      throw forbidden(`Only the home region (${homeRegionCode}) registers its residents; you are ${describeCaller(identity)}.`, {
        rule: "NOT_THE_HOME_REGION",
      });
    }
    const refusal = assignmentRefusal(identity);
    if (refusal)
      throw forbidden(`Registering a patient needs a care assignment for care and treatment at assurance level 3 (${refusal}).`, {
        rule: refusal,
      });
  }

  private addResidence(db: EntityManager, patientId: string, validFrom: string | null, municipalityCode: string): Promise<unknown> {
    return db.query(
      `INSERT INTO patients.patient_residence (patient_id, valid_from, municipality_code, region_code, recorded_by) VALUES ($1, $2, $3, $4, $5)`,
      [
        patientId,
        validFrom,
        municipalityCode,
        regionOfMunicipality(municipalityCode),
        organisationOf(this.ctx.identity) ?? this.ctx.identity.subject,
      ],
    );
  }

  private auditChange(db: Pick<EntityManager, "query">, patientId: string, outcome: "ALLOWED" | "DENIED", basis: string): Promise<void> {
    return audit(db, "patients", this.ctx, [{ action: "CHANGE", recordKind: "PATIENT", recordId: patientId, patientId, outcome, basis }]);
  }
}
