import { DataSource, In } from "typeorm";
import { audit, AuditEntry } from "../../shared/audit";
import { BaseRequestContext } from "../../shared/context";
import { forbidden } from "../../shared/errors";
import { assignmentRefusal, patientDataAccess, Role } from "../../shared/identity";
import { referralAccess } from "./referral-access";
import { ReferralStatus } from "../domain/referral-lifecycle";
import { Page, TotalCount } from "../../shared/pagination";
import { GuaranteeEvent, PaymentCommitment, Referral, ReferralTransition } from "../entities/referral.entity";
import { ClockEvent } from "../domain/guarantee-clock";
import { loadClockEvents } from "./guarantee-clock-store";
import { Delivery } from "./referral-events";
import { rowsByColumn } from "../../shared/loaders";
import { DeadlinePosition, ReferralFilter, ReferralPosition, ReferralScope, ReferralSearch } from "./referral-search";

/**
 * The only way the referrals subgraph reads referrals (patient data: who is referred, for what,
 * with which diagnosis): a request's data-access object, bound to its caller, holding the only
 * handle on the database a request gets (private: resolvers see no data source and no
 * repository). Lists hold only what the caller may see; a referral asked for by id that the caller
 * may not see is "not found". Every referral disclosed, and every one refused by id, gets an audit
 * record first.
 *
 * Redaction is by construction: the referrals this object hands out are either shown (remembered
 * here, by object) or a redacted copy that never held the patient or the diagnosis; what hangs off
 * a referral (history, clock facts, payment commitments) is loaded only for shown ones, so a field
 * added later cannot leak what was never loaded.
 */
export class ReferralRecords {
  readonly #db: DataSource;
  readonly #search: ReferralSearch;
  /** The referral objects this request may show in full. */
  readonly #shown = new WeakSet<Referral>();

  constructor(
    dataSource: DataSource,
    private readonly ctx: BaseRequestContext,
  ) {
    this.#db = dataSource;
    this.#search = new ReferralSearch(dataSource);
  }

  /** The clock facts of each referral, in key order; null for one not shown (its clock is not the caller's to read). */
  clockEventsOf(referrals: readonly Referral[]): Promise<Array<ClockEvent[] | null>> {
    return this.#ofShown(referrals, (ids) => loadClockEvents(this.#db, ids), null);
  }

  /** Each referral's steps, oldest first; none for one not shown. */
  transitionsOf(referrals: readonly Referral[]): Promise<ReferralTransition[][]> {
    return this.#ofShown(
      referrals,
      (ids) => rowsByColumn(this.#db.getRepository(ReferralTransition), "referralId", ids, { id: "ASC" }),
      [],
    );
  }

  /** Each referral's registered clock facts, oldest first; none for one not shown. */
  guaranteeEventsOf(referrals: readonly Referral[]): Promise<GuaranteeEvent[][]> {
    return this.#ofShown(referrals, (ids) => rowsByColumn(this.#db.getRepository(GuaranteeEvent), "referralId", ids, { id: "ASC" }), []);
  }

  /** Each referral's payment commitments, in the order issued; none for one not shown. */
  paymentCommitmentsOf(referrals: readonly Referral[]): Promise<PaymentCommitment[][]> {
    return this.#ofShown(
      referrals,
      (ids) => rowsByColumn(this.#db.getRepository(PaymentCommitment), "referralId", ids, { issuedAt: "ASC" }),
      [],
    );
  }

