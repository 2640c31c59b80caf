import { useEffect, useState } from "preact/hooks";
import { gql, live, newKey } from "./api";
import type { Session } from "./main";
import type { AuditEntry, Referral } from "./types";
import {
  AUDIT_LOG,
  CAPACITY_SEARCH,
  MATCHES,
  OFFER_PUBLISHED,
  REFERRAL,
  REFERRAL_RECEIVED,
  REFERRAL_UPDATED,
  REGIONS,
  SEND_REFERRAL,
  WORKLIST,
} from "../operations";
import { ErrorText, GuaranteeBadge, ScreenHeading, useQuery, describeError } from "./ui";
import { COVERAGE, date, dateTime, MATCH_TIER, REFERRAL_STATUS, SPECIALTY, VISIT_TYPE, sek } from "./sv";

interface Guarantee {
  status: string;
  deadline: string | null;
  daysLeft: number | null;
  limitDays: number | null;
  limitName: string | null;
  daysWaited: number | null;
}
interface Row {
  id: string;
  status: string;
  specialty: string;
  visitType: string;
  procedure: { code: string; name: string } | null;
  patient: { givenName: string; familyName: string } | null;
  guarantee: Guarantee | null;
  provider?: { name: string } | null;
  event?: { id: string; kind: string; occurredAt: string; actorRole: string; reason: string | null } | null;
}

const care = (r: { specialty: string; procedure: { code: string; name: string } | null }) =>
  `${SPECIALTY[r.specialty] ?? r.specialty}${r.procedure ? `, ${r.procedure.name} (${r.procedure.code})` : ""}`;
const patientName = (p: Row["patient"]) => (p ? `${p.givenName} ${p.familyName}` : "Uppgift ej tillgänglig");
const byDaysLeft = (a: Row, b: Row) => (a.guarantee?.daysLeft ?? 1e9) - (b.guarantee?.daysLeft ?? 1e9) || a.id.localeCompare(b.id);

const EVENT_TEXT: Record<string, string> = {
  SENT: "Remissen skickades",
  RECEIVED: "Vårdgivaren kvitterade remissen",
  ACCEPTED: "Vårdgivaren accepterade remissen",
  REJECTED: "Vårdgivaren avvisade remissen",
  HANDED_TO_OFFICE: "Klinik lämnade remiss till Vårdgarantiservice",
  GUARANTEE_AT_RISK: "Risk att vårdgarantin överskrids",
  GUARANTEE_BREACHED: "Vårdgarantin överskreds",
};
const eventText = (kind: string) => EVENT_TEXT[kind] ?? EVENT_TEXT[kind.replace(/^REFERRAL_/, "")] ?? kind;

