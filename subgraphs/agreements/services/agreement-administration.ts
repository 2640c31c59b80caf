/**
 * Changes to agreements, each in one transaction: a refused change writes nothing. Changes to one
 * agreement are serialised by locking its row, so that two administrators (or two referrals
 * competing for the last case under a ceiling) cannot both pass a check that only one may pass.
 * Each change ends by appending its event, so a change and its event are committed together or
 * not at all.
 */

import { randomUUID } from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { RequestScope } from "../../shared/context";
import { addDays } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { isKvaCode } from "../../shared/domain/kva";
import { isRegionCode } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";
import { badUserInput, conflict, forbidden, refuseInput } from "../../shared/errors";
import { describeCaller, Identity, mayAdministerAgreements, mayCommitReferrals, organisationOf, Role } from "../../shared/identity";
import { appendEvent } from "../../shared/outbox";
import { AgreementEventKind, AgreementEventPayload } from "../domain/agreement-events";
import {
  CoverageInput,
  createAgreementProblems,
  CreateAgreementInput,
  endingProblems,
  listToSupersede,
  priceListEndingProblems,
  PriceListInput,
  priceListProblems,
  ReviseAgreementInput,
  revisionProblems,
  TermsInput,
} from "../domain/agreement-rules";
import { availability, priceFor } from "../domain/coverage";
import {
  ActorRecord,
  Agreement,
  AgreementCeiling,
  AgreementCommitment,
  AgreementParty,
  AgreementVersion,
  PriceList,
  PriceListEntry,
} from "../entities/agreement.entity";
import { loadAgreementFacts } from "./agreement-facts";
import { agreementEvent } from "./agreement-outbox";

export interface CommitInput {
  agreementId: string;
  referralId: string;
  specialty: Specialty;
  procedureCode?: string | null;
  careDate: string;
  /** Region where the care is given, for agreements with per-region prices. */
  providingRegionCode?: string | null;
  /** The region that pays (the patient's home region); see `payingRegion`. */
  payingRegionCode?: string | null;
}

