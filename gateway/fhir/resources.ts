import { addDays } from "../../subgraphs/shared/domain/calendar";
import { HUB_SYSTEM, OID, SPECIALTY_NAMES, SSL_EXTENSION } from "./codes";

/**
 * The hub's data as FHIR R4 resources: pure functions from what the public GraphQL API answers to
 * Location, Schedule, Slot (SMART Scheduling Links' shapes), ServiceRequest and Task. The FHIR
 * routes (routes.ts) ask the GraphQL API and call these; nothing here reads a database.
 */
export type FhirResource = { resourceType: string; id?: string; [field: string]: unknown };

export interface CareUnitData {
  id: string;
  hsaId: string;
  name: string;
  specialty: string;
}

export interface ProviderData {
  id: string;
  hsaId: string;
  name: string;
  kind: string;
  region: { code: string; name: string };
  careUnits: CareUnitData[];
}

export interface OfferData {
  id: string;
  specialty: string;
  visitType: string;
  totalSlots: number;
  availableSlots: number;
  validFrom: string;
  validUntil: string;
  earliestStart: string;
  expectedWaitDays: number;
  reportedAt: string;
  conditions: string | null;
  slotTimes: string[];
  procedure: { code: string; name: string } | null;
  careUnit: { id: string };
}

/**
 * The hub keeps slot start times, not their length; a Slot needs an end. Thirty minutes is the
 * nominal length the hub states for a time it publishes; a consumer books through the hub (a
 * referral reserves by offer), so nothing depends on the length being the provider's own.
 */
export const NOMINAL_SLOT_MINUTES = 30;

/** The instant a Swedish calendar day starts (Europe/Stockholm, summer time included). */
export function stockholmMidnight(date: string): string {
  const noonUtc = new Date(`${date}T12:00:00Z`);
  const offset = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Stockholm", timeZoneName: "longOffset" })
    .formatToParts(noonUtc)
    .find((part) => part.type === "timeZoneName")!
    .value.replace("GMT", "");
  // Midnight and noon share the offset: Sweden changes to and from summer time at 01:00 UTC.
  return `${date}T00:00:00${offset === "" ? "+00:00" : offset}`;
}

export function specialtyCoding(specialty: string) {
  return { system: HUB_SYSTEM.specialty, code: specialty, display: SPECIALTY_NAMES[specialty] ?? specialty };
}

export function kvaCoding(procedure: { code: string; name: string }) {
  return { system: OID.kva, code: procedure.code, display: procedure.name };
}

export function locationResource(provider: ProviderData, unit: CareUnitData): FhirResource {
  return {
    resourceType: "Location",
    id: unit.id,
    identifier: [{ system: OID.hsaId, value: unit.hsaId }],
    status: "active",
    name: unit.name,
    description: `${SPECIALTY_NAMES[unit.specialty] ?? unit.specialty}, ${provider.name} (${provider.kind === "PRIVATE" ? "privat vårdgivare" : "regiondriven vård"})`,
    address: { state: provider.region.name, country: "SE" },
    managingOrganization: { identifier: { system: OID.hsaId, value: provider.hsaId }, display: provider.name },
  };
}

/** An offer is a Schedule: who (the care unit), what (specialty, KVÅ), when (its window). */
export function scheduleResource(offer: OfferData): FhirResource {
  const coding = [specialtyCoding(offer.specialty), ...(offer.procedure ? [kvaCoding(offer.procedure)] : [])];
  return {
    resourceType: "Schedule",
    id: offer.id,
    meta: { lastUpdated: offer.reportedAt },
    identifier: [{ system: HUB_SYSTEM.offer, value: offer.id }],
    active: true,
    serviceType: [{ coding, text: offer.procedure?.name ?? SPECIALTY_NAMES[offer.specialty] ?? offer.specialty }],
    actor: [{ reference: `Location/${offer.careUnit.id}` }],
    planningHorizon: { start: stockholmMidnight(offer.validFrom), end: stockholmMidnight(addDays(offer.validUntil, 1)) },
    comment: [
      `Expected wait ${offer.expectedWaitDays} days (${offer.visitType === "TREATMENT" ? "treatment" : "first visit"}).`,
      offer.conditions ? `Conditions: ${offer.conditions}` : "",
    ]
      .filter(Boolean)
      .join(" "),
  };
}

/**
 * An offer's Slots. Published as times: one Slot per time still to come; the hub reserves by
 * number, not by time, so an offer's reserved slots are shown as its earliest times, busy (the
 * times a booking takes first). Published as a number: one Slot over the bookable window with the
 * number still free in the slot-capacity extension (SMART Scheduling Links' way to say "n slots").
 */
