import { checkCatalogue, checkKva } from "../../subgraphs/capacity/domain/catalogue-records";
import { FileProblem, parseCsv, parseJsonWithLines, readKvaFile, readProviderFile } from "../../subgraphs/capacity/domain/catalogue-files";
import { parseHsaId, parseOrganisationNumber } from "../../subgraphs/shared/domain/hsa";
import { MUNICIPALITY_CODES, municipalityExists } from "../../subgraphs/shared/domain/municipalities";
import { REGIONS } from "../../subgraphs/shared/domain/regions";
import { hsaIdOf, organisationNumber } from "../support/imports";

/** The checks and file readers of the care catalogue and KVÅ imports, without a database. */
describe("identifiers of the HSA catalogue", () => {
  it("checks an organisation number's check digit (Luhn over the first nine digits)", () => {
    expect(parseOrganisationNumber("999999-9999")).toEqual({ ok: true, value: "9999999999" });
    expect(parseOrganisationNumber(organisationNumber("556677889"))).toMatchObject({ ok: true });
    const wrong = organisationNumber("556677889").replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    expect(parseOrganisationNumber(wrong)).toMatchObject({ ok: false, rule: "ORGANISATION_NUMBER_CHECK_DIGIT" });
    expect(parseOrganisationNumber("55667788")).toMatchObject({ ok: false, rule: "ORGANISATION_NUMBER_FORMAT" });
  });

  it("checks an HSA-id's form and the organisation number in it", () => {
    expect(parseHsaId("SE9999999999-E000000000001")).toEqual({
      ok: true,
      value: "SE9999999999-E000000000001",
      organisationNumber: "9999999999",
    });
    expect(parseHsaId("SE999999999-1")).toMatchObject({ ok: false, rule: "HSA_ID_FORMAT" });
    expect(parseHsaId("SE9999999999-")).toMatchObject({ ok: false, rule: "HSA_ID_FORMAT" });
    expect(parseHsaId("se9999999999-1")).toMatchObject({ ok: false, rule: "HSA_ID_FORMAT" });
    expect(parseHsaId("SE9999999998-1")).toMatchObject({ ok: false, rule: "HSA_ID_CHECK_DIGIT" });
  });

  it("knows Sweden's 290 municipalities, each in one of the 21 regions", () => {
    expect(MUNICIPALITY_CODES.size).toBe(290);
    const regions = new Set(REGIONS.map((r) => r.code));
    for (const code of MUNICIPALITY_CODES) expect(regions.has(code.slice(0, 2))).toBe(true);
    expect(municipalityExists("1380")).toBe(true);
    expect(municipalityExists("1399")).toBe(false);
  });
});

describe("checking a catalogue", () => {
  const org = "556677889";
  const provider = (overrides: Record<string, unknown> = {}) => ({
    line: 2,
    hsaId: hsaIdOf(org, "1"),
    organisationNumber: organisationNumber(org),
    name: "Test AB",
    kind: "PRIVATE",
    regionCode: "13",
    municipalityCode: "1380",
    units: [{ line: 2, hsaId: hsaIdOf(org, "U1"), name: "Enhet", specialty: "UROLOGY" }],
    ...overrides,
  });

  it("accepts good records and reports every problem of bad ones with line and field", () => {
    expect(checkCatalogue([provider()]).problems).toEqual([]);
    const { providers, problems } = checkCatalogue([
      provider({ line: 2, hsaId: hsaIdOf("556677880", "1") }),
      provider({
        line: 3,
        hsaId: hsaIdOf(org, "2"),
        kind: "COMMUNAL",
        municipalityCode: "0180",
        units: [{ line: 3, hsaId: hsaIdOf(org, "U1"), name: "", specialty: "X" }],
      }),
    ]);
    expect(providers).toEqual([]);
    expect(problems.map((p) => [p.line, p.field, p.rule])).toEqual([
      [2, "hsaId", "HSA_ID_ORGANISATION_MISMATCH"],
      [3, "kind", "PROVIDER_KIND_UNKNOWN"],
      [3, "municipalityCode", "MUNICIPALITY_NOT_IN_REGION"],
      [3, "units.hsaId", "DUPLICATE_HSA_ID"],
      [3, "units.name", "TEXT_LENGTH"],
      [3, "units.specialty", "SPECIALTY_UNKNOWN"],
    ]);
  });
});

