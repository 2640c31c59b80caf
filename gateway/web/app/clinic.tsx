import { useState } from "preact/hooks";
import { gql } from "./api";
import type { Session } from "./main";
import { CLINIC_REFERRALS, HAND_TO_OFFICE } from "../operations";
import { ErrorText, GuaranteeBadge, ScreenHeading, useQuery } from "./ui";
import { REFERRAL_STATUS, SPECIALTY } from "./sv";

/** A clinic's referrals, and handing one to the care-guarantee office when the clinic cannot treat in time. */
export function ClinicScreen(_: { session: Session }) {
  const q = useQuery<{ referrals: { edges: Array<{ node: any }> } }>(CLINIC_REFERRALS, {}, []);
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
  return (
    <>
      <ScreenHeading title="Remisser">Klinikens remisser</ScreenHeading>
      <ErrorText error={q.error ?? error} />
      <table>
        <thead><tr><th scope="col">Patient</th><th scope="col">Vård</th><th scope="col">Status</th><th scope="col">Vårdgaranti</th><th scope="col">Åtgärd</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{r.patient ? `${r.patient.givenName} ${r.patient.familyName}` : "Uppgift ej tillgänglig"}</td>
              <td>{SPECIALTY[r.specialty] ?? r.specialty}{r.procedure ? `, ${r.procedure.name}` : ""}</td>
              <td>{REFERRAL_STATUS[r.status] ?? r.status}</td>
              <td><GuaranteeBadge status={r.guarantee?.status} /> {r.guarantee?.daysLeft != null ? `${r.guarantee.daysLeft} dagar kvar` : ""}</td>
              <td>
                {r.availableActions.includes("HAND_TO_OFFICE") && (
                  <button type="button" onClick={() => setHanding(r.id)}>Lämna till Vårdgarantiservice</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {handing && (
        <form onSubmit={hand} aria-label="Lämna remissen till Vårdgarantiservice">
          <label>Skäl <input value={reason} required onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
          <button type="submit">Lämna över</button>
          <button type="button" onClick={() => setHanding(null)}>Avbryt</button>
        </form>
      )}
    </>
  );
}