/** Agreements' commands: every method acts for the caller and the day of the request's `scope`. */
export class AgreementAdministration {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hubRegionCode: string,
  ) {}

  private announce(
    db: EntityManager,
    kind: AgreementEventKind,
    agreementId: string,
    ids?: Omit<AgreementEventPayload, "agreementId" | "kind">,
  ): Promise<number> {
    return appendEvent(db, "agreements", agreementEvent(kind, agreementId, this.hubRegionCode, ids));
  }

  async create(scope: RequestScope, input: CreateAgreementInput): Promise<Agreement> {
    requireAdministrator(scope.identity);
    refuseInput(createAgreementProblems(input));
    return this.dataSource.transaction(async (db) => {
      const agreement = Object.assign(new Agreement(), {
        id: randomUUID(),
        kind: input.kind,
        name: input.name.trim(),
        validFrom: input.validFrom,
        validUntil: input.validUntil ?? null,
        healthcareRegionCode: input.healthcareRegionCode ?? null,
        providerId: input.providerId ?? null,
        endReason: null,
      });
      await db.insert(Agreement, agreement);
      await db.insert(
        AgreementParty,
        input.partyRegionCodes.map((regionCode) => ({ agreementId: agreement.id, regionCode })),
      );
      await db.insert(AgreementVersion, versionRow(agreement.id, 1, input.validFrom, input.coverage, input.terms, "First version"));
      for (const ceiling of input.ceilings ?? []) {
        await db.insert(AgreementCeiling, {
          id: randomUUID(),
          agreementId: agreement.id,
          periodFrom: ceiling.periodFrom,
          periodUntil: ceiling.periodUntil,
          maxCases: ceiling.maxCases,
          procedureCodes: ceiling.procedureCodes ?? [],
        });
      }
      if (input.priceList) await insertPriceList(db, agreement.id, input.priceList);
      await this.announce(db, AgreementEventKind.CREATED, agreement.id);
      return agreement;
    });
  }

  /** A new version from a date; the earlier versions, and commitments made under them, stay as they were. */
  async revise(scope: RequestScope, agreementId: string, input: ReviseAgreementInput): Promise<AgreementVersion> {
    requireAdministrator(scope.identity);
    return this.dataSource.transaction(async (db) => {
      const agreement = await lockAgreement(db, agreementId);
      const latest = await db.getRepository(AgreementVersion).findOne({ where: { agreementId }, order: { version: "DESC" } });
      refuseInput(revisionProblems(input, agreement, latest!.effectiveFrom, latest!.version));
      const version = versionRow(
        agreementId,
        latest!.version + 1,
        input.effectiveFrom,
        input.coverage ?? {
          coversAllPlannedCare: latest!.coversAllPlannedCare,
          specialties: latest!.coveredSpecialties,
          procedureCodes: latest!.coveredProcedureCodes,
        },
        input.terms ?? {
          referralRequired: latest!.referralRequired,
          paymentCommitmentRequired: latest!.paymentCommitmentRequired,
          sameTermsAsResidents: latest!.sameTermsAsResidents,
        },
        input.changeNote.trim(),
      );
      await db.insert(AgreementVersion, version);
      await this.announce(db, AgreementEventKind.REVISED, agreementId, { versionId: version.id });
      return version;
    });
  }

  /**
   * Adds a price list. With `supersede`, the list in force on the new list's first day is ended the
   * day before, in the same transaction (a yearly price change over an open-ended list): earlier
   * days keep its prices, and commitments keep the price they were made at.
   */
  async addPriceList(scope: RequestScope, agreementId: string, input: PriceListInput, supersede = false): Promise<PriceList> {
    requireAdministrator(scope.identity);
    return this.dataSource.transaction(async (db) => {
      const agreement = await lockAgreement(db, agreementId);
      const existing = await db.getRepository(PriceList).find({ where: { agreementId } });
      refuseInput(priceListProblems("input", input, agreement, existing, supersede ? { today: scope.today } : null));
      if (supersede) {
        const superseded = listToSupersede(existing, input.validFrom)!;
        const endReason = `Superseded by "${input.name.trim()}" from ${input.validFrom}`;
        await db.update(PriceList, { id: superseded.id }, { validUntil: addDays(input.validFrom, -1), endReason });
        await this.announce(db, AgreementEventKind.PRICE_LIST_ENDED, agreementId, { priceListId: superseded.id });
      }
      const list = await insertPriceList(db, agreementId, input);
      await this.announce(db, AgreementEventKind.PRICE_LIST_ADDED, agreementId, { priceListId: list.id });
      return list;
    });
  }

  /** Ends a price list: its prices apply up to and including `lastDay`; commitments keep their price. */
  async endPriceList(scope: RequestScope, priceListId: string, lastDay: string, reason: string): Promise<PriceList> {
    requireAdministrator(scope.identity);
    return this.dataSource.transaction(async (db) => {
      const found = isUuid(priceListId) ? await db.getRepository(PriceList).findOneBy({ id: priceListId }) : null;
      if (!found) throw badUserInput("priceListId", "UNKNOWN_PRICE_LIST", `no price list has the id "${priceListId}"`);
      // Changes to an agreement's price lists are serialised on the agreement, then the list is read again.
      await lockAgreement(db, found.agreementId);
      const list = (await db.getRepository(PriceList).findOneBy({ id: priceListId }))!;
      refuseInput(priceListEndingProblems(lastDay, reason, list, scope.today));
      await db.update(PriceList, { id: list.id }, { validUntil: lastDay, endReason: reason.trim() });
      await this.announce(db, AgreementEventKind.PRICE_LIST_ENDED, list.agreementId, { priceListId: list.id });
      return Object.assign(list, { validUntil: lastDay, endReason: reason.trim() });
    });
  }

  /** Ends an agreement early (or sets its end); it applies up to and including `lastDay`. */
  async end(scope: RequestScope, agreementId: string, lastDay: string, reason: string): Promise<Agreement> {
    requireAdministrator(scope.identity);
    return this.dataSource.transaction(async (db) => {
      const agreement = await lockAgreement(db, agreementId);
      refuseInput(endingProblems(lastDay, reason, agreement));
      if (agreement.validUntil !== null && agreement.validUntil < lastDay) {
        throw conflict(`The agreement already ends on ${agreement.validUntil}; an ending can only be brought forward.`, {
          validUntil: agreement.validUntil,
        });
      }
      await db.update(Agreement, { id: agreementId }, { validUntil: lastDay, endReason: reason.trim() });
      await this.announce(db, AgreementEventKind.ENDED, agreementId);
      return Object.assign(agreement, { validUntil: lastDay, endReason: reason.trim() });
    });
  }

  /**
   * Commits a referral under an agreement: checks that the agreement allows the care on the date
   * (in force, covered by the version in force, room under its ceilings) and records the version
   * and price, which the referral keeps whatever changes later.
   */
  async commit(scope: RequestScope, input: CommitInput): Promise<AgreementCommitment> {
    requireCommitter(scope.identity);
    if (!isUuid(input.referralId)) throw badUserInput("input.referralId", "ID_FORMAT", `"${input.referralId}" is not a referral id (UUID)`);
    if (input.procedureCode != null && !isKvaCode(input.procedureCode)) {
      throw badUserInput("input.procedureCode", "KVA_CODE_FORMAT", `"${input.procedureCode}" is not a KVÅ code`);
    }
    if (input.providingRegionCode != null && !isRegionCode(input.providingRegionCode)) {
      throw badUserInput(
        "input.providingRegionCode",
        "REGION_CODE_UNKNOWN",
        `"${input.providingRegionCode}" is not one of the 21 county codes`,
      );
    }
    if (input.payingRegionCode != null && !isRegionCode(input.payingRegionCode)) {
      throw badUserInput("input.payingRegionCode", "REGION_CODE_UNKNOWN", `"${input.payingRegionCode}" is not one of the 21 county codes`);
    }
    return this.dataSource.transaction(async (db) => {
      const agreement = await lockAgreement(db, input.agreementId, "input.agreementId");
      const parties = (await db.getRepository(AgreementParty).find({ where: { agreementId: agreement.id } })).map((p) => p.regionCode);
      const payingRegionCode = payingRegion(scope.identity, input.payingRegionCode ?? null, parties);
      const open = await db
        .getRepository(AgreementCommitment)
        .createQueryBuilder("c")
        .where("c.referral_id = :referralId AND c.released_at IS NULL", { referralId: input.referralId })
        .getOne();
      if (open) {
        throw conflict(`The referral is already committed under an agreement (commitment ${open.id}); release it first.`, {
          commitmentId: open.id,
        });
      }
      const [facts] = await loadAgreementFacts(db, { agreementIds: [agreement.id] });
      const procedureCode = input.procedureCode ?? null;
      const allowed = availability(facts, input.specialty, procedureCode, input.careDate);
      if ("code" in allowed) throw conflict(`${agreement.name}: ${allowed.reason}`, { reasonCode: allowed.code });
      const commitment = Object.assign(new AgreementCommitment(), {
        id: randomUUID(),
        agreementId: agreement.id,
        agreementVersionId: allowed.version.id,
        referralId: input.referralId,
        procedureCode,
        careDate: input.careDate,
        priceSek: priceFor(facts, procedureCode, input.providingRegionCode ?? "", input.careDate),
        committedAt: new Date(),
        releasedAt: null,
        releaseReason: null,
        payingRegionCode,
        committedBy: actorOf(scope.identity),
        releasedBy: null,
      });
      await db.insert(AgreementCommitment, commitment);
      await this.announce(db, AgreementEventKind.COMMITTED, agreement.id, {
        commitmentId: commitment.id,
        referralId: commitment.referralId,
      });
      return commitment;
    });
  }

  /** Releases a referral's commitment (cancelled, or sent elsewhere): the case no longer counts against ceilings. */
  async release(scope: RequestScope, referralId: string, reason: string): Promise<AgreementCommitment> {
    requireCommitter(scope.identity);
    if (!isUuid(referralId)) throw badUserInput("referralId", "ID_FORMAT", `"${referralId}" is not a referral id (UUID)`);
    if (!reason.trim()) throw badUserInput("reason", "REQUIRED", "say why the commitment is released");
    return this.dataSource.transaction(async (db) => {
      const rows: AgreementCommitment[] = await db
        .getRepository(AgreementCommitment)
        .createQueryBuilder("c")
        .setLock("pessimistic_write")
        .where("c.referral_id = :referralId AND c.released_at IS NULL", { referralId })
        .getMany();
      if (rows.length === 0) throw conflict("The referral has no standing commitment to release.");
      const commitment = Object.assign(rows[0], {
        releasedAt: new Date(),
        releaseReason: reason.trim(),
        releasedBy: actorOf(scope.identity),
      });
      await db.update(
        AgreementCommitment,
        { id: commitment.id },
        { releasedAt: commitment.releasedAt, releaseReason: commitment.releaseReason, releasedBy: commitment.releasedBy },
      );
      await this.announce(db, AgreementEventKind.COMMITMENT_RELEASED, commitment.agreementId, { commitmentId: commitment.id, referralId });
      return commitment;
    });
  }
}

