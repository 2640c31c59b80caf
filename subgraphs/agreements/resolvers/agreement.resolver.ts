import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { Specialty } from "../../shared/graphql-enums";
import { HealthcareRegionStub, ProcedureStub, RegionStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";
import { Agreement, AgreementCommitment, AgreementVersion, PriceList } from "../entities/agreement.entity";
import { AgreementTerms, PriceListEntryView, termsOf, VolumeCeiling, volumeCeiling } from "../entities/agreement-parts";
import { ProviderStub } from "../entities/stubs";
import { AgreementsContext } from "../context";
import { CommitInput } from "../services/agreement-administration";
import { AgreementListFilter } from "../services/agreement-listing";
import * as rules from "../domain/agreement-rules";
import { AgreementKind } from "../domain/coverage";

@InputType({ description: "Narrows the agreement list. All fields are optional and combine with AND." })
export class AgreementFilter implements AgreementListFilter {
  @Field(() => AgreementKind, { nullable: true, description: "Only agreements of this kind." })
  kind?: AgreementKind | null;

  @Field(() => String, { nullable: true, description: "Only agreements this region (county code) is party to." })
  partyRegionCode?: string | null;

  @Field(() => ID, { nullable: true, description: "Only care-guarantee agreements with this private provider." })
  providerId?: string | null;

  @Field(() => Specialty, {
    nullable: true,
    description: "Only agreements whose version in force (on `validOn`, or today) covers this specialty or all planned care.",
  })
  specialty?: Specialty | null;

  @Field(() => DateScalar, { nullable: true, description: "Only agreements in force on this date." })
  validOn?: string | null;
}

@InputType({ description: "What an agreement covers." })
export class CoverageInputType implements rules.CoverageInput {
  @Field({ description: "All planned specialised care (Riksavtalet, pacts)." })
  coversAllPlannedCare: boolean;

  @Field(() => [Specialty], { nullable: true, description: "Specialties covered in full (at most 100, each once)." })
  specialties?: Specialty[] | null;

  @Field(() => [String], { nullable: true, description: "KVÅ procedures covered individually (at most 500, each once)." })
  procedureCodes?: string[] | null;
}

@InputType({ description: "Terms for sending a patient under an agreement." })
export class TermsInputType implements rules.TermsInput {
  @Field({ description: "A referral (remiss) is required." })
  referralRequired: boolean;

  @Field({ description: "A payment commitment (betalningsförbindelse) is required." })
  paymentCommitmentRequired: boolean;

  @Field({ description: "The patient gets the same terms as the providing region's residents." })
  sameTermsAsResidents: boolean;
}

@InputType({ description: "One price in a price list." })
export class PriceEntryInputType implements rules.PriceEntryInput {
  @Field({ description: "KVÅ code." })
  procedureCode: string;

  @Field(() => String, { nullable: true, description: "County code of the region where the care is given, for per-region prices." })
  providingRegionCode?: string | null;

  @Field(() => Int, { description: "Price per case in SEK, 0 or more." })
  priceSek: number;
}

@InputType({ description: "A price list with its own validity; lists of one agreement may not overlap." })
export class PriceListInputType implements rules.PriceListInput {
  @Field({ description: 'Name, e.g. "Avtalspriser 2027".' })
  name: string;

  @Field(() => DateScalar, { description: "First day the prices apply." })
  validFrom: string;

  @Field(() => DateScalar, { nullable: true, description: "Last day the prices apply; omitted = until further notice." })
  validUntil?: string | null;

  @Field(() => [PriceEntryInputType], { description: "The prices (at most 500)." })
  entries: PriceEntryInputType[];
}

@InputType({ description: "A volume ceiling for a period." })
export class CeilingInputType implements rules.CeilingInput {
  @Field(() => DateScalar, { description: "First day of the period." })
  periodFrom: string;

  @Field(() => DateScalar, { description: "Last day of the period." })
  periodUntil: string;

  @Field(() => Int, { description: "Cases allowed in the period." })
  maxCases: number;

  @Field(() => [String], {
    nullable: true,
    description: "KVÅ procedures counted (at most 500, each once); omitted = all care under the agreement.",
  })
  procedureCodes?: string[] | null;
}

@InputType({ description: "A new agreement, with its first version." })
export class CreateAgreementInputType implements rules.CreateAgreementInput {
  @Field(() => AgreementKind, { description: "Riksavtalet, a healthcare-region pact, or a private care-guarantee agreement." })
  kind: AgreementKind;

  @Field({ description: "Name of the agreement." })
  name: string;

  @Field(() => [String], {
    description:
      "County codes of the regions party to it (at most 21, each once): all 21 for Riksavtalet, the pact's regions, or the one region of a private agreement.",
  })
  partyRegionCodes: string[];

  @Field(() => String, { nullable: true, description: "For a pact: its healthcare region." })
  healthcareRegionCode?: string | null;

  @Field(() => ID, { nullable: true, description: "For a care-guarantee agreement: the private provider." })
  providerId?: string | null;

  @Field(() => DateScalar, { description: "First day the agreement applies." })
  validFrom: string;

  @Field(() => DateScalar, { nullable: true, description: "Last day it applies; omitted = until further notice." })
  validUntil?: string | null;

  @Field(() => CoverageInputType, { description: "What it covers." })
  coverage: CoverageInputType;

  @Field(() => TermsInputType, { description: "Its terms." })
  terms: TermsInputType;

  @Field(() => [CeilingInputType], { nullable: true, description: "Volume ceilings (private agreements only; at most 100)." })
  ceilings?: CeilingInputType[] | null;

  @Field(() => PriceListInputType, { nullable: true, description: "Its first price list." })
  priceList?: PriceListInputType | null;
}

@InputType({
  description: "A change to an agreement's content from a date: a new version. What is omitted stays as in the latest version.",
})
export class ReviseAgreementInputType implements rules.ReviseAgreementInput {
  @Field(() => DateScalar, { description: "First day of the new version; after the latest version's first day." })
  effectiveFrom: string;

  @Field(() => CoverageInputType, { nullable: true, description: "New coverage." })
  coverage?: CoverageInputType | null;

  @Field(() => TermsInputType, { nullable: true, description: "New terms." })
  terms?: TermsInputType | null;

  @Field({ description: "What changes and why." })
  changeNote: string;
}

@InputType("CommitReferralInput", {
  description: "A referral to commit under an agreement (done when the referral is sent with a payment commitment).",
})
export class CommitInputType implements CommitInput {
  @Field(() => ID, { description: "The agreement." })
  agreementId: string;

  @Field(() => ID, { description: "The referral (its id in the referrals subgraph)." })
  referralId: string;

  @Field(() => Specialty, { description: "The specialty of the care." })
  specialty: Specialty;

  @Field(() => String, { nullable: true, description: "KVÅ code of the care; omitted for a first visit." })
  procedureCode?: string | null;

  @Field(() => DateScalar, { description: "Date of care; decides the version, price list and ceiling period." })
  careDate: string;

  @Field(() => String, { nullable: true, description: "County code of the region where the care is given, for per-region prices." })
  providingRegionCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "County code of the region that pays (the patient's home region). Omitted: the sending office's region, or the only party of a one-party agreement; an administrator names it under an agreement with several parties.",
  })
  payingRegionCode?: string | null;
}

