// The simulator's report: JSON (docs/schemas/sim-report.schema.json) and the text a person reads.
// Everything in it is something a technician may see: names, versions, suites, counters, MKIs
// (which travel in clear in every packet). No key, salt or secret ever goes in.
import type { GatewayConfig } from "../gateway/config.js";
import type { Gateway, GatewayCallRecord } from "../gateway/gateway.js";
import { CheckedPstnPort } from "./audio-check.js";
import type { PeerCall } from "./mediation/peer.js";
import type { MediationPool } from "./mediation/pool.js";
import type { SimState } from "./state.js";

export interface SimCallRun {
  plan: { index: number; direction: "outbound" | "inbound"; member: number; to: string; from: string; replaces?: number };
  startedAt: Date;
  record: GatewayCallRecord | undefined;
  peer: PeerCall | undefined;
  peerMember?: string;
  error: { code: string; message: string } | undefined;
}

export interface SimLinkReport {
  /** The pool member at the other end. */
  peer: string;
  /** "outbound": the gateway connected to the member; "inbound": the member connected to the gateway. */
  direction: "outbound" | "inbound";
  version: string | null;
  suite: string | null;
  group: string | null;
  peerSubject: string | null;
  peerNotAfter: string | null;
  /** Whether the link was still up when the calls were over ("down": closed earlier, e.g. by a failover). */
  state: "up" | "down";
  /** The same connection as OpenSSL (the pool's side) saw it. */
  openssl: { version: string | null; suite: string | null; group: string | null } | null;
}

export interface SimCallReport {
  id: string;
  /** The call this one replaces after a failover. */
  replaces?: string;
  direction: "outbound" | "inbound";
  from: string;
  to: string;
  /** The pool member that carried the call. */
  member: string | null;
  /** null: plain RTP (srtpMode optional/notSupported without encryption). */
  profile: string | null;
  /** The MKI our SRTP/SRTCP packets carry (hex), null without. */
  mki: string | null;
  /** Which form of the pool's key authenticated its packets ("mki:01", "no-mki"). */
  peerKeyForm: string | null;
  durationMs: number;
  sent: { packets: number; bytes: number };
  received: { packets: number; bytes: number; authFailures: number; replays: number; lost: number };
  rtcp: { sent: number; received: number; authFailures: number };
  /** The Mediation side's counters for the same call (node-srtp). */
  peer: { received: { packets: number; authFailures: number; replays: number }; rtcp: { sent: number; received: number } } | null;
  /** Audio frames that arrived, and how many equal a frame the other side sent (decrypted correctly). */
  audio: { received: { frames: number; matched: number }; peerReceived: { frames: number; matched: number } };
  outcome: "completed" | "failover" | "failed" | "rejected" | "media-timeout" | "interrupted" | "active";
  error?: { code: string; message: string };
}

export interface SimReport {
  ok: boolean;
  interrupted: boolean;
  startedAt: string;
  wallTimeMs: number;
  options: { board: string; calls: number; durationS: number; direction: "in" | "out" | "both"; fips: boolean; tls12: boolean; srtpMode: string; mki: boolean; failover: boolean };
  state: { dir: string; firstRun: boolean; made: string[] };
  gateway: {
    fqdn: string;
    listen: string;
    core: string;
    selfTestMs: number;
    certificate: { subject: string | null; issuer: string | null; notAfter: string | null };
    tlsPolicy: { versions: string[]; fips: boolean; profile: string };
    srtpMode: string;
  } | null;
  /** Member state: "stopped" = stopped mid-run by --failover. */
  pool: { fqdn: string; members: { fqdn: string; address: string; state: "running" | "stopped" }[] };
  links: SimLinkReport[];
  calls: SimCallReport[];
  sipOptions: { sent: number; answered: number };
  totals: {
    calls: number;
    completed: number;
    failover: number;
    failed: number;
    packetsSent: number;
    packetsReceived: number;
    bytesSent: number;
    bytesReceived: number;
    authFailures: number;
    replays: number;
    rtcpSent: number;
    rtcpReceived: number;
  };
  files: { pcap?: string; pcapDecrypted?: string; keylog?: string };
  problems: string[];
}

/** How many received frames equal a frame the far end sent (SRTP decrypted and authenticated right). */
function matchAudio(here: unknown, far: unknown): { frames: number; matched: number } {
  if (here instanceof CheckedPstnPort && far instanceof CheckedPstnPort) return here.verifiedAgainst(far);
  return { frames: 0, matched: 0 };
}

