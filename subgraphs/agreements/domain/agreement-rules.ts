/**
 * What makes an agreement, a price list, a revision or an ending well-formed. Plain rules, no
 * GraphQL and no database: each returns the problems found, each naming the input field and the
 * rule, so that the administration service can refuse the whole change with a precise error.
 */

import { addDays, isIsoDate } from "../../shared/domain/calendar";
import { isUuid } from "../../shared/domain/ids";
import { isKvaCode } from "../../shared/domain/kva";
import { HEALTHCARE_REGIONS, isRegionCode, REGIONS } from "../../shared/domain/regions";
import { Specialty } from "../../shared/domain/specialty";
import { AgreementKind } from "./coverage";

export type { Problem } from "../../shared/domain/problem";
import type { Problem } from "../../shared/domain/problem";

export interface CoverageInput {
  coversAllPlannedCare: boolean;
  specialties?: Specialty[] | null;
  procedureCodes?: string[] | null;
}

export interface TermsInput {
  referralRequired: boolean;
  paymentCommitmentRequired: boolean;
  sameTermsAsResidents: boolean;
}

export interface PriceEntryInput {
  procedureCode: string;
  providingRegionCode?: string | null;
  priceSek: number;
}

export interface PriceListInput {
  name: string;
  validFrom: string;
  validUntil?: string | null;
  entries: PriceEntryInput[];
}

export interface CeilingInput {
  periodFrom: string;
  periodUntil: string;
  maxCases: number;
  procedureCodes?: string[] | null;
}

export interface CreateAgreementInput {
  kind: AgreementKind;
  name: string;
  partyRegionCodes: string[];
  healthcareRegionCode?: string | null;
  providerId?: string | null;
  validFrom: string;
  validUntil?: string | null;
  coverage: CoverageInput;
  terms: TermsInput;
  ceilings?: CeilingInput[] | null;
  priceList?: PriceListInput | null;
}

export interface ReviseAgreementInput {
  effectiveFrom: string;
  coverage?: CoverageInput | null;
  terms?: TermsInput | null;
  changeNote: string;
}

interface Period {
  validFrom: string;
  validUntil: string | null;
}

/**
 * Where several rules refuse one input, the first (the error's own field, rule and message) is the
 * most specific one, the one that says best what to change; every problem stays in
 * `extensions.problems`. Three tiers, each keeping the order the rules were checked in:
 *
 * 1. A clash with one named sibling record: another price list, another version, a duplicate
 *    entry ("overlaps the price list X; end that one first").
 * 2. Every rule about the value of one field (format, range, required, unknown codes).
 * 3. Rules about the input as a whole or its fit in the enclosing agreement (outside the
 *    agreement's validity, the party list of a kind of agreement, nothing changes): true, but
 *    often a consequence of a mistake a tier-1 or tier-2 rule names more precisely.
 */
const SIBLING_CLASH = new Set(["OVERLAPPING_PRICE_LIST", "OVERLAPPING_VERSION", "DUPLICATE_PRICE", "DUPLICATE_VALUE"]);
const WHOLE_INPUT = new Set([
  "OUTSIDE_AGREEMENT",
  "RIKSAVTALET_ALL_REGIONS",
  "PACT_PARTIES",
  "PRIVATE_AGREEMENT_PARTIES",
  "CEILING_ONLY_PRIVATE",
  "NOTHING_CHANGES",
  "NOTHING_TO_SUPERSEDE",
]);

export function specificityTier(rule: string): number {
  if (SIBLING_CLASH.has(rule)) return 1;
  return WHOLE_INPUT.has(rule) ? 3 : 2;
}

/** The problems, most specific first (a stable sort: equally specific ones keep their order). */
export function mostSpecificFirst(problems: readonly Problem[]): Problem[] {
  return problems
    .map((problem, i) => ({ problem, i }))
    .sort((a, b) => specificityTier(a.problem.rule) - specificityTier(b.problem.rule) || a.i - b.i)
    .map((x) => x.problem);
}

