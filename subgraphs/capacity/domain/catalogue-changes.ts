/**
 * What can happen in the care catalogue (providers, care units, the KVÅ list): each is the type of
 * one event in the capacity event log, and the kind a `careCatalogueChanged` subscriber is told.
 */

export enum CatalogueChangeKind {
  PROVIDER_CREATED = "PROVIDER_CREATED",
  PROVIDER_UPDATED = "PROVIDER_UPDATED",
  PROVIDER_DEACTIVATED = "PROVIDER_DEACTIVATED",
  CARE_UNIT_CREATED = "CARE_UNIT_CREATED",
  CARE_UNIT_UPDATED = "CARE_UNIT_UPDATED",
  CARE_UNIT_DEACTIVATED = "CARE_UNIT_DEACTIVATED",
  /** A KVÅ import added or changed codes (caches of capacity answers naming procedures hear it). */
  PROCEDURE_LIST_CHANGED = "PROCEDURE_LIST_CHANGED",
}

const CATALOGUE_CHANGE_KINDS = new Set<string>(Object.values(CatalogueChangeKind));

/** Whether an event type of the capacity event log is a change to the care catalogue. */
export function isCatalogueChange(eventType: string): boolean {
  return CATALOGUE_CHANGE_KINDS.has(eventType);
}
