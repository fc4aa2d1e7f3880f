// SIP over the probe's mutual-TLS link: one OPTIONS round trip, and with --call an INVITE with an
// SDES offer in the Skype for Business form, media both ways for a few seconds, then BYE. Uses the
// SDK's own SIP endpoint (host/sip), SDP negotiator and media session (host/media).
import type { Duplex } from "node:stream";
import { SipEndpoint } from "../../sip/endpoint.js";
import { GatewayCall } from "../../media/gateway-call.js";
import { SimPstnPort, ToneSource } from "../../media/pstn.js";
import type { SrtpProvider } from "../../media/srtp-provider.js";
import type { MediaStats } from "../../media/session.js";
import type { SipResponse } from "../../sip/message.js";
import type { OutgoingCall } from "../../sip/call.js";
import { CLIENT_CERT_REFUSAL_ALERTS, explainClientCertAlert } from "./explain.js";
import type { ItemList } from "./items.js";

export interface SipOptionsResult {
  status: number | null;
  reason: string | null;
  responseMs: number | null;
  server: string | null;
  userAgent: string | null;
  /** Allow header, when sent. */
  allow: string | null;
  error: string | null;
}

export interface CallResult {
  to: string;
  from: string;
  /** Final status of the INVITE, when one came. */
  status: number | null;
  answerMs: number | null;
  /** The answer's m= profile (RTP/SAVP...). */
  answerProtocol: string | null;
  /** The answer's a=crypto lines with the key material replaced by "<key>". */
  answerCrypto: string[];
  /** SRTP profile and MKI our side settled on. */
  profile: string | null;
  mki: boolean | null;
  /** Which SRTP implementation protected our side's media. */
  srtpProvider: string;
  seconds: number;
  stats: Pick<MediaStats, "rtpSent" | "rtpReceived" | "lost" | "jitterMs" | "authFailures" | "replays" | "mkiUnknown" | "malformed" | "rtcpSent" | "rtcpReceived" | "rtcpAuthFailures"> | null;
  byeStatus: "ok" | "failed" | null;
  error: string | null;
}

export interface SipProbeContext {
  host: string;
  port: number;
  servername: string;
  /** Our FQDN (Via, Contact, From of OPTIONS): the gateway identity's. */
  localFqdn: string;
  localAddress: string;
  /** The open link for the first request; later connections through `reconnect`. */
  socket: Duplex;
  reconnect: () => Promise<Duplex>;
  /** The last TLS error seen on any link of this probe (an alert from the peer, typically). */
  lastTlsError: () => { code?: string; alert?: string; direction?: string; message?: string } | undefined;
  timeoutMs: number;
  answerTimeoutMs: number;
  userAgent: string;
  gatewayFqdn: string | undefined;
  /** Whether the peer asked for our certificate (from the handshake). */
  clientCertRequested: boolean;
}

/** Redacts the key material of an a=crypto line: inline:<base64>|... → inline:<key>|... */
export function redactCrypto(line: string): string {
  return line.replace(/inline:[^|\s]+/g, "inline:<key>");
}

export class SipProbe {
  readonly endpoint: SipEndpoint;
  private used = false;

  constructor(private readonly ctx: SipProbeContext) {
    this.endpoint = new SipEndpoint({
      local: { host: ctx.localFqdn, port: 5067, transport: "TLS" },
      pool: { fqdn: ctx.servername, port: ctx.port, resolve: async () => [ctx.host] },
      connect: async () => {
        if (!this.used) {
          this.used = true;
          return ctx.socket;
        }
        return ctx.reconnect();
      },
      connectTimeoutMs: ctx.timeoutMs,
      timers: { timerB: Math.max(ctx.timeoutMs, 1000), timerF: Math.max(ctx.timeoutMs, 1000), inviteTimeout: ctx.answerTimeoutMs },
      health: false,
      userAgent: ctx.userAgent,
    });
  }

  async start(): Promise<void> {
    await this.endpoint.start();
  }

