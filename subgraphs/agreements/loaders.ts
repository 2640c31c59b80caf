import { DataSource, In } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { byKey, childrenByKey, loadChildren } from "../shared/loaders";
import { Agreement, AgreementParty, PriceList, PriceListEntry } from "./entities/agreement.entity";
import { AgreementFacts } from "./services/coverage";
import DataLoader from "dataloader";

/** The agreements subgraph's per-request context: batched loaders. */
export function createAgreementsContext(dataSource: DataSource, base: BaseRequestContext) {
  const repo = <T extends object>(entity: new () => T) => dataSource.getRepository(entity);
  const partiesOf = childrenByKey(
    (ids: readonly string[]) => repo(AgreementParty).find({ where: { agreementId: In([...ids]) }, order: { regionCode: "ASC" } }),
    (p) => p.agreementId,
  );
  const priceListsOf = childrenByKey(
    (ids: readonly string[]) => repo(PriceList).find({ where: { agreementId: In([...ids]) }, order: { validFrom: "DESC" } }),
    (l) => l.agreementId,
  );
  const entriesOf = childrenByKey(
    (ids: readonly string[]) =>
      repo(PriceListEntry).find({ where: { priceListId: In([...ids]) }, order: { procedureCode: "ASC", providingRegionCode: "ASC" } }),
    (e) => e.priceListId,
  );
  /**
   * Everything coverage needs for the home regions asked about in one request: the agreements they
   * are party to, with parties and prices. Three statements however many offers a page holds.
   */
  const agreementFactsForHomeRegion = new DataLoader<string, AgreementFacts[]>(async (homeRegionCodes) => {
    const agreements = await repo(Agreement)
      .createQueryBuilder("a")
      .where("EXISTS (SELECT 1 FROM agreements.agreement_party p WHERE p.agreement_id = a.id AND p.region_code IN (:...codes))", {
        codes: [...homeRegionCodes],
      })
      .getMany();
    const ids = agreements.map((a) => a.id);
    const parties = await loadChildren(partiesOf, ids);
    const lists = await loadChildren(priceListsOf, ids);
    const allLists = lists.flat();
    const entries = await loadChildren(entriesOf, allLists.map((l) => l.id));
    const entriesByList = new Map(allLists.map((list, i) => [list.id, entries[i]]));
    const facts = agreements.map(
      (a, i): AgreementFacts => ({
        id: a.id,
        kind: a.kind,
        name: a.name,
        validFrom: a.validFrom,
        validUntil: a.validUntil,
        partyRegionCodes: parties[i].map((p) => p.regionCode),
        providerId: a.providerId,
        coversAllPlannedCare: a.coversAllPlannedCare,
        specialties: a.coveredSpecialties,
        procedureCodes: a.coveredProcedureCodes,
        priceLists: lists[i].map((l) => ({ validFrom: l.validFrom, validUntil: l.validUntil, entries: entriesByList.get(l.id) ?? [] })),
      }),
    );
    return homeRegionCodes.map((code) => facts.filter((f) => f.partyRegionCodes.includes(code)));
  });

  return {
    ...base,
    repositories: { agreement: repo(Agreement) },
    loaders: {
      agreement: byKey((ids: readonly string[]) => repo(Agreement).findBy({ id: In([...ids]) }), (a) => a.id),
      partiesOf,
      priceListsOf,
      entriesOf,
      agreementFactsForHomeRegion,
    },
  };
}

export type AgreementsContext = ReturnType<typeof createAgreementsContext>;
