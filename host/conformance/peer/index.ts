// `gwsdk conformance peer HOST:PORT --store DIR --servername FQDN [--call]`: a probe of a real peer
// (a customer's Mediation Server, or our simulator) — the report a field engineer pastes into a
// ticket. Every item is PASS/WARN/FAIL/SKIP with what was seen and what to do. Every connection
// attempt is bounded by `timeoutMs`. Report schema: docs/schemas/conformance-peer.schema.json.
import net from "node:net";
import type { Duplex } from "node:stream";
import { CertStore, DEFAULT_IDENTITY, type TrustConfig } from "../../certs/cert-store.js";
import { FileDeviceKey } from "../../certs/device-key.js";
import { connectMtls } from "../../tls/connect-mtls.js";
import type { MtlsSocket } from "../../tls/mtls-socket.js";
import { SDK_BUILD_DATE } from "../../tls/policy.js";
import { sharedCore } from "../../tls/shared-core.js";
import type { Core } from "../../core/load-core.js";
import type { SrtpProvider } from "../../media/srtp-provider.js";
import { nodeSrtp } from "../../sim/mediation/node-srtp.js";
import { toolInfo } from "../package-files.js";
import { elapsedMs, worstVerdict, type ToolInfo, type Verdict } from "../report.js";
import { analyseCertificate, type PeerCertificateInfo } from "./certificate.js";
import { explainClientCertAlert, explainHandshake, explainTcp } from "./explain.js";
import { ItemList, type PeerItem, type PeerItemGroup } from "./items.js";
import { SipProbe, type CallResult, type SipOptionsResult } from "./sip-probe.js";
import { probeVersions, type ProbedVersion, type VersionProbe } from "./tls-probe.js";

export interface PeerConformanceOptions {
  host: string;
  port: number;
  /** The Mediation pool FQDN (or member) the peer's certificate must carry; sent as SNI. */
  servername: string;
  /** The gateway's certificate store (directory or an open CertStore). */
  store: string | CertStore;
  /** The store identity to present (default "default"). */
  identity?: string;
  /** The sim board's device key file for a store given as a directory (default: DIR/../device.key, as `gwsdk cert`). */
  deviceKey?: string;
  /** Place a test call (INVITE, media, BYE). */
  call?: boolean;
  /** Called number for --call (default "+15555550100"). */
  to?: string;
  /** Calling number for --call (default "+15555550199"). */
  from?: string;
  /** Seconds of media in the test call (default 3). */
  callSeconds?: number;
  /** Bound of every connection attempt, handshake and SIP transaction (default 5000 ms). */
  timeoutMs?: number;
  /** How long the test call may ring before it is answered (default 30000 ms). */
  answerTimeoutMs?: number;
  /** Clock for the certificate checks (tests; boards whose clock is not the system's). */
  now?: () => Date;
  /** The core for our TLS and SRTP (default: the process's shared core). */
  core?: Core;
}

export interface TlsVersionResult {
  version: ProbedVersion;
  accepted: boolean;
  outcome: VersionProbe["outcome"];
  cipher: string | null;
  alert: string | null;
  errorCode: string | null;
  durationMs: number;
}

export interface NegotiatedTls {
  version: string;
  suite: string;
  group: string;
  peerSignatureScheme: string;
  /** Our CertificateVerify scheme; "" when the peer did not ask for our certificate. */
  signatureScheme: string;
  helloRetryRequest: boolean;
  clientCertificateRequested: boolean;
}

export interface PeerConformanceReport {
  kind: "peer";
  schemaVersion: 1;
  tool: ToolInfo;
  startedAt: string;
  durationMs: number;
  target: { host: string; port: number; servername: string; identity: string; store: string; address: string | null; timeoutMs: number };
  gateway: { fqdn: string | null; certificateNotAfter: string | null };
  tlsVersions: TlsVersionResult[];
  negotiated: NegotiatedTls | null;
  peerCertificates: PeerCertificateInfo[];
  sipOptions: SipOptionsResult | null;
  call: CallResult | null;
  items: PeerItem[];
  summary: { status: Verdict; pass: number; warn: number; fail: number; skip: number };
}

/** Report order of the items. */
const ORDER = [
  "tcp", "tls-1.3", "tls-1.2", "tls-1.1", "tls-1.0", "tls-handshake", "client-certificate-request", "client-certificate-accepted",
  "gateway-identity", "certificate-chain", "certificate-trust", "certificate-name", "sip-options", "call-answer", "call-media", "call-auth", "call-bye",
];

