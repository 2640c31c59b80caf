/**
 * The only identity numbers that committed seeds and tests may use.
 *
 * A Luhn-valid number made up on the spot may belong to a real person, and patient data is
 * sensitive, so never invent one (see subgraphs/README.md, "Identity numbers"). Every entry
 * below is either the well-known test patient Tolvan Tolvansson or taken from one of
 * Skatteverket's published test series, and says where it came from. To add a number, copy it from
 * one of those series and give its source.
 *
 * Skatteverket publishes the series as open data (CC0) on the condition that they are used only in
 * test environments, never in production. Many of the people in them are 100 or older today, so
 * their short form is written with '+' (e.g. 900101+9802 for 18900101-9802).
 */

const TOLVAN =
  'The well-known test patient "Tolvan Tolvansson" used across Swedish healthcare IT (see subgraphs/README.md, "Identity numbers")';

/**
 * Skatteverket, "Testpersonnummer", open data (CC0):
 * https://www7.skatteverket.se/portal/apier-och-oppna-data/utvecklarportalen/oppetdata/Test%C2%AD%C2%ADpersonnummer
 * API: https://skatteverket.entryscape.net/rowstore/dataset/b4de7df7-63c0-4e7e-bb59-1f156a591763
 *
 * The numbers were copied from github.com/Gyran/testpersonnummer, lib/index.js, which that
 * repository's generate.mjs downloads from the API above. Where noted, the same number also appears
 * in another, independent copy of the series:
 * - rOpenGov/sweidnumbr, data-raw/test_pin_skatteverket.csv
 * - Gyran/testpersonnummer, data/Testpersonnummer 2000-2009.csv ("CSV" below; by its name and
 *   header, one of Skatteverket's CSV downloads)
 * - KentorIT/PU-Adapter, TestData/Testpersonnummer.cs ("Testpersonnummer från skatteverket")
 */
const SKATTEVERKET_TESTPERSONNUMMER =
  "Skatteverket testpersonnummer (open data, entryscape dataset b4de7df7-63c0-4e7e-bb59-1f156a591763), via github.com/Gyran/testpersonnummer lib/index.js";

/**
 * Skatteverket, "Testsamordningsnummer", open data (CC0):
 * https://skatteverket.entryscape.net/rowstore/dataset/9f29fe09-4dbc-4d2f-848f-7cffdd075383
 *
 * The numbers were copied from github.com/crippledgeek/civitas-id-net,
 * Civitas.Id.Sweden.Tests/Fixtures/Testsamordningsnummer_2019_corrected.csv, a copy of Skatteverket's
 * 1914-2019 test samordningsnummer file; that repository's tests call its rows
 * "Skatteverket-published". It does not say what "corrected" refers to, so only rows were taken that
 * follow the series' pattern (birth number 238 or 239) and have a complete birth date.
 */
const SKATTEVERKET_TESTSAMORDNINGSNUMMER =
  "Skatteverket testsamordningsnummer (open data, entryscape dataset 9f29fe09-4dbc-4d2f-848f-7cffdd075383), via github.com/crippledgeek/civitas-id-net Civitas.Id.Sweden.Tests/Fixtures/Testsamordningsnummer_2019_corrected.csv";

export const TEST_IDENTITY_NUMBERS: ReadonlyArray<{ number: string /* 12 digits */; source: string }> = [
  { number: "191212121212", source: TOLVAN }, // male, 1912-12-12

  // Skatteverket testpersonnummer. Comments: sex, birth date, other copies of the series that list it.
  { number: "189001019802", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 1890-01-01; sweidnumbr
  { number: "189001029819", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1890-01-02; sweidnumbr
  { number: "190001019801", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 1900-01-01
  { number: "191001029816", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1910-01-02
  { number: "193008077723", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 1930-08-07; PU-Adapter
  { number: "193805028432", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1938-05-02; PU-Adapter
  { number: "194001079120", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 1940-01-07; PU-Adapter
  { number: "194004057032", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1940-04-05; PU-Adapter
  { number: "194408139089", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 1944-08-13; PU-Adapter
  { number: "194504118359", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1945-04-11; PU-Adapter
  { number: "198701012398", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1987-01-01
  { number: "199312162390", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 1993-12-16; PU-Adapter
  { number: "199312172381", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 1993-12-17; PU-Adapter
  { number: "200001022391", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 2000-01-02; CSV, PU-Adapter
  { number: "200001032382", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 2000-01-03; CSV, PU-Adapter
  { number: "200002292399", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 2000-02-29 (leap day); CSV
  { number: "200007312382", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 2000-07-31; CSV, PU-Adapter
  { number: "201212132383", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 2012-12-13
  { number: "202401012394", source: SKATTEVERKET_TESTPERSONNUMMER }, // male, 2024-01-01
  { number: "202402292383", source: SKATTEVERKET_TESTPERSONNUMMER }, // female, 2024-02-29 (leap day)

  // Skatteverket testsamordningsnummer (day of birth + 60).
  { number: "191401682396", source: SKATTEVERKET_TESTSAMORDNINGSNUMMER }, // male, 1914-01-08
  { number: "191406652386", source: SKATTEVERKET_TESTSAMORDNINGSNUMMER }, // female, 1914-06-05
  { number: "201401612385", source: SKATTEVERKET_TESTSAMORDNINGSNUMMER }, // female, 2014-01-01 (day 61)
];
