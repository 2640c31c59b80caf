/**
 * The identifier and code systems the hub's FHIR resources use. The OIDs are the national ones
 * (subgraphs/README.md, "Useful identifiers"); a system the hub defines itself (specialty, offer,
 * referral ids) is a URN under the hub's name, since no national code system matches the hub's
 * specialty list one to one and a guessed mapping would mislead a reader.
 */
export const OID = {
  personnummer: "urn:oid:1.2.752.129.2.1.3.1",
  samordningsnummer: "urn:oid:1.2.752.129.2.1.3.3",
  hsaId: "urn:oid:1.2.752.129.2.1.4.1",
  kva: "urn:oid:1.2.752.116.1.3.2.1.4",
  /** ICD-10-SE (Socialstyrelsen); not in the domain brief's list, the code system's published OID. */
  icd10se: "urn:oid:1.2.752.116.1.1.1.1.3",
} as const;

export const HUB_SYSTEM = {
  specialty: "urn:care-brokering-hub:specialty",
  visitType: "urn:care-brokering-hub:visit-type",
  offer: "urn:care-brokering-hub:capacity-offer",
  referral: "urn:care-brokering-hub:referral",
  referralStatus: "urn:care-brokering-hub:referral-status",
  careUnit: "urn:care-brokering-hub:care-unit",
  /** Swedish county codes (länskod, two digits). */
  region: "urn:care-brokering-hub:county-code",
  paymentCommitment: "urn:care-brokering-hub:payment-commitment",
  /** The invoicing contract's agreement types: 1 Riksavtal, 2 regional, 3 two-region. */
  invoicingAgreementType: "urn:care-brokering-hub:invoicing-agreement-type",
  paymentCommitmentExtension: "urn:care-brokering-hub:StructureDefinition:payment-commitment",
} as const;

/** The slot-capacity and booking extensions of SMART Scheduling Links (the hub emits the smarthealthit.org base, which every consumer of the original specification reads). */
export const SSL_EXTENSION = {
  slotCapacity: "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity",
  bookingPhone: "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone",
} as const;

/** The Swedish name of each specialty (the GraphQL enum's descriptions). */
export const SPECIALTY_NAMES: Record<string, string> = {
  ORTHOPAEDICS: "ortopedi",
  OPHTHALMOLOGY: "ögonsjukvård",
  GYNAECOLOGY: "gynekologi",
  UROLOGY: "urologi",
  CARDIOLOGY: "kardiologi",
  OTORHINOLARYNGOLOGY: "öron-, näs- och halssjukvård",
  AUDIOLOGY: "hörselvård",
  GENERAL_SURGERY: "allmänkirurgi",
  CHILD_AND_ADOLESCENT_PSYCHIATRY: "barn- och ungdomspsykiatri",
};
