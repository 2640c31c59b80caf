import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { badUserInput } from "../../shared/errors";
import { Specialty } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";
import { requireRegionCode } from "../../shared/validation";
import { Agreement, PriceList } from "../entities/agreement.entity";
import { ProviderRef } from "../entities/references.entity";
import { HealthcareRegionRef, ProcedureRef, RegionRef } from "../../shared/references";
import { AgreementsContext } from "../loaders";
import { AgreementKind } from "../services/coverage";

@ObjectType({ description: "The terms an agreement sets for sending a patient under it." })
export class AgreementTerms {
  @Field({ description: "A referral (remiss) from the home region is required." })
  referralRequired: boolean;

  @Field({ description: "The home region must issue a payment commitment (betalningsförbindelse) before care." })
  paymentCommitmentRequired: boolean;

  @Field({ description: "The patient gets care on the same terms as the providing region's own residents." })
  sameTermsAsResidents: boolean;
}

@ObjectType({ description: "One price in a price list." })
export class PriceListEntryView {
  @Field(() => ProcedureRef, { description: "The KVÅ procedure priced." })
  procedure: ProcedureRef;

  @Field(() => RegionRef, { nullable: true, description: "The region where the care is given, for per-region prices; null = wherever the agreement applies." })
  providingRegion: RegionRef | null;

  @Field(() => Int, { description: "Price per case in Swedish kronor." })
  priceSek: number;
}

@InputType({ description: "Narrows the agreement list. All fields are optional and combine with AND." })
export class AgreementFilter {
  @Field(() => AgreementKind, { nullable: true, description: "Only agreements of this kind." })
  kind?: AgreementKind | null;

  @Field(() => String, { nullable: true, description: "Only agreements this region (county code) is party to." })
  partyRegionCode?: string | null;

  @Field(() => ID, { nullable: true, description: "Only care-guarantee agreements with this private provider." })
  providerId?: string | null;

  @Field(() => Specialty, { nullable: true, description: "Only agreements covering this specialty (or all planned care)." })
  specialty?: Specialty | null;

  @Field(() => DateScalar, { nullable: true, description: "Only agreements in force on this date." })
  validOn?: string | null;
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
    const q = ctx.repositories.agreement.createQueryBuilder("a");
    if (filter?.kind) q.andWhere("a.kind = :kind", { kind: filter.kind });
    if (filter?.partyRegionCode != null) {
      const code = requireRegionCode("filter.partyRegionCode", filter.partyRegionCode);
      q.andWhere("EXISTS (SELECT 1 FROM agreements.agreement_party p WHERE p.agreement_id = a.id AND p.region_code = :code)", { code });
    }
    if (filter?.providerId != null) {
      if (!isUuid(filter.providerId)) throw badUserInput("filter.providerId", "ID_FORMAT", `"${filter.providerId}" is not a provider id (UUID)`);
      q.andWhere("a.provider_id = :providerId", { providerId: filter.providerId });
    }
    if (filter?.specialty) q.andWhere("(a.covers_all_planned_care OR :specialty = ANY (a.covered_specialties))", { specialty: filter.specialty });
    if (filter?.validOn) q.andWhere("a.valid_from <= :on AND (a.valid_until IS NULL OR a.valid_until >= :on)", { on: filter.validOn });
    return q
      .orderBy("CASE a.kind WHEN 'CARE_GUARANTEE_AGREEMENT' THEN 0 WHEN 'HEALTHCARE_REGION_PACT' THEN 1 ELSE 2 END")
      .addOrderBy("a.name")
      .addOrderBy("a.id")
      .getMany();
  }

  @FieldResolver(() => [RegionRef], { description: "The regions party to the agreement (all 21 for Riksavtalet)." })
  async parties(@Root() agreement: Agreement, @Ctx() ctx: AgreementsContext): Promise<RegionRef[]> {
    return (await ctx.loaders.partiesOf.load(agreement.id)).map((p) => ({ code: p.regionCode }));
  }

  @FieldResolver(() => HealthcareRegionRef, { nullable: true, description: "For a pact: the healthcare region whose pact it is." })
  healthcareRegion(@Root() agreement: Agreement): HealthcareRegionRef | null {
    return agreement.healthcareRegionCode ? { code: agreement.healthcareRegionCode } : null;
  }

  @FieldResolver(() => ProviderRef, { nullable: true, description: "For a care-guarantee agreement: the private provider." })
  provider(@Root() agreement: Agreement): Pick<ProviderRef, "id"> | null {
    return agreement.providerId ? { id: agreement.providerId } : null;
  }

  @FieldResolver(() => [ProcedureRef], { description: "KVÅ procedures covered individually, beyond the covered specialties." })
  coveredProcedures(@Root() agreement: Agreement): ProcedureRef[] {
    return agreement.coveredProcedureCodes.map((code) => ({ code }));
  }

  @FieldResolver(() => AgreementTerms, { description: "Terms for sending a patient under the agreement." })
  terms(@Root() agreement: Agreement): AgreementTerms {
    return {
      referralRequired: agreement.referralRequired,
      paymentCommitmentRequired: agreement.paymentCommitmentRequired,
      sameTermsAsResidents: agreement.sameTermsAsResidents,
    };
  }

  @FieldResolver(() => [PriceList], { description: "Price lists, newest first." })
  priceLists(@Root() agreement: Agreement, @Ctx() ctx: AgreementsContext): Promise<PriceList[]> {
    return ctx.loaders.priceListsOf.load(agreement.id);
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
