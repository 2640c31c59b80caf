import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { DateScalar } from "../../shared/scalars";

export enum IdentityKind {
  PERSONNUMMER = "PERSONNUMMER",
  SAMORDNINGSNUMMER = "SAMORDNINGSNUMMER",
}

registerEnumType(IdentityKind, {
  name: "IdentityKind",
  description: "The kind of Swedish personal identity number.",
  valuesConfig: {
    PERSONNUMMER: { description: "Personnummer (OID 1.2.752.129.2.1.3.1), for people registered in Sweden." },
    SAMORDNINGSNUMMER: { description: "Samordningsnummer (OID 1.2.752.129.2.1.3.3): day of birth + 60, for people not registered." },
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

  @Field({ description: "Given name (förnamn)." })
  @Column({ type: "text", name: "given_name" })
  givenName: string;

  @Field({ description: "Family name (efternamn)." })
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
}
