import fs from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { DataSource } from "typeorm";
import { loadConfig, SUBGRAPH_NAMES, SubgraphName } from "../../subgraphs/shared/config";
import { RunningServer, startSubgraph, subgraphDataSource } from "../../subgraphs/shared/subgraph";
import { connect } from "../../subgraphs/shared/db/data-source";
import { SUPERGRAPH_FILE } from "../../subgraphs/shared/paths";
import { SUBGRAPHS } from "../../seeds/subgraphs";
import { providerId } from "../../seeds/data/providers";
import { patientId } from "../../seeds/data/patients";
import { createTestDatabase } from "../support/database";
import { GraphQLResponse } from "../support/hub";
import { CARE_AND_TREATMENT, Identity, Role } from "../../subgraphs/shared/identity";
import { IDENTITY_HEADER, newInternalSecret, signIdentity } from "../../subgraphs/shared/internal-identity";

/** Each subgraph on its own, as the gateway (or a composition check) reaches it. */
const SECRET = newInternalSecret();
// Region Halland's office: the seeded patients are Halland's.
const CALLER: Identity = {
  subject: "SE9999999999-E000000000005",
  issuer: "test",
  role: Role.REGIONAL_OFFICE,
  regionCode: "13",
  providerId: null,
  careUnitId: null,
  employeeHsaId: "SE9999999999-E000000000005",
  assignmentPurpose: CARE_AND_TREATMENT,
  careUnitHsaId: null,
  careProviderHsaId: null,
  assuranceLevel: 3,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
};

/** A call as the gateway makes it: with the caller's identity signed by the hub's secret (or another). */
async function direct(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  secret: string | null = SECRET,
): Promise<GraphQLResponse & { status: number }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret) headers[IDENTITY_HEADER] = await signIdentity(CALLER, secret);
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return { ...((await response.json()) as GraphQLResponse), status: response.status };
}
const servers = {} as Record<SubgraphName, RunningServer>;
const dataSources = {} as Record<SubgraphName, DataSource>;

beforeAll(async () => {
  const url = await createTestDatabase();
  for (const name of SUBGRAPH_NAMES) {
    dataSources[name] = await connect(subgraphDataSource(SUBGRAPHS[name], url, 2));
    servers[name] = await startSubgraph(SUBGRAPHS[name], {
      dataSource: dataSources[name],
      host: "127.0.0.1",
      port: 0,
      hubRegionCode: "13",
      introspection: false,
      internalSecret: SECRET,
      gatewayUrl: () => "http://127.0.0.1:9/graphql",
      atRiskMarginDays: 14,
      auditRetentionYears: 5,
    });
  }
});
afterAll(async () => {
  for (const name of SUBGRAPH_NAMES) {
    await servers[name]?.stop();
    await dataSources[name]?.destroy();
  }
});

describe("the running subgraphs", () => {
  it("serve SDL that composes into the committed supergraph", async () => {
    const services = [];
    for (const name of SUBGRAPH_NAMES) {
      const { data } = await direct(servers[name].url, "{ _service { sdl } }");
      services.push({ name, url: loadConfig({}).subgraphUrls[name], typeDefs: parse(data._service.sdl) });
    }
    const result = composeServices(services);
    expect(result.errors).toBeUndefined();
    expect(`${result.supergraphSdl!.trim()}\n`).toBe(fs.readFileSync(SUPERGRAPH_FILE, "utf8"));
  });
});

describe.each(SUBGRAPH_NAMES)("the %s subgraph", (name) => {
  it("answers /health when its database answers", async () => {
    const response = await fetch(servers[name].url.replace(/\/graphql$/, "/health"));
    expect(response.status).toBe(200);
  });

  it.each([
    ["_service", "{ _service { sdl } }"],
    ["_entities", `{ _entities(representations: [{ __typename: "Region", code: "13" }]) { __typename } }`],
    ["a query", "{ __typename }"],
  ])("refuses %s without the gateway's credential, or with a forged one", async (_what, query) => {
    for (const secret of [null, newInternalSecret()]) {
      const answer = await direct(servers[name].url, query, undefined, secret);
      expect(answer.status).toBe(401);
      expect(answer.data).toBeUndefined();
      expect(answer.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    }
  });
});

describe("entity references (_entities)", () => {
  const entities = (name: SubgraphName, representations: unknown[], selection: string) =>
    direct(servers[name].url, `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, { r: representations });

  it("capacity resolves regions, procedures and providers by key, in order, null for unknown keys", async () => {
    const { data, errors } = await entities(
      "capacity",
      [
        { __typename: "Region", code: "13" },
        { __typename: "Procedure", code: "NFB49" },
        { __typename: "Provider", id: providerId("halland-halmstad") },
        { __typename: "Region", code: "99" },
        { __typename: "Provider", id: "not-a-uuid" },
      ],
      "... on Region { name } ... on Procedure { specialty } ... on Provider { name }",
    );
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([
      { name: "Region Halland" },
      { specialty: "ORTHOPAEDICS" },
      { name: "Hallands sjukhus Halmstad" },
      null,
      null,
    ]);
  });

  it("patients resolves patients by id", async () => {
    const { data } = await entities(
      "patients",
      [{ __typename: "Patient", id: patientId("191212121212") }],
      "... on Patient { givenName familyName }",
    );
    expect(data._entities).toEqual([{ givenName: "Tolvan", familyName: "Tolvansson" }]);
  });

  it("agreements decides coverage from the fields the gateway provides", async () => {
    const representation = {
      __typename: "CapacityOffer",
      id: "00000000-0000-4000-8000-000000000001",
      provider: { id: providerId("skane-trelleborg"), kind: "PUBLIC", region: { code: "12" } },
      procedure: { code: "NFB49" },
      specialty: "ORTHOPAEDICS",
      earliestStart: "2026-12-01",
    };
    const { data, errors } = await entities(
      "agreements",
      [representation],
      `... on CapacityOffer { coverage(homeRegionCode: "13") { status agreement { kind } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data._entities[0].coverage).toEqual({ status: "COVERED", agreement: { kind: "HEALTHCARE_REGION_PACT" } });
  });
});
