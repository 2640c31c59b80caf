import { spawn } from "node:child_process";
import path from "node:path";
import { addDays, stockholmDate } from "../../subgraphs/shared/domain/calendar";
import { projectRoot } from "../../subgraphs/shared/paths";
import { careUnitId } from "../../seeds/data/providers";
import { startTestHub, TestHub } from "../support/hub";
import { freePort } from "../support/ports";
import { token } from "../support/tokens";
import { waitFor } from "../support/wait";
import { Role } from "../../subgraphs/shared/identity";

/**
 * `npm run -s subscribe` (gateway/tools/subscribe.ts, compiled by npm test) as a user runs it: it
 * finds the gateway from PORT like `npm start`, says on stderr that it is connected only once it
 * is, keeps stdout for the JSON lines alone, and explains a refused connection in words.
 */
const TOOL = path.join(projectRoot(), "dist", "gateway", "tools", "subscribe.js");
const QUERY = `subscription { offerPublished(filter: { procedureCode: "NFB49" }) { id availableSlots provider { name } } }`;

function runTool(env: Record<string, string>, args: string[] = [QUERY]) {
  const { GATEWAY_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [TOOL, ...args], { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk) => (out += chunk));
  child.stderr!.on("data", (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

describe("npm run subscribe", () => {
  it("says a refused connection in words, on stderr only, and exits non-zero", async () => {
    const port = await freePort();
    const tool = runTool({ PORT: String(port), HUB_TOKEN: await token(Role.REGIONAL_OFFICE) });
    expect(await tool.exited).toBe(1);
    expect(tool.stdout()).toBe("");
    expect(tool.stderr()).toBe(
      `cannot connect to http://127.0.0.1:${port}/graphql: connection refused (is the hub running? set GATEWAY_URL or PORT)\n`,
    );
  });

  describe("against a running hub", () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub();
    });
    afterAll(() => hub?.stop());

    it("finds the gateway from PORT, reports the connection once it is up, and prints each event as a JSON line on stdout", async () => {
      const port = new URL(hub.url).port;
      // From the event log's position now (as the tool's usage shows), however late its subscription starts.
      const after = (await hub.query(`{ offerEventCursor }`)).data.offerEventCursor;
      const query = `subscription($after: ID) { offerPublished(filter: { procedureCode: "NFB49" }, after: $after) { id availableSlots provider { name } } }`;
      const tool = runTool({ PORT: port, HUB_TOKEN: await token(Role.REGIONAL_OFFICE) }, [query, JSON.stringify({ after })]);
      try {
        await waitFor(() => tool.stderr().includes("connected"), "the tool to connect");
        expect(tool.stderr()).toBe(`connected to http://127.0.0.1:${port}/graphql; waiting for events (Ctrl-C to stop)\n`);
        const today = stockholmDate();
        const { data, errors } = await hub.query(
          `mutation($input: PublishCapacityInput!) { publishCapacity(input: $input) { offers { id } } }`,
          {
            input: {
              reportedBy: "subscribe tool test",
              offers: [
                {
                  careUnitId: careUnitId("kattegatt-ortopedi"),
                  procedureCode: "NFB49",
                  slots: 2,
                  validFrom: today,
                  validUntil: addDays(today, 30),
                  expectedWaitDays: 10,
                },
              ],
            },
          },
        );
        expect(errors).toBeUndefined();
        const published = data.publishCapacity.offers[0].id;
        await waitFor(() => tool.stdout().includes("\n"), "an event on stdout");
        const lines = tool.stdout().trim().split("\n");
        const first = JSON.parse(lines[0]);
        expect(first.data.offerPublished).toEqual({ id: published, availableSlots: 2, provider: { name: expect.any(String) } });
        for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      } finally {
        tool.child.kill("SIGINT");
      }
      expect(await tool.exited).toBe(0);
    });

    it("says why when the gateway refuses the token", async () => {
      const tool = runTool({ GATEWAY_URL: hub.url, HUB_TOKEN: "not-a-token" });
      expect(await tool.exited).toBe(1);
      expect(tool.stdout()).toBe("");
      expect(tool.stderr()).not.toContain("connected");
      expect(tool.stderr()).toMatch(/^connecting to http:\/\/127\.0\.0\.1:\d+\/graphql closed \(code 44\d\d: .+\)\n$/);
    });
  });
});
