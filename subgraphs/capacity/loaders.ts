import { DataSource, In, IsNull } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { byKey, childrenByKey } from "../shared/loaders";
import { CapacityOffer, OfferSlot, Reservation } from "./entities/capacity-offer.entity";
import { Procedure } from "./entities/procedure.entity";
import { CareUnit, Provider } from "./entities/provider.entity";
import { HealthcareRegion, HealthcareRegionMember, Region } from "./entities/region.entity";
import { CapacityRuntime } from "./runtime";
import { CapacitySearch } from "./services/capacity-search";

/** The capacity subgraph's per-request context: batched loaders for every entity and child list. */
export function createCapacityContext(dataSource: DataSource, base: BaseRequestContext, runtime: CapacityRuntime) {
  const repo = <T extends object>(entity: new () => T) => dataSource.getRepository(entity);
  return {
    ...base,
    search: new CapacitySearch(dataSource),
    publishing: runtime.publishing,
    scheduling: runtime.scheduling,
    catalogue: runtime.catalogue,
    events: runtime.events,
    national: runtime.national,
    /** Healthcare-region memberships, which subscription filters by healthcare region need. */
    memberships: () => repo(HealthcareRegionMember).find(),
    repositories: { provider: repo(Provider), careUnit: repo(CareUnit), procedure: repo(Procedure) },
    loaders: {
      region: byKey((codes: readonly string[]) => repo(Region).findBy({ code: In([...codes]) }), (r) => r.code),
      healthcareRegion: byKey(
        (codes: readonly string[]) => repo(HealthcareRegion).findBy({ code: In([...codes]) }),
        (h) => h.code,
      ),
      membershipsOfRegion: childrenByKey(
        (codes: readonly string[]) =>
          repo(HealthcareRegionMember).find({ where: { regionCode: In([...codes]) }, order: { healthcareRegionCode: "ASC" } }),
        (m) => m.regionCode,
      ),
      membersOfHealthcareRegion: childrenByKey(
        (codes: readonly string[]) =>
          repo(HealthcareRegionMember).find({ where: { healthcareRegionCode: In([...codes]) }, order: { regionCode: "ASC" } }),
        (m) => m.healthcareRegionCode,
      ),
      procedure: byKey((codes: readonly string[]) => repo(Procedure).findBy({ code: In([...codes]) }), (p) => p.code),
      provider: byKey((ids: readonly string[]) => repo(Provider).findBy({ id: In([...ids]) }), (p) => p.id),
      careUnit: byKey((ids: readonly string[]) => repo(CareUnit).findBy({ id: In([...ids]) }), (u) => u.id),
      careUnitsOfProvider: childrenByKey(
        (ids: readonly string[]) => repo(CareUnit).find({ where: { providerId: In([...ids]) }, order: { name: "ASC" } }),
        (u) => u.providerId,
      ),
      offer: byKey((ids: readonly string[]) => repo(CapacityOffer).findBy({ id: In([...ids]) }), (o) => o.id),
      slotsOfOffer: childrenByKey(
        (ids: readonly string[]) => repo(OfferSlot).find({ where: { offerId: In([...ids]) }, order: { startsAt: "ASC" } }),
        (slot) => slot.offerId,
      ),
      openReservationsOfOffer: childrenByKey(
        (ids: readonly string[]) =>
          repo(Reservation).find({ where: { offerId: In([...ids]), releasedAt: IsNull() }, order: { reservedAt: "ASC", id: "ASC" } }),
        (reservation) => reservation.offerId,
      ),
    },
  };
}

export type CapacityContext = ReturnType<typeof createCapacityContext>;
