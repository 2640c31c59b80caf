import { Candidate, MatchTier, rankMatches, tierOf } from "../../subgraphs/referrals/domain/brokering";

/**
 * Brokering (subgraphs/README.md, "Finding care elsewhere"): own region first, then the own
 * region's private care-guarantee agreements, then pact regions, then Riksavtalet; within a tier an
 * offer that starts by the deadline, then the earliest start, then the lowest price.
 */

let counter = 0;
function candidate(overrides: Partial<Candidate> = {}): Candidate {
  counter += 1;
  return {
    offerId: `offer-${String(counter).padStart(3, "0")}`,
    providerName: `Provider ${counter}`,
    earliestStart: "2026-05-01",
    coverageStatus: "COVERED",
    agreementKind: "RIKSAVTALET",
    agreementName: "Riksavtalet för utomlänsvård",
    pricePerCaseSek: 50000,
    ...overrides,
  };
}

const own = (o: Partial<Candidate> = {}) => candidate({ coverageStatus: "INTERNAL_CARE", agreementKind: null, agreementName: null, ...o });
const privateAgreement = (o: Partial<Candidate> = {}) =>
  candidate({ agreementKind: "CARE_GUARANTEE_AGREEMENT", agreementName: "Vårdgarantiavtal Kattegatt", ...o });
const pact = (o: Partial<Candidate> = {}) =>
  candidate({ agreementKind: "HEALTHCARE_REGION_PACT", agreementName: "Samverkansavtal Södra", ...o });
const riks = (o: Partial<Candidate> = {}) =>
  candidate({ agreementKind: "RIKSAVTALET", agreementName: "Riksavtalet för utomlänsvård", ...o });

const DEADLINE = "2026-05-30";
const ids = (ranked: ReadonlyArray<{ candidate: Candidate }>) => ranked.map((r) => r.candidate.offerId);

describe("tierOf", () => {
  it.each([
    ["INTERNAL_CARE", null, MatchTier.OWN_REGION],
    ["INTERNAL_CARE", "RIKSAVTALET", MatchTier.OWN_REGION],
    ["COVERED", "CARE_GUARANTEE_AGREEMENT", MatchTier.OWN_PRIVATE_AGREEMENT],
    ["COVERED", "HEALTHCARE_REGION_PACT", MatchTier.PACT_REGION],
    ["COVERED", "RIKSAVTALET", MatchTier.RIKSAVTALET],
    ["COVERED", null, null],
    ["COVERED", "SOMETHING_ELSE", null],
    ["NOT_COVERED", "RIKSAVTALET", null],
    ["NOT_COVERED", "CARE_GUARANTEE_AGREEMENT", null],
    ["NOT_COVERED", null, null],
    ["", null, null],
  ] as const)("coverage %s with agreement %s → %s", (coverageStatus, agreementKind, tier) => {
    expect(tierOf({ coverageStatus, agreementKind })).toBe(tier);
  });
});

