// A minimal Mediation Server pool member for tests and the simulator: a SIP UAS/UAC on any server
// socket (plain `net` in tests; Node `tls` with requestCert/rejectUnauthorized in the simulator),
// OPTIONS answered (and probing when given a gateway), calls both ways with Skype for Business-style
// SDP, and media protected by its own SRTP (node-srtp, independent of the gateway's core).
import { EventEmitter } from "node:events";
import type { Server } from "node:net";
import type { Duplex } from "node:stream";
import { SipEndpoint } from "../../sip/endpoint.js";
import type { IncomingCall, SipCall } from "../../sip/call.js";
import type { SipTimers } from "../../sip/timers.js";
import { MediaSession } from "../../media/session.js";
import { SimPstnPort, ToneSource, type AudioSource } from "../../media/pstn.js";
import type { SrtpProvider } from "../../media/srtp-provider.js";
import { nodeSrtp } from "./node-srtp.js";
import { mediaForAnswer, newPeerKey, skypeAnswer, skypeOffer, type CryptoStyle, type PeerKey, type SkypeSdpOptions } from "./skype-sdp.js";
import type { NegotiatedMedia } from "../../sdp/negotiator.js";

export interface MediationPeerOptions {
  /** SIP host name (default "ms1.pool.example.com"). */
  host?: string;
  port?: number;
  srtp?: SrtpProvider;
  mediaAddress?: string;
  /** How our offers list the key (default "both", MKI first). */
  crypto?: CryptoStyle;
  protocol?: "RTP/SAVP" | "RTP/AVP";
  encryption?: "required" | "optional" | "rejected";
  /** Answering the gateway's offers. */
  answer?: {
    /** Answer with the same key twice (with and without MKI), as Microsoft sometimes does. */
    bothForms?: boolean;
    /** Accept an offer without crypto (plain RTP). */
    acceptPlain?: boolean;
    /** Send 183 with the answer first (default true). */
    earlyMedia?: boolean;
    delayMs?: number;
    /** Reject every INVITE with this status. */
    reject?: number;
  };
  /** The gateway's listener, for calls towards it and OPTIONS probes. */
  gateway?: { host: string; port: number };
  connect?: (m: { host: string; port: number }) => Promise<Duplex>;
  timers?: Partial<SipTimers>;
  rtcpIntervalMs?: number;
  /** Send a STUN indication to the gateway's media port when media starts (as SfB does). */
  sendStun?: boolean;
  /** Audio the peer plays into calls (default a 440 Hz tone). */
  source?: () => AudioSource;
  /** The PSTN side of each call (default a SimPstnPort playing `source`). */
  pstn?: (source: AudioSource) => SimPstnPort;
}

export class PeerCall {
  constructor(
    readonly sip: SipCall,
    readonly media: MediaSession,
    readonly pstn: SimPstnPort,
    public key: PeerKey,
    private readonly peer: MediationPeer,
    private lines: { tag: number; mki: boolean }[],
  ) {}

  /** Re-INVITE with a new key (`mkiOnly`: the same key, a new MKI value). */
  async rekey(opts: { mkiOnly?: boolean } = {}): Promise<NegotiatedMedia> {
    this.key = opts.mkiOnly ? { ...this.key, mkiValue: ((this.key.mkiValue ?? 1) % 255) + 1 } : { ...newPeerKey(), mkiValue: ((this.key.mkiValue ?? 1) % 255) + 1 };
    const o = skypeOffer(this.peer.sdpOptions(this.media), this.key);
    this.lines = o.lines;
    const res = await this.sip.reinvite(o.sdp);
    const m = mediaForAnswer(res.bodyText(), this.lines, this.key);
    this.media.configure(m);
    return m;
  }

  async hangup(): Promise<void> {
    await this.sip.hangup().catch(() => undefined);
    await this.media.close();
  }
}

export interface MediationPeerEvents {
  call: [c: PeerCall];
  /** An INVITE the peer refused (its SDP was not acceptable). */
  refused: [status: number];
}

export class MediationPeer extends EventEmitter<MediationPeerEvents> {
  readonly endpoint: SipEndpoint;
  readonly calls: PeerCall[] = [];
  private readonly opts: MediationPeerOptions;
  private readonly servers = new Set<Server>();

  constructor(opts: MediationPeerOptions = {}) {
    super();
    this.opts = opts;
    this.endpoint = new SipEndpoint({
      local: { host: opts.host ?? "ms1.pool.example.com", port: opts.port ?? 5067, transport: "TLS" },
      ...(opts.gateway ? { pool: { members: [opts.gateway] } } : {}),
      ...(opts.connect ? { connect: opts.connect } : {}),
      ...(opts.timers ? { timers: opts.timers } : {}),
      health: false,
      userAgent: "gwsdk-mediation-sim",
    });
    this.endpoint.on("invite", (inc) => void this.onInvite(inc).catch(() => undefined));
  }

