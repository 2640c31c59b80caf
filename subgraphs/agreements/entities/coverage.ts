/**
 * The answer to "under which agreement could a patient from this home region be sent to this
 * provider for this care on this date". An entity keyed by the facts of the case, so the capacity
 * subgraph (which knows providers) can pose the question and this subgraph answers it. Nothing of
 * it is stored: `loaders.coverage` decides it when asked.
 */

import { Directive, Field, ID, ObjectType } from "type-graphql";
import { CareSetting, ProviderKind, Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { AccessDecision } from "../domain/care-access";
import { CoverageDecision } from "../domain/coverage";
import { CoverageQuestion } from "../domain/coverage-answer";

@ObjectType({
  description:
    "Under which agreements a patient from a home region could be sent to a provider for some care on a date, in precedence order, at what price, and why the others do not apply.",
})
@Directive('@key(fields: "homeRegionCode homeMunicipalityCode providerId providerKind providerRegionCode specialty procedureCode date careSetting")')
export class Coverage {
  @Directive("@inaccessible")
  @Field()
  homeRegionCode: string;

  @Directive("@inaccessible")
  @Field(() => String, { nullable: true })
  homeMunicipalityCode: string | null;

  @Directive("@inaccessible")
  @Field(() => ID)
  providerId: string;

  @Directive("@inaccessible")
  @Field(() => ProviderKind)
  providerKind: ProviderKind;

  @Directive("@inaccessible")
  @Field()
  providerRegionCode: string;

  @Field(() => Specialty, { description: "The specialty of the care." })
  specialty: Specialty;

  @Directive("@inaccessible")
  @Field(() => String, { nullable: true })
  procedureCode: string | null;

  @Field(() => DateScalar, { description: "The date of care the answer is for." })
  date: string;

  @Field(() => CareSetting, { description: "The care setting the answer is for (outpatient unless asked otherwise)." })
  careSetting: CareSetting;

  decision: CoverageDecision;
  access: AccessDecision;
}

/** Whether a representation sent for `Coverage` holds a whole question (its key). */
export function isCoverageKey(value: Record<string, unknown>): value is CoverageQuestion & Record<string, unknown> {
  return (
    typeof value.homeRegionCode === "string" &&
    (value.homeMunicipalityCode == null || typeof value.homeMunicipalityCode === "string") &&
    (value.careSetting == null || Object.values(CareSetting).includes(value.careSetting as CareSetting)) &&
    typeof value.providerId === "string" &&
    typeof value.providerKind === "string" &&
    typeof value.providerRegionCode === "string" &&
    typeof value.specialty === "string" &&
    (value.procedureCode === null || typeof value.procedureCode === "string") &&
    typeof value.date === "string"
  );
}

