/**
 * Object types that show parts of an agreement, computed from its rows rather than stored as they
 * are: the terms of a version, a price, a volume ceiling with its use.
 */

import { Field, ID, Int, ObjectType } from "type-graphql";
import { ProcedureStub, RegionStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";
import { CeilingFacts } from "../domain/coverage";
import { AgreementVersion } from "./agreement.entity";

@ObjectType({ description: "The terms an agreement sets for sending a patient under it." })
export class AgreementTerms {
  @Field({ description: "A referral (remiss) from the home region is required." })
  referralRequired: boolean;

  @Field({ description: "The home region must issue a payment commitment (betalningsförbindelse) before care." })
  paymentCommitmentRequired: boolean;

  @Field({ description: "The patient gets care on the same terms as the providing region's own residents." })
  sameTermsAsResidents: boolean;
}

@ObjectType({ description: "One price in a price list." })
export class PriceListEntryView {
  @Field(() => ProcedureStub, { description: "The KVÅ procedure priced." })
  procedure: ProcedureStub;

  @Field(() => RegionStub, {
    nullable: true,
    description: "The region where the care is given, for per-region prices; null = wherever the agreement applies.",
  })
  providingRegion: RegionStub | null;

  @Field(() => Int, { description: "Price per case in Swedish kronor." })
  priceSek: number;
}

@ObjectType({
  description: "A volume ceiling (volymtak) of a private agreement, e.g. 200 cataract operations in 2026, and how much of it is used.",
})
export class VolumeCeiling {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;

  @Field(() => DateScalar, { description: "First day of the period the ceiling counts." })
  periodFrom: string;

  @Field(() => DateScalar, { description: "Last day of the period the ceiling counts." })
  periodUntil: string;

  @Field(() => Int, { description: "Cases the agreement allows in the period." })
  maxCases: number;

  @Field(() => [ProcedureStub], { description: "Procedures the ceiling counts; empty = all care under the agreement." })
  procedures: ProcedureStub[];

  @Field(() => Int, { description: "Cases committed in the period (standing commitments of referrals)." })
  usedCases: number;

  @Field(() => Int, { description: "Cases left before the ceiling is reached." })
  remainingCases: number;
}

export function termsOf(version: AgreementVersion): AgreementTerms {
  return {
    referralRequired: version.referralRequired,
    paymentCommitmentRequired: version.paymentCommitmentRequired,
    sameTermsAsResidents: version.sameTermsAsResidents,
  };
}

/** A ceiling as the schema shows it, from what the engine or the ledger read of it. */
export function volumeCeiling(ceiling: CeilingFacts): VolumeCeiling {
  return {
    id: ceiling.id,
    periodFrom: ceiling.periodFrom,
    periodUntil: ceiling.periodUntil,
    maxCases: ceiling.maxCases,
    procedures: ceiling.procedureCodes.map((code) => ({ code })),
    usedCases: ceiling.usedCases,
    remainingCases: Math.max(0, ceiling.maxCases - ceiling.usedCases),
  };
}