  private member() {
    return { host: this.ctx.host, port: this.ctx.port };
  }

  /** The OPTIONS round trip; adds sip-options and client-certificate-accepted. */
  async options(items: ItemList): Promise<SipOptionsResult> {
    const t0 = performance.now();
    const out: SipOptionsResult = { status: null, reason: null, responseMs: null, server: null, userAgent: null, allow: null, error: null };
    let res: SipResponse | undefined;
    let errCode: string | undefined;
    try {
      res = await this.endpoint.options(this.member(), this.ctx.timeoutMs);
    } catch (e) {
      errCode = (e as { code?: string }).code;
      out.error = `${errCode ?? "ERR"}: ${(e as Error).message}`;
    }
    const ms = Math.round(performance.now() - t0);
    const tlsErr = this.ctx.lastTlsError();
    const refusedAlert = tlsErr?.direction === "received" && tlsErr.alert && CLIENT_CERT_REFUSAL_ALERTS.has(tlsErr.alert) ? tlsErr.alert : undefined;
    // closed under the transaction (not a timeout), no alert, never a byte of answer
    const closedSilently = !res && !tlsErr && errCode === "ERR_SIP_TRANSPORT" && ms < this.ctx.timeoutMs;
    // client certificate accepted? The watch after the handshake gave a first verdict (index.ts); the
    // first protected exchange confirms or overrides it: an answer proves acceptance, and a TLS 1.3
    // peer that refuses a certificate after our Finished sends an alert in place of an answer.
    const earlier = items.get("client-certificate-accepted");
    if (this.ctx.clientCertRequested) {
      if (res) {
        items.set({ id: "client-certificate-accepted", group: "tls", title: "Peer accepts our certificate", status: "pass", summary: "accepted: the peer answered over the mutually authenticated link" });
      } else if (refusedAlert) {
        if (earlier?.status === "fail") {
          // already said (the same alert, seen while watching the link)
        } else items.set({
          id: "client-certificate-accepted", group: "tls", title: "Peer accepts our certificate", status: "fail",
          summary: `refused: alert ${refusedAlert} received after the handshake`,
          advice: explainClientCertAlert(refusedAlert, this.ctx.gatewayFqdn),
        });
      } else if (earlier) {
        // no new evidence: the verdict of the watch after the handshake stands
      } else if (closedSilently) {
        items.add({
          id: "client-certificate-accepted", group: "tls", title: "Peer accepts our certificate", status: "fail",
          summary: "not accepted: the peer closed the link right after the handshake, without an alert and without answering",
          advice: `most likely the peer refused the gateway's certificate (Windows and Node.js servers close without an alert): ${explainClientCertAlert("unknown_ca", this.ctx.gatewayFqdn)}; and ${explainClientCertAlert("bad_certificate", this.ctx.gatewayFqdn)}`,
        });
      } else {
        items.skip("client-certificate-accepted", "tls", "Peer accepts our certificate", "no answer over the link to tell (see sip-options)");
      }
    } else if (!earlier) {
      items.skip("client-certificate-accepted", "tls", "Peer accepts our certificate", "the peer did not ask for it");
    }
    if (res) {
      out.status = res.status;
      out.reason = res.reason;
      out.responseMs = ms;
      out.server = res.get("Server") ?? null;
      out.userAgent = res.get("User-Agent") ?? null;
      out.allow = res.get("Allow") ?? null;
      const who = out.server ?? out.userAgent;
      const line = `${res.status} ${res.reason} in ${ms} ms${who ? `; ${out.server ? "Server" : "User-Agent"}: ${who}` : "; no Server/User-Agent header"}`;
      if (res.status >= 200 && res.status < 300) {
        items.add({ id: "sip-options", group: "sip", title: "SIP OPTIONS round trip", status: "pass", summary: line, durationMs: ms });
      } else if (res.status < 500) {
        items.add({
          id: "sip-options", group: "sip", title: "SIP OPTIONS round trip", status: "warn", summary: line, durationMs: ms,
          advice: `SIP works over the link, but the peer refused the OPTIONS: ${res.status === 403 || res.status === 404 ? `check that the gateway is defined in the topology as ${this.ctx.localFqdn} (our Via/Contact/From name) and that --servername is the pool FQDN` : "see the status"}`,
        });
      } else {
        items.add({
          id: "sip-options", group: "sip", title: "SIP OPTIONS round trip", status: "fail", summary: line, durationMs: ms,
          advice: "the peer's SIP service answers with a server error: a Mediation Server answers 5xx when it is starting, draining or cannot reach its pool's front end; check its service state",
        });
      }
    } else {
      const closedByAlert = refusedAlert ? `the link closed with alert ${refusedAlert} from the peer` : tlsErr?.alert ? `the link closed with alert ${tlsErr.alert}` : undefined;
      items.add({
        id: "sip-options", group: "sip", title: "SIP OPTIONS round trip", status: "fail", durationMs: ms,
        summary: `no answer: ${closedByAlert ?? out.error ?? "unknown error"}`,
        advice: refusedAlert
          ? explainClientCertAlert(refusedAlert, this.ctx.gatewayFqdn)
          : closedSilently
            ? "the peer closed the link without answering: see client-certificate-accepted"
          : `the peer did not answer OPTIONS within ${this.ctx.timeoutMs} ms: check that it is the Mediation Server's gateway listener (SIP over TLS) and that its service runs`,
      });
      out.error ??= closedByAlert ?? null;
    }
    return out;
  }

