/** Swedish words for the API's codes (the users' language; the codes themselves stay English). */
export const SPECIALTY: Record<string, string> = {
  ORTHOPAEDICS: "Ortopedi",
  OPHTHALMOLOGY: "Ögonsjukvård",
  GYNAECOLOGY: "Gynekologi",
  UROLOGY: "Urologi",
  CARDIOLOGY: "Kardiologi",
  OTORHINOLARYNGOLOGY: "Öron-, näs- och halssjukvård",
  AUDIOLOGY: "Hörselvård",
  GENERAL_SURGERY: "Allmänkirurgi",
  CHILD_AND_ADOLESCENT_PSYCHIATRY: "Barn- och ungdomspsykiatri",
};

export const VISIT_TYPE: Record<string, string> = { FIRST_VISIT: "Första besök", TREATMENT: "Behandling" };

export const REFERRAL_STATUS: Record<string, string> = {
  REGISTERED: "Registrerad",
  HANDED_TO_OFFICE: "Överlämnad till Vårdgarantiservice",
  SENT: "Skickad",
  RECEIVED: "Mottagen",
  ACCEPTED: "Accepterad",
  REJECTED: "Avvisad",
  OFFERED_TO_PATIENT: "Tid erbjuden patienten",
  PATIENT_ACCEPTED: "Patienten har tackat ja",
  PATIENT_DECLINED: "Patienten har tackat nej",
  BOOKED: "Bokad",
  COMPLETED: "Genomförd",
  CANCELLED: "Makulerad",
};

/** Each guarantee status has a word and a symbol, so colour is never the only signal. */
export const GUARANTEE_STATUS: Record<string, { text: string; symbol: string; tone: string }> = {
  NOT_APPLICABLE: { text: "Omfattas inte av vårdgarantin", symbol: "–", tone: "neutral" },
  WITHIN_LIMIT: { text: "Inom vårdgarantin", symbol: "✓", tone: "ok" },
  AT_RISK: { text: "Risk att vårdgarantin överskrids", symbol: "!", tone: "warn" },
  BREACHED: { text: "Vårdgarantin överskriden", symbol: "✕", tone: "bad" },
  PAUSED_MEDICAL: { text: "Medicinskt orsakad väntan", symbol: "Ⅱ", tone: "neutral" },
  PATIENT_CHOSEN_WAIT: { text: "Patientvald väntan", symbol: "Ⅱ", tone: "neutral" },
  FORFEITED: { text: "Vårdgarantin har upphört att gälla", symbol: "–", tone: "neutral" },
  MET: { text: "Vårdgarantin uppfylld", symbol: "✓", tone: "ok" },
};

export const MATCH_TIER: Record<string, string> = {
  OWN_REGION: "Egen region",
  OWN_PRIVATE_AGREEMENT: "Egen regions avtal med privat vårdgivare",
  PACT_REGION: "Samverkansregion",
  RIKSAVTALET: "Riksavtalet",
};

export const ACTION: Record<string, string> = {
  HAND_TO_OFFICE: "Lämna till Vårdgarantiservice",
  SEND: "Skicka remiss",
  RECEIVE: "Kvittera mottagande",
  ACCEPT: "Acceptera",
  REJECT: "Avvisa",
  OFFER_TO_PATIENT: "Erbjud vårdtid",
  BOOK: "Boka",
  CANCEL: "Makulera",
};

export const ROLE: Record<string, string> = {
  REGIONAL_OFFICE: "Vårdgarantiservice (regionens kansli)",
  CLINIC: "Klinik",
  PROVIDER: "Vårdgivare",
  ADMINISTRATOR: "Administratör",
  PEER_REGION: "Annan region (system)",
};

export const COVERAGE: Record<string, string> = {
  INTERNAL_CARE: "Egen regions vård",
  COVERED: "Täcks av avtal",
  NOT_COVERED: "Inget avtal",
};

export const OFFER_STATUS: Record<string, string> = { OPEN: "Öppet", WITHDRAWN: "Återkallat", EXPIRED: "Utgånget" };

export const FIELD: Record<string, string> = {
  careUnitId: "Vårdenhet",
  procedureCode: "KVÅ-kod",
  slots: "Antal platser",
  slotTimes: "Tider",
  validFrom: "Gäller från",
  validUntil: "Gäller till",
  earliestStart: "Tidigast start",
  expectedWaitDays: "Förväntad väntetid (dagar)",
  conditions: "Villkor",
};

export const sek = (n: number | null | undefined) => (n == null ? "–" : `${n.toLocaleString("sv-SE")} kr`);
export const date = (d: string | null | undefined) => d ?? "–";
export const dateTime = (d: string) => new Date(d).toLocaleString("sv-SE", { timeZone: "Europe/Stockholm" });
