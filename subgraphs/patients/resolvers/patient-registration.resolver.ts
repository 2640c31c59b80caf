import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Resolver, Root } from "type-graphql";
import { isUuid } from "../../shared/domain/ids";
import { municipalityExists } from "../../shared/domain/municipalities";
import { parseIdentityNumber } from "../../shared/domain/personal-identity-number";
import { badUserInput, notFound } from "../../shared/errors";
import { RegionStub } from "../../shared/stubs";
import { DateScalar } from "../../shared/scalars";
import { requireText } from "../../shared/validation";
import { Patient, PatientResidence } from "../entities/patient.entity";
import { PatientsContext } from "../context";
import { StatedIdentity } from "../services/population-register";

@InputType({ description: "A postal address (folkbokföringsadress)." })
export class AddressInput {
  @Field({ description: "Street address (1 to 200 characters)." })
  streetAddress: string;

  @Field({ description: 'Postal code, five digits ("302 33" or "30233").' })
  postalCode: string;

  @Field({ description: "Post town (1 to 100 characters)." })
  city: string;
}

@ObjectType({ description: "A postal address." })
export class PostalAddress {
  @Field({ description: "Street address." })
  streetAddress: string;

  @Field({ description: 'Postal code, "NNN NN".' })
  postalCode: string;

  @Field({ description: "Post town." })
  city: string;
}

@InputType({ description: "A patient the registering clinic or office has in front of it." })
export class RegisterPatientInput {
  @Field({
    description:
      "Personnummer or samordningsnummer (YYYYMMDD-NNNN, 12 digits, or the 10-digit forms); format, date and check digit are verified.",
  })
  personalIdentityNumber: string;

  @Field({ description: "Given name (1 to 100 characters)." })
  givenName: string;

  @Field({ description: "Family name (1 to 100 characters)." })
  familyName: string;

  @Field({ description: "Home municipality code (kommunkod); the home region follows from it and must be the caller's." })
  homeMunicipalityCode: string;

  @Field(() => AddressInput, { nullable: true, description: "The patient's address; none when omitted." })
  address?: AddressInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Whether the patient has protected identity (skyddad identitet); false when omitted.",
  })
  protectedIdentity?: boolean | null;
}

@InputType({ description: "A patient's move, as the population register records it." })
export class ChangePatientAddressInput {
  @Field({ description: "The new home municipality code (kommunkod); may be in another region (the patient then belongs to that region)." })
  homeMunicipalityCode: string;

  @Field(() => AddressInput, { nullable: true, description: "The new address; none when omitted." })
  address?: AddressInput | null;

  @Field(() => DateScalar, { description: "The day the move counts from (today or earlier, after the last recorded move)." })
  validFrom: string;
}

@ObjectType({ description: "The result of registering a patient." })
export class RegisterPatientPayload {
  @Field(() => Patient, {
    description: "The patient: the one registered now, or the one registered before under the same identity number.",
  })
  patient: Patient;

  @Field({
    description:
      "True when this call registered the patient; false when the identity number was registered before (nothing was changed: use the change mutations).",
  })
  created: boolean;
}

function checkName(field: string, value: string): string {
  return requireText(field, value, 1, 100);
}

function checkMunicipality(field: string, code: string): string {
  if (!municipalityExists(code)) throw badUserInput(field, "MUNICIPALITY_UNKNOWN", `"${code}" is not a Swedish municipality code`);
  return code;
}

function checkAddress(field: string, address: AddressInput | null | undefined): StatedIdentity["address"] {
  if (address == null) return null;
  const postalCode = address.postalCode.replace(/\s/g, "");
  if (!/^\d{5}$/.test(postalCode)) throw badUserInput(`${field}.postalCode`, "POSTAL_CODE_FORMAT", "must be five digits");
  return {
    streetAddress: requireText(`${field}.streetAddress`, address.streetAddress, 1, 200),
    postalCode,
    city: requireText(`${field}.city`, address.city, 1, 100),
  };
}

/**
 * Patients registered by the clinic (or office) of their home region, as it happens; moves and
 * protected identity recorded by the same. All writes go through the caller-bound records, which
 * check who may and audit every write as they audit reads.
 */
