import { useState } from "preact/hooks";
import { gql, newKey } from "./api";
import type { Session } from "./main";
import type { Referral } from "./types";
import { CLINIC_REFERRALS, HAND_TO_OFFICE, REGISTER_REFERRAL } from "../operations";
import { ErrorText, GuaranteeBadge, ScreenHeading, useQuery } from "./ui";
import { REFERRAL_STATUS, SPECIALTY, VISIT_TYPE } from "./sv";

/** A clinic's referrals, and handing one to the care-guarantee office when the clinic cannot treat in time. */
export function ClinicScreen(_: { session: Session }) {
  const q = useQuery<{ referrals: { edges: Array<{ node: Referral }> } }>(CLINIC_REFERRALS, {}, []);
  const [handing, setHanding] = useState<string | null>(null);
  const [reason, setReason] = useState("Kan inte ge vård inom vårdgarantin");
  const [error, setError] = useState<unknown>(null);
  const hand = async (e: Event) => {
    e.preventDefault();
    try {
      await gql(HAND_TO_OFFICE, { id: handing, reason });
      setHanding(null);
      q.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rows = q.data?.referrals.edges.map((e) => e.node) ?? [];
  // The clinic's patients are those of its referrals (the API has no patient search).
  const patients = [...new Map(rows.flatMap((r) => (r.patient ? [[r.patient.id, r.patient] as const] : []))).values()];
  const [form, setForm] = useState({
    patientId: "",
    specialty: "ORTHOPAEDICS",
    procedureCode: "",
    visitType: "TREATMENT",
    decisionDate: new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Stockholm" }),
  });
  const [registered, setRegistered] = useState<string | null>(null);
  const register = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const input: Record<string, unknown> = {
        patientId: form.patientId || patients[0]?.id,
        specialty: form.specialty,
        visitType: form.visitType,
        decisionDate: form.decisionDate,
      };
      if (form.procedureCode.trim()) input.procedureCode = form.procedureCode.trim().toUpperCase();
      await gql(REGISTER_REFERRAL, { input, key: newKey() });
      setRegistered("Remissen är registrerad.");
      q.reload();
    } catch (err) {
      setError(err);
    }
  };
  const set = (name: keyof typeof form) => (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
  return (
    <>
      <ScreenHeading title="Remisser">Klinikens remisser</ScreenHeading>
      <ErrorText error={q.error ?? error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            <th scope="col">Vård</th>
            <th scope="col">Status</th>
            <th scope="col">Vårdgaranti</th>
            <th scope="col">Åtgärd</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-referral={r.id}>
              <td>{r.patient ? `${r.patient.givenName} ${r.patient.familyName}` : "Uppgift ej tillgänglig"}</td>
              <td>
                {SPECIALTY[r.specialty] ?? r.specialty}
                {r.procedure ? `, ${r.procedure.name}` : ""}
              </td>
              <td class="status">{REFERRAL_STATUS[r.status] ?? r.status}</td>
              <td>
                <GuaranteeBadge status={r.guarantee?.status} /> {r.guarantee?.daysLeft != null ? `${r.guarantee.daysLeft} dagar kvar` : ""}
              </td>
              <td>
                {r.availableActions.includes("HAND_TO_OFFICE") && (
                  <button type="button" onClick={() => setHanding(r.id)}>
                    Lämna till Vårdgarantiservice
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section aria-labelledby="register-heading">
        <h2 id="register-heading">Registrera remiss</h2>
        <form onSubmit={register} class="filters">
          <label>
            Patient
            <select value={form.patientId} onInput={set("patientId")}>
              {patients.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.givenName} {p.familyName}
                </option>
              ))}
            </select>
          </label>
          <label>
            Specialitet
            <select value={form.specialty} onInput={set("specialty")}>
              {Object.entries(SPECIALTY).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            KVÅ-kod <input value={form.procedureCode} onInput={set("procedureCode")} />
          </label>
          <label>
            Besökstyp
            <select value={form.visitType} onInput={set("visitType")}>
              {Object.entries(VISIT_TYPE).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            Beslutsdatum <input type="date" value={form.decisionDate} onInput={set("decisionDate")} />
          </label>
          <button type="submit">Registrera</button>
        </form>
        {registered && (
          <p role="status" class="notice">
            {registered}
          </p>
        )}
      </section>
      {handing && (
        <form onSubmit={hand} aria-label="Lämna remissen till Vårdgarantiservice">
          <label>
            Skäl <input value={reason} required onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Lämna över</button>
          <button type="button" onClick={() => setHanding(null)}>
            Avbryt
          </button>
        </form>
      )}
    </>
  );
}
