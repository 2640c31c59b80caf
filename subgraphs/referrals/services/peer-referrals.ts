/**
 * Referrals across nodes, the parts that are not the lifecycle itself: finding a peer's offer as
 * the national search shows it, what one node tells another (the delivery of a referral, and each
 * step the provider took), read field by field as whatever a peer claims, and the outbox rows
 * that carry both reliably. The home node stays the authority for the patient and the guarantee
 * clock, the provider's node for its capacity and its steps; see the migration PeerReferrals for
 * the tables.
 */

import { EntityManager } from "typeorm";
import { RequestScope } from "../../shared/context";
import { isIsoDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { isRegionCode } from "../../shared/domain/regions";
import { badUserInput } from "../../shared/errors";
import { CareSetting } from "../../shared/graphql-enums";
import { SupergraphClient } from "../../shared/supergraph-client";
import { ReferralAction } from "../domain/referral-lifecycle";
import { Referral } from "../entities/referral.entity";

/** The facts about an offer and its coverage that sending needs, as the supergraph answers them. */
export interface OfferFacts {
  capacityOffer: {
    id: string;
    status: string;
    availableSlots: number;
    earliestStart: string;
    validUntil: string;
    specialty: Referral["specialty"];
    visitType: Referral["visitType"];
    procedure: { code: string } | null;
    provider: { id: string; name: string; kind: string; region: { code: string } };
    coverage: {
      status: string;
      reason: string;
      pricePerCaseSek: number | null;
      decidedBy: string;
      paymentCommitmentRequired: boolean | null;
      rules: Array<{ code: string; explanation: string }>;
      agreement: { id: string; kind: string; name: string; invoicingAgreementType: number } | null;
    } | null;
  } | null;
}

/** The facts of a peer's offer, in the shape a local offer's facts have, and the node that holds it. */
export interface NationalOfferFacts {
  regionCode: string;
  offer: NonNullable<OfferFacts["capacityOffer"]>;
}

const NATIONAL_OFFER = `
  query PeerOfferForReferral($filter: FreeCapacityFilter, $home: String!, $municipality: String, $setting: CareSetting) {
    nationalCapacity(filter: $filter, first: 100) {
      edges { node {
        id availableSlots earliestStart validUntil specialty visitType procedure { code }
        origin { regionCode local }
        provider { id name kind regionCode }
        coverage(homeRegionCode: $home, homeMunicipalityCode: $municipality, careSetting: $setting) {
          status reason pricePerCaseSek decidedBy paymentCommitmentRequired rules { code explanation } agreement { id kind name invoicingAgreementType }
        }
      } }
    }
  }`;

/** An offer of the national search, with what sending needs of it. */
type NationalNode = Omit<NationalOfferFacts["offer"], "status" | "provider"> & {
  origin: { regionCode: string; local: boolean };
  provider: { id: string; name: string; kind: string; regionCode: string };
};

/**
 * A peer's offer as this node's national search shows it now, with this node's coverage: the
 * search for the referral's care, the offer picked from it (an offer the search does not list is
 * not free now, and is not sent to). Null when no peer lists it.
 */
export async function nationalOfferFacts(
  supergraph: SupergraphClient,
  scope: RequestScope,
  referral: Referral,
  offerId: string,
  careSetting: CareSetting,
): Promise<NationalOfferFacts | null> {
  const { nationalCapacity } = await supergraph.request<{ nationalCapacity: { edges: Array<{ node: NationalNode }> } }>(
    scope,
    NATIONAL_OFFER,
    {
      filter: { specialty: referral.specialty, visitType: referral.visitType, procedureCode: referral.procedureCode ?? undefined },
      home: referral.homeRegionCode,
      municipality: referral.homeMunicipalityCode,
      setting: careSetting,
    },
  );
  const node = nationalCapacity.edges.map((e) => e.node).find((n) => n.id === offerId && !n.origin.local);
  if (!node) return null;
  return {
    regionCode: node.origin.regionCode,
    offer: {
      id: node.id,
      // The national search lists only open offers with free slots.
      status: "OPEN",
      availableSlots: node.availableSlots,
      earliestStart: node.earliestStart,
      validUntil: node.validUntil,
      specialty: node.specialty,
      visitType: node.visitType,
      procedure: node.procedure,
      provider: { id: node.provider.id, name: node.provider.name, kind: node.provider.kind, region: { code: node.provider.regionCode } },
      coverage: node.coverage,
    },
  };
}

/** The home node posts a referral to the provider's node. */
export const DELIVER_TO_PEER = `
  mutation DeliverReferralToPeer($delivery: String!) {
    deliverPeerReferral(delivery: $delivery) { status reason }
  }`;

/** The provider's node posts one of the provider's steps to the home node. */
export const STEP_FROM_PEER = `
  mutation PeerReferralStep($step: String!) {
    applyPeerReferralStep(step: $step) { status reason }
  }`;

/**
 * What the provider's node is told of a referral: its content, the patient's identity and the
 * payment commitment, nothing more than the provider needs (no history, no clock facts, no other
 * referral of the patient).
 */
export interface PeerDelivery {
  referralId: string;
  homeRegionCode: string;
  homeMunicipalityCode: string | null;
  patientId: string;
  patient: { personalIdentityNumber: string; givenName: string | null; familyName: string | null; birthDate: string };
  specialty: string;
  procedureCode: string | null;
  visitType: string;
  decisionDate: string;
  diagnosisCode: string | null;
  careCategory: string;
  origin: string;
  selfReferralArrivalDate: string | null;
  providerId: string;
  offerId: string;
  reservationId: string;
  sentBy: { subject: string; role: string; organisation: string | null };
  commitment: Record<string, unknown>;
}

/** One step the provider took, as its node tells the home node: numbered from 1 per referral. */
export interface PeerStep {
  referralId: string;
  sequence: number;
  action: ReferralAction;
  reason: string | null;
  details: Record<string, unknown>;
  happenedOn: string;
  actor: { subject: string; role: string; organisation: string | null };
}

/** The steps a provider takes on its node and tells the home node of. */
export const PEER_STEP_ACTIONS = new Set<ReferralAction>([
  ReferralAction.RECEIVE,
  ReferralAction.ACCEPT,
  ReferralAction.REJECT,
  ReferralAction.OFFER_TO_PATIENT,
  ReferralAction.PATIENT_ACCEPT,
  ReferralAction.PATIENT_DECLINE,
  ReferralAction.BOOK,
  ReferralAction.COMPLETE,
]);

const text = (v: unknown, max = 500): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
const optText = (v: unknown, max = 500) => v === null || text(v, max);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parse(field: string, json: string, max: number): Record<string, unknown> {
  if (json.length > max) throw badUserInput(field, "TOO_LARGE", `at most ${max} characters`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw badUserInput(field, "JSON_FORMAT", "not a JSON document");
  }
  if (!isObject(value)) throw badUserInput(field, "JSON_FORMAT", "must be a JSON object");
  return value;
}

function readActor(field: string, v: unknown): PeerDelivery["sentBy"] {
  if (!isObject(v) || !text(v.subject, 200) || !text(v.role, 50) || !optText(v.organisation ?? null, 200))
    throw badUserInput(field, "PEER_FORMAT", "who took the step is not valid");
  return { subject: v.subject, role: v.role, organisation: (v.organisation as string | null) ?? null };
}

/** A delivery as a peer claims it to be, checked field by field. */
export function readPeerDelivery(json: string): PeerDelivery {
  const d = parse("delivery", json, 20_000);
  const bad = (what: string) => badUserInput("delivery", "PEER_FORMAT", `the delivery's ${what} is not valid`);
  for (const f of ["referralId", "patientId", "providerId", "offerId", "reservationId"]) if (!text(d[f], 36) || !isUuid(d[f])) throw bad(f);
  if (!text(d.homeRegionCode, 2) || !isRegionCode(d.homeRegionCode)) throw bad("homeRegionCode");
  for (const f of ["specialty", "visitType", "careCategory", "origin"]) if (!text(d[f], 50)) throw bad(f);
  for (const f of ["homeMunicipalityCode", "procedureCode", "diagnosisCode"]) if (!optText(d[f] ?? null, 20)) throw bad(f);
  if (!text(d.decisionDate, 10) || !isIsoDate(d.decisionDate)) throw bad("decisionDate");
  if (d.selfReferralArrivalDate != null && !(text(d.selfReferralArrivalDate, 10) && isIsoDate(d.selfReferralArrivalDate)))
    throw bad("selfReferralArrivalDate");
  const p = d.patient;
  if (
    !isObject(p) ||
    !text(p.personalIdentityNumber, 13) ||
    !text(p.birthDate, 10) ||
    !optText(p.givenName ?? null, 200) ||
    !optText(p.familyName ?? null, 200)
  )
    throw bad("patient");
  if (!isObject(d.commitment)) throw bad("commitment");
  return {
    ...(d as unknown as PeerDelivery),
    homeMunicipalityCode: (d.homeMunicipalityCode as string | null) ?? null,
    procedureCode: (d.procedureCode as string | null) ?? null,
    diagnosisCode: (d.diagnosisCode as string | null) ?? null,
    selfReferralArrivalDate: (d.selfReferralArrivalDate as string | null) ?? null,
    sentBy: readActor("delivery", d.sentBy),
  };
}

/** A step as a peer claims it to be, checked field by field. */
export function readPeerStep(json: string): PeerStep {
  const s = parse("step", json, 10_000);
  const bad = (what: string) => badUserInput("step", "PEER_FORMAT", `the step's ${what} is not valid`);
  if (!text(s.referralId, 36) || !isUuid(s.referralId)) throw bad("referralId");
  if (typeof s.sequence !== "number" || !Number.isInteger(s.sequence) || s.sequence < 1) throw bad("sequence");
  if (!text(s.action, 30) || !(PEER_STEP_ACTIONS.has(s.action as ReferralAction) || s.action === ReferralAction.CANCEL))
    throw bad("action");
  if (!optText(s.reason ?? null, 500)) throw bad("reason");
  if (!isObject(s.details)) throw bad("details");
  if (!text(s.happenedOn, 10) || !isIsoDate(s.happenedOn)) throw bad("happenedOn");
  return {
    referralId: s.referralId,
    sequence: s.sequence,
    action: s.action as ReferralAction,
    reason: (s.reason as string | null) ?? null,
    details: s.details,
    happenedOn: s.happenedOn,
    actor: readActor("step", s.actor),
  };
}

export interface PeerLink {
  referral_id: string;
  peer_region_code: string;
  side: "HOME" | "PROVIDER";
  patient: PeerDelivery["patient"] | null;
  commitment: Record<string, unknown> | null;
  steps_sent: number;
  steps_applied: number;
  delivered_at: Date | null;
}

/** Which peer takes part in the referral, if any (locked with the referral's transaction when `lock`). */
export async function peerLink(db: EntityManager, referralId: string, lock = false): Promise<PeerLink | null> {
  const rows: PeerLink[] = await db.query(`SELECT * FROM referrals.peer_link WHERE referral_id = $1${lock ? " FOR UPDATE" : ""}`, [
    referralId,
  ]);
  return rows[0] ?? null;
}

/**
 * In the step's own transaction: the step is numbered and queued for the peer that takes part in
 * the referral. On the provider's node, the provider's steps go to the home node; on the home node,
 * a cancellation goes to the provider's node (which releases its slot). Nothing for a referral no
 * peer takes part in, or for any other step.
 */
export async function queueStepForPeer(db: EntityManager, step: Omit<PeerStep, "sequence">): Promise<void> {
  const link = await peerLink(db, step.referralId);
  if (!link) return;
  const told = link.side === "HOME" ? PEER_STEP_ACTIONS.has(step.action) : step.action === ReferralAction.CANCEL;
  if (!told) return;
  // An UPDATE … RETURNING answers [rows, count] through TypeORM.
  const [[row]]: [Array<{ steps_sent: number }>, number] = await db.query(
    `UPDATE referrals.peer_link SET steps_sent = steps_sent + 1 WHERE referral_id = $1 RETURNING steps_sent`,
    [step.referralId],
  );
  await db.query(
    `INSERT INTO referrals.peer_outbox (referral_id, peer_region_code, kind, sequence, payload) VALUES ($1, $2, 'STEP', $3, $4)`,
    [step.referralId, link.peer_region_code, row.steps_sent, JSON.stringify({ ...step, sequence: row.steps_sent })],
  );
}

/** What a peer may tell this node of a referral: the provider's steps when the peer holds the provider, a cancellation when it is the home. */
export function stepAllowedFrom(link: PeerLink, action: ReferralAction): boolean {
  return link.side === "PROVIDER" ? PEER_STEP_ACTIONS.has(action) : action === ReferralAction.CANCEL;
}