export interface ReportInput {
  startedAt: Date;
  wallTimeMs: number;
  options: SimReport["options"];
  state: SimState;
  gateway?: Gateway;
  config?: GatewayConfig;
  pool: MediationPool;
  runs: SimCallRun[];
  interrupted: boolean;
  problems: string[];
  files: SimReport["files"];
  /** Link states when the calls were over (before the simulator shut everything down). */
  linkStates?: Map<number, "up" | "down">;
}

export function buildReport(i: ReportInput): SimReport {
  const problems = [...i.problems];
  const gw = i.gateway;
  const byPort = new Map<string, (typeof i.pool.linkViews)[number]>();
  for (const v of i.pool.linkViews) {
    // gateway-outbound: the pool's server socket (its remote port = our local port)
    if (v.direction === "outbound" && v.remotePort) byPort.set(`out:${v.remotePort}`, v);
    if (v.direction === "inbound" && v.localPort) byPort.set(`in:${v.localPort}`, v);
  }
  const links: SimLinkReport[] = (gw?.links() ?? []).map((l) => {
    const v = l.direction === "outbound" ? byPort.get(`out:${l.localPort}`) : byPort.get(`in:${l.remotePort}`);
    return {
      peer: v?.member ?? l.member?.replace(/:\d+$/, "") ?? l.remote,
      direction: l.direction,
      version: l.tls?.version ?? null,
      suite: l.tls?.suite ?? null,
      group: l.tls?.group ?? null,
      peerSubject: l.tls?.peerSubject ?? null,
      peerNotAfter: l.tls?.peerNotAfter ?? null,
      state: i.linkStates?.get(l.id) ?? l.state,
      openssl: v ? { version: v.version, suite: v.suite, group: v.group } : null,
    };
  });
  for (const l of links) {
    if (l.openssl && (l.openssl.version !== l.version || l.openssl.suite !== l.suite)) {
      problems.push(`link to ${l.peer} (${l.direction}): our TLS says ${l.version} ${l.suite}, OpenSSL says ${l.openssl.version} ${l.openssl.suite}`);
    }
  }
  for (const r of gw?.refusedHandshakes ?? []) problems.push(`the gateway refused a TLS handshake from ${r.remote}: ${r.code}`);

  const ids = new Map<number, string>();
  // In the order the calls were planned (replacements after the originals), whatever order they set up in.
  const runs = [...i.runs].sort((a, b) => a.plan.index - b.plan.index);
  const calls: SimCallReport[] = runs.map((run) => {
    const r = run.record;
    const s = r?.stats ?? r?.call?.stats();
    const ps = run.peer?.media.snapshot();
    const gwPstn = r?.pstn;
    const peerPstn = run.peer?.pstn;
    const id = r?.id ?? `x${run.plan.index}`;
    ids.set(run.plan.index, id);
    const rep: SimCallReport = {
      id,
      ...(run.plan.replaces !== undefined ? { replaces: ids.get(run.plan.replaces) ?? `#${run.plan.replaces}` } : {}),
      direction: run.plan.direction,
      from: run.plan.from,
      to: run.plan.to,
      member: run.peerMember ?? r?.member?.replace(/:\d+$/, "") ?? null,
      profile: r?.srtp?.profile ?? null,
      mki: r?.srtp?.txMki ?? null,
      peerKeyForm: r?.srtp ? r.srtp.lastRxForm || null : null,
      durationMs: r?.answeredAt ? (r.endedAt ?? new Date()).getTime() - r.answeredAt.getTime() : 0,
      sent: { packets: s?.rtpSent ?? 0, bytes: s?.rtpBytesSent ?? 0 },
      received: { packets: s?.rtpReceived ?? 0, bytes: s?.rtpBytesReceived ?? 0, authFailures: s?.authFailures ?? 0, replays: s?.replays ?? 0, lost: s?.lost ?? 0 },
      rtcp: { sent: s?.rtcpSent ?? 0, received: s?.rtcpReceived ?? 0, authFailures: s?.rtcpAuthFailures ?? 0 },
      peer: ps ? { received: { packets: ps.rtpReceived, authFailures: ps.authFailures + ps.rtcpAuthFailures, replays: ps.replays }, rtcp: { sent: ps.rtcpSent, received: ps.rtcpReceived } } : null,
      audio: {
        received: matchAudio(gwPstn, peerPstn),
        peerReceived: matchAudio(peerPstn, gwPstn),
      },
      outcome: r ? r.outcome : run.error ? "failed" : "failed",
      ...(run.error ? { error: run.error } : r?.error ? { error: r.error } : {}),
    };
    return rep;
  });

  // Success: every call set up and completed with media decrypted both ways; a failover call
  // counts when the call placed again in its stead completed.
  for (const c of calls) {
    if (c.outcome === "failover") {
      if (!i.options.failover) problems.push(`call ${c.id} ended by failover`);
      const again = calls.find((x) => x.replaces === c.id);
      if (!again) problems.push(`call ${c.id} (failover) was not placed again`);
      continue;
    }
    if (c.outcome !== "completed") {
      if (!(i.interrupted && c.outcome === "interrupted")) problems.push(`call ${c.id} (${c.direction}) ended with outcome ${c.outcome}${c.error ? `: ${c.error.code} ${c.error.message}` : ""}`);
      continue;
    }
    const what = `call ${c.id} (${c.direction} via ${c.member})`;
    if (c.received.packets === 0 || c.audio.received.matched === 0) problems.push(`${what}: no audio from the pool reached the gateway`);
    if (!c.peer || c.peer.received.packets === 0 || c.audio.peerReceived.matched === 0) problems.push(`${what}: no audio from the gateway reached the pool`);
    if (c.audio.received.matched !== c.audio.received.frames) problems.push(`${what}: ${c.audio.received.frames - c.audio.received.matched} frames at the gateway differ from what the pool sent`);
    if (c.audio.peerReceived.matched !== c.audio.peerReceived.frames) problems.push(`${what}: ${c.audio.peerReceived.frames - c.audio.peerReceived.matched} frames at the pool differ from what the gateway sent`);
    if (c.received.authFailures || c.rtcp.authFailures || c.peer?.received.authFailures) problems.push(`${what}: authentication failures`);
    if (c.received.replays || c.peer?.received.replays) problems.push(`${what}: replays dropped`);
    if (c.rtcp.received === 0 || c.rtcp.sent === 0) problems.push(`${what}: SRTCP did not flow both ways`);
    if (i.options.srtpMode !== "notSupported" && c.profile === null) problems.push(`${what}: the call is not encrypted`);
  }
  if (calls.length < i.options.calls) problems.push(`${calls.length} of ${i.options.calls} calls were started`);

  const sum = (f: (c: SimCallReport) => number) => calls.reduce((n, c) => n + f(c), 0);
  const c = i.config;
  const report: SimReport = {
    ok: problems.length === 0 && !i.interrupted && gw !== undefined,
    interrupted: i.interrupted,
    startedAt: i.startedAt.toISOString(),
    wallTimeMs: i.wallTimeMs,
    options: i.options,
    state: { dir: i.state.dir, firstRun: i.state.firstRun, made: i.state.made },
    gateway:
      gw && c
        ? {
            fqdn: c.fqdn,
            listen: `${c.listen.host}:${gw.listenPort}`,
            core: gw.core.variant,
            selfTestMs: Math.round(gw.selfTestMs * 10) / 10,
            certificate: gatewayCertificate(gw),
            tlsPolicy: { versions: c.tls.versions, fips: c.tls.fips, profile: c.tls.profile },
            srtpMode: c.trunk.srtpMode,
          }
        : null,
    pool: {
      fqdn: i.state.names.pool,
      members: i.pool.members.map((m) => ({ fqdn: m.fqdn, address: `127.0.0.1:${m.port}`, state: m.crashed ? "stopped" : "running" })),
    },
    links,
    calls,
    sipOptions: { sent: gw?.endpoint?.counters.optionsSent ?? 0, answered: gw?.endpoint?.counters.optionsAnswered ?? 0 },
    totals: {
      calls: calls.length,
      completed: calls.filter((x) => x.outcome === "completed").length,
      failover: calls.filter((x) => x.outcome === "failover").length,
      failed: calls.filter((x) => !["completed", "failover"].includes(x.outcome)).length,
      packetsSent: sum((x) => x.sent.packets),
      packetsReceived: sum((x) => x.received.packets),
      bytesSent: sum((x) => x.sent.bytes),
      bytesReceived: sum((x) => x.received.bytes),
      authFailures: sum((x) => x.received.authFailures + x.rtcp.authFailures),
      replays: sum((x) => x.received.replays),
      rtcpSent: sum((x) => x.rtcp.sent),
      rtcpReceived: sum((x) => x.rtcp.received),
    },
    files: i.files,
    problems,
  };
  if (i.interrupted) report.problems.push("interrupted (Ctrl-C)");
  return report;
}

