import { Directive, Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Specialty, VisitType } from "../../shared/graphql-enums";
import { DateScalar } from "../../shared/scalars";

@ObjectType({ description: "A care procedure coded in KVÅ (Klassifikation av vårdåtgärder, Socialstyrelsen)." })
@Directive('@key(fields: "code")')
@Entity({ name: "procedure" })
export class Procedure {
  @Field({ description: 'KVÅ code: three letters and two digits for surgery (e.g. "NFB49"), two letters and three digits otherwise.' })
  @PrimaryColumn({ type: "text" })
  code: string;

  @Field({ description: "The official Swedish title (KVÅ)." })
  @Column({ type: "text" })
  name: string;

  @Field(() => String, {
    nullable: true,
    description: "An English name for readers outside Sweden; null for codes imported from the KVÅ file without one.",
  })
  @Column({ type: "text", name: "english_name", nullable: true })
  englishName: string | null;

  @Field(() => Specialty, {
    nullable: true,
    description:
      "The specialty that performs the procedure; null for a KVÅ code the hub has no brokering classification for (it resolves, but capacity cannot be published for it).",
  })
  @Column({ type: "text", nullable: true })
  specialty: Specialty | null;

  @Field(() => VisitType, {
    nullable: true,
    description: "The care-guarantee step the procedure belongs to; null exactly when specialty is.",
  })
  @Column({ type: "text", name: "visit_type", nullable: true })
  visitType: VisitType | null;

  @Field(() => DateScalar, { nullable: true, description: "First day the code is valid in KVÅ; null when the hub's list does not say." })
  @Column({ type: "date", name: "valid_from", nullable: true })
  validFrom: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: "Last day the code is valid in KVÅ; null while it has no end. A retired code is kept so that old referrals still resolve.",
  })
  @Column({ type: "date", name: "valid_to", nullable: true })
  validTo: string | null;
}