/** Group and title of every item, for the ones a failure earlier leaves unrun. */
const TITLES: Record<string, [PeerItemGroup, string]> = {
  "tls-1.3": ["tls", "TLS 1.3"],
  "tls-1.2": ["tls", "TLS 1.2"],
  "tls-1.1": ["tls", "TLS 1.1 (legacy)"],
  "tls-1.0": ["tls", "TLS 1.0 (legacy)"],
  "tls-handshake": ["tls", "Mutual TLS handshake (our stack)"],
  "client-certificate-request": ["tls", "Peer asks for our certificate"],
  "client-certificate-accepted": ["tls", "Peer accepts our certificate"],
  "certificate-chain": ["certificate", "Peer certificate chain"],
  "certificate-trust": ["certificate", "Trusted by our trust store"],
  "certificate-name": ["certificate", "Issued for the --servername"],
  "sip-options": ["sip", "SIP OPTIONS round trip"],
  "call-answer": ["call", "INVITE with SDES offer answered"],
  "call-media": ["call", "SRTP media both ways"],
  "call-auth": ["call", "No SRTP authentication failures"],
  "call-bye": ["call", "BYE"],
};

const LABEL: Record<ProbedVersion, string> = { "TLSv1.3": "1.3", "TLSv1.2": "1.2", "TLSv1.1": "1.1", TLSv1: "1.0" };

/**
 * After a completed handshake, how long to watch the link for the peer's verdict on our certificate
 * (bounded by the probe's timeout too). A TLS 1.3 server judges the client certificate only after our
 * Finished, so our handshake completes first and a refusal arrives as an alert (OpenSSL, Schannel, our
 * own server) or a silent close (Node's tls) right after; both come within a round trip.
 */
export const POST_HANDSHAKE_WAIT_MS = 500;

export interface LinkWatch {
  /** The alert the peer sent, when it sent one. */
  alert: string | null;
  /** The link closed (with or without an alert). */
  closed: boolean;
  waitedMs: number;
}

/**
 * Watches an open link for up to `ms` without reading from it (what arrives stays for the SIP probe):
 * resolves early once it is no longer secure — an alert destroyed it, or the transport closed (a
 * stream nobody reads emits no "end", so the socket's own state is polled).
 */
function watchLink(s: MtlsSocket, ms: number, lastTlsError: () => { alert?: string; direction?: string } | undefined): Promise<LinkWatch> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const done = () => {
      clearInterval(poll);
      clearTimeout(timer);
      const e = lastTlsError();
      const closed = s.destroyed || !s.secure;
      resolve({ alert: e?.direction === "received" && e.alert ? e.alert : null, closed, waitedMs: Math.round(performance.now() - t0) });
    };
    // the "error" of an alert is emitted before the state is seen here: one more turn for it
    const poll = setInterval(() => {
      if (s.destroyed || !s.secure) {
        clearInterval(poll);
        setImmediate(done);
      }
    }, 10);
    const timer = setTimeout(done, ms);
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<{ ok: true; ms: number; address: string } | { ok: false; code: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ ok: false, code: "ETIMEDOUT" });
    }, timeoutMs);
    s.once("connect", () => {
      clearTimeout(timer);
      const address = s.remoteAddress ?? host;
      s.destroy();
      resolve({ ok: true, ms: Math.round(performance.now() - t0), address });
    });
    s.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: e.code ?? "ERR_UNKNOWN" });
    });
  });
}

