/**
 * SMART Scheduling Links in: the hub polls each registered publisher's `$bulk-publish` manifest
 * and its Location, Schedule and Slot NDJSON files, and turns each mapped Schedule's free slots
 * into one offer with those slot times, through the same publishing service (and events) as the
 * GraphQL API. What a publisher sends is data to check, never trusted: every bad line is reported
 * in the publisher's status with its reason, valid lines are applied, each Schedule's offer changes
 * in one transaction or not at all, and the hub keeps serving whatever a publisher does.
 *
 * The hub connects only to configured destinations: a manifest URL an administrator registered,
 * and files on that manifest's own origin (a manifest naming files elsewhere is refused).
 */

import { randomUUID } from "node:crypto";
import { DataSource } from "typeorm";
import type { RequestScope } from "../../shared/context";
import { badUserInput, conflict, forbidden, notFound } from "../../shared/errors";
import { Identity, Role } from "../../shared/identity";
import { addDays, daysBetween, isIsoInstant, stockholmDate } from "../../shared/domain/calendar";
import { VisitType } from "../../shared/domain/enums";
import { isUuid } from "../../shared/domain/ids";
import { requireText } from "../../shared/validation";
import { logger } from "../../shared/log";
import { readLimitedBody } from "../../shared/limited-body";
import { OfferSource, OfferStatus } from "../domain/offers";
import { MAX_SLOT_TIMES, MAX_WINDOW_DAYS } from "../domain/publishing-rules";
import { CapacityPublishing } from "./capacity-publishing";

const log = logger("capacity/smart-scheduling");

/** Never poll a publisher more often than this, whatever its Cache-Control says. */
export const MIN_POLL_SECONDS = 60;
/** Polled again after a failure (the offers keep ageing; freshness shows it). */
const RETRY_SECONDS = 300;
const MANIFEST_MAX_BYTES = 1_000_000;
const FILE_MAX_BYTES = 20_000_000;
const FETCH_TIMEOUT_MS = 10_000;
/** Problems kept per publisher status (the first ones; the count says how many there were). */
const MAX_PROBLEMS = 200;
const SLOT_STATUSES = new Set(["free", "busy", "busy-tentative", "busy-unavailable", "entered-in-error"]);
const CAPACITY_EXTENSIONS = new Set([
  "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity",
  "http://hl7.org/fhir/uv/smart-scheduling-links/StructureDefinition/slot-capacity",
]);

export interface LocationMapping {
  locationId: string;
  careUnitId: string;
}

export interface ServiceTypeMapping {
  system: string;
  code: string;
  specialty: string;
  procedureCode: string | null;
}

export interface PublisherProblem {
  /** The manifest or a file's URL. */
  file: string;
  /** 1-based line of an NDJSON file; null for the file or manifest as a whole. */
  line: number | null;
  reason: string;
}

export interface PublisherRow {
  id: string;
  provider_id: string;
  name: string;
  manifest_url: string;
  location_map: LocationMapping[];
  service_type_map: ServiceTypeMapping[];
  etag: string | null;
  last_modified: string | null;
  transaction_time: Date | null;
  fetched_at: Date | null;
  last_attempt_at: Date | null;
  next_poll_at: Date;
  last_outcome: string | null;
  problems: PublisherProblem[];
  supports_since: boolean | null;
}

export interface RegisterPublisherInput {
  providerId: string;
  name: string;
  manifestUrl: string;
  locations: LocationMapping[];
  serviceTypes: ServiceTypeMapping[];
}

interface FeedSlot {
  id: string;
  scheduleId: string;
  start: Date;
  status: string;
}

interface MappedSchedule {
  scheduleId: string;
  careUnitId: string;
  specialty: string;
  procedureCode: string | null;
}

class FeedError extends Error {}

function requireAdministrator(caller: Identity): void {
  if (caller.role !== Role.ADMINISTRATOR) throw forbidden("Only an administrator may register and read SMART Scheduling Links publishers.");
}

