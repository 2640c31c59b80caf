import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { requireKvaCode } from "../../shared/validation";
import { Specialty } from "../../shared/graphql-enums";
import { Procedure } from "../entities/procedure.entity";
import { CapacityContext } from "../context";

@Resolver(() => Procedure)
export class ProcedureResolver {
  @Query(() => Procedure, { nullable: true, description: "A procedure by KVÅ code; null when the hub does not know it." })
  procedure(
    @Arg("code", { description: 'KVÅ code, e.g. "NFB49"; a retired code is found too (see `retired`).' }) code: string,
    @Ctx() ctx: CapacityContext,
  ): Promise<Procedure | null> {
    return ctx.loaders.procedure.load(requireKvaCode("code", code));
  }

  @Query(() => [Procedure], {
    description:
      "Procedures the hub brokers (KVÅ codes with a specialty), by code; optionally of one specialty. The rest of KVÅ is found by code with `procedure`.",
  })
  procedures(
    @Ctx() ctx: CapacityContext,
    @Arg("specialty", () => Specialty, { nullable: true }) specialty?: Specialty | null,
  ): Promise<Procedure[]> {
    return ctx.catalogue.brokeredProcedures(specialty ?? null);
  }

  @FieldResolver(() => Boolean, {
    description:
      "True when the code's last valid day (validTo) has passed: it still resolves, but nothing can be offered or searched under it.",
  })
  retired(@Root() procedure: Procedure, @Ctx() ctx: CapacityContext): boolean {
    return procedure.validTo != null && procedure.validTo < ctx.today;
  }
}