function gatewayCertificate(gw: Gateway): { subject: string | null; issuer: string | null; notAfter: string | null } {
  const c = gw.certificate;
  return { subject: c?.subject ?? null, issuer: c?.issuer ?? null, notAfter: c?.notAfter ?? null };
}

// ---- text -----------------------------------------------------------------------------------

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function days(iso: string | null): string {
  if (!iso) return "?";
  const d = Math.floor((new Date(iso).getTime() - Date.now()) / 86_400_000);
  return `${iso.slice(0, 10)} (${d} days)`;
}

/** The report as people read it. */
export function formatReport(r: SimReport): string {
  const out: string[] = [];
  const o = r.options;
  out.push(`gwsdk simulator — board ${o.board}: ${o.calls} call(s), ${o.durationS} s, direction ${o.direction}, srtpMode ${o.srtpMode}${o.mki ? ", MKI 1:1" : ", no MKI"}${o.fips ? ", FIPS" : ""}${o.tls12 ? ", TLS 1.2 only" : ""}${o.failover ? ", failover" : ""}`);
  out.push(`state: ${r.state.dir} (${r.state.firstRun ? "first run: made " + r.state.made.join(", ") : r.state.made.length ? "renewed " + r.state.made.join(", ") : "reused"})`);
  if (r.gateway) {
    const g = r.gateway;
    out.push(`gateway ${g.fqdn} listening on ${g.listen} · core ${g.core} (self-test passed${g.selfTestMs ? ` in ${g.selfTestMs} ms` : ""}) · TLS ${g.tlsPolicy.versions.join("/")}${g.tlsPolicy.fips ? " FIPS" : ""}`);
    if (g.certificate.subject) out.push(`  certificate ${g.certificate.subject}, issued by ${g.certificate.issuer}, expires ${days(g.certificate.notAfter)}`);
  }
  out.push(`pool ${r.pool.fqdn}: ${r.pool.members.map((m) => `${m.fqdn} ${m.address}${m.state === "stopped" ? " (stopped)" : ""}`).join(", ")}`);
  out.push("");
  out.push("links (our TLS on the gateway ⇄ OpenSSL on the pool):");
  for (const l of r.links) {
    out.push(`  ${pad(l.direction === "outbound" ? `gateway → ${l.peer}` : `${l.peer} → gateway`, 34)} ${pad(l.version ?? "-", 8)} ${pad(l.suite ?? "-", 40)} ${l.group ?? "-"}${l.state === "down" ? " (closed before the end)" : ""}`.trimEnd());
    out.push(`  ${" ".repeat(34)} peer ${l.peerSubject ?? "?"}, expires ${days(l.peerNotAfter)}${l.openssl ? ` · OpenSSL agrees: ${l.openssl.version === l.version && l.openssl.suite === l.suite ? "yes" : "NO"}` : ""}`);
  }
  out.push(`SIP OPTIONS: ${r.sipOptions.sent} sent, ${r.sipOptions.answered} answered`);
  out.push("");
  out.push("calls:");
  for (const c of r.calls) {
    out.push(`  ${c.id}${c.replaces ? ` (replaces ${c.replaces})` : ""} ${c.direction === "outbound" ? "gateway → pool" : "pool → gateway"} via ${c.member ?? "?"} ${c.from} → ${c.to}: ${c.outcome}${c.error ? ` (${c.error.code})` : ""}, ${(c.durationMs / 1000).toFixed(1)} s`);
    out.push(`      ${c.profile ?? "plain RTP"}${c.profile ? `, MKI ${c.mki ?? "none"}, pool's key form ${c.peerKeyForm ?? "-"}` : ""}`);
    out.push(`      sent ${c.sent.packets} packets / ${c.sent.bytes} bytes · received ${c.received.packets} / ${c.received.bytes} · auth failures ${c.received.authFailures} · replays ${c.received.replays} · lost ${c.received.lost}`);
    out.push(`      SRTCP ${c.rtcp.sent} sent / ${c.rtcp.received} received · audio verified ${c.audio.received.matched}/${c.audio.received.frames} in, ${c.audio.peerReceived.matched}/${c.audio.peerReceived.frames} out`);
  }
  const t = r.totals;
  out.push("");
  out.push(`totals: ${t.calls} calls (${t.completed} completed, ${t.failover} failover, ${t.failed} failed) · ${t.packetsSent} packets sent, ${t.packetsReceived} received · ${t.authFailures} auth failures · ${t.replays} replays · SRTCP ${t.rtcpSent}/${t.rtcpReceived} · wall time ${(r.wallTimeMs / 1000).toFixed(1)} s`);
  for (const [k, v] of Object.entries(r.files)) out.push(`${k}: ${v}`);
  for (const p of r.problems) out.push(`problem: ${p}`);
  out.push(r.ok ? "result: OK" : "result: FAILED");
  return out.join("\n") + "\n";
}
