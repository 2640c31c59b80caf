import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { DateScalar, DateTimeScalar } from "../../shared/scalars";
import { IdentityKind, IdentitySource } from "../domain/identity-kinds";

registerEnumType(IdentityKind, {
  name: "IdentityKind",
  description: "The kind of Swedish personal identity number.",
  valuesConfig: {
    PERSONNUMMER: { description: "Personnummer (OID 1.2.752.129.2.1.3.1), for people registered in Sweden." },
    SAMORDNINGSNUMMER: { description: "Samordningsnummer (OID 1.2.752.129.2.1.3.3): day of birth + 60, for people not registered." },
  },
});

registerEnumType(IdentitySource, {
  name: "IdentitySource",
  description:
    "Where a patient's identity data came from. The population register (PU-tjänsten) is not reachable from the hub; a later integration adds its own value.",
  valuesConfig: {
    SEED: { description: "Synthetic demo data." },
    CLINIC_INPUT: {
      description:
        "As the registering clinic or office entered it, with the patient in front of it (identity number format, date and check digit verified).",
    },
  },
});

@ObjectType({
  description:
    "A patient waiting for specialised care. Sensitive personal data (Patientdatalagen, GDPR): only those taking part in the patient's care may read it.",
})
@Directive('@key(fields: "id")')
@Entity({ name: "patient" })
export class Patient {
  @Field(() => ID, { description: "Globally unique id (UUID); use it, not the identity number, to refer to a patient." })
  @PrimaryColumn({ type: "uuid" })
  id: string;

  /** Stored in the 12-digit form YYYYMMDDNNNC. */
  @Column({ type: "text", name: "personal_identity_number", unique: true })
  personalIdentityNumber: string;

  @Field(() => IdentityKind, { description: "Personnummer or samordningsnummer." })
  @Column({ type: "text", name: "identity_kind" })
  identityKind: IdentityKind;

  /** Shown through PatientResolver (withheld for protected identities). */
  @Column({ type: "text", name: "given_name" })
  givenName: string;

  @Column({ type: "text", name: "family_name" })
  familyName: string;

  @Field(() => DateScalar, { description: "Date of birth, from the identity number." })
  @Column({ type: "date", name: "birth_date" })
  birthDate: string;

  @Column({ type: "text", name: "home_region_code" })
  homeRegionCode: string;

  @Field({ description: "Home municipality code (kommunkod); in Region Halland it decides which healthcare-region pact applies." })
  @Column({ type: "text", name: "home_municipality_code" })
  homeMunicipalityCode: string;

  @Field({
    description:
      "Protected identity (skyddad identitet: sekretessmarkering or skyddad folkbokföring). Name and address are then shown to the home region's care-guarantee office only, null to everyone else.",
  })
  @Column({ type: "boolean", name: "protected_identity", default: false })
  protectedIdentity: boolean;

  @Column({ type: "text", name: "street_address", nullable: true })
  streetAddress: string | null;

  @Column({ type: "text", name: "postal_code", nullable: true })
  postalCode: string | null;

  @Column({ type: "text", nullable: true })
  city: string | null;

  @Field(() => IdentitySource, { description: "Where the patient's identity, name and address came from." })
  @Column({ type: "text", name: "identity_source", default: "SEED" })
  identitySource: IdentitySource;

  /** The organisation (care unit or region) that registered the patient. */
  @Column({ type: "text", name: "registered_by", nullable: true })
  registeredBy: string | null;

  /** Set on a copy when the caller may see the patient but not its name and address (protected identity). */
  identityWithheld?: boolean;
}

/** Where the home municipality was from a date: a move is recorded from its date, never overwritten. */
@ObjectType({ description: "Where the patient was registered as living (folkbokförd) from a date." })
@Entity({ name: "patient_residence" })
export class PatientResidence {
  @PrimaryColumn({ type: "bigint" })
  id: string;

  @Column({ type: "uuid", name: "patient_id" })
  patientId: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day; null for the home the patient had when first registered in the hub.",
  })
  @Column({ type: "date", name: "valid_from", nullable: true })
  validFrom: string | null;

  @Field({ description: "Municipality code (kommunkod)." })
  @Column({ type: "text", name: "municipality_code" })
  municipalityCode: string;

  @Column({ type: "text", name: "region_code" })
  regionCode: string;

  @Field(() => DateTimeScalar, { description: "When the hub recorded it." })
  @Column({ type: "timestamptz", name: "recorded_at" })
  recordedAt: Date;
}
