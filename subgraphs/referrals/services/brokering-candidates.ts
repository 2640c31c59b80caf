/**
 * The offers a referral's matches are ranked from: asked of the supergraph in one request, which
 * the gateway plans as one fetch from capacity (`brokeringCandidates`) joined with each offer's
 * coverage from agreements. No database is touched here, and nothing loops over the gateway.
 */

import { RequestScope } from "../../shared/context";
import { SupergraphClient } from "../../shared/supergraph-client";
import { Candidate } from "../domain/brokering";
import { Referral } from "../entities/referral.entity";

const CANDIDATES = `
  query BrokeringCandidates($filter: FreeCapacityFilter!, $home: String!, $municipality: String) {
    brokeringCandidates(filter: $filter) {
      id earliestStart provider { name } coverage(homeRegionCode: $home, homeMunicipalityCode: $municipality) { status pricePerCaseSek agreement { id kind name } }
    }
  }`;

interface CandidateOffer {
  id: string;
  earliestStart: string;
  provider: { name: string };
  coverage: { status: string; pricePerCaseSek: number | null; agreement: { id: string; kind: string; name: string } | null } | null;
}

export type AgreementCandidate = Candidate & { agreementId: string | null };

export class BrokeringCandidates {
  constructor(private readonly supergraph: SupergraphClient) {}

  /** The open offers for the referral's care, with their coverage for its home region, earliest start first. */
  async of(scope: RequestScope, referral: Referral): Promise<AgreementCandidate[]> {
    const filter = {
      specialty: referral.specialty,
      visitType: referral.visitType,
      ...(referral.procedureCode ? { procedureCode: referral.procedureCode } : {}),
    };
    const { brokeringCandidates } = await this.supergraph.request<{ brokeringCandidates: CandidateOffer[] }>(scope, CANDIDATES, {
      filter,
      home: referral.homeRegionCode,
      municipality: referral.homeMunicipalityCode,
    });
    return brokeringCandidates.map((offer) => ({
      offerId: offer.id,
      providerName: offer.provider.name,
      earliestStart: offer.earliestStart,
      coverageStatus: offer.coverage?.status ?? "NOT_COVERED",
      agreementKind: offer.coverage?.agreement?.kind ?? null,
      agreementName: offer.coverage?.agreement?.name ?? null,
      agreementId: offer.coverage?.agreement?.id ?? null,
      pricePerCaseSek: offer.coverage?.pricePerCaseSek ?? null,
    }));
  }
}
