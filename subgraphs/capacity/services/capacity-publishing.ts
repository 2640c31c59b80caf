import { randomUUID } from "node:crypto";
import { DataSource, EntityManager, In, IsNull } from "typeorm";
import type { RequestScope } from "../../shared/context";
import { badUserInput, conflict, forbidden, notFound, refuseInput } from "../../shared/errors";
import { describeCaller, Identity, mayHoldCapacityForReferral, mayManageCapacityOf, Role } from "../../shared/identity";
import { isUuid } from "../../shared/domain/ids";
import { requireText } from "../../shared/validation";
import { idempotent } from "../../shared/idempotency";
import { appendEvent } from "../../shared/outbox";
import { OfferEventKind, OfferSource, OfferStatus } from "../domain/offers";
import {
  batchProblems,
  Catalogue,
  changeProblems,
  defaultEarliestStart,
  MAX_SLOTS,
  OfferChangeInput,
  OfferInput,
} from "../domain/publishing-rules";
import { CapacityOffer, OfferSlot, Reservation } from "../entities/capacity-offer.entity";
import { Procedure } from "../entities/procedure.entity";
import { CareUnit, Provider } from "../entities/provider.entity";
import { offerEvent } from "./offer-events";

const SCHEMA = "capacity";

export interface PublishInput {
  offers: OfferInput[];
  reportedBy: string;
  source?: OfferSource | null;
}

export interface Published {
  offers: CapacityOffer[];
  /** True when an earlier call with the same idempotency key made these offers. */
  replayed: boolean;
}

function requireManager(caller: Identity, providerId: string, forReferral = false): void {
  if (!mayManageCapacityOf(caller, providerId) && !(forReferral && mayHoldCapacityForReferral(caller))) {
    throw forbidden(
      `Only the provider that owns this capacity, or an administrator, may change or reserve it (you are ${describeCaller(caller)}).`,
    );
  }
}

function requireOfferId(field: string, id: string): void {
  if (!isUuid(id)) throw badUserInput(field, "ID_FORMAT", `"${id}" is not an offer id (UUID)`);
}

/**
 * Publishing, changing, withdrawing and reserving capacity. Every change runs in one transaction
 * that also appends its event to the outbox, so a change and its event exist together or not at
 * all; changes to one offer are serialised by locking its row, which is what keeps free slots from
 * going below zero when many regions reserve the last slot at once.
 */
