/**
 * Who is calling, as the gateway verified it from the caller's token. Modelled on what Sweden's
 * national identity provider asserts for SITHS users (employee HSA-id, the active care assignment,
 * *medarbetaruppdrag*, with its purpose, care unit and care provider, and the assurance level),
 * plus the organisation of a system client. Access is decided on the role and the assignment, not
 * on the person. Plain data and functions: no GraphQL, no database.
 */

import { isRegionCode } from "./domain/regions";
import { isUuid } from "./domain/ids";

export enum Role {
  /** A region's care-guarantee office (Vårdgarantiservice): its region's referrals and patients. */
  REGIONAL_OFFICE = "REGIONAL_OFFICE",
  /** A clinic of a region: its region's patients in its care. */
  CLINIC = "CLINIC",
  /** A care provider (hospital or private): publishes its own capacity, sees referrals sent to it. */
  PROVIDER = "PROVIDER",
  /** Another region's system querying capacity: never patient data. */
  PEER_REGION = "PEER_REGION",
  ADMINISTRATOR = "ADMINISTRATOR",
}

export const ROLES = Object.values(Role);

/** The purpose of a care assignment that allows reading patient data. */
export const CARE_AND_TREATMENT = "Vård och behandling";
/** LoA3: the assurance level SITHS e-identification gives and patient data requires. */
export const PATIENT_DATA_ASSURANCE = 3;

export interface Identity {
  /** Token subject: an employee HSA-id or a system client's id. */
  subject: string;
  issuer: string;
  role: Role;
  /** County code of the caller's region (offices, clinics, peer regions). */
  regionCode: string | null;
  /** The caller's care provider in this hub (providers). */
  providerId: string | null;
  /** The caller's care unit in this hub (clinics). */
  careUnitId: string | null;
  employeeHsaId: string | null;
  /** The employee's name (the token's `name` claim), where the identity provider gives it: a payment commitment names its approver. */
  employeeName?: string | null;
  /** The active care assignment's purpose, e.g. "Vård och behandling". */
  assignmentPurpose: string | null;
  careUnitHsaId: string | null;
  careProviderHsaId: string | null;
  assuranceLevel: number;
  /** Seconds since the epoch when the caller's token expires. */
  expiresAt: number;
  /**
   * Set when one of the hub's own services calls on the caller's behalf (e.g. "referrals" reserving
   * capacity while the office sends a referral); never taken from a client's token.
   */
  viaService?: string | null;
}

/**
 * The hub acting on its own (a sweep, the gateway's change feeds): no person, no care assignment,
 * so never patient data; the role says what it may do otherwise.
 */
export function systemIdentity(
  subject: string,
  role: Role,
  regionCode: string,
  extra: Pick<Partial<Identity>, "issuer" | "viaService" | "expiresAt"> = {},
): Identity {
  return {
    subject,
    issuer: extra.issuer ?? subject,
    role,
    regionCode,
    providerId: null,
    careUnitId: null,
    employeeHsaId: null,
    assignmentPurpose: null,
    careUnitHsaId: null,
    careProviderHsaId: null,
    assuranceLevel: 0,
    expiresAt: extra.expiresAt ?? Number.MAX_SAFE_INTEGER,
    ...(extra.viaService ? { viaService: extra.viaService } : {}),
  };
}

export interface Claims {
  iss?: string;
  sub?: string;
  exp?: number;
  role?: unknown;
  region?: unknown;
  provider?: unknown;
  unit?: unknown;
  hsa_id?: unknown;
  name?: unknown;
  assignment_purpose?: unknown;
  care_unit_hsa_id?: unknown;
  care_provider_hsa_id?: unknown;
  loa?: unknown;
}

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 && value.length <= 200 ? value : null);

/**
 * The identity a verified token asserts, or the reason it cannot be used. Each role must name its
 * organisation: an office or clinic its region, a provider its provider id, a clinic its unit.
 */
export function identityFromClaims(claims: Claims): Identity | { refused: string } {
  const role = claims.role;
  if (typeof role !== "string" || !ROLES.includes(role as Role)) return { refused: `the token's role must be one of ${ROLES.join(", ")}` };
  const subject = text(claims.sub);
  if (!subject) return { refused: "the token has no subject" };
  if (typeof claims.exp !== "number") return { refused: "the token has no expiry" };
  const regionCode = text(claims.region);
  const providerId = text(claims.provider);
  const careUnitId = text(claims.unit);
  if (regionCode !== null && !isRegionCode(regionCode)) return { refused: `the token's region "${regionCode}" is not a county code` };
  if (providerId !== null && !isUuid(providerId)) return { refused: "the token's provider is not a provider id" };
  if (careUnitId !== null && !isUuid(careUnitId)) return { refused: "the token's unit is not a care unit id" };
  const needs: Partial<Record<Role, Array<[unknown, string]>>> = {
    [Role.REGIONAL_OFFICE]: [[regionCode, "region"]],
    [Role.CLINIC]: [
      [regionCode, "region"],
      [careUnitId, "unit"],
    ],
    [Role.PROVIDER]: [[providerId, "provider"]],
    [Role.PEER_REGION]: [[regionCode, "region"]],
  };
  for (const [value, name] of needs[role as Role] ?? []) {
    if (value === null) return { refused: `a ${role} token must name its ${name}` };
  }
  const loa = typeof claims.loa === "number" ? claims.loa : Number(claims.loa ?? 0);
  return {
    subject,
    issuer: text(claims.iss) ?? "",
    role: role as Role,
    regionCode,
    providerId,
    careUnitId,
    employeeHsaId: text(claims.hsa_id),
    employeeName: text(claims.name),
    assignmentPurpose: text(claims.assignment_purpose),
    careUnitHsaId: text(claims.care_unit_hsa_id),
    careProviderHsaId: text(claims.care_provider_hsa_id),
    assuranceLevel: Number.isFinite(loa) ? loa : 0,
    expiresAt: claims.exp,
  };
}