describe("rankMatches", () => {
  it("answers nothing for no candidates", () => {
    expect(rankMatches([], DEADLINE)).toEqual([]);
    expect(rankMatches([], null)).toEqual([]);
  });

  it("drops candidates no agreement covers", () => {
    const covered = riks({ offerId: "covered" });
    const ranked = rankMatches(
      [
        candidate({ offerId: "not-covered", coverageStatus: "NOT_COVERED" }),
        covered,
        candidate({ offerId: "no-kind", agreementKind: null }),
      ],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["covered"]);
    expect(ranked[0].candidate).toBe(covered);
  });

  it("orders by tier first, whatever the start or price", () => {
    const ranked = rankMatches(
      [
        riks({ offerId: "d-riks", earliestStart: "2026-04-01", pricePerCaseSek: 10000 }),
        pact({ offerId: "c-pact", earliestStart: "2026-04-02", pricePerCaseSek: 20000 }),
        privateAgreement({ offerId: "b-private", earliestStart: "2026-04-03", pricePerCaseSek: 30000 }),
        own({ offerId: "a-own", earliestStart: "2026-05-29", pricePerCaseSek: 90000 }),
      ],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["a-own", "b-private", "c-pact", "d-riks"]);
    expect(ranked.map((r) => r.tier)).toEqual([
      MatchTier.OWN_REGION,
      MatchTier.OWN_PRIVATE_AGREEMENT,
      MatchTier.PACT_REGION,
      MatchTier.RIKSAVTALET,
    ]);
  });

  it("puts an own-region offer that starts too late before any other tier (tier before deadline)", () => {
    const ranked = rankMatches(
      [pact({ offerId: "pact-in-time", earliestStart: "2026-05-01" }), own({ offerId: "own-late", earliestStart: "2026-06-10" })],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["own-late", "pact-in-time"]);
    expect(ranked[0]).toMatchObject({ startsByDeadline: false, marginDays: -11 });
    expect(ranked[1]).toMatchObject({ startsByDeadline: true, marginDays: 29 });
  });

  it("within a tier: an offer that starts by the deadline comes before one that does not, even when cheaper", () => {
    const ranked = rankMatches(
      [
        riks({ offerId: "late-cheap", earliestStart: "2026-06-01", pricePerCaseSek: 1000 }),
        riks({ offerId: "in-time", earliestStart: "2026-05-30", pricePerCaseSek: 99000 }),
      ],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["in-time", "late-cheap"]);
  });

  it("within a tier and deadline class: the earliest start wins over the price", () => {
    const ranked = rankMatches(
      [
        pact({ offerId: "p-apr-10", earliestStart: "2026-04-10", pricePerCaseSek: 30000 }),
        pact({ offerId: "p-apr-05", earliestStart: "2026-04-05", pricePerCaseSek: 80000 }),
        pact({ offerId: "p-may-01", earliestStart: "2026-05-01", pricePerCaseSek: 10000 }),
      ],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["p-apr-05", "p-apr-10", "p-may-01"]);
  });

  it("the earliest start also orders offers that all start too late", () => {
    const ranked = rankMatches(
      [riks({ offerId: "x", earliestStart: "2026-07-01" }), riks({ offerId: "y", earliestStart: "2026-06-15" })],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["y", "x"]);
  });

  it("same start: the lower price first, an unlisted price last", () => {
    const ranked = rankMatches(
      [
        privateAgreement({ offerId: "no-price", pricePerCaseSek: null }),
        privateAgreement({ offerId: "expensive", pricePerCaseSek: 52000 }),
        privateAgreement({ offerId: "cheap", pricePerCaseSek: 48000 }),
        privateAgreement({ offerId: "free", pricePerCaseSek: 0 }),
      ],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["free", "cheap", "expensive", "no-price"]);
  });

  it("same start and price: the offer id decides, so the order is stable", () => {
    const input = [riks({ offerId: "offer-c" }), riks({ offerId: "offer-a" }), riks({ offerId: "offer-b" })];
    expect(ids(rankMatches(input, DEADLINE))).toEqual(["offer-a", "offer-b", "offer-c"]);
    expect(ids(rankMatches([...input].reverse(), DEADLINE))).toEqual(["offer-a", "offer-b", "offer-c"]);
  });

  it("two unlisted prices are ordered by offer id", () => {
    const ranked = rankMatches(
      [riks({ offerId: "n-2", pricePerCaseSek: null }), riks({ offerId: "n-1", pricePerCaseSek: null })],
      DEADLINE,
    );
    expect(ids(ranked)).toEqual(["n-1", "n-2"]);
  });

  it("does not reorder the caller's array", () => {
    const input = [riks({ offerId: "b" }), own({ offerId: "a" })];
    rankMatches(input, DEADLINE);
    expect(input.map((c) => c.offerId)).toEqual(["b", "a"]);
  });

  it("numbers the ranks 1..n in the final order", () => {
    const ranked = rankMatches(
      [
        riks({ offerId: "r" }),
        candidate({ offerId: "dropped", coverageStatus: "NOT_COVERED" }),
        own({ offerId: "o" }),
        pact({ offerId: "p" }),
        privateAgreement({ offerId: "v" }),
        own({ offerId: "o2", earliestStart: "2026-04-01" }),
      ],
      DEADLINE,
    );
    expect(ranked.map((r) => [r.rank, r.candidate.offerId])).toEqual([
      [1, "o2"],
      [2, "o"],
      [3, "v"],
      [4, "p"],
      [5, "r"],
    ]);
  });

  it("keeps extra fields of the caller's candidate type", () => {
    const withExtra = { ...riks({ offerId: "extra" }), providerRegionCode: "14" };
    const [match] = rankMatches([withExtra], DEADLINE);
    expect(match.candidate.providerRegionCode).toBe("14");
  });
});

