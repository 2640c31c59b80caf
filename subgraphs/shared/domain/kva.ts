/**
 * KVÅ (Klassifikation av vårdåtgärder) procedure codes: surgical codes are three letters and two
 * digits (NFB49), non-surgical codes two letters and three digits (DV051). Å, Ä and Ö do not occur.
 */
const KVA_CODE = /^(?:[A-Z]{3}\d{2}|[A-Z]{2}\d{3})$/;

export function isKvaCode(code: string): boolean {
  return KVA_CODE.test(code);
}
