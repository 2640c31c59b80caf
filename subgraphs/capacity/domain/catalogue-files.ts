/**
 * Reading the files a region imports (see the README's production section for their shape): CSV
 * with a header row (comma or semicolon separated, as spreadsheets export it; quotes as RFC 4180)
 * or JSON. Every record keeps the line it starts on, so a problem can be reported by line. Text in,
 * records out: the caller reads the file.
 */

import type { KvaRecord, ProviderRecord, RowProblem } from "./catalogue-records";

export class FileProblem extends Error {
  constructor(readonly problems: RowProblem[]) {
    super(problems.map(describeProblem).join("\n"));
  }
}

export function describeProblem(problem: RowProblem): string {
  return `${problem.line === null ? "" : `line ${problem.line}: `}${problem.field}: ${problem.message} (${problem.rule})`;
}

/** Rows of a CSV text as header-keyed records with their line numbers. */
export function parseCsv(text: string): Array<{ line: number; values: Record<string, string> }> {
  const body = text.replace(/^\uFEFF/, "");
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const separator = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const rows: Array<{ line: number; cells: string[] }> = [];
  let line = 1;
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let rowLine = 1;
  let i = 0;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0].trim() !== "") rows.push({ line: rowLine, cells });
    cells = [];
    cell = "";
  };
  while (i < body.length) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell === "") quoted = true;
    else if (c === separator) {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += c;
    i++;
  }
  if (cell !== "" || cells.length > 0) endRow();
  if (quoted)
    throw new FileProblem([{ line: rowLine, field: "file", rule: "CSV_UNCLOSED_QUOTE", message: "a quoted value is not closed" }]);
  const [header, ...data] = rows;
  if (!header) return [];
  const names = header.cells.map((h) => h.trim());
  return data.map((row) => {
    if (row.cells.length !== names.length) {
      throw new FileProblem([
        { line: row.line, field: "file", rule: "CSV_COLUMN_COUNT", message: `${row.cells.length} values, the header has ${names.length}` },
      ]);
    }
    return { line: row.line, values: Object.fromEntries(names.map((name, k) => [name, row.cells[k].trim()])) };
  });
}

/**
 * JSON, keeping the line each object starts on (JSON.parse forgets it): a small parser of the
 * standard grammar whose objects carry a non-enumerable `line`.
 */
export function parseJsonWithLines(text: string): unknown {
  let i = 0;
  let line = 1;
  const fail = (message: string): never => {
    throw new FileProblem([{ line, field: "file", rule: "JSON_SYNTAX", message }]);
  };
  const space = () => {
    while (i < text.length && " \t\r\n\uFEFF".includes(text[i])) {
      if (text[i] === "\n") line++;
      i++;
    }
  };
  const value = (): unknown => {
    space();
    const c = text[i];
    if (c === "{") {
      const at = line;
      i++;
      const object: Record<string, unknown> = {};
      Object.defineProperty(object, "line", { value: at, enumerable: false });
      space();
      if (text[i] === "}") {
        i++;
        return object;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail("expected a property name in quotes");
        const key = string();
        space();
        if (text[i] !== ":") fail(`expected ":" after "${key}"`);
        i++;
        object[key] = value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return object;
        } else fail('expected "," or "}"');
      }
    }
    if (c === "[") {
      i++;
      const array: unknown[] = [];
      space();
      if (text[i] === "]") {
        i++;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return array;
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 40));
    if (!literal) return fail(i >= text.length ? "the file ends too early" : `unexpected "${c}"`);
    i += literal[0].length;
    return JSON.parse(literal[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text[i] === "\n") fail("a string runs past the end of the line");
      i++;
    }
    if (i >= text.length) fail("a string is not closed");
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const result = value();
  space();
  if (i < text.length) fail("more after the end of the JSON value");
  return result;
}

const lineOf = (value: unknown): number | undefined => (value && typeof value === "object" ? (value as { line?: number }).line : undefined);