/** Who is making the change, as a commitment records it. */
function actorOf(caller: Identity): ActorRecord {
  return { role: caller.role, organisation: organisationOf(caller), subject: caller.subject, viaService: caller.viaService ?? null };
}

/** Agreements are managed by administrators; everyone else may only read them. */
function requireAdministrator(caller: Identity): void {
  if (!mayAdministerAgreements(caller)) throw forbidden(`Agreements are managed by administrators (you are ${describeCaller(caller)}).`);
}

/** Referrals are committed under agreements when they are sent, by the referrals service (or an administrator correcting one). */
function requireCommitter(caller: Identity): void {
  if (!mayCommitReferrals(caller))
    throw forbidden("Referrals are committed under agreements when the office sends them (sendReferral), not directly.");
}

/**
 * The region that pays for a commitment: the patient's home region. When the referrals service
 * commits for the office sending a referral, that is the office's region (only the home region's
 * office and clinics send its referrals); an administrator names it, or, under an agreement with
 * one party (a care-guarantee agreement), it is that party. It must be a party to the agreement.
 */
function payingRegion(caller: Identity, given: string | null, parties: readonly string[]): string {
  const viaOffice = caller.role !== Role.ADMINISTRATOR ? caller.regionCode : null;
  if (viaOffice !== null && given !== null && given !== viaOffice) {
    throw badUserInput(
      "input.payingRegionCode",
      "NOT_CALLERS_REGION",
      `the referral is sent by region ${viaOffice}'s office, which pays; not ${given}`,
    );
  }
  const paying = given ?? viaOffice ?? (parties.length === 1 ? parties[0] : null);
  if (paying === null) {
    throw badUserInput(
      "input.payingRegionCode",
      "REQUIRED",
      "name the region that pays (the patient's home region): the agreement has several parties",
    );
  }
  if (!parties.includes(paying)) {
    throw badUserInput("input.payingRegionCode", "PAYING_REGION_NOT_PARTY", `region ${paying} is not a party to the agreement`);
  }
  return paying;
}

