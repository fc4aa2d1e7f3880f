// The Mediation Server pool simulator: pool members on loopback, each a MediationPeer (Skype-style
// SIP/SDP, node-srtp media) behind Node's `tls` (OpenSSL) with requestCert + rejectUnauthorized,
// as a Skype for Business Mediation Server runs mutual TLS on 5067. The gateway's side of every
// link is our own TLS, so each link cross-checks two TLS implementations; each call cross-checks
// two SRTP implementations (the core against node-srtp) and two SDP codes.
//
//   const pool = new MediationPool({ names, tls: { key, cert, ca } });
//   await pool.listen();                       // members get ephemeral ports: pool.members[i].port
//   ...boot the gateway with those ports...
//   pool.connectGateway({ fqdn, address, port });   // OPTIONS towards the gateway, calls to it
//   const call = await pool.call(0, "+14255550100", "+12065550100");
//   await pool.stopMember(0);                  // a member crashes (failover)
import { EventEmitter } from "node:events";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { MediationPeer, type MediationPeerOptions, type PeerCall } from "./peer.js";
import type { SipTimers } from "../../sip/timers.js";
import type { AudioSource, SimPstnPort } from "../../media/pstn.js";
import type { CryptoStyle } from "./skype-sdp.js";

export interface MediationPoolTls {
  /** PEM private key of the pool certificate. */
  key: string;
  /** PEM chain: the pool certificate (CN = pool FQDN, SAN = pool + members), then its CA. */
  cert: string;
  /** PEM roots trusted for the gateway's certificate (the enterprise CA). */
  ca: string;
  /** What the pool offers; default TLS 1.2 to 1.3 (Skype for Business Server 2019). */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

/** How the members write SDP: the trunk's SRTPMode as the Mediation Server applies it. */
export type PoolSrtpMode = "required" | "optional" | "notSupported";

export interface MediationPoolOptions {
  names: { pool: string; members: string[] };
  tls: MediationPoolTls;
  /** Listen address of every member (default 127.0.0.1). */
  address?: string;
  srtpMode?: PoolSrtpMode;
  /** Offer keys with the MKI (Skype's `|2^31|1:1` form, default) or without. */
  mki?: boolean;
  /** OPTIONS towards the gateway every this many ms (default 5000; 0: never). */
  optionsIntervalMs?: number;
  rtcpIntervalMs?: number;
  timers?: Partial<SipTimers>;
  /** Audio the members play into calls (default a 440 Hz tone). */
  source?: () => AudioSource;
  /** The PSTN side of each member call (default a SimPstnPort playing `source`). */
  pstn?: (source: AudioSource) => SimPstnPort;
  /** Receives every TLS secret OpenSSL logs (SSLKEYLOGFILE lines, with newline). */
  keylog?: (line: string) => void;
}

/** One TLS link as OpenSSL (the pool side) saw it. */
export interface PoolLinkView {
  member: string;
  /** From the gateway's point of view: "outbound" = the gateway connected to the member. */
  direction: "outbound" | "inbound";
  version: string | null;
  suite: string | null;
  /** OpenSSL's name of the key-exchange group, when it says (client side only). */
  group: string | null;
  peerSubject: string | null;
  localPort: number | undefined;
  remotePort: number | undefined;
}

export interface PoolMember {
  index: number;
  fqdn: string;
  port: number;
  running: boolean;
  /** Stopped by stopMember() (a crash), as opposed to the pool's orderly close(). */
  crashed: boolean;
  peer: MediationPeer | undefined;
  server: tls.Server;
  sockets: Set<tls.TLSSocket>;
  /** Connections accepted before the gateway was known (flushed by connectGateway). */
  waiting: tls.TLSSocket[];
  optionsTimer?: NodeJS.Timeout;
}

export interface MediationPoolEvents {
  call: [member: PoolMember, call: PeerCall];
  link: [view: PoolLinkView];
  /** A connection refused by OpenSSL or by the gateway-name check. */
  refused: [member: string, reason: string];
}

function peerSubject(s: tls.TLSSocket): string | null {
  const c = s.getPeerCertificate();
  return c && c.subject ? `CN=${String(c.subject.CN)}` : null;
}

export class MediationPool extends EventEmitter<MediationPoolEvents> {
  readonly members: PoolMember[] = [];
  readonly linkViews: PoolLinkView[] = [];
  private readonly o: MediationPoolOptions;
  private gateway: { fqdn: string; address: string; port: number } | undefined;

