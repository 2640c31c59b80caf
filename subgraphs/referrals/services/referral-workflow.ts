import { randomUUID } from "node:crypto";
import { DataSource, EntityManager, IsNull, LessThan } from "typeorm";
import { audit } from "../../shared/audit";
import { RequestScope } from "../../shared/context";
import { Clock, systemClock } from "../../shared/clock";
import { addDays, isIsoDate, stockholmDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { isKvaCode } from "../../shared/domain/kva";
import { badUserInput, conflict, forbidden, notFound } from "../../shared/errors";
import { earlierResult, idempotent } from "../../shared/idempotency";
import { Identity, organisationOf, patientDataAccess, Role, systemIdentity } from "../../shared/identity";
import { logger } from "../../shared/log";
import { appendEvent } from "../../shared/outbox";
import { SupergraphClient } from "../../shared/supergraph-client";
import type { NationalNetwork } from "../../shared/subgraph";
import { callPeer, PeerFailure, PeerStatus } from "../../shared/network/peer-client";
import {
  DELIVER_TO_PEER,
  nationalOfferFacts,
  NationalOfferFacts,
  OfferFacts,
  PeerDelivery,
  peerLink,
  queueStepForPeer,
  stepAllowedFrom,
  readPeerDelivery,
  readPeerStep,
  STEP_FROM_PEER,
} from "./peer-referrals";
import { requireDate, requireText, requireUuid } from "../../shared/validation";
import { CareSetting, Specialty, VisitType } from "../../shared/graphql-enums";
import { GuaranteeEvent, PaymentCommitment, Referral, ReferralTransition } from "../entities/referral.entity";
import { CareCategory, ClockEventKind, clockEventRule, ReferralOrigin } from "../domain/guarantee-clock";
import { loadClockEvents, loadLimitRules, read, refreshStoredReadings, storeReading } from "./guarantee-clock-store";
import { partiesOf } from "./referral-access";
import { referralEvent } from "./referral-events";
import {
  abandonedSends,
  clearSendInFlight,
  noteReservation,
  recordSendInFlight,
  reservationKey,
  SendInFlight,
  sendInFlight,
} from "./send-in-flight";
import {
  answersExpiredOffer,
  beforePreviousStep,
  checkTransition,
  OFFER_ANSWER_DAYS,
  Party,
  ReferralAction,
  ReferralStatus,
  WAITING,
  WITH_RECEIVER,
} from "../domain/referral-lifecycle";

const SCHEMA = "referrals";
/** How long a payment commitment is valid by default: invoices later than 6 months after care may be refused. */
const COMMITMENT_DAYS = 180;
const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;

/** Who took a step: a caller, or the hub itself (offers expiring, clocks passing a limit). */
interface Actor {
  subject: string;
  role: string;
  organisation: string | null;
  /** The node where the step was taken, when it was another (a provider's step on its own node). */
  fromNode?: string;
}

const HUB: Actor = { subject: "hub", role: "SYSTEM", organisation: null };

function actorOf(identity: Identity): Actor {
  return { subject: identity.subject, role: identity.role, organisation: organisationOf(identity) };
}

export interface RegisterReferralInput {
  patientId: string;
  specialty: Specialty;
  procedureCode?: string | null;
  visitType: VisitType;
  decisionDate: string;
  careCategory?: CareCategory | null;
  origin?: ReferralOrigin | null;
  selfReferralArrivalDate?: string | null;
  diagnosisCode?: string | null;
}

export interface SendReferralInput {
  offerId: string;
  /** Whether the payment commitment covers outpatient care only. */
  outpatientOnly?: boolean | null;
  commitmentValidUntil?: string | null;
}

interface StepEffects {
  details?: Record<string, unknown>;
  clock?: Array<{ kind: ClockEventKind; date: string }>;
  /** The day the step happened outside the hub, when it was recorded after the fact; today otherwise. */
  happenedOn?: string;
}

interface StepOptions {
  idempotencyKey?: string | null;
  input?: Record<string, unknown>;
  /** The hub's own steps (expiring offers) are taken without a caller. */
  system?: boolean;
  /**
   * The day the patient answered, for an answer recorded late: an offer the sweep expired in the
   * meantime is answered all the same when the answer came in time (the expiry is corrected by
   * a new event; the expiry's own record stays).
   */
  answeredOn?: string;
  /** A step a peer's provider took on its node, told by that node: taken as the receiver's, by its actor. */
  peer?: { actor: Actor; party: Party };
}

/** The referral's last two steps, newest first: what a dated step must not precede. */
type Previous = readonly ReferralTransition[];

/** The facts about an offer and its coverage that sending needs, asked of the supergraph. */
const OFFER_FACTS = `
  query SendFacts($offerId: ID!, $home: String!, $municipality: String, $setting: CareSetting) {
    capacityOffer(id: $offerId) {
      id status availableSlots earliestStart validUntil specialty visitType
      procedure { code }
      provider { id name kind region { code } }
      coverage(homeRegionCode: $home, homeMunicipalityCode: $municipality, careSetting: $setting) {
        status reason pricePerCaseSek decidedBy paymentCommitmentRequired rules { code explanation } agreement { id kind name invoicingAgreementType }
      }
    }
  }`;

const RESERVE = `
  mutation HoldForReferral($offerId: ID!, $referenceId: String!, $key: String!) {
    reserveCapacity(offerId: $offerId, slots: 1, referenceId: $referenceId, idempotencyKey: $key) { id }
  }`;

const COMMIT = `
  mutation CommitForReferral($input: CommitReferralInput!) {
    commitReferralToAgreement(input: $input) { id priceSek version { version } }
  }`;

interface AgreementCommitmentAnswer {
  id: string;
  priceSek: number | null;
  version: { version: number };
}

const UNCOMMIT = `
  mutation UncommitForReferral($referralId: ID!, $reason: String!) {
    releaseAgreementCommitment(referralId: $referralId, reason: $reason) { id }
  }`;

const RECORD_CARE_RELATION = `
  mutation CareRelationForReferral($referralId: ID!, $patientId: ID!, $providerId: ID!) {
    recordCareRelation(referralId: $referralId, patientId: $patientId, providerId: $providerId)
  }`;

const END_CARE_RELATION = `
  mutation EndCareRelationOfReferral($referralId: ID!) {
    endCareRelation(referralId: $referralId)
  }`;

const RELEASE = `
  mutation ReleaseForReferral($reservationId: ID!, $reason: String!) {
    releaseReservation(reservationId: $reservationId, reason: $reason) { id }
  }`;

/**
 * The referral lifecycle against the database: every step in one transaction that locks the
 * referral, checks the step with the state machine, keeps the transition and any clock fact as
 * new rows, re-reads the guarantee clock, records the audit entry and appends the event for live
 * subscribers. Sending also holds a slot on the chosen offer (capacity subgraph) and records the
 * payment commitment with the agreement and price the agreements subgraph answers; if anything
 * fails, the slot is released again and nothing is written.
 */
export class ReferralWorkflow {
  private readonly log = logger("referrals/workflow");

  /** Private at run time too: a request context holding this object gets no database handle from it. */
  readonly #dataSource: DataSource;

  constructor(
    dataSource: DataSource,
    private readonly hubRegionCode: string,
    private readonly supergraph: SupergraphClient,
    private readonly marginDays: number,
    /** This node among its peers; none: a node on its own, which sends only to offers it holds. */
    private readonly network?: NationalNetwork,
    /** The day for what the node does on its own (a peer's refusal arriving), not for a caller. */
    private readonly clock: Clock = systemClock,
  ) {
    this.#dataSource = dataSource;
  }

  async register(scope: RequestScope, input: RegisterReferralInput, idempotencyKey: string | null | undefined): Promise<Referral> {
    const { identity } = scope;
    if (identity.role !== Role.REGIONAL_OFFICE && identity.role !== Role.CLINIC) {
      throw forbidden("Referrals are registered by the home region's care-guarantee office or one of its clinics.");
    }
    requireUuid("input.patientId", input.patientId, "a patient");
    requireDate("input.decisionDate", input.decisionDate);
    if (input.decisionDate > scope.today)
      throw badUserInput("input.decisionDate", "DATE_IN_FUTURE", "the decision cannot be dated after today");
    if (input.decisionDate < addDays(scope.today, -730))
      throw badUserInput("input.decisionDate", "DATE_TOO_OLD", "more than two years ago; register the current decision");
    if (input.procedureCode != null && !isKvaCode(input.procedureCode))
      throw badUserInput("input.procedureCode", "KVA_CODE_FORMAT", `"${input.procedureCode}" is not a KVÅ code`);
    if (input.diagnosisCode != null && !ICD10.test(input.diagnosisCode))
      throw badUserInput("input.diagnosisCode", "ICD10_FORMAT", `"${input.diagnosisCode}" is not an ICD-10-SE code (e.g. M16.1)`);
    const origin = input.origin ?? ReferralOrigin.REFERRAL;
    if (origin === ReferralOrigin.SELF_REFERRAL) {
      if (input.visitType !== VisitType.FIRST_VISIT)
        throw badUserInput("input.origin", "SELF_REFERRAL_FIRST_VISIT", "a self-referral (egen vårdbegäran) asks for a first visit");
      if (!input.selfReferralArrivalDate)
        throw badUserInput(
          "input.selfReferralArrivalDate",
          "REQUIRED",
          "a self-referral starts the clock when it arrives; give the arrival date",
        );
    }
    if (input.selfReferralArrivalDate != null) {
      if (origin !== ReferralOrigin.SELF_REFERRAL)
        throw badUserInput("input.selfReferralArrivalDate", "ONLY_SELF_REFERRAL", "only a self-referral has an arrival date");
      requireDate("input.selfReferralArrivalDate", input.selfReferralArrivalDate);
      if (input.selfReferralArrivalDate > scope.today)
        throw badUserInput("input.selfReferralArrivalDate", "DATE_IN_FUTURE", "the arrival cannot be dated after today");
    }
    // The patient must exist and be one the caller may see (same answer for both: no hint).
    const { patient } = await this.supergraph.request<{
      patient: { id: string; homeRegion: { code: string }; homeMunicipalityCode: string } | null;
    }>(scope, "query PatientForReferral($id: ID!) { patient(id: $id) { id homeRegion { code } homeMunicipalityCode } }", {
      id: input.patientId,
    });
    if (!patient) throw badUserInput("input.patientId", "PATIENT_UNKNOWN", "no patient with this id that you may register referrals for");
    if (!patientDataAccess(identity, patient.homeRegion.code).allowed)
      throw forbidden("Only the patient's home region registers the patient's referrals.");
    return this.#dataSource.transaction(async (db) => {
      const id = await idempotent({
        db,
        schema: SCHEMA,
        scope: `${identity.regionCode}:${identity.subject}`,
        key: idempotencyKey,
        operation: "registerReferral",
        input,
        run: async () => {
          const referral = Object.assign(new Referral(), {
            id: randomUUID(),
            patientId: patient.id,
            homeRegionCode: patient.homeRegion.code,
            // Kept with the referral: which pact and price list apply to a Halland patient follows it.
            homeMunicipalityCode: patient.homeMunicipalityCode,
            specialty: input.specialty,
            procedureCode: input.procedureCode ?? null,
            visitType: input.visitType,
            decisionDate: input.decisionDate,
            diagnosisCode: input.diagnosisCode ?? null,
            careCategory: input.careCategory ?? CareCategory.PLANNED_CARE,
            origin,
            selfReferralArrivalDate: input.selfReferralArrivalDate ?? null,
            status: ReferralStatus.REGISTERED,
            registeredAt: new Date(),
            registeredBy: identity.subject,
            registeringUnitId: identity.careUnitId,
            providerId: null,
            providerRegionCode: null,
            offerId: null,
            reservationId: null,
            sentAt: null,
            patientOfferDate: null,
            patientAnswerDue: null,
            bookedFor: null,
            revision: 1,
          });
          storeReading(referral, read(referral, [], await loadLimitRules(db), scope.today, this.marginDays));
          await db.insert(Referral, referral);
          await this.record(
            db,
            scope,
            referral,
            ReferralAction.REGISTER,
            null,
            actorOf(identity),
            null,
            {},
            patientDataAccess(identity, referral.homeRegionCode).basis,
          );
          return { answer: referral.id, stored: referral.id };
        },
        replay: async (stored: string) => stored,
      });
      return (await db.getRepository(Referral).findOneBy({ id }))!;
    });
  }

  handToOffice(scope: RequestScope, id: string, reason: string): Promise<Referral> {
    return this.step(scope, id, ReferralAction.HAND_TO_OFFICE, reason);
  }

  /**
   * Sends the referral to the chosen offer: holds a slot there, commits the case under the agreement
   * that covers it, and records the payment commitment. A saga with no transaction open while the
   * gateway answers: (1) a short transaction checks the step and records the send in flight
   * (`send-in-flight.ts`), so a concurrent send is refused; (2) capacity holds the slot, agreements
   * commit the case and patients records the provider's care relation, each idempotent by the
   * referral; (3) a short transaction re-checks the referral and records the step. If (2) or (3)
   * fails, all three are given back and the referral is as it was; `recoverAbandonedSends` does the same for a send a crash
   * left half-way. All or nothing, and a retry with the same idempotency key answers the first result.
   */
  async send(scope: RequestScope, id: string, input: SendReferralInput, idempotencyKey: string | null | undefined): Promise<Referral> {
    requireUuid("input.offerId", input.offerId, "an offer");
    if (input.commitmentValidUntil != null) {
      requireDate("input.commitmentValidUntil", input.commitmentValidUntil);
      if (input.commitmentValidUntil < scope.today)
        throw badUserInput("input.commitmentValidUntil", "DATE_IN_PAST", "the payment commitment must be valid today");
    }
    const before = await this.visible(scope, id);
    // An outpatient-only commitment is decided by the outpatient rules; any other covers inpatient care too, so the inpatient rules decide.
    const careSetting = input.outpatientOnly ? CareSetting.OUTPATIENT : CareSetting.INPATIENT;
    const { capacityOffer: local } = await this.supergraph.request<OfferFacts>(scope, OFFER_FACTS, {
      offerId: input.offerId,
      home: before.homeRegionCode,
      municipality: before.homeMunicipalityCode,
      setting: careSetting,
    });
    // Not an offer of this node: perhaps one of a peer's, as the national search shows it.
    const national = !local && this.network ? await nationalOfferFacts(this.supergraph, scope, before, input.offerId, careSetting) : null;
    const offer = local ?? national?.offer;
    if (!offer) throw badUserInput("input.offerId", "OFFER_UNKNOWN", `no capacity offer ${input.offerId}`);
    if (offer.status !== "OPEN" || offer.validUntil < scope.today)
      throw conflict(`Offer ${offer.id} is ${offer.status} and takes no referrals; search again.`, {
        field: "input.offerId",
        rule: "OFFER_NOT_OPEN",
      });
    if (offer.specialty !== before.specialty)
      throw badUserInput(
        "input.offerId",
        "SPECIALTY_MISMATCH",
        `the offer is for ${offer.specialty}; the referral asks for ${before.specialty}`,
      );
    if (offer.visitType !== before.visitType)
      throw badUserInput(
        "input.offerId",
        "VISIT_TYPE_MISMATCH",
        `the offer is for ${offer.visitType}; the referral asks for ${before.visitType}`,
      );
    if (before.procedureCode && offer.procedure && offer.procedure.code !== before.procedureCode) {
      throw badUserInput(
        "input.offerId",
        "PROCEDURE_MISMATCH",
        `the offer is for ${offer.procedure.code}; the referral asks for ${before.procedureCode}`,
      );
    }
    const coverage = offer.coverage;
    if (!coverage || coverage.status === "NOT_COVERED") {
      throw badUserInput(
        "input.offerId",
        "NOT_COVERED",
        `no agreement lets ${before.homeRegionCode}'s patients be sent to ${offer.provider.name}: ${coverage?.reason ?? "unknown provider"}`,
      );
    }
    if (national) return this.sendToPeer(scope, before, national, input, idempotencyKey, careSetting);
    // A slot or commitment an earlier rejection still has to give back goes first: its release is keyed by the referral too.
    await this.giveBackPending(id);
    const started = await this.beginSend(
      scope,
      id,
      { offerId: offer.id, agreementId: coverage.agreement?.id ?? null },
      input,
      idempotencyKey,
    );
    if ("replayed" in started) return started.replayed;
    const { sending } = started;
    try {
      const { reserveCapacity } = await this.supergraph.request<{ reserveCapacity: { id: string } }>(scope, RESERVE, {
        offerId: offer.id,
        referenceId: id,
        key: reservationKey(id, sending.attempt),
      });
      const reservationId = reserveCapacity.id;
      sending.reservationId = reservationId;
      await noteReservation(this.#dataSource.manager, id, sending.attempt, reservationId);
      // Under an agreement, the case counts against its volume ceilings and keeps the version and price in force.
      const agreementCommitment = await this.commitCase(scope, before, offer);
      // The provider reads the patient from the moment the referral reaches it (its SEND event included).
      await this.supergraph.request(scope, RECORD_CARE_RELATION, {
        referralId: id,
        patientId: before.patientId,
        providerId: offer.provider.id,
      });
      return await this.step(
        scope,
        id,
        ReferralAction.SEND,
        null,
        async (db, referral) => {
          // The step re-checks the referral (above); the send must also still be this one, not one the sweep gave up.
          const commitment = await recordSent(db, scope, referral, sending, offer, reservationId, agreementCommitment, input, careSetting);
          return { details: sentDetails(offer, reservationId, commitment) };
        },
        { idempotencyKey, input: { ...input } },
      );
    } catch (error) {
      await this.giveBack(scope, id, sending, "Sending the referral failed; nothing was sent");
      throw error;
    }
  }

  /**
   * Sends the referral to an offer a peer node holds (as this node's national search shows it). The
   * same saga as a local send, with the slot held on the peer: (1) the send in flight is recorded;
   * (2) the peer's `reserveCapacity` holds the slot, called with this node's signed token and keyed
   * by the referral (a retry holds the same slot), and this node's agreements commit the case;
   * (3) the step is recorded with the payment commitment, the peer link and the delivery queued for
   * the peer in the same transaction. The delivery itself is posted after it committed
   * (`deliverToPeers`), again until the peer acknowledges.
   */
  private async sendToPeer(
    scope: RequestScope,
    before: Referral,
    national: NationalOfferFacts,
    input: SendReferralInput,
    idempotencyKey: string | null | undefined,
    careSetting: CareSetting,
  ): Promise<Referral> {
    const { offer } = national;
    const coverage = offer.coverage!;
    const peer = this.network!.directory.byRegion(national.regionCode);
    if (!peer?.enabled)
      throw conflict(`The node of region ${national.regionCode} is not an enabled peer of this node.`, {
        field: "input.offerId",
        rule: "PEER_UNKNOWN",
      });
    const id = before.id;
    const started = await this.beginSend(
      scope,
      id,
      { offerId: offer.id, agreementId: coverage.agreement?.id ?? null, peerRegionCode: national.regionCode },
      input,
      idempotencyKey,
    );
    if ("replayed" in started) return started.replayed;
    const { sending } = started;
    try {
      const reservationId = await this.reserveOnPeer(
        national.regionCode,
        id,
        offer.id,
        reservationKey(id, sending.attempt),
        scope.requestId,
      );
      sending.reservationId = reservationId;
      await noteReservation(this.#dataSource.manager, id, sending.attempt, reservationId);
      const agreementCommitment = await this.commitCase(scope, before, offer);
      // The patient's identity, read (and audited) by this node's patients subgraph as the office: the peer has no other source.
      const { patient } = await this.supergraph.request<{ patient: PeerDelivery["patient"] | null }>(
        scope,
        "query PatientForPeerReferral($id: ID!) { patient(id: $id) { personalIdentityNumber givenName familyName birthDate } }",
        { id: before.patientId },
      );
      if (!patient) throw notFound("referralId", `no referral ${id}`);
      return await this.step(
        scope,
        id,
        ReferralAction.SEND,
        null,
        async (db, referral) => {
          const commitment = await recordSent(db, scope, referral, sending, offer, reservationId, agreementCommitment, input, careSetting);
          const delivery: PeerDelivery = {
            referralId: referral.id,
            homeRegionCode: referral.homeRegionCode,
            homeMunicipalityCode: referral.homeMunicipalityCode,
            patientId: referral.patientId,
            patient,
            specialty: referral.specialty,
            procedureCode: referral.procedureCode,
            visitType: referral.visitType,
            decisionDate: referral.decisionDate,
            diagnosisCode: referral.diagnosisCode,
            careCategory: referral.careCategory,
            origin: referral.origin,
            selfReferralArrivalDate: referral.selfReferralArrivalDate,
            providerId: offer.provider.id,
            offerId: offer.id,
            reservationId,
            sentBy: actorOf(scope.identity),
            commitment: { ...commitment, referralId: undefined, rulesApplied: undefined },
          };
          await db.query(`INSERT INTO referrals.peer_link (referral_id, peer_region_code, side) VALUES ($1, $2, 'PROVIDER')`, [
            referral.id,
            national.regionCode,
          ]);
          await db.query(
            `INSERT INTO referrals.peer_outbox (referral_id, peer_region_code, kind, sequence, payload) VALUES ($1, $2, 'DELIVER', 0, $3)`,
            [referral.id, national.regionCode, JSON.stringify(delivery)],
          );
          return { details: { ...sentDetails(offer, reservationId, commitment), providerNode: national.regionCode } };
        },
        { idempotencyKey, input: { ...input } },
      ).then((sent) => {
        this.deliverSoon();
        return sent;
      });
    } catch (error) {
      await this.giveBack(scope, id, sending, "Sending the referral failed; nothing was sent");
      throw error;
    }
  }

  private async callPeer(regionCode: string, query: string, variables: Record<string, unknown>, requestId: string) {
    const peer = this.network?.directory.byRegion(regionCode);
    if (!peer) throw new Error(`region ${regionCode} is not in this node's directory`);
    const network = this.network!;
    return callPeer(
      { identity: network.identity, timeoutMs: network.peerTimeoutMs, maxAnswerBytes: network.peerMaxAnswerBytes },
      peer,
      query,
      variables,
      requestId,
    );
  }

  private async reserveOnPeer(regionCode: string, referralId: string, offerId: string, key: string, requestId: string): Promise<string> {
    const { data } = await this.callPeer(regionCode, RESERVE, { offerId, referenceId: referralId, key }, requestId);
    const id = (data.reserveCapacity as { id?: unknown } | null)?.id;
    if (typeof id !== "string" || !isUuid(id)) throw new Error(`region ${regionCode} answered no reservation`);
    return id;
  }

  private deliveryTimer: NodeJS.Timeout | undefined;

  /** A delivery queued now is posted at once, not at the worker's next round. */
  private deliverSoon(): void {
    if (this.deliveryTimer || !this.network) return;
    this.deliveryTimer = setTimeout(() => {
      this.deliveryTimer = undefined;
      void this.deliverToPeers();
    }, 0);
    this.deliveryTimer.unref();
  }

  private delivering: Promise<number> | undefined;

  /**
   * Posts what this node still has to tell peers (deliveries and steps), oldest first, one referral's
   * steps in order; each until the peer acknowledges, with backoff (1 s doubling to 5 min) while it
   * cannot be reached. A peer's permanent refusal of a delivery rejects the referral here with the
   * peer's reason and gives the commitment back. One round at a time.
   */
  deliverToPeers(): Promise<number> {
    this.delivering ??= this.deliveryRound().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  private async deliveryRound(): Promise<number> {
    if (!this.network) return 0;
    const due: Array<{ id: string; referral_id: string; peer_region_code: string; kind: string; payload: unknown; attempts: number }> =
      await this.#dataSource.query(
        `SELECT o.id, o.referral_id, o.peer_region_code, o.kind, o.payload, o.attempts FROM referrals.peer_outbox o
          WHERE o.done_at IS NULL AND o.next_attempt_at <= now()
            AND NOT EXISTS (SELECT 1 FROM referrals.peer_outbox e WHERE e.referral_id = o.referral_id AND e.done_at IS NULL AND e.id < o.id)
          ORDER BY o.id LIMIT 100`,
      );
    let done = 0;
    for (const row of due) {
      try {
        const { data } = await this.callPeer(
          row.peer_region_code,
          row.kind === "DELIVER" ? DELIVER_TO_PEER : STEP_FROM_PEER,
          row.kind === "DELIVER" ? { delivery: JSON.stringify(row.payload) } : { step: JSON.stringify(row.payload) },
          randomUUID(),
        );
        const receipt = (row.kind === "DELIVER" ? data.deliverPeerReferral : data.applyPeerReferralStep) as
          | { status?: unknown; reason?: unknown }
          | undefined;
        if (receipt?.status === "REFUSED" && row.kind === "DELIVER") {
          await this.refusedByPeer(
            row.referral_id,
            row.peer_region_code,
            typeof receipt.reason === "string" ? receipt.reason.slice(0, 400) : "refused",
          );
        } else if (receipt?.status !== "ACCEPTED" && receipt?.status !== "DUPLICATE") {
          throw new Error(`region ${row.peer_region_code} answered ${JSON.stringify(receipt).slice(0, 200)}`);
        }
        // Done and delivered in one statement: a crash cannot leave one without the other.
        await this.#dataSource.query(
          `WITH done AS (UPDATE referrals.peer_outbox SET done_at = now(), attempts = attempts + 1 WHERE id = $1 RETURNING referral_id)
           UPDATE referrals.peer_link SET delivered_at = coalesce(delivered_at, now()) WHERE referral_id = (SELECT referral_id FROM done)`,
          [row.id],
        );
        done += 1;
      } catch (error) {
        const backoffMs = Math.min(1000 * 2 ** row.attempts, 300_000);
        await this.#dataSource.query(
          `UPDATE referrals.peer_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
          [row.id, (error as Error).message.slice(0, 500), backoffMs / 1000],
        );
      }
    }
    return done;
  }

  /** The peer refused the delivery for good: the referral is rejected here with its reason, the commitment given back. */
  private async refusedByPeer(referralId: string, regionCode: string, reason: string): Promise<void> {
    const scope = systemScope(this.hubRegionCode, this.clock.today());
    await this.step(
      scope,
      referralId,
      ReferralAction.REJECT,
      `Region ${regionCode}'s node refused the referral: ${reason}`,
      // The slot is the peer's, which refused it: nothing to release here (letGo); the agreement commitment is given back.
      (db, referral) => this.letGo(scope, db, referral, reason),
      {
        peer: {
          actor: { subject: `node:${regionCode}`, role: Role.PEER_REGION, organisation: `region ${regionCode}`, fromNode: regionCode },
          party: Party.RECEIVER,
        },
      },
    );
    await this.giveBackPending(referralId);
  }

  /** The peer node that called, as this node's directory names it; anything else is refused. */
  private callingPeer(scope: RequestScope): string {
    const { identity } = scope;
    const peer = identity.role === Role.PEER_REGION ? this.network?.directory.byIssuer(identity.issuer) : undefined;
    if (!peer?.enabled || peer.regionCode !== identity.regionCode)
      throw forbidden("Only a peer node in this node's directory, calling with its own node token, delivers referrals and steps.");
    return peer.regionCode;
  }

  /**
   * On the provider's node: a referral a peer's office sent to a provider here. Idempotent by the
   * referral id (a repeated delivery changes nothing and answers DUPLICATE); refused for good
   * (REFUSED, with the reason) when the provider or the slot it names is not here. The referral is
   * kept like a local one, sent to the provider, so the provider and this region's office hear of
   * it (`referralReceived`); the home region's patient identity and payment commitment are kept
   * with it, for the provider only.
   */
  async receiveFromPeer(scope: RequestScope, json: string): Promise<{ status: string; reason: string | null }> {
    const from = this.callingPeer(scope);
    const d = readPeerDelivery(json);
    if (d.homeRegionCode !== from) throw forbidden(`Region ${from}'s node sends only its own patients' referrals.`);
    const duplicate = async (db: EntityManager) => {
      if (!(await db.getRepository(Referral).existsBy({ id: d.referralId }))) return false;
      const link = await peerLink(db, d.referralId);
      if (link?.side !== "HOME" || link.peer_region_code !== from) throw forbidden("That referral is not one this peer delivered.");
      return true;
    };
    if (await duplicate(this.#dataSource.manager)) return { status: "DUPLICATE", reason: null };
    // Capacity is asked before the transaction, which holds no lock while another service answers.
    const unknown = await this.notHeldHere(scope, d);
    if (unknown) return { status: "REFUSED", reason: unknown };
    return this.#dataSource.transaction(async (db) => {
      // The same delivery posted twice at once: the referral's row is taken under a lock on its id.
      await db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`peer-delivery:${d.referralId}`]);
      if (await duplicate(db)) return { status: "DUPLICATE", reason: null };
      const referral = Object.assign(new Referral(), {
        id: d.referralId,
        patientId: d.patientId,
        homeRegionCode: d.homeRegionCode,
        homeMunicipalityCode: d.homeMunicipalityCode,
        specialty: d.specialty,
        procedureCode: d.procedureCode,
        visitType: d.visitType,
        decisionDate: d.decisionDate,
        diagnosisCode: d.diagnosisCode,
        careCategory: d.careCategory,
        origin: d.origin,
        selfReferralArrivalDate: d.selfReferralArrivalDate,
        status: ReferralStatus.SENT,
        registeredAt: new Date(),
        registeredBy: d.sentBy.subject,
        registeringUnitId: null,
        providerId: d.providerId,
        providerRegionCode: this.hubRegionCode,
        offerId: d.offerId,
        reservationId: d.reservationId,
        sentAt: new Date(),
        patientOfferDate: null,
        patientAnswerDue: null,
        bookedFor: null,
        revision: 1,
      });
      storeReading(referral, read(referral, [], await loadLimitRules(db), scope.today, this.marginDays));
      await db.insert(Referral, referral);
      await db.query(
        `INSERT INTO referrals.peer_link (referral_id, peer_region_code, side, patient, commitment, delivered_at) VALUES ($1, $2, 'HOME', $3, $4, now())`,
        [d.referralId, from, JSON.stringify(d.patient), JSON.stringify(d.commitment)],
      );
      await this.record(
        db,
        scope,
        referral,
        ReferralAction.SEND,
        ReferralStatus.REGISTERED,
        { ...d.sentBy, fromNode: from },
        null,
        { offerId: d.offerId, providerId: d.providerId, reservationId: d.reservationId, homeNode: from },
        "PEER_NODE",
      );
      return { status: "ACCEPTED", reason: null };
    });
  }

  /**
   * Why a delivered referral cannot be taken here for good, or null: the offer, its provider and the
   * slot the peer holds for the referral are asked of capacity as the peer (who sees its own region's reservations).
   */
  private async notHeldHere(scope: RequestScope, d: PeerDelivery): Promise<string | null> {
    const { capacityOffer } = await this.supergraph.request<{
      capacityOffer: { provider: { id: string }; reservations: Array<{ id: string; referenceId: string }> } | null;
    }>(scope, "query PeerReferralSlot($id: ID!) { capacityOffer(id: $id) { provider { id } reservations { id referenceId } } }", {
      id: d.offerId,
    });
    if (!capacityOffer) return `no offer ${d.offerId} on this node`;
    if (capacityOffer.provider.id !== d.providerId) return `offer ${d.offerId} is not provider ${d.providerId}'s`;
    if (!capacityOffer.reservations.some((r) => r.id === d.reservationId && r.referenceId === d.referralId))
      return "the slot held for this referral is no longer held";
    return null;
  }

  /**
   * On the home node: a step the provider took on its node. Applied in order and once: a step
   * already applied answers DUPLICATE, one that comes before its predecessor is refused (the peer
   * sends again, in order). A step for a referral this node did not send to that peer is refused.
   */
  async applyStepFromPeer(scope: RequestScope, json: string): Promise<{ status: string; reason: string | null }> {
    const from = this.callingPeer(scope);
    const s = readPeerStep(json);
    const link = await peerLink(this.#dataSource.manager, s.referralId);
    if (!link || link.peer_region_code !== from || !stepAllowedFrom(link, s.action))
      throw forbidden("Your node takes no part in such a referral here, or may not take that step.");
    if (s.sequence <= link.steps_applied) return { status: "DUPLICATE", reason: null };
    if (s.sequence > link.steps_applied + 1)
      throw conflict(`Step ${s.sequence} comes before step ${link.steps_applied + 1}; send the steps in order.`, {
        field: "step",
        rule: "OUT_OF_ORDER",
      });
    const reason = s.reason && s.reason.length >= 3 ? s.reason : null;
    const actor: Actor = { ...s.actor, fromNode: from };
    let duplicate = false;
    await this.step(
      scope,
      s.referralId,
      s.action as Exclude<ReferralAction, ReferralAction.REGISTER>,
      reason,
      async (db, referral) => {
        // Under the referral's lock: the number is read again, so two deliveries of one step apply it once.
        const now = await peerLink(db, s.referralId, true);
        if (now!.steps_applied >= s.sequence) {
          duplicate = true;
          throw new DuplicateStep();
        }
        await db.query(`UPDATE referrals.peer_link SET steps_applied = $2 WHERE referral_id = $1`, [s.referralId, s.sequence]);
        const details = { ...s.details, fromNode: from, sequence: s.sequence };
        // The dates the home keeps on the referral are checked like a local step's.
        for (const field of ["careDate", "answerDue"] as const) {
          const dated = s.action === ReferralAction.OFFER_TO_PATIENT || (s.action === ReferralAction.BOOK && field === "careDate");
          if (dated && !(typeof s.details[field] === "string" && isIsoDate(s.details[field] as string)))
            throw badUserInput("step", "PEER_FORMAT", `the step's details.${field} is not a date`);
        }
        if (s.action === ReferralAction.OFFER_TO_PATIENT) {
          referral.patientOfferDate = s.details.careDate as string;
          referral.patientAnswerDue = s.details.answerDue as string;
        }
        if (s.action === ReferralAction.PATIENT_ACCEPT || s.action === ReferralAction.PATIENT_DECLINE) referral.patientAnswerDue = null;
        if (s.action === ReferralAction.BOOK) {
          referral.bookedFor = s.details.careDate as string;
          return { details, happenedOn: s.happenedOn, clock: [{ kind: ClockEventKind.CARE_BOOKED, date: referral.bookedFor }] };
        }
        if (s.action === ReferralAction.PATIENT_DECLINE)
          return { details, happenedOn: s.happenedOn, clock: [{ kind: ClockEventKind.FORFEITED, date: s.happenedOn }] };
        if (s.action === ReferralAction.REJECT) {
          // The slot was the peer's (its node released it: letGo leaves it); the commitment here is given back.
          const effects = await this.letGo(scope, db, referral, reason ?? "rejected by the provider");
          return { ...effects, details: { ...effects.details, ...details }, happenedOn: s.happenedOn };
        }
        if (s.action === ReferralAction.CANCEL) {
          // The home cancelled: the slot here is released (this node holds it), the provider's access ends.
          const effects = await this.letGo(scope, db, referral, reason ?? "cancelled by the home region");
          return { ...effects, details: { ...effects.details, ...details }, happenedOn: s.happenedOn };
        }
        return { details, happenedOn: s.happenedOn };
      },
      { peer: { actor, party: s.action === ReferralAction.CANCEL ? Party.HOME_OFFICE : Party.RECEIVER } },
    ).catch((error) => {
      if (!(error instanceof DuplicateStep)) throw error;
    });
    if (s.action === ReferralAction.REJECT || s.action === ReferralAction.CANCEL) await this.giveBackPending(s.referralId);
    return { status: duplicate ? "DUPLICATE" : "ACCEPTED", reason: null };
  }

  /** Under an agreement, the case counts against its volume ceilings and keeps the version and price in force. */
  private async commitCase(
    scope: RequestScope,
    before: Referral,
    offer: NonNullable<OfferFacts["capacityOffer"]>,
  ): Promise<AgreementCommitmentAnswer | null> {
    const agreement = offer.coverage?.agreement;
    if (!agreement) return null;
    const { commitReferralToAgreement } = await this.supergraph.request<{ commitReferralToAgreement: AgreementCommitmentAnswer }>(
      scope,
      COMMIT,
      {
        input: {
          agreementId: agreement.id,
          referralId: before.id,
          specialty: before.specialty,
          procedureCode: before.procedureCode ?? offer.procedure?.code ?? null,
          careDate: offer.earliestStart,
          providingRegionCode: offer.provider.region.code,
        },
      },
    );
    return commitReferralToAgreement;
  }

  /**
   * Gives back what sends left half-way by a crash hold (the slot, the agreement commitment) and
   * returns each referral to where it was. Sends in flight since before `startedBefore` are taken to
   * be abandoned: no live send waits that long on the gateway. Run by the sweep.
   */
  async recoverAbandonedSends(startedBefore: Date): Promise<number> {
    const abandoned = await abandonedSends(this.#dataSource.manager, startedBefore);
    for (const { referralId, sending } of abandoned) {
      await this.giveBack(
        this.onBehalfOf(sending.requestedBy, sending.requestId),
        referralId,
        sending,
        `Sending the referral was interrupted (${sending.startedAt}); nothing was sent`,
      );
    }
    return abandoned.length;
  }

  /** The first, short transaction of a send: checks the step and records the send in flight; or the answer to a retry. */
  private beginSend(
    scope: RequestScope,
    id: string,
    plan: Pick<SendInFlight, "offerId" | "agreementId" | "peerRegionCode">,
    input: SendReferralInput,
    idempotencyKey: string | null | undefined,
  ): Promise<{ replayed: Referral } | { sending: SendInFlight }> {
    return this.#dataSource.transaction(async (db) => {
      const referral = await this.locked(db, id);
      const parties = await this.partiesOrNotFound(db, scope, referral);
      // The same idempotency input `step` keys the send by, so a retry of a finished send answers it.
      const earlier = await earlierResult({
        db,
        schema: SCHEMA,
        scope: referral.homeRegionCode,
        key: idempotencyKey,
        operation: ReferralAction.SEND,
        input: { id, reason: null, ...input },
      });
      if (earlier) return { replayed: referral };
      const [{ pending }] = await db.query(`SELECT count(*)::int AS pending FROM referrals.give_back WHERE referral_id = $1`, [id]);
      if (pending > 0)
        throw conflict("What the referral held before is still being given back; try again shortly.", {
          field: "referralId",
          rule: "GIVE_BACK_PENDING",
          status: referral.status,
        });
      const inFlight = await sendInFlight(db, id);
      if (inFlight)
        throw conflict(`The referral is being sent (since ${inFlight.startedAt}); wait for that answer.`, {
          field: "referralId",
          rule: "SEND_IN_FLIGHT",
          status: referral.status,
        });
      checkStep(referral.status, ReferralAction.SEND, parties, null);
      const sending: SendInFlight = {
        attempt: randomUUID(),
        ...plan,
        reservationId: null,
        startedAt: new Date().toISOString(),
        requestedBy: scope.identity,
        requestId: scope.requestId,
      };
      await recordSendInFlight(db, id, sending);
      return { sending };
    });
  }

  /**
   * Undoes a send that was not recorded: releases the agreement commitment and the slot (both
   * answer "nothing standing" when there is nothing to give back), then ends the record of the
   * send in flight. A send recorded after all (its transaction committed, the answer lost) is left
   * as it is. When the gateway cannot be reached, the record stays and the sweep tries again.
   */
  private async giveBack(scope: RequestScope, referralId: string, sending: SendInFlight, why: string): Promise<void> {
    try {
      const now = await this.#dataSource.getRepository(Referral).findOneBy({ id: referralId });
      if (sending.reservationId && now?.reservationId === sending.reservationId) return;
      const peer = sending.peerRegionCode;
      // Across nodes no care relation was recorded here, and the slot is the peer's to release.
      if (!peer) await this.supergraph.request(scope, END_CARE_RELATION, { referralId });
      if (sending.agreementId) await this.uncommit(scope, referralId, why);
      const reservationId = sending.reservationId ?? (await this.heldUnder(scope, referralId, sending));
      if (reservationId && peer) await this.callPeer(peer, RELEASE, { reservationId, reason: why }, scope.requestId);
      else if (reservationId) await this.release(scope, reservationId, why);
      await clearSendInFlight(this.#dataSource.manager, referralId, sending.attempt);
    } catch (error) {
      this.log.error(`could not give back the send of referral ${referralId} (the sweep tries again): ${(error as Error).message}`);
    }
  }

  /**
   * The slot an attempt holds when it crashed before noting capacity's answer: asking again with the
   * attempt's key answers the same reservation. A refusal (no slot free, offer closed) means the
   * attempt holds none; only an unreachable capacity is an error (try again later).
   */
  private async heldUnder(scope: RequestScope, referralId: string, sending: SendInFlight): Promise<string | null> {
    if (sending.peerRegionCode) {
      try {
        return await this.reserveOnPeer(
          sending.peerRegionCode,
          referralId,
          sending.offerId,
          reservationKey(referralId, sending.attempt),
          scope.requestId,
        );
      } catch (error) {
        // The peer's refusal means the attempt holds nothing there; a peer that does not answer is asked again later.
        if (error instanceof PeerFailure && error.status === PeerStatus.INVALID_ANSWER) return null;
        throw error;
      }
    }
    try {
      const { reserveCapacity } = await this.supergraph.request<{ reserveCapacity: { id: string } }>(scope, RESERVE, {
        offerId: sending.offerId,
        referenceId: referralId,
        key: reservationKey(referralId, sending.attempt),
      });
      return reserveCapacity.id;
    } catch (error) {
      if ((error as { extensions?: { code?: string } }).extensions?.code === "SUBGRAPH_UNAVAILABLE") throw error;
      return null;
    }
  }

  receive(scope: RequestScope, id: string): Promise<Referral> {
    return this.step(scope, id, ReferralAction.RECEIVE, null);
  }

  accept(scope: RequestScope, id: string): Promise<Referral> {
    return this.step(scope, id, ReferralAction.ACCEPT, null);
  }

  reject(scope: RequestScope, id: string, reason: string): Promise<Referral> {
    return this.lettingGo(scope, id, ReferralAction.REJECT, reason);
  }

  cancel(scope: RequestScope, id: string, reason: string): Promise<Referral> {
    return this.lettingGo(scope, id, ReferralAction.CANCEL, reason);
  }

  /** The offer was sent (through 1177, by letter) on `offeredOn`, today when omitted; the 7 days to answer count from it. */
  offerToPatient(scope: RequestScope, id: string, careDate: string, offeredOn?: string | null): Promise<Referral> {
    requireDate("careDate", careDate);
    const on = happenedOn(scope, "offeredOn", offeredOn);
    if (careDate < scope.today) throw badUserInput("careDate", "DATE_IN_PAST", "the offered date of care cannot be in the past");
    return this.step(scope, id, ReferralAction.OFFER_TO_PATIENT, null, async (_db, referral, previous) => {
      notBefore("offeredOn", on, previous[0], "the offer");
      referral.patientOfferDate = careDate;
      referral.patientAnswerDue = addDays(on, OFFER_ANSWER_DAYS);
      return { details: { careDate, answerDue: referral.patientAnswerDue }, happenedOn: on };
    });
  }

  /**
   * The patient's answer, given on `answeredOn` (today when omitted): not before the offer, not
   * after its 7 days. A decline forfeits the guarantee from the day it was given. An answer given
   * in time but recorded after the sweep expired the offer still counts (see StepOptions).
   */
  patientAnswer(scope: RequestScope, id: string, accepted: boolean, reason: string | null, answeredOn?: string | null): Promise<Referral> {
    const on = happenedOn(scope, "answeredOn", answeredOn);
    const answered = (referral: Referral, previous: Previous) => {
      const offer = previous.find((t) => t.action === ReferralAction.OFFER_TO_PATIENT);
      notBefore("answeredOn", on, offer, "the answer");
      const due = offer?.details.answerDue as string | undefined;
      if (due && on > due)
        throw badUserInput(
          "answeredOn",
          "AFTER_ANSWER_DUE",
          `the offer had to be answered by ${due}; it has expired and the provider may offer again`,
        );
      referral.patientAnswerDue = null;
      const corrects = previous[0]?.action === ReferralAction.OFFER_EXPIRE ? { correctsExpiryOf: previous[0].id } : {};
      return { careDate: referral.patientOfferDate, ...corrects };
    };
    if (accepted) {
      return this.step(
        scope,
        id,
        ReferralAction.PATIENT_ACCEPT,
        reason,
        async (_db, referral, previous) => ({ details: answered(referral, previous), happenedOn: on }),
        { answeredOn: on },
      );
    }
    return this.step(
      scope,
      id,
      ReferralAction.PATIENT_DECLINE,
      reason,
      async (_db, referral, previous) =>
        // Declining care elsewhere and choosing to wait forfeits the guarantee (documented here), from the day of the answer.
        ({ details: answered(referral, previous), clock: [{ kind: ClockEventKind.FORFEITED, date: on }], happenedOn: on }),
      { answeredOn: on },
    );
  }

  regret(scope: RequestScope, id: string, contactDate: string, reason: string): Promise<Referral> {
    requireDate("contactDate", contactDate);
    return this.step(scope, id, ReferralAction.PATIENT_REGRET, reason, async (_db, referral) => {
      referral.patientOfferDate = null;
      // A new clock from the day the patient got in touch again; no credit for time waited.
      // Not in the future, not before the decline: the clock's own rules (checked when it is registered).
      return { details: { contactDate }, clock: [{ kind: ClockEventKind.RESTARTED, date: contactDate }], happenedOn: contactDate };
    });
  }

  book(scope: RequestScope, id: string, careDate: string): Promise<Referral> {
    requireDate("careDate", careDate);
    if (careDate < scope.today) throw badUserInput("careDate", "DATE_IN_PAST", "care cannot be booked in the past");
    return this.step(scope, id, ReferralAction.BOOK, null, async (_db, referral) => {
      referral.bookedFor = careDate;
      return { details: { careDate }, clock: [{ kind: ClockEventKind.CARE_BOOKED, date: careDate }] };
    });
  }

  /** Care was given on `completedOn` (today when omitted), not before the booking was recorded. */
  complete(scope: RequestScope, id: string, completedOn?: string | null): Promise<Referral> {
    const on = happenedOn(scope, "completedOn", completedOn);
    return this.step(scope, id, ReferralAction.COMPLETE, null, async (_db, _referral, previous) => {
      notBefore("completedOn", on, previous[0], "care");
      return { happenedOn: on };
    });
  }

  /** Registers a pause (medically caused or patient-chosen wait) or its end. */
  async registerClockEvent(scope: RequestScope, id: string, kind: ClockEventKind, date: string, reason: string | null): Promise<Referral> {
    const pauses = [
      ClockEventKind.MEDICAL_PAUSE_STARTED,
      ClockEventKind.MEDICAL_PAUSE_ENDED,
      ClockEventKind.PATIENT_CHOSEN_WAIT_STARTED,
      ClockEventKind.PATIENT_CHOSEN_WAIT_ENDED,
    ];
    if (!pauses.includes(kind))
      throw badUserInput(
        "kind",
        "NOT_A_PAUSE",
        "register pauses and their ends here; forfeits, restarts and bookings follow from the referral's steps",
      );
    requireDate("date", date);
    const why = kind.endsWith("_STARTED") ? requireText("reason", reason ?? "", 3, 500) : reason?.trim() || null;
    return this.#dataSource.transaction(async (db) => {
      const referral = await this.locked(db, id);
      const parties = partiesOf(scope.identity, referral);
      if (parties.length === 0) throw notFound("referralId", `no referral ${id}`);
      if (!WAITING.has(referral.status))
        throw conflict(`The referral is ${referral.status}; the clock only pauses while the patient waits.`, {
          field: "referralId",
          rule: "NOT_WAITING",
          status: referral.status,
        });
      await this.advanceClock(db, scope, referral, [{ kind, date }], actorOf(scope.identity), why, "date", "kind");
      referral.revision += 1;
      await db.save(Referral, referral);
      await this.announce(db, referral, `CLOCK_${kind}`, actorOf(scope.identity), why);
      await audit(db, SCHEMA, scope, [
        {
          action: "CHANGE",
          recordKind: "REFERRAL",
          recordId: referral.id,
          patientId: referral.patientId,
          outcome: "ALLOWED",
          basis: basisOf(parties),
        },
      ]);
      return referral;
    });
  }

  /** Offers the patient did not answer in time expire; the receiver may offer again. */
  async expireUnansweredOffers(today: string): Promise<number> {
    const due = await this.#dataSource
      .getRepository(Referral)
      .find({ where: { status: ReferralStatus.OFFERED_TO_PATIENT, patientAnswerDue: LessThan(today) }, select: { id: true } });
    for (const { id } of due) {
      await this.step(
        systemScope(this.hubRegionCode, today),
        id,
        ReferralAction.OFFER_EXPIRE,
        `Not answered within ${OFFER_ANSWER_DAYS} days`,
        async (_db, referral) => {
          // It expired the day after its last day to answer, whenever the sweep notices.
          const expired = referral.patientAnswerDue ? addDays(referral.patientAnswerDue, 1) : today;
          referral.patientAnswerDue = null;
          return { happenedOn: expired };
        },
        { system: true },
      ).catch((error: Error) => this.log.warn(`expiring the offer of referral ${id}: ${error.message}`));
    }
    return due.length;
  }

  /**
   * Re-reads the clocks of waiting referrals (a day passing can make one at risk or breached) and
   * announces each change of status, so the office hears of it without asking.
   */
  async refreshClocks(today: string, batch = 1000): Promise<number> {
    let changed = 0;
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const count = await this.#dataSource.transaction(async (db) => {
        const page = await db
          .getRepository(Referral)
          .createQueryBuilder("r")
          .where("r.status IN (:...waiting)", { waiting: [...WAITING] })
          .andWhere("r.id > :after", { after })
          .orderBy("r.id")
          .limit(batch)
          .setLock("pessimistic_write")
          .setOnLocked("skip_locked")
          .getMany();
        if (page.length === 0) return -1;
        after = page[page.length - 1].id;
        const before = new Map(page.map((r) => [r.id, r.guaranteeStatus]));
        const updated = await refreshStoredReadings(db, page, today, this.marginDays);
        // One statement for the page's changed readings: at national scale a day moves thousands of clocks.
        if (updated.length > 0) {
          await db.query(
            `UPDATE referrals.referral r SET guarantee_status = u.status, guarantee_deadline = u.deadline::date, revision = r.revision + 1
               FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, status, deadline) WHERE r.id = u.id`,
            [updated.map((r) => r.id), updated.map((r) => r.guaranteeStatus), updated.map((r) => r.guaranteeDeadline)],
          );
        }
        for (const referral of updated) {
          referral.revision += 1;
          if (before.get(referral.id) !== null && before.get(referral.id) !== referral.guaranteeStatus) {
            await this.announce(db, referral, `GUARANTEE_${referral.guaranteeStatus}`, HUB, `Care-guarantee clock read on ${today}`);
          }
        }
        return updated.length;
      });
      if (count < 0) return changed;
      changed += count;
    }
  }

  /** The referral as the caller may see it, or "not found". */
  private async visible(scope: RequestScope, id: string): Promise<Referral> {
    requireUuid("referralId", id, "a referral");
    const referral = await this.#dataSource.getRepository(Referral).findOneBy({ id });
    if (!referral || partiesOf(scope.identity, referral).length === 0) throw notFound("referralId", `no referral ${id}`);
    return referral;
  }

  private async locked(db: EntityManager, id: string): Promise<Referral> {
    requireUuid("referralId", id, "a referral");
    const referral = await db.getRepository(Referral).findOne({ where: { id }, lock: { mode: "pessimistic_write" } });
    if (!referral) throw notFound("referralId", `no referral ${id}`);
    return referral;
  }

  /** Who the caller is to the referral; a caller who is nobody to it is audited and told "not found". */
  private async partiesOrNotFound(db: EntityManager, scope: RequestScope, referral: Referral): Promise<Party[]> {
    const parties = partiesOf(scope.identity, referral);
    if (parties.length > 0) return parties;
    await audit(db, SCHEMA, scope, [
      {
        action: "CHANGE",
        recordKind: "REFERRAL",
        recordId: referral.id,
        patientId: referral.patientId,
        outcome: "DENIED",
        basis: "NO_CARE_RELATION",
      },
    ]);
    throw notFound("referralId", `no referral ${referral.id}`);
  }

  private async step(
    scope: RequestScope,
    id: string,
    action: Exclude<ReferralAction, ReferralAction.REGISTER>,
    reason: string | null,
    apply?: (db: EntityManager, referral: Referral, previous: Previous) => Promise<StepEffects | undefined>,
    options: StepOptions = {},
  ): Promise<Referral> {
    const why = reason?.trim() ? requireText("reason", reason, 3, 500) : null;
    const taken = this.#dataSource.transaction(async (db) => {
      const referral = await this.locked(db, id);
      const parties = options.system
        ? [Party.SYSTEM]
        : options.peer
          ? [options.peer.party]
          : await this.partiesOrNotFound(db, scope, referral);
      const run = async () => {
        const previous = await db
          .getRepository(ReferralTransition)
          .find({ where: { referralId: referral.id }, order: { id: "DESC" }, take: 2 });
        const correcting = answersExpiredOffer(referral.status, previous, options.answeredOn);
        // An answer given in time to an offer the sweep has since expired answers that offer.
        const to = checkStep(correcting ? ReferralStatus.OFFERED_TO_PATIENT : referral.status, action, parties, why, referral.status);
        const from = referral.status;
        const effects = (await apply?.(db, referral, previous)) ?? {};
        referral.status = to;
        const actor = options.system ? HUB : (options.peer?.actor ?? actorOf(scope.identity));
        const dateField =
          action === ReferralAction.PATIENT_REGRET
            ? "contactDate"
            : action === ReferralAction.PATIENT_DECLINE
              ? "answeredOn"
              : "referralId";
        await this.advanceClock(db, scope, referral, effects.clock ?? [], actor, why, dateField, dateField);
        referral.revision += 1;
        await db.save(Referral, referral);
        if (correcting) {
          // The expiry stays in the history as it was announced; this new event says it no longer stands.
          await this.announce(
            db,
            referral,
            "OFFER_EXPIRY_CORRECTED",
            actor,
            `The patient answered on ${options.answeredOn}, within the ${OFFER_ANSWER_DAYS} days; recorded ${scope.today}`,
          );
        }
        await this.record(
          db,
          scope,
          referral,
          action,
          from,
          actor,
          why,
          effects.details ?? {},
          options.system ? "HUB" : options.peer ? "PEER_NODE" : basisOf(parties),
          effects.happenedOn ?? scope.today,
        );
        return { answer: referral, stored: referral.id };
      };
      if (!options.idempotencyKey) return (await run()).answer;
      return idempotent({
        db,
        schema: SCHEMA,
        scope: referral.homeRegionCode,
        key: options.idempotencyKey,
        operation: action,
        input: { id, reason: why, ...options.input },
        run,
        replay: async () => referral,
      });
    });
    // A step on a referral another node's office sent here is told to that node at once, once it committed.
    return taken.then((referral) => {
      if (referral.homeRegionCode !== this.hubRegionCode || action === ReferralAction.CANCEL) this.deliverSoon();
      return referral;
    });
  }

  /** Keeps the transition, audits the change, and announces it. */
  private async record(
    db: EntityManager,
    scope: RequestScope,
    referral: Referral,
    action: ReferralAction,
    from: ReferralStatus | null,
    actor: Actor,
    reason: string | null,
    details: Record<string, unknown>,
    basis: string,
    happenedOn: string = scope.today,
  ): Promise<void> {
    await db.insert(ReferralTransition, {
      referralId: referral.id,
      action,
      fromStatus: from,
      toStatus: referral.status,
      actorSubject: actor.subject,
      actorRole: actor.role,
      actorOrganisation: actor.organisation,
      reason,
      details: details as never,
      happenedOn,
      occurredAt: new Date(),
    });
    // A referral another node takes part in: the provider's step goes back to the home node, the home's cancellation to the provider's node.
    if (this.network && !actor.fromNode)
      await queueStepForPeer(db, { referralId: referral.id, action, reason, details, happenedOn, actor });
    if (actor !== HUB) {
      await audit(db, SCHEMA, scope, [
        { action: "CHANGE", recordKind: "REFERRAL", recordId: referral.id, patientId: referral.patientId, outcome: "ALLOWED", basis },
      ]);
    }
    await this.announce(db, referral, action, actor, reason);
  }

  private async announce(db: EntityManager, referral: Referral, action: string, actor: Actor, reason: string | null): Promise<void> {
    // A step a peer's provider took is recorded as having happened on that node (event.originRegionCode).
    await appendEvent(db, SCHEMA, referralEvent(action, referral, actor.fromNode ?? this.hubRegionCode, actor, reason));
  }

  /**
   * Registers clock facts (each checked against the clock's rules; a booking is a date of care,
   * not a registration, so it is not) and stores the clock's new reading on the referral.
   */
  private async advanceClock(
    db: EntityManager,
    scope: RequestScope,
    referral: Referral,
    facts: ReadonlyArray<{ kind: ClockEventKind; date: string }>,
    actor: Actor,
    reason: string | null,
    dateField: string,
    stateField: string,
  ): Promise<void> {
    const events = (await loadClockEvents(db, [referral.id])).get(referral.id)!;
    const rules = await loadLimitRules(db);
    for (const fact of facts) {
      const problem =
        fact.kind === ClockEventKind.CARE_BOOKED
          ? null
          : clockEventRule(read(referral, events, rules, scope.today, this.marginDays), events, fact, scope.today);
      if (problem) throw badUserInput(problem.rule === "CLOCK_RULE" ? stateField : dateField, problem.rule, problem.message);
      events.push(fact);
    }
    await this.saveClockEvents(db, referral.id, facts, actor, reason);
    const before = referral.guaranteeStatus;
    storeReading(referral, read(referral, events, rules, scope.today, this.marginDays));
    // A fact recorded after the fact re-reads the clock from its real date. When that changes what
    // was stored (and perhaps announced by the sweep: AT_RISK, BREACHED), a new event says so.
    const late = facts.filter((f) => f.kind !== ClockEventKind.CARE_BOOKED && f.date < scope.today);
    if (late.length > 0 && before !== null && before !== referral.guaranteeStatus) {
      const what = late.map((f) => `${f.kind} dated ${f.date}`).join(", ");
      await this.announce(
        db,
        referral,
        `GUARANTEE_${referral.guaranteeStatus}`,
        actor,
        `Clock re-read from ${what}, recorded ${scope.today}; it was ${before}`,
      );
    }
  }

  private async saveClockEvents(
    db: EntityManager,
    referralId: string,
    events: ReadonlyArray<{ kind: ClockEventKind; date: string }>,
    actor: Actor,
    reason: string | null,
  ): Promise<void> {
    if (events.length === 0) return;
    await db.insert(
      GuaranteeEvent,
      events.map((e) => ({
        referralId,
        kind: e.kind,
        effectiveDate: e.date,
        actorSubject: actor.subject,
        actorRole: actor.role,
        actorOrganisation: actor.organisation,
        reason,
        occurredAt: new Date(),
      })),
    );
  }

  /**
   * The receiver no longer holds the referral: the payment commitment is revoked with the step, and
   * what to give back at patients, capacity and agreements (the provider's care relation, the slot,
   * the case under the agreement) is recorded with it, to be given back once the step committed (`giveBackPending`).
   */
  private async letGo(scope: RequestScope, db: EntityManager, referral: Referral, reason: string): Promise<StepEffects> {
    // A slot held on a peer's node is that node's to release (told by the outbox, or released by its own rejection);
    // across nodes no care relation was recorded at the patients subgraph (the home's patient is not on the provider's node).
    const link = await peerLink(db, referral.id);
    const released = link?.side === "PROVIDER" ? null : referral.reservationId;
    referral.reservationId = null;
    const standing = await db.getRepository(PaymentCommitment).findOneBy({ referralId: referral.id, revokedAt: IsNull() });
    const uncommit = Boolean(standing?.agreementCommitmentId);
    const endCareRelation = WITH_RECEIVER.has(referral.status) && !link;
    if (released || uncommit || endCareRelation) {
      await db.query(
        `INSERT INTO referrals.give_back (referral_id, reservation_id, uncommit, end_care_relation, reason, requested_by, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [referral.id, released, uncommit, endCareRelation, reason, JSON.stringify(scope.identity), scope.requestId],
      );
    }
    await db.query(
      `UPDATE referrals.payment_commitment SET revoked_at = now(), revocation_reason = $2 WHERE referral_id = $1 AND revoked_at IS NULL`,
      [referral.id, reason],
    );
    return { details: { releasedReservationId: released } };
  }

  /** A step that lets the referral go, then gives back what it held. */
  private async lettingGo(
    scope: RequestScope,
    id: string,
    action: ReferralAction.REJECT | ReferralAction.CANCEL,
    reason: string,
  ): Promise<Referral> {
    const referral = await this.step(scope, id, action, reason, (db, r) => this.letGo(scope, db, r, reason));
    await this.giveBackPending(id);
    return referral;
  }

  /**
   * Gives back the slots and agreement commitments that rejected and cancelled referrals no longer
   * need (of one referral, or all): after their step committed, without a transaction open while
   * capacity and agreements answer. What cannot be given back now stays recorded for the sweep.
   */
  async giveBackPending(referralId?: string): Promise<number> {
    const pending: Array<{
      id: string;
      referral_id: string;
      reservation_id: string | null;
      uncommit: boolean;
      end_care_relation: boolean;
      reason: string;
      requested_by: Identity;
      request_id: string;
    }> = await this.#dataSource.query(`SELECT * FROM referrals.give_back WHERE $1::uuid IS NULL OR referral_id = $1 ORDER BY id`, [
      referralId ?? null,
    ]);
    let given = 0;
    for (const row of pending) {
      const scope = this.onBehalfOf(row.requested_by, row.request_id);
      try {
        // The provider's access to the patient ends first.
        if (row.end_care_relation) await this.supergraph.request(scope, END_CARE_RELATION, { referralId: row.referral_id });
        if (row.uncommit) await this.uncommit(scope, row.referral_id, row.reason);
        if (row.reservation_id) await this.release(scope, row.reservation_id, row.reason);
        await this.#dataSource.query(`DELETE FROM referrals.give_back WHERE id = $1`, [row.id]);
        given += 1;
      } catch (error) {
        this.log.warn(`giving back the slot of referral ${row.referral_id} failed (tried again later): ${(error as Error).message}`);
      }
    }
    return given;
  }

  /** A caller's scope for finishing, later, what the caller started: the hub acts in its name, as the step did. */
  private onBehalfOf(identity: Identity, requestId: string): RequestScope {
    return { requestId, today: stockholmDate(), identity: { ...identity, expiresAt: Math.floor(Date.now() / 1000) + 300 } };
  }

  private async uncommit(scope: RequestScope, referralId: string, reason: string): Promise<void> {
    try {
      await this.supergraph.request(scope, UNCOMMIT, { referralId, reason });
    } catch (error) {
      // Nothing standing (released before): the ceiling no longer counts the case, which is what this step needs.
      if ((error as { extensions?: { code?: string } }).extensions?.code !== "CONFLICT") throw error;
    }
  }

  private async release(scope: RequestScope, reservationId: string, reason: string): Promise<void> {
    try {
      await this.supergraph.request(scope, RELEASE, { reservationId, reason });
    } catch (error) {
      // Released before (e.g. by the provider): the slot is free, which is what this step needs.
      if ((error as { extensions?: { rule?: string } }).extensions?.rule !== "ALREADY_RELEASED") throw error;
    }
  }
}

/** The day a step happened outside the hub: given, or today; never in the future. */
function happenedOn(scope: RequestScope, field: string, value: string | null | undefined): string {
  if (value == null) return scope.today;
  requireDate(field, value);
  if (value > scope.today)
    throw badUserInput(field, "DATE_IN_FUTURE", `${value} is after today (${scope.today}); record what has happened`);
  return value;
}

/** The state a step leads to, or the error that refuses it (`status` is the one the caller sees). */
function checkStep(
  from: ReferralStatus,
  action: Exclude<ReferralAction, ReferralAction.REGISTER>,
  parties: readonly Party[],
  why: string | null,
  status: ReferralStatus = from,
): ReferralStatus {
  const check = checkTransition(from, action, parties, why);
  if (check.ok) return check.to;
  if (check.code === "FORBIDDEN") throw forbidden(`${check.message}.`);
  if (check.code === "REASON_REQUIRED") throw badUserInput("reason", "REQUIRED", check.message);
  throw conflict(`${check.message.charAt(0).toUpperCase()}${check.message.slice(1)}.`, {
    field: "referralId",
    rule: "ILLEGAL_TRANSITION",
    status,
  });
}

/** A step cannot have happened before the step it answers. */
function notBefore(field: string, on: string, previous: ReferralTransition | undefined, what: string): void {
  const problem = beforePreviousStep(on, previous);
  if (problem) throw badUserInput(field, "BEFORE_PREVIOUS_STEP", `${what} cannot be dated ${on}: ${problem}`);
}

function basisOf(parties: readonly Party[]): string {
  if (parties.includes(Party.HOME_OFFICE)) return "HOME_REGION_OFFICE";
  if (parties.includes(Party.HOME_CLINIC)) return "HOME_REGION_CLINIC";
  return "REFERRAL_SENT_TO_PROVIDER";
}

function systemScope(hubRegionCode: string, today: string): RequestScope {
  return {
    requestId: randomUUID(),
    today,
    identity: systemIdentity("hub", Role.ADMINISTRATOR, hubRegionCode),
  };
}

/**
 * The last transaction of a send, after the calls: the send must still be this one (not one the
 * sweep gave up); the referral is recorded as sent to the offer and the payment commitment kept.
 */
async function recordSent(
  db: EntityManager,
  scope: RequestScope,
  referral: Referral,
  sending: SendInFlight,
  offer: NonNullable<OfferFacts["capacityOffer"]>,
  reservationId: string,
  agreementCommitment: AgreementCommitmentAnswer | null,
  input: SendReferralInput,
  careSetting: CareSetting,
): Promise<PaymentCommitment> {
  if (!(await clearSendInFlight(db, referral.id, sending.attempt))) {
    throw conflict("The send took too long and was given up; nothing was sent. Send again.", {
      field: "referralId",
      rule: "SEND_GIVEN_UP",
      status: referral.status,
    });
  }
  Object.assign(referral, {
    providerId: offer.provider.id,
    providerRegionCode: offer.provider.region.code,
    offerId: offer.id,
    reservationId,
    sentAt: new Date(),
  });
  const commitment = paymentCommitment(scope, referral, offer, offer.coverage!, agreementCommitment, input, careSetting);
  await db.insert(PaymentCommitment, commitment);
  return commitment;
}

/** What the SEND step keeps in its details: the offer, the slot, the commitment and its terms. */
function sentDetails(offer: NonNullable<OfferFacts["capacityOffer"]>, reservationId: string, commitment: PaymentCommitment) {
  return {
    offerId: offer.id,
    providerId: offer.provider.id,
    reservationId,
    paymentCommitmentId: commitment.id,
    coverage: offer.coverage?.status,
    agreementId: commitment.agreementId,
    agreementVersion: commitment.agreementVersion,
    pricePerCaseSek: commitment.pricePerCaseSek,
  };
}

/** The payment commitment a send records: the agreement and price that apply, in the national e-referral contract's shape. */
function paymentCommitment(
  scope: RequestScope,
  referral: Referral,
  offer: NonNullable<OfferFacts["capacityOffer"]>,
  coverage: NonNullable<NonNullable<OfferFacts["capacityOffer"]>["coverage"]>,
  agreementCommitment: AgreementCommitmentAnswer | null,
  input: SendReferralInput,
  careSetting: CareSetting,
): PaymentCommitment {
  return Object.assign(new PaymentCommitment(), {
    id: randomUUID(),
    referralId: referral.id,
    offerId: offer.id,
    providerId: offer.provider.id,
    payingRegionCode: referral.homeRegionCode,
    agreementId: coverage.agreement?.id ?? null,
    agreementKind: coverage.agreement?.kind ?? null,
    agreementName: coverage.agreement?.name ?? null,
    agreementCommitmentId: agreementCommitment?.id ?? null,
    agreementVersion: agreementCommitment?.version.version ?? null,
    // The invoicing contract's code (0 = a private agreement, invoiced by the provider directly: none).
    agreementTypeCode: coverage.agreement?.invoicingAgreementType ? String(coverage.agreement.invoicingAgreementType) : null,
    riksavtalChapter: coverage.agreement?.kind === "RIKSAVTALET" ? "2" : null,
    outpatientOnly: input.outpatientOnly ?? false,
    careSetting,
    requiredByRules: coverage.paymentCommitmentRequired ?? false,
    decidedBy: coverage.decidedBy,
    rulesApplied: coverage.rules.map((r) => `${r.code}: ${r.explanation}`),
    procedureCode: referral.procedureCode ?? offer.procedure?.code ?? null,
    diagnosisCode: referral.diagnosisCode,
    pricePerCaseSek: agreementCommitment ? agreementCommitment.priceSek : coverage.pricePerCaseSek,
    validFrom: scope.today,
    validUntil: input.commitmentValidUntil ?? addDays(scope.today, COMMITMENT_DAYS),
    approvedBy: scope.identity.subject,
    approverHsaId: scope.identity.employeeHsaId,
    approverName: scope.identity.employeeName ?? null,
    // A private provider invoices the home region directly at its agreement's price: per case
    // when the agreement lists one for the care, otherwise from the agreement's price list.
    reimbursementType:
      offer.provider.kind === "PRIVATE"
        ? (agreementCommitment ? agreementCommitment.priceSek : coverage.pricePerCaseSek) != null
          ? "PER_CASE_PRICE"
          : "AGREEMENT_PRICE_LIST"
        : null,
    issuedAt: new Date(),
    revokedAt: null,
    revocationReason: null,
  });
}

/** Thrown inside a peer step's transaction when the step was applied meanwhile: nothing is written. */
class DuplicateStep extends Error {}
