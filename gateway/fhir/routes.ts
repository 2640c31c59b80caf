/**
 * The FHIR R4 API at /fhir on the gateway. It is built on the hub's public GraphQL API, executed
 * by the gateway itself with the caller's own identity: the same token, the same roles and rules,
 * the same audit of patient data (the referrals and patients subgraphs' access layer decides, not
 * this module), and no second way into any table. Capacity is never public: every path here needs
 * a token, as /graphql does.
 */

import { IncomingMessage, ServerResponse } from "node:http";
import { GraphQLError } from "graphql";
import { isIsoDate, isIsoInstant } from "../../subgraphs/shared/domain/calendar";
import { isUuid } from "../../subgraphs/shared/domain/ids";
import { HUB_SYSTEM, OID } from "./codes";
import {
  FhirResource,
  locationResource,
  OfferData,
  operationOutcome,
  ProviderData,
  ReferralData,
  scheduleResource,
  searchBundle,
  serviceRequestResource,
  slotResources,
  stockholmMidnight,
  taskResource,
} from "./resources";

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Executes an operation through the gateway as the request's caller; throws the caller's refusal (UNAUTHENTICATED …). */
export type ExecuteAs = (req: IncomingMessage, query: string, variables: Record<string, unknown>) => Promise<GraphQLAnswer>;

const FHIR_JSON = "application/fhir+json; charset=utf-8";
const PAGE = 100;
/** Offers read for one search or export at most: 50 pages of 100. */
const MAX_OFFERS = 5000;

class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly expression?: string,
  ) {
    super(message);
  }
}

const OFFER_FIELDS = /* GraphQL */ `
  id specialty visitType totalSlots availableSlots validFrom validUntil earliestStart expectedWaitDays reportedAt conditions slotTimes
  procedure { code name }
  careUnit { id }
`;

const OFFERS_QUERY = /* GraphQL */ `
  query FhirOffers($filter: FreeCapacityFilter, $after: String) {
    freeCapacity(filter: $filter, first: ${PAGE}, after: $after) {
      edges { node { ${OFFER_FIELDS} } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const PROVIDERS_QUERY = /* GraphQL */ `
  query FhirProviders {
    providers { id hsaId name kind region { code name } careUnits { id hsaId name specialty } }
  }
`;

const REFERRAL_QUERY = /* GraphQL */ `
  query FhirReferral($id: ID!) {
    referral(id: $id) {
      id specialty visitType decisionDate diagnosisCode status registeredAt sentAt bookedFor revision
      procedure { code name }
      homeRegion { code name }
      provider { id hsaId name }
      patient { id identityKind personalIdentityNumber givenName familyName }
      paymentCommitment {
        id agreementKind agreementName pricePerCaseSek
        national { commitmentTypeCode chapterCode validFrom validUntil liableCountyCouncilCode outpatientOnly approvalDate approverHsaId approverName reimbursementType }
      }
    }
  }
`;

/** What a capacity search asks for, from FHIR search parameters. */
export interface CapacitySearch {
  specialty?: string;
  procedureCode?: string;
  /** Lower and upper bounds on Slot.start, as instants (ms) with inclusiveness. */
  from?: { at: number; inclusive: boolean };
  to?: { at: number; inclusive: boolean };
  statuses?: Set<string>;
}

const SEARCH_PARAMETERS: Record<string, string[]> = {
  Slot: ["specialty", "service-type", "start", "status"],
  Schedule: ["specialty", "service-type"],
  Location: ["specialty"],
};

/** A token parameter's code, given as `code` or `system|code`, of the system expected. */
function tokenCode(name: string, value: string, system: string): string {
  const bar = value.indexOf("|");
  if (bar >= 0 && value.slice(0, bar) !== "" && value.slice(0, bar) !== system) {
    throw new FhirError(400, "invalid", `${name}: the system must be ${system}, got ${value.slice(0, bar)}`, name);
  }
  const code = bar >= 0 ? value.slice(bar + 1) : value;
  if (code === "") throw new FhirError(400, "invalid", `${name}: a code is needed`, name);
  return code;
}

/** A date or dateTime search value (with an eq/ge/gt/le/lt prefix) as bounds in ms. */
function dateBounds(value: string): { prefix: string; low: number; high: number } {
  const match = /^(eq|ge|gt|le|lt)?(.+)$/.exec(value)!;
  const prefix = match[1] ?? "eq";
  const text = match[2];
  if (isIsoDate(text)) {
    // A date means the whole Swedish day (the hub's dates are Swedish dates).
    const low = Date.parse(stockholmMidnight(text));
    const next = new Date(Date.parse(`${text}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    return { prefix, low, high: Date.parse(stockholmMidnight(next)) - 1 };
  }
  if (isIsoInstant(text)) {
    const at = Date.parse(text);
    return { prefix, low: at, high: at };
  }
  throw new FhirError(
    400,
    "invalid",
    `start: "${value}" is not a date (YYYY-MM-DD) or an instant with a time zone, with an optional eq, ge, gt, le or lt prefix`,
    "start",
  );
}