export function slotResources(offer: OfferData, now: Date): FhirResource[] {
  const schedule = { reference: `Schedule/${offer.id}` };
  const serviceType = scheduleResource(offer).serviceType;
  if (offer.slotTimes.length === 0) {
    return [
      {
        resourceType: "Slot",
        id: `${offer.id}-w`,
        meta: { lastUpdated: offer.reportedAt },
        extension: [{ url: SSL_EXTENSION.slotCapacity, valueInteger: offer.availableSlots }],
        schedule,
        serviceType,
        status: offer.availableSlots > 0 ? "free" : "busy",
        start: stockholmMidnight(offer.earliestStart),
        end: stockholmMidnight(addDays(offer.validUntil, 1)),
      },
    ];
  }
  const reserved = offer.totalSlots - offer.availableSlots;
  return [...offer.slotTimes]
    .sort()
    .map((time, index) => ({ time, index, busy: index < reserved }))
    .filter(({ time }) => new Date(time).getTime() > now.getTime())
    .map(({ time, index, busy }) => ({
      resourceType: "Slot",
      id: `${offer.id}-${index}`,
      meta: { lastUpdated: offer.reportedAt },
      schedule,
      serviceType,
      status: busy ? "busy" : "free",
      start: new Date(time).toISOString(),
      end: new Date(new Date(time).getTime() + NOMINAL_SLOT_MINUTES * 60_000).toISOString(),
    }));
}

export interface ReferralData {
  id: string;
  specialty: string;
  visitType: string;
  decisionDate: string;
  diagnosisCode: string | null;
  status: string;
  registeredAt: string;
  sentAt: string | null;
  bookedFor: string | null;
  revision: number;
  procedure: { code: string; name: string } | null;
  homeRegion: { code: string; name: string };
  provider: { id: string; hsaId: string; name: string } | null;
  patient: { id: string; identityKind: string; personalIdentityNumber: string; givenName: string; familyName: string } | null;
  paymentCommitment: PaymentCommitmentData | null;
}

export interface PaymentCommitmentData {
  id: string;
  agreementKind: string | null;
  agreementName: string | null;
  pricePerCaseSek: number | null;
  national: {
    commitmentTypeCode: string | null;
    chapterCode: string | null;
    validFrom: string;
    validUntil: string;
    liableCountyCouncilCode: string;
    outpatientOnly: boolean;
    approvalDate: string;
    approverHsaId: string | null;
    approverName: string | null;
    reimbursementType: string | null;
  };
}

const AGREEMENT_TYPES: Record<string, string> = { "1": "Riksavtal", "2": "Regionalt avtal", "3": "Tvålänsavtal" };

/**
 * The payment commitment as a Coverage contained in the ServiceRequest (its `insurance`): the
 * liable county council pays (payor), for the validity (period), under the agreement type (type);
 * the e-referral contract's remaining parts (chapter, outpatient only, approval, reimbursement
 * type) in one complex extension, since FHIR R4 has no element for them.
 */
export function commitmentCoverage(commitment: PaymentCommitmentData, beneficiary: Record<string, unknown>): FhirResource {
  const n = commitment.national;
  const parts: Array<Record<string, unknown>> = [
    ...(n.chapterCode ? [{ url: "chapterCode", valueCode: n.chapterCode }] : []),
    { url: "outpatientOnly", valueBoolean: n.outpatientOnly },
    { url: "approvalDate", valueDate: n.approvalDate },
    ...(n.approverHsaId ? [{ url: "approver", valueIdentifier: { system: OID.hsaId, value: n.approverHsaId } }] : []),
    ...(n.approverName ? [{ url: "approverName", valueString: n.approverName }] : []),
    ...(n.reimbursementType ? [{ url: "reimbursementType", valueCode: n.reimbursementType }] : []),
  ];
  return {
    resourceType: "Coverage",
    id: "payment-commitment",
    extension: [{ url: HUB_SYSTEM.paymentCommitmentExtension, extension: parts }],
    identifier: [{ system: HUB_SYSTEM.paymentCommitment, value: commitment.id }],
    status: "active",
    ...(n.commitmentTypeCode
      ? {
          type: {
            coding: [
              { system: HUB_SYSTEM.invoicingAgreementType, code: n.commitmentTypeCode, display: AGREEMENT_TYPES[n.commitmentTypeCode] },
            ],
          },
        }
      : {}),
    beneficiary,
    period: { start: n.validFrom, end: n.validUntil },
    payor: [{ identifier: { system: HUB_SYSTEM.region, value: n.liableCountyCouncilCode } }],
    ...(commitment.agreementName
      ? {
          class: [
            {
              type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/coverage-class", code: "plan" }] },
              value: commitment.agreementKind ?? "agreement",
              name: commitment.agreementName,
            },
          ],
        }
      : {}),
  };
}

