/**
 * The care catalogue: providers (vårdgivare) and their care units (vårdenheter) as the region's HSA
 * catalogue knows them, and the KVÅ procedure list. Imports and the administrator's mutations go
 * through the same checks (`domain/catalogue-records.ts`) and the same writer: idempotent by HSA-id
 * (the same data again changes nothing), every change an event in the capacity outbox (so the
 * gateway's response cache and subscribers hear of it), and never a delete: a unit the catalogue
 * drops is deactivated and its open offers are withdrawn.
 */

import { randomUUID } from "node:crypto";
import { DataSource, EntityManager, FindOptionsWhere, In, IsNull, Not } from "typeorm";
import type { RequestScope } from "../../shared/context";
import type { Problem } from "../../shared/domain/problem";
import { ProviderKind } from "../../shared/domain/enums";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/domain/specialty";
import { badUserInput, forbidden, notFound, refuseInput } from "../../shared/errors";
import { describeCaller, Identity, Role } from "../../shared/identity";
import { appendEvents, OutboxEvent } from "../../shared/outbox";
import { requireText } from "../../shared/validation";
import { CatalogueChangeKind } from "../domain/catalogue-changes";
import { CheckedKva, CheckedProvider, checkCatalogue, ProviderRecord, RowProblem } from "../domain/catalogue-records";
import { OfferEventKind, OfferStatus } from "../domain/offers";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { Procedure } from "../entities/procedure.entity";
import { CareUnit, Provider } from "../entities/provider.entity";
import { offerEvent } from "./offer-events";

const SCHEMA = "capacity";

type ProviderFields = Pick<CheckedProvider, "hsaId" | "organisationNumber" | "name" | "kind" | "regionCode" | "municipalityCode">;

/** What a KVÅ import did: codes inserted, codes changed, and codes that were already as the file has them. */
export interface KvaChanges {
  created: number;
  updated: number;
  unchanged: number;
}

/** What an import of providers did. */
export interface CatalogueChanges {
  providersCreated: number;
  providersUpdated: number;
  providersDeactivated: number;
  unitsCreated: number;
  unitsUpdated: number;
  unitsDeactivated: number;
  offersWithdrawn: number;
  events: number;
}

/** What a change to the catalogue is made with: a full import also deactivates what it no longer lists. */
export interface ApplyOptions {
  /** The listed providers are every provider of their regions: deactivate the rest and their units. */
  full?: boolean;
  /** Why units are deactivated (and offers withdrawn), e.g. "Not in the HSA catalogue import of 2026-12-01". */
  deactivationReason?: string;
  /** When the changes happen; now when omitted. */
  now?: Date;
}

/** What a provider event carries: the provider as the change left it. */
const providerSnapshot = (p: Provider) => ({ id: p.id, ...withoutUnits(p), active: p.active });

/** What a care-unit event carries: the unit as the change left it. */
const unitSnapshot = (u: CareUnit) => ({
  id: u.id,
  hsaId: u.hsaId,
  name: u.name,
  specialty: u.specialty,
  providerId: u.providerId,
  active: u.active,
  deactivationReason: u.deactivationReason,
});

/** What an administrator gives to create or update one care unit of a known provider. */
export interface CareUnitChange {
  hsaId: string;
  providerHsaId: string;
  name: string;
  specialty: Specialty;
}

/** The catalogue is the node's master data: only an administrator changes it by hand. */
function requireAdministrator(caller: Identity): void {
  if (caller.role !== Role.ADMINISTRATOR)
    throw forbidden(`Only an administrator may change providers and care units (you are ${describeCaller(caller)}).`);
}

/** Row problems of a mutation's single record, as the hub's input errors (field under `input.`). */
function refuseRows(problems: RowProblem[]): void {
  refuseInput(problems.map((p): Problem => ({ field: `input.${p.field.replace(/^units\./, "")}`, rule: p.rule, message: p.message })));
}

