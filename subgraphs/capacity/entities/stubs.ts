/**
 * Stubs: the key-only types of entities other subgraphs own, as capacity's schema names them. The
 * owning subgraph resolves the rest of each entity from the key.
 */

import { Directive, Field, ID, ObjectType } from "type-graphql";
import { CareSetting, Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { COVERAGE_KEY, CoverageKeyFields } from "../../shared/stubs";
import { requireMunicipalityCode, requireRegionCode } from "../../shared/validation";
import { Procedure } from "./procedure.entity";
import { Region } from "./region.entity";

/**
 * The coverage question as this subgraph poses it: the facts of the case, which only capacity
 * knows (the provider's kind and region, the procedure's specialty). The agreements subgraph owns
 * the answer and resolves the rest of the entity by this key.
 */
@ObjectType("Coverage", {
  description: "Under which agreements a patient from a home region could be sent to a provider for some care on a date.",
})
@Directive(`@key(fields: "${COVERAGE_KEY}", resolvable: false)`)
export class CoverageStub extends CoverageKeyFields {}

/**
 * The patient's side of a coverage question as a client asks it: the home region and (optionally)
 * municipality, checked, and the care setting, outpatient when omitted.
 */
export function patientSideOfCoverage(
  homeRegionCode: string,
  homeMunicipalityCode: string | null | undefined,
  careSetting: CareSetting | null | undefined,
): Pick<CoverageStub, "homeRegionCode" | "homeMunicipalityCode" | "careSetting"> {
  requireRegionCode("homeRegionCode", homeRegionCode);
  if (homeMunicipalityCode != null) requireMunicipalityCode("homeMunicipalityCode", homeMunicipalityCode, homeRegionCode);
  return { homeRegionCode, homeMunicipalityCode: homeMunicipalityCode ?? null, careSetting: careSetting ?? CareSetting.OUTPATIENT };
}

/** A referral as this subgraph sees it: the facts its coverage question needs, owned by the referrals subgraph. */
@ObjectType("Referral")
@Directive('@key(fields: "id")')
export class ReferralStub {
  @Field(() => ID)
  id: string;

  @Directive("@external")
  @Field(() => Region)
  homeRegion: Pick<Region, "code">;

  @Directive("@external")
  @Field(() => Specialty)
  specialty: Specialty;

  @Directive("@external")
  @Field(() => Procedure, { nullable: true })
  procedure: Pick<Procedure, "code"> | null;

  @Directive("@external")
  @Field(() => DateScalar)
  decisionDate: string;

  @Directive("@external")
  @Field(() => String, { nullable: true })
  homeMunicipalityCode: string | null;
}
