import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { luhnCheckDigit } from "../../subgraphs/shared/domain/personal-identity-number";
import { projectRoot } from "../../subgraphs/shared/paths";
import { run } from "./hub-process";

/** The compiled `npm run import` command. */
export const IMPORT_CLI = path.join(projectRoot(), "dist", "seeds", "import-cli.js");

/** A synthetic organisation number (ten digits, valid check digit) from nine digits. */
export function organisationNumber(nine: string): string {
  return `${nine.slice(0, 6)}-${nine.slice(6)}${luhnCheckDigit(nine)}`;
}

/** An HSA-id issued under a synthetic organisation number. */
export function hsaIdOf(nine: string, suffix: string): string {
  return `SE${nine}${luhnCheckDigit(nine)}-${suffix}`;
}

export interface ImportRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run import -- <kind> FILE [flags]` (compiled) against a database, with the file's text written to a temporary file. */
export async function runImport(
  databaseUrl: string,
  kind: "providers" | "kva",
  fileName: string,
  text: string,
  flags: string[] = [],
): Promise<ImportRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "care-hub-import-"));
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, text);
  try {
    const process = run({ DATABASE_URL: databaseUrl, HUB_SEED: "none" }, IMPORT_CLI, [kind, file, ...flags]);
    const code = await process.exited;
    return { code, stdout: process.stdout(), stderr: process.stderr() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const PROVIDER_CSV_HEADER =
  "providerHsaId,organisationNumber,providerName,kind,regionCode,municipalityCode,unitHsaId,unitName,specialty";