/** The hub's referral statuses as FHIR's request status (ServiceRequest) and task status (Task). */
const REQUEST_STATUS: Record<string, string> = { COMPLETED: "completed", CANCELLED: "revoked" };
const TASK_STATUS: Record<string, string> = {
  REGISTERED: "draft",
  HANDED_TO_OFFICE: "draft",
  SENT: "requested",
  RECEIVED: "received",
  ACCEPTED: "accepted",
  REJECTED: "rejected",
  OFFERED_TO_PATIENT: "in-progress",
  PATIENT_ACCEPTED: "in-progress",
  PATIENT_DECLINED: "on-hold",
  BOOKED: "ready",
  COMPLETED: "completed",
  CANCELLED: "cancelled",
};

/** The patient as an identifier reference: personnummer or samordningsnummer, twelve digits (the national form, no hyphen). */
function patientReference(referral: ReferralData) {
  const patient = referral.patient;
  if (!patient) return { display: "Patient data not disclosed to this caller" };
  const system = patient.identityKind === "SAMORDNINGSNUMMER" ? OID.samordningsnummer : OID.personnummer;
  return {
    identifier: { system, value: patient.personalIdentityNumber.replace("-", "") },
    display: `${patient.givenName} ${patient.familyName}`,
  };
}

export function serviceRequestResource(referral: ReferralData): FhirResource {
  const commitment = referral.paymentCommitment ? commitmentCoverage(referral.paymentCommitment, patientReference(referral)) : null;
  const code = referral.procedure
    ? { coding: [kvaCoding(referral.procedure)], text: referral.procedure.name }
    : { coding: [specialtyCoding(referral.specialty)] };
  return {
    resourceType: "ServiceRequest",
    id: referral.id,
    meta: { versionId: String(referral.revision) },
    ...(commitment ? { contained: [commitment] } : {}),
    identifier: [{ system: HUB_SYSTEM.referral, value: referral.id }],
    status: REQUEST_STATUS[referral.status] ?? "active",
    intent: "order",
    category: [{ coding: [specialtyCoding(referral.specialty)] }],
    code,
    subject: patientReference(referral),
    ...(referral.bookedFor ? { occurrenceDateTime: referral.bookedFor } : {}),
    authoredOn: referral.registeredAt,
    requester: { identifier: { system: HUB_SYSTEM.region, value: referral.homeRegion.code }, display: referral.homeRegion.name },
    ...(referral.provider
      ? { performer: [{ identifier: { system: OID.hsaId, value: referral.provider.hsaId }, display: referral.provider.name }] }
      : {}),
    ...(commitment ? { insurance: [{ reference: `#${commitment.id}` }] } : {}),
    ...(referral.diagnosisCode ? { reasonCode: [{ coding: [{ system: OID.icd10se, code: referral.diagnosisCode }] }] } : {}),
    note: [
      { text: `Decision date (${referral.visitType === "TREATMENT" ? "beslut om behandling" : "remissbeslut"}): ${referral.decisionDate}` },
    ],
  };
}

export function taskResource(referral: ReferralData): FhirResource {
  return {
    resourceType: "Task",
    id: referral.id,
    meta: { versionId: String(referral.revision) },
    identifier: [{ system: HUB_SYSTEM.referral, value: referral.id }],
    status: TASK_STATUS[referral.status] ?? "requested",
    businessStatus: { coding: [{ system: HUB_SYSTEM.referralStatus, code: referral.status }], text: referral.status },
    intent: "order",
    focus: { reference: `ServiceRequest/${referral.id}` },
    for: patientReference(referral),
    authoredOn: referral.registeredAt,
    requester: { identifier: { system: HUB_SYSTEM.region, value: referral.homeRegion.code }, display: referral.homeRegion.name },
    ...(referral.provider
      ? { owner: { identifier: { system: OID.hsaId, value: referral.provider.hsaId }, display: referral.provider.name } }
      : {}),
  };
}

/** A searchset Bundle of the resources found. */
export function searchBundle(resources: FhirResource[], selfUrl: string): FhirResource {
  return {
    resourceType: "Bundle",
    type: "searchset",
    total: resources.length,
    link: [{ relation: "self", url: selfUrl }],
    entry: resources.map((resource) => ({
      fullUrl: `${selfUrl.replace(/\/fhir\/.*$/, "/fhir")}/${resource.resourceType}/${resource.id}`,
      resource,
      search: { mode: "match" },
    })),
  };
}

export function operationOutcome(code: string, diagnostics: string, expression?: string): FhirResource {
  return {
    resourceType: "OperationOutcome",
    issue: [{ severity: "error", code, diagnostics, ...(expression ? { expression: [expression] } : {}) }],
  };
}