function versionRow(
  agreementId: string,
  version: number,
  effectiveFrom: string,
  coverage: CoverageInput,
  terms: TermsInput,
  changeNote: string,
): AgreementVersion {
  return Object.assign(new AgreementVersion(), {
    id: randomUUID(),
    agreementId,
    version,
    effectiveFrom,
    coversAllPlannedCare: coverage.coversAllPlannedCare,
    coveredSpecialties: coverage.specialties ?? [],
    coveredProcedureCodes: coverage.procedureCodes ?? [],
    referralRequired: terms.referralRequired,
    paymentCommitmentRequired: terms.paymentCommitmentRequired,
    sameTermsAsResidents: terms.sameTermsAsResidents,
    changeNote,
    createdAt: new Date(),
  });
}

async function insertPriceList(db: EntityManager, agreementId: string, input: PriceListInput): Promise<PriceList> {
  const list = Object.assign(new PriceList(), {
    id: randomUUID(),
    agreementId,
    name: input.name.trim(),
    validFrom: input.validFrom,
    validUntil: input.validUntil ?? null,
    endReason: null,
  });
  await db.insert(PriceList, list);
  await db.insert(
    PriceListEntry,
    input.entries.map((e) => ({
      id: randomUUID(),
      priceListId: list.id,
      procedureCode: e.procedureCode,
      providingRegionCode: e.providingRegionCode ?? null,
      priceSek: e.priceSek,
    })),
  );
  return list;
}

/** Reads and locks the agreement for the rest of the transaction; an unknown id is input error. */
async function lockAgreement(db: EntityManager, agreementId: string, field = "agreementId"): Promise<Agreement> {
  const agreement = isUuid(agreementId)
    ? await db
        .getRepository(Agreement)
        .createQueryBuilder("a")
        .setLock("pessimistic_write")
        .where("a.id = :agreementId", { agreementId })
        .getOne()
    : null;
  if (!agreement) throw badUserInput(field, "UNKNOWN_AGREEMENT", `no agreement has the id "${agreementId}"`);
  return agreement;
}
