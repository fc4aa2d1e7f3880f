// Status: is the trunk up, the MTLS links with their TLS parameters and peer certificates, the pool
// members' OPTIONS health, the calls with their SRTP counters, and two small charts.
import type { CallStatus, HistoryPoint, LinkStatus, PoolMemberStatus, StatusSnapshot } from "./api.js";
import { LineChart } from "./charts.js";
import { daysText, expiryLevel, fmtBytes, fmtInt, since } from "./format.js";
import { html } from "./html.js";

function Tile(p: { label: string; value: unknown; sub?: unknown; testId?: string }) {
  return html`<div class="tile" data-test=${p.testId}><div class="label">${p.label}</div><div class="value">${p.value}</div>${p.sub ? html`<div class="sub">${p.sub}</div>` : null}</div>`;
}

function LinkRow({ l, now }: { l: LinkStatus; now: number }) {
  const opt = l.options;
  return html`
    <tr data-test="link-row" data-state=${l.state}>
      <td class="mono">${l.peer}</td>
      <td>${l.direction === "outbound" ? "to pool" : "from pool"}</td>
      <td><span class="badge ${l.state === "up" ? "ok" : "bad"}" data-test="link-state">${l.state}</span></td>
      <td data-test="link-tls">${l.tlsVersion ?? "TCP (no TLS)"}</td>
      <td class="mono" data-test="link-suite">${l.cipherSuite ?? "—"}</td>
      <td data-test="link-group">${l.group ?? "—"}</td>
      <td data-test="link-peer-subject">${l.peerSubject ?? "—"}</td>
      <td><span class="badge ${expiryLevel(l.peerDaysToExpiry)}" data-test="link-peer-days">${daysText(l.peerDaysToExpiry)}</span></td>
      <td>${l.state === "up" ? since(l.upSince, now) : html`<span class="muted" title=${l.lastError ?? ""}>down ${l.downSince ? since(l.downSince, now) : ""}</span>`}</td>
      <td>${opt ? html`<span class="badge ${opt.up ? "ok" : "bad"}">${opt.up ? "OK" : "failing"}</span>` : html`<span class="muted">—</span>`}</td>
    </tr>
  `;
}

function PoolRow({ m }: { m: PoolMemberStatus }) {
  return html`
    <tr data-test="pool-row">
      <td class="mono">${m.member}</td>
      <td><span class="badge ${m.up ? "ok" : "bad"}" data-test="pool-health">${m.up ? "up" : "down"}</span></td>
      <td class="num">${m.failures}</td>
      <td class="num">${fmtInt(m.probes)}</td>
      <td class="muted">${m.lastError ?? ""}</td>
    </tr>
  `;
}

function mkiText(m: { value: string; length: number } | null): string {
  return m ? `${parseInt(m.value, 16)} (${m.length} B)` : "none";
}

function CallRow({ c, now }: { c: CallStatus; now: number }) {
  return html`
    <tr data-test="call-row" data-call=${c.id} data-state=${c.state}>
      <td>${c.direction === "outbound" ? "gateway → pool" : "pool → gateway"}</td>
      <td class="mono">${c.from || "?"} → ${c.to || "?"}</td>
      <td><span class="badge ${c.state === "confirmed" ? "ok" : c.state === "early" ? "info" : "warn"}">${c.state}</span></td>
      <td class="mono" data-test="call-profile">${c.srtp ? c.srtp.profile : html`<span class="badge warn">plain RTP</span>`}</td>
      <td data-test="call-mki">${c.srtp ? mkiText(c.srtp.txMki) : "—"}</td>
      <td class="num" data-test="call-tx-packets">${fmtInt(c.tx.packets)}</td>
      <td class="num">${fmtBytes(c.tx.bytes)}</td>
      <td class="num" data-test="call-rx-packets">${fmtInt(c.rx.packets)}</td>
      <td class="num">${fmtBytes(c.rx.bytes)}</td>
      <td class="num" data-test="call-auth-failures"><span class=${c.authFailures ? "badge bad" : ""}>${c.authFailures}</span></td>
      <td class="num" data-test="call-replays"><span class=${c.replays ? "badge warn" : ""}>${c.replays}</span></td>
      <td class="num" title=${`${c.lost} packets`}>${(c.lossFraction * 100).toFixed(1)}%</td>
      <td class="num">${c.jitterMs.toFixed(1)} ms</td>
      <td class="num">${c.endedAt ? html`<span class="muted">ended</span>` : since(c.startedAt, now)}</td>
    </tr>
  `;
}

