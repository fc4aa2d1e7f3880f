// Certificates: the gateway identity and its chain with expiry warnings, CSR creation and download,
// upload of the CA's answer (PEM, DER, PKCS#7, PKCS#12), and the trusted root store. Errors from the
// store are shown as the store words them, with their code.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, type CertSummary, type CertsOverview, type IdentityView, type ImportResult } from "./api.js";
import { daysText, expiryLevel, fmtDate, shortFingerprint } from "./format.js";
import { html } from "./html.js";

function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : "ERROR";
  const message = error instanceof Error ? error.message : String(error);
  return html`<div class="alert error" role="alert" data-test="error"><code data-test="error-code">${code}</code><span data-test="error-message">${message}</span></div>`;
}

function CertTable({ certs, testId }: { certs: CertSummary[]; testId?: string }) {
  return html`
    <table data-test=${testId}>
      <thead><tr><th>Subject</th><th>Issuer</th><th>Key</th><th>Valid until</th><th>Expires in</th><th>SHA-256</th></tr></thead>
      <tbody>
        ${certs.map(
          (c) => html`<tr key=${c.fingerprintSha256}>
            <td>${c.subject}</td>
            <td class="muted">${c.issuer}</td>
            <td>${c.key}</td>
            <td>${fmtDate(c.notAfter)}</td>
            <td><span class="badge ${expiryLevel(c.daysRemaining)}">${daysText(c.daysRemaining)}</span></td>
            <td class="mono" title=${c.fingerprintSha256}>${shortFingerprint(c.fingerprintSha256)}…</td>
          </tr>`,
        )}
      </tbody>
    </table>
  `;
}

function keyTypeLabel(k: string): string {
  if (/^rsa\d+$/.test(k)) return `RSA ${k.slice(3)}`;
  if (/^p\d+$/.test(k)) return `ECDSA P-${k.slice(1)}`;
  return k;
}

