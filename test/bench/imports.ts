import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { EmbeddedPostgres } from "../../subgraphs/shared/db/embedded-postgres";
import { MUNICIPALITY_CODES } from "../../subgraphs/shared/domain/municipalities";
import { luhnCheckDigit } from "../../subgraphs/shared/domain/personal-identity-number";
import { Specialty } from "../../subgraphs/shared/domain/specialty";
import { projectRoot } from "../../subgraphs/shared/paths";
import { freePorts } from "../support/ports";

/**
 * `npm run bench:import`: how fast a node is filled. Generates a providers file of 10 000 care
 * units (1 000 providers of 10 units, over every region's municipalities, synthetic organisation
 * numbers) as CSV and JSON and a KVÅ file of 20 000 codes, and runs the compiled import command on
 * a fresh embedded database: each file first (everything created), then again (nothing changes),
 * reporting rows per second as the command measures them (read, check, write, commit).
 */
const PROVIDERS = 1_000;
const UNITS_PER_PROVIDER = 10;
const KVA_CODES = 20_000;
const CLI = path.join(projectRoot(), "dist", "seeds", "import-cli.js");

const organisation = (n: number) => {
  const nine = `55${String(n).padStart(7, "0")}`;
  return `${nine}${luhnCheckDigit(nine)}`;
};

function providersCsv(): string {
  const municipalities = [...MUNICIPALITY_CODES];
  const specialties = Object.values(Specialty);
  const lines = ["providerHsaId,organisationNumber,providerName,kind,regionCode,municipalityCode,unitHsaId,unitName,specialty"];
  for (let p = 0; p < PROVIDERS; p++) {
    const org = organisation(p);
    const municipality = municipalities[p % municipalities.length];
    for (let u = 0; u < UNITS_PER_PROVIDER; u++) {
      lines.push(
        `SE${org}-P,${org.slice(0, 6)}-${org.slice(6)},Vårdgivare ${p} AB,${p % 3 ? "PRIVATE" : "PUBLIC"},${municipality.slice(0, 2)},${municipality},SE${org}-U${u},Enhet ${u} hos vårdgivare ${p},${specialties[(p + u) % specialties.length]}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function providersJson(csv: string): string {
  const providers = new Map<string, any>();
  for (const line of csv.trim().split("\n").slice(1)) {
    const [hsaId, organisationNumber, name, kind, regionCode, municipalityCode, unitHsaId, unitName, specialty] = line.split(",");
    if (!providers.has(hsaId)) providers.set(hsaId, { hsaId, organisationNumber, name, kind, regionCode, municipalityCode, units: [] });
    providers.get(hsaId).units.push({ hsaId: unitHsaId, name: unitName, specialty });
  }
  return JSON.stringify({ providers: [...providers.values()] }, null, 2);
}

function kvaCsv(): string {
  const lines = ["code,title,validFrom,validTo"];
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let i = 0; i < KVA_CODES; i++) {
    // Two letters and three digits (non-surgical KVÅ form), all distinct; every tenth retired.
    const code = `${letters[Math.floor(i / 1000 / 26) % 26]}${letters[Math.floor(i / 1000) % 26]}${String(i % 1000).padStart(3, "0")}`;
    lines.push(`${code},Åtgärd ${i},2020-01-01,${i % 10 === 0 ? "2024-12-31" : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-bench-import-"));
  fs.chmodSync(baseDir, 0o755);
  const [port] = await freePorts(1);
  const postgres = new EmbeddedPostgres({ baseDir, port });
  const report: string[] = [`${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}`];
  try {
    await postgres.start();
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query("CREATE DATABASE bench_csv");
    await admin.query("CREATE DATABASE bench_json");
    await admin.end();
    const csv = providersCsv();
    const files: Record<string, string> = {
      "providers.csv": csv,
      "providers.json": providersJson(csv),
      "kva.csv": kvaCsv(),
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(baseDir, name), text);
    const runs: Array<[string, string, string]> = [
      ["bench_csv", "providers", "providers.csv"],
      ["bench_csv", "providers", "providers.csv"],
      ["bench_json", "providers", "providers.json"],
      ["bench_csv", "kva", "kva.csv"],
      ["bench_csv", "kva", "kva.csv"],
    ];
    const seen = new Set<string>();
    for (const [database, kind, file] of runs) {
      const run = spawnSync(process.execPath, [CLI, kind, path.join(baseDir, file)], {
        env: { ...process.env, DATABASE_URL: postgres.urlFor(database), HUB_SEED: "none", LOG_LEVEL: "warn" },
        encoding: "utf8",
      });
      if (run.status !== 0) throw new Error(`${kind} ${file} failed:\n${run.stderr}`);
      const key = `${database}/${file}`;
      const line = `${file} (${seen.has(key) ? "again, unchanged" : "first import"}, ${(files[file].length / 1e6).toFixed(1)} MB): ${run.stdout.trim().replace(/\n/g, " — ")}`;
      seen.add(key);
      report.push(line);
      process.stderr.write(`${line}\n`);
    }
  } finally {
    await postgres.stop();
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
  process.stdout.write(`${report.join("\n")}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