/** Publishing and reserving capacity: the provider that owns it, or an administrator. */
export function mayManageCapacityOf(identity: Identity, providerId: string): boolean {
  return identity.role === Role.ADMINISTRATOR || (identity.role === Role.PROVIDER && identity.providerId === providerId);
}

/**
 * Holding capacity for a referral: the office sending it, through the referrals service (which
 * records the payment commitment in the same step). A direct reserveCapacity call by an office is
 * still refused.
 */
export function mayHoldCapacityForReferral(identity: Identity): boolean {
  // A peer node holds a slot here for a referral its office sends to a provider on this node (and this node's
  // referrals service gives it back on the peer's behalf when the peer cancels).
  if (
    identity.role === Role.PEER_REGION &&
    identity.subject === `node:${identity.regionCode}` &&
    (identity.viaService == null || identity.viaService === "referrals")
  )
    return true;
  return identity.viaService === "referrals" && (identity.role === Role.REGIONAL_OFFICE || identity.role === Role.CLINIC);
}

/** Creating, revising and ending agreements and their price lists. */
export function mayAdministerAgreements(identity: Identity): boolean {
  return identity.role === Role.ADMINISTRATOR;
}

/** Committing a referral under an agreement (counts against its ceilings): the referrals service sending it, or an administrator. */
export function mayCommitReferrals(identity: Identity): boolean {
  return identity.role === Role.ADMINISTRATOR || identity.viaService === "referrals";
}

/** A short description for logs and errors: role and organisation, never a personal identity. */
export function describeCaller(identity: Identity): string {
  const org = identity.providerId ?? identity.careUnitId ?? identity.regionCode;
  return org ? `${identity.role} ${org}` : identity.role;
}

/** Whether the caller may see one patient's data, and on what basis (recorded in the audit log). */
export type PatientDataDecision = { allowed: true; basis: string } | { allowed: false; basis: string };

/**
 * The basis of a refusal a care relation lifts: a provider sees the patients whose referrals were
 * sent to it (the patients subgraph keeps those relations as the referrals subgraph records them).
 */
export const PROVIDER_WITHOUT_REFERRAL = "NO_REFERRAL_SENT_TO_PROVIDER";

/**
 * Patient data (identity, contact, referral content) is for those who take part in the patient's
 * care: the home region's office and clinics, and the provider a referral was sent to (decided
 * where referrals are known, see PROVIDER_WITHOUT_REFERRAL). Everyone else is told "not found".
 */
export function patientDataAccess(identity: Identity, homeRegionCode: string): PatientDataDecision {
  if (identity.role === Role.PEER_REGION) return { allowed: false, basis: "PEER_REGION_SEES_NO_PATIENT_DATA" };
  const refusal = assignmentRefusal(identity);
  if (refusal) return { allowed: false, basis: refusal };
  if (identity.role === Role.REGIONAL_OFFICE || identity.role === Role.CLINIC) {
    return identity.regionCode === homeRegionCode
      ? { allowed: true, basis: identity.role === Role.REGIONAL_OFFICE ? "HOME_REGION_OFFICE" : "HOME_REGION_CLINIC" }
      : { allowed: false, basis: "NOT_THE_HOME_REGION" };
  }
  if (identity.role === Role.PROVIDER) return { allowed: false, basis: PROVIDER_WITHOUT_REFERRAL };
  return { allowed: false, basis: "NO_CARE_RELATION" };
}

/** Why the caller's sign-in cannot read patient data whatever the relation (assurance, purpose), or null. */
export function assignmentRefusal(identity: Identity): string | null {
  if (identity.assuranceLevel < PATIENT_DATA_ASSURANCE) return "ASSURANCE_LEVEL_BELOW_3";
  if (identity.assignmentPurpose !== CARE_AND_TREATMENT) return "NO_CARE_AND_TREATMENT_ASSIGNMENT";
  return null;
}

/** The organisation an audit record names: region, provider or care unit. */
export function organisationOf(identity: Identity): string | null {
  return identity.careUnitId ?? identity.providerId ?? identity.regionCode;
}