export function parseCapacitySearch(resourceType: string, params: URLSearchParams): CapacitySearch {
  const allowed = SEARCH_PARAMETERS[resourceType];
  const search: CapacitySearch = {};
  for (const [name, value] of params) {
    if (name === "_format") continue;
    if (!allowed.includes(name)) {
      throw new FhirError(
        400,
        "not-supported",
        `${resourceType} cannot be searched by "${name}"; the parameters are ${allowed.join(", ")}`,
        name,
      );
    }
    if (name === "specialty") {
      if (search.specialty !== undefined) throw new FhirError(400, "invalid", "specialty: give it once", name);
      search.specialty = tokenCode(name, value, HUB_SYSTEM.specialty);
      if (!/^[A-Z_]+$/.test(search.specialty))
        throw new FhirError(400, "invalid", `specialty: "${search.specialty}" is not a specialty code (e.g. ORTHOPAEDICS)`, name);
    } else if (name === "service-type") {
      if (search.procedureCode !== undefined) throw new FhirError(400, "invalid", "service-type: give it once", name);
      search.procedureCode = tokenCode(name, value, OID.kva);
      if (!/^[A-Z]{2,3}[0-9]{2,3}$/.test(search.procedureCode))
        throw new FhirError(400, "invalid", `service-type: "${search.procedureCode}" is not a KVÅ code (e.g. NFB49)`, name);
    } else if (name === "status") {
      const codes = value.split(",");
      for (const code of codes)
        if (code !== "free" && code !== "busy")
          throw new FhirError(400, "invalid", `status: the hub's slots are free or busy, got "${code}"`, name);
      search.statuses = new Set(codes);
    } else if (name === "start") {
      const { prefix, low, high } = dateBounds(value);
      const tighten = (side: "from" | "to", bound: { at: number; inclusive: boolean }) => {
        const current = search[side];
        const tighter = !current || (side === "from" ? bound.at > current.at : bound.at < current.at);
        if (tighter) search[side] = bound;
      };
      if (prefix === "eq" || prefix === "ge") tighten("from", { at: low, inclusive: true });
      if (prefix === "gt") tighten("from", { at: high, inclusive: false });
      if (prefix === "eq" || prefix === "le") tighten("to", { at: high, inclusive: true });
      if (prefix === "lt") tighten("to", { at: low, inclusive: false });
    }
  }
  return search;
}

function slotMatches(slot: FhirResource, search: CapacitySearch): boolean {
  const start = Date.parse(slot.start as string);
  if (search.from && (search.from.inclusive ? start < search.from.at : start <= search.from.at)) return false;
  if (search.to && (search.to.inclusive ? start > search.to.at : start >= search.to.at)) return false;
  if (search.statuses && !search.statuses.has(slot.status as string)) return false;
  return true;
}

/** The GraphQL refusal or failure as an HTTP status and FHIR issue code. */
function fromGraphQLErrors(errors: GraphQLAnswer["errors"]): FhirError {
  const first = errors![0];
  const code = first.extensions?.code;
  if (code === "UNAUTHENTICATED") return new FhirError(401, "login", first.message);
  if (code === "FORBIDDEN") return new FhirError(403, "forbidden", first.message);
  if (code === "BAD_USER_INPUT") return new FhirError(400, "invalid", first.message, first.extensions?.field as string | undefined);
  if (code === "RATE_LIMITED" || code === "TOO_MANY_REQUESTS") return new FhirError(429, "throttled", first.message);
  return new FhirError(502, "transient", first.message);
}

async function ask(
  execute: ExecuteAs,
  req: IncomingMessage,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await execute(req, query, variables);
  if (answer.errors?.length) throw fromGraphQLErrors(answer.errors);
  return answer.data ?? {};
}

