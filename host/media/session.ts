// One call's media: UDP sockets for RTP and RTCP (or one with rtcp-mux), a 20 ms send clock that
// pulls G.711 frames from the PSTN port, the receive path (RFC 7983 demux → SRTP unprotect →
// payload type → PSTN port / DTMF), RFC 4733 DTMF sending, RTCP SR/RR + SDES at least every 5 s,
// and per-call statistics. Every RTP packet leaving is protected by the injected SRTP provider when
// SRTP was negotiated; every packet arriving is authenticated and replay-checked.
import dgram from "node:dgram";
import { EventEmitter } from "node:events";
import { isIPv6 } from "node:net";
import { randomBytes } from "node:crypto";
import type { NegotiatedMedia } from "../sdp/negotiator.js";
import { classifyPacket } from "./demux.js";
import { DtmfEventSender, DtmfReceiver, type DtmfDigit } from "./dtmf.js";
import type { G711Codec } from "./g711.js";
import type { PstnPort } from "./pstn.js";
import { buildBye, buildRr, buildSdesCname, buildSr, compound, ntpMiddle, ntpTime, parseRtcpCompound, type RtcpPacket } from "./rtcp.js";
import { RtpPacketizer, parseRtp } from "./rtp.js";
import { SrtpRxRing, SrtpTxState } from "./srtp-keys.js";
import { srtpErrorCode, type SrtpKeyLimitEvent, type SrtpProvider } from "./srtp-provider.js";
import { ReceiveStats } from "./stats.js";

export interface MediaSessionOptions {
  /** The SRTP implementation (our core in production; node-srtp in the simulator). */
  srtp?: SrtpProvider;
  pstn: PstnPort;
  /** Address the sockets bind to (default 0.0.0.0). */
  bindAddress?: string;
  /** Local ports (default: ephemeral). */
  rtpPort?: number;
  rtcpPort?: number;
  /** RTCP report interval, capped at 5000 ms (the Mediation Server drops calls with no RTCP for 30 s). */
  rtcpIntervalMs?: number;
  /** How long old receive keys stay accepted after a re-key (default 5000 ms). */
  rekeyGraceMs?: number;
  replayWindow?: number;
  /** RTCP SDES CNAME (default random). */
  cname?: string;
  /** Frames sent at once to catch up after a stalled timer (default 5); more are skipped. */
  maxBurst?: number;
  onKeyLimit?: (e: SrtpKeyLimitEvent & { direction: "tx" | "rx" }) => void;
  /** Sees every RTP/RTCP datagram sent and every datagram received (diagnostics: packet captures). */
  tap?: (p: MediaTapPacket) => void;
}

/** One datagram as the media session saw it (MediaSessionOptions.tap). */
export interface MediaTapPacket {
  direction: "tx" | "rx";
  /** The datagram as it went on or came off the wire. */
  wire: Uint8Array;
  /** The RTP/RTCP packet inside: before protection (tx), after authentication (rx); absent when refused or not RTP/RTCP. */
  plain?: Uint8Array;
  local: { address: string; port: number };
  remote: { address: string; port: number };
}

export interface MediaStats {
  rtpSent: number;
  rtpBytesSent: number;
  rtpReceived: number;
  rtpBytesReceived: number;
  /** Cumulative lost per RFC 3550 A.3 (expected − received) for the current remote source. */
  lost: number;
  /** Interarrival jitter in ms. */
  jitterMs: number;
  authFailures: number;
  replays: number;
  /** Packets whose MKI matches no key. */
  mkiUnknown: number;
  malformed: number;
  stunDropped: number;
  otherDropped: number;
  unknownPayloadType: number;
  rtcpSent: number;
  rtcpReceived: number;
  rtcpAuthFailures: number;
  rtcpMalformed: number;
  dtmfSent: number;
  dtmfReceived: number;
  /** ms since epoch of the last authenticated RTCP, 0 when none. */
  lastRtcpReceivedAt: number;
  /** Round-trip time from the peer's report blocks (RFC 3550 §6.4.1), when known. */
  rttMs: number | undefined;
  /** Re-keys applied (tx switched or replaced). */
  rekeys: number;
  /** 20 ms frames not sent because the send timer stalled for longer than `maxBurst` frames. */
  framesSkipped: number;
}

