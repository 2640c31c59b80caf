import { randomUUID } from "node:crypto";
import { DataSource, EntityManager, In } from "typeorm";
import { ProviderKind } from "../../shared/domain/enums";
import { parseHsaId, parseOrganisationNumber } from "../../shared/domain/hsa";
import { municipalityExists } from "../../shared/domain/municipalities";
import { isRegionCode } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";
import { appendEvents, OutboxEvent } from "../../shared/outbox";
import { CapacityOffer, OfferEventKind, OfferStatus } from "../entities/capacity-offer.entity";
import { CareUnit, Provider } from "../entities/provider.entity";
import { offerEvent } from "./offer-events";

const SCHEMA = "capacity";

/**
 * The care catalogue: providers (vårdgivare) and their care units (vårdenheter) as the region's HSA
 * catalogue knows them. Imports and the administrator's mutations go through the same checks and
 * the same writer: idempotent by HSA-id (the same data again changes nothing), every change an
 * event in the capacity outbox (so the gateway's response cache and subscribers hear of it), and
 * never a delete: a unit the catalogue drops is deactivated and its open offers are withdrawn.
 */

/** A provider as a file or a mutation gives it, before checking; `line` locates it in a file. */
export interface ProviderRecord {
  line?: number;
  hsaId?: unknown;
  organisationNumber?: unknown;
  name?: unknown;
  kind?: unknown;
  regionCode?: unknown;
  municipalityCode?: unknown;
  units?: UnitRecord[];
}

export interface UnitRecord {
  line?: number;
  hsaId?: unknown;
  name?: unknown;
  specialty?: unknown;
}

/** One thing wrong with one row: where (line in the file, field) and which rule. */
export interface RowProblem {
  line: number | null;
  field: string;
  rule: string;
  message: string;
}

export interface CheckedProvider {
  hsaId: string;
  organisationNumber: string;
  name: string;
  kind: ProviderKind;
  regionCode: string;
  municipalityCode: string;
  units: CheckedUnit[];
  /** Where the record starts in its file, for problems found when writing. */
  line?: number | null;
}

export interface CheckedUnit {
  line?: number | null;
  hsaId: string;
  name: string;
  specialty: Specialty;
}

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

export enum CatalogueEventKind {
  PROVIDER_CREATED = "PROVIDER_CREATED",
  PROVIDER_UPDATED = "PROVIDER_UPDATED",
  PROVIDER_DEACTIVATED = "PROVIDER_DEACTIVATED",
  CARE_UNIT_CREATED = "CARE_UNIT_CREATED",
  CARE_UNIT_UPDATED = "CARE_UNIT_UPDATED",
  CARE_UNIT_DEACTIVATED = "CARE_UNIT_DEACTIVATED",
}

export const CATALOGUE_EVENT_KINDS = new Set<string>(Object.values(CatalogueEventKind));

const SPECIALTIES = new Set<string>(Object.values(Specialty));
const KINDS = new Set<string>(Object.values(ProviderKind));

const textOf = (value: unknown): string | null => (typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : null);

/**
 * Checks providers and their units: HSA-id format (and that a provider's HSA-id carries its own
 * organisation number), the organisation number's check digit, a known kind, a region code, a
 * municipality that exists and lies in that region, unit names and known specialties, and no HSA-id
 * twice. Returns the checked records, or every problem found (all rows are checked, so a file's
 * author fixes them in one go).
 */
