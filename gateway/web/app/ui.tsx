import { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { gql, HubError } from "./api";
import { GUARANTEE_STATUS } from "./sv";

/** A screen's heading: names the page in the title and takes focus, so a screen reader hears the new page. */
export function ScreenHeading({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} – Vårdförmedling`;
    ref.current?.focus();
  }, [title]);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

export function GuaranteeBadge({ status }: { status: string | undefined }) {
  const s = GUARANTEE_STATUS[status ?? ""] ?? { text: status ?? "–", symbol: "?", tone: "neutral" };
  return (
    <span class={`badge tone-${s.tone}`}>
      <span aria-hidden="true" class="symbol">
        {s.symbol}
      </span>{" "}
      {s.text}
    </span>
  );
}

/** The hub's refusal in words: its message, and the field and rule when it names them. */
export function describeError(error: unknown): string {
  if (error instanceof HubError) {
    const e = error.errors[0];
    const code = e?.extensions?.code;
    const prefix =
      code === "CONFLICT"
        ? "Det gick inte: "
        : code === "FORBIDDEN"
          ? "Inte tillåtet: "
          : code === "BAD_USER_INPUT"
            ? "Felaktig uppgift: "
            : "Hubben svarade: ";
    return prefix + error.errors.map((x) => x.message).join(" ");
  }
  return `Något gick fel: ${(error as Error).message}`;
}

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" class="error">
      {describeError(error)}
    </p>
  );
}

/** Runs a query and reruns it when `deps` change; `reload` asks again. */
export function useQuery<T>(query: string, variables: Record<string, unknown> | null, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!variables) return;
    let current = true;
    gql<T>(query, variables).then(
      (d) => {
        if (!current) return;
        setData(d);
        setError(null);
      },
      (e) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [...deps, version]);
  return { data, error, reload: () => setVersion((v) => v + 1), setData };
}
