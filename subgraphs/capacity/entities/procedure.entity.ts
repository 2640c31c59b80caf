import { Directive, Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";
import { Specialty, VisitType } from "../../shared/graphql-enums";

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

  @Field({ description: "An English name for readers outside Sweden." })
  @Column({ type: "text", name: "english_name" })
  englishName: string;

  @Field(() => Specialty, { description: "The specialty that performs the procedure." })
  @Column({ type: "text" })
  specialty: Specialty;

  @Field(() => VisitType, { description: "The care-guarantee step the procedure belongs to." })
  @Column({ type: "text", name: "visit_type" })
  visitType: VisitType;
}