/** The distribution of days left across the worklist, as bars with their numbers written out. */
function DaysLeftChart({ rows }: { rows: Row[] }) {
  const buckets = [
    { label: "Redan överskriden", test: (d: number) => d < 0 },
    { label: "0–3 dagar", test: (d: number) => d >= 0 && d <= 3 },
    { label: "4–7 dagar", test: (d: number) => d >= 4 && d <= 7 },
    { label: "8–14 dagar", test: (d: number) => d >= 8 && d <= 14 },
    { label: "Mer än 14 dagar", test: (d: number) => d > 14 },
  ].map((b) => ({ ...b, count: rows.filter((r) => r.guarantee?.daysLeft != null && b.test(r.guarantee.daysLeft)).length }));
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return (
    <figure class="chart">
      <figcaption>Dagar kvar till vårdgarantins sista dag</figcaption>
      <ul>
        {buckets.map((b) => (
          <li key={b.label}>
            <span class="chart-label">{b.label}</span>
            <span class="bar" style={{ width: `${(b.count / max) * 100}%` }} aria-hidden="true" />
            <span class="chart-count">
              {b.count} {b.count === 1 ? "remiss" : "remisser"}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function WorklistScreen({ session }: { session: Session }) {
  const region = session.claims.region as string;
  const { data, error } = useQuery<{ referralEventCursor: string; atRiskReferrals: { totalCount: number; edges: Array<{ node: Row }> } }>(
    WORKLIST,
    { region },
    [region],
  );
  const [rows, setRows] = useState<Row[] | null>(null);
  const [events, setEvents] = useState<Array<{ key: string; text: string }>>([]);

  useEffect(() => {
    if (!data) return;
    setRows(data.atRiskReferrals.edges.map((e) => e.node).sort(byDaysLeft));
    const note = (kind: string, r: Row) =>
      setEvents((list) =>
        [
          {
            key: r.event!.id,
            text: `${eventText(kind)}: ${patientName(r.patient)}, ${care(r)} – ${REFERRAL_STATUS[r.status] ?? r.status}`,
          },
          ...list,
        ].slice(0, 20),
      );
    // Both streams start where the worklist was read: nothing in between is missed.
    const stopUpdated = live<Row>(REFERRAL_UPDATED, { region }, data.referralEventCursor, "referralUpdated", (r) => {
      setRows((list) =>
        (list ?? [])
          .map((row) => (row.id === r.id ? { ...row, status: r.status, guarantee: r.guarantee ?? row.guarantee } : row))
          .sort(byDaysLeft),
      );
      if (r.event) note(r.event.kind, r);
    });
    const stopReceived = live<Row>(REFERRAL_RECEIVED, { region }, data.referralEventCursor, "referralReceived", (r) => {
      // A referral a clinic hands to the office is new work: it joins the list.
      if (r.status === "HANDED_TO_OFFICE")
        setRows((list) => (list?.some((x) => x.id === r.id) ? list : [...(list ?? []), r].sort(byDaysLeft)));
      if (r.event) note(`RECEIVED_${r.event.kind}`, r);
    });
    return () => {
      stopUpdated();
      stopReceived();
    };
  }, [data]);

  return (
    <>
      <ScreenHeading title="Arbetslista">Arbetslista: remisser som riskerar att överskrida vårdgarantin</ScreenHeading>
      <ErrorText error={error} />
      {rows === null ? (
        !error && <p>Laddar …</p>
      ) : (
        <>
          <p>{rows.length} väntande remisser, sorterade efter dagar kvar.</p>
          <table class="worklist">
            <caption class="visually-hidden">Väntande remisser</caption>
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">Vård</th>
                <th scope="col">Remissens status</th>
                <th scope="col">Vårdgaranti</th>
                <th scope="col">Dagar kvar</th>
                <th scope="col">Sista dag</th>
                <th scope="col">Gräns</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-referral={r.id}>
                  <td>
                    <a href={`#/remiss/${r.id}`}>{patientName(r.patient)}</a>
                  </td>
                  <td>{care(r)}</td>
                  <td class="status">{REFERRAL_STATUS[r.status] ?? r.status}</td>
                  <td>
                    <GuaranteeBadge status={r.guarantee?.status} />
                  </td>
                  <td class="num">{r.guarantee?.daysLeft ?? "–"}</td>
                  <td>{date(r.guarantee?.deadline)}</td>
                  <td>{r.guarantee?.limitDays != null ? `${r.guarantee.limitDays} dagar (${r.guarantee.limitName})` : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <DaysLeftChart rows={rows} />
        </>
      )}
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Händelser</h2>
        <ul class="events" aria-live="polite">
          {events.map((e) => (
            <li key={e.key}>{e.text}</li>
          ))}
        </ul>
        {events.length === 0 && <p>Inga nya händelser sedan sidan öppnades.</p>}
      </section>
    </>
  );
}

interface Match {
  rank: number;
  tier: string;
  startsByDeadline: boolean;
  marginDays: number | null;
  earliestStart: string;
  pricePerCaseSek: number | null;
  explanation: string;
  agreement: { id: string; name: string } | null;
  offer: {
    id: string;
    availableSlots: number;
    expectedWaitDays: number;
    provider: { name: string; region: { code: string; name: string } };
  };
}

export function ReferralScreen({ session, id }: { session: Session; id: string }) {
  const referral = useQuery<{ referral: Referral | null }>(REFERRAL, { id }, [id]);
  const matches = useQuery<{ referral: { matches: Match[] } | null }>(MATCHES, { id }, [id]);
  const [chosen, setChosen] = useState<Match | null>(null);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const region = session.claims.region as string;

  useEffect(() => {
    // Every step on this referral (the provider's answer too) shows without reloading.
    const stop = live<Row>(REFERRAL_UPDATED, { region }, null, "referralUpdated", (r) => {
      if (r.id === id) referral.reload();
    });
    return stop;
  }, [id]);

  const send = async () => {
    if (!chosen) return;
    setSending(true);
    setSendError(null);
    try {
      const result = await gql<{ sendReferral: Pick<Referral, "id" | "status" | "paymentCommitment"> }>(SEND_REFERRAL, {
        id,
        offer: chosen.offer.id,
        key: newKey(),
      });
      const c = result.sendReferral.paymentCommitment;
      setSent(
        `Remissen är skickad till ${chosen.offer.provider.name}${c ? ` med betalningsförbindelse (${c.agreementName}, ${sek(c.pricePerCaseSek)}, giltig till ${c.validUntil})` : ""}.`,
      );
      setChosen(null);
      referral.reload();
    } catch (error) {
      setSendError(error);
    } finally {
      setSending(false);
    }
  };

  const r = referral.data?.referral;
  if (referral.data && !r)
    return (
      <>
        <ScreenHeading title="Remiss">Remissen finns inte</ScreenHeading>
        <p>Remissen finns inte eller får inte visas för dig.</p>
      </>
    );
  const canSend = r?.availableActions.includes("SEND");
  return (
    <>
      <ScreenHeading title="Remiss">Remiss{r ? `: ${patientName(r.patient)}` : ""}</ScreenHeading>
      <p>
        <a href="#/">Tillbaka till arbetslistan</a>
      </p>
      <ErrorText error={referral.error} />
      {r && (
        <div class="columns">
          <section aria-labelledby="patient-heading">
            <h2 id="patient-heading">Patient och vård</h2>
            <dl>
              <dt>Patient</dt>
              <dd>
                {patientName(r.patient)}
                {r.patient && `, född ${r.patient.birthDate}`}
              </dd>
              <dt>Vård</dt>
              <dd>{care(r)}</dd>
              <dt>Besökstyp</dt>
              <dd>{VISIT_TYPE[r.visitType] ?? r.visitType}</dd>
              <dt>Beslutsdatum</dt>
              <dd>{r.decisionDate}</dd>
              <dt>Status</dt>
              <dd class="referral-status" data-status={r.status}>
                {REFERRAL_STATUS[r.status] ?? r.status}
              </dd>
              {r.provider && (
                <>
                  <dt>Vårdgivare</dt>
                  <dd>{r.provider.name}</dd>
                </>
              )}
              {r.paymentCommitment && (
                <>
                  <dt>Betalningsförbindelse</dt>
                  <dd>
                    {r.paymentCommitment.agreementName}, {sek(r.paymentCommitment.pricePerCaseSek)}, giltig till{" "}
                    {r.paymentCommitment.validUntil}
                  </dd>
                </>
              )}
            </dl>
            {r.patient && (
              <p>
                <a href={`#/logg/${r.patient.id}`}>Loggutdrag för patienten</a>
              </p>
            )}
          </section>
          <section aria-labelledby="clock-heading">
            <h2 id="clock-heading">Vårdgaranti</h2>
            <p>
              <GuaranteeBadge status={r.guarantee?.status} />
            </p>
            <dl>
              <dt>Sista dag</dt>
              <dd>{date(r.guarantee?.deadline)}</dd>
              <dt>Dagar kvar</dt>
              <dd>{r.guarantee?.daysLeft ?? "–"}</dd>
              <dt>Gräns</dt>
              <dd>{r.guarantee?.limitDays != null ? `${r.guarantee.limitDays} dagar (${r.guarantee.limitName})` : "–"}</dd>
              <dt>Start</dt>
              <dd>{date(r.guarantee?.startDate)}</dd>
              <dt>Pausade dagar</dt>
              <dd>{r.guarantee?.pausedDays ?? 0}</dd>
            </dl>
          </section>
        </div>
      )}
      {r && (
        <section aria-labelledby="history-heading">
          <h2 id="history-heading">Historik</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Datum</th>
                <th scope="col">Steg</th>
                <th scope="col">Av</th>
                <th scope="col">Orsak</th>
              </tr>
            </thead>
            <tbody>
              {r.history.map((h) => (
                <tr key={h.id}>
                  <td>{h.happenedOn}</td>
                  <td>{REFERRAL_STATUS[h.toStatus] ?? h.toStatus}</td>
                  <td>{h.actorRole}</td>
                  <td>{h.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {sent && (
        <p role="status" class="notice">
          {sent}
        </p>
      )}
      {canSend && (
        <section aria-labelledby="matches-heading">
          <h2 id="matches-heading">Ledig kapacitet för remissen, i sökordning</h2>
          <ErrorText error={matches.error} />
          {matches.data?.referral?.matches.length === 0 && <p>Ingen ledig kapacitet matchar.</p>}
          {matches.data?.referral && matches.data.referral.matches.length > 0 && (
            <table class="matches">
              <thead>
                <tr>
                  <th scope="col">Rang</th>
                  <th scope="col">Vårdgivare</th>
                  <th scope="col">Nivå</th>
                  <th scope="col">Tidigast start</th>
                  <th scope="col">Före sista dag</th>
                  <th scope="col">Pris</th>
                  <th scope="col">Avtal</th>
                  <th scope="col">Skäl</th>
                  <th scope="col">
                    <span class="visually-hidden">Val</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {matches.data.referral.matches.map((m) => (
                  <tr key={m.offer.id} data-offer={m.offer.id}>
                    <td class="num">{m.rank}</td>
                    <td>
                      {m.offer.provider.name} ({m.offer.provider.region.name})
                    </td>
                    <td>{MATCH_TIER[m.tier] ?? m.tier}</td>
                    <td>{m.earliestStart}</td>
                    <td>{m.startsByDeadline ? `Ja, ${m.marginDays} dagars marginal` : "Nej"}</td>
                    <td class="num">{sek(m.pricePerCaseSek)}</td>
                    <td>{m.agreement?.name ?? "–"}</td>
                    <td class="explanation">{m.explanation}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() => {
                          setChosen(m);
                          setSendError(null);
                        }}
                        aria-label={`Välj ${m.offer.provider.name}, rang ${m.rank}`}
                      >
                        Välj
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {chosen && (
        <section class="confirm" aria-labelledby="confirm-heading">
          <h2 id="confirm-heading" tabIndex={-1} ref={(el) => el?.focus()}>
            Bekräfta: skicka remissen med betalningsförbindelse
          </h2>
          <p>
            Remissen skickas till <strong>{chosen.offer.provider.name}</strong> med start tidigast {chosen.earliestStart}
            {chosen.agreement ? (
              <>
                {" "}
                enligt <strong>{chosen.agreement.name}</strong>
              </>
            ) : null}
            , pris {sek(chosen.pricePerCaseSek)}. En plats hålls och regionen förbinder sig att betala.
          </p>
          <ErrorText error={sendError} />
          <p class="buttons">
            <button type="button" class="primary" disabled={sending} onClick={send}>
              Bekräfta och skicka
            </button>
            <button type="button" onClick={() => setChosen(null)}>
              Avbryt
            </button>
          </p>
        </section>
      )}
    </>
  );
}

/** Tile positions of the 21 regions (column, row): a cartogram keeping Sweden's shape roughly. */
const TILES: Record<string, [number, number]> = {
  "25": [3, 1],
  "24": [2, 2],
  "23": [1, 3],
  "22": [2, 3],
  "20": [1, 4],
  "21": [2, 4],
  "17": [1, 5],
  "19": [2, 5],
  "03": [3, 5],
  "14": [1, 6],
  "18": [2, 6],
  "04": [3, 6],
  "01": [4, 6],
  "13": [1, 7],
  "06": [2, 7],
  "05": [3, 7],
  "09": [4, 7],
  "07": [2, 8],
  "08": [3, 8],
  "12": [1, 9],
  "10": [2, 9],
};

interface Offer {
  id: string;
  availableSlots: number;
  expectedWaitDays: number;
  earliestStart: string;
  validUntil: string;
  specialty: string;
  conditions: string | null;
  procedure: { code: string; name: string } | null;
  careUnit: { name: string };
  provider: { id: string; name: string; region: { code: string; name: string } };
  coverage?: { status: string; agreement: { name: string } | null; pricePerCaseSek: number | null } | null;
  event?: { id: string } | null;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** Free capacity and expected wait per region on a cartogram of the 21 regions; every tile says its numbers in words. */
function RegionMap({ offers, regions }: { offers: Offer[]; regions: Array<{ code: string; name: string }> }) {
  const stats = new Map<string, { slots: number; waits: number[] }>();
  for (const o of offers) {
    const s = stats.get(o.provider.region.code) ?? { slots: 0, waits: [] };
    s.slots += o.availableSlots;
    s.waits.push(o.expectedWaitDays);
    stats.set(o.provider.region.code, s);
  }
  const max = Math.max(1, ...[...stats.values()].map((s) => s.slots));
  return (
    <figure class="map">
      <figcaption>Ledig kapacitet och förväntad väntetid per region (karta över Sveriges 21 regioner)</figcaption>
      <ul>
        {regions.map((r) => {
          const s = stats.get(r.code);
          const [col, row] = TILES[r.code] ?? [5, 1];
          const level = s ? Math.ceil((s.slots / max) * 3) : 0;
          return (
            <li key={r.code} class={`tile level-${level}`} style={{ gridColumn: col, gridRow: row }}>
              <span class="tile-name">{r.name.replace(/^Region /, "").replace("Västra Götalandsregionen", "Västra Götaland")}</span>
              <span class="tile-slots">{s ? `${s.slots} platser` : "Inga platser"}</span>
              {s && <span class="tile-wait">väntan {median(s.waits)} d</span>}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}

export function CapacityScreen({ session }: { session: Session }) {
  const home = (session.claims.region as string | undefined) ?? "13";
  const [form, setForm] = useState({ specialty: "", procedureCode: "", regionCode: "", startsOnOrBefore: "" });
  const [filter, setFilter] = useState<Record<string, unknown>>({});
  const regions = useQuery<{ regions: Array<{ code: string; name: string }> }>(REGIONS, {}, []);
  const search = useQuery<{ offerEventCursor: string; freeCapacity: { totalCount: number; edges: Array<{ node: Offer }> } }>(
    CAPACITY_SEARCH,
    { filter, home },
    [JSON.stringify(filter)],
  );
  const [offers, setOffers] = useState<Offer[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());

  useEffect(() => {
    if (!search.data) return;
    setOffers(search.data.freeCapacity.edges.map((e) => e.node));
    setFresh(new Set());
    // New offers matching the search appear as they are published, from where the search was read.
    return live<Offer>(OFFER_PUBLISHED, { filter, home }, search.data.offerEventCursor, "offerPublished", (o) => {
      setOffers((list) => (list.some((x) => x.id === o.id) ? list : [o, ...list]));
      setFresh((s) => new Set(s).add(o.id));
    });
  }, [search.data]);

  const submit = (e: Event) => {
    e.preventDefault();
    const f: Record<string, unknown> = {};
    if (form.specialty) f.specialty = form.specialty;
    if (form.procedureCode.trim()) f.procedureCode = form.procedureCode.trim().toUpperCase();
    if (form.regionCode) f.regionCodes = [form.regionCode];
    if (form.startsOnOrBefore) f.startsOnOrBefore = form.startsOnOrBefore;
    setFilter(f);
  };
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value }),
  });

  return (
    <>
      <ScreenHeading title="Ledig kapacitet">Ledig kapacitet</ScreenHeading>
      <form class="filters" onSubmit={submit} aria-label="Sök ledig kapacitet">
        <label>
          Specialitet
          <select {...field("specialty")}>
            <option value="">Alla</option>
            {Object.entries(SPECIALTY).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          KVÅ-kod <input {...field("procedureCode")} placeholder="t.ex. NFB49" />
        </label>
        <label>
          Region
          <select {...field("regionCode")}>
            <option value="">Alla</option>
            {regions.data?.regions.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Vården ska börja senast <input type="date" {...field("startsOnOrBefore")} />
        </label>
        <button type="submit">Sök</button>
      </form>
      <ErrorText error={search.error} />
      {search.data && (
        <p role="status">
          {offers.length} erbjudanden (av {search.data.freeCapacity.totalCount} som matchar).
        </p>
      )}
      {regions.data && <RegionMap offers={offers} regions={regions.data.regions} />}
      <table class="offers">
        <caption class="visually-hidden">Erbjudanden</caption>
        <thead>
          <tr>
            <th scope="col">Vårdgivare</th>
            <th scope="col">Region</th>
            <th scope="col">Vård</th>
            <th scope="col">Platser</th>
            <th scope="col">Tidigast start</th>
            <th scope="col">Väntetid</th>
            <th scope="col">Täckning för regionens patienter</th>
          </tr>
        </thead>
        <tbody>
          {offers.map((o) => (
            <tr key={o.id} data-offer={o.id} class={fresh.has(o.id) ? "fresh" : undefined}>
              <td>
                {fresh.has(o.id) && <strong class="new-tag">Ny </strong>}
                {o.provider.name}, {o.careUnit.name}
              </td>
              <td>{o.provider.region.name}</td>
              <td>{care({ specialty: o.specialty, procedure: o.procedure })}</td>
              <td class="num">{o.availableSlots}</td>
              <td>{o.earliestStart}</td>
              <td class="num">{o.expectedWaitDays} d</td>
              <td>
                {o.coverage
                  ? `${COVERAGE[o.coverage.status] ?? o.coverage.status}${o.coverage.agreement ? `: ${o.coverage.agreement.name}` : ""}${o.coverage.pricePerCaseSek ? `, ${sek(o.coverage.pricePerCaseSek)}` : ""}`
                  : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function AuditScreen({ patientId }: { session: Session; patientId?: string }) {
  const [input, setInput] = useState(patientId ?? "");
  const log = useQuery<{ auditLog: AuditEntry[] | null }>(AUDIT_LOG, patientId ? { patient: patientId } : null, [patientId]);
  return (
    <>
      <ScreenHeading title="Loggutdrag">Loggutdrag: vem har läst patientens uppgifter</ScreenHeading>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = `#/logg/${input.trim()}`;
        }}
      >
        <label>
          Patientens id i hubben <input value={input} onInput={(e) => setInput((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Visa logg</button>
      </form>
      <ErrorText error={log.error} />
      {log.data && !log.data.auditLog && <p>Patienten finns inte eller hör inte till din region.</p>}
      {log.data?.auditLog && (
        <table>
          <caption>De senaste 30 dagarna</caption>
          <thead>
            <tr>
              <th scope="col">Tid</th>
              <th scope="col">Åtgärd</th>
              <th scope="col">Uppgift</th>
              <th scope="col">Användare</th>
              <th scope="col">Roll</th>
              <th scope="col">Utfall</th>
              <th scope="col">Grund</th>
            </tr>
          </thead>
          <tbody>
            {log.data.auditLog.map((a) => (
              <tr key={a.id}>
                <td>{dateTime(a.occurredAt)}</td>
                <td>{a.action}</td>
                <td>{a.recordKind}</td>
                <td>{a.subject}</td>
                <td>{a.role}</td>
                <td>{a.outcome}</td>
                <td>{a.basis}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export { describeError };