export class CapacityPublishing {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hubRegionCode: string,
  ) {}

  /**
   * Publishes a batch. `alsoRecord`, when given, runs in the same transaction with the new offers,
   * for a caller that keeps its own record of them (a scheduling feed's link from a Schedule to
   * its offer), so that the offers and that record are written together or not at all.
   */
  async publish(
    scope: RequestScope,
    input: PublishInput,
    idempotencyKey: string | null | undefined,
    alsoRecord?: (db: EntityManager, offers: CapacityOffer[]) => Promise<void>,
  ): Promise<Published> {
    const { today, identity: caller } = scope;
    const reportedBy = requireText("input.reportedBy", input.reportedBy, 1, 200);
    const catalogue = await this.catalogue(input.offers);
    refuseInput(batchProblems(input.offers, catalogue, today));
    const providerId = catalogue.unit(input.offers[0].careUnitId)!.providerId;
    requireManager(caller, providerId);
    return this.dataSource.transaction(async (db) => {
      let replayed = true;
      const offers = await idempotent({
        db,
        schema: SCHEMA,
        scope: providerId,
        key: idempotencyKey,
        operation: "publishCapacity",
        input,
        run: async () => {
          replayed = false;
          const created = await this.insertOffers(db, input, reportedBy, catalogue, today);
          await alsoRecord?.(db, created);
          return { answer: created, stored: created.map((o) => o.id) };
        },
        replay: async (ids: string[]) => {
          const found = await db.getRepository(CapacityOffer).findBy({ id: In(ids) });
          return ids.map((id) => found.find((o) => o.id === id)!);
        },
      });
      return { offers, replayed };
    });
  }

  async update(
    scope: RequestScope,
    offerId: string,
    change: OfferChangeInput & { reportedBy?: string | null },
    idempotencyKey: string | null | undefined,
  ) {
    const { today, identity: caller } = scope;
    requireOfferId("offerId", offerId);
    const reportedBy = change.reportedBy == null ? null : requireText("input.reportedBy", change.reportedBy, 1, 200);
    const { offer } = await this.changeOffer(caller, offerId, "updateCapacity", { change }, idempotencyKey, async (db, offer) => {
      this.requireOpen(offer, today);
      const slots = await db.getRepository(OfferSlot).find({ where: { offerId }, order: { startsAt: "ASC" } });
      const { reportedBy: _ignored, ...fields } = change;
      refuseInput(changeProblems(fields, { ...offer, slotTimes: slots.map((s) => s.startsAt.toISOString()) }, today));
      if (change.validFrom != null) offer.validFrom = change.validFrom;
      if (change.validUntil != null) offer.validUntil = change.validUntil;
      if (change.earliestStart != null) offer.earliestStart = change.earliestStart;
      else if (offer.earliestStart < offer.validFrom) offer.earliestStart = offer.validFrom;
      if (change.expectedWaitDays != null) offer.expectedWaitDays = change.expectedWaitDays;
      if (change.conditions != null) offer.conditions = change.conditions.trim() || null;
      if (change.slots != null) offer.totalSlots = change.slots;
      if (change.slotTimes != null) {
        const times = distinctInstants(change.slotTimes);
        await db.delete(OfferSlot, { offerId });
        await insertSlots(
          db,
          times.map((startsAt) => Object.assign(new OfferSlot(), { offerId, startsAt })),
        );
        offer.totalSlots = times.length;
      }
      // A change is a fresh report: the offer's freshness counts from now.
      offer.reportedAt = new Date();
      if (reportedBy) offer.reportedBy = reportedBy;
      return { kind: OfferEventKind.UPDATED };
    });
    return offer;
  }

  async withdraw(scope: RequestScope, offerId: string, reason: string, idempotencyKey: string | null | undefined) {
    const { today, identity: caller } = scope;
    requireOfferId("offerId", offerId);
    const why = requireText("reason", reason, 3, 500);
    const { offer } = await this.changeOffer(caller, offerId, "withdrawCapacity", { reason: why }, idempotencyKey, async (_db, offer) => {
      this.requireOpen(offer, today);
      offer.status = OfferStatus.WITHDRAWN;
      offer.withdrawnAt = new Date();
      offer.withdrawalReason = why;
      return { kind: OfferEventKind.WITHDRAWN };
    });
    return offer;
  }

  async reserve(
    scope: RequestScope,
    offerId: string,
    slots: number,
    referenceId: string,
    idempotencyKey: string | null | undefined,
  ): Promise<Reservation> {
    const { today, identity: caller } = scope;
    requireOfferId("offerId", offerId);
    if (!Number.isInteger(slots) || slots < 1 || slots > MAX_SLOTS)
      throw badUserInput("slots", "SLOTS_RANGE", `must be a whole number from 1 to ${MAX_SLOTS}, got ${slots}`);
    const reference = requireText("referenceId", referenceId, 1, 200);
    const { result } = await this.changeOffer(
      caller,
      offerId,
      "reserveCapacity",
      { slots, referenceId: reference },
      idempotencyKey,
      async (db, offer) => {
        this.requireOpen(offer, today);
        const free = offer.totalSlots - offer.reservedSlots;
        if (free < slots) {
          throw conflict(`Offer ${offerId} has ${free} free slot(s); ${slots} requested. Search again for other capacity.`, {
            field: "slots",
            rule: "NOT_ENOUGH_FREE_SLOTS",
            availableSlots: free,
          });
        }
        const standing = await db.getRepository(Reservation).findOneBy({ offerId, referenceId: reference, releasedAt: IsNull() });
        if (standing) {
          throw conflict(
            `Reference ${reference} already holds ${standing.slots} slot(s) of this offer (reservation ${standing.id}); release it first to change the number.`,
            {
              field: "referenceId",
              rule: "ALREADY_RESERVED",
            },
          );
        }
        const reservation = Object.assign(new Reservation(), {
          id: randomUUID(),
          offerId,
          referenceId: reference,
          slots,
          reservedAt: new Date(),
          releasedAt: null,
          releaseReason: null,
          // A provider or administrator reserving on the offer is no region's reservation.
          reservedByRegionCode: caller.role === Role.PROVIDER || caller.role === Role.ADMINISTRATOR ? null : caller.regionCode,
        });
        await db.insert(Reservation, reservation);
        offer.reservedSlots += slots;
        return { kind: OfferEventKind.RESERVED, result: reservation.id };
      },
    );
    return this.reservation(result!);
  }

  async release(
    scope: RequestScope,
    reservationId: string,
    reason: string,
    idempotencyKey: string | null | undefined,
  ): Promise<Reservation> {
    const caller = scope.identity;
    if (!isUuid(reservationId)) throw badUserInput("reservationId", "ID_FORMAT", `"${reservationId}" is not a reservation id (UUID)`);
    const why = requireText("reason", reason, 3, 500);
    const found = await this.dataSource.getRepository(Reservation).findOneBy({ id: reservationId });
    if (!found) throw notFound("reservationId", `no reservation ${reservationId}`);
    await this.changeOffer(
      caller,
      found.offerId,
      "releaseReservation",
      { reservationId, reason: why },
      idempotencyKey,
      async (db, offer) => {
        const reservation = (await db
          .getRepository(Reservation)
          .findOne({ where: { id: reservationId }, lock: { mode: "pessimistic_write" } }))!;
        if (reservation.releasedAt) {
          throw conflict(`Reservation ${reservationId} was already released (${reservation.releaseReason}).`, {
            field: "reservationId",
            rule: "ALREADY_RELEASED",
          });
        }
        reservation.releasedAt = new Date();
        reservation.releaseReason = why;
        await db.update(Reservation, { id: reservationId }, { releasedAt: reservation.releasedAt, releaseReason: why });
        offer.reservedSlots -= reservation.slots;
        return { kind: OfferEventKind.RELEASED };
      },
    );
    return this.reservation(reservationId);
  }

  /**
   * Marks open offers whose window has ended as expired, with an event each. Safe to run from
   * several processes at once: the update takes each row's lock and re-checks its status, so every
   * offer expires (and is announced) once.
   */
  async expireDue(today: string): Promise<number> {
    return this.dataSource.transaction(async (db) => {
      // TypeORM answers an UPDATE with [rows, count].
      const [rows]: [Array<{ id: string }>, number] = await db.query(
        `UPDATE capacity.capacity_offer SET status = 'EXPIRED', expired_at = now(), revision = revision + 1, updated_at = now()
          WHERE status = 'OPEN' AND valid_until < $1 RETURNING id`,
        [today],
      );
      if (rows.length === 0) return 0;
      const offers = await db.getRepository(CapacityOffer).find({ where: { id: In(rows.map((r) => r.id)) }, order: { id: "ASC" } });
      const providers = await this.providersOf(db, offers);
      for (const offer of offers) await this.announce(db, OfferEventKind.EXPIRED, offer, providers.get(offer.providerId)!);
      return offers.length;
    });
  }

  private requireOpen(offer: CapacityOffer, today: string): void {
    if (offer.status !== OfferStatus.OPEN || offer.validUntil < today) {
      const state = offer.status === OfferStatus.WITHDRAWN ? "withdrawn" : "expired";
      throw conflict(`Offer ${offer.id} is ${state}; it can no longer be changed or reserved.`, {
        field: "offerId",
        rule: `OFFER_${state.toUpperCase()}`,
      });
    }
  }

  /**
   * The frame of every change to one offer: lock the row, apply the change, bump the revision,
   * save, and append the event, all in one transaction, answering an idempotent retry with the
   * first call's outcome.
   */
  private async changeOffer(
    caller: Identity,
    offerId: string,
    operation: string,
    input: Record<string, unknown>,
    idempotencyKey: string | null | undefined,
    apply: (db: EntityManager, offer: CapacityOffer) => Promise<{ kind: OfferEventKind; result?: string }>,
  ): Promise<{ offer: CapacityOffer; result: string | null }> {
    return this.dataSource.transaction(async (db) => {
      const offer = await db.getRepository(CapacityOffer).findOne({ where: { id: offerId }, lock: { mode: "pessimistic_write" } });
      if (!offer) throw notFound("offerId", `no capacity offer ${offerId}`);
      requireManager(caller, offer.providerId, operation === "reserveCapacity" || operation === "releaseReservation");
      const result = await idempotent({
        db,
        schema: SCHEMA,
        scope: offer.providerId,
        key: idempotencyKey,
        operation,
        input: { offerId, ...input },
        run: async () => {
          const { kind, result = null } = await apply(db, offer);
          offer.revision += 1;
          await db.save(CapacityOffer, offer);
          const provider = (await db.getRepository(Provider).findOneBy({ id: offer.providerId }))!;
          await this.announce(db, kind, offer, provider);
          return { answer: result, stored: result };
        },
        replay: async (stored: string | null) => stored,
      });
      return { offer, result };
    });
  }

  private async reservation(id: string): Promise<Reservation> {
    return (await this.dataSource.getRepository(Reservation).findOneBy({ id }))!;
  }

  private async insertOffers(
    db: EntityManager,
    input: PublishInput,
    reportedBy: string,
    catalogue: Catalogue,
    today: string,
  ): Promise<CapacityOffer[]> {
    const now = new Date();
    const offers: CapacityOffer[] = [];
    const slots: OfferSlot[] = [];
    for (const item of input.offers) {
      const unit = catalogue.unit(item.careUnitId)!;
      const procedure = item.procedureCode ? (catalogue as CatalogueWithProcedures).procedures.get(item.procedureCode)! : null;
      const times = item.slotTimes ? distinctInstants(item.slotTimes) : [];
      const offer = Object.assign(new CapacityOffer(), {
        id: randomUUID(),
        careUnitId: item.careUnitId,
        providerId: unit.providerId,
        specialty: unit.specialty,
        procedureCode: procedure?.code ?? null,
        visitType: procedure?.visitType ?? item.visitType ?? "FIRST_VISIT",
        totalSlots: item.slotTimes ? times.length : item.slots!,
        reservedSlots: 0,
        earliestStart: item.earliestStart ?? defaultEarliestStart(item.validFrom, today),
        validFrom: item.validFrom,
        validUntil: item.validUntil,
        expectedWaitDays: item.expectedWaitDays,
        status: OfferStatus.OPEN,
        source: input.source ?? OfferSource.API,
        reportedBy,
        reportedAt: now,
        minPatientAge: item.minPatientAge ?? null,
        maxPatientAge: item.maxPatientAge ?? null,
        conditions: item.conditions?.trim() || null,
        withdrawnAt: null,
        withdrawalReason: null,
        expiredAt: null,
        revision: 1,
      });
      offers.push(offer);
      slots.push(...times.map((startsAt) => Object.assign(new OfferSlot(), { offerId: offer.id, startsAt })));
    }
    await db.insert(CapacityOffer, offers);
    await insertSlots(db, slots);
    const providers = await this.providersOf(db, offers);
    for (const offer of offers) await this.announce(db, OfferEventKind.PUBLISHED, offer, providers.get(offer.providerId)!);
    return offers;
  }

  private announce(db: EntityManager, kind: OfferEventKind, offer: CapacityOffer, provider: Provider): Promise<number> {
    return appendEvent(db, SCHEMA, offerEvent(kind, offer, provider, this.hubRegionCode));
  }

  private async providersOf(db: EntityManager, offers: CapacityOffer[]): Promise<Map<string, Provider>> {
    const ids = [...new Set(offers.map((o) => o.providerId))];
    const providers = await db.getRepository(Provider).findBy({ id: In(ids) });
    return new Map(providers.map((p) => [p.id, p]));
  }

  /** The units and procedures a batch names, fetched in two statements whatever the batch size. */
  private async catalogue(offers: OfferInput[]): Promise<CatalogueWithProcedures> {
    if (!Array.isArray(offers)) throw badUserInput("input.offers", "REQUIRED", "must list the offers");
    const unitIds = [...new Set(offers.map((o) => o.careUnitId).filter(isUuid))];
    const codes = [...new Set(offers.map((o) => o.procedureCode).filter((c): c is string => typeof c === "string"))];
    const units = unitIds.length ? await this.dataSource.getRepository(CareUnit).findBy({ id: In(unitIds) }) : [];
    const procedures = codes.length ? await this.dataSource.getRepository(Procedure).findBy({ code: In(codes) }) : [];
    const unitById = new Map(units.map((u) => [u.id, u]));
    const procedureByCode = new Map(procedures.map((p) => [p.code, p]));
    return {
      procedures: procedureByCode,
      unit: (id) => unitById.get(id),
      procedure: (code) => procedureByCode.get(code),
    };
  }
}

interface CatalogueWithProcedures extends Catalogue {
  procedures: Map<string, Procedure>;
}

/**
 * Slot rows in statements of at most SLOTS_PER_INSERT rows: one INSERT's parameters are limited
 * (PostgreSQL's protocol allows 65 535), and a batch may hold tens of thousands of slot times.
 */
const SLOTS_PER_INSERT = 5_000;

async function insertSlots(db: EntityManager, slots: OfferSlot[]): Promise<void> {
  for (let start = 0; start < slots.length; start += SLOTS_PER_INSERT)
    await db.insert(OfferSlot, slots.slice(start, start + SLOTS_PER_INSERT));
}

function distinctInstants(times: readonly string[]): Date[] {
  const unique = new Map<number, Date>();
  for (const time of times) {
    const instant = new Date(time);
    unique.set(instant.getTime(), instant);
  }
  return [...unique.values()].sort((a, b) => a.getTime() - b.getTime());
}
