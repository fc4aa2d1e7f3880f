// Log in, or set the console password on first use; and the password change form.
import { useState } from "preact/hooks";
import { ApiError, api } from "./api.js";
import { html } from "./html.js";

function messageOf(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  return { code: "ERROR", message: e instanceof Error ? e.message : String(e) };
}

export function LoginPage({ passwordSet, onLoggedIn }: { passwordSet: boolean; onLoggedIn: (csrf: string) => void }) {
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!passwordSet && password !== confirm) {
      setError({ code: "MISMATCH", message: "the two passwords differ" });
      return;
    }
    setBusy(true);
    try {
      const r = passwordSet ? await api.login(password) : await api.setup(password);
      setPassword("");
      setConfirm("");
      onLoggedIn(r.csrfToken);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <div class="login panel" data-test=${passwordSet ? "login" : "setup"}>
      <h1>${passwordSet ? "Gateway console" : "Set the console password"}</h1>
      <p>${passwordSet ? "Log in to manage this gateway." : "First use: choose the password that protects this console (at least 10 characters). It is stored only as a PBKDF2-HMAC-SHA256 hash."}</p>
      <form onSubmit=${submit}>
        <div class="row">
          <label>Password<input type="password" name="password" autocomplete=${passwordSet ? "current-password" : "new-password"} required autofocus value=${password} onInput=${(e: Event) => setPassword((e.target as HTMLInputElement).value)} data-test="password" /></label>
        </div>
        ${passwordSet
          ? null
          : html`<div class="row"><label>Repeat the password<input type="password" name="confirm" autocomplete="new-password" required value=${confirm} onInput=${(e: Event) => setConfirm((e.target as HTMLInputElement).value)} data-test="password-confirm" /></label></div>`}
        <div class="actions"><button type="submit" disabled=${busy} data-test="login-submit">${busy ? "Checking…" : passwordSet ? "Log in" : "Set password and log in"}</button></div>
      </form>
      ${error ? html`<div class="alert error" role="alert" data-test="error"><code data-test="error-code">${error.code}</code><span data-test="error-message">${error.message}</span></div>` : null}
    </div>
  `;
}

export function AccountPage() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await api.changePassword(current, next);
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main>
      <h1>Account</h1>
      <div class="panel" style=${{ maxWidth: "520px" }}>
        <h2>Change the console password</h2>
        <form onSubmit=${submit}>
          <div class="row"><label>Current password<input type="password" autocomplete="current-password" required value=${current} onInput=${(e: Event) => setCurrent((e.target as HTMLInputElement).value)} /></label></div>
          <div class="row"><label>New password (at least 10 characters)<input type="password" autocomplete="new-password" required value=${next} onInput=${(e: Event) => setNext((e.target as HTMLInputElement).value)} /></label></div>
          <div class="actions"><button type="submit" disabled=${busy}>Change password</button></div>
        </form>
        ${error ? html`<div class="alert error" role="alert"><code>${error.code}</code>${error.message}</div>` : null}
        ${done ? html`<div class="alert success">Password changed; other sessions were logged out.</div>` : null}
      </div>
    </main>
  `;
}
