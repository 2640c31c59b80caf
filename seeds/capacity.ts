import { DataSource } from "typeorm";
import { addDays } from "../subgraphs/shared/domain/calendar";
import { VisitType } from "../subgraphs/shared/domain/enums";
import { OfferSource, OfferStatus } from "../subgraphs/capacity/domain/offers";
import { CapacityOffer } from "../subgraphs/capacity/entities/capacity-offer.entity";
import { CareUnit, Provider } from "../subgraphs/capacity/entities/provider.entity";
import { careUnitId, hsaId, OfferSeed, PROVIDERS, providerId, UnitSeed } from "./data/providers";
import { seedId } from "../subgraphs/shared/db/seed-ids";
import { insertMissing, runSeedStep } from "../subgraphs/shared/db/seed-step";

/**
 * Demo providers, care units and their offers, with dates relative to `today`. `ownRegion`: only the
 * providers located in that region (a node of the national network holds its own region's).
 */
export function seedCapacityDemo(dataSource: DataSource, today: string, now: Date = new Date(), ownRegion?: string): Promise<boolean> {
  const providers = ownRegion ? PROVIDERS.filter((p) => p.regionCode === ownRegion) : PROVIDERS;
  return runSeedStep(dataSource, "demo-v1", async (manager) => {
    await insertMissing(
      manager,
      Provider,
      providers.map((p) => ({
        id: providerId(p.key),
        hsaId: hsaId(p.key),
        organisationNumber: hsaId(p.key).slice(2, 12),
        active: true,
        deactivatedAt: null,
        name: p.name,
        kind: p.kind,
        regionCode: p.regionCode,
        municipalityCode: p.municipalityCode,
      })),
    );
    await insertMissing(
      manager,
      CareUnit,
      providers.flatMap((p) =>
        p.units.map((u) => ({
          id: careUnitId(u.key),
          hsaId: hsaId(u.key),
          name: u.name,
          specialty: u.specialty,
          providerId: providerId(p.key),
          active: true,
          deactivatedAt: null,
          deactivationReason: null,
        })),
      ),
    );
    await insertMissing(
      manager,
      CapacityOffer,
      providers.flatMap((p) => p.units.flatMap((u) => u.offers.map((o, i) => offerRow(p.key, u, o, i, today, now)))),
    );
  });
}

function offerRow(providerKey: string, unit: UnitSeed, offer: OfferSeed, index: number, today: string, now: Date): CapacityOffer {
  const expired = offer.state === "EXPIRED";
  const row = new CapacityOffer();
  Object.assign(row, {
    id: seedId("offer", `${unit.key}:${index}`),
    careUnitId: careUnitId(unit.key),
    providerId: providerId(providerKey),
    specialty: unit.specialty,
    procedureCode: offer.procedure ?? null,
    visitType: offer.procedure ? VisitType.TREATMENT : VisitType.FIRST_VISIT,
    totalSlots: offer.slots,
    reservedSlots: offer.state === "FULL" ? offer.slots : 0,
    earliestStart: expired ? addDays(today, -30) : addDays(today, offer.startsInDays),
    validFrom: expired ? addDays(today, -60) : addDays(today, -7),
    validUntil: expired ? addDays(today, -1) : addDays(today, offer.validForDays),
    expectedWaitDays: offer.expectedWaitDays,
    status: offer.state === "WITHDRAWN" ? OfferStatus.WITHDRAWN : expired ? OfferStatus.EXPIRED : OfferStatus.OPEN,
    withdrawnAt: offer.state === "WITHDRAWN" ? now : null,
    withdrawalReason: offer.state === "WITHDRAWN" ? "Surgeon on leave (demo data)" : null,
    expiredAt: expired ? now : null,
    source: offer.source === "API" ? OfferSource.API : OfferSource.MANUAL,
    reportedBy: offer.source === "API" ? "Provider booking system (demo data)" : "Capacity coordinator (demo data)",
    reportedAt: new Date(now.getTime() - (offer.reportedDaysAgo ?? 1) * 86_400_000),
    minPatientAge: offer.minAge ?? null,
    maxPatientAge: offer.maxAge ?? null,
    conditions: offer.conditions ?? null,
  });
  return row;
}
