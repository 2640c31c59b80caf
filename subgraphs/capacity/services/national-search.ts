/**
 * National search by asking every enabled peer per search (fan-out), in parallel, each bounded by
 * the peer timeout, and merging the answers with this node's own by the order every node uses
 * (earliest start, then id; ids are UUIDs, unique across nodes). The national cursor is that
 * position, and every node pages by the same keyset, so the merged pages stay stable whatever
 * node a result came from. Nothing a peer answers is stored: it can never overwrite local data.
 * See subgraphs/README.md ("National search: why ask every peer") for why fan-out rather than a local copy.
 */

import { isIsoDate, isIsoInstant } from "../../shared/domain/calendar";
import { ProviderKind, VisitType } from "../../shared/domain/enums";
import { isUuid } from "../../shared/domain/ids";
import { isMunicipalityCode, isRegionCode, REGIONS } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";
import { Peer } from "../../shared/network/directory";
import type { NationalNetwork } from "../../shared/subgraph";
import { callPeer, PeerFailure, PeerStatus } from "../../shared/network/peer-client";
import { encodeCursor, Page, TotalCount, TOTAL_COUNT_CAP } from "../../shared/pagination";
import type { RequestScope } from "../../shared/context";
import { CapacitySearchFilter, OfferPosition, readOfferPosition } from "../domain/capacity-filter";
import { CapacityOffer } from "../entities/capacity-offer.entity";
import { Provider } from "../entities/provider.entity";
import { CapacitySearch, validateFilter } from "./capacity-search";

export interface PeerAnswer {
  regionCode: string;
  name: string;
  status: PeerStatus;
  latencyMs: number | null;
  /** When the answer was given: how old this peer's part of the result is. */
  asOf: Date | null;
  /** Offers of this peer on the page returned. */
  offers: number;
  detail: string | null;
}

/** An offer in a national result, from this node or a peer, with the facts coverage needs. */
export interface NationalOfferRow {
  id: string;
  origin: { regionCode: string; nodeName: string; asOf: Date; local: boolean };
  specialty: Specialty;
  visitType: VisitType;
  procedureCode: string | null;
  totalSlots: number;
  availableSlots: number;
  validFrom: string;
  validUntil: string;
  expectedWaitDays: number;
  /** As the offering node stores it: the order and the cursor use it. */
  storedEarliestStart: string;
  reportedAt: Date;
  minPatientAge: number | null;
  maxPatientAge: number | null;
  conditions: string | null;
  provider: { id: string; name: string; kind: ProviderKind; regionCode: string; municipalityCode: string };
  careUnit: { id: string; name: string };
}

/** What this node asks a peer: its own free-capacity search, with the provider facts coverage needs. */
export const PEER_QUERY = `query NationalSearchPart($filter: FreeCapacityFilter, $first: Int, $after: String) {
  freeCapacity(filter: $filter, first: $first, after: $after) {
    totalCount totalCountIsExact pageInfo { hasNextPage }
    edges { cursor node {
      id specialty visitType totalSlots availableSlots validFrom validUntil expectedWaitDays earliestStart reportedAt
      minPatientAge maxPatientAge conditions procedure { code }
      provider { id name kind municipalityCode region { code } } careUnit { id name }
    } }
  }
}`;

const SPECIALTIES = new Set<string>(Object.values(Specialty));
const VISIT_TYPES = new Set<string>(Object.values(VisitType));
const KINDS = new Set<string>(Object.values(ProviderKind));

const str = (v: unknown, max = 500): v is string => typeof v === "string" && v.length <= max;
const int = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 1_000_000;
const optInt = (v: unknown) => v === null || int(v);

/**
 * An offer as a peer's answer claims it to be: every leaf unknown until readPeerEdge checks it.
 */
interface PeerOfferNode {
  id?: unknown;
  specialty?: unknown;
  visitType?: unknown;
  totalSlots?: unknown;
  availableSlots?: unknown;
  expectedWaitDays?: unknown;
  minPatientAge?: unknown;
  maxPatientAge?: unknown;
  validFrom?: unknown;
  validUntil?: unknown;
  earliestStart?: unknown;
  reportedAt?: unknown;
  conditions?: unknown;
  procedure?: { code?: unknown } | null;
  provider?: { id?: unknown; name?: unknown; kind?: unknown; municipalityCode?: unknown; region?: { code?: unknown } | null } | null;
  careUnit?: { id?: unknown; name?: unknown } | null;
  [field: string]: unknown;
}