/** Max-age of a Cache-Control header in seconds, or null. */
export function maxAgeOf(cacheControl: string | null): number | null {
  const match = cacheControl ? /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl) : null;
  return match ? Number(match[1]) : null;
}

/** The reference's id when it is `Type/id` (a relative reference) or ends so (absolute). */
function referenceId(reference: unknown, type: string): string | null {
  if (typeof reference !== "string") return null;
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference);
  return match ? match[1] : null;
}

function readLimited(response: Response, limit: number): Promise<string> {
  return readLimitedBody(response, limit, () => new FeedError(`larger than ${limit} bytes`));
}

/**
 * A line of a Smart Scheduling Links file as it claims to be: its resourceType is checked when read,
 * every other field where it is used.
 */
interface FeedResource {
  resourceType: string;
  id?: unknown;
  actor?: unknown;
  serviceType?: unknown;
  schedule?: { reference?: unknown } | null;
  status?: unknown;
  start?: unknown;
  extension?: unknown;
  [field: string]: unknown;
}

export class SmartScheduling {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publishing: CapacityPublishing,
    private readonly hubRegionCode: string,
  ) {}

  async register(scope: RequestScope, input: RegisterPublisherInput): Promise<PublisherRow> {
    requireAdministrator(scope.identity);
    const name = requireText("input.name", input.name, 1, 200);
    if (!isUuid(input.providerId)) throw badUserInput("input.providerId", "ID_FORMAT", `"${input.providerId}" is not a provider id (UUID)`);
    let url: URL;
    try {
      url = new URL(input.manifestUrl);
    } catch {
      throw badUserInput("input.manifestUrl", "URL_FORMAT", `"${input.manifestUrl}" is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw badUserInput("input.manifestUrl", "URL_SCHEME", "must be an http or https URL");
    if (url.username || url.password) throw badUserInput("input.manifestUrl", "URL_CREDENTIALS", "must not carry credentials");
    const provider = await this.dataSource.query(`SELECT id FROM capacity.provider WHERE id = $1`, [input.providerId]);
    if (provider.length === 0) throw notFound("input.providerId", `no provider ${input.providerId}`);
    if (input.locations.length === 0 || input.locations.length > 100)
      throw badUserInput("input.locations", "LIST_SIZE", "give 1 to 100 location mappings");
    if (input.serviceTypes.length === 0 || input.serviceTypes.length > 100)
      throw badUserInput("input.serviceTypes", "LIST_SIZE", "give 1 to 100 service-type mappings");
    const units: Array<{ id: string; provider_id: string }> = await this.dataSource.query(
      `SELECT id, provider_id FROM capacity.care_unit WHERE id = ANY($1::uuid[])`,
      [input.locations.map((l) => l.careUnitId).filter(isUuid)],
    );
    const seenLocations = new Set<string>();
    input.locations.forEach((mapping, i) => {
      const field = `input.locations[${i}]`;
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(mapping.locationId))
        throw badUserInput(`${field}.locationId`, "FHIR_ID", "must be a FHIR resource id (letters, digits, - and ., at most 64)");
      if (seenLocations.has(mapping.locationId))
        throw badUserInput(`${field}.locationId`, "DUPLICATE", `Location ${mapping.locationId} is mapped twice`);
      seenLocations.add(mapping.locationId);
      const unit = units.find((u) => u.id === mapping.careUnitId);
      if (!unit) throw badUserInput(`${field}.careUnitId`, "UNKNOWN_CARE_UNIT", `no care unit ${mapping.careUnitId}`);
      if (unit.provider_id !== input.providerId)
        throw badUserInput(`${field}.careUnitId`, "OTHER_PROVIDER", "the care unit belongs to another provider");
    });
    const procedures: Array<{ code: string; specialty: string }> = await this.dataSource.query(
      `SELECT code, specialty FROM capacity.procedure`,
    );
    input.serviceTypes.forEach((mapping, i) => {
      const field = `input.serviceTypes[${i}]`;
      requireText(`${field}.system`, mapping.system, 1, 500);
      requireText(`${field}.code`, mapping.code, 1, 200);
      if (mapping.procedureCode != null) {
        const procedure = procedures.find((p) => p.code === mapping.procedureCode);
        if (!procedure)
          throw badUserInput(
            `${field}.procedureCode`,
            "UNKNOWN_PROCEDURE",
            `"${mapping.procedureCode}" is not a procedure this hub brokers`,
          );
        if (procedure.specialty !== mapping.specialty)
          throw badUserInput(`${field}.procedureCode`, "OTHER_SPECIALTY", `${mapping.procedureCode} belongs to ${procedure.specialty}`);
      }
    });
    const id = randomUUID();
    try {
      await this.dataSource.query(
        `INSERT INTO capacity.scheduling_publisher (id, provider_id, name, manifest_url, location_map, service_type_map) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          id,
          input.providerId,
          name,
          url.toString(),
          JSON.stringify(input.locations.map(({ locationId, careUnitId }) => ({ locationId, careUnitId }))),
          JSON.stringify(
            input.serviceTypes.map(({ system, code, specialty, procedureCode }) => ({
              system,
              code,
              specialty,
              procedureCode: procedureCode ?? null,
            })),
          ),
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === "23505") throw conflict(`a publisher with manifest ${url} is registered already`);
      throw error;
    }
    return (await this.byId(id))!;
  }

  async list(scope: RequestScope): Promise<PublisherRow[]> {
    requireAdministrator(scope.identity);
    return this.dataSource.query(`SELECT * FROM capacity.scheduling_publisher ORDER BY name, id`);
  }

  async byId(id: string): Promise<PublisherRow | null> {
    if (!isUuid(id)) return null;
    const rows: PublisherRow[] = await this.dataSource.query(`SELECT * FROM capacity.scheduling_publisher WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** An administrator's "poll now": still never more than once a minute per publisher. */
  async pollNow(scope: RequestScope, id: string): Promise<PublisherRow> {
    requireAdministrator(scope.identity);
    const publisher = await this.byId(id);
    if (!publisher) throw notFound("publisherId", `no publisher ${id}`);
    if (publisher.last_attempt_at && Date.now() - publisher.last_attempt_at.getTime() < MIN_POLL_SECONDS * 1000) {
      throw conflict(`polled less than ${MIN_POLL_SECONDS} s ago; publishers are polled at most once a minute`, {
        retryAfterSeconds: MIN_POLL_SECONDS,
      });
    }
    await this.poll(publisher, scope.today);
    return (await this.byId(id))!;
  }

  /** Polls every publisher that is due, for offers as of `today`; the runtime calls it on a timer. */
  async pollDue(today: string): Promise<number> {
    const due: PublisherRow[] = await this.dataSource.query(
      `SELECT * FROM capacity.scheduling_publisher WHERE next_poll_at <= now() AND (last_attempt_at IS NULL OR last_attempt_at <= now() - interval '${MIN_POLL_SECONDS} seconds') ORDER BY next_poll_at LIMIT 20`,
    );
    for (const publisher of due) await this.poll(publisher, today);
    return due.length;
  }

  private async poll(publisher: PublisherRow, today: string): Promise<void> {
    const attemptAt = new Date();
    await this.dataSource.query(`UPDATE capacity.scheduling_publisher SET last_attempt_at = $2 WHERE id = $1`, [publisher.id, attemptAt]);
    try {
      const outcome = await this.fetchAndApply(publisher, attemptAt, today);
      const nextSeconds = Math.max(MIN_POLL_SECONDS, outcome.maxAge ?? MIN_POLL_SECONDS);
      await this.dataSource.query(
        `UPDATE capacity.scheduling_publisher
            SET etag = COALESCE($2, etag), last_modified = COALESCE($3, last_modified), transaction_time = COALESCE($4, transaction_time),
                fetched_at = $5, next_poll_at = $5::timestamptz + make_interval(secs => $6), last_outcome = $7,
                problems = CASE WHEN $7 = 'NOT_MODIFIED' THEN problems ELSE $8::jsonb END, supports_since = COALESCE($9, supports_since)
          WHERE id = $1`,
        [
          publisher.id,
          outcome.etag,
          outcome.lastModified,
          outcome.transactionTime,
          attemptAt,
          nextSeconds,
          outcome.outcome,
          JSON.stringify(outcome.problems),
          outcome.supportsSince,
        ],
      );
    } catch (error) {
      const reason = error instanceof FeedError ? error.message : `unexpected: ${(error as Error).message}`;
      if (!(error instanceof FeedError)) log.warn(`publisher ${publisher.id}: ${reason}`);
      await this.dataSource.query(
        `UPDATE capacity.scheduling_publisher SET next_poll_at = now() + make_interval(secs => $2), last_outcome = $3, problems = $4::jsonb WHERE id = $1`,
        [publisher.id, RETRY_SECONDS, `FAILED`, JSON.stringify([{ file: publisher.manifest_url, line: null, reason }])],
      );
    }
  }

  private async get(url: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, {
        headers: { accept: "application/json, application/fhir+ndjson", ...headers },
        redirect: "error",
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (error) {
      throw new FeedError(`${url} could not be fetched: ${(error as Error).message}`);
    }
  }

  private async fetchAndApply(publisher: PublisherRow, now: Date, today: string) {
    const problems: PublisherProblem[] = [];
    const report = (file: string, line: number | null, reason: string) => {
      if (problems.length < MAX_PROBLEMS) problems.push({ file, line, reason });
    };
    // `_since` once the publisher said it supports it (or before we know): an answer that does not
    // echo `_since` in its `request` is a full set, applied as one.
    const manifestUrl = new URL(publisher.manifest_url);
    const askSince = publisher.transaction_time !== null && publisher.supports_since !== false;
    if (askSince) manifestUrl.searchParams.set("_since", publisher.transaction_time!.toISOString());
    const headers: Record<string, string> = {};
    if (publisher.etag) headers["if-none-match"] = publisher.etag;
    if (publisher.last_modified) headers["if-modified-since"] = publisher.last_modified;
    const response = await this.get(manifestUrl.toString(), headers);
    const maxAge = maxAgeOf(response.headers.get("cache-control"));
    const validators = { etag: response.headers.get("etag"), lastModified: response.headers.get("last-modified") };
    if (response.status === 304) {
      await response.body?.cancel();
      // Unchanged is a successful poll: the offers are as current as the publisher says.
      await this.dataSource.query(
        `UPDATE capacity.capacity_offer SET reported_at = $2 WHERE id IN (SELECT offer_id FROM capacity.scheduling_feed_schedule WHERE publisher_id = $1 AND offer_id IS NOT NULL) AND status = 'OPEN'`,
        [publisher.id, now],
      );
      return { outcome: "NOT_MODIFIED", problems: [], maxAge, transactionTime: null, supportsSince: null, ...validators };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FeedError(`the manifest answered HTTP ${response.status}`);
    }
    const text = await readLimited(response, MANIFEST_MAX_BYTES).catch((error: Error) => {
      throw new FeedError(`the manifest is ${error.message}`);
    });
    let manifest: { transactionTime?: unknown; request?: unknown; output?: unknown };
    try {
      manifest = JSON.parse(text);
    } catch {
      throw new FeedError("the manifest is not JSON");
    }
    if (typeof manifest.transactionTime !== "string" || !isIsoInstant(manifest.transactionTime))
      throw new FeedError("the manifest's transactionTime is missing or not an instant");
    if (!Array.isArray(manifest.output)) throw new FeedError("the manifest has no output array");
    const incremental = askSince && typeof manifest.request === "string" && manifest.request.includes("_since=");
    const files: Record<string, string[]> = { Location: [], Schedule: [], Slot: [] };
    for (const entry of manifest.output as Array<{ type?: unknown; url?: unknown }>) {
      if (!entry || typeof entry.type !== "string" || typeof entry.url !== "string") {
        report(publisher.manifest_url, null, "an output entry without type and url");
        continue;
      }
      let fileUrl: URL;
      try {
        fileUrl = new URL(entry.url, publisher.manifest_url);
      } catch {
        report(publisher.manifest_url, null, `output url "${entry.url}" is not a URL`);
        continue;
      }
      if (fileUrl.origin !== new URL(publisher.manifest_url).origin) {
        report(
          publisher.manifest_url,
          null,
          `output url ${fileUrl} is not on the manifest's origin; the hub fetches only from the registered publisher`,
        );
        continue;
      }
      if (entry.type in files) files[entry.type].push(fileUrl.toString());
    }
    const locations = new Set<string>();
    const schedules = new Map<string, MappedSchedule | null>();
    const slots: FeedSlot[] = [];
    const locationMap = new Map(publisher.location_map.map((m) => [m.locationId, m.careUnitId]));
    for (const url of files.Location) {
      for (const { line, resource } of await this.ndjson(url, "Location", report)) {
        if (typeof resource.id !== "string") report(url, line, "a Location without id");
        else locations.add(resource.id);
      }
    }
    for (const url of files.Schedule) {
      for (const { line, resource } of await this.ndjson(url, "Schedule", report)) {
        if (typeof resource.id !== "string") {
          report(url, line, "a Schedule without id");
          continue;
        }
        const actors = Array.isArray(resource.actor) ? resource.actor : [];
        const locationId =
          actors.map((a: { reference?: unknown }) => referenceId(a?.reference, "Location")).find((id: string | null) => id !== null) ??
          null;
        const careUnitId = locationId ? locationMap.get(locationId) : undefined;
        if (!locationId) {
          report(url, line, `Schedule ${resource.id} names no Location as actor`);
          schedules.set(resource.id, null);
          continue;
        }
        if (!careUnitId) {
          report(url, line, `Schedule ${resource.id}: Location ${locationId} is not mapped to a care unit`);
          schedules.set(resource.id, null);
          continue;
        }
        const codings = (Array.isArray(resource.serviceType) ? resource.serviceType : []).flatMap((c: { coding?: unknown }) =>
          Array.isArray(c?.coding) ? c.coding : [],
        );
        const mapping = publisher.service_type_map.find((m) =>
          codings.some((c: { system?: unknown; code?: unknown }) => c?.system === m.system && c?.code === m.code),
        );
        if (!mapping) {
          report(
            url,
            line,
            `Schedule ${resource.id}: no mapping for its serviceType codings (${codings.map((c: { system?: unknown; code?: unknown }) => `${c?.system}|${c?.code}`).join(", ") || "none"}); not guessed`,
          );
          schedules.set(resource.id, null);
          continue;
        }
        schedules.set(resource.id, {
          scheduleId: resource.id,
          careUnitId,
          specialty: mapping.specialty,
          procedureCode: mapping.procedureCode,
        });
      }
    }
    // Schedules known from earlier polls count for an incremental answer's slots.
    const known: Array<{ schedule_id: string; care_unit_id: string; specialty: string; procedure_code: string | null }> =
      await this.dataSource.query(
        `SELECT schedule_id, care_unit_id, specialty, procedure_code FROM capacity.scheduling_feed_schedule WHERE publisher_id = $1`,
        [publisher.id],
      );
    if (incremental) {
      for (const row of known) {
        if (!schedules.has(row.schedule_id))
          schedules.set(row.schedule_id, {
            scheduleId: row.schedule_id,
            careUnitId: row.care_unit_id,
            specialty: row.specialty,
            procedureCode: row.procedure_code,
          });
      }
    }
    for (const url of files.Slot) {
      for (const { line, resource } of await this.ndjson(url, "Slot", report)) {
        const scheduleId = referenceId(resource.schedule?.reference, "Schedule");
        if (typeof resource.id !== "string") report(url, line, "a Slot without id");
        else if (!scheduleId) report(url, line, `Slot ${resource.id} has no schedule reference`);
        else if (!schedules.has(scheduleId)) report(url, line, `Slot ${resource.id}: unknown Schedule ${scheduleId}`);
        else if (typeof resource.status !== "string" || !SLOT_STATUSES.has(resource.status))
          report(url, line, `Slot ${resource.id}: status "${resource.status}" is not a Slot status`);
        else if (typeof resource.start !== "string" || !isIsoInstant(resource.start))
          report(url, line, `Slot ${resource.id}: start "${resource.start}" is not an instant with a time zone`);
        else if (schedules.get(scheduleId) === null)
          continue; // its Schedule is reported already
        else {
          const capacity = (Array.isArray(resource.extension) ? resource.extension : []).find((e: { url?: unknown }) =>
            CAPACITY_EXTENSIONS.has(String(e?.url)),
          );
          if (capacity && capacity.valueInteger !== 1 && resource.status === "free") {
            report(
              url,
              line,
              `Slot ${resource.id}: slot-capacity ${capacity.valueInteger} is taken as one time (the hub keeps each start time once)`,
            );
          }
          slots.push({ id: resource.id, scheduleId, start: new Date(resource.start), status: resource.status });
        }
      }
    }
    await this.apply(publisher, schedules, slots, incremental, now, today, report);
    const outcome = problems.length ? "APPLIED_WITH_PROBLEMS" : "OK";
    return {
      outcome,
      problems,
      maxAge,
      transactionTime: new Date(manifest.transactionTime),
      supportsSince: askSince ? incremental : null,
      ...validators,
    };
  }

  private async ndjson(
    url: string,
    type: string,
    report: (file: string, line: number | null, reason: string) => void,
  ): Promise<Array<{ line: number; resource: FeedResource }>> {
    let text: string;
    try {
      const response = await this.get(url, {});
      if (!response.ok) {
        await response.body?.cancel();
        report(url, null, `answered HTTP ${response.status}; its ${type} resources are left as they were`);
        return [];
      }
      text = await readLimited(response, FILE_MAX_BYTES);
    } catch (error) {
      report(url, null, (error as Error).message);
      return [];
    }
    const lines: Array<{ line: number; resource: FeedResource }> = [];
    let bad = 0;
    text.split("\n").forEach((raw, index) => {
      if (raw.trim() === "") return;
      let resource: FeedResource | null;
      try {
        resource = JSON.parse(raw);
      } catch {
        bad += 1;
        report(url, index + 1, "not a JSON object (NDJSON has one resource per line)");
        return;
      }
      if (!resource || typeof resource !== "object" || resource.resourceType !== type) {
        report(url, index + 1, `not a ${type} resource`);
        return;
      }
      lines.push({ line: index + 1, resource });
    });
    if (bad > 0 && lines.length === 0) report(url, null, "the file is not NDJSON");
    return lines;
  }

  /**
   * Applies the feed: the publisher's slots as now known (replaced for a full set, merged for an
   * incremental one), then per mapped Schedule its offer: published, changed to the free times,
   * or withdrawn when none is left. Each Schedule's change is its own transaction.
   */
  private async apply(
    publisher: PublisherRow,
    schedules: Map<string, MappedSchedule | null>,
    feedSlots: FeedSlot[],
    incremental: boolean,
    now: Date,
    today: string,
    report: (file: string, line: number | null, reason: string) => void,
  ): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      if (!incremental) await db.query(`DELETE FROM capacity.scheduling_feed_slot WHERE publisher_id = $1`, [publisher.id]);
      for (const slot of feedSlots) {
        await db.query(
          `INSERT INTO capacity.scheduling_feed_slot (publisher_id, slot_id, schedule_id, starts_at, status) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (publisher_id, slot_id) DO UPDATE SET schedule_id = EXCLUDED.schedule_id, starts_at = EXCLUDED.starts_at, status = EXCLUDED.status`,
          [publisher.id, slot.id, slot.scheduleId, slot.start, slot.status],
        );
      }
    });
    const stored: Array<{ schedule_id: string; starts_at: Date }> = await this.dataSource.query(
      `SELECT schedule_id, starts_at FROM capacity.scheduling_feed_slot WHERE publisher_id = $1 AND status = 'free' AND starts_at > $2 ORDER BY starts_at`,
      [publisher.id, now],
    );
    const existing: Array<{ schedule_id: string; offer_id: string | null }> = await this.dataSource.query(
      `SELECT schedule_id, offer_id FROM capacity.scheduling_feed_schedule WHERE publisher_id = $1`,
      [publisher.id],
    );
    const scheduleIds = new Set([
      ...[...schedules].filter(([, m]) => m !== null).map(([id]) => id),
      ...(incremental ? [] : existing.map((e) => e.schedule_id)),
    ]);
    if (incremental) for (const e of existing) scheduleIds.add(e.schedule_id);
    const feed: RequestScope = {
      identity: this.feedIdentity(publisher),
      today,
      requestId: `smart-scheduling:${publisher.id}:${randomUUID()}`,
    };
    for (const scheduleId of scheduleIds) {
      const mapped = schedules.get(scheduleId);
      const offerId = existing.find((e) => e.schedule_id === scheduleId)?.offer_id ?? null;
      let times = stored.filter((s) => s.schedule_id === scheduleId).map((s) => s.starts_at);
      const lastDay = addDays(today, MAX_WINDOW_DAYS - 1);
      const beyond = times.filter((t) => stockholmDate(t) > lastDay).length;
      if (beyond > 0)
        report(
          publisher.manifest_url,
          null,
          `Schedule ${scheduleId}: ${beyond} free slot(s) more than ${MAX_WINDOW_DAYS} days ahead are left for later polls`,
        );
      times = times.filter((t) => stockholmDate(t) <= lastDay);
      if (times.length > MAX_SLOT_TIMES) {
        report(
          publisher.manifest_url,
          null,
          `Schedule ${scheduleId}: ${times.length} free slots; the earliest ${MAX_SLOT_TIMES} are offered`,
        );
        times = times.slice(0, MAX_SLOT_TIMES);
      }
      try {
        await this.applySchedule(feed, publisher, scheduleId, mapped ?? null, offerId, times);
      } catch (error) {
        report(publisher.manifest_url, null, `Schedule ${scheduleId}: not applied (${(error as Error).message}); its offer is as it was`);
      }
    }
  }

  /** The hub acting for the publisher's provider: may manage that provider's capacity, nothing else. */
  private feedIdentity(publisher: PublisherRow): Identity {
    return {
      subject: `hub:smart-scheduling:${publisher.id}`,
      issuer: "hub",
      role: Role.PROVIDER,
      regionCode: this.hubRegionCode,
      providerId: publisher.provider_id,
      careUnitId: null,
      employeeHsaId: null,
      assignmentPurpose: null,
      careUnitHsaId: null,
      careProviderHsaId: null,
      assuranceLevel: 0,
      expiresAt: Number.MAX_SAFE_INTEGER,
    };
  }

  private async applySchedule(
    feed: RequestScope,
    publisher: PublisherRow,
    scheduleId: string,
    mapped: MappedSchedule | null,
    offerId: string | null,
    times: Date[],
  ): Promise<void> {
    const { today } = feed;
    const reportedBy = `SMART Scheduling Links: ${publisher.name}`;
    const offer = offerId
      ? (
          (await this.dataSource.query(`SELECT id, status, reserved_slots, valid_until FROM capacity.capacity_offer WHERE id = $1`, [
            offerId,
          ])) as Array<{ id: string; status: string; reserved_slots: number; valid_until: string }>
        )[0]
      : undefined;
    const open = offer && offer.status === OfferStatus.OPEN && offer.valid_until >= today;
    if (open) {
      const current: Array<{ starts_at: Date }> = await this.dataSource.query(
        `SELECT starts_at FROM capacity.offer_slot WHERE offer_id = $1 ORDER BY starts_at`,
        [offer.id],
      );
      // A reserved slot is never given back by a poll: the offer keeps as many times as are
      // reserved, the earliest of its current ones the feed no longer lists free.
      const free = new Set(times.map((t) => t.getTime()));
      const kept = current
        .map((c) => c.starts_at)
        .filter((t) => !free.has(t.getTime()))
        .slice(0, Math.max(0, offer.reserved_slots - times.length));
      const next = [...times, ...kept].sort((a, b) => a.getTime() - b.getTime());
      if (next.length === 0) {
        await this.publishing.withdraw(feed, offer.id, "The publisher's feed lists no free slot for this Schedule any more", null);
        return;
      }
      const same = next.length === current.length && next.every((t, i) => t.getTime() === current[i].starts_at.getTime());
      if (same) {
        await this.dataSource.query(`UPDATE capacity.capacity_offer SET reported_at = now() WHERE id = $1`, [offer.id]);
        return;
      }
      const lastDay = stockholmDate(next[next.length - 1]);
      await this.publishing.update(
        feed,
        offer.id,
        { slotTimes: next.map((t) => t.toISOString()), validUntil: lastDay > offer.valid_until ? lastDay : undefined, reportedBy },
        null,
      );
      return;
    }
    if (!mapped || times.length === 0) return;
    const first = stockholmDate(times[0]);
    // The offer and the Schedule's link to it are written in one transaction: a crash between the
    // two would leave an offer that later polls neither update nor withdraw.
    await this.publishing.publish(
      feed,
      {
        reportedBy,
        source: OfferSource.SCHEDULING_FEED,
        offers: [
          {
            careUnitId: mapped.careUnitId,
            procedureCode: mapped.procedureCode,
            visitType: mapped.procedureCode ? null : VisitType.FIRST_VISIT,
            slotTimes: times.map((t) => t.toISOString()),
            validFrom: today,
            validUntil: stockholmDate(times[times.length - 1]),
            earliestStart: first,
            expectedWaitDays: Math.min(730, Math.max(0, daysBetween(today, first))),
          },
        ],
      },
      null,
      (db, offers) =>
        db.query(
          `INSERT INTO capacity.scheduling_feed_schedule (publisher_id, schedule_id, care_unit_id, specialty, procedure_code, offer_id) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (publisher_id, schedule_id) DO UPDATE SET care_unit_id = EXCLUDED.care_unit_id, specialty = EXCLUDED.specialty, procedure_code = EXCLUDED.procedure_code, offer_id = EXCLUDED.offer_id`,
          [publisher.id, scheduleId, mapped.careUnitId, mapped.specialty, mapped.procedureCode, offers[0].id],
        ),
    );
  }
}

/** The publisher whose feed made each offer, with what it last fetched; offers no feed made are absent. */
export async function provenanceOf(
  dataSource: DataSource,
  offerIds: readonly string[],
): Promise<Map<string, { publisher: PublisherRow; scheduleId: string }>> {
  const rows: Array<PublisherRow & { offer_id: string; schedule_id: string }> = await dataSource.query(
    `SELECT p.*, s.offer_id, s.schedule_id FROM capacity.scheduling_feed_schedule s JOIN capacity.scheduling_publisher p ON p.id = s.publisher_id WHERE s.offer_id = ANY($1::uuid[])`,
    [[...offerIds]],
  );
  return new Map(rows.map((row) => [row.offer_id, { publisher: row, scheduleId: row.schedule_id }]));
}