/** Every counter of a session that has not sent or received anything yet. */
export function emptyMediaStats(): MediaStats {
  return {
    rtpSent: 0,
    rtpBytesSent: 0,
    rtpReceived: 0,
    rtpBytesReceived: 0,
    lost: 0,
    jitterMs: 0,
    authFailures: 0,
    replays: 0,
    mkiUnknown: 0,
    malformed: 0,
    stunDropped: 0,
    otherDropped: 0,
    unknownPayloadType: 0,
    rtcpSent: 0,
    rtcpReceived: 0,
    rtcpAuthFailures: 0,
    rtcpMalformed: 0,
    dtmfSent: 0,
    dtmfReceived: 0,
    lastRtcpReceivedAt: 0,
    rttMs: undefined,
    rekeys: 0,
    framesSkipped: 0,
  };
}

export interface MediaSessionEvents {
  dtmf: [d: DtmfDigit];
  rtcp: [packets: RtcpPacket[]];
  /** The peer sent RTCP BYE. */
  bye: [ssrc: number];
}

const FRAME_MS = 20;

export class MediaSession extends EventEmitter<MediaSessionEvents> {
  private readonly rtpSocket: dgram.Socket;
  private readonly rtcpSocket: dgram.Socket;
  private readonly opts: MediaSessionOptions;
  private neg: NegotiatedMedia | undefined;
  private tx: SrtpTxState | undefined;
  private pendingTx: NonNullable<NegotiatedMedia["srtp"]> | undefined;
  private rx: SrtpRxRing | undefined;
  private readonly packetizer = new RtpPacketizer();
  private readonly sources = new Map<number, ReceiveStats>();
  private readonly dtmfRx = new DtmfReceiver();
  private dtmfQueue: { digit: string; durationMs: number }[] = [];
  private dtmfTx: DtmfEventSender | undefined;
  private sendTimer: NodeJS.Timeout | undefined;
  private rtcpTimer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private ticks = 0;
  private talking = false;
  private sentSinceReport = false;
  private closed = false;
  /** The packet the receive path just authenticated (for the tap). */
  private rxPlain: Uint8Array | undefined;
  private readonly cname: string;
  readonly stats: MediaStats = emptyMediaStats();


  private constructor(opts: MediaSessionOptions, rtp: dgram.Socket, rtcp: dgram.Socket) {
    super();
    this.opts = opts;
    this.rtpSocket = rtp;
    this.rtcpSocket = rtcp;
    this.cname = opts.cname ?? `gwsdk-${randomBytes(6).toString("hex")}`;
    rtp.on("message", (m, rinfo) => this.onDatagram(m, rinfo, false));
    rtcp.on("message", (m, rinfo) => this.onDatagram(m, rinfo, true));
    rtp.on("error", () => undefined);
    rtcp.on("error", () => undefined);
  }

  /** Binds the sockets; the ports go into our SDP before anything is negotiated. */
  static async open(opts: MediaSessionOptions): Promise<MediaSession> {
    const addr = opts.bindAddress ?? "0.0.0.0";
    const type = isIPv6(addr) ? "udp6" : "udp4";
    const bind = (port: number) =>
      new Promise<dgram.Socket>((resolve, reject) => {
        const s = dgram.createSocket(type);
        s.once("error", reject);
        s.bind(port, addr, () => {
          s.removeListener("error", reject);
          resolve(s);
        });
      });
    const rtp = await bind(opts.rtpPort ?? 0);
    let rtcp: dgram.Socket;
    try {
      rtcp = await bind(opts.rtcpPort ?? 0);
    } catch (e) {
      rtp.close();
      throw e;
    }
    return new MediaSession(opts, rtp, rtcp);
  }

  get localRtpPort(): number {
    return this.rtpSocket.address().port;
  }

