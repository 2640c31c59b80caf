import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../subgraphs/shared/config";
import { parseDirectory, PeerDirectory } from "../../subgraphs/shared/network/directory";
import { loadNodeKeys, rotateNodeKey } from "../../subgraphs/shared/network/node-key";

/** The peer directory's rules and the node key file's rotation, without a hub. */
const skåne = {
  regionCode: "12",
  name: "Region Skåne",
  gatewayUrl: "https://hub.skane.example/graphql",
  issuer: "https://hub.skane.example",
  jwksUrl: "https://hub.skane.example/.well-known/jwks.json",
};
const parse = (peers: unknown) => parseDirectory(JSON.stringify(peers), "13", "peers.json");

describe("the peer directory", () => {
  it("reads peers, enabled unless they say otherwise, as a list or { peers }", () => {
    expect(parse([skåne])).toEqual([{ ...skåne, enabled: true }]);
    expect(parse({ peers: [{ ...skåne, enabled: false }] })[0].enabled).toBe(false);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["a bad region", JSON.stringify([{ ...skåne, regionCode: "99" }]), /peers\[0\]\.regionCode must be a county code/],
    ["the own region", JSON.stringify([{ ...skåne, regionCode: "13" }]), /this node's own region/],
    ["a region twice", JSON.stringify([skåne, skåne]), /peers\[1\]\.regionCode 12 is listed twice/],
    [
      "a URL that is not http(s)",
      JSON.stringify([{ ...skåne, jwksUrl: "file:///etc/passwd" }]),
      /peers\[0\]\.jwksUrl must be an http\(s\) URL/,
    ],
    ["no issuer", JSON.stringify([{ ...skåne, issuer: "" }]), /peers\[0\]\.issuer/],
    ["enabled not a boolean", JSON.stringify([{ ...skåne, enabled: "yes" }]), /enabled must be true or false/],
  ])("refuses %s, naming the entry and field", (_what, text, message) => {
    expect(() => parseDirectory(text, "13", "peers.json")).toThrow(message);
  });

  it("is read again when the file changes, and keeps the last valid one when the change is not valid", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "directory-"));
    const file = path.join(dir, "peers.json");
    fs.writeFileSync(file, JSON.stringify([skåne]));
    // The file is looked at again at most every 250 ms: the test moves the clock past that.
    jest.useFakeTimers({ now: Date.now() });
    const directory = new PeerDirectory(file, "13");
    expect(directory.byIssuer(skåne.issuer)?.regionCode).toBe("12");
    const wait = () => jest.advanceTimersByTime(300);
    fs.writeFileSync(
      file,
      JSON.stringify([
        { ...skåne, enabled: false },
        { ...skåne, regionCode: "14", issuer: "https://vgr.example" },
      ]),
    );
    await wait();
    expect(directory.all().map((p) => [p.regionCode, p.enabled])).toEqual([
      ["12", false],
      ["14", true],
    ]);
    fs.writeFileSync(file, "not json");
    await wait();
    expect(directory.all()).toHaveLength(2);
    jest.useRealTimers();
    fs.rmSync(dir, { recursive: true });
    // At start, a missing file is a start-up error.
    expect(() => new PeerDirectory(file, "13")).toThrow(/HUB_PEERS_FILE .* cannot be read/);
  });

  it("checks the network settings", () => {
    expect(loadConfig({ HUB_PEER_TIMEOUT_MS: "1500" }).network.peerTimeoutMs).toBe(1500);
    expect(() => loadConfig({ HUB_PEER_TIMEOUT_MS: "soon" })).toThrow(/HUB_PEER_TIMEOUT_MS must be a whole number/);
    expect(loadConfig({ HUB_REGION_CODE: "12" }).network.nodeKeyFile).toMatch(/node-key-12\.json$/);
    // In production a node with peers must say which public URL its peers know it by.
    const production = { NODE_ENV: "production", HUB_TRUSTED_ISSUERS: "[]", HUB_PEERS_FILE: "/etc/hub/peers.json" };
    expect(() => loadConfig(production)).toThrow(/needs HUB_NODE_ISSUER/);
    expect(loadConfig({ ...production, HUB_NODE_ISSUER: "https://hub.regionhalland.example" }).network.issuer).toBe(
      "https://hub.regionhalland.example",
    );
  });
});

describe("node keys", () => {
  it("rotates: a new signing key first, the previous kept, an older one retired", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "node-key-")), "key.json");
    await expect(loadNodeKeys(file, false)).rejects.toThrow(/does not exist/);
    const first = (await loadNodeKeys(file, true)).keys.map((k) => k.publicJwk.kid);
    const second = (await rotateNodeKey(file)).keys.map((k) => k.publicJwk.kid);
    const third = (await rotateNodeKey(file)).keys.map((k) => k.publicJwk.kid);
    expect(second).toHaveLength(2);
    expect(second[1]).toBe(first[0]);
    expect(third).toEqual([expect.any(String), second[0]]);
    expect(third).not.toContain(first[0]);
    expect((await loadNodeKeys(file, false)).keys.every((k) => k.privateJwk.d && !k.publicJwk.d)).toBe(true);
  });
});
