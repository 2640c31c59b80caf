import DataLoader from "dataloader";
import { DataSource, In } from "typeorm";
import { BaseRequestContext } from "../shared/context";
import { byKey, childrenByKey } from "../shared/loaders";
import {
  Agreement,
  AgreementCommitment,
  AgreementParty,
  AgreementVersion,
  PriceList,
  PriceListEntry,
} from "./entities/agreement.entity";
import { CareAccessRule } from "./entities/care-access-rule.entity";
import { AgreementsRuntime } from "./runtime";
import { AgreementAdministration } from "./services/agreement-administration";
import { loadAgreementFacts } from "./services/agreement-facts";
import { CommitmentLedger } from "./services/commitment-ledger";
import { AgreementFacts, AgreementKind } from "./services/coverage";

/** The agreements subgraph's per-request context: batched loaders, the administration service and the event stream. */
export function createAgreementsContext(dataSource: DataSource, base: BaseRequestContext, runtime: AgreementsRuntime) {
  const repo = <T extends object>(entity: new () => T) => dataSource.getRepository(entity);
  const ofAgreements = <T extends { agreementId: string }>(entity: new () => T, order: Record<string, "ASC" | "DESC">) =>
    childrenByKey(
      (ids: readonly string[]) => repo(entity).find({ where: { agreementId: In([...ids]) } as never, order: order as never }),
      (row: T) => row.agreementId,
    );
  const partiesOf = ofAgreements(AgreementParty, { regionCode: "ASC" });
  const versionsOf = ofAgreements(AgreementVersion, { version: "ASC" });
  const priceListsOf = ofAgreements(PriceList, { validFrom: "DESC" });
  const entriesOf = childrenByKey(
    (ids: readonly string[]) =>
      repo(PriceListEntry).find({ where: { priceListId: In([...ids]) }, order: { procedureCode: "ASC", providingRegionCode: "ASC" } }),
    (e) => e.priceListId,
  );
  /** The engine's view of the agreements of each home region asked about in the request. */
  const agreementFactsForHomeRegion = new DataLoader<string, AgreementFacts[]>(async (homeRegionCodes) => {
    const facts = await loadAgreementFacts(dataSource.manager, { homeRegionCodes });
    return homeRegionCodes.map((code) =>
      facts.filter((f) => f.partyRegionCodes.includes(code) || f.kind === AgreementKind.CARE_GUARANTEE_AGREEMENT),
    );
  });
  /** The engine's view of single agreements (for ceilings and their use). */
  const agreementFacts = byKey((ids: readonly string[]) => loadAgreementFacts(dataSource.manager, { agreementIds: ids }), (f) => f.id);

  // A home region's care-access rules: a handful of rows per node, read once per request.
  let careAccessRules: Promise<CareAccessRule[]> | undefined;

  return {
    ...base,
    careAccessRules: () => (careAccessRules ??= repo(CareAccessRule).find({ order: { priority: "ASC", id: "ASC" } })),
    administration: new AgreementAdministration(dataSource, base.identity, base.hubRegionCode, () => base.today),
    ledger: new CommitmentLedger(dataSource, base.identity),
    events: runtime.events,
    repositories: { agreement: repo(Agreement), commitment: repo(AgreementCommitment) },
    loaders: {
      agreement: byKey((ids: readonly string[]) => repo(Agreement).findBy({ id: In([...ids]) }), (a) => a.id),
      version: byKey((ids: readonly string[]) => repo(AgreementVersion).findBy({ id: In([...ids]) }), (v) => v.id),
      partiesOf,
      versionsOf,
      priceListsOf,
      entriesOf,
      agreementFacts,
      agreementFactsForHomeRegion,
    },
  };
}

export type AgreementsContext = ReturnType<typeof createAgreementsContext>;
