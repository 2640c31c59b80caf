import { logger } from "../log";
import type { Peer } from "./directory";
import type { NodeIdentity } from "./node-key";
import { readLimitedBody } from "../limited-body";

/**
 * One call from this node to a peer's gateway, as itself: a GraphQL operation with a token this
 * node signs for that peer, the request id of the call that caused it (so both ends' logs join),
 * a time bound and a size bound on the answer. It never throws anything but a PeerFailure, whose
 * status says how the peer failed; the national search reports it per peer, and sending referrals
 * across nodes (part 2) can retry on it.
 */
export enum PeerStatus {
  OK = "OK",
  TIMEOUT = "TIMEOUT",
  UNREACHABLE = "UNREACHABLE",
  UNAUTHORIZED = "UNAUTHORIZED",
  INVALID_ANSWER = "INVALID_ANSWER",
  DISABLED = "DISABLED",
}

export class PeerFailure extends Error {
  constructor(
    readonly status: PeerStatus,
    message: string,
  ) {
    super(message);
  }
}

export interface PeerCallOptions {
  identity: NodeIdentity;
  timeoutMs: number;
  maxAnswerBytes: number;
}

export interface PeerAnswered {
  /** The answer's `data` (an answer with `errors` is a PeerFailure). */
  data: Record<string, unknown>;
  answeredAt: Date;
  latencyMs: number;
}

const log = logger("network/peer");

function readLimited(response: Response, max: number): Promise<string> {
  return readLimitedBody(response, max, () => new PeerFailure(PeerStatus.INVALID_ANSWER, `the answer is larger than ${max} bytes`));
}

export async function callPeer(
  options: PeerCallOptions,
  peer: Peer,
  query: string,
  variables: Record<string, unknown>,
  requestId: string,
): Promise<PeerAnswered> {
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  const timedOut = () => new PeerFailure(PeerStatus.TIMEOUT, `no answer within ${options.timeoutMs} ms`);
  const cause = (error: unknown) => (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
  try {
    if (!peer.enabled) throw new PeerFailure(PeerStatus.DISABLED, "disabled in this node's directory");
    const token = await options.identity.peerToken(peer.issuer);
    let response: Response;
    try {
      response = await fetch(peer.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": requestId },
        body: JSON.stringify({ query, variables }),
        signal,
      });
    } catch (error) {
      throw signal.aborted ? timedOut() : new PeerFailure(PeerStatus.UNREACHABLE, cause(error));
    }
    let body: string;
    try {
      body = await readLimited(response, response.status === 401 || response.status === 403 ? 10_000 : options.maxAnswerBytes);
    } catch (error) {
      if (error instanceof PeerFailure) throw error;
      throw signal.aborted ? timedOut() : new PeerFailure(PeerStatus.UNREACHABLE, cause(error));
    }
    // The answer as a GraphQL response claims to be; each part is checked below before it is used.
    let parsed: { data?: Record<string, unknown> | null; errors?: Array<{ message?: unknown }> } | null | undefined;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const firstMessage = parsed?.errors?.[0]?.message;
    const message = typeof firstMessage === "string" ? firstMessage.slice(0, 300) : `HTTP ${response.status}`;
    if (response.status === 401 || response.status === 403) throw new PeerFailure(PeerStatus.UNAUTHORIZED, message);
    if (parsed === undefined) throw new PeerFailure(PeerStatus.INVALID_ANSWER, `the answer (HTTP ${response.status}) is not JSON`);
    if (parsed?.errors?.length || !response.ok)
      throw new PeerFailure(PeerStatus.INVALID_ANSWER, `the peer answered with an error: ${message}`);
    if (typeof parsed?.data !== "object" || parsed.data === null)
      throw new PeerFailure(PeerStatus.INVALID_ANSWER, "the answer has no data");
    const latencyMs = Math.round(performance.now() - started);
    log.info(`peer call to region ${peer.regionCode} request ${requestId}: OK in ${latencyMs} ms`);
    return { data: parsed.data, answeredAt: new Date(), latencyMs };
  } catch (error) {
    const failure = error instanceof PeerFailure ? error : new PeerFailure(PeerStatus.UNREACHABLE, (error as Error).message);
    if (failure.status !== PeerStatus.DISABLED) {
      log.warn(
        `peer call to region ${peer.regionCode} request ${requestId}: ${failure.status} after ${Math.round(performance.now() - started)} ms (${failure.message})`,
      );
    }
    throw failure;
  }
}