function listIn(document: unknown, key: string): Array<Record<string, unknown>> {
  const list = Array.isArray(document) ? document : (document as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list))
    throw new FileProblem([{ line: 1, field: key, rule: "JSON_SHAPE", message: `expected {"${key}": [...]} or a list` }]);
  return list.map((item) => {
    if (!item || typeof item !== "object" || Array.isArray(item))
      throw new FileProblem([{ line: lineOf(item) ?? null, field: key, rule: "JSON_SHAPE", message: "each entry is an object" }]);
    return item as Record<string, unknown>;
  });
}

const PROVIDER_COLUMNS = [
  "providerHsaId",
  "organisationNumber",
  "providerName",
  "kind",
  "regionCode",
  "municipalityCode",
  "unitHsaId",
  "unitName",
  "specialty",
];
const KVA_COLUMNS = ["code", "title", "validFrom", "validTo"];

function requireColumns(rows: Array<{ values: Record<string, string> }>, columns: string[]): void {
  if (rows.length === 0) return;
  const present = new Set(Object.keys(rows[0].values));
  const missing = columns.filter((c) => !present.has(c));
  if (missing.length)
    throw new FileProblem([
      { line: 1, field: "header", rule: "CSV_COLUMNS", message: `missing column(s) ${missing.join(", ")}; expected ${columns.join(",")}` },
    ]);
}

/** Providers with their units from a providers file (format from the name: .json or .csv). */
export function readProviderFile(fileName: string, text: string): ProviderRecord[] {
  if (/\.json$/i.test(fileName)) {
    return listIn(parseJsonWithLines(text), "providers").map((p) => ({
      line: lineOf(p),
      hsaId: p.hsaId,
      organisationNumber: p.organisationNumber,
      name: p.name,
      kind: p.kind,
      regionCode: p.regionCode,
      municipalityCode: p.municipalityCode,
      units: (Array.isArray(p.units) ? p.units : []).map((u: Record<string, unknown>) => ({
        line: lineOf(u),
        hsaId: u?.hsaId,
        name: u?.name,
        specialty: u?.specialty,
      })),
    }));
  }
  // CSV: one row per unit, the provider's columns repeated; a provider without units has empty unit columns.
  const rows = parseCsv(text);
  requireColumns(rows, PROVIDER_COLUMNS);
  const providers = new Map<string, ProviderRecord & { fields: Record<string, string> }>();
  const problems: RowProblem[] = [];
  for (const { line, values } of rows) {
    const key = values.providerHsaId;
    const fields = {
      organisationNumber: values.organisationNumber,
      providerName: values.providerName,
      kind: values.kind,
      regionCode: values.regionCode,
      municipalityCode: values.municipalityCode,
    };
    let provider = providers.get(key);
    if (!provider) {
      provider = {
        line,
        hsaId: key,
        organisationNumber: fields.organisationNumber,
        name: fields.providerName,
        kind: fields.kind,
        regionCode: fields.regionCode,
        municipalityCode: fields.municipalityCode,
        units: [],
        fields,
      };
      providers.set(key, provider);
    } else {
      for (const [field, value] of Object.entries(fields)) {
        if (provider.fields[field] !== value)
          problems.push({ line, field, rule: "PROVIDER_ROWS_DIFFER", message: `differs from line ${provider.line} for the same provider` });
      }
    }
    if (values.unitHsaId || values.unitName || values.specialty)
      provider.units!.push({ line, hsaId: values.unitHsaId, name: values.unitName, specialty: values.specialty });
  }
  if (problems.length) throw new FileProblem(problems);
  return [...providers.values()].map(({ fields: _fields, ...record }) => record);
}

/** KVÅ codes from a KVÅ file (.json or .csv). */
export function readKvaFile(fileName: string, text: string): KvaRecord[] {
  if (/\.json$/i.test(fileName)) {
    return listIn(parseJsonWithLines(text), "procedures").map((p) => ({ ...p, line: lineOf(p) }));
  }
  const rows = parseCsv(text);
  requireColumns(rows, KVA_COLUMNS);
  return rows.map(({ line, values }) => ({ line, ...values }));
}
