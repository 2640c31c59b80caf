/**
 * A coverage question as another subgraph poses it (capacity's `coverage` query, an offer's
 * `coverage` field), turned into the case the engines decide: the precedence engine
 * (`coverage.ts`) says which agreement applies, the home region's care-access rules
 * (`care-access.ts`) on which terms.
 */

import { CareSetting } from "../../shared/domain/enums";
import { AccessDecision, CareAccessRuleFacts, decideAccess } from "./care-access";
import { AgreementFacts, CareCase, CoverageDecision, decideCoverage } from "./coverage";

/** The case, and the care setting the terms are asked for (outpatient when not given). */
export interface CoverageQuestion extends CareCase {
  careSetting?: CareSetting | null;
}

export interface CoverageAnswer {
  careCase: CareCase;
  careSetting: CareSetting;
  decision: CoverageDecision;
  access: AccessDecision;
}

/** Decides a question against the agreements of its home region and that region's care-access rules. */
export function answerCoverageQuestion(
  question: CoverageQuestion,
  agreements: readonly AgreementFacts[],
  rules: readonly CareAccessRuleFacts[],
): CoverageAnswer {
  const careCase: CareCase = {
    homeRegionCode: question.homeRegionCode,
    providerId: question.providerId,
    providerKind: question.providerKind,
    providerRegionCode: question.providerRegionCode,
    specialty: question.specialty,
    procedureCode: question.procedureCode,
    date: question.date,
    // Only a municipality of the home region counts (the key may come from anywhere in the supergraph).
    homeMunicipalityCode:
      question.homeMunicipalityCode && question.homeMunicipalityCode.slice(0, 2) === question.homeRegionCode
        ? question.homeMunicipalityCode
        : null,
  };
  const careSetting = question.careSetting ?? CareSetting.OUTPATIENT;
  const decision = decideCoverage(careCase, agreements);
  const access = decideAccess(careCase, decision, rules, careSetting);
  return { careCase, careSetting, decision, access };
}
