/**
 * Prints a development token for a role (and organisation), signed with the development key the
 * hub trusts outside production:
 *
 *   npm run token -- PROVIDER                     # the demo provider (Kattegattkliniken)
 *   npm run token -- PROVIDER <provider id>
 *   npm run token -- REGIONAL_OFFICE 14           # Västra Götaland's office
 *   npm run token -- CLINIC <care unit id>
 */

import { loadConfig } from "../../subgraphs/shared/config";
import { Role, ROLES } from "../../subgraphs/shared/identity";
import { signDevToken } from "../dev-keys";

async function main(): Promise<void> {
  const [role, organisation] = process.argv.slice(2);
  if (!role || !ROLES.includes(role as Role)) {
    process.stderr.write(`usage: npm run token -- <${ROLES.join("|")}> [region code, provider id or care unit id]\n`);
    process.exit(2);
  }
  const { auth } = loadConfig();
  if (!auth.devKeyFile) {
    process.stderr.write("the development key is not available in production; tokens come from your identity provider\n");
    process.exit(1);
  }
  process.stdout.write(`${await signDevToken(auth.devKeyFile, { role: role as Role, organisation, audience: auth.audience })}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
