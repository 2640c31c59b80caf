/**
 * The capacity subgraph's DataLoaders, one per entity key and per child list, built for each
 * request (so nothing is cached across callers). Entities by key are read with one plain statement
 * each (rows.ts): an offer page's providers, care units and procedures are on every search.
 */

import DataLoader from "dataloader";
import { DataSource, In, IsNull } from "typeorm";
import { byKey, childrenByColumn, childrenByKey } from "../shared/loaders";
import { rowsWhereIn } from "../shared/rows";
import { CapacityOffer, OfferSlot, Reservation } from "./entities/capacity-offer.entity";
import { Procedure } from "./entities/procedure.entity";
import { CareUnit, Provider } from "./entities/provider.entity";
import { HealthcareRegion, HealthcareRegionMember, Region } from "./entities/region.entity";
import { provenanceOf } from "./services/smart-scheduling";

export function createCapacityLoaders(dataSource: DataSource) {
  const repo = <T extends object>(entity: new () => T) => dataSource.getRepository(entity);
  return {
    region: byKey(
      (codes: readonly string[]) => rowsWhereIn(dataSource, Region, "code", codes),
      (r) => r.code,
    ),
    healthcareRegion: byKey(
      (codes: readonly string[]) => rowsWhereIn(dataSource, HealthcareRegion, "code", codes),
      (h) => h.code,
    ),
    membershipsOfRegion: childrenByColumn(repo(HealthcareRegionMember), "regionCode", { healthcareRegionCode: "ASC" }),
    membersOfHealthcareRegion: childrenByColumn(repo(HealthcareRegionMember), "healthcareRegionCode", { regionCode: "ASC" }),
    procedure: byKey(
      (codes: readonly string[]) => rowsWhereIn(dataSource, Procedure, "code", codes),
      (p) => p.code,
    ),
    provider: byKey(
      (ids: readonly string[]) => rowsWhereIn(dataSource, Provider, "id", ids),
      (p) => p.id,
    ),
    careUnit: byKey(
      (ids: readonly string[]) => rowsWhereIn(dataSource, CareUnit, "id", ids),
      (u) => u.id,
    ),
    careUnitsOfProvider: childrenByColumn(repo(CareUnit), "providerId", { name: "ASC" }),
    offer: byKey(
      (ids: readonly string[]) => rowsWhereIn(dataSource, CapacityOffer, "id", ids),
      (o) => o.id,
    ),
    slotsOfOffer: childrenByColumn(repo(OfferSlot), "offerId", { startsAt: "ASC" }),
    // Only standing reservations: a released one no longer holds slots.
    openReservationsOfOffer: childrenByKey(
      (ids: readonly string[]) =>
        repo(Reservation).find({ where: { offerId: In([...ids]), releasedAt: IsNull() }, order: { reservedAt: "ASC", id: "ASC" } }),
      (reservation) => reservation.offerId,
    ),
    /** The scheduling feed an offer came from, if any: one statement for a page of offers. */
    provenanceOfOffer: new DataLoader(async (ids: readonly string[]) => {
      const found = await provenanceOf(dataSource, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}

export type CapacityLoaders = ReturnType<typeof createCapacityLoaders>;
