import { loadConfig } from "../../subgraphs/shared/config";
import { runMain } from "../../subgraphs/shared/main";
import { publicJwks, rotateNodeKey, loadNodeKeys } from "../../subgraphs/shared/network/node-key";

/**
 * `npm run node-key -- rotate`: starts a key change-over for this node (HUB_NODE_KEY_FILE): a new
 * signing key, the current one kept as the previous (both in the JWKS). Run again once peers have
 * seen the new key to retire the old one. `npm run node-key -- show` prints the public JWKS.
 */
runMain("node-key", async () => {
  const config = loadConfig();
  const command = process.argv[2];
  const file = config.network.nodeKeyFile;
  if (command === "rotate") {
    const keys = await rotateNodeKey(file);
    process.stdout.write(
      `${file}: signing with ${keys.keys[0].publicJwk.kid}${keys.keys[1] ? `, ${keys.keys[1].publicJwk.kid} still published` : ""}\n`,
    );
  } else if (command === "show") {
    process.stdout.write(`${JSON.stringify(publicJwks(await loadNodeKeys(file, false)), null, 2)}\n`);
  } else {
    process.stderr.write("usage: npm run node-key -- <rotate|show>\n");
    process.exitCode = 2;
  }
  return { stop: async () => undefined };
});