@Resolver(() => Agreement)
export class AgreementResolver {
  @Query(() => Agreement, { nullable: true, description: "An agreement by id; null when there is none." })
  agreement(@Arg("id", () => ID) id: string, @Ctx() ctx: AgreementsContext): Promise<Agreement | null> {
    return isUuid(id) ? ctx.loaders.agreement.load(id) : Promise.resolve(null);
  }

  @Query(() => [Agreement], { description: "Agreements known to this hub, most specific kind first, then by name." })
  agreements(
    @Ctx() ctx: AgreementsContext,
    @Arg("filter", () => AgreementFilter, { nullable: true }) filter?: AgreementFilter | null,
  ): Promise<Agreement[]> {
    return ctx.listing.list(ctx, filter ?? {});
  }

  @FieldResolver(() => [RegionStub], { description: "The regions party to the agreement (all 21 for Riksavtalet)." })
  async parties(@Root() agreement: Agreement, @Ctx() ctx: AgreementsContext): Promise<RegionStub[]> {
    return (await ctx.loaders.partiesOf.load(agreement.id)).map((p) => ({ code: p.regionCode }));
  }

  @FieldResolver(() => HealthcareRegionStub, { nullable: true, description: "For a pact: the healthcare region whose pact it is." })
  healthcareRegion(@Root() agreement: Agreement): HealthcareRegionStub | null {
    return agreement.healthcareRegionCode ? { code: agreement.healthcareRegionCode } : null;
  }