export class CareCatalogue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hubRegionCode: string,
  ) {}

  /** Care providers known to this hub, by name; optionally of one region and/or kind. */
  providers(filter: { regionCode?: string; kind?: ProviderKind }): Promise<Provider[]> {
    return this.dataSource.getRepository(Provider).find({ where: filter, order: { name: "ASC" } });
  }

  /** The procedures the hub brokers (KVÅ codes with a specialty), by code; optionally of one specialty. */
  brokeredProcedures(specialty: Specialty | null): Promise<Procedure[]> {
    return this.dataSource.getRepository(Procedure).find({ where: { specialty: specialty ?? Not(IsNull()) }, order: { code: "ASC" } });
  }

  /**
   * Creates or updates a provider by its HSA-id, as an import of one row would: checked the same
   * way, a no-op when nothing differs, an event when something does.
   */
  async upsertProvider(scope: RequestScope, record: Omit<ProviderRecord, "units" | "line">): Promise<Provider> {
    requireAdministrator(scope.identity);
    const { providers, problems } = checkCatalogue([{ ...record, units: [] }]);
    refuseRows(problems);
    const { problems: conflicts } = await this.apply(providers);
    refuseRows(conflicts);
    return (await this.dataSource.getRepository(Provider).findOneBy({ hsaId: providers[0].hsaId }))!;
  }

  /** Creates or updates a care unit of a known provider by its HSA-id. */
  async upsertCareUnit(scope: RequestScope, change: CareUnitChange): Promise<CareUnit> {
    requireAdministrator(scope.identity);
    const providerHsaId = requireText("input.providerHsaId", change.providerHsaId, 1, 40);
    const provider = await this.dataSource.getRepository(Provider).findOneBy({ hsaId: providerHsaId });
    if (!provider) throw notFound("input.providerHsaId", `no provider ${providerHsaId} in this hub; add it with upsertProvider first`);
    const record: ProviderRecord = {
      hsaId: provider.hsaId,
      organisationNumber: provider.organisationNumber,
      name: provider.name,
      kind: provider.kind,
      regionCode: provider.regionCode,
      municipalityCode: provider.municipalityCode,
      units: [{ hsaId: change.hsaId, name: change.name, specialty: change.specialty }],
    };
    const { providers, problems } = checkCatalogue([record]);
    refuseRows(problems);
    const { problems: conflicts } = await this.apply(providers);
    refuseRows(conflicts);
    return (await this.dataSource.getRepository(CareUnit).findOneBy({ hsaId: providers[0].units[0].hsaId }))!;
  }

  /** An administrator's deactivation of one care unit: no capacity is published at it any more, and its open offers are withdrawn with the reason. */
  async deactivateCareUnit(
    scope: RequestScope,
    careUnitId: string,
    reason: string,
  ): Promise<{ careUnit: CareUnit; offersWithdrawn: number }> {
    requireAdministrator(scope.identity);
    if (!isUuid(careUnitId)) throw badUserInput("careUnitId", "ID_FORMAT", `"${careUnitId}" is not a care unit id (UUID)`);
    const why = requireText("reason", reason, 3, 500);
    const result = await this.deactivateUnit(careUnitId, why);
    if (!result) throw notFound("careUnitId", `no care unit ${careUnitId}`);
    return { careUnit: result.unit, offersWithdrawn: result.offersWithdrawn };
  }

  /**
   * Writes checked providers and their units in one transaction. A provider's units not in its
   * record are left alone unless `full`: then they, and the providers of the records' regions that
   * the records do not list, are deactivated with their open offers withdrawn.
   */
  async apply(
    providers: readonly CheckedProvider[],
    options: ApplyOptions = {},
    db?: EntityManager,
  ): Promise<{ changes: CatalogueChanges; problems: RowProblem[] }> {
    const run = (manager: EntityManager) => this.write(manager, providers, options);
    return db ? run(db) : this.dataSource.transaction(run);
  }

  private async write(db: EntityManager, providers: readonly CheckedProvider[], options: ApplyOptions) {
    const now = options.now ?? new Date();
    const reason = options.deactivationReason ?? "No longer in the HSA catalogue";
    const changes: CatalogueChanges = {
      providersCreated: 0,
      providersUpdated: 0,
      providersDeactivated: 0,
      unitsCreated: 0,
      unitsUpdated: 0,
      unitsDeactivated: 0,
      offersWithdrawn: 0,
      events: 0,
    };
    const events: OutboxEvent[] = [];
    const event = (type: CatalogueChangeKind, aggregateId: string, payload: Record<string, unknown>) =>
      events.push({ type, aggregateId, originRegionCode: this.hubRegionCode, payload });
    // Serialises catalogue writers (two imports at once would both create the same HSA-id).
    await db.query("SELECT pg_advisory_xact_lock(hashtext('care-hub:care-catalogue'))");

    const existingProviders = await chunkedFind(
      db,
      Provider,
      "hsaId",
      providers.map((p) => p.hsaId),
    );
    const providerByHsa = new Map(existingProviders.map((p) => [p.hsaId, p]));
    const unitHsaIds = providers.flatMap((p) => p.units.map((u) => u.hsaId));
    const existingUnits = await chunkedFind(db, CareUnit, "hsaId", unitHsaIds);
    const unitByHsa = new Map(existingUnits.map((u) => [u.hsaId, u]));

    const problems: RowProblem[] = [];
    const newProviders: Provider[] = [];
    const newUnits: CareUnit[] = [];
    const changedProviders: Provider[] = [];
    const changedUnits: CareUnit[] = [];
    const listedUnitIds = new Set<string>();
    for (const record of providers) {
      let provider = providerByHsa.get(record.hsaId);
      if (!provider) {
        provider = Object.assign(new Provider(), { id: randomUUID(), ...withoutUnits(record), active: true, deactivatedAt: null });
        newProviders.push(provider);
        event(CatalogueChangeKind.PROVIDER_CREATED, provider.id, { provider: providerSnapshot(provider) });
      } else if (differs(provider, record, ["organisationNumber", "name", "kind", "regionCode", "municipalityCode"]) || !provider.active) {
        Object.assign(provider, withoutUnits(record), { active: true, deactivatedAt: null });
        changedProviders.push(provider);
        event(CatalogueChangeKind.PROVIDER_UPDATED, provider.id, { provider: providerSnapshot(provider) });
      }
      for (const { line, ...unitRecord } of record.units) {
        let unit = unitByHsa.get(unitRecord.hsaId);
        if (!unit) {
          unit = Object.assign(new CareUnit(), {
            id: randomUUID(),
            ...unitRecord,
            providerId: provider.id,
            active: true,
            deactivatedAt: null,
            deactivationReason: null,
          });
          newUnits.push(unit);
          event(CatalogueChangeKind.CARE_UNIT_CREATED, unit.id, { careUnit: unitSnapshot(unit) });
        } else if (unit.providerId !== provider.id) {
          // Offers and referrals name the unit's provider: a unit does not change provider.
          problems.push({
            line: line ?? null,
            field: "units.hsaId",
            rule: "CARE_UNIT_OF_ANOTHER_PROVIDER",
            message: `${unit.hsaId} belongs to another provider in this hub`,
          });
        } else if (differs(unit, unitRecord, ["name", "specialty"]) || !unit.active) {
          Object.assign(unit, unitRecord, { active: true, deactivatedAt: null, deactivationReason: null });
          changedUnits.push(unit);
          event(CatalogueChangeKind.CARE_UNIT_UPDATED, unit.id, { careUnit: unitSnapshot(unit) });
        }
        listedUnitIds.add(unit.id);
      }
    }
    if (problems.length) return { changes, problems };

    for (let i = 0; i < newProviders.length; i += 500) await db.insert(Provider, newProviders.slice(i, i + 500));
    for (let i = 0; i < newUnits.length; i += 500) await db.insert(CareUnit, newUnits.slice(i, i + 500));
    for (const p of changedProviders)
      await db.update(Provider, { id: p.id }, { ...withoutUnits(p), active: true, deactivatedAt: null, updatedAt: now });
    for (const u of changedUnits)
      await db.update(
        CareUnit,
        { id: u.id },
        { name: u.name, specialty: u.specialty, active: true, deactivatedAt: null, deactivationReason: null, updatedAt: now },
      );
    changes.providersCreated = newProviders.length;
    changes.providersUpdated = changedProviders.length;
    changes.unitsCreated = newUnits.length;
    changes.unitsUpdated = changedUnits.length;

    if (options.full && providers.length > 0) {
      const regions = [...new Set(providers.map((p) => p.regionCode))];
      const listedProviders = new Set(
        providers.map((p) => providerByHsa.get(p.hsaId)?.id ?? newProviders.find((n) => n.hsaId === p.hsaId)!.id),
      );
      const gone: Provider[] = (await db.getRepository(Provider).find({ where: { regionCode: In(regions), active: true } })).filter(
        (p) => !listedProviders.has(p.id),
      );
      for (const provider of gone) {
        await db.update(Provider, { id: provider.id }, { active: false, deactivatedAt: now, updatedAt: now });
        provider.active = false;
        event(CatalogueChangeKind.PROVIDER_DEACTIVATED, provider.id, { provider: providerSnapshot(provider) });
      }
      changes.providersDeactivated = gone.length;
      const providerIds = [...listedProviders, ...gone.map((p) => p.id)];
      const units = await chunkedFind(db, CareUnit, "providerId", providerIds, { active: true });
      const dropped = units.filter((u) => !listedUnitIds.has(u.id));
      const { withdrawn, events: offerEvents } = await this.deactivateUnits(db, dropped, reason, now);
      for (const unit of dropped) event(CatalogueChangeKind.CARE_UNIT_DEACTIVATED, unit.id, { careUnit: unitSnapshot(unit) });
      events.push(...offerEvents);
      changes.unitsDeactivated = dropped.length;
      changes.offersWithdrawn = withdrawn;
    }
    changes.events = (await appendEvents(db, SCHEMA, events)).length;
    return { changes, problems };
  }

  /**
   * Imports KVÅ codes, checked, in one transaction: a new code is inserted, a known one gets the
   * file's title and validity. Codes are never deleted (old referrals and offers name them): a code
   * the new list ends carries its last valid day. Whether the hub brokers a code (its specialty and
   * care-guarantee step) is the region's classification, not KVÅ's: the file may give it in optional
   * columns, and otherwise what the hub had is kept (the reference seeds classify the codes they bring).
   */
  async importKva(codes: readonly CheckedKva[]): Promise<KvaChanges> {
    return this.dataSource.transaction(async (db) => {
      let created = 0;
      let updated = 0;
      for (let i = 0; i < codes.length; i += 5_000) {
        const chunk = codes.slice(i, i + 5_000);
        const rows: Array<{ inserted: boolean }> = await db.query(
          `INSERT INTO capacity.procedure AS p (code, name, valid_from, valid_to, specialty, visit_type, english_name)
             SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[], $7::text[])
           ON CONFLICT (code) DO UPDATE SET
             name = EXCLUDED.name,
             valid_from = EXCLUDED.valid_from,
             valid_to = EXCLUDED.valid_to,
             specialty = coalesce(EXCLUDED.specialty, p.specialty),
             visit_type = coalesce(EXCLUDED.visit_type, p.visit_type),
             english_name = coalesce(EXCLUDED.english_name, p.english_name)
           WHERE (p.name, p.valid_from, p.valid_to, p.specialty, p.visit_type, p.english_name)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.valid_from, EXCLUDED.valid_to, coalesce(EXCLUDED.specialty, p.specialty), coalesce(EXCLUDED.visit_type, p.visit_type), coalesce(EXCLUDED.english_name, p.english_name))
           RETURNING (xmax = 0) AS inserted`,
          [
            chunk.map((c) => c.code),
            chunk.map((c) => c.title),
            chunk.map((c) => c.validFrom),
            chunk.map((c) => c.validTo),
            chunk.map((c) => c.specialty),
            chunk.map((c) => c.visitType),
            chunk.map((c) => c.englishName),
          ],
        );
        for (const row of rows) row.inserted ? created++ : updated++;
      }
      if (created + updated > 0) {
        await appendEvents(db, SCHEMA, [
          {
            type: CatalogueChangeKind.PROCEDURE_LIST_CHANGED,
            aggregateId: randomUUID(),
            originRegionCode: this.hubRegionCode,
            payload: { created, updated },
          },
        ]);
      }
      return { created, updated, unchanged: codes.length - created - updated };
    });
  }

  /** Deactivates one unit, withdrawing its open offers with the reason; null when there is no such unit. */
  private async deactivateUnit(unitId: string, reason: string): Promise<{ unit: CareUnit; offersWithdrawn: number } | null> {
    return this.dataSource.transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock(hashtext('care-hub:care-catalogue'))");
      const unit = await db.getRepository(CareUnit).findOne({ where: { id: unitId }, lock: { mode: "pessimistic_write" } });
      if (!unit) return null;
      if (!unit.active) return { unit, offersWithdrawn: 0 };
      const now = new Date();
      const { withdrawn, events } = await this.deactivateUnits(db, [unit], reason, now);
      await appendEvents(db, SCHEMA, [
        ...events,
        {
          type: CatalogueChangeKind.CARE_UNIT_DEACTIVATED,
          aggregateId: unit.id,
          originRegionCode: this.hubRegionCode,
          payload: { careUnit: unitSnapshot(unit) },
        },
      ]);
      return { unit, offersWithdrawn: withdrawn };
    });
  }

  /** Marks units inactive and withdraws their open offers with `reason`; answers the offers' events. */
  private async deactivateUnits(
    db: EntityManager,
    units: CareUnit[],
    reason: string,
    now: Date,
  ): Promise<{ withdrawn: number; events: OutboxEvent[] }> {
    if (units.length === 0) return { withdrawn: 0, events: [] };
    const ids = units.map((u) => u.id);
    for (let i = 0; i < ids.length; i += 1_000) {
      await db.update(
        CareUnit,
        { id: In(ids.slice(i, i + 1_000)) },
        { active: false, deactivatedAt: now, deactivationReason: reason, updatedAt: now },
      );
    }
    for (const unit of units) Object.assign(unit, { active: false, deactivatedAt: now, deactivationReason: reason });
    const offers = await chunkedFind(db, CapacityOffer, "careUnitId", ids, { status: OfferStatus.OPEN }, true);
    if (offers.length === 0) return { withdrawn: 0, events: [] };
    const withdrawalReason = `Care unit deactivated: ${reason}`.slice(0, 500);
    for (const offer of offers) {
      Object.assign(offer, { status: OfferStatus.WITHDRAWN, withdrawnAt: now, withdrawalReason, revision: offer.revision + 1 });
      await db.update(
        CapacityOffer,
        { id: offer.id },
        { status: OfferStatus.WITHDRAWN, withdrawnAt: now, withdrawalReason, revision: offer.revision },
      );
    }
    const providers = new Map(
      (await db.getRepository(Provider).findBy({ id: In([...new Set(offers.map((o) => o.providerId))]) })).map((p) => [p.id, p]),
    );
    return {
      withdrawn: offers.length,
      events: offers.map((o) => offerEvent(OfferEventKind.WITHDRAWN, o, providers.get(o.providerId)!, this.hubRegionCode)),
    };
  }
}

/** The provider's own fields of a record (or of a provider), without its units. */
function withoutUnits(record: ProviderFields): ProviderFields {
  const { hsaId, organisationNumber, name, kind, regionCode, municipalityCode } = record;
  return { hsaId, organisationNumber, name, kind, regionCode, municipalityCode };
}

function differs<T extends object>(current: T, wanted: object, fields: string[]): boolean {
  return fields.some((f) => (current as Record<string, unknown>)[f] !== (wanted as Record<string, unknown>)[f]);
}

/** The rows whose `field` holds one of `values` (and that match `where`), in statements of at most 1 000 values. */
async function chunkedFind<T extends object>(
  db: EntityManager,
  entity: new () => T,
  field: keyof T & string,
  values: readonly string[],
  where: FindOptionsWhere<T> = {},
  lock = false,
): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < values.length; i += 1_000) {
    const chunk = values.slice(i, i + 1_000);
    found.push(
      ...(await db.getRepository(entity).find({
        where: { ...where, [field]: In(chunk) } as FindOptionsWhere<T>,
        ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}),
      })),
    );
  }
  return found;
}
