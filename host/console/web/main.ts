// The console's single page: session check, login/setup, then Status, Certificates and Account
// (hash routes), with live status over server-sent events (/api/events).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, setCsrfToken, setLoggedOutHandler, type HistoryPoint, type SessionInfo, type StatusSnapshot } from "./api.js";
import { CertsPage } from "./certs-page.js";
import { html } from "./html.js";
import { AccountPage, LoginPage } from "./login-page.js";
import { StatusPage } from "./status-page.js";

const HISTORY_POINTS = 300;

function route(): string {
  const r = location.hash.replace(/^#\/?/, "");
  return ["status", "certificates", "account"].includes(r) ? r : "status";
}

function useLiveStatus(enabled: boolean, onLogout: () => void) {
  const [status, setStatus] = useState<StatusSnapshot | null>(null);
  const [history, setHistory] = useState<HistoryPoint[]>([]);
  const [live, setLive] = useState(false);
  const [certsVersion, setCertsVersion] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const es = new EventSource("/api/events");
    es.addEventListener("open", () => setLive(true));
    es.addEventListener("error", () => {
      setLive(false);
      // A closed stream may mean the session ended: ask, and show the login when it did.
      api.session().then(
        (s) => {
          if (!s.authenticated) {
            es.close();
            onLogout();
          }
        },
        () => undefined,
      );
    });
    es.addEventListener("status", (e) => setStatus(JSON.parse((e as MessageEvent<string>).data) as StatusSnapshot));
    es.addEventListener("history", (e) => setHistory((JSON.parse((e as MessageEvent<string>).data) as { points: HistoryPoint[] }).points));
    es.addEventListener("point", (e) => {
      const p = JSON.parse((e as MessageEvent<string>).data) as HistoryPoint;
      setHistory((h) => [...h.slice(-(HISTORY_POINTS - 1)), p]);
    });
    es.addEventListener("certs", () => setCertsVersion((v) => v + 1));
    es.addEventListener("logout", () => {
      es.close();
      onLogout();
    });
    return () => es.close();
  }, [enabled]);
  return { status, history, live, certsVersion };
}

function App() {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [page, setPage] = useState(route());
  const refresh = () =>
    api.session().then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void refresh();
    setLoggedOutHandler(() => void refresh());
    const onHash = () => setPage(route());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const authed = !!session?.authenticated;
  const { status, history, live, certsVersion } = useLiveStatus(authed, () => void refresh());

  if (error) return html`<div class="login panel"><div class="alert error">${error}</div></div>`;
  if (!session) return null;
  if (!authed) {
    return html`<${LoginPage}
      passwordSet=${session.passwordSet}
      onLoggedIn=${(csrf: string) => {
        setCsrfToken(csrf);
        void refresh();
      }}
    />`;
  }
  const logout = async () => {
    try {
      const r = await api.logout();
      setCsrfToken(r.csrfToken);
    } finally {
      void refresh();
    }
  };
  const tab = (id: string, label: string) => html`<a href=${`#/${id}`} class=${page === id ? "active" : ""} data-test=${`nav-${id}`}>${label}</a>`;
  return html`
    <div>
      <header class="top">
        <div class="brand">Gateway console<small data-test="gateway-name">${session.gateway?.name ?? ""}</small></div>
        <nav>${tab("status", "Status")}${session.certificates ? tab("certificates", "Certificates") : null}${tab("account", "Account")}</nav>
        <button onClick=${logout} data-test="logout">Log out</button>
      </header>
      ${page === "certificates" && session.certificates
        ? html`<${CertsPage} version=${certsVersion} />`
        : page === "account"
          ? html`<${AccountPage} />`
          : html`<${StatusPage} status=${status} history=${history} live=${live} />`}
    </div>
  `;
}

const root = document.getElementById("app");
if (root) {
  root.textContent = "";
  render(html`<${App} />`, root);
}