export function checkCatalogue(records: readonly ProviderRecord[]): { providers: CheckedProvider[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const providers: CheckedProvider[] = [];
  const seenProviders = new Map<string, number | null>();
  const seenUnits = new Map<string, number | null>();
  const name = (line: number | null, field: string, value: unknown): string => {
    const text = textOf(value);
    if (!text || text.length > 200) problems.push({ line, field, rule: "TEXT_LENGTH", message: "must be 1 to 200 characters" });
    return text ?? "";
  };
  for (const record of records) {
    const line = record.line ?? null;
    const before = problems.length;
    const hsa = parseHsaId(textOf(record.hsaId) ?? "");
    if (!hsa.ok) problems.push({ line, field: "hsaId", rule: hsa.rule, message: hsa.message });
    else if (seenProviders.has(hsa.value)) problems.push({ line, field: "hsaId", rule: "DUPLICATE_HSA_ID", message: `${hsa.value} is also on line ${seenProviders.get(hsa.value)}` });
    const org = parseOrganisationNumber(textOf(record.organisationNumber) ?? "");
    if (!org.ok) problems.push({ line, field: "organisationNumber", rule: org.rule, message: org.message });
    else if (hsa.ok && hsa.organisationNumber !== org.value) {
      problems.push({ line, field: "hsaId", rule: "HSA_ID_ORGANISATION_MISMATCH", message: `${hsa.value} is not issued under organisation number ${textOf(record.organisationNumber)}` });
    }
    const providerName = name(line, "name", record.name);
    const kind = textOf(record.kind) ?? "";
    if (!KINDS.has(kind)) problems.push({ line, field: "kind", rule: "PROVIDER_KIND_UNKNOWN", message: `"${kind}" is not PUBLIC or PRIVATE` });
    const regionCode = textOf(record.regionCode) ?? "";
    const municipalityCode = textOf(record.municipalityCode) ?? "";
    if (!isRegionCode(regionCode)) problems.push({ line, field: "regionCode", rule: "REGION_CODE_UNKNOWN", message: `"${regionCode}" is not one of the 21 county codes` });
    if (!municipalityExists(municipalityCode)) {
      problems.push({ line, field: "municipalityCode", rule: "MUNICIPALITY_UNKNOWN", message: `"${municipalityCode}" is not a Swedish municipality code` });
    } else if (isRegionCode(regionCode) && municipalityCode.slice(0, 2) !== regionCode) {
      problems.push({ line, field: "municipalityCode", rule: "MUNICIPALITY_NOT_IN_REGION", message: `municipality ${municipalityCode} is not in region ${regionCode}` });
    }
    if (hsa.ok && !seenProviders.has(hsa.value)) seenProviders.set(hsa.value, line);
    const units: CheckedUnit[] = [];
    for (const unit of record.units ?? []) {
      const unitLine = unit.line ?? line;
      const unitHsa = parseHsaId(textOf(unit.hsaId) ?? "");
      if (!unitHsa.ok) problems.push({ line: unitLine, field: "units.hsaId", rule: unitHsa.rule, message: unitHsa.message });
      else if (seenUnits.has(unitHsa.value)) {
        problems.push({ line: unitLine, field: "units.hsaId", rule: "DUPLICATE_HSA_ID", message: `${unitHsa.value} is also on line ${seenUnits.get(unitHsa.value)}` });
      } else seenUnits.set(unitHsa.value, unitLine);
      const unitName = name(unitLine, "units.name", unit.name);
      const specialty = textOf(unit.specialty) ?? "";
      if (!SPECIALTIES.has(specialty)) {
        problems.push({ line: unitLine, field: "units.specialty", rule: "SPECIALTY_UNKNOWN", message: `"${specialty}" is not one of ${[...SPECIALTIES].join(", ")}` });
      }
      if (unitHsa.ok) units.push({ line: unitLine, hsaId: unitHsa.value, name: unitName, specialty: specialty as Specialty });
    }
    if (problems.length === before && hsa.ok && org.ok) {
      providers.push({ line, hsaId: hsa.value, organisationNumber: org.value, name: providerName, kind: kind as ProviderKind, regionCode, municipalityCode, units });
    }
  }
  return { providers: problems.length ? [] : providers, problems };
}

/** What a change to the catalogue is made with: a full import also deactivates what it no longer lists. */
export interface ApplyOptions {
  /** The listed providers are every provider of their regions: deactivate the rest and their units. */
  full?: boolean;
  /** Why units are deactivated (and offers withdrawn), e.g. "Not in the HSA catalogue import of 2026-12-01". */
  deactivationReason?: string;
  /** Leave units the records do not list alone even when not full (a single provider's change). */
  now?: Date;
}

const providerSnapshot = (p: Provider) => ({
  id: p.id,
  hsaId: p.hsaId,
  organisationNumber: p.organisationNumber,
  name: p.name,
  kind: p.kind,
  regionCode: p.regionCode,
  municipalityCode: p.municipalityCode,
  active: p.active,
});

const unitSnapshot = (u: CareUnit) => ({
  id: u.id,
  hsaId: u.hsaId,
  name: u.name,
  specialty: u.specialty,
  providerId: u.providerId,
  active: u.active,
  deactivationReason: u.deactivationReason,
});

export class CareCatalogue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hubRegionCode: string,
  ) {}

  /**
   * Writes checked providers and their units in one transaction. A provider's units not in its
   * record are left alone unless `full`: then they, and the providers of the records' regions that
   * the records do not list, are deactivated with their open offers withdrawn.
   */
  async apply(providers: readonly CheckedProvider[], options: ApplyOptions = {}, db?: EntityManager): Promise<{ changes: CatalogueChanges; problems: RowProblem[] }> {
    const run = (manager: EntityManager) => this.write(manager, providers, options);
    return db ? run(db) : this.dataSource.transaction(run);
  }

  private async write(db: EntityManager, providers: readonly CheckedProvider[], options: ApplyOptions) {
    const now = options.now ?? new Date();
    const reason = options.deactivationReason ?? "No longer in the HSA catalogue";
    const changes: CatalogueChanges = { providersCreated: 0, providersUpdated: 0, providersDeactivated: 0, unitsCreated: 0, unitsUpdated: 0, unitsDeactivated: 0, offersWithdrawn: 0, events: 0 };
    const events: OutboxEvent[] = [];
    const event = (type: CatalogueEventKind, aggregateId: string, payload: Record<string, unknown>) =>
      events.push({ type, aggregateId, originRegionCode: this.hubRegionCode, payload });
    // Serialises catalogue writers (two imports at once would both create the same HSA-id).
    await db.query("SELECT pg_advisory_xact_lock(hashtext('care-hub:care-catalogue'))");

    const existingProviders = await chunkedFind(db, Provider, "hsaId", providers.map((p) => p.hsaId));
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
        event(CatalogueEventKind.PROVIDER_CREATED, provider.id, { provider: providerSnapshot(provider) });
      } else if (differs(provider, record, ["organisationNumber", "name", "kind", "regionCode", "municipalityCode"]) || !provider.active) {
        Object.assign(provider, withoutUnits(record), { active: true, deactivatedAt: null });
        changedProviders.push(provider);
        event(CatalogueEventKind.PROVIDER_UPDATED, provider.id, { provider: providerSnapshot(provider) });
      }
      for (const { line, ...unitRecord } of record.units) {
        let unit = unitByHsa.get(unitRecord.hsaId);
        if (!unit) {
          unit = Object.assign(new CareUnit(), { id: randomUUID(), ...unitRecord, providerId: provider.id, active: true, deactivatedAt: null, deactivationReason: null });
          newUnits.push(unit);
          event(CatalogueEventKind.CARE_UNIT_CREATED, unit.id, { careUnit: unitSnapshot(unit) });
        } else if (unit.providerId !== provider.id) {
          // Offers and referrals name the unit's provider: a unit does not change provider.
          problems.push({ line: line ?? null, field: "units.hsaId", rule: "CARE_UNIT_OF_ANOTHER_PROVIDER", message: `${unit.hsaId} belongs to another provider in this hub` });
        } else if (differs(unit, unitRecord, ["name", "specialty"]) || !unit.active) {
          Object.assign(unit, unitRecord, { active: true, deactivatedAt: null, deactivationReason: null });
          changedUnits.push(unit);
          event(CatalogueEventKind.CARE_UNIT_UPDATED, unit.id, { careUnit: unitSnapshot(unit) });
        }
        listedUnitIds.add(unit.id);
      }
    }
    if (problems.length) return { changes, problems };

    for (let i = 0; i < newProviders.length; i += 500) await db.insert(Provider, newProviders.slice(i, i + 500));
    for (let i = 0; i < newUnits.length; i += 500) await db.insert(CareUnit, newUnits.slice(i, i + 500));
    for (const p of changedProviders) await db.update(Provider, { id: p.id }, { ...withoutUnits(p as unknown as CheckedProvider), active: true, deactivatedAt: null, updatedAt: now } as never);
    for (const u of changedUnits) await db.update(CareUnit, { id: u.id }, { name: u.name, specialty: u.specialty, active: true, deactivatedAt: null, deactivationReason: null, updatedAt: now } as never);
    changes.providersCreated = newProviders.length;
    changes.providersUpdated = changedProviders.length;
    changes.unitsCreated = newUnits.length;
    changes.unitsUpdated = changedUnits.length;

    if (options.full && providers.length > 0) {
      const regions = [...new Set(providers.map((p) => p.regionCode))];
      const listedProviders = new Set(providers.map((p) => providerByHsa.get(p.hsaId)?.id ?? newProviders.find((n) => n.hsaId === p.hsaId)!.id));
      const gone: Provider[] = (await db.getRepository(Provider).find({ where: { regionCode: In(regions), active: true } })).filter((p) => !listedProviders.has(p.id));
      for (const provider of gone) {
        await db.update(Provider, { id: provider.id }, { active: false, deactivatedAt: now, updatedAt: now } as never);
        provider.active = false;
        event(CatalogueEventKind.PROVIDER_DEACTIVATED, provider.id, { provider: providerSnapshot(provider) });
      }
      changes.providersDeactivated = gone.length;
      const providerIds = [...listedProviders, ...gone.map((p) => p.id)];
      const units = await chunkedFind(db, CareUnit, "providerId", providerIds, { active: true });
      const dropped = units.filter((u) => !listedUnitIds.has(u.id));
      const { withdrawn, events: offerEvents } = await this.deactivateUnits(db, dropped, reason, now);
      for (const unit of dropped) event(CatalogueEventKind.CARE_UNIT_DEACTIVATED, unit.id, { careUnit: unitSnapshot(unit) });
      events.push(...offerEvents);
      changes.unitsDeactivated = dropped.length;
      changes.offersWithdrawn = withdrawn;
    }
    changes.events = (await appendEvents(db, SCHEMA, events)).length;
    return { changes, problems };
  }

  /** Deactivates one unit (an administrator's decision), withdrawing its open offers with the reason. */
  async deactivateUnit(unitId: string, reason: string): Promise<{ unit: CareUnit; offersWithdrawn: number } | null> {
    return this.dataSource.transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock(hashtext('care-hub:care-catalogue'))");
      const unit = await db.getRepository(CareUnit).findOne({ where: { id: unitId }, lock: { mode: "pessimistic_write" } });
      if (!unit) return null;
      if (!unit.active) return { unit, offersWithdrawn: 0 };
      const now = new Date();
      const { withdrawn, events } = await this.deactivateUnits(db, [unit], reason, now);
      await appendEvents(db, SCHEMA, [...events, { type: CatalogueEventKind.CARE_UNIT_DEACTIVATED, aggregateId: unit.id, originRegionCode: this.hubRegionCode, payload: { careUnit: unitSnapshot(unit) } }]);
      return { unit, offersWithdrawn: withdrawn };
    });
  }

  /** Marks units inactive and withdraws their open offers with `reason`; answers the offers' events. */
  private async deactivateUnits(db: EntityManager, units: CareUnit[], reason: string, now: Date): Promise<{ withdrawn: number; events: OutboxEvent[] }> {
    if (units.length === 0) return { withdrawn: 0, events: [] };
    const ids = units.map((u) => u.id);
    for (let i = 0; i < ids.length; i += 1_000) {
      await db.update(CareUnit, { id: In(ids.slice(i, i + 1_000)) }, { active: false, deactivatedAt: now, deactivationReason: reason, updatedAt: now } as never);
    }
    for (const unit of units) Object.assign(unit, { active: false, deactivatedAt: now, deactivationReason: reason });
    const offers = await chunkedFind(db, CapacityOffer, "careUnitId", ids, { status: OfferStatus.OPEN }, true);
    if (offers.length === 0) return { withdrawn: 0, events: [] };
    const withdrawalReason = `Care unit deactivated: ${reason}`.slice(0, 500);
    for (const offer of offers) {
      Object.assign(offer, { status: OfferStatus.WITHDRAWN, withdrawnAt: now, withdrawalReason, revision: offer.revision + 1 });
      await db.update(CapacityOffer, { id: offer.id }, { status: OfferStatus.WITHDRAWN, withdrawnAt: now, withdrawalReason, revision: offer.revision } as never);
    }
    const providers = new Map((await db.getRepository(Provider).findBy({ id: In([...new Set(offers.map((o) => o.providerId))]) })).map((p) => [p.id, p]));
    return { withdrawn: offers.length, events: offers.map((o) => offerEvent(OfferEventKind.WITHDRAWN, o, providers.get(o.providerId)!, this.hubRegionCode)) };
  }
}

function withoutUnits(record: CheckedProvider): Omit<CheckedProvider, "units"> {
  const { hsaId, organisationNumber, name, kind, regionCode, municipalityCode } = record;
  return { hsaId, organisationNumber, name, kind, regionCode, municipalityCode };
}

function differs<T extends object>(current: T, wanted: object, fields: string[]): boolean {
  return fields.some((f) => (current as Record<string, unknown>)[f] !== (wanted as Record<string, unknown>)[f]);
}

async function chunkedFind<T extends object>(
  db: EntityManager,
  entity: new () => T,
  field: string,
  values: readonly string[],
  where: Record<string, unknown> = {},
  lock = false,
): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < values.length; i += 1_000) {
    const chunk = values.slice(i, i + 1_000);
    found.push(...(await db.getRepository(entity).find({ where: { ...where, [field]: In(chunk) } as never, ...(lock ? { lock: { mode: "pessimistic_write" as const } } : {}) })));
  }
  return found;
}
