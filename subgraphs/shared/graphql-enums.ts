import { registerEnumType } from "type-graphql";
import { CareSetting, ProviderKind, VisitType } from "./domain/enums";
import { Specialty, SPECIALTY_SWEDISH_NAMES } from "./domain/specialty";

/**
 * Enums used by more than one subgraph are registered once, here, so that every subgraph declares
 * them identically (composition requires it for enums used as input and output).
 */
registerEnumType(Specialty, {
  name: "Specialty",
  description: "A medical specialty (medicinsk specialitet) the hub brokers care in.",
  valuesConfig: Object.fromEntries(
    Object.values(Specialty).map((value) => [value, { description: `Svenska: ${SPECIALTY_SWEDISH_NAMES[value]}` }]),
  ),
});

registerEnumType(ProviderKind, {
  name: "ProviderKind",
  description: "Who runs a care provider.",
  valuesConfig: {
    PUBLIC: { description: "Run by a region (regiondriven vård), e.g. a regional hospital." },
    PRIVATE: { description: "A private care provider (privat vårdgivare), reached through agreements with regions." },
  },
});

registerEnumType(VisitType, {
  name: "VisitType",
  description: "The care-guarantee step a contact belongs to (vårdgarantins 90-dagarsgränser).",
  valuesConfig: {
    FIRST_VISIT: { description: "First visit in specialised care (nybesök); 90 days from the referral decision." },
    TREATMENT: { description: "Operation or other treatment (operation/åtgärd); 90 days from the treatment decision." },
  },
});

registerEnumType(CareSetting, {
  name: "CareSetting",
  description:
    "Outpatient or inpatient care; agreements and a home region's own rules may differ between them (e.g. whether a payment commitment is needed).",
  valuesConfig: {
    OUTPATIENT: { description: "Outpatient care (öppen vård), including day surgery." },
    INPATIENT: { description: "Inpatient care (sluten vård): the patient is admitted." },
  },
});

export { CareSetting, ProviderKind, Specialty, VisitType };