@Resolver(() => Patient)
export class PatientRegistrationResolver {
  @Mutation(() => RegisterPatientPayload, {
    description:
      "Registers a patient of your region (a clinic or the care-guarantee office of the home region, with a care assignment). The same identity number again finds the patient registered before; nothing is duplicated, concurrent registrations included.",
  })
  async registerPatient(
    @Arg("input", () => RegisterPatientInput) input: RegisterPatientInput,
    @Ctx() ctx: PatientsContext,
  ): Promise<RegisterPatientPayload> {
    const parsed = parseIdentityNumber(input.personalIdentityNumber, ctx.today);
    // The message never repeats the number: errors end up in logs.
    if (!parsed.ok) throw badUserInput("input.personalIdentityNumber", `IDENTITY_NUMBER_${parsed.problem}`, parsed.message);
    const stated: StatedIdentity = {
      givenName: checkName("input.givenName", input.givenName),
      familyName: checkName("input.familyName", input.familyName),
      homeMunicipalityCode: checkMunicipality("input.homeMunicipalityCode", input.homeMunicipalityCode),
      address: checkAddress("input.address", input.address),
      protectedIdentity: input.protectedIdentity ?? false,
    };
    return ctx.records.register(parsed.value, stated, ctx.populationRegister);
  }

  @Mutation(() => Patient, {
    nullable: true,
    description:
      "Records a patient's move from a date (home region's clinics and office): the home municipality, and so the home region whose guarantee rules apply to new referrals, changes from then; the history is kept. Null when the patient moved to another region (you may no longer see it); NOT_FOUND when there is no such patient you may see.",
  })
  async changePatientAddress(
    @Arg("patientId", () => ID, { description: "The patient." }) patientId: string,
    @Arg("input", () => ChangePatientAddressInput) input: ChangePatientAddressInput,
    @Ctx() ctx: PatientsContext,
  ): Promise<Patient | null> {
    if (!isUuid(patientId)) throw badUserInput("patientId", "ID_FORMAT", `"${patientId}" is not a patient id (UUID)`);
    const homeMunicipalityCode = checkMunicipality("input.homeMunicipalityCode", input.homeMunicipalityCode);
    if (input.validFrom > ctx.today) throw badUserInput("input.validFrom", "DATE_IN_FUTURE", "a move is recorded once it has happened");
    const address = checkAddress("input.address", input.address);
    return ctx.records.changeAddress(patientId, { homeMunicipalityCode, address, validFrom: input.validFrom });
  }

  @Mutation(() => Patient, {
    description:
      "Marks or unmarks a patient's protected identity (home region's clinics and office). NOT_FOUND when there is no such patient you may see.",
  })
  async setProtectedIdentity(
    @Arg("patientId", () => ID, { description: "The patient." }) patientId: string,
    @Arg("protectedIdentity", { description: "True: name and address are then shown only to the home region's office." })
    protectedIdentity: boolean,
    @Ctx() ctx: PatientsContext,
  ): Promise<Patient> {
    if (!isUuid(patientId)) throw badUserInput("patientId", "ID_FORMAT", `"${patientId}" is not a patient id (UUID)`);
    const patient = await ctx.records.setProtectedIdentity(patientId, protectedIdentity);
    if (!patient) throw notFound("patientId", "no patient with this id that you may change");
    return patient;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Given name (förnamn); null for a protected identity unless you are the home region's office.",
  })
  givenName(@Root() patient: Patient): string | null {
    return patient.identityWithheld ? null : patient.givenName;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Family name (efternamn); null for a protected identity unless you are the home region's office.",
  })
  familyName(@Root() patient: Patient): string | null {
    return patient.identityWithheld ? null : patient.familyName;
  }

  @FieldResolver(() => PostalAddress, {
    nullable: true,
    description: "Address; null when none is recorded, or for a protected identity unless you are the home region's office.",
  })
  address(@Root() patient: Patient): PostalAddress | null {
    if (patient.identityWithheld || !patient.streetAddress || !patient.postalCode || !patient.city) return null;
    return {
      streetAddress: patient.streetAddress,
      postalCode: `${patient.postalCode.slice(0, 3)} ${patient.postalCode.slice(3)}`,
      city: patient.city,
    };
  }

  @FieldResolver(() => [PatientResidence], { description: "Where the patient lived from when, oldest first; the last is the home now." })
  residences(@Root() patient: Patient, @Ctx() ctx: PatientsContext): Promise<PatientResidence[]> {
    return ctx.records.residencesOf(patient.id);
  }
}

@Resolver(() => PatientResidence)
export class PatientResidenceResolver {
  @FieldResolver(() => RegionStub, { description: "The region of the municipality." })
  region(@Root() residence: PatientResidence): RegionStub {
    return { code: residence.regionCode };
  }
}