function versionItems(items: ItemList, probes: VersionProbe[]): void {
  const modern = probes.filter((p) => p.version === "TLSv1.3" || p.version === "TLSv1.2");
  const anyModern = modern.some((p) => p.accepted);
  const describe = (p: VersionProbe) =>
    p.accepted
      ? `accepted${p.cipher ? ` (${p.cipher})` : ""}${p.outcome === "clientCertRequired" ? "; the peer then asked for a client certificate (this probe presents none)" : ""}`
      : p.outcome === "refused"
        ? `refused${p.alert ? ` (alert ${p.alert})` : p.errorCode === "ERR_SSL_UNSUPPORTED_PROTOCOL" || p.errorCode === "ERR_SSL_WRONG_VERSION_NUMBER" ? " (the peer answered with another version)" : p.errorCode === "ECONNRESET" ? " (the peer closed the connection)" : p.errorCode ? ` (${p.errorCode})` : ""}`
        : `no answer (${p.errorCode ?? "error"})`;
  for (const p of probes) {
    const id = `tls-${LABEL[p.version]}`;
    const title = p.version === "TLSv1.3" || p.version === "TLSv1.2" ? `TLS ${LABEL[p.version]}` : `TLS ${LABEL[p.version]} (legacy)`;
    if (p.version === "TLSv1.3" || p.version === "TLSv1.2") {
      if (p.accepted) items.add({ id, group: "tls", title, status: "pass", summary: describe(p), durationMs: p.durationMs });
      else if (anyModern) {
        const other = modern.find((m) => m.accepted)!;
        items.add({ id, group: "tls", title, status: "pass", summary: `${describe(p)}; TLS ${LABEL[other.version]} is enough for our stack`, durationMs: p.durationMs });
      } else {
        items.add({
          id, group: "tls", title, status: "fail", summary: describe(p), durationMs: p.durationMs,
          advice: "the peer accepts neither TLS 1.3 nor TLS 1.2, the only versions our stack speaks: enable TLS 1.2 on the Mediation Server (Windows: Schannel protocols; SfB 2015 needs CU6+ and .NET 4.6.2+ for TLS 1.2)",
        });
      }
    } else if (p.accepted) {
      items.add({
        id, group: "tls", title, status: "warn", summary: `${describe(p)} — reported only, our stack never uses it`, durationMs: p.durationMs,
        advice: `the peer still accepts TLS ${LABEL[p.version]}: disable TLS 1.0 and 1.1 on the Mediation Server (supported from Skype for Business Server 2015 CU9 / 2019 CU1)`,
      });
    } else {
      items.add({ id, group: "tls", title, status: "pass", summary: `${describe(p)} — good: old TLS versions should be off`, durationMs: p.durationMs });
    }
  }
}

/** The SRTP provider of the core when this build has the SRTP engine (core.srtp), else node:crypto's. */
function srtpFor(core: Core | undefined): { provider: SrtpProvider; name: string } {
  if (core && core.has("srtp_protect")) {
    // core.srtp has the SrtpProvider shape (sender/receiver with protect/unprotect, addKey, useKey, removeKey)
    return { provider: core.srtp as unknown as SrtpProvider, name: `gwsdk core SRTP (${core.variant} build)` };
  }
  return { provider: nodeSrtp, name: "node:crypto SRTP (this core build has no SRTP engine)" };
}