  /** INVITE with an SDES offer, media for `seconds`, BYE; adds the call-* items. */
  async call(items: ItemList, p: { to: string; from: string; seconds: number; srtp: SrtpProvider; srtpName: string }): Promise<CallResult> {
    const r: CallResult = {
      to: p.to, from: p.from, status: null, answerMs: null, answerProtocol: null, answerCrypto: [], profile: null, mki: null, srtpProvider: p.srtpName,
      seconds: p.seconds, stats: null, byeStatus: null, error: null,
    };
    const t0 = performance.now();
    let call: GatewayCall;
    try {
      call = await GatewayCall.place(this.endpoint, { to: p.to, from: p.from }, {
        srtp: p.srtp,
        pstn: new SimPstnPort(new ToneSource(1004)), // the 1004 Hz test tone of telephony
        bindAddress: this.ctx.localAddress,
        advertiseAddress: this.ctx.localAddress,
        srtpMode: "required",
      });
    } catch (e) {
      const err = e as { code?: string; status?: number; message?: string };
      r.error = `${err.code ?? "ERR"}: ${err.message ?? String(e)}`;
      if (typeof err.status === "number") r.status = err.status;
      items.add({
        id: "call-answer", group: "call", title: "INVITE with SDES offer answered", status: "fail", durationMs: Math.round(performance.now() - t0),
        summary: r.status !== null ? `the peer refused the call: ${r.status}` : `no call: ${r.error}`,
        advice:
          r.status === 404 || r.status === 484
            ? `the number ${p.to} is not routable: use --to with a number that answers (an IVR or a test user)`
            : r.status === 488 || err.code?.startsWith("ERR_SDP")
              ? "the peer did not accept our SDES offer (AES_CM_128_HMAC_SHA1_80 with a 1-byte MKI, RTP/SAVP): check the trunk's SRTPMode and the Mediation Server's encryption level"
              : r.status !== null && r.status >= 500
                ? "the peer could not route the call: check its dial plan / routes to the gateway"
                : "see the message",
      });
      for (const [id, title] of [["call-media", "SRTP media both ways"], ["call-auth", "No SRTP authentication failures"], ["call-bye", "BYE"]] as const) {
        items.skip(id, "call", title, "no call");
      }
      return r;
    }
    r.answerMs = Math.round(performance.now() - t0);
    let answer = "";
    try {
      const res = await (call.sip as OutgoingCall).result;
      r.status = res.status;
      answer = res.bodyText();
    } catch {
      /* answered already: place() resolved */
    }
    const lines = answer.split(/\r?\n/);
    r.answerProtocol = /^m=audio \d+ (\S+)/m.exec(answer)?.[1] ?? null;
    r.answerCrypto = lines.filter((l) => l.startsWith("a=crypto:")).map(redactCrypto);
    const first = r.answerCrypto[0];
    if (first) {
      r.profile = /^a=crypto:\d+ (\S+)/.exec(first)?.[1] ?? null;
      r.mki = /\|\d+:\d+/.test(first);
    }
    items.add({
      id: "call-answer", group: "call", title: "INVITE with SDES offer answered", status: r.answerCrypto.length ? "pass" : "fail", durationMs: r.answerMs,
      summary: `${r.status ?? "2xx"} after ${r.answerMs} ms; answer ${r.answerProtocol ?? "?"}${r.answerCrypto.length ? `, ${r.answerCrypto.join(" / ")}` : ", no a=crypto line"}`,
      ...(r.answerCrypto.length ? {} : { advice: "the peer answered without SDES keys: its media would be unencrypted; set the trunk's SRTPMode to Required" }),
    });

    // media both ways for a few seconds
    await new Promise((res) => setTimeout(res, p.seconds * 1000));
    const s = call.stats();
    r.stats = {
      rtpSent: s.rtpSent, rtpReceived: s.rtpReceived, lost: s.lost, jitterMs: s.jitterMs, authFailures: s.authFailures, replays: s.replays, mkiUnknown: s.mkiUnknown,
      malformed: s.malformed, rtcpSent: s.rtcpSent, rtcpReceived: s.rtcpReceived, rtcpAuthFailures: s.rtcpAuthFailures,
    };
    const media = `sent ${s.rtpSent}, received ${s.rtpReceived} SRTP packets in ${p.seconds} s (lost ${s.lost}, jitter ${s.jitterMs.toFixed(1)} ms); SRTCP sent ${s.rtcpSent}, received ${s.rtcpReceived}; our SRTP: ${p.srtpName}`;
    if (s.rtpSent > 0 && s.rtpReceived > 0) items.add({ id: "call-media", group: "call", title: "SRTP media both ways", status: "pass", summary: media });
    else {
      items.add({
        id: "call-media", group: "call", title: "SRTP media both ways", status: "fail", summary: media,
        advice:
          s.rtpReceived === 0
            ? `no media arrived from the peer: UDP from the Mediation Server's media ports to ${this.ctx.localAddress} is blocked (firewall/NAT), or the peer sends to another address; check the c= address we offered`
            : "we sent no media: the gateway's media path did not start",
      });
    }
    const bad = s.authFailures + s.rtcpAuthFailures + s.mkiUnknown;
    items.add({
      id: "call-auth", group: "call", title: "No SRTP authentication failures",
      status: bad === 0 ? (s.rtpReceived > 0 ? "pass" : "skip") : "fail",
      summary: `${s.authFailures} SRTP and ${s.rtcpAuthFailures} SRTCP authentication failures, ${s.mkiUnknown} packets with an unknown MKI, ${s.replays} replays`,
      ...(bad
        ? { advice: "the peer's packets do not authenticate with the keys of its SDP answer: an MKI mismatch (the peer must put the 1-byte MKI in every packet when it answers |2^31|1:1) or a key it did not announce" }
        : {}),
    });

    const tb = performance.now();
    try {
      await call.hangup();
      r.byeStatus = "ok";
      items.add({ id: "call-bye", group: "call", title: "BYE", status: "pass", summary: `the call ended cleanly (${Math.round(performance.now() - tb)} ms)` });
    } catch (e) {
      r.byeStatus = "failed";
      items.add({ id: "call-bye", group: "call", title: "BYE", status: "warn", summary: `BYE failed: ${(e as Error).message}`, advice: "the peer may keep the call until its own timers end it" });
    }
    return r;
  }

  async close(): Promise<void> {
    await this.endpoint.close().catch(() => undefined);
  }
}
