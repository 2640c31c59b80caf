import { useEffect, useState } from "preact/hooks";
import { gql, HubError, live, newKey } from "./api";
import type { Session } from "./main";
import type { Offer, Referral } from "./types";
import {
  ACCEPT,
  BOOK,
  OFFER_CARE,
  PROVIDER_HOME,
  PROVIDER_REFERRAL_UPDATED,
  PROVIDER_REFERRALS,
  PUBLISH,
  RECEIVE,
  REJECT,
  UPDATE_OFFER,
  WITHDRAW,
} from "../operations";
import { ErrorText, GuaranteeBadge, ScreenHeading, useQuery } from "./ui";
import { ACTION, FIELD, REFERRAL_STATUS, SPECIALTY } from "./sv";

const today = () => new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Stockholm" });

/** The steps the provider may take now (`availableActions`), each a button; reasons and dates asked in place. */
function ReferralActions({ referral, onDone }: { referral: Referral; onDone: () => void }) {
  const [pending, setPending] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const run = async (action: string, value?: string) => {
    setError(null);
    try {
      if (action === "RECEIVE") await gql(RECEIVE, { id: referral.id });
      if (action === "ACCEPT") await gql(ACCEPT, { id: referral.id });
      if (action === "REJECT") await gql(REJECT, { id: referral.id, reason: value });
      if (action === "OFFER_TO_PATIENT") await gql(OFFER_CARE, { id: referral.id, date: value });
      if (action === "BOOK") await gql(BOOK, { id: referral.id, date: value });
      setPending(null);
      setText("");
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const needsInput = (a: string) => a === "REJECT" || a === "OFFER_TO_PATIENT" || a === "BOOK";
  const shown = referral.availableActions.filter((a: string) => ACTION[a] && a !== "CANCEL");
  const who = referral.patient ? `${referral.patient.givenName} ${referral.patient.familyName}` : "remissen";
  return (
    <div class="actions">
      {shown.map((a: string) => (
        <button
          key={a}
          type="button"
          onClick={() => {
            if (!needsInput(a)) {
              run(a);
              return;
            }
            setPending(a);
            setText(a === "REJECT" ? "" : today());
          }}
          aria-label={`${ACTION[a]}: ${who}`}
        >
          {ACTION[a]}
        </button>
      ))}
      {shown.length === 0 && <span>Inga steg för dig just nu</span>}
      {pending && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            run(pending, text);
          }}
        >
          <label>
            {pending === "REJECT" ? "Skäl till avvisning" : "Datum för vården"}
            <input
              type={pending === "REJECT" ? "text" : "date"}
              value={text}
              required
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">{ACTION[pending]}</button>
          <button type="button" onClick={() => setPending(null)}>
            Avbryt
          </button>
        </form>
      )}
      <ErrorText error={error} />
    </div>
  );
}