/** One edge of a peer's answer, checked field by field; anything else makes the whole answer invalid. */
function readPeerEdge(edge: unknown, peer: Peer, answeredAt: Date): { row: NationalOfferRow; position: OfferPosition } {
  const e = edge as { cursor?: unknown; node?: PeerOfferNode } | null;
  const n = e?.node;
  const bad = (what: string) => new PeerFailure(PeerStatus.INVALID_ANSWER, `an offer's ${what} is not valid`);
  if (!n || typeof n !== "object") throw bad("node");
  let position: OfferPosition | undefined;
  try {
    const payload = str(e!.cursor, 300) ? JSON.parse(Buffer.from(e!.cursor, "base64url").toString("utf8")) : undefined;
    position = Array.isArray(payload) && payload[0] === "freeCapacity" ? readOfferPosition(payload[1]) : undefined;
  } catch {
    position = undefined;
  }
  if (!position || position.id !== n.id) throw bad("cursor");
  if (!str(n.id) || !isUuid(n.id)) throw bad("id");
  if (!str(n.specialty) || !SPECIALTIES.has(n.specialty)) throw bad("specialty");
  if (!str(n.visitType) || !VISIT_TYPES.has(n.visitType)) throw bad("visitType");
  for (const f of ["totalSlots", "availableSlots", "expectedWaitDays"]) if (!int(n[f])) throw bad(f);
  for (const f of ["minPatientAge", "maxPatientAge"]) if (!optInt(n[f])) throw bad(f);
  for (const f of ["validFrom", "validUntil", "earliestStart"]) if (!str(n[f], 10) || !isIsoDate(n[f])) throw bad(f);
  if (!str(n.reportedAt, 40) || !isIsoInstant(n.reportedAt)) throw bad("reportedAt");
  if (n.conditions !== null && !str(n.conditions, 2000)) throw bad("conditions");
  const procedureCode = n.procedure === null ? null : n.procedure?.code;
  if (procedureCode !== null && !(str(procedureCode, 10) && /^[A-Z]{2,3}\d{2,3}$/.test(procedureCode))) throw bad("procedure");
  const p = n.provider;
  if (!p || !str(p.id) || !isUuid(p.id) || !str(p.name, 300) || typeof p.kind !== "string" || !KINDS.has(p.kind)) throw bad("provider");
  if (!str(p.municipalityCode, 4) || !isMunicipalityCode(p.municipalityCode) || !str(p.region?.code, 2) || !isRegionCode(p.region.code))
    throw bad("provider's place");
  const u = n.careUnit;
  if (!u || !str(u.id) || !isUuid(u.id) || !str(u.name, 300)) throw bad("careUnit");
  // The fields checked in the loops above are not narrowed by them: their types are stated here.
  return {
    position,
    row: {
      id: n.id,
      origin: { regionCode: peer.regionCode, nodeName: peer.name, asOf: answeredAt, local: false },
      specialty: n.specialty as Specialty,
      visitType: n.visitType as VisitType,
      procedureCode,
      totalSlots: n.totalSlots as number,
      availableSlots: n.availableSlots as number,
      validFrom: n.validFrom as string,
      validUntil: n.validUntil as string,
      expectedWaitDays: n.expectedWaitDays as number,
      storedEarliestStart: position.earliestStart,
      reportedAt: new Date(n.reportedAt),
      minPatientAge: n.minPatientAge as number | null,
      maxPatientAge: n.maxPatientAge as number | null,
      conditions: n.conditions,
      provider: { id: p.id, name: p.name, kind: p.kind as ProviderKind, regionCode: p.region.code, municipalityCode: p.municipalityCode },
      careUnit: { id: u.id, name: u.name },
    },
  };
}

export class NationalSearch {
  constructor(
    private readonly network: NationalNetwork,
    private readonly regionCode: string,
    private readonly local: CapacitySearch,
  ) {}

  private get nodeName(): string {
    return REGIONS.find((r) => r.code === this.regionCode)?.name ?? `Region ${this.regionCode}`;
  }

  /** Asks one peer for its part of the page; never throws, never takes longer than the peer timeout. */
  private async askPeer(
    peer: Peer,
    filter: CapacitySearchFilter,
    page: Page<OfferPosition>,
    requestId: string,
  ): Promise<{
    answer: PeerAnswer;
    rows: Array<{ row: NationalOfferRow; position: OfferPosition }>;
    more?: boolean;
    total: TotalCount | null;
  }> {
    const started = performance.now();
    const answer = (status: PeerStatus, detail: string | null, asOf: Date | null = null): PeerAnswer => ({
      regionCode: peer.regionCode,
      name: peer.name,
      status,
      latencyMs: status === PeerStatus.DISABLED ? null : Math.round(performance.now() - started),
      asOf,
      offers: 0,
      detail,
    });
    try {
      const after = page.after ? encodeCursor("freeCapacity", [page.after.earliestStart, page.after.id]) : null;
      const { data, answeredAt } = await callPeer(
        { identity: this.network.identity, timeoutMs: this.network.peerTimeoutMs, maxAnswerBytes: this.network.peerMaxAnswerBytes },
        peer,
        PEER_QUERY,
        { filter, first: page.first, after },
        requestId,
      );
      const connection = data.freeCapacity as
        | { edges?: unknown; totalCount?: unknown; totalCountIsExact?: unknown; pageInfo?: { hasNextPage?: unknown } | null }
        | null
        | undefined;
      if (
        !connection ||
        !Array.isArray(connection.edges) ||
        !int(connection.totalCount) ||
        typeof connection.totalCountIsExact !== "boolean"
      ) {
        throw new PeerFailure(PeerStatus.INVALID_ANSWER, "the answer is not a freeCapacity page");
      }
      if (connection.edges.length > page.first)
        throw new PeerFailure(
          PeerStatus.INVALID_ANSWER,
          `the answer holds ${connection.edges.length} offers, more than the ${page.first} asked for`,
        );
      if (typeof connection.pageInfo?.hasNextPage !== "boolean")
        throw new PeerFailure(PeerStatus.INVALID_ANSWER, "the answer has no pageInfo.hasNextPage");
      const rows = connection.edges.map((edge: unknown) => readPeerEdge(edge, peer, answeredAt));
      return {
        answer: answer(PeerStatus.OK, null, answeredAt),
        rows,
        more: connection.pageInfo.hasNextPage,
        total: { count: connection.totalCount, exact: connection.totalCountIsExact },
      };
    } catch (error) {
      const failure = error instanceof PeerFailure ? error : new PeerFailure(PeerStatus.INVALID_ANSWER, (error as Error).message);
      return { answer: answer(failure.status, failure.message), rows: [], total: null };
    }
  }

