import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { AddressInfo } from "node:net";
import { generateKeyPair, SignJWT } from "jose";
import { Role } from "../../subgraphs/shared/identity";
import { NodeIdentity, rotateNodeKey } from "../../subgraphs/shared/network/node-key";
import { postGraphQL } from "../support/hub";
import { PEER_QUERY } from "../../subgraphs/capacity/services/national-search";
import { directoryReload, startTestNetwork, TestNetwork } from "../support/network";
import { token } from "../support/tokens";
import { waitFor } from "../support/wait";
import { projectRoot } from "../../subgraphs/shared/paths";

/**
 * Three real nodes (Region Halland 13, Region Skåne 12, Västra Götaland 14), each with its own
 * database, seeded with its own region's providers, its own node key and a directory naming the
 * other two: Halland's office searches the whole country through its own gateway.
 */
const TIMEOUT_MS = 1500;
let network: TestNetwork;
let fake: http.Server;
let fakeUrl: string;

beforeAll(async () => {
  network = await startTestNetwork(["13", "12", "14"], { HUB_PEER_TIMEOUT_MS: String(TIMEOUT_MS), HUB_PEER_MAX_ANSWER_BYTES: "200000" });
  // A "peer" that misbehaves, for the cases a real node does not produce: silence, garbage, a flood.
  fake = http.createServer((req, res) => {
    if (req.url === "/slow/graphql") return; // never answers
    res.setHeader("content-type", "application/json");
    if (req.url === "/malformed/graphql")
      return res.end(
        JSON.stringify({
          data: { freeCapacity: { totalCount: 1, totalCountIsExact: true, edges: [{ cursor: "x", node: { id: "not-an-id" } }] } },
        }),
      );
    if (req.url === "/huge/graphql") return res.end(JSON.stringify({ data: { freeCapacity: { padding: "x".repeat(300_000) } } }));
    res.statusCode = 404;
    res.end("{}");
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  await directoryReload();
}, 180_000);

afterAll(async () => {
  await network?.stopAll();
  await new Promise((resolve) => fake?.close(resolve));
});

const NATIONAL = `query National($filter: FreeCapacityFilter, $first: Int, $after: String) {
  nationalCapacity(filter: $filter, first: $first, after: $after) {
    totalCount totalCountIsExact
    edges { cursor node {
      id earliestStart availableSlots procedureCode
      origin { regionCode nodeName local asOf }
      provider { id name kind regionCode municipalityCode }
      careUnit { id name }
      coverage(homeRegionCode: "13") { status pricePerCaseSek agreement { name } reason }
    } }
    pageInfo { hasNextPage endCursor }
    peers { regionCode name status latencyMs asOf offers detail }
  }
}`;

const hallandOffice = () => token(Role.REGIONAL_OFFICE, "13");
const national = async (variables: Record<string, unknown> = {}) => {
  const answer = await postGraphQL(
    network.nodes["13"].url,
    NATIONAL,
    { filter: { procedureCode: "NFB49" }, first: 100, ...variables },
    await hallandOffice(),
  );
  expect(answer.errors).toBeUndefined();
  return answer.data.nationalCapacity;
};
const peer = (connection: any, regionCode: string) => connection.peers.find((p: any) => p.regionCode === regionCode);
const origins = (connection: any) => new Set(connection.edges.map((e: any) => e.node.origin.regionCode));

/** Each node's own free capacity for the same filter, asked of that node directly. */
async function localIds(regionCode: string): Promise<string[]> {
  const answer = await postGraphQL(
    network.nodes[regionCode].url,
    `{ freeCapacity(filter: { procedureCode: "NFB49" }, first: 100) { edges { node { id } } } }`,
    {},
    await token(Role.ADMINISTRATOR),
  );
  return answer.data.freeCapacity.edges.map((e: any) => e.node.id);
}

describe("the national network", () => {
  it("publishes each node's keys unauthenticated, without their private parts", async () => {
    const response = await fetch(`${network.nodes["12"].issuer}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as any;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it("a national search from Halland's office sees all three nodes' offers, in one order, with Halland's own coverage", async () => {
    const connection = await national();
    expect(connection.peers.map((p: any) => [p.regionCode, p.status])).toEqual([
      ["12", "OK"],
      ["14", "OK"],
    ]);
    for (const p of connection.peers) {
      expect(p.latencyMs).toBeGreaterThanOrEqual(0);
      expect(Date.now() - Date.parse(p.asOf)).toBeLessThan(60_000);
    }
    expect(origins(connection)).toEqual(new Set(["13", "12", "14"]));
    // Exactly every node's own open offers, each once, each from the node that holds it.
    const expected = [...(await localIds("13")), ...(await localIds("12")), ...(await localIds("14"))];
    expect(connection.edges.map((e: any) => e.node.id).sort()).toEqual([...expected].sort());
    expect(connection.totalCount).toBe(expected.length);
    expect(connection.totalCountIsExact).toBe(true);
    for (const { node } of connection.edges) {
      expect(node.origin.local).toBe(node.origin.regionCode === "13");
      expect(node.provider.regionCode).toBe(node.origin.regionCode);
    }
    // Ordered by earliest start, whatever node an offer is from.
    const starts = connection.edges.map((e: any) => e.node.earliestStart);
    expect(starts).toEqual([...starts].sort());
    // Coverage is Halland's: internal care at home, the pacts and Riksavtalet for other regions'
    // public hospitals, and nothing for Skåne's private clinic, whose agreement is Skåne's own.
    const byKind = (region: string, kind: string) =>
      connection.edges
        .filter((e: any) => e.node.provider.regionCode === region && e.node.provider.kind === kind)
        .map((e: any) => e.node.coverage);
    expect(byKind("13", "PUBLIC").length).toBeGreaterThan(0);
    for (const c of byKind("13", "PUBLIC")) expect(c.status).toBe("INTERNAL_CARE");
    for (const c of byKind("12", "PUBLIC")) {
      expect(c.status).toBe("COVERED");
      expect(c.agreement.name).toMatch(/Södra sjukvårdsregionen/);
      expect(c.pricePerCaseSek).toBeGreaterThan(0);
    }
    for (const c of byKind("14", "PUBLIC")) {
      expect(c.status).toBe("COVERED");
      expect(c.agreement.name).toMatch(/Västra sjukvårdsregionen/);
    }
    expect(byKind("12", "PUBLIC").length).toBeGreaterThan(0);
    expect(byKind("14", "PUBLIC").length).toBeGreaterThan(0);
    const skånePrivate = byKind("12", "PRIVATE");
    expect(skånePrivate.length).toBeGreaterThan(0);
    for (const c of skånePrivate) expect(c.status).toBe("NOT_COVERED");
  });

  it("the README's first example, a national search from Halland's office, answers as the README says", async () => {
    const readme = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    // The block with the search (the one before it starts the network).
    const at = readme.indexOf("```sh\nTOKEN=", readme.indexOf("## A national network on one machine")) + 6;
    const script = readme
      .slice(at, readme.indexOf("\n```", at))
      .replaceAll("http://127.0.0.1:4100/graphql", network.nodes["13"].url)
      .replaceAll("npm run -s token --", `node ${path.join(projectRoot(), "dist", "gateway", "tools", "token.js")}`);
    // Not execFileSync: the nodes answering curl run in this process.
    const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], { encoding: "utf8", env: process.env });
    const answer = JSON.parse(stdout);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.nationalCapacity.peers.map((p: any) => p.status)).toEqual(["OK", "OK"]);
    const named = (name: RegExp) => answer.data.nationalCapacity.edges.find((e: any) => name.test(e.node.provider.name))?.node;
    const all = (await national()).edges.map((e: any) => e.node);
    const status = (name: RegExp) => all.find((n: any) => name.test(n.provider.name))?.coverage.status;
    expect(answer.data.nationalCapacity.edges.length).toBe(5);
    expect(named(/./).origin.nodeName).toBeTruthy();
    expect(status(/Öresund Ortopedcenter/)).toBe("NOT_COVERED");
    expect(status(/Trelleborg/)).toBe("COVERED");
    expect(status(/Borås/)).toBe("COVERED");
  });

  it("logs every cross-node call at both ends with the office's request id; peers are asked for capacity only", async () => {
    const requestId = `network-test-${Date.now()}`;
    const lines: string[] = [];
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "info";
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: any) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const response = await fetch(network.nodes["13"].url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await hallandOffice()}`, "x-request-id": requestId },
        body: JSON.stringify({ query: NATIONAL, variables: { filter: { procedureCode: "NFB49" } } }),
      });
      expect(((await response.json()) as any).errors).toBeUndefined();
    } finally {
      spy.mockRestore();
      process.env.LOG_LEVEL = level;
    }
    const mine = lines.filter((line) => line.includes(requestId));
    for (const region of ["12", "14"]) {
      expect(mine.some((line) => line.includes(`peer call to region ${region} request ${requestId}: OK`))).toBe(true);
    }
    expect(mine.filter((line) => line.includes(`peer call from region 13 (Region Halland) request ${requestId}`))).toHaveLength(2);
    // What crosses: one freeCapacity page, no patient or referral field (and a PEER_REGION caller sees none).
    expect(PEER_QUERY).toMatch(/^query NationalSearchPart\(/);
    expect(PEER_QUERY).not.toMatch(/\b(patients?|referrals?|personalIdentityNumber)\b/);
  });

  it("pages across nodes stably: small pages give the one-page result in the same order", async () => {
    const whole = (await national()).edges.map((e: any) => e.node.id);
    const paged: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page: any = await national({ first: 2, after });
      paged.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
    // A freeCapacity cursor is not a national one.
    const local = await postGraphQL(
      network.nodes["13"].url,
      `{ freeCapacity(first: 1) { pageInfo { endCursor } } }`,
      {},
      await hallandOffice(),
    );
    const wrong = await postGraphQL(
      network.nodes["13"].url,
      NATIONAL,
      { after: local.data.freeCapacity.pageInfo.endCursor },
      await hallandOffice(),
    );
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after", rule: "CURSOR_INVALID" });
  });

  it("a peer node may not run a national search (it would ask its peers again)", async () => {
    const skåne = new NodeIdentity(network.nodes["12"].keyFile, () => network.nodes["12"].issuer, "12");
    const answer = await postGraphQL(network.nodes["13"].url, NATIONAL, {}, await skåne.peerToken(network.nodes["13"].issuer));
    expect(answer.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    // …while its own node's search is what it may ask.
    const own = await postGraphQL(
      network.nodes["13"].url,
      `{ freeCapacity(first: 1) { totalCount } }`,
      {},
      await skåne.peerToken(network.nodes["13"].issuer),
    );
    expect(own.errors).toBeUndefined();
  });

  it("refuses a token for a directory region that its directory's issuer and keys did not sign", async () => {
    const at13 = network.nodes["13"];
    const query = `{ freeCapacity(first: 1) { totalCount } }`;
    // Signed with a key Halland's directory does not name for Skåne, under Skåne's issuer.
    const { privateKey } = await generateKeyPair("ES256");
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ role: "PEER_REGION", region: "12" })
      .setProtectedHeader({ alg: "ES256", kid: "forged" })
      .setIssuer(network.nodes["12"].issuer)
      .setSubject("node:12")
      .setAudience(at13.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    expect((await postGraphQL(at13.url, query, {}, forged)).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    // Skåne's real key, but claiming Västra Götaland.
    const liar = new NodeIdentity(network.nodes["12"].keyFile, () => network.nodes["12"].issuer, "14");
    expect((await postGraphQL(at13.url, query, {}, await liar.peerToken(at13.issuer))).errors?.[0].message).toMatch(
      /must be PEER_REGION of that region/,
    );
    // Skåne's real key for another audience.
    const skåne = new NodeIdentity(network.nodes["12"].keyFile, () => network.nodes["12"].issuer, "12");
    expect((await postGraphQL(at13.url, query, {}, await skåne.peerToken(network.nodes["14"].issuer))).errors?.[0].message).toMatch(
      /aud claim/,
    );
    // A development PEER_REGION token for Skåne: Skåne is in the directory, so only its node speaks for it.
    expect((await postGraphQL(at13.url, query, {}, await token(Role.PEER_REGION, "12"))).errors?.[0].message).toMatch(
      /accepted only from the issuer named there/,
    );
  });

  it("a node whose key is not in a peer's directory is UNAUTHORIZED there, and that peer's data is not used", async () => {
    // Västra Götaland's directory names the wrong keys for Halland (Skåne's JWKS).
    network.writeDirectories((owner, entry) =>
      owner === "14" && entry.regionCode === "13" ? { ...entry, jwksUrl: network.entry("12").jwksUrl } : entry,
    );
    await directoryReload();
    try {
      const connection = await national();
      expect(peer(connection, "14")).toMatchObject({ status: "UNAUTHORIZED", offers: 0, asOf: null });
      expect(peer(connection, "14").detail).toMatch(/signature does not verify/);
      expect(peer(connection, "12").status).toBe("OK");
      expect(origins(connection)).toEqual(new Set(["13", "12"]));
      expect(connection.totalCountIsExact).toBe(false);
    } finally {
      network.writeDirectories();
      await directoryReload();
    }
    expect(peer(await national(), "14").status).toBe("OK");
  });

  it("reports a silent, a malformed, an oversized and a disabled peer, within the bound, and uses none of their answers", async () => {
    const fakes = [
      {
        regionCode: "01",
        name: "Region Stockholm",
        gatewayUrl: `${fakeUrl}/slow/graphql`,
        issuer: `${fakeUrl}/slow`,
        jwksUrl: `${fakeUrl}/slow/jwks`,
        enabled: true,
      },
      {
        regionCode: "25",
        name: "Region Norrbotten",
        gatewayUrl: `${fakeUrl}/malformed/graphql`,
        issuer: `${fakeUrl}/malformed`,
        jwksUrl: `${fakeUrl}/m/jwks`,
        enabled: true,
      },
      {
        regionCode: "07",
        name: "Region Kronoberg",
        gatewayUrl: `${fakeUrl}/huge/graphql`,
        issuer: `${fakeUrl}/huge`,
        jwksUrl: `${fakeUrl}/h/jwks`,
        enabled: true,
      },
      {
        regionCode: "06",
        name: "Region Jönköpings län",
        gatewayUrl: `${fakeUrl}/huge/graphql`,
        issuer: `${fakeUrl}/off`,
        jwksUrl: `${fakeUrl}/o/jwks`,
        enabled: false,
      },
    ];
    const file = network.nodes["13"].peersFile;
    const before = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, JSON.stringify([...JSON.parse(before), ...fakes]));
    await directoryReload();
    try {
      const started = Date.now();
      const connection = await national();
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2500);
      expect(peer(connection, "01")).toMatchObject({ status: "TIMEOUT", offers: 0 });
      expect(peer(connection, "01").latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(peer(connection, "25")).toMatchObject({ status: "INVALID_ANSWER", offers: 0 });
      expect(peer(connection, "07").status).toBe("INVALID_ANSWER");
      expect(peer(connection, "07").detail).toMatch(/larger than 200000 bytes/);
      expect(peer(connection, "06")).toMatchObject({ status: "DISABLED", latencyMs: null });
      expect(origins(connection)).toEqual(new Set(["13", "12", "14"]));
    } finally {
      fs.writeFileSync(file, before);
      await directoryReload();
    }
  });

  it("an invalid directory change is reported and the last valid directory stays in use", async () => {
    const file = network.nodes["13"].peersFile;
    const before = fs.readFileSync(file, "utf8");
    expect((await national()).peers.map((p: any) => p.status)).toEqual(["OK", "OK"]);
    fs.writeFileSync(file, JSON.stringify([{ regionCode: "99", name: "x" }]));
    await directoryReload();
    try {
      expect((await national()).peers.map((p: any) => p.status)).toEqual(["OK", "OK"]);
    } finally {
      fs.writeFileSync(file, before);
      await directoryReload();
    }
  });

  it("keeps working through a key rotation: the old and the new key are both published", async () => {
    await rotateNodeKey(network.nodes["13"].keyFile);
    const jwks = (await (await fetch(`${network.nodes["13"].issuer}/.well-known/jwks.json`)).json()) as any;
    expect(jwks.keys).toHaveLength(2);
    // Peers fetch the new key on first sight of its kid (at most every 5 s per peer).
    const connection = await waitFor(
      async () => {
        const answer = await national();
        return answer.peers.every((p: any) => p.status === "OK") && answer;
      },
      "every peer to answer OK with the new key",
      20_000,
    );
    expect(connection.peers.map((p: any) => p.status)).toEqual(["OK", "OK"]);
  });

  it("a node stopped mid-search makes a partial answer with it UNREACHABLE; restarted, it is back without any action", async () => {
    const searching = national();
    await network.stop("14");
    await searching; // begun while the node was up: whole or partial, never a failure
    const connection = await national();
    expect(peer(connection, "14")).toMatchObject({ status: "UNREACHABLE", offers: 0, asOf: null });
    expect(peer(connection, "12").status).toBe("OK");
    expect(origins(connection)).toEqual(new Set(["13", "12"]));
    expect(connection.edges.length).toBe((await localIds("13")).length + (await localIds("12")).length);

    await network.start("14");
    const back = await national();
    expect(peer(back, "14").status).toBe("OK");
    expect(origins(back)).toEqual(new Set(["13", "12", "14"]));
  });
});