  @FieldResolver(() => ProviderStub, { nullable: true, description: "For a care-guarantee agreement: the private provider." })
  provider(@Root() agreement: Agreement): Pick<ProviderStub, "id"> | null {
    return agreement.providerId ? { id: agreement.providerId } : null;
  }

  @FieldResolver(() => [AgreementVersion], { description: "Every version, oldest first." })
  versions(@Root() agreement: Agreement, @Ctx() ctx: AgreementsContext): Promise<AgreementVersion[]> {
    return ctx.loaders.versionsOf.load(agreement.id);
  }

  @FieldResolver(() => AgreementVersion, {
    nullable: true,
    description: "The version in force on a date (today when omitted); null before the first version.",
  })
  async version(
    @Root() agreement: Agreement,
    @Ctx() ctx: AgreementsContext,
    @Arg("on", () => DateScalar, { nullable: true, description: "The date; today when omitted." }) on?: string | null,
  ): Promise<AgreementVersion | null> {
    const date = on ?? ctx.today;
    // Versions come oldest first, and each takes effect after the one before it.
    return (await ctx.loaders.versionsOf.load(agreement.id)).filter((v) => v.effectiveFrom <= date).pop() ?? null;
  }

  @FieldResolver(() => [PriceList], { description: "Price lists, newest first." })
  priceLists(@Root() agreement: Agreement, @Ctx() ctx: AgreementsContext): Promise<PriceList[]> {
    return ctx.loaders.priceListsOf.load(agreement.id);
  }

  @FieldResolver(() => [VolumeCeiling], { description: "Volume ceilings and their use." })
  async ceilings(@Root() agreement: Agreement, @Ctx() ctx: AgreementsContext): Promise<VolumeCeiling[]> {
    const facts = await ctx.loaders.agreementFacts.load(agreement.id);
    return (facts?.ceilings ?? []).map(volumeCeiling);
  }

  @Mutation(() => Agreement, { description: "Creates an agreement with its first version (administrators)." })
  createAgreement(
    @Arg("input", () => CreateAgreementInputType) input: CreateAgreementInputType,
    @Ctx() ctx: AgreementsContext,
  ): Promise<Agreement> {
    return ctx.administration.create(ctx, input);
  }

  @Mutation(() => AgreementVersion, {
    description: "Changes an agreement's coverage or terms from a date: a new version (administrators).",
  })
  reviseAgreement(
    @Arg("agreementId", () => ID) agreementId: string,
    @Arg("input", () => ReviseAgreementInputType) input: ReviseAgreementInputType,
    @Ctx() ctx: AgreementsContext,
  ): Promise<AgreementVersion> {
    return ctx.administration.revise(ctx, agreementId, input);
  }

  @Mutation(() => PriceList, {
    description:
      "Adds a price list (e.g. next year's prices) to an agreement (administrators). Lists may not overlap: with `supersede`, the list in force on the new list's first day is ended the day before (a yearly price change over an open-ended list).",
  })
  addPriceList(
    @Arg("agreementId", () => ID) agreementId: string,
    @Arg("input", () => PriceListInputType) input: PriceListInputType,
    @Ctx() ctx: AgreementsContext,
    @Arg("supersede", () => Boolean, {
      nullable: true,
      defaultValue: false,
      description:
        "End the list in force on `input.validFrom` (one that started earlier) the day before, in the same change; that day must not have passed. Refused (NOTHING_TO_SUPERSEDE) when there is none.",
    })
    supersede?: boolean | null,
  ): Promise<PriceList> {
    return ctx.administration.addPriceList(ctx, agreementId, input, supersede ?? false);
  }