  async search(
    scope: RequestScope,
    filter: CapacitySearchFilter,
    page: Page<OfferPosition>,
    providerOf: (id: string) => Promise<Provider | null>,
    careUnitName: (id: string) => Promise<string>,
  ): Promise<{
    rows: Array<{ row: NationalOfferRow; position: OfferPosition }>;
    hasNextPage: boolean;
    total: TotalCount;
    peers: PeerAnswer[];
  }> {
    validateFilter(filter);
    const peers = this.network.directory.all();
    // Every peer is asked at once; the local search runs meanwhile.
    const asked = Promise.all(peers.map((peer) => this.askPeer(peer, filter, page, scope.requestId)));
    const own = await this.local.search(scope, filter, page);
    const localAsOf = new Date();
    const localRows = await Promise.all(
      own.rows.map(async (offer) => ({
        row: await this.localRow(offer, localAsOf, providerOf, careUnitName),
        position: { earliestStart: offer.earliestStart, id: offer.id },
      })),
    );
    const answers = await asked;
    // Local first: a peer's offer with an id already seen (here or at another peer) is dropped.
    const seen = new Set<string>();
    const merged: Array<{ row: NationalOfferRow; position: OfferPosition }> = [];
    for (const candidate of [...localRows, ...answers.flatMap((a) => a.rows)]) {
      if (seen.has(candidate.row.id)) continue;
      seen.add(candidate.row.id);
      merged.push(candidate);
    }
    merged.sort((a, b) =>
      a.position.earliestStart < b.position.earliestStart
        ? -1
        : a.position.earliestStart > b.position.earliestStart
          ? 1
          : a.position.id < b.position.id
            ? -1
            : a.position.id > b.position.id
              ? 1
              : 0,
    );
    // Each peer gave at most a page (the largest page a node serves); one that has more means a next page.
    const pageRows = merged.slice(0, page.first);
    const hasNextPage = merged.length > page.first || answers.some((a) => a.more === true);
    for (const { answer } of answers) answer.offers = pageRows.filter((r) => r.row.origin.regionCode === answer.regionCode).length;
    // Exact only when every enabled peer answered with an exact count: a missing part is unknown.
    const totals = [own.total, ...answers.filter((a) => a.answer.status !== PeerStatus.DISABLED).map((a) => a.total)];
    const count = totals.reduce((sum, t) => sum + (t?.count ?? 0), 0);
    const exact = totals.every((t) => t?.exact === true) && count <= TOTAL_COUNT_CAP;
    return { rows: pageRows, hasNextPage, total: { count: Math.min(count, TOTAL_COUNT_CAP), exact }, peers: answers.map((a) => a.answer) };
  }

  private async localRow(
    offer: CapacityOffer,
    asOf: Date,
    providerOf: (id: string) => Promise<Provider | null>,
    careUnitName: (id: string) => Promise<string>,
  ): Promise<NationalOfferRow> {
    const provider = (await providerOf(offer.providerId))!;
    return {
      id: offer.id,
      origin: { regionCode: this.regionCode, nodeName: this.nodeName, asOf, local: true },
      specialty: offer.specialty,
      visitType: offer.visitType,
      procedureCode: offer.procedureCode,
      totalSlots: offer.totalSlots,
      availableSlots: offer.totalSlots - offer.reservedSlots,
      validFrom: offer.validFrom,
      validUntil: offer.validUntil,
      expectedWaitDays: offer.expectedWaitDays,
      storedEarliestStart: offer.earliestStart,
      reportedAt: offer.reportedAt,
      minPatientAge: offer.minPatientAge,
      maxPatientAge: offer.maxPatientAge,
      conditions: offer.conditions,
      provider: {
        id: provider.id,
        name: provider.name,
        kind: provider.kind,
        regionCode: provider.regionCode,
        municipalityCode: provider.municipalityCode,
      },
      careUnit: { id: offer.careUnitId, name: await careUnitName(offer.careUnitId) },
    };
  }
}