describe("marginDays and startsByDeadline", () => {
  it.each([
    ["well before", "2026-04-29", 31, true],
    ["ten days before", "2026-05-20", 10, true],
    ["on the deadline", "2026-05-30", 0, true],
    ["one day after", "2026-05-31", -1, false],
    ["two weeks after (next month)", "2026-06-13", -14, false],
  ] as const)("a start %s the deadline (%s): margin %i", (_label, earliestStart, marginDays, startsByDeadline) => {
    const [match] = rankMatches([riks({ earliestStart })], DEADLINE);
    expect(match.marginDays).toBe(marginDays);
    expect(match.startsByDeadline).toBe(startsByDeadline);
  });

  it("counts across a leap day and a year end", () => {
    expect(rankMatches([riks({ earliestStart: "2028-02-28" })], "2028-03-01")[0].marginDays).toBe(2);
    expect(rankMatches([riks({ earliestStart: "2027-02-28" })], "2027-03-01")[0].marginDays).toBe(1);
    expect(rankMatches([riks({ earliestStart: "2027-01-02" })], "2026-12-30")[0].marginDays).toBe(-3);
  });

  it("without a deadline: no margin, every offer counts as in time, and the earliest start still orders", () => {
    const ranked = rankMatches(
      [riks({ offerId: "later", earliestStart: "2027-01-01" }), riks({ offerId: "sooner", earliestStart: "2026-12-01" })],
      null,
    );
    expect(ids(ranked)).toEqual(["sooner", "later"]);
    for (const m of ranked) {
      expect(m.marginDays).toBeNull();
      expect(m.startsByDeadline).toBe(true);
    }
  });
});

describe("explanations", () => {
  it("own region: names the tier (without an agreement), the margin and the price", () => {
    const [m] = rankMatches([own({ earliestStart: "2026-05-20", pricePerCaseSek: 42000, agreementName: "ignored" })], DEADLINE);
    expect(m.explanation).toBe(
      "Tier 1, own region: internal care, no agreement needed; starts 2026-05-20, 10 day(s) before the guarantee deadline; 42000 SEK per case.",
    );
  });

  it("private agreement starting late and without a price", () => {
    const [m] = rankMatches(
      [privateAgreement({ earliestStart: "2026-06-01", pricePerCaseSek: null, agreementName: "Vårdgarantiavtal Kattegatt" })],
      DEADLINE,
    );
    expect(m.explanation).toBe(
      "Tier 2, the own region's private care-guarantee agreement (Vårdgarantiavtal Kattegatt); starts 2026-06-01, 2 day(s) after the guarantee deadline; no listed price.",
    );
  });

  it("pact region on the deadline", () => {
    const [m] = rankMatches(
      [pact({ earliestStart: "2026-05-30", pricePerCaseSek: 61500, agreementName: "Samverkansavtal Södra" })],
      DEADLINE,
    );
    expect(m.explanation).toBe(
      "Tier 3, a pact region (Samverkansavtal Södra); starts 2026-05-30, 0 day(s) before the guarantee deadline; 61500 SEK per case.",
    );
  });

  it("Riksavtalet without a deadline, and an agreement without a name", () => {
    const [m] = rankMatches([riks({ earliestStart: "2026-08-03", pricePerCaseSek: 70000, agreementName: null })], null);
    expect(m.explanation).toBe("Tier 4, Riksavtalet; starts 2026-08-03; no guarantee deadline applies; 70000 SEK per case.");
  });

  it.each([
    [MatchTier.OWN_REGION, own, "Tier 1"],
    [MatchTier.OWN_PRIVATE_AGREEMENT, privateAgreement, "Tier 2"],
    [MatchTier.PACT_REGION, pact, "Tier 3"],
    [MatchTier.RIKSAVTALET, riks, "Tier 4"],
  ] as const)("%s: the explanation starts with its tier and mentions the price", (tier, make, words) => {
    const [m] = rankMatches([make({ pricePerCaseSek: 12345 })], DEADLINE);
    expect(m.tier).toBe(tier);
    expect(m.explanation.startsWith(words)).toBe(true);
    expect(m.explanation).toContain("12345 SEK per case");
  });
});