const MAX_NAME = 300;
const MAX_PRICE_SEK = 100_000_000;
const MAX_CASES = 1_000_000;

function periodProblems(field: string, from: string, until: string | null | undefined): Problem[] {
  const problems: Problem[] = [];
  if (!isIsoDate(from)) problems.push({ field: `${field}From`, rule: "DATE_FORMAT", message: "must be a date written YYYY-MM-DD" });
  if (until != null && !isIsoDate(until))
    problems.push({ field: `${field}Until`, rule: "DATE_FORMAT", message: "must be a date written YYYY-MM-DD" });
  if (problems.length === 0 && until != null && until < from) {
    problems.push({ field: `${field}Until`, rule: "END_BEFORE_START", message: `ends (${until}) before it starts (${from})` });
  }
  return problems;
}

function overlaps(a: Period, b: Period): boolean {
  return a.validFrom <= (b.validUntil ?? "9999-12-31") && b.validFrom <= (a.validUntil ?? "9999-12-31");
}

export function coverageProblems(field: string, coverage: CoverageInput): Problem[] {
  const problems: Problem[] = [];
  const specialties = coverage.specialties ?? [];
  const procedures = coverage.procedureCodes ?? [];
  if (!coverage.coversAllPlannedCare && specialties.length === 0 && procedures.length === 0) {
    problems.push({ field, rule: "COVERAGE_EMPTY", message: "must cover all planned care, or name specialties or procedures" });
  }
  procedures.forEach((code, i) => {
    if (!isKvaCode(code))
      problems.push({ field: `${field}.procedureCodes[${i}]`, rule: "KVA_CODE_FORMAT", message: `"${code}" is not a KVÅ code` });
  });
  return problems;
}

/**
 * The price list that a new list from `validFrom` supersedes: the one that starts before it and is
 * still in force on that day (an open-ended list, typically). Superseding ends it the day before.
 */
export function listToSupersede<T extends Period>(existing: readonly T[], validFrom: string): T | null {
  return existing.find((other) => other.validFrom < validFrom && (other.validUntil === null || other.validUntil >= validFrom)) ?? null;
}

/**
 * A new price list of an agreement. With `supersede`, the list in force on the new list's first day
 * is ended the day before (a yearly price change over an open-ended list): that ending must be one
 * `priceListEndingProblems` allows, so it cannot rewrite prices of days that have passed.
 */
export function priceListProblems(
  field: string,
  list: PriceListInput,
  agreement: Period,
  existing: readonly (Period & { name: string })[],
  supersede: { today: string } | null = null,
): Problem[] {
  return mostSpecificFirst(priceListInputProblems(field, list, agreement, existing, supersede));
}