/** Every open offer with free slots matching the search, through freeCapacity's pages. */
export async function readOffers(execute: ExecuteAs, req: IncomingMessage, search: CapacitySearch): Promise<OfferData[]> {
  const filter: Record<string, unknown> = {};
  if (search.specialty) filter.specialty = search.specialty;
  if (search.procedureCode) filter.procedureCode = search.procedureCode;
  const offers: OfferData[] = [];
  let after: string | null = null;
  do {
    const data = await ask(execute, req, OFFERS_QUERY, { filter, after });
    const page: { edges: Array<{ node: OfferData }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } =
      data.freeCapacity as typeof page;
    offers.push(...page.edges.map((edge) => edge.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after && offers.length < MAX_OFFERS);
  return offers;
}

export async function readLocations(execute: ExecuteAs, req: IncomingMessage, search: CapacitySearch): Promise<FhirResource[]> {
  const data = await ask(execute, req, PROVIDERS_QUERY, {});
  return (data.providers as ProviderData[]).flatMap((provider) =>
    provider.careUnits
      .filter((unit) => !search.specialty || unit.specialty === search.specialty)
      .map((unit) => locationResource(provider, unit)),
  );
}

export async function searchCapacity(
  execute: ExecuteAs,
  req: IncomingMessage,
  resourceType: string,
  params: URLSearchParams,
  now: Date,
): Promise<FhirResource[]> {
  const search = parseCapacitySearch(resourceType, params);
  if (resourceType === "Location") return readLocations(execute, req, search);
  const offers = await readOffers(execute, req, search);
  if (resourceType === "Schedule") return offers.map(scheduleResource);
  return offers.flatMap((offer) => slotResources(offer, now)).filter((slot) => slotMatches(slot, search));
}

export async function readReferral(execute: ExecuteAs, req: IncomingMessage, id: string): Promise<ReferralData> {
  if (!isUuid(id)) throw new FhirError(404, "not-found", `No referral ${id}`);
  const data = await ask(execute, req, REFERRAL_QUERY, { id });
  if (!data.referral) throw new FhirError(404, "not-found", `No referral ${id}, or you may not see it`);
  return data.referral as ReferralData;
}

function send(res: ServerResponse, status: number, body: unknown, contentType = FHIR_JSON): void {
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof FhirError) {
    if (error.status === 401) res.setHeader("www-authenticate", "Bearer");
    send(res, error.status, operationOutcome(error.code, error.message, error.expression));
    return;
  }
  if (error instanceof GraphQLError) {
    const status = (error.extensions?.http as { status?: number } | undefined)?.status;
    const mapped = fromGraphQLErrors([{ message: error.message, extensions: error.extensions }]);
    if (mapped.status === 401) res.setHeader("www-authenticate", "Bearer");
    send(res, status && status >= 400 && status < 500 ? status : mapped.status, operationOutcome(mapped.code, error.message));
    return;
  }
  send(res, 500, operationOutcome("exception", "Internal server error"));
}

export const BULK_TYPES = ["Location", "Schedule", "Slot"] as const;

/**
 * Answers /fhir/… requests; false for any other path. `baseUrl` is how callers reach the gateway
 * (from the request's Host), for the manifest's file URLs and the bundles' fullUrls.
 */
export function fhirRoutes(execute: ExecuteAs, now: () => Date = () => new Date()) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== "/fhir" && !url.pathname.startsWith("/fhir/")) return false;
    const base = `http://${req.headers.host ?? "localhost"}/fhir`;
    try {
      if (req.method !== "GET") throw new FhirError(405, "not-supported", "The FHIR API is read-only: GET");
      const parts = url.pathname.split("/").slice(2);
      if (parts.length === 1 && parts[0] in SEARCH_PARAMETERS) {
        const resources = await searchCapacity(execute, req, parts[0], url.searchParams, now());
        send(res, 200, searchBundle(resources, `${base}/${parts[0]}${url.search}`));
        return true;
      }
      if (parts.length === 1 && parts[0] === "$bulk-publish") {
        // Asking for the capacity once checks the caller before the manifest is given.
        await ask(execute, req, `{ offerEventCursor }`, {});
        send(
          res,
          200,
          {
            transactionTime: now().toISOString(),
            request: `${base}/$bulk-publish`,
            output: BULK_TYPES.map((type) => ({ type, url: `${base}/$bulk-publish/${type}.ndjson` })),
            error: [],
          },
          "application/json; charset=utf-8",
        );
        return true;
      }
      if (parts.length === 2 && parts[0] === "$bulk-publish" && BULK_TYPES.some((type) => `${type}.ndjson` === parts[1])) {
        const type = parts[1].replace(/\.ndjson$/, "");
        const resources = await searchCapacity(execute, req, type, new URLSearchParams(), now());
        send(
          res,
          200,
          resources.map((resource) => JSON.stringify(resource)).join("\n") + (resources.length ? "\n" : ""),
          "application/fhir+ndjson",
        );
        return true;
      }
      if (parts.length === 2 && (parts[0] === "ServiceRequest" || parts[0] === "Task")) {
        const referral = await readReferral(execute, req, parts[1]);
        send(res, 200, parts[0] === "Task" ? taskResource(referral) : serviceRequestResource(referral));
        return true;
      }
      throw new FhirError(
        404,
        "not-found",
        `Not found: ${url.pathname}; the FHIR API serves Slot, Schedule, Location (search), $bulk-publish, ServiceRequest/{id} and Task/{id}`,
      );
    } catch (error) {
      sendError(res, error);
      return true;
    }
  };
}