  get localRtcpPort(): number {
    return this.rtcpSocket.address().port;
  }

  get ssrc(): number {
    return this.packetizer.ssrc;
  }

  get negotiated(): NegotiatedMedia | undefined {
    return this.neg;
  }

  /** Which form of the peer's key last authenticated ("mki:01", "no-mki"), for diagnostics. */
  get lastRxForm(): string {
    return this.rx?.lastForm ?? "";
  }

  /**
   * Applies a negotiation (first answer, early media, re-INVITE). Starts the clocks the first time;
   * afterwards updates addresses, codec, direction and keys without interrupting the stream.
   */
  configure(neg: NegotiatedMedia, opts: { deferTx?: boolean } = {}): void {
    if (this.closed) return;
    const s = neg.srtp;
    if (s && opts.deferTx && this.tx && this.neg?.srtp?.profile === s.profile) {
      // We answered a re-INVITE with a new key of ours: the offerer learns it from our 2xx, so we
      // keep sending with the old key until its ACK (activateTx), and accept its new key at once.
      this.pendingTx = s;
      this.rx!.set(s.profile, s.rx);
      this.neg = { ...neg, srtp: { ...s, tx: this.neg.srtp.tx } };
      return;
    }
    this.pendingTx = undefined;
    if (s) {
      if (!this.opts.srtp) throw new Error("SRTP was negotiated but the media session has no SRTP provider");
      const keying = {
        ...(this.opts.replayWindow !== undefined ? { replayWindow: this.opts.replayWindow } : {}),
      };
      if (!this.tx) {
        this.tx = new SrtpTxState(this.opts.srtp, s.profile, s.tx, {
          ...keying,
          ...(s.txLifetime !== undefined ? { lifetime: s.txLifetime } : {}),
          onKeyLimit: (e) => this.opts.onKeyLimit?.({ ...e, direction: "tx" }),
        });
      } else if (this.tx.update(s.profile, s.tx) !== "same") {
        this.stats.rekeys++;
      }
      if (!this.rx) {
        this.rx = new SrtpRxRing(this.opts.srtp, this.opts.rekeyGraceMs ?? 5000, {
          ...keying,
          ...(s.rxLifetime !== undefined ? { lifetime: s.rxLifetime } : {}),
          onKeyLimit: (e) => this.opts.onKeyLimit?.({ ...e, direction: "rx" }),
        });
      }
      this.rx.set(s.profile, s.rx);
    } else {
      this.tx?.close();
      this.rx?.close();
      this.tx = undefined;
      this.rx = undefined;
    }
    this.neg = neg;
    if (!this.sendTimer) this.start();
  }

  /** Switches our sending key to the one held back by configure({ deferTx: true }). */
  activateTx(): void {
    const s = this.pendingTx;
    if (!s || !this.tx || !this.neg || this.closed) return;
    this.pendingTx = undefined;
    if (this.tx.update(s.profile, s.tx) !== "same") this.stats.rekeys++;
    this.neg = { ...this.neg, srtp: s };
  }

  private start(): void {
    this.t0 = performance.now();
    this.ticks = 0;
    this.sendTimer = setInterval(() => this.sendDue(), FRAME_MS / 2);
    this.scheduleRtcp(true);
  }

  private rtcpInterval(): number {
    return Math.min(this.opts.rtcpIntervalMs ?? 5000, 5000);
  }

  private scheduleRtcp(first = false): void {
    if (this.closed) return;
    // RFC 3550 randomizes the interval; we draw from [0.75, 1.0]·T so reports never come later than T.
    const t = this.rtcpInterval() * (first ? 0.5 : 0.75 + Math.random() * 0.25);
    this.rtcpTimer = setTimeout(() => {
      this.sendRtcp();
      this.scheduleRtcp();
    }, t);
  }

  private canSend(): boolean {
    const d = this.neg?.direction;
    return d === "sendrecv" || d === "sendonly";
  }

  private canReceive(): boolean {
    const d = this.neg?.direction;
    return d === "sendrecv" || d === "recvonly";
  }