function priceListInputProblems(
  field: string,
  list: PriceListInput,
  agreement: Period,
  existing: readonly (Period & { name: string })[],
  supersede: { today: string } | null,
): Problem[] {
  const problems: Problem[] = [];
  if (!list.name.trim()) problems.push({ field: `${field}.name`, rule: "REQUIRED", message: "must not be empty" });
  problems.push(...periodProblems(`${field}.valid`, list.validFrom, list.validUntil));
  if (list.entries.length === 0) problems.push({ field: `${field}.entries`, rule: "REQUIRED", message: "must hold at least one price" });
  const seen = new Set<string>();
  list.entries.forEach((entry, i) => {
    const at = `${field}.entries[${i}]`;
    if (!isKvaCode(entry.procedureCode))
      problems.push({ field: `${at}.procedureCode`, rule: "KVA_CODE_FORMAT", message: `"${entry.procedureCode}" is not a KVÅ code` });
    if (entry.providingRegionCode != null && !isRegionCode(entry.providingRegionCode)) {
      problems.push({
        field: `${at}.providingRegionCode`,
        rule: "REGION_CODE_UNKNOWN",
        message: `"${entry.providingRegionCode}" is not one of the 21 county codes`,
      });
    }
    if (!Number.isInteger(entry.priceSek) || entry.priceSek < 0) {
      problems.push({
        field: `${at}.priceSek`,
        rule: "NEGATIVE_PRICE",
        message: `must be a whole number of kronor, 0 or more, got ${entry.priceSek}`,
      });
    } else if (entry.priceSek > MAX_PRICE_SEK) {
      problems.push({ field: `${at}.priceSek`, rule: "PRICE_TOO_LARGE", message: `must be at most ${MAX_PRICE_SEK} SEK` });
    }
    const key = `${entry.procedureCode}:${entry.providingRegionCode ?? ""}`;
    if (seen.has(key))
      problems.push({ field: at, rule: "DUPLICATE_PRICE", message: `prices ${entry.procedureCode} twice for the same region` });
    seen.add(key);
  });
  if (problems.length > 0) return problems;
  const period = { validFrom: list.validFrom, validUntil: list.validUntil ?? null };
  if (
    period.validFrom < agreement.validFrom ||
    (agreement.validUntil !== null && (period.validUntil === null || period.validUntil > agreement.validUntil))
  ) {
    problems.push({
      field: `${field}.validFrom`,
      rule: "OUTSIDE_AGREEMENT",
      message: `must lie within the agreement's validity (${agreement.validFrom} to ${agreement.validUntil ?? "further notice"})`,
    });
  }
  let others = existing;
  if (supersede) {
    const superseded = listToSupersede(existing, period.validFrom);
    if (!superseded) {
      problems.push({
        field: "supersede",
        rule: "NOTHING_TO_SUPERSEDE",
        message: `no price list is in force on ${period.validFrom} and started before it; add the list without supersede`,
      });
    } else {
      const lastDay = addDays(period.validFrom, -1);
      if (lastDay < supersede.today) {
        problems.push({
          field: `${field}.validFrom`,
          rule: "DATE_IN_PAST",
          message: `superseding would end "${superseded.name}" on ${lastDay}, a day that has passed; prices of past days stay as they were`,
        });
      }
      others = existing.map((other) => (other === superseded ? { ...other, validUntil: lastDay } : other));
    }
  }
  const clash = others.find((other) => overlaps(other, period));
  if (clash) {
    problems.push({
      field: `${field}.validFrom`,
      rule: "OVERLAPPING_PRICE_LIST",
      message: `overlaps the price list "${clash.name}" (${clash.validFrom} to ${clash.validUntil ?? "further notice"}); end that one first`,
    });
  }
  return problems;
}

export function ceilingProblems(field: string, ceiling: CeilingInput): Problem[] {
  const problems = periodProblems(`${field}.period`, ceiling.periodFrom, ceiling.periodUntil);
  if (!Number.isInteger(ceiling.maxCases) || ceiling.maxCases < 1 || ceiling.maxCases > MAX_CASES) {
    problems.push({
      field: `${field}.maxCases`,
      rule: "POSITIVE",
      message: `must be a whole number from 1 to ${MAX_CASES}, got ${ceiling.maxCases}`,
    });
  }
  (ceiling.procedureCodes ?? []).forEach((code, i) => {
    if (!isKvaCode(code))
      problems.push({ field: `${field}.procedureCodes[${i}]`, rule: "KVA_CODE_FORMAT", message: `"${code}" is not a KVÅ code` });
  });
  return problems;
}

export function createAgreementProblems(input: CreateAgreementInput): Problem[] {
  return mostSpecificFirst(createProblems(input));
}

