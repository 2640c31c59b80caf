import { Arg, Ctx, Query, Resolver } from "type-graphql";
import { requireKvaCode } from "../../shared/validation";
import { Specialty } from "../../shared/graphql-enums";
import { Procedure } from "../entities/procedure.entity";
import { CapacityContext } from "../loaders";

@Resolver(() => Procedure)
export class ProcedureResolver {
  @Query(() => Procedure, { nullable: true, description: "A procedure by KVÅ code; null when the hub does not know it." })
  procedure(@Arg("code", { description: 'KVÅ code, e.g. "NFB49".' }) code: string, @Ctx() ctx: CapacityContext): Promise<Procedure | null> {
    return ctx.loaders.procedure.load(requireKvaCode("code", code));
  }

  @Query(() => [Procedure], { description: "Procedures the hub brokers, by code; optionally of one specialty." })
  procedures(
    @Ctx() ctx: CapacityContext,
    @Arg("specialty", () => Specialty, { nullable: true }) specialty?: Specialty | null,
  ): Promise<Procedure[]> {
    return ctx.repositories.procedure.find({ where: specialty ? { specialty } : {}, order: { code: "ASC" } });
  }
}