  /**
   * For a referral another region's node sent here: the home region's patient identity it was
   * delivered with (this node has it nowhere else). Only for the provider it was sent to, while it
   * holds it (the receiver's basis); null for anyone else and for referrals homed here. Every read
   * is audited here, as a read of the patient.
   */
  async homePatientsOf(referrals: readonly Referral[]): Promise<Array<HomePatient | null>> {
    const receiving = referrals.filter(
      (r) => this.#shown.has(r) && referralAccess(this.ctx.identity, r).basis === "REFERRAL_SENT_TO_PROVIDER",
    );
    const ids = [...new Set(receiving.map((r) => r.id))];
    const rows: Array<{ referral_id: string; peer_region_code: string; patient: Omit<HomePatient, "homeNode"> }> =
      ids.length > 0
        ? await this.#db.query(
            `SELECT referral_id, peer_region_code, patient FROM referrals.peer_link WHERE referral_id = ANY($1) AND side = 'HOME' AND patient IS NOT NULL`,
            [ids],
          )
        : [];
    const found = new Map(rows.map((row) => [row.referral_id, { ...row.patient, homeNode: row.peer_region_code }]));
    const read = receiving.filter((r) => found.has(r.id));
    if (read.length > 0) {
      await audit(
        this.#db,
        "referrals",
        this.ctx,
        read.map((r) => ({
          action: "READ" as const,
          recordKind: "PEER_PATIENT",
          recordId: r.id,
          patientId: r.patientId,
          outcome: "ALLOWED" as const,
          basis: "REFERRAL_SENT_TO_PROVIDER",
        })),
      );
    }
    return referrals.map((r) => (receiving.includes(r) ? (found.get(r.id) ?? null) : null));
  }

  /** For each shown referral another node takes part in: that node and what is still to be told to it; null otherwise. */
  peerExchangesOf(referrals: readonly Referral[]): Promise<Array<PeerExchange | null>> {
    return this.#ofShown(
      referrals,
      async (ids) => {
        const rows: PeerExchange[] = await this.#db.query(
          `SELECT l.referral_id AS "referralId", l.peer_region_code AS node, l.side, l.delivered_at AS "deliveredAt",
                  count(o.id)::int AS pending, min(o.recorded_at) AS "waitingSince",
                  (array_agg(o.attempts ORDER BY o.id))[1] AS attempts, (array_agg(o.last_error ORDER BY o.id))[1] AS "lastError"
             FROM referrals.peer_link l LEFT JOIN referrals.peer_outbox o ON o.referral_id = l.referral_id AND o.done_at IS NULL
            WHERE l.referral_id = ANY($1) GROUP BY l.referral_id`,
          [ids],
        );
        return new Map(rows.map((row) => [row.referralId, row]));
      },
      null,
    ).then((found) => found.map((row) => row ?? null));
  }

  /** What hangs off each referral, read only for shown ones (one statement); `hidden` for the rest. */
  async #ofShown<V>(referrals: readonly Referral[], fetch: (ids: string[]) => Promise<Map<string, V>>, hidden: V): Promise<V[]> {
    const ids = [...new Set(referrals.filter((r) => this.#shown.has(r)).map((r) => r.id))];
    const found = ids.length > 0 ? await fetch(ids) : new Map<string, V>();
    return referrals.map((r) => (this.#shown.has(r) ? (found.get(r.id) as V) : hidden));
  }

  /** Whether the referral object is one this request shows in full (a loader's cache key tells the two apart). */
  shows(referral: Referral): boolean {
    return this.#shown.has(referral);
  }

  #show<T extends Referral>(referral: T): T {
    this.#shown.add(referral);
    return referral;
  }

  /** Whose referrals the caller may list: its home region's (office, clinic), or those sent to it (provider). */
  scope(): ReferralScope | null {
    const { identity } = this.ctx;
    if (identity.role === Role.PROVIDER && identity.providerId && assignmentRefusal(identity) === null)
      return { providerId: identity.providerId };
    if (identity.role !== Role.REGIONAL_OFFICE && identity.role !== Role.CLINIC) return null;
    return identity.regionCode && patientDataAccess(identity, identity.regionCode).allowed ? { homeRegionCode: identity.regionCode } : null;
  }

  async list(filter: ReferralFilter, page: Page<ReferralPosition>): Promise<{ rows: Referral[]; total: TotalCount }> {
    const scope = this.scope();
    const result = await this.#search.search(filter, page, scope);
    await this.#disclosed(
      result.rows.slice(0, page.first),
      scope && "providerId" in scope ? "REFERRAL_SENT_TO_PROVIDER_LIST" : "HOME_REGION_LIST",
    );
    return result;
  }

  /** The region's waiting referrals that will breach unless care is found: for its own office and clinics only. */
  async atRisk(
    regionCode: string,
    dueBefore: string,
    page: Page<DeadlinePosition>,
  ): Promise<{ rows: Referral[]; total: TotalCount } | null> {
    const scope = this.scope();
    if (!scope || !("homeRegionCode" in scope) || scope.homeRegionCode !== regionCode) return null;
    const result = await this.#search.atRisk(regionCode, dueBefore, page);
    await this.#disclosed(result.rows.slice(0, page.first), "HOME_REGION_AT_RISK_LIST");
    return result;
  }

  async byIds(ids: readonly string[]): Promise<Array<Referral | null>> {
    const found = await this.#db.getRepository(Referral).findBy({ id: In([...ids]) });
    const visible = await this.#disclose(found);
    const byId = new Map(visible.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async ofPatients(patientIds: readonly string[]): Promise<Referral[][]> {
    const found = await this.#db
      .getRepository(Referral)
      .find({ where: { patientId: In([...patientIds]) }, order: { decisionDate: "ASC", id: "ASC" } });
    const visible = await this.#disclose(found);
    return patientIds.map((id) => visible.filter((r) => r.patientId === id));
  }

  /**
   * The referral a lifecycle step left, for the caller who took the step: the workflow let it act
   * as a party to the referral and recorded the change, so it sees what it changed.
   */
  async afterStep<T extends Referral>(step: Promise<T>): Promise<T> {
    return this.#show(await step);
  }

  /**
   * A referral as a subscription event left it. In full (and recorded as a disclosure) for a
   * subscriber in the patient's care; otherwise a copy without the patient and the diagnosis.
   */
  async delivered<T extends Referral>(referral: T, delivery: Exclude<Delivery, "NONE">, eventId: string): Promise<T> {
    if (delivery === "REDACTED") return redacted(referral);
    await audit(this.#db, "referrals", this.ctx, [
      {
        action: "DISCLOSE",
        recordKind: "REFERRAL",
        recordId: referral.id,
        patientId: referral.patientId,
        outcome: "ALLOWED",
        basis: `SUBSCRIPTION_EVENT_${eventId}`,
      },
    ]);
    return this.#show(referral);
  }

  /** Records rows read by a list the caller's scope already allowed. */
  #disclosed(rows: readonly Referral[], basis: string): Promise<void> {
    for (const row of rows) this.#show(row);
    return this.#record(rows.map((referral) => [referral, true, basis]));
  }

  async #disclose(found: Referral[]): Promise<Referral[]> {
    const decided = found.map((referral) => {
      const decision = referralAccess(this.ctx.identity, referral);
      return [referral, decision.allowed, decision.basis] as const;
    });
    await this.#record(decided);
    return decided.filter(([, allowed]) => allowed).map(([referral]) => this.#show(referral));
  }

  /**
   * The invoicing basis of a paying region for the days [from, to): referrals booked or completed
   * then under an agreement, with their payment commitment in force. No patient data is read (no
   * patient, no diagnosis), so no audit record; only the paying region's office and administrators
   * may read it.
   */
  async invoicingBasis(payingRegion: string, from: string, to: string): Promise<InvoicingBasisRow[]> {
    const { identity } = this.ctx;
    const mayRead =
      identity.role === Role.ADMINISTRATOR || (identity.role === Role.REGIONAL_OFFICE && identity.regionCode === payingRegion);
    if (!mayRead) throw forbidden("Only the paying region's office and administrators may read its invoicing basis.");
    return this.#db.query(
      `SELECT * FROM (
         SELECT r.id AS referral_id, r.status, r.provider_id, COALESCE(pc.procedure_code, r.procedure_code) AS procedure_code,
                pc.id AS commitment_id, pc.agreement_type_code, pc.riksavtal_chapter, pc.reimbursement_type, pc.agreement_kind,
                pc.price_per_case_sek, pc.outpatient_only,
                to_char(CASE WHEN r.status = 'COMPLETED'
                             THEN (SELECT max(t.happened_on) FROM referrals.referral_transition t WHERE t.referral_id = r.id AND t.to_status = 'COMPLETED')
                             ELSE r.booked_for END, 'YYYY-MM-DD') AS care_date
           FROM referrals.referral r
           JOIN referrals.payment_commitment pc ON pc.referral_id = r.id AND pc.revoked_at IS NULL
          WHERE r.status IN ('BOOKED', 'COMPLETED') AND pc.paying_region_code = $1 AND pc.agreement_kind IS NOT NULL
       ) basis
       WHERE care_date >= $2 AND care_date < $3
       ORDER BY care_date, referral_id`,
      [payingRegion, from, to],
    );
  }

  #record(decided: ReadonlyArray<readonly [Referral, boolean, string]>): Promise<void> {
    const entries: AuditEntry[] = decided.map(([referral, allowed, basis]) => ({
      action: "READ",
      recordKind: "REFERRAL",
      recordId: referral.id,
      patientId: referral.patientId,
      outcome: allowed ? "ALLOWED" : "DENIED",
      basis,
    }));
    return audit(this.#db, "referrals", this.ctx, entries);
  }
}