function IdentityPanel({ id }: { id: IdentityView }) {
  const stateBadge = id.state === "active" ? "ok" : id.state === "renewing" ? "info" : "warn";
  const c = id.certificate;
  // A pending identity is "unusable" only because its certificate has not come back yet: the
  // panel says so in words rather than in red.
  const check = c ? id.check : null;
  return html`
    <div class="panel" data-test="identity" data-identity=${id.name} data-state=${id.state}>
      <h2>Identity “${id.name}” <span class="badge ${stateBadge}" data-test="identity-state">${id.state}</span>
        ${id.trust ? html` <span class="badge ${id.trust === "trusted" ? "ok" : "warn"}" data-test="identity-trust">${id.trust}</span>` : null}
        ${check ? html` <span class="badge ${check.status === "ok" ? "ok" : check.status === "warning" ? "warn" : "bad"}" data-test="identity-check">${check.status === "ok" ? "usable for MTLS" : check.status === "warning" ? "usable, with warnings" : "unusable"}</span>` : null}
      </h2>
      <dl class="kv">
        <dt>FQDN</dt><dd data-test="identity-fqdn">${id.fqdn}</dd>
        ${id.sans.length ? html`<dt>Other names</dt><dd>${id.sans.join(", ")}</dd>` : null}
        ${id.ips.length ? html`<dt>IP addresses</dt><dd>${id.ips.join(", ")}</dd>` : null}
        <dt>Key</dt><dd>${keyTypeLabel(id.keyType)}</dd>
        ${c
          ? html`<dt>Certificate</dt><dd data-test="identity-subject">${c.subject}</dd>
              <dt>Issued by</dt><dd>${c.issuer}</dd>
              <dt>Valid until</dt><dd>${fmtDate(c.notAfter)} <span class="badge ${expiryLevel(c.daysRemaining)}" data-test="identity-days">${daysText(c.daysRemaining)}</span></dd>
              <dt>SHA-256</dt><dd class="mono" data-test="identity-fingerprint">${c.fingerprintSha256}</dd>`
          : html`<dt>Certificate</dt><dd class="muted">none yet: submit the CSR to your CA and upload its answer below</dd>`}
        ${id.csrPending ? html`<dt>CSR</dt><dd>waiting for the CA's certificate · <a href=${`/api/certs/csr?name=${encodeURIComponent(id.name)}`} download=${`${id.fqdn}.csr`} data-test="csr-download-pending">download the CSR</a></dd>` : null}
      </dl>
      ${check?.problems.map((p) => html`<div class="alert error" data-test="identity-problem"><code>${p.code}</code>${p.message}</div>`)}
      ${check?.warnings.map((p) => html`<div class="alert warning" data-test="identity-warning"><code>${p.code}</code>${p.message}</div>`)}
      ${id.chain.length > 1 ? html`<h2>Chain</h2><${CertTable} certs=${id.chain} testId="chain" />` : null}
    </div>
  `;
}

function CsrForm({ overview, onDone }: { overview: CertsOverview; onDone: () => void }) {
  const existing = overview.identities.find((i) => i.name === "default");
  const [fqdn, setFqdn] = useState(existing?.fqdn ?? "");
  const [sans, setSans] = useState("");
  const [ips, setIps] = useState("");
  const [keyType, setKeyType] = useState("rsa2048");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [csr, setCsr] = useState<{ name: string; csrPem: string; fqdn: string } | null>(null);
  const split = (s: string) => s.split(/[\s,]+/).filter((x) => x.length > 0);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.createCsr({ fqdn: fqdn.trim(), sans: split(sans), ips: split(ips), keyType, renew: !!existing });
      setCsr(r);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <div class="panel">
      <h2>${existing?.certificate ? "Renew: new key and CSR" : existing ? "New key and CSR (replaces the pending request)" : "Create a certificate request (CSR)"}</h2>
      <p class="muted">The key is made on the gateway and never leaves it. Submit the CSR to your enterprise CA (e.g. AD CS, a template with Server and Client Authentication), then upload the signed certificate below.${existing?.certificate ? " The current certificate stays in service until the new one is uploaded." : ""}</p>
      <form onSubmit=${submit} data-test="csr-form">
        <div class="row">
          <label>Gateway FQDN<input name="fqdn" required placeholder="gw1.contoso.com" value=${fqdn} onInput=${(e: Event) => setFqdn((e.target as HTMLInputElement).value)} /></label>
          <label>Other DNS names (SAN)<input name="sans" placeholder="gw1-alt.contoso.com" value=${sans} onInput=${(e: Event) => setSans((e.target as HTMLInputElement).value)} /></label>
          <label>IP addresses (SAN)<input name="ips" placeholder="optional" value=${ips} onInput=${(e: Event) => setIps((e.target as HTMLInputElement).value)} /></label>
          <label>Key type<select name="keyType" value=${keyType} onChange=${(e: Event) => setKeyType((e.target as HTMLSelectElement).value)}>
            ${overview.keyTypes.map((k) => html`<option value=${k}>${keyTypeLabel(k)}${k === "rsa2048" ? " (default)" : ""}</option>`)}
          </select></label>
        </div>
        <div class="actions"><button type="submit" disabled=${busy} data-test="csr-submit">${busy ? "Generating key…" : existing?.certificate ? "Create renewal CSR" : existing ? "Create new CSR" : "Create CSR"}</button></div>
      </form>
      <${ErrorBox} error=${error} />
      ${csr
        ? html`<div data-test="csr-result">
            <div class="alert success">CSR for <b>${csr.fqdn}</b> created (identity “${csr.name}”).</div>
            <textarea class="pem" readonly data-test="csr-pem">${csr.csrPem}</textarea>
            <div class="actions"><a class="button" href=${`/api/certs/csr?name=${encodeURIComponent(csr.name)}`} download=${`${csr.fqdn}.csr`} data-test="csr-download">Download CSR</a></div>
          </div>`
        : null}
    </div>
  `;
}

