/**
 * The answer to "under which agreement could a patient from this home region be sent to this
 * provider for this care on this date". An entity keyed by the facts of the case, so the capacity
 * subgraph (which knows providers) can pose the question and this subgraph answers it. Nothing of
 * it is stored: `loaders.coverage` decides it when asked.
 */

import { Directive, ObjectType } from "type-graphql";
import { CareSetting } from "../../shared/graphql-enums";
import { COVERAGE_KEY, CoverageKeyFields } from "../../shared/stubs";
import { AccessDecision } from "../domain/care-access";
import { CoverageDecision } from "../domain/coverage";
import { CoverageQuestion } from "../domain/coverage-answer";

@ObjectType({
  description:
    "Under which agreements a patient from a home region could be sent to a provider for some care on a date, in precedence order, at what price, and why the others do not apply.",
})
@Directive(`@key(fields: "${COVERAGE_KEY}")`)
export class Coverage extends CoverageKeyFields {
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
