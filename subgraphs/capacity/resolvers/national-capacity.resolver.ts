import { Arg, Ctx, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { laterDate } from "../../shared/domain/calendar";
import { forbidden } from "../../shared/errors";
import { CareSetting, ProviderKind, Specialty, VisitType } from "../../shared/graphql-enums";
import { Role } from "../../shared/identity";
import { encodeCursor, PageInfo, parsePage } from "../../shared/pagination";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { Procedure } from "../entities/procedure.entity";
import { PeerStatus } from "../../shared/network/peer-client";
import { CapacityContext } from "../context";
import { FreeCapacityFilter } from "../entities/free-capacity-filter";
import { CoverageStub, patientSideOfCoverage } from "../entities/stubs";
import { readOfferPosition } from "../domain/capacity-filter";
import { NationalOfferRow } from "../services/national-search";

@ObjectType({ description: "Which node an offer in a national search comes from, and how fresh that node's answer is." })
export class OfferOrigin {
  @Field({ description: "County code of the node's region." })
  regionCode: string;

  @Field({ description: "The node's name, as this node's directory names it." })
  nodeName: string;

  @Field(() => DateTimeScalar, { description: "When the node gave the answer the offer is from." })
  asOf: Date;

  @Field({ description: "True for this node's own offers." })
  local: boolean;
}

@ObjectType({
  description: "The provider of an offer in a national search: the facts the asking node needs (coverage is computed from them).",
})
export class NationalOfferProvider {
  @Field(() => ID, { description: "The provider's id (UUID) on its node." })
  id: string;

  @Field({ description: "Name." })
  name: string;

  @Field(() => ProviderKind, { description: "Regional (PUBLIC) or private." })
  kind: ProviderKind;

  @Field({ description: "County code of the region where the provider is located." })
  regionCode: string;

  @Field({ description: "Municipality code (kommunkod) where the provider is located." })
  municipalityCode: string;
}

@ObjectType({ description: "The care unit of an offer in a national search." })
export class NationalOfferCareUnit {
  @Field(() => ID, { description: "The care unit's id (UUID) on its node." })
  id: string;

  @Field({ description: "Name." })
  name: string;
}

@ObjectType({ description: "A free-capacity offer found by a national search: on this node or a peer's, with where it is from." })
export class NationalOffer {
  @Field(() => ID, { description: "The offer's id (UUID) on the node that holds it." })
  id: string;

  @Field(() => OfferOrigin, { description: "The node the offer is from and how fresh its answer is." })
  origin: NationalOfferRow["origin"];

  @Field(() => Specialty, { description: "The specialty the capacity is in." })
  specialty: Specialty;

  @Field(() => VisitType, { description: "First visits (nybesök) or treatments." })
  visitType: VisitType;

  @Field(() => String, { nullable: true, description: 'KVÅ code of the procedure offered, e.g. "NFB49"; null for first-visit capacity.' })
  procedureCode: string | null;

  @Field(() => Int, { description: "Slots offered in total." })
  totalSlots: number;

  @Field(() => Int, { description: "Slots still free when the node answered." })
  availableSlots: number;

  @Field(() => DateScalar, { description: "First day of the offer's window." })
  validFrom: string;

  @Field(() => DateScalar, { description: "Last day of the offer's window." })
  validUntil: string;

  @Field(() => Int, { description: "Expected waiting time in days, as reported." })
  expectedWaitDays: number;

  @Field(() => DateTimeScalar, { description: "When the capacity was last reported or confirmed." })
  reportedAt: Date;

  @Field(() => Int, { nullable: true, description: "Youngest patient age (years) accepted; null for no limit." })
  minPatientAge: number | null;

  @Field(() => Int, { nullable: true, description: "Oldest patient age (years) accepted; null for no limit." })
  maxPatientAge: number | null;

  @Field(() => String, { nullable: true, description: "Medical conditions or exclusions in the provider's words." })
  conditions: string | null;

  @Field(() => NationalOfferProvider, { description: "The provider offering the capacity." })
  provider: NationalOfferRow["provider"];

  @Field(() => NationalOfferCareUnit, { description: "The care unit that will give the care." })
  careUnit: NationalOfferRow["careUnit"];

  storedEarliestStart: string;
}

@ObjectType({ description: "How one peer node took part in a national search." })
export class PeerAnswerInfo {
  @Field({ description: "County code of the peer's region." })
  regionCode: string;

  @Field({ description: "The peer's name in this node's directory." })
  name: string;

  @Field(() => PeerStatus, { description: "Whether it answered, and if not, why." })
  status: PeerStatus;

  @Field(() => Int, { nullable: true, description: "How long it took to answer or fail, in milliseconds; null when it was not asked." })
  latencyMs: number | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When its answer was given (how old its part is); null when it gave none." })
  asOf: Date | null;

  @Field(() => Int, { description: "How many of its offers are on this page." })
  offers: number;

  @Field(() => String, { nullable: true, description: "Why it did not answer, in words; null when it did." })
  detail: string | null;
}

@ObjectType({ description: "One offer in a national page, with its cursor." })
export class NationalOfferEdge {
  @Field({ description: "Opaque position of this edge; pass it as `after` to continue after it." })
  cursor: string;

  @Field(() => NationalOffer, { description: "The offer." })
  node: NationalOffer;
}

@ObjectType({ description: "A page of a national search: offers of this node and its peers in one order, and how each peer took part." })
export class NationalCapacityConnection {
  @Field(() => Int, { description: "Matches across the nodes that answered, counted up to 10 000 per node and 10 000 in all." })
  totalCount: number;

  @Field({ description: "False when a count was capped or an enabled peer did not answer (its matches are then unknown)." })
  totalCountIsExact: boolean;

  @Field(() => [NationalOfferEdge], {
    description: "The results of this page, in order: earliest start, then id, whatever node they are from.",
  })
  edges: NationalOfferEdge[];

  @Field(() => PageInfo, { description: "Paging information." })
  pageInfo: PageInfo;

  @Field(() => [PeerAnswerInfo], {
    description: "Every peer in this node's directory: whether it answered, how long it took, how old its part is.",
  })
  peers: PeerAnswerInfo[];
}

const CONNECTION = "nationalCapacity";

@Resolver(() => NationalOffer)
export class NationalCapacityResolver {
  @Query(() => NationalCapacityConnection, {
    description:
      "Free capacity across the national network: this node's offers and those of every enabled peer in its directory, asked at once, each for at most the peer bound (HUB_PEER_TIMEOUT_MS). The same filter and order as freeCapacity (earliest start, then id) and Relay paging that stays stable across pages. A peer that is down, slow or refusing makes a partial answer, reported in `peers`. Not for peer nodes themselves.",
  })
  async nationalCapacity(
    @Ctx() ctx: CapacityContext,
    @Arg("filter", () => FreeCapacityFilter, { nullable: true }) filter?: FreeCapacityFilter | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 0 to 100 (default 20)." }) first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor of the edge after which the page starts (`pageInfo.endCursor`)." })
    after?: string | null,
  ): Promise<NationalCapacityConnection> {
    // A peer's national search would ask its peers again: peers get this node's own search only.
    if (ctx.identity.role === Role.PEER_REGION)
      throw forbidden("A peer node asks freeCapacity; nationalCapacity is for this node's own users.");
    const page = parsePage(first, after, CONNECTION, readOfferPosition);
    const result = await ctx.national.search(
      ctx,
      filter ?? {},
      page,
      (id) => ctx.loaders.provider.load(id),
      async (id) => (await ctx.loaders.careUnit.load(id))?.name ?? "",
    );
    const edges = result.rows.map(({ row, position }) => ({
      cursor: encodeCursor(CONNECTION, [position.earliestStart, position.id]),
      node: Object.assign(new NationalOffer(), row),
    }));
    return {
      totalCount: result.total.count,
      totalCountIsExact: result.total.exact,
      edges,
      pageInfo: {
        hasNextPage: result.hasNextPage,
        hasPreviousPage: page.after !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      peers: result.peers,
    };
  }

  @FieldResolver(() => DateScalar, {
    description: "First day a patient can be seen or treated: the reported start, or today once that day has passed.",
  })
  earliestStart(@Root() offer: NationalOffer, @Ctx() ctx: CapacityContext): string {
    return laterDate(offer.storedEarliestStart, ctx.today);
  }

  @FieldResolver(() => Procedure, {
    nullable: true,
    description: "The KVÅ procedure offered (national reference data); null for first-visit capacity.",
  })
  procedure(@Root() offer: NationalOffer, @Ctx() ctx: CapacityContext): Promise<Procedure | null> {
    return offer.procedureCode ? ctx.loaders.procedure.load(offer.procedureCode) : Promise.resolve(null);
  }

  @FieldResolver(() => CoverageStub, {
    nullable: true,
    description:
      "Under which of this node's agreements a patient from the given home region could be sent to this offer, on its earliest start, at what price: answered by this node's agreements subgraph from the offer's provider facts, whatever node the offer is from.",
  })
  async coverage(
    @Root() offer: NationalOffer,
    @Arg("homeRegionCode", { description: 'County code of the patient\'s home region, "01".."25".' }) homeRegionCode: string,
    @Ctx() ctx: CapacityContext,
    @Arg("homeMunicipalityCode", () => String, {
      nullable: true,
      description:
        "The patient's home municipality (kommunkod), where it matters: Region Halland's pacts follow it. Without it, a pact limited to some municipalities is not excluded.",
    })
    homeMunicipalityCode?: string | null,
    @Arg("careSetting", () => CareSetting, {
      nullable: true,
      description: "Outpatient (when omitted) or inpatient care: decides whether a payment commitment is needed.",
    })
    careSetting?: CareSetting | null,
  ): Promise<CoverageStub | null> {
    return {
      ...patientSideOfCoverage(homeRegionCode, homeMunicipalityCode, careSetting),
      providerId: offer.provider.id,
      providerKind: offer.provider.kind,
      providerRegionCode: offer.provider.regionCode,
      specialty: offer.specialty,
      procedureCode: offer.procedureCode,
      date: laterDate(offer.storedEarliestStart, ctx.today),
    };
  }
}