  /** Queues a DTMF digit (RFC 4733) when telephone-event was negotiated; returns false otherwise. */
  sendDtmf(digit: string, durationMs = 100): boolean {
    if (!this.neg || this.neg.telephoneEvent === null) return false;
    this.dtmfQueue.push({ digit, durationMs });
    return true;
  }

  private sendDue(): void {
    if (this.closed || !this.neg) return;
    const due = Math.floor((performance.now() - this.t0) / FRAME_MS) - this.ticks;
    if (due <= 0) return;
    const burst = this.opts.maxBurst ?? 5;
    for (let i = 0; i < due; i++) {
      if (i < due - burst) {
        // The timer stalled: skip the oldest frames rather than flood the network.
        this.opts.pstn.readFrame(this.neg.codec.name);
        this.packetizer.tick();
        this.talking = false;
        if (this.canSend()) this.stats.framesSkipped++;
      } else {
        this.sendFrame();
      }
      this.ticks++;
    }
  }

  private sendFrame(): void {
    const neg = this.neg!;
    const codec = neg.codec.name;
    if (!this.dtmfTx && this.dtmfQueue.length && neg.telephoneEvent !== null) {
      const d = this.dtmfQueue.shift()!;
      this.dtmfTx = new DtmfEventSender(d.digit, this.packetizer.timestamp, Math.max(1, Math.round(d.durationMs * 8)));
    }
    if (this.dtmfTx) {
      this.opts.pstn.readFrame(codec); // audio is replaced by the event while it lasts
      const plan = this.dtmfTx.next();
      if (plan && this.canSend()) this.sendRtp(neg.telephoneEvent!, plan.payload, plan.marker, this.dtmfTx.timestamp);
      if (this.dtmfTx.done) {
        this.dtmfTx = undefined;
        this.stats.dtmfSent++;
        this.talking = false;
      }
    } else {
      const frame = this.opts.pstn.readFrame(codec);
      if (frame && this.canSend()) {
        this.sendRtp(neg.codec.payloadType, frame, !this.talking, this.packetizer.timestamp);
        this.talking = true;
      } else {
        this.talking = false;
      }
    }
    this.packetizer.tick();
  }

  private sendRtp(pt: number, payload: Uint8Array, marker: boolean, timestamp: number): void {
    const plain = this.packetizer.packet(pt, payload, marker, timestamp);
    let wire: Uint8Array;
    try {
      wire = this.tx ? this.tx.protect(plain) : plain;
    } catch {
      return; // key limit or a closed context: nothing leaves unprotected
    }
    this.stats.rtpSent++;
    this.stats.rtpBytesSent += payload.length;
    this.sentSinceReport = true;
    const n = this.neg!;
    this.rtpSocket.send(wire, n.remoteRtpPort, n.remoteAddress);
    this.tapTx(this.rtpSocket, wire, plain, n.remoteAddress, n.remoteRtpPort);
  }

  private reportBlocks(): ReturnType<ReceiveStats["reportBlock"]>[] {
    const now = Date.now();
    return [...this.sources.values()].slice(-31).map((s) => s.reportBlock(now));
  }

  private buildReport(): Uint8Array {
    const reports = this.reportBlocks();
    if (this.sentSinceReport || this.packetizer.packets > 0) {
      const ntp = ntpTime(Date.now());
      this.sentSinceReport = false;
      return buildSr(this.ssrc, { ntpSec: ntp.sec, ntpFrac: ntp.frac, rtpTimestamp: this.packetizer.timestamp, packetCount: this.packetizer.packets, octetCount: this.packetizer.octets }, reports);
    }
    return buildRr(this.ssrc, reports);
  }