describe("reading files", () => {
  it("reads CSV with quotes, semicolons and CRLF, keeping line numbers", () => {
    const rows = parseCsv('a;b\r\n"x; ""quoted""";2\r\n\r\n"multi\nline";3\r\n');
    expect(rows).toEqual([
      { line: 2, values: { a: 'x; "quoted"', b: "2" } },
      { line: 4, values: { a: "multi\nline", b: "3" } },
    ]);
    expect(() => parseCsv("a,b\n1\n")).toThrow(FileProblem);
  });

  it("groups a provider's rows and refuses rows of one provider that disagree", () => {
    const header = "providerHsaId,organisationNumber,providerName,kind,regionCode,municipalityCode,unitHsaId,unitName,specialty";
    const base = `${hsaIdOf("556677889", "1")},${organisationNumber("556677889")},Test AB,PRIVATE,13,1380`;
    const records = readProviderFile(
      "x.csv",
      `${header}\n${base},${hsaIdOf("556677889", "U1")},A,UROLOGY\n${base},${hsaIdOf("556677889", "U2")},B,UROLOGY\n`,
    );
    expect(records).toHaveLength(1);
    expect(records[0].units!.map((u) => u.line)).toEqual([2, 3]);
    try {
      readProviderFile("x.csv", `${header}\n${base},,,\n${base.replace("Test AB", "Annat AB")},,,\n`);
      throw new Error("not refused");
    } catch (error) {
      expect((error as FileProblem).problems).toEqual([
        { line: 3, field: "providerName", rule: "PROVIDER_ROWS_DIFFER", message: "differs from line 2 for the same provider" },
      ]);
    }
    expect(() => readProviderFile("x.csv", "hsaId,name\nx,y\n")).toThrow(/missing column/);
  });

  it("reads JSON with the line each object starts on, and reports a syntax error by line", () => {
    const value = parseJsonWithLines('{\n  "procedures": [\n    { "code": "NFB49" },\n\n    {"code": "A\\"B"}\n  ]\n}') as any;
    expect(value.procedures.map((p: any) => [p.line, p.code])).toEqual([
      [3, "NFB49"],
      [5, 'A"B'],
    ]);
    expect(JSON.stringify(value)).toBe('{"procedures":[{"code":"NFB49"},{"code":"A\\"B"}]}');
    try {
      parseJsonWithLines('{\n  "a": 1,\n  "b": tru\n}');
      throw new Error("not refused");
    } catch (error) {
      expect((error as FileProblem).problems[0]).toMatchObject({ line: 3, rule: "JSON_SYNTAX" });
    }
  });

  it("checks KVÅ rows: code form, dates in order, classification both or neither, no code twice", () => {
    const records = readKvaFile(
      "kva.csv",
      "code,title,validFrom,validTo,specialty,visitType\nNFB49,Höft,1997-01-01,,ORTHOPAEDICS,TREATMENT\nNFB4,X,,,,\nNGB49,Knä,2020-01-01,2019-12-31,,\nNGB59,Knä,,,ORTHOPAEDICS,\nNFB49,Igen,,,,\n",
    );
    expect(checkKva(records).problems.map((p) => [p.line, p.field, p.rule])).toEqual([
      [3, "code", "KVA_CODE_FORMAT"],
      [4, "validTo", "VALIDITY_ORDER"],
      [5, "visitType", "CLASSIFICATION_INCOMPLETE"],
      [6, "code", "DUPLICATE_CODE"],
    ]);
    expect(checkKva(records.slice(0, 1)).codes).toEqual([
      {
        code: "NFB49",
        title: "Höft",
        validFrom: "1997-01-01",
        validTo: null,
        specialty: "ORTHOPAEDICS",
        visitType: "TREATMENT",
        englishName: null,
      },
    ]);
  });
});
