/** The key-only types of entities other subgraphs own, as the referrals subgraph points at them. */

import { Directive, Field, ID, ObjectType } from "type-graphql";

@ObjectType("Patient", { description: "A patient, as the referrals subgraph knows them: by id, with their referrals." })
@Directive('@key(fields: "id")')
export class PatientStub {
  @Field(() => ID, { description: "Globally unique id (UUID)." })
  id: string;
}