  private sendRtcpPacket(plain: Uint8Array): void {
    if (!this.neg) return;
    let wire: Uint8Array;
    try {
      wire = this.tx ? this.tx.protectRtcp(plain) : plain;
    } catch {
      return;
    }
    const n = this.neg;
    const sock = n.rtcpMux ? this.rtpSocket : this.rtcpSocket;
    const port = n.rtcpMux ? n.remoteRtpPort : n.remoteRtcpPort;
    const addr = n.rtcpMux ? n.remoteAddress : n.remoteRtcpAddress;
    this.stats.rtcpSent++;
    sock.send(wire, port, addr);
    this.tapTx(sock, wire, plain, addr, port);
  }

  /** Sends a compound SR/RR + SDES now (also run by the RTCP timer). */
  sendRtcp(): void {
    if (this.closed || !this.neg) return;
    this.sendRtcpPacket(compound(this.buildReport(), buildSdesCname(this.ssrc, this.cname)));
  }

  private tapTx(sock: dgram.Socket, wire: Uint8Array, plain: Uint8Array, address: string, port: number): void {
    if (!this.opts.tap) return;
    const a = sock.address();
    this.opts.tap({ direction: "tx", wire, plain, local: { address: a.address, port: a.port }, remote: { address, port } });
  }

  private onDatagram(m: Buffer, rinfo: dgram.RemoteInfo, onRtcpSocket: boolean): void {
    if (this.closed) return;
    if (this.opts.tap) {
      this.rxPlain = undefined;
      this.receive(m, onRtcpSocket);
      const a = (onRtcpSocket ? this.rtcpSocket : this.rtpSocket).address();
      const wire = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
      this.opts.tap({ direction: "rx", wire, ...(this.rxPlain ? { plain: this.rxPlain } : {}), local: { address: a.address, port: a.port }, remote: { address: rinfo.address, port: rinfo.port } });
      return;
    }
    this.receive(m, onRtcpSocket);
  }

  private receive(m: Buffer, onRtcpSocket: boolean): void {
    try {
      const p = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
      const kind = classifyPacket(p);
      if (kind === "stun") {
        this.stats.stunDropped++; // ICE-lite is not negotiated: STUN never reaches SRTP
        return;
      }
      if (kind === "rtcp" && (onRtcpSocket || this.neg?.rtcpMux)) return this.onRtcp(p);
      if (kind === "rtp" && !onRtcpSocket) return this.onRtp(p);
      this.stats.otherDropped++;
    } catch {
      this.stats.malformed++;
    }
  }

  private countSrtpError(e: unknown, rtcp: boolean): void {
    const code = srtpErrorCode(e);
    if (code === "ERR_SRTP_REPLAY" || code === "ERR_SRTP_REPLAY_OLD") this.stats.replays++;
    else if (code === "ERR_SRTP_MKI") this.stats.mkiUnknown++;
    else if (code === "ERR_SRTP_MALFORMED") this.stats.malformed++;
    else if (rtcp) this.stats.rtcpAuthFailures++;
    else this.stats.authFailures++;
  }

  private onRtp(p: Uint8Array): void {
    const neg = this.neg;
    if (!neg) return;
    let plain: Uint8Array;
    if (this.rx) {
      try {
        plain = this.rx.unprotect(p);
      } catch (e) {
        this.countSrtpError(e, false);
        return;
      }
    } else if (neg.srtp) {
      return;
    } else {
      plain = p;
    }
    this.rxPlain = plain;
    const h = parseRtp(plain);
    if (!h) {
      this.stats.malformed++;
      return;
    }
    let src = this.sources.get(h.ssrc);
    if (!src) {
      if (this.sources.size >= 8) this.sources.delete(this.sources.keys().next().value!);
      src = new ReceiveStats(h.ssrc);
      this.sources.set(h.ssrc, src);
    }
    src.update(h.sequence, h.timestamp, Math.round(performance.now() * 8));
    this.stats.rtpReceived++;
    this.stats.rtpBytesReceived += h.payloadLength;
    this.stats.lost = src.lost;
    this.stats.jitterMs = src.jitter / 8;
    const payload = plain.subarray(h.headerLength, h.headerLength + h.payloadLength);
    if (!this.canReceive()) return;
    if (neg.telephoneEvent !== null && h.payloadType === neg.telephoneEvent) {
      const d = this.dtmfRx.receive(h.timestamp, payload);
      if (d) {
        this.stats.dtmfReceived++;
        this.opts.pstn.dtmf?.(d);
        this.emit("dtmf", d);
      }
      return;
    }
    const codec: G711Codec | undefined = h.payloadType === neg.codec.payloadType ? neg.codec.name : h.payloadType === 0 ? "PCMU" : h.payloadType === 8 ? "PCMA" : undefined;
    if (!codec) {
      this.stats.unknownPayloadType++;
      return;
    }
    this.opts.pstn.writeFrame(payload, codec, { sequence: h.sequence, timestamp: h.timestamp, ssrc: h.ssrc });
  }