  constructor(o: MediationPoolOptions) {
    super();
    this.o = o;
  }

  private secureContextOptions(): tls.SecureContextOptions {
    const t = this.o.tls;
    return { key: t.key, cert: t.cert, ca: t.ca, minVersion: t.minVersion ?? "TLSv1.2", maxVersion: t.maxVersion ?? "TLSv1.3" };
  }

  /** Starts every member's TLS listener on an ephemeral port. */
  async listen(): Promise<void> {
    const address = this.o.address ?? "127.0.0.1";
    for (const [index, fqdn] of this.o.names.members.entries()) {
      const server = tls.createServer({ ...this.secureContextOptions(), requestCert: true, rejectUnauthorized: true });
      const m: PoolMember = { index, fqdn, port: 0, running: true, crashed: false, peer: undefined, server, sockets: new Set(), waiting: [] };
      server.on("secureConnection", (s) => this.onInbound(m, s));
      server.on("tlsClientError", (e) => this.emit("refused", fqdn, (e as { code?: string }).code ?? e.message));
      if (this.o.keylog) server.on("keylog", (line) => this.o.keylog!(line.toString()));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, address, () => {
          server.off("error", reject);
          resolve();
        });
      });
      m.port = (server.address() as { port: number }).port;
      this.members.push(m);
    }
  }

  private onInbound(m: PoolMember, s: tls.TLSSocket): void {
    // The Mediation Server accepts a gateway only under the FQDN Topology Builder has for it.
    const gw = this.gateway?.fqdn;
    if (gw && tls.checkServerIdentity(gw, s.getPeerCertificate()) !== undefined) {
      this.emit("refused", m.fqdn, `the client certificate does not name ${gw}`);
      s.destroy();
      return;
    }
    if (!m.running) {
      s.destroy();
      return;
    }
    m.sockets.add(s);
    s.on("close", () => m.sockets.delete(s));
    s.on("error", () => undefined);
    const view: PoolLinkView = { member: m.fqdn, direction: "outbound", version: s.getProtocol(), suite: s.getCipher()?.standardName ?? null, group: null, peerSubject: peerSubject(s), localPort: s.localPort, remotePort: s.remotePort };
    this.linkViews.push(view);
    this.emit("link", view);
    if (m.peer) this.adopt(m, s);
    else m.waiting.push(s);
  }

  private adopt(m: PoolMember, s: tls.TLSSocket): void {
    m.peer!.endpoint.accept(s, s.remoteAddress && s.remotePort ? { host: s.remoteAddress, port: s.remotePort } : undefined);
  }

  /** Our client connection to the gateway's TLS listener (OpenSSL, verifying the gateway's FQDN). */
  private connectToGateway(m: PoolMember): Promise<Duplex> {
    const gw = this.gateway;
    if (!gw || !m.running) return Promise.reject(new Error(`${m.fqdn} is not running`));
    return new Promise((resolve, reject) => {
      const s = tls.connect({ ...this.secureContextOptions(), host: gw.address, port: gw.port, servername: gw.fqdn, rejectUnauthorized: true });
      if (this.o.keylog) s.on("keylog", (line) => this.o.keylog!(line.toString()));
      s.once("secureConnect", () => {
        s.off("error", reject);
        s.on("error", () => undefined);
        m.sockets.add(s);
        s.on("close", () => m.sockets.delete(s));
        const eph = s.getEphemeralKeyInfo() as { name?: string } | null;
        const view: PoolLinkView = { member: m.fqdn, direction: "inbound", version: s.getProtocol(), suite: s.getCipher()?.standardName ?? null, group: eph?.name ?? null, peerSubject: peerSubject(s), localPort: s.localPort, remotePort: s.remotePort };
        this.linkViews.push(view);
        this.emit("link", view);
        resolve(s);
      });
      s.once("error", reject);
    });
  }

  private peerOptions(m: PoolMember): MediationPeerOptions {
    const mode = this.o.srtpMode ?? "required";
    const mki = this.o.mki ?? true;
    const crypto: CryptoStyle = mode === "notSupported" ? "none" : mki ? "both" : "no-mki";
    return {
      host: m.fqdn,
      port: m.port,
      mediaAddress: this.o.address ?? "127.0.0.1",
      crypto,
      // "Optional" SRTP is offered as RTP/AVP with a=crypto (the Microsoft convention).
      protocol: mode === "required" ? "RTP/SAVP" : "RTP/AVP",
      answer: { acceptPlain: mode !== "required" },
      gateway: { host: this.gateway!.fqdn, port: this.gateway!.port },
      connect: () => this.connectToGateway(m),
      sendStun: true,
      ...(this.o.timers ? { timers: this.o.timers } : {}),
      ...(this.o.rtcpIntervalMs ? { rtcpIntervalMs: this.o.rtcpIntervalMs } : {}),
      ...(this.o.source ? { source: this.o.source } : {}),
      ...(this.o.pstn ? { pstn: this.o.pstn } : {}),
    };
  }

  /** The gateway is up: members can call it and probe it with OPTIONS. */
  connectGateway(gw: { fqdn: string; address: string; port: number }): void {
    this.gateway = gw;
    for (const m of this.members) {
      if (!m.running) continue;
      m.peer = new MediationPeer(this.peerOptions(m));
      m.peer.on("call", (c) => this.emit("call", m, c));
      for (const s of m.waiting.splice(0)) this.adopt(m, s);
      const every = this.o.optionsIntervalMs ?? 5000;
      if (every > 0) {
        void m.peer.endpoint.probeAll();
        m.optionsTimer = setInterval(() => void m.peer?.endpoint.probeAll(), every);
        m.optionsTimer.unref?.();
      }
    }
  }

  /** Member `index` calls the gateway; resolves once answered (media running). */
  call(index: number, to: string, from: string): Promise<PeerCall> {
    const m = this.members[index];
    if (!m?.peer || !m.running) return Promise.reject(new Error(`pool member ${index} is not running`));
    return m.peer.call(to, from);
  }

  /** Every call a member has (both directions). */
  calls(index?: number): PeerCall[] {
    return this.members.filter((m) => index === undefined || m.index === index).flatMap((m) => m.peer?.calls ?? []);
  }

  /** The member's call with this SIP Call-ID. */
  findCall(callId: string): { member: PoolMember; call: PeerCall } | undefined {
    for (const m of this.members) {
      const call = m.peer?.calls.find((c) => c.sip.callId === callId);
      if (call) return { member: m, call };
    }
    return undefined;
  }

  /**
   * Stops a member the way a crash or a power cut does: its listener and TLS connections go away at
   * once, no BYE is sent, and its media stops.
   */
  async stopMember(index: number): Promise<void> {
    const m = this.members[index];
    if (!m || !m.running) return;
    m.running = false;
    m.crashed = true;
    if (m.optionsTimer) clearInterval(m.optionsTimer);
    const closed = new Promise<void>((r) => m.server.close(() => r()));
    for (const s of [...m.sockets, ...m.waiting]) s.destroy();
    m.sockets.clear();
    await closed;
    if (m.peer) await m.peer.close().catch(() => undefined);
  }

  /** Hangs up every call, then stops every member. */
  async close(): Promise<void> {
    for (const m of this.members) {
      if (m.optionsTimer) clearInterval(m.optionsTimer);
      if (m.running && m.peer) await m.peer.close().catch(() => undefined);
      m.running = false;
      const closed = new Promise<void>((r) => m.server.close(() => r()));
      for (const s of [...m.sockets, ...m.waiting]) s.destroy();
      await closed;
    }
  }
}
