/**
 * The agreements subgraph's DataLoaders, built per request: entities by key, child lists by their
 * agreement or price list, the engines' view of agreements, and coverage answers. A page of N
 * results costs a fixed number of SQL statements, whatever N.
 */

import DataLoader from "dataloader";
import { DataSource, In, IsNull } from "typeorm";
import { byKey, childrenByColumn } from "../shared/loaders";
import { AgreementFacts, AgreementKind } from "./domain/coverage";
import { answerCoverageQuestion, CoverageQuestion } from "./domain/coverage-answer";
import { Agreement, AgreementParty, AgreementVersion, PriceList, PriceListEntry } from "./entities/agreement.entity";
import { CareAccessRule } from "./entities/care-access-rule.entity";
import { Coverage } from "./entities/coverage";
import { loadAgreementFacts } from "./services/agreement-facts";

export function createAgreementsLoaders(dataSource: DataSource) {
  const repository = <T extends object>(entity: new () => T) => dataSource.getRepository(entity);

  /** The engine's view of the agreements of each home region asked about in the request. */
  const agreementFactsForHomeRegion = new DataLoader<string, AgreementFacts[]>(async (homeRegionCodes) => {
    const facts = await loadAgreementFacts(dataSource.manager, { homeRegionCodes });
    return homeRegionCodes.map((code) =>
      facts.filter((f) => f.partyRegionCodes.includes(code) || f.kind === AgreementKind.CARE_GUARANTEE_AGREEMENT),
    );
  });

  /** A home region's care-access rules, and those for every region: a handful of rows per node. */
  const careAccessRulesFor = new DataLoader<string, CareAccessRule[]>(async (homeRegionCodes) => {
    const rules = await repository(CareAccessRule).find({
      where: [{ homeRegionCode: IsNull() }, { homeRegionCode: In([...homeRegionCodes]) }],
      order: { priority: "ASC", id: "ASC" },
    });
    return homeRegionCodes.map((code) => rules.filter((r) => r.homeRegionCode === null || r.homeRegionCode === code));
  });

  /** Coverage answers by their key (the whole question), decided with the two loaders above. */
  const coverage = new DataLoader<CoverageQuestion, Coverage, string>(
    (questions) =>
      Promise.all(
        questions.map(async (question) => {
          const [agreements, rules] = await Promise.all([
            agreementFactsForHomeRegion.load(question.homeRegionCode),
            careAccessRulesFor.load(question.homeRegionCode),
          ]);
          const { careCase, careSetting, decision, access } = answerCoverageQuestion(question, agreements, rules);
          return Object.assign(new Coverage(), { ...careCase, careSetting, decision, access });
        }),
      ),
    { cacheKeyFn: coverageCacheKey },
  );

  return {
    agreement: byKey(
      (ids: readonly string[]) => repository(Agreement).findBy({ id: In([...ids]) }),
      (a) => a.id,
    ),
    version: byKey(
      (ids: readonly string[]) => repository(AgreementVersion).findBy({ id: In([...ids]) }),
      (v) => v.id,
    ),
    partiesOf: childrenByColumn(repository(AgreementParty), "agreementId", { regionCode: "ASC" }),
    versionsOf: childrenByColumn(repository(AgreementVersion), "agreementId", { version: "ASC" }),
    priceListsOf: childrenByColumn(repository(PriceList), "agreementId", { validFrom: "DESC" }),
    entriesOf: childrenByColumn(repository(PriceListEntry), "priceListId", { procedureCode: "ASC", providingRegionCode: "ASC" }),
    /** The engine's view of single agreements (for ceilings and their use). */
    agreementFacts: byKey(
      (ids: readonly string[]) => loadAgreementFacts(dataSource.manager, { agreementIds: ids }),
      (f) => f.id,
    ),
    agreementFactsForHomeRegion,
    careAccessRulesFor,
    coverage,
  };
}

export type AgreementsLoaders = ReturnType<typeof createAgreementsLoaders>;

/** One question, one answer per request, whatever order its fields came in. */
function coverageCacheKey(q: CoverageQuestion): string {
  return JSON.stringify([
    q.homeRegionCode,
    q.homeMunicipalityCode ?? null,
    q.providerId,
    q.providerKind,
    q.providerRegionCode,
    q.specialty,
    q.procedureCode,
    q.date,
    q.careSetting ?? null,
  ]);
}