  /** Serves SIP on a listening server (net: "connection"; tls: "secureConnection"). */
  attach(server: Server, event: "connection" | "secureConnection" = "connection"): void {
    this.servers.add(server);
    server.on(event, (s: Duplex & { remoteAddress?: string; remotePort?: number }) => {
      this.endpoint.accept(s, s.remoteAddress && s.remotePort ? { host: s.remoteAddress, port: s.remotePort } : undefined);
    });
  }

  sdpOptions(media: MediaSession): SkypeSdpOptions {
    return {
      address: this.opts.mediaAddress ?? "127.0.0.1",
      rtpPort: media.localRtpPort,
      rtcpPort: media.localRtcpPort,
      crypto: this.opts.crypto ?? "both",
      protocol: this.opts.protocol ?? "RTP/SAVP",
      ...(this.opts.encryption ? { encryption: this.opts.encryption } : {}),
    };
  }

  private async openMedia(): Promise<{ media: MediaSession; pstn: SimPstnPort }> {
    const source = this.opts.source ? this.opts.source() : new ToneSource(440);
    const pstn = this.opts.pstn ? this.opts.pstn(source) : new SimPstnPort(source);
    const media = await MediaSession.open({
      srtp: this.opts.srtp ?? nodeSrtp,
      pstn,
      bindAddress: this.opts.mediaAddress ?? "127.0.0.1",
      ...(this.opts.rtcpIntervalMs ? { rtcpIntervalMs: this.opts.rtcpIntervalMs } : {}),
      rekeyGraceMs: 2000,
    });
    return { media, pstn };
  }

  private startMedia(media: MediaSession, m: NegotiatedMedia): void {
    media.configure(m);
    if (this.opts.sendStun) media.sendStunKeepalive();
  }

  private async onInvite(inc: IncomingCall): Promise<void> {
    const a = this.opts.answer ?? {};
    if (a.reject) {
      inc.reject(a.reject);
      return;
    }
    const { media, pstn } = await this.openMedia();
    const key = newPeerKey();
    let ans: { sdp: string; media: NegotiatedMedia };
    try {
      ans = skypeAnswer(inc.offer, { ...this.sdpOptions(media), ...(a.bothForms ? { bothForms: true } : {}), ...(a.acceptPlain ? { acceptPlain: true } : {}) }, key);
    } catch (e) {
      const status = (e as { status?: number }).status ?? 488;
      inc.reject(status);
      await media.close();
      this.emit("refused", status);
      return;
    }
    const call = new PeerCall(inc, media, pstn, key, this, []);
    this.wire(call);
    this.startMedia(media, ans.media);
    if (a.earlyMedia ?? true) inc.progress(183, ans.sdp);
    else inc.progress(180);
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    if (inc.ended) {
      await media.close();
      return;
    }
    this.calls.push(call);
    this.emit("call", call);
    await inc.accept(ans.sdp);
  }

  private wire(call: PeerCall): void {
    call.sip.onReinvite = (req) => {
      const r = skypeAnswer(req.bodyText(), { ...this.sdpOptions(call.media), acceptPlain: true }, call.key);
      call.media.configure(r.media, { deferTx: true });
      return { body: r.sdp, onAck: () => call.media.activateTx() };
    };
    call.sip.on("ended", () => void call.media.close());
  }

  /** Calls the gateway (needs `gateway` and `connect`); resolves once answered. */
  async call(to: string, from: string): Promise<PeerCall> {
    const { media, pstn } = await this.openMedia();
    const key = newPeerKey();
    const o = skypeOffer(this.sdpOptions(media), key);
    const sip = this.endpoint.invite({ to, from, body: o.sdp });
    let early = "";
    sip.on("progress", (r) => {
      if (!r.body.length) return;
      early = r.bodyText();
      this.startMedia(media, mediaForAnswer(early, o.lines, key));
    });
    let res;
    try {
      res = await sip.result;
    } catch (e) {
      await media.close();
      throw e;
    }
    const call = new PeerCall(sip, media, pstn, key, this, o.lines);
    this.wire(call);
    if (res.bodyText() !== early) this.startMedia(media, mediaForAnswer(res.bodyText(), o.lines, key));
    this.calls.push(call);
    this.emit("call", call);
    return call;
  }

  async close(): Promise<void> {
    await Promise.all(this.calls.map((c) => c.media.close()));
    await this.endpoint.close();
  }
}