function createProblems(input: CreateAgreementInput): Problem[] {
  const problems: Problem[] = [];
  if (!input.name.trim()) problems.push({ field: "input.name", rule: "REQUIRED", message: "must not be empty" });
  if (input.name.length > MAX_NAME)
    problems.push({ field: "input.name", rule: "TOO_LONG", message: `must be at most ${MAX_NAME} characters` });
  problems.push(...periodProblems("input.valid", input.validFrom, input.validUntil));
  const parties = input.partyRegionCodes;
  parties.forEach((code, i) => {
    if (!isRegionCode(code))
      problems.push({
        field: `input.partyRegionCodes[${i}]`,
        rule: "REGION_CODE_UNKNOWN",
        message: `"${code}" is not one of the 21 county codes`,
      });
    else if (parties.indexOf(code) !== i)
      problems.push({ field: `input.partyRegionCodes[${i}]`, rule: "DUPLICATE_VALUE", message: `names region ${code} twice` });
  });
  switch (input.kind) {
    case AgreementKind.RIKSAVTALET:
      if (parties.length !== REGIONS.length || !REGIONS.every((r) => parties.includes(r.code))) {
        problems.push({
          field: "input.partyRegionCodes",
          rule: "RIKSAVTALET_ALL_REGIONS",
          message: "Riksavtalet is between all 21 regions",
        });
      }
      break;
    case AgreementKind.HEALTHCARE_REGION_PACT: {
      const healthcareRegion = HEALTHCARE_REGIONS.find((h) => h.code === input.healthcareRegionCode);
      if (!healthcareRegion) {
        problems.push({
          field: "input.healthcareRegionCode",
          rule: "HEALTHCARE_REGION_CODE_UNKNOWN",
          message: "a pact names its healthcare region (NORRA, MELLANSVERIGE, STOCKHOLM_GOTLAND, SYDOSTRA, SODRA or VASTRA)",
        });
        break;
      }
      if (parties.length < 2)
        problems.push({ field: "input.partyRegionCodes", rule: "PACT_PARTIES", message: "a pact has at least two regions" });
      parties.forEach((code, i) => {
        if (isRegionCode(code) && !healthcareRegion.members.some((m) => m.regionCode === code)) {
          problems.push({
            field: `input.partyRegionCodes[${i}]`,
            rule: "PARTY_OUTSIDE_HEALTHCARE_REGION",
            message: `region ${code} is not in ${healthcareRegion.name}`,
          });
        }
      });
      break;
    }
    case AgreementKind.CARE_GUARANTEE_AGREEMENT:
      if (parties.length !== 1)
        problems.push({
          field: "input.partyRegionCodes",
          rule: "PRIVATE_AGREEMENT_PARTIES",
          message: "a care-guarantee agreement has exactly one region",
        });
      if (!input.providerId || !isUuid(input.providerId)) {
        problems.push({
          field: "input.providerId",
          rule: "REQUIRED",
          message: "a care-guarantee agreement names its private provider (a provider id)",
        });
      }
      break;
  }
  if (input.kind !== AgreementKind.CARE_GUARANTEE_AGREEMENT && input.providerId != null) {
    problems.push({
      field: "input.providerId",
      rule: "PROVIDER_ONLY_PRIVATE",
      message: "only a care-guarantee agreement names a provider",
    });
  }
  if (input.kind !== AgreementKind.HEALTHCARE_REGION_PACT && input.healthcareRegionCode != null) {
    problems.push({
      field: "input.healthcareRegionCode",
      rule: "HEALTHCARE_REGION_ONLY_PACT",
      message: "only a pact names a healthcare region",
    });
  }
  problems.push(...coverageProblems("input.coverage", input.coverage));
  for (const [i, ceiling] of (input.ceilings ?? []).entries()) problems.push(...ceilingProblems(`input.ceilings[${i}]`, ceiling));
  if ((input.ceilings ?? []).length > 0 && input.kind !== AgreementKind.CARE_GUARANTEE_AGREEMENT) {
    problems.push({
      field: "input.ceilings",
      rule: "CEILING_ONLY_PRIVATE",
      message: "volume ceilings belong to private care-guarantee agreements",
    });
  }
  if (input.priceList && problems.length === 0) {
    problems.push(
      ...priceListProblems("input.priceList", input.priceList, { validFrom: input.validFrom, validUntil: input.validUntil ?? null }, []),
    );
  }
  return problems;
}

