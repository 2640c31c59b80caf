import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Claims, claimsOf, liveState, onLiveState, setToken } from "./api";
import { AppConfig, devSignIn, finishOidcSignIn, startOidcSignIn } from "./auth";
import { ROLE } from "./sv";
import { AuditScreen, CapacityScreen, ReferralScreen, WorklistScreen } from "./office";
import { ProviderOffersScreen, ProviderReferralsScreen } from "./provider";
import { ClinicScreen } from "./clinic";
import "./app.css";

export interface Session {
  token: string;
  claims: Claims;
}

interface Route {
  path: RegExp;
  label?: string;
  href?: string;
  render: (session: Session, match: RegExpMatchArray) => preact.JSX.Element;
}

/** Each role's screens; a screen that is not in the role's list does not exist for it. */
const ROUTES: Record<string, Route[]> = {
  REGIONAL_OFFICE: [
    { path: /^\/$/, label: "Arbetslista", href: "#/", render: (s) => <WorklistScreen session={s} /> },
    { path: /^\/kapacitet$/, label: "Ledig kapacitet", href: "#/kapacitet", render: (s) => <CapacityScreen session={s} /> },
    {
      path: /^\/logg(?:\/([\w-]+))?$/,
      label: "Loggutdrag",
      href: "#/logg",
      render: (s, m) => <AuditScreen session={s} patientId={m[1]} />,
    },
    { path: /^\/remiss\/([\w-]+)$/, render: (s, m) => <ReferralScreen session={s} id={m[1]} /> },
  ],
  PROVIDER: [
    { path: /^\/$/, label: "Remisser", href: "#/", render: (s) => <ProviderReferralsScreen session={s} /> },
    { path: /^\/erbjudanden$/, label: "Ledig kapacitet", href: "#/erbjudanden", render: (s) => <ProviderOffersScreen session={s} /> },
  ],
  CLINIC: [{ path: /^\/$/, label: "Remisser", href: "#/", render: (s) => <ClinicScreen session={s} /> }],
  ADMINISTRATOR: [{ path: /^\/$/, label: "Ledig kapacitet", href: "#/", render: (s) => <CapacityScreen session={s} /> }],
};

function useHashPath(): string {
  const read = () => location.hash.replace(/^#/, "") || "/";
  const [path, setPath] = useState(read());
  useEffect(() => {
    const listener = () => setPath(read());
    addEventListener("hashchange", listener);
    return () => removeEventListener("hashchange", listener);
  }, []);
  return path;
}

function LiveIndicator() {
  const [state, setState] = useState(liveState);
  useEffect(() => onLiveState(setState), []);
  const text = state === "connected" ? "Live: ansluten" : state === "reconnecting" ? "Live: återansluter …" : "Live: ansluter …";
  return (
    <p class={`live live-${state}`} data-live-state={state}>
      <span aria-hidden="true">{state === "connected" ? "●" : "○"}</span> {text}
    </p>
  );
}

function SignIn({ config, onToken, notice }: { config: AppConfig; onToken: (token: string) => void; notice: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = "Logga in – Vårdförmedling";
    heading.current?.focus();
  }, []);
  return (
    <main id="innehall" class="signin">
      <h1 tabIndex={-1} ref={heading}>
        Logga in i Vårdförmedling
      </h1>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {config.identityProviders.map((idp) => (
        <p key={idp.issuer}>
          <button type="button" onClick={() => startOidcSignIn(idp).catch((e: Error) => setError(e.message))}>
            Logga in med {idp.name}
          </button>
        </p>
      ))}
      {config.devSignIn && (
        <section aria-labelledby="dev-heading">
          <h2 id="dev-heading">Utvecklingsinloggning</h2>
          <p>Endast i utvecklingsläge: välj en roll med demoanvändarens behörigheter (syntetiska data).</p>
          <ul class="roles">
            {config.roles.map((role) => (
              <li key={role}>
                <button type="button" onClick={() => devSignIn(role).then(onToken, (e: Error) => setError(e.message))}>
                  {ROLE[role] ?? role}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!config.devSignIn && config.identityProviders.length === 0 && <p>Ingen inloggning är konfigurerad för den här noden.</p>}
    </main>
  );
}

function organisationOf(claims: Claims): string {
  if (claims.region) return `region ${claims.region}`;
  if (claims.provider) return "vårdgivare";
  return "";
}

function App() {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const expiry = useRef<number>();
  const path = useHashPath();

  const signOut = (why: string | null) => {
    clearTimeout(expiry.current);
    setToken(null);
    setSession(null);
    setNotice(why);
    if (location.hash) history.replaceState(null, "", "/");
  };

  const signIn = (token: string) => {
    const claims = claimsOf(token);
    setToken(token, () => signOut("Du har loggats ut: hubben godtog inte längre inloggningen."));
    // Signed out when the token expires, not at the next failed request.
    const ms = claims.exp * 1000 - Date.now();
    expiry.current = window.setTimeout(
      () => signOut("Du har loggats ut eftersom inloggningen gick ut."),
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
    setNotice(null);
    setSession({ token, claims });
  };

  useEffect(() => {
    fetch("/app-config.json")
      .then((r) => r.json() as Promise<AppConfig>)
      .then(async (c) => {
        setConfig(c);
        try {
          const token = await finishOidcSignIn(c);
          if (token) signIn(token);
        } catch (error) {
          setNotice((error as Error).message);
        }
      });
  }, []);

  if (!config)
    return (
      <main id="innehall">
        <p>Laddar …</p>
      </main>
    );
  if (!session) return <SignIn config={config} onToken={signIn} notice={notice} />;

  const routes = ROUTES[session.claims.role] ?? [];
  let body: preact.JSX.Element | null = null;
  for (const route of routes) {
    const match = path.match(route.path);
    if (match) {
      body = route.render(session, match);
      break;
    }
  }
  return (
    <>
      {/* A button, not a link: the hash holds the route, so "#innehall" would navigate away. */}
      <button type="button" class="skip" onClick={() => document.getElementById("innehall")?.focus()}>
        Hoppa till innehållet
      </button>
      <header class="top">
        <p class="brand">Vårdförmedling</p>
        <nav aria-label="Huvudmeny">
          <ul>
            {routes
              .filter((r) => r.label)
              .map((r) => (
                <li key={r.href}>
                  <a href={r.href} aria-current={r.path.test(path) ? "page" : undefined}>
                    {r.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <p class="who">
          {ROLE[session.claims.role] ?? session.claims.role} {organisationOf(session.claims)}
        </p>
        {session.claims.role !== "CLINIC" && <LiveIndicator />}
        <button type="button" onClick={() => signOut("Du har loggat ut.")}>
          Logga ut
        </button>
      </header>
      <main id="innehall" tabIndex={-1}>
        {body ?? (
          <>
            <h1>Sidan finns inte</h1>
            <p>
              Den här sidan ingår inte i din roll. <a href="#/">Till startsidan</a>
            </p>
          </>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
