import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { formatIdentityNumber, parseIdentityNumber } from "../../shared/domain/personal-identity-number";
import { badUserInput } from "../../shared/errors";
import { RegionStub } from "../../shared/stubs";
import { Patient } from "../entities/patient.entity";
import { PatientsContext } from "../context";

@Resolver(() => Patient)
export class PatientResolver {
  @Query(() => Patient, { nullable: true, description: "A patient by id; null when there is none." })
  patient(@Arg("id", () => ID) id: string, @Ctx() ctx: PatientsContext): Promise<Patient | null> {
    return isUuid(id) ? ctx.loaders.patient.load(id) : Promise.resolve(null);
  }

  @Query(() => Patient, {
    nullable: true,
    description:
      "A patient by personnummer or samordningsnummer (YYYYMMDD-NNNN, 12 digits, or the 10-digit forms); null when there is none.",
  })
  async patientByPersonalIdentityNumber(
    @Arg("personalIdentityNumber") personalIdentityNumber: string,
    @Ctx() ctx: PatientsContext,
  ): Promise<Patient | null> {
    const parsed = parseIdentityNumber(personalIdentityNumber, ctx.today);
    if (!parsed.ok) {
      // The message never repeats the number: errors end up in logs.
      throw badUserInput("personalIdentityNumber", `IDENTITY_NUMBER_${parsed.problem}`, parsed.message);
    }
    return ctx.records.byIdentityNumber(parsed.value.normalized);
  }

  @FieldResolver(() => String, { description: "Personnummer or samordningsnummer, written YYYYMMDD-NNNN." })
  personalIdentityNumber(@Root() patient: Patient): string {
    return formatIdentityNumber(patient.personalIdentityNumber);
  }

  @FieldResolver(() => RegionStub, { description: "The patient's home region, which pays for care elsewhere." })
  homeRegion(@Root() patient: Patient): RegionStub {
    return { code: patient.homeRegionCode };
  }
}