export function revisionProblems(
  input: ReviseAgreementInput,
  agreement: Period,
  latestEffectiveFrom: string,
  latestVersion: number,
): Problem[] {
  return mostSpecificFirst(revisionInputProblems(input, agreement, latestEffectiveFrom, latestVersion));
}

function revisionInputProblems(
  input: ReviseAgreementInput,
  agreement: Period,
  latestEffectiveFrom: string,
  latestVersion: number,
): Problem[] {
  const problems: Problem[] = [];
  if (!isIsoDate(input.effectiveFrom))
    return [{ field: "input.effectiveFrom", rule: "DATE_FORMAT", message: "must be a date written YYYY-MM-DD" }];
  if (input.effectiveFrom <= latestEffectiveFrom) {
    problems.push({
      field: "input.effectiveFrom",
      rule: "OVERLAPPING_VERSION",
      message: `must be after ${latestEffectiveFrom}, when version ${latestVersion} took effect: versions follow each other and never rewrite an earlier one`,
    });
  }
  if (agreement.validUntil !== null && input.effectiveFrom > agreement.validUntil) {
    problems.push({
      field: "input.effectiveFrom",
      rule: "OUTSIDE_AGREEMENT",
      message: `is after the agreement ends (${agreement.validUntil})`,
    });
  }
  if (!input.changeNote.trim()) problems.push({ field: "input.changeNote", rule: "REQUIRED", message: "say what changes" });
  if (input.coverage) problems.push(...coverageProblems("input.coverage", input.coverage));
  if (!input.coverage && !input.terms)
    problems.push({ field: "input", rule: "NOTHING_CHANGES", message: "give new coverage, new terms, or both" });
  return problems;
}

export function endingProblems(lastDay: string, reason: string, agreement: Period): Problem[] {
  if (!isIsoDate(lastDay)) return [{ field: "lastDay", rule: "DATE_FORMAT", message: "must be a date written YYYY-MM-DD" }];
  const problems: Problem[] = [];
  if (lastDay < agreement.validFrom) {
    problems.push({ field: "lastDay", rule: "END_BEFORE_START", message: `is before the agreement starts (${agreement.validFrom})` });
  }
  if (!reason.trim()) problems.push({ field: "reason", rule: "REQUIRED", message: "say why the agreement ends" });
  return problems;
}

/**
 * Ending a price list: it applies up to and including `lastDay`. An ending can only be brought
 * forward (a later end could overlap the list that follows), and never to a day that has passed:
 * prices of past days were quoted and committed, and stay as they were. Commitments keep the price
 * they were made at whatever happens to the list.
 */
export function priceListEndingProblems(lastDay: string, reason: string, list: Period & { name: string }, today: string): Problem[] {
  if (!isIsoDate(lastDay)) return [{ field: "lastDay", rule: "DATE_FORMAT", message: "must be a date written YYYY-MM-DD" }];
  const problems: Problem[] = [];
  if (list.validUntil !== null && lastDay >= list.validUntil) {
    problems.push({
      field: "lastDay",
      rule: "ENDING_NOT_BROUGHT_FORWARD",
      message: `"${list.name}" already ends on ${list.validUntil}; an ending can only be brought forward`,
    });
  }
  if (lastDay < list.validFrom) {
    problems.push({ field: "lastDay", rule: "END_BEFORE_START", message: `is before "${list.name}" starts (${list.validFrom})` });
  } else if (lastDay < today) {
    problems.push({
      field: "lastDay",
      rule: "DATE_IN_PAST",
      message: `has passed (today is ${today}); prices of past days stay as they were`,
    });
  }
  if (!reason.trim()) problems.push({ field: "reason", rule: "REQUIRED", message: "say why the price list ends" });
  return mostSpecificFirst(problems);
}