/** Runs the probe. Never throws for a peer problem: everything is in the report. */
export async function runPeerConformance(o: PeerConformanceOptions): Promise<PeerConformanceReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const timeoutMs = o.timeoutMs ?? 5000;
  const identity = o.identity ?? DEFAULT_IDENTITY;
  const now = o.now ?? (() => new Date());
  const items = new ItemList();
  const report: PeerConformanceReport = {
    kind: "peer",
    schemaVersion: 1,
    tool: toolInfo(),
    startedAt,
    durationMs: 0,
    target: { host: o.host, port: o.port, servername: o.servername, identity, store: typeof o.store === "string" ? o.store : o.store.location, address: null, timeoutMs },
    gateway: { fqdn: null, certificateNotAfter: null },
    tlsVersions: [],
    negotiated: null,
    peerCertificates: [],
    sipOptions: null,
    call: null,
    items: [],
    summary: { status: "pass", pass: 0, warn: 0, fail: 0, skip: 0 },
  };

  // --- the gateway's own identity and trust store
  let store: CertStore | undefined;
  let ownStore = false;
  let trust: TrustConfig | undefined;
  try {
    if (typeof o.store === "string") {
      store = await CertStore.open(o.store, { create: false, ...(o.deviceKey ? { deviceKey: new FileDeviceKey(o.deviceKey) } : {}) });
      ownStore = true;
    } else store = o.store;
    trust = await store.trustConfig();
    const check = await store.check(identity);
    const info = await store.show(identity).catch(() => undefined);
    report.gateway.fqdn = info?.fqdn ?? null;
    report.gateway.certificateNotAfter = check.certificate?.notAfter ?? null;
    const what = check.certificate ? `${check.certificate.subject}, valid until ${check.certificate.notAfter.slice(0, 10)} (${check.certificate.daysRemaining} day(s))` : "no certificate";
    if (check.status === "ok") items.add({ id: "gateway-identity", group: "certificate", title: `Gateway identity "${identity}"`, status: "pass", summary: `${what}; ${trust.anchors.length} trusted root(s)` });
    else {
      const first = check.problems[0] ?? check.warnings[0];
      items.add({
        id: "gateway-identity", group: "certificate", title: `Gateway identity "${identity}"`, status: check.status === "warning" ? "warn" : "fail",
        summary: `${what}${first ? `; ${first.code}: ${first.message}` : ""}`,
        advice: check.status === "warning" ? "see `gwsdk cert check`" : "the gateway cannot authenticate itself: fix what `gwsdk cert check` reports (renew or import the certificate)",
      });
    }
  } catch (e) {
    items.add({
      id: "gateway-identity", group: "certificate", title: `Gateway identity "${identity}"`, status: "fail",
      summary: `${(e as { code?: string }).code ?? "ERR"}: ${(e as Error).message}`,
      advice: "give the gateway's certificate store with --store DIR (as `gwsdk cert` uses it) and the identity with --identity",
    });
  }

  // --- TCP
  const tcp = await tcpProbe(o.host, o.port, timeoutMs);
  let sockets: MtlsSocket[] = [];
  let sip: SipProbe | undefined;
  try {
    if (!tcp.ok) {
      const x = explainTcp(tcp.code, o.host, o.port, timeoutMs);
      items.add({ id: "tcp", group: "transport", title: `TCP connection to ${o.host}:${o.port}`, status: "fail", summary: x.summary, advice: x.advice });
      skipRest("no TCP connection");
      return finish();
    }
    report.target.address = tcp.address;
    items.add({ id: "tcp", group: "transport", title: `TCP connection to ${o.host}:${o.port}`, status: "pass", summary: `connected to ${tcp.address} in ${tcp.ms} ms`, durationMs: tcp.ms });

    // --- TLS versions (Node tls, looking only)
    const probes = await probeVersions({ host: o.host, port: o.port, servername: o.servername, timeoutMs });
    report.tlsVersions = probes.map(({ chain: _c, ...p }) => p);
    versionItems(items, probes);

    // --- the peer's certificate, as sent in the best version it accepts
    const withChain = probes.find((p) => p.chain.length > 0);
    if (withChain && trust) {
      const a = analyseCertificate(items, withChain.chain, trust, o.servername, now(), SDK_BUILD_DATE);
      report.peerCertificates = a.chain;
    } else if (withChain) {
      const a = analyseCertificate(items, withChain.chain, { anchors: [], crls: [], revocation: "off" }, o.servername, now(), SDK_BUILD_DATE);
      report.peerCertificates = a.chain;
      const t = items.items.findIndex((i) => i.id === "certificate-trust");
      items.items.splice(t, 1);
      items.skip("certificate-trust", "certificate", "Trusted by our trust store", "no trust store");
    } else {
      for (const id of ["certificate-chain", "certificate-trust", "certificate-name"]) skipOne(id, "the peer sent no certificate to any probe");
    }

    // --- our mutual-TLS handshake
    if (!store) {
      skipRest("no certificate store");
      return finish();
    }
    const core = o.core ?? (await sharedCore().catch(() => undefined));
    let lastTlsError: { code?: string; alert?: string; direction?: string; message?: string } | undefined;
    const open = async (): Promise<MtlsSocket> => {
      const s = await connectMtls({
        host: o.host, port: o.port, servername: o.servername, store: store!, identity, policy: { handshakeTimeoutMs: timeoutMs }, now,
        ...(core ? { core } : {}),
      });
      sockets.push(s);
      s.on("error", (e: unknown) => {
        lastTlsError = e as typeof lastTlsError;
      });
      return s;
    };
    const th = performance.now();
    let link: MtlsSocket;
    try {
      link = await open();
    } catch (e) {
      const x = explainHandshake(e, { servername: o.servername, gatewayFqdn: report.gateway.fqdn ?? undefined, timeoutMs });
      items.add({ id: "tls-handshake", group: "tls", title: "Mutual TLS handshake (our stack)", status: "fail", summary: x.summary, advice: x.advice, durationMs: elapsedMs(th) });
      if (x.clientCertRefused) {
        items.add({ id: "client-certificate-request", group: "tls", title: "Peer asks for our certificate", status: "pass", summary: "yes (it then refused it)" });
        items.add({ id: "client-certificate-accepted", group: "tls", title: "Peer accepts our certificate", status: "fail", summary: `refused: alert ${x.clientCertRefused} received`, advice: x.advice });
      }
      skipRest("the TLS handshake failed");
      return finish();
    }
    const requested = link.signatureScheme !== "";
    report.negotiated = {
      version: link.version, suite: link.suite, group: link.group, peerSignatureScheme: link.peerSignatureScheme, signatureScheme: link.signatureScheme,
      helloRetryRequest: link.helloRetryRequest, clientCertificateRequested: requested,
    };
    items.add({
      id: "tls-handshake", group: "tls", title: "Mutual TLS handshake (our stack)", status: "pass", durationMs: elapsedMs(th),
      summary: `${link.version}, ${link.suite}, group ${link.group}${link.helloRetryRequest ? " (after a HelloRetryRequest)" : ""}, peer signature ${link.peerSignatureScheme}`,
    });
    if (requested) {
      items.add({ id: "client-certificate-request", group: "tls", title: "Peer asks for our certificate", status: "pass", summary: `yes: we sent our chain and signed with ${link.signatureScheme}` });
      // The peer's verdict on our certificate, whether or not SIP answers later (which may confirm it).
      const w = await watchLink(link, Math.min(POST_HANDSHAKE_WAIT_MS, timeoutMs), () => lastTlsError);
      const title = "Peer accepts our certificate";
      if (w.alert) {
        items.add({
          id: "client-certificate-accepted", group: "tls", title, status: "fail", durationMs: w.waitedMs,
          summary: `refused: alert ${w.alert} received ${w.waitedMs} ms after the handshake`,
          advice: explainClientCertAlert(w.alert, report.gateway.fqdn ?? undefined),
        });
      } else if (w.closed) {
        items.add({
          id: "client-certificate-accepted", group: "tls", title, status: "fail", durationMs: w.waitedMs,
          summary: `not accepted: the peer closed the link right after the handshake, without an alert and without answering (${w.waitedMs} ms after it)`,
          advice: `most likely the peer refused the gateway's certificate (Windows and Node.js servers close without an alert): ${explainClientCertAlert("unknown_ca", report.gateway.fqdn ?? undefined)}; and ${explainClientCertAlert("bad_certificate", report.gateway.fqdn ?? undefined)}`,
        });
      } else {
        items.add({
          id: "client-certificate-accepted", group: "tls", title, status: "pass", durationMs: w.waitedMs,
          summary: `accepted: no alert in the ${w.waitedMs} ms after the handshake, and the link stays open`,
        });
      }
      if (w.alert || w.closed) {
        // The link is gone and a new one would be refused the same way: SIP cannot be tried.
        skipRest(`the peer ${w.alert ? `refused our certificate (alert ${w.alert})` : "closed the link right after the handshake"}: see client-certificate-accepted`);
        return finish();
      }
    } else {
      items.add({
        id: "client-certificate-request", group: "tls", title: "Peer asks for our certificate", status: "warn",
        summary: "no: the peer did not request a client certificate, so the link is not mutual TLS and the gateway was not authenticated",
        advice: "a Mediation Server always asks for the gateway's certificate on its TLS gateway port: check that this is the Mediation Server (not a proxy or another TLS service) and that the trunk is configured for TLS with the gateway's FQDN",
      });
    }

    // --- SIP over the link
    const gwFqdn = report.gateway.fqdn ?? "gateway.invalid";
    sip = new SipProbe({
      host: o.host, port: o.port, servername: o.servername, localFqdn: gwFqdn, localAddress: link.localAddress ?? "0.0.0.0", socket: link as Duplex,
      reconnect: () => open(), lastTlsError: () => lastTlsError, timeoutMs, answerTimeoutMs: o.answerTimeoutMs ?? 30000,
      userAgent: `gwsdk-conformance/${report.tool.version}`, gatewayFqdn: report.gateway.fqdn ?? undefined, clientCertRequested: requested,
    });
    await sip.start();
    report.sipOptions = await sip.options(items);
    if (!o.call) {
      skipRest("not requested (--call)");
    } else if (report.sipOptions.status === null) {
      skipRest("SIP does not work over the link");
    } else {
      const { provider, name } = srtpFor(core);
      report.call = await sip.call(items, { to: o.to ?? "+15555550100", from: o.from ?? "+15555550199", seconds: o.callSeconds ?? 3, srtp: provider, srtpName: name });
    }
    return finish();
  } finally {
    await sip?.close();
    for (const s of sockets) s.destroy();
    sockets = [];
    if (ownStore) store?.close();
  }

  function skipOne(id: string, why: string): void {
    if (items.get(id)) return;
    const [group, title] = TITLES[id]!;
    items.skip(id, group, title, why);
  }

  /** Every item not run yet is skipped with this reason. */
  function skipRest(why: string): void {
    for (const id of ORDER) if (TITLES[id]) skipOne(id, why);
  }

  function finish(): PeerConformanceReport {
    const rank = (id: string) => {
      const i = ORDER.indexOf(id);
      return i < 0 ? ORDER.length : i;
    };
    report.items = [...items.items].sort((a, b) => rank(a.id) - rank(b.id));
    const count = (v: Verdict) => report.items.filter((i) => i.status === v).length;
    report.summary = { status: worstVerdict(report.items.map((i) => i.status)), pass: count("pass"), warn: count("warn"), fail: count("fail"), skip: count("skip") };
    report.durationMs = elapsedMs(t0);
    return report;
  }
}
