/** A field that broke a rule, as domain validation reports it (domain code has no GraphQL). */
export interface Problem {
  field: string;
  rule: string;
  message: string;
}