export function StatusPage({ status, history, live }: { status: StatusSnapshot | null; history: HistoryPoint[]; live: boolean }) {
  if (!status) return html`<main><p class="muted">Loading…</p></main>`;
  const now = Date.parse(status.at) || Date.now();
  const up = status.links.filter((l) => l.state === "up");
  const active = status.calls.filter((c) => c.state !== "ended");
  const last = history[history.length - 1];
  const poolUp = status.pool.filter((m) => m.up).length;
  const trunkUp = up.length > 0;
  return html`
    <main>
      <h1>Trunk status <span class="live ${live ? "" : "off"}" data-test="live">${live ? "live" : "reconnecting…"}</span></h1>
      <div class="grid tiles">
        <${Tile} label="Trunk" testId="tile-trunk" value=${html`<span class="badge ${trunkUp ? "ok" : "bad"}" style=${{ fontSize: "18px" }}>${trunkUp ? "UP" : "DOWN"}</span>`} sub=${`${up.length} MTLS link${up.length === 1 ? "" : "s"} up`} />
        <${Tile} label="Pool members healthy" testId="tile-pool" value=${`${poolUp} / ${status.pool.length}`} sub="SIP OPTIONS" />
        <${Tile} label="Active calls" testId="tile-calls" value=${active.length} sub=${`${status.calls.length - active.length} recently ended`} />
        <${Tile} label="Packets / s" testId="tile-pps" value=${last ? fmtInt(last.txPps + last.rxPps) : 0} sub=${last ? `${fmtInt(last.txPps)} sent · ${fmtInt(last.rxPps)} received` : ""} />
      </div>
      <div class="grid charts">
        <${LineChart}
          title="SRTP packets per second"
          testId="chart-pps"
          series=${[
            { label: "sent", color: "#0b63b6", values: history.map((p) => p.txPps) },
            { label: "received", color: "#8e44ad", values: history.map((p) => p.rxPps) },
          ]}
        />
        <${LineChart} title="Active calls" testId="chart-calls" step=${true} series=${[{ label: "calls", color: "#1a7f37", values: history.map((p) => p.calls) }]} />
      </div>
      <div class="panel">
        <h2>MTLS links</h2>
        ${status.links.length === 0
          ? html`<div class="empty">No SIP/TLS connection to the Mediation Server pool.</div>`
          : html`<table data-test="links">
              <thead><tr><th>Peer</th><th>Direction</th><th>State</th><th>TLS</th><th>Cipher suite</th><th>Group</th><th>Peer certificate</th><th>Expires in</th><th>Up for</th><th>OPTIONS</th></tr></thead>
              <tbody>${status.links.map((l) => html`<${LinkRow} key=${l.id} l=${l} now=${now} />`)}</tbody>
            </table>`}
      </div>
      <div class="panel">
        <h2>Pool members (OPTIONS health)</h2>
        ${status.pool.length === 0
          ? html`<div class="empty">No pool configured.</div>`
          : html`<table data-test="pool">
              <thead><tr><th>Member</th><th>Health</th><th class="num">Failures</th><th class="num">Probes</th><th>Last error</th></tr></thead>
              <tbody>${status.pool.map((m) => html`<${PoolRow} key=${m.member} m=${m} />`)}</tbody>
            </table>`}
      </div>
      <div class="panel">
        <h2>Calls</h2>
        ${status.calls.length === 0
          ? html`<div class="empty">No calls.</div>`
          : html`<table data-test="calls">
              <thead><tr><th>Direction</th><th>From → To</th><th>State</th><th>SRTP profile</th><th>MKI</th><th class="num">Sent pkts</th><th class="num">Sent</th><th class="num">Recv pkts</th><th class="num">Recv</th><th class="num">Auth fail</th><th class="num">Replays</th><th class="num">Loss</th><th class="num">Jitter</th><th class="num">Duration</th></tr></thead>
              <tbody>${status.calls.map((c) => html`<${CallRow} key=${c.id} c=${c} now=${now} />`)}</tbody>
            </table>`}
      </div>
    </main>
  `;
}