  @Mutation(() => PriceList, {
    description:
      "Ends a price list: its prices apply up to and including `lastDay` (administrators). Earlier days keep its prices, and commitments keep the price they were made at. An ending can only be brought forward, to today or later.",
  })
  endPriceList(
    @Arg("priceListId", () => ID, { description: "The price list (see `Agreement.priceLists`)." }) priceListId: string,
    @Arg("lastDay", () => DateScalar, { description: "Last day the list's prices apply; today or later." }) lastDay: string,
    @Arg("reason", { description: 'Why, e.g. "New prices from 2027".' }) reason: string,
    @Ctx() ctx: AgreementsContext,
  ): Promise<PriceList> {
    return ctx.administration.endPriceList(ctx, priceListId, lastDay, reason);
  }

  @Mutation(() => Agreement, { description: "Ends an agreement: it applies up to and including `lastDay` (administrators)." })
  endAgreement(
    @Arg("agreementId", () => ID) agreementId: string,
    @Arg("lastDay", () => DateScalar) lastDay: string,
    @Arg("reason") reason: string,
    @Ctx() ctx: AgreementsContext,
  ): Promise<Agreement> {
    return ctx.administration.end(ctx, agreementId, lastDay, reason);
  }

  @Mutation(() => AgreementCommitment, {
    description:
      "Commits a referral under an agreement, counting it against the agreement's volume ceilings and fixing its version and price.",
  })
  commitReferralToAgreement(
    @Arg("input", () => CommitInputType) input: CommitInputType,
    @Ctx() ctx: AgreementsContext,
  ): Promise<AgreementCommitment> {
    return ctx.administration.commit(ctx, input);
  }

  @Mutation(() => AgreementCommitment, { description: "Releases a referral's standing commitment (cancelled or sent elsewhere)." })
  releaseAgreementCommitment(
    @Arg("referralId", () => ID) referralId: string,
    @Arg("reason") reason: string,
    @Ctx() ctx: AgreementsContext,
  ): Promise<AgreementCommitment> {
    return ctx.administration.release(ctx, referralId, reason);
  }
}

@Resolver(() => AgreementVersion)
export class AgreementVersionResolver {
  @FieldResolver(() => [ProcedureStub], { description: "KVÅ procedures covered individually, beyond the covered specialties." })
  coveredProcedures(@Root() version: AgreementVersion): ProcedureStub[] {
    return version.coveredProcedureCodes.map((code) => ({ code }));
  }

  @FieldResolver(() => AgreementTerms, { description: "Terms of this version." })
  terms(@Root() version: AgreementVersion): AgreementTerms {
    return termsOf(version);
  }
}

@Resolver(() => AgreementCommitment)
export class AgreementCommitmentResolver {
  @FieldResolver(() => Agreement, { description: "The agreement committed under." })
  async agreement(@Root() commitment: AgreementCommitment, @Ctx() ctx: AgreementsContext): Promise<Agreement> {
    return (await ctx.loaders.agreement.load(commitment.agreementId))!;
  }

  @FieldResolver(() => AgreementVersion, { description: "The version in force when committed; the referral keeps its terms." })
  async version(@Root() commitment: AgreementCommitment, @Ctx() ctx: AgreementsContext): Promise<AgreementVersion> {
    return (await ctx.loaders.version.load(commitment.agreementVersionId))!;
  }

  @FieldResolver(() => ProcedureStub, { nullable: true, description: "The KVÅ procedure committed; null for a first visit." })
  procedure(@Root() commitment: AgreementCommitment): ProcedureStub | null {
    return commitment.procedureCode ? { code: commitment.procedureCode } : null;
  }
}

@Resolver(() => PriceList)
export class PriceListResolver {
  @FieldResolver(() => [PriceListEntryView], { description: "The prices, by procedure." })
  async entries(@Root() list: PriceList, @Ctx() ctx: AgreementsContext): Promise<PriceListEntryView[]> {
    return (await ctx.loaders.entriesOf.load(list.id)).map((e) => ({
      procedure: { code: e.procedureCode },
      providingRegion: e.providingRegionCode ? { code: e.providingRegionCode } : null,
      priceSek: e.priceSek,
    }));
  }
}