  private onRtcp(p: Uint8Array): void {
    if (!this.neg) return;
    let plain: Uint8Array;
    if (this.rx) {
      try {
        plain = this.rx.unprotectRtcp(p);
      } catch (e) {
        this.countSrtpError(e, true);
        return;
      }
    } else if (this.neg.srtp) {
      return;
    } else {
      plain = p;
    }
    this.rxPlain = plain;
    let packets: RtcpPacket[];
    try {
      packets = parseRtcpCompound(plain);
    } catch {
      this.stats.rtcpMalformed++;
      return;
    }
    const now = Date.now();
    this.stats.rtcpReceived++;
    this.stats.lastRtcpReceivedAt = now;
    for (const pk of packets) {
      if (pk.type === "sr") {
        const src = this.sources.get(pk.ssrc);
        if (src) {
          src.lastSr = ntpMiddle(pk.sender.ntpSec, pk.sender.ntpFrac);
          src.lastSrArrival = now;
        }
      }
      if (pk.type === "sr" || pk.type === "rr") {
        for (const r of pk.reports) {
          if (r.ssrc !== this.ssrc || r.lastSr === 0) continue;
          const n = ntpTime(now);
          const a = ntpMiddle(n.sec, n.frac);
          const rtt = ((a - r.lastSr - r.delaySinceLastSr) >>> 0) / 65536;
          if (rtt < 60) this.stats.rttMs = rtt * 1000;
        }
      }
      if (pk.type === "bye") for (const s of pk.ssrcs) this.emit("bye", s);
    }
    this.emit("rtcp", packets);
  }

  /**
   * Sends a STUN Binding Indication (RFC 5389, no attributes) to the peer's RTP port, as Skype for
   * Business endpoints do on media ports. Used by the simulator; harmless to a peer that demuxes.
   */
  sendStunKeepalive(): void {
    if (!this.neg || this.closed) return;
    const b = Buffer.alloc(20);
    b.writeUInt16BE(0x0011, 0); // Binding Indication
    b.writeUInt32BE(0x2112a442, 4); // magic cookie
    randomBytes(12).copy(b, 8);
    this.rtpSocket.send(b, this.neg.remoteRtpPort, this.neg.remoteAddress);
  }

  /** Per-call statistics (a copy). */
  snapshot(): MediaStats {
    return { ...this.stats };
  }

  /** Sends RTCP BYE, stops the clocks, closes the sockets and wipes the SRTP contexts. */
  async close(reason = "call ended"): Promise<void> {
    if (this.closed) return;
    if (this.neg) {
      try {
        this.sendRtcpPacket(compound(this.buildReport(), buildSdesCname(this.ssrc, this.cname), buildBye([this.ssrc], reason)));
      } catch {
        /* best effort */
      }
    }
    this.closed = true;
    if (this.sendTimer) clearInterval(this.sendTimer);
    if (this.rtcpTimer) clearTimeout(this.rtcpTimer);
    await new Promise((r) => setTimeout(r, 10)); // let the BYE leave before the socket closes
    if (this.rtcpTimer) clearTimeout(this.rtcpTimer);
    this.tx?.close();
    this.rx?.close();
    await Promise.all([new Promise<void>((r) => this.rtpSocket.close(() => r())), new Promise<void>((r) => this.rtcpSocket.close(() => r()))]);
  }
}