export function ProviderReferralsScreen({ session }: { session: Session }) {
  const q = useQuery<{
    referralEventCursor: string;
    provider: { region: { code: string } } | null;
    referrals: { edges: Array<{ node: Referral }> };
  }>(PROVIDER_REFERRALS, { provider: session.claims.provider }, []);
  const [cursor, setCursor] = useState<{ region: string; after: string } | null>(null);
  useEffect(() => {
    if (q.data?.provider && !cursor) setCursor({ region: q.data.provider.region.code, after: q.data.referralEventCursor });
  }, [q.data]);
  useEffect(() => {
    if (!cursor) return;
    // A referral sent here, or any step on one, refreshes the list.
    return live(PROVIDER_REFERRAL_UPDATED, { region: cursor.region }, cursor.after, "referralUpdated", () => q.reload());
  }, [cursor]);
  const rows = q.data?.referrals.edges.map((e) => e.node) ?? [];
  return (
    <>
      <ScreenHeading title="Remisser">Remisser till er</ScreenHeading>
      <ErrorText error={q.error} />
      {q.data && rows.length === 0 && <p>Inga remisser har skickats till er.</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">Vård</th>
              <th scope="col">Status</th>
              <th scope="col">Vårdgaranti</th>
              <th scope="col">Åtgärder</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-referral={r.id}>
                <td>{r.patient ? `${r.patient.givenName} ${r.patient.familyName}` : "Uppgift ej tillgänglig"}</td>
                <td>
                  {SPECIALTY[r.specialty] ?? r.specialty}
                  {r.procedure ? `, ${r.procedure.name} (${r.procedure.code})` : ""}
                </td>
                <td class="status">{REFERRAL_STATUS[r.status] ?? r.status}</td>
                <td>
                  <GuaranteeBadge status={r.guarantee?.status} /> {r.guarantee?.deadline ? `sista dag ${r.guarantee.deadline}` : ""}
                </td>
                <td>
                  <ReferralActions referral={r} onDone={q.reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

type FieldErrors = Record<string, string>;

/** The hub's validation, per field of the form (`input.offers[0].validUntil` → validUntil). */
function fieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof HubError)) return {};
  const out: FieldErrors = {};
  for (const e of error.errors) {
    const problems = e.extensions?.problems ?? [{ field: e.extensions?.field, message: e.message }];
    for (const p of problems) {
      const name = p.field
        ?.split(".")
        .pop()
        ?.replace(/\[\d+\]$/, "");
      if (name && !out[name]) out[name] = p.message ?? e.message;
    }
  }
  return out;
}

/** Changing an open offer's slots, wait or last day; the hub's refusal shown next to the field. */
function EditOffer({ offer, onDone }: { offer: Offer; onDone: () => void }) {
  const [form, setForm] = useState({
    slots: String(offer.totalSlots),
    expectedWaitDays: String(offer.expectedWaitDays),
    validUntil: offer.validUntil,
  });
  const [error, setError] = useState<unknown>(null);
  const errors = fieldErrors(error);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await gql(UPDATE_OFFER, {
        id: offer.id,
        key: newKey(),
        input: { slots: Number(form.slots), expectedWaitDays: Number(form.expectedWaitDays), validUntil: form.validUntil },
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const field = (name: keyof typeof form, type: string) => {
    const id = `edit-${offer.id}-${name}`;
    return (
      <p class="field">
        <label for={id}>{FIELD[name]}</label>
        <input
          id={id}
          type={type}
          value={form[name]}
          aria-invalid={errors[name] ? "true" : undefined}
          aria-describedby={errors[name] ? `${id}-error` : undefined}
          onInput={(ev) => setForm({ ...form, [name]: (ev.target as HTMLInputElement).value })}
        />
        {errors[name] && (
          <span id={`${id}-error`} class="field-error">
            {errors[name]}
          </span>
        )}
      </p>
    );
  };
  return (
    <form class="inline" onSubmit={save} aria-label={`Ändra erbjudandet ${offer.careUnit.name}`}>
      {field("slots", "number")}
      {field("expectedWaitDays", "number")}
      {field("validUntil", "date")}
      <button type="submit">Spara</button>
      {error && Object.keys(errors).length === 0 ? <ErrorText error={error} /> : null}
    </form>
  );
}

export function ProviderOffersScreen({ session }: { session: Session }) {
  const home = useQuery<{
    provider: { name: string; careUnits: Array<{ id: string; name: string; specialty: string }> } | null;
    freeCapacity: { edges: Array<{ node: Offer }> };
  }>(PROVIDER_HOME, { provider: session.claims.provider }, []);
  const [form, setForm] = useState({
    careUnitId: "",
    procedureCode: "",
    slots: "1",
    validFrom: today(),
    validUntil: "",
    expectedWaitDays: "14",
    conditions: "",
  });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const errors = fieldErrors(error);
  const units = home.data?.provider?.careUnits ?? [];
  useEffect(() => {
    if (units.length && !form.careUnitId) setForm((f) => ({ ...f, careUnitId: units[0].id }));
  }, [units.length]);

  const publish = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      const offer: Record<string, unknown> = {
        careUnitId: form.careUnitId,
        slots: Number(form.slots),
        validFrom: form.validFrom,
        validUntil: form.validUntil,
        expectedWaitDays: Number(form.expectedWaitDays),
      };
      if (form.procedureCode.trim()) offer.procedureCode = form.procedureCode.trim().toUpperCase();
      if (form.conditions.trim()) offer.conditions = form.conditions.trim();
      await gql(PUBLISH, { input: { reportedBy: `Webbappen (${session.claims.sub})`, offers: [offer] }, key: newKey() });
      setDone("Erbjudandet är publicerat.");
      home.reload();
    } catch (err) {
      setError(err);
    }
  };
  const withdraw = async (id: string) => {
    try {
      await gql(WITHDRAW, { id, reason: "Återkallat i webbappen" });
      home.reload();
    } catch (err) {
      setError(err);
    }
  };
  const input = (name: keyof typeof form, props: Record<string, unknown> = {}) => {
    const id = `offer-${name}`;
    return (
      <p class="field">
        <label for={id}>{FIELD[name]}</label>
        <input
          id={id}
          {...props}
          value={form[name]}
          aria-invalid={errors[name] ? "true" : undefined}
          aria-describedby={errors[name] ? `${id}-error` : undefined}
          onInput={(e) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value })}
        />
        {errors[name] && (
          <span id={`${id}-error`} class="field-error">
            {errors[name]}
          </span>
        )}
      </p>
    );
  };
  const offers = home.data?.freeCapacity.edges.map((e) => e.node) ?? [];
  const general = error && Object.keys(errors).length === 0;
  return (
    <>
      <ScreenHeading title="Ledig kapacitet">Ledig kapacitet{home.data?.provider ? `: ${home.data.provider.name}` : ""}</ScreenHeading>
      <ErrorText error={home.error} />
      <section aria-labelledby="open-heading">
        <h2 id="open-heading">Öppna erbjudanden</h2>
        {offers.length === 0 && <p>Inga öppna erbjudanden.</p>}
        {offers.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Vårdenhet</th>
                <th scope="col">Vård</th>
                <th scope="col">Lediga platser</th>
                <th scope="col">Gäller</th>
                <th scope="col">Väntetid</th>
                <th scope="col">Villkor</th>
                <th scope="col">
                  <span class="visually-hidden">Åtgärd</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {offers.map((o) => (
                <tr key={o.id} data-offer={o.id}>
                  <td>{o.careUnit.name}</td>
                  <td>
                    {SPECIALTY[o.specialty] ?? o.specialty}
                    {o.procedure ? `, ${o.procedure.code}` : ""}
                  </td>
                  <td class="num">
                    {o.availableSlots} av {o.totalSlots}
                  </td>
                  <td>
                    {o.validFrom} – {o.validUntil}
                  </td>
                  <td class="num">{o.expectedWaitDays} d</td>
                  <td>{o.conditions ?? ""}</td>
                  <td class="actions">
                    <button
                      type="button"
                      onClick={() => setEditing(editing === o.id ? null : o.id)}
                      aria-expanded={editing === o.id}
                      aria-label={`Ändra erbjudandet ${o.careUnit.name} ${o.validFrom}`}
                    >
                      Ändra
                    </button>
                    <button
                      type="button"
                      onClick={() => withdraw(o.id)}
                      aria-label={`Återkalla erbjudandet ${o.careUnit.name} ${o.validFrom}`}
                    >
                      Återkalla
                    </button>
                    {editing === o.id && (
                      <EditOffer
                        offer={o}
                        onDone={() => {
                          setEditing(null);
                          home.reload();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="publish-heading">
        <h2 id="publish-heading">Publicera ledig kapacitet</h2>
        <form onSubmit={publish} noValidate>
          <p class="field">
            <label for="offer-careUnitId">{FIELD.careUnitId}</label>
            <select
              id="offer-careUnitId"
              value={form.careUnitId}
              onInput={(e) => setForm({ ...form, careUnitId: (e.target as HTMLSelectElement).value })}
            >
              {units.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({SPECIALTY[u.specialty] ?? u.specialty})
                </option>
              ))}
            </select>
          </p>
          {input("procedureCode", { placeholder: "t.ex. NFB49" })}
          {input("slots", { type: "number", min: 1 })}
          {input("validFrom", { type: "date" })}
          {input("validUntil", { type: "date" })}
          {input("expectedWaitDays", { type: "number", min: 0 })}
          {input("conditions")}
          {general ? <ErrorText error={error} /> : null}
          {!general && error ? (
            <p role="alert" class="error">
              Rätta de markerade fälten.
            </p>
          ) : null}
          {done && (
            <p role="status" class="notice">
              {done}
            </p>
          )}
          <button type="submit" class="primary">
            Publicera
          </button>
        </form>
      </section>
    </>
  );
}