/**
 * What a redacted copy keeps: the facts of the referral as a case between regions and providers
 * (which care, which step, where it was sent), nothing about the patient. Kept by name, so a column
 * added later is left out of redacted copies until someone decides it is not patient content.
 */
const SHOWN_WHEN_REDACTED = new Set<string>([
  "id",
  "homeRegionCode",
  "specialty",
  "procedureCode",
  "visitType",
  "decisionDate",
  "careCategory",
  "origin",
  "status",
  "registeredAt",
  "providerId",
  "providerRegionCode",
  "offerId",
  "reservationId",
  "sentAt",
  "revision",
  "event",
]);

function redacted<T extends Referral>(referral: T): T {
  const copy = Object.create(Object.getPrototypeOf(referral)) as T;
  for (const [field, value] of Object.entries(referral)) {
    if (SHOWN_WHEN_REDACTED.has(field)) (copy as Record<string, unknown>)[field] = value;
  }
  return copy;
}

/** One row of the invoicing basis, as read (see ReferralRecords.invoicingBasis). */
export interface InvoicingBasisRow {
  referral_id: string;
  status: ReferralStatus;
  provider_id: string;
  procedure_code: string | null;
  commitment_id: string;
  agreement_type_code: string | null;
  riksavtal_chapter: string | null;
  reimbursement_type: string | null;
  agreement_kind: string;
  price_per_case_sek: number | null;
  outpatient_only: boolean;
  care_date: string;
}

/** The home region's patient identity, as a peer node delivered it with a referral. */
export interface HomePatient {
  personalIdentityNumber: string;
  givenName: string | null;
  familyName: string | null;
  birthDate: string;
  homeNode: string;
}

/** A referral's exchange with the other node that takes part in it (see the migration PeerReferrals). */
export interface PeerExchange {
  referralId: string;
  node: string;
  side: "HOME" | "PROVIDER";
  deliveredAt: Date | null;
  pending: number;
  waitingSince: Date | null;
  attempts: number | null;
  lastError: string | null;
}