function UploadForm({ onDone }: { onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await api.importCert(new FormData(form));
      setResult(r);
      form.reset();
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`
    <div class="panel">
      <h2>Upload the signed certificate</h2>
      <p class="muted">The CA's answer with its chain: PEM (.pem, .crt, .cer), DER, PKCS#7 (.p7b) or PKCS#12 (.pfx, .p12, with its key).</p>
      <form onSubmit=${submit} data-test="upload-form">
        <div class="row">
          <label>Certificate file<input type="file" name="file" required accept=".pem,.crt,.cer,.der,.p7b,.p7c,.pfx,.p12" data-test="upload-file" /></label>
          <label>PKCS#12 password (only for .pfx/.p12)<input type="password" name="password" autocomplete="off" data-test="upload-password" /></label>
        </div>
        <div class="actions"><button type="submit" disabled=${busy} data-test="upload-submit">${busy ? "Uploading…" : "Upload"}</button></div>
      </form>
      <${ErrorBox} error=${error} />
      ${result
        ? html`<div class="alert success" data-test="upload-result">Installed for identity “${result.name}”: <b>${result.certificate.subject}</b> (${result.format}, chain of ${result.chainLength}, ${result.trust}).</div>
            ${result.warnings.map((w) => html`<div class="alert warning"><code>${w.code}</code>${w.message}</div>`)}`
        : null}
    </div>
  `;
}

function TrustPanel({ overview, onDone }: { overview: CertsOverview; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const r = await api.trustAdd(new FormData(form));
      setMessage(`${r.added.length} added${r.alreadyTrusted.length ? `, ${r.alreadyTrusted.length} already trusted` : ""}`);
      form.reset();
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (c: CertSummary) => {
    if (!window.confirm(`Stop trusting "${c.subject}"?`)) return;
    setError(null);
    setMessage(null);
    try {
      await api.trustRemove(c.fingerprintSha256);
      setMessage(`removed ${c.subject}`);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`
    <div class="panel">
      <h2>Trusted root CAs</h2>
      <p class="muted">The CAs whose certificates the gateway accepts from the Mediation Server (and that complete its own chain).</p>
      ${overview.anchors.length === 0
        ? html`<div class="empty">No trusted root yet.</div>`
        : html`<table data-test="anchors">
            <thead><tr><th>Subject</th><th>Key</th><th>Valid until</th><th>Expires in</th><th>SHA-256</th><th></th></tr></thead>
            <tbody>
              ${overview.anchors.map(
                (c) => html`<tr key=${c.fingerprintSha256} data-test="anchor-row">
                  <td>${c.subject}</td><td>${c.key}</td><td>${fmtDate(c.notAfter)}</td>
                  <td><span class="badge ${expiryLevel(c.daysRemaining)}">${daysText(c.daysRemaining)}</span></td>
                  <td class="mono" title=${c.fingerprintSha256}>${shortFingerprint(c.fingerprintSha256)}…</td>
                  <td><button class="danger" onClick=${() => remove(c)} data-test="anchor-remove">Remove</button></td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      <form onSubmit=${add} data-test="trust-form">
        <div class="row" style=${{ marginTop: "12px" }}>
          <label>Add a root CA certificate (PEM, DER, PKCS#7)<input type="file" name="file" required accept=".pem,.crt,.cer,.der,.p7b,.p7c" data-test="trust-file" /></label>
        </div>
        <div class="actions"><button type="submit" class="secondary" disabled=${busy} data-test="trust-submit">Add trusted root</button></div>
      </form>
      <${ErrorBox} error=${error} />
      ${message ? html`<div class="alert success" data-test="trust-result">${message}</div>` : null}
    </div>
  `;
}

export function CertsPage({ version }: { version: number }) {
  const [overview, setOverview] = useState<CertsOverview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const reload = () => setTick((t) => t + 1);
  useEffect(() => {
    let gone = false;
    api.certs().then(
      (o) => {
        if (!gone) {
          setOverview(o);
          setError(null);
        }
      },
      (e) => !gone && setError(e),
    );
    return () => {
      gone = true;
    };
  }, [tick, version]);
  if (!overview) return html`<main><h1>Certificates</h1><${ErrorBox} error=${error} />${error ? null : html`<p class="muted">Loading…</p>`}</main>`;
  const warnings = overview.expiry.filter((e) => e.threshold !== null);
  return html`
    <main>
      <h1>Certificates</h1>
      <${ErrorBox} error=${error} />
      ${overview.problems.map((p) => html`<div class="alert error"><code>${p.code}</code>${p.message}</div>`)}
      ${warnings.map(
        (w) => html`<div class="alert ${w.daysRemaining < 7 ? "error" : "warning"}" data-test="expiry-warning"><code>${w.daysRemaining < 0 ? "EXPIRED" : "EXPIRING"}</code>${w.kind} certificate “${w.subject}” ${w.daysRemaining < 0 ? `expired on ${fmtDate(w.notAfter)}` : `expires in ${w.daysRemaining} day(s), on ${fmtDate(w.notAfter)}`}</div>`,
      )}
      ${overview.identities.length === 0 ? html`<div class="panel"><h2>Gateway identity</h2><div class="empty">No identity yet: create a CSR to begin.</div></div>` : overview.identities.map((i) => html`<${IdentityPanel} key=${i.name} id=${i} />`)}
      <div class="grid two">
        <${CsrForm} overview=${overview} onDone=${reload} />
        <${UploadForm} onDone=${reload} />
      </div>
      <${TrustPanel} overview=${overview} onDone=${reload} />
      <div class="panel" data-test="https-identity">
        <h2>This console's HTTPS certificate</h2>
        <dl class="kv">
          <dt>Source</dt><dd>${overview.https.source === "gateway" ? `the gateway identity “${overview.https.identity ?? "default"}”` : overview.https.source === "console" ? "the console's own self-signed certificate" : "supplied by the board"}</dd>
          <dt>Subject</dt><dd>${overview.https.subject}</dd>
          <dt>Valid until</dt><dd>${fmtDate(overview.https.notAfter)}</dd>
          <dt>SHA-256</dt><dd class="mono">${overview.https.fingerprintSha256}</dd>
        </dl>
      </div>
    </main>
  `;
}
