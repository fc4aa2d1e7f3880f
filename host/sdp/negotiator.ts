// SDP offer/answer (RFC 3264, RFC 4566/8866) for one audio stream with SDES keys (RFC 4568), the
// way Skype for Business / Lync Mediation Servers actually do it ([MS-SDPEXT] and field captures):
//
//  - two a=crypto lines with the same key, one with MKI (|2^31|1:1) and one without (|2^31), in
//    offers and in answers. We offer that way by default ("both"), answer exactly one line, and
//    accept both packet forms of a key the peer lists twice.
//  - "optional SRTP": RTP/AVP offers that carry a=crypto. Answered RTP/SAVP with one a=crypto
//    when we encrypt, RTP/AVP without crypto when we do not.
//  - a=cryptoscale, a=x-ssrc-range, other a=x-*, a=label, ICE attributes: ignored.
//  - legacy a=encryption:required|optional|rejected: honoured on RTP/AVP offers.
//
// One SdpNegotiator lives for one call (dialog): it keeps our keys across re-INVITEs, so a session
// refresh keeps the keys and a changed peer key (or only a changed MKI) re-keys.
//
// SDP grammar is sdp-transform's; a=crypto values are taken from the raw lines because its crypto
// rule drops every session parameter after the first.
import { randomBytes } from "node:crypto";
import * as sdpTransform from "sdp-transform";
import { SRTP_PROFILES, type SrtpKey, type SrtpProfile } from "../media/srtp-provider.js";
import { SdpError } from "./errors.js";
import {
  type CryptoAttribute,
  type SdesKeyParam,
  checkSessionParams,
  formatCryptoAttribute,
  mkiBytes,
  parseCryptoAttribute,
  MAX_MKI_LENGTH,
} from "./sdes.js";

export type SrtpMode = "required" | "optional" | "notSupported";
export type MediaDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";
export type G711 = "PCMU" | "PCMA";

/** Accepts the JSON form ("notSupported") and the CLI form ("not-supported"). */
export function parseSrtpMode(s: string): SrtpMode {
  switch (s) {
    case "required":
      return "required";
    case "optional":
      return "optional";
    case "notSupported":
    case "not-supported":
      return "notSupported";
    default:
      throw new SdpError("ERR_SDP_STATE", `srtpMode must be required, optional or notSupported (CLI: not-supported), got ${s}`);
  }
}

export interface LocalMediaAddress {
  /** The address we put in c= (the address our RTP socket is reachable on). */
  address: string;
  rtpPort: number;
  /** Separate RTCP port (default rtpPort + 1), announced with a=rtcp. */
  rtcpPort?: number;
}

export interface SdpNegotiatorOptions {
  local: LocalMediaAddress;
  /** Trunk policy; default "required". */
  srtpMode?: SrtpMode;
  /** Suites we use, in our order of preference (default AES_CM_128_HMAC_SHA1_80 only). */
  suites?: SrtpProfile[];
  /**
   * How our offers present each key: "both" (default, as Skype for Business: a line with the MKI,
   * then the same key without), "with" (MKI only), "without" (no MKI).
   */
  offerMki?: "both" | "with" | "without";
  /** MKI length in bytes when we use one (default 1, the only length Microsoft allows). */
  mkiLength?: number;
  /** The lifetime we state on our keys (default "2^31"; null: none). */
  lifetime?: string | null;
  /** Codecs in our order (default PCMU, PCMA). */
  codecs?: G711[];
  /** telephone-event payload type we offer (default 101; null: no DTMF events). */
  telephoneEvent?: number | null;
  /** Offer and accept rtcp-mux (default true). */
  rtcpMux?: boolean;
  /** Our preferred direction (default sendrecv; sendonly/inactive to hold). */
  direction?: MediaDirection;
  /** Source of key material (default crypto.randomBytes, a CSPRNG). */
  random?: (n: number) => Uint8Array;
}

export interface NegotiatedSrtp {
  profile: SrtpProfile;
  /** The crypto tag the exchange settled on. */
  tag: number;
  /** The key (and MKI, or none) our packets use. */
  tx: SrtpKey;
  txLifetime?: number;
  /** Every form of the peer's key we accept (the same key with and without MKI when listed twice). */
  rx: SrtpKey[];
  rxLifetime?: number;
}

export interface NegotiatedMedia {
  remoteAddress: string;
  remoteRtpPort: number;
  /** Where RTCP goes: the a=rtcp address when given, else the RTP address. */
  remoteRtcpAddress: string;
  remoteRtcpPort: number;
  rtcpMux: boolean;
  codec: { name: G711; payloadType: number };
  /** telephone-event payload type when both sides have it, else null. */
  telephoneEvent: number | null;
  ptime: number;
  /** What we do: send when it includes "send", receive when it includes "recv". */
  direction: MediaDirection;
  /** null: plain RTP. */
  srtp: NegotiatedSrtp | null;
  /** The remote SDP's RTP profile (RTP/SAVP or RTP/AVP). */
  remoteProtocol: string;
}

interface OfferedLine {
  tag: number;
  suite: SrtpProfile;
  key: SdesKeyParam;
}

interface ParsedAudio {
  session: sdpTransform.SessionDescription;
  mediaIndex: number;
  media: sdpTransform.MediaDescription;
  address: string;
  payloads: number[];
  crypto: { raw: string; attr?: CryptoAttribute; error?: SdpError }[];
  encryption: "required" | "optional" | "rejected" | undefined;
  direction: MediaDirection;
}

const STATIC_PT: Record<number, G711> = { 0: "PCMU", 8: "PCMA" };

function parseSdp(sdp: string): ParsedAudio {
  if (typeof sdp !== "string" || sdp.length === 0) throw new SdpError("ERR_SDP_PARSE", "empty SDP");
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(sdp)) throw new SdpError("ERR_SDP_PARSE", "SDP contains control characters");
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch (e) {
    throw new SdpError("ERR_SDP_PARSE", "SDP does not parse", { cause: e });
  }
  if (session.version !== 0 || !session.origin || !Array.isArray(session.media)) throw new SdpError("ERR_SDP_PARSE", "SDP lacks v=0, o= or m=");
  const mediaIndex = session.media.findIndex((m) => m.type === "audio");
  if (mediaIndex < 0) throw new SdpError("ERR_SDP_NOT_ACCEPTABLE", "no audio stream offered");
  const media = session.media[mediaIndex]!;
  if (!Number.isInteger(media.port) || media.port < 0 || media.port > 65535 || typeof media.protocol !== "string") {
    throw new SdpError("ERR_SDP_PARSE", "bad m=audio line");
  }
  const address = media.connection?.ip ?? session.connection?.ip;
  if (!address) throw new SdpError("ERR_SDP_PARSE", "no c= address for the audio stream");
  const payloads = String(media.payloads ?? "")
    .trim()
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d{1,3}$/.test(s) || Number(s) > 127) throw new SdpError("ERR_SDP_PARSE", `bad payload type ${s}`);
      return Number(s);
    });
  // Raw a=crypto values of the audio section (sdp-transform keeps only one session parameter).
  const raws: string[] = [];
  let idx = -1;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith("m=")) idx++;
    else if (idx === mediaIndex && line.startsWith("a=crypto:")) raws.push(line.slice(9));
  }
  const crypto = raws.map((raw) => {
    try {
      const attr = parseCryptoAttribute(raw);
      return { raw, attr };
    } catch (e) {
      return { raw, error: e instanceof SdpError ? e : new SdpError("ERR_SDP_CRYPTO", String(e)) };
    }
  });
  let encryption: ParsedAudio["encryption"];
  for (const inv of [...(media.invalid ?? []), ...((session as { invalid?: { value: string }[] }).invalid ?? [])]) {
    const m = /^encryption:(required|optional|rejected)\s*$/.exec(inv.value);
    if (m) encryption = m[1] as ParsedAudio["encryption"];
  }
  let direction: MediaDirection = media.direction ?? session.direction ?? "sendrecv";
  if (address === "0.0.0.0" && direction === "sendrecv") direction = "sendonly"; // RFC 2543 hold
  return { session, mediaIndex, media, address, payloads, crypto, encryption, direction };
}

function codecOf(a: ParsedAudio, pt: number): { name: string; rate: number } | undefined {
  const r = a.media.rtp.find((x) => x.payload === pt);
  // sdp-transform types a numeric encoding name ("a=rtpmap:0 16") as a number
  if (r) return { name: String(r.codec), rate: typeof r.rate === "number" ? r.rate : 0 };
  const s = STATIC_PT[pt];
  return s ? { name: s, rate: 8000 } : undefined;
}

function reverse(d: MediaDirection): MediaDirection {
  return d === "sendonly" ? "recvonly" : d === "recvonly" ? "sendonly" : d;
}

function canSend(d: MediaDirection): boolean {
  return d === "sendrecv" || d === "sendonly";
}

function canRecv(d: MediaDirection): boolean {
  return d === "sendrecv" || d === "recvonly";
}

/** The direction allowed by both `a` and `b` (each from our point of view). */
function intersect(a: MediaDirection, b: MediaDirection): MediaDirection {
  const send = canSend(a) && canSend(b);
  const recv = canRecv(a) && canRecv(b);
  return send && recv ? "sendrecv" : send ? "sendonly" : recv ? "recvonly" : "inactive";
}

function sameKey(a: SdesKeyParam, b: SdesKeyParam): boolean {
  return Buffer.from(a.key).equals(Buffer.from(b.key)) && Buffer.from(a.salt).equals(Buffer.from(b.salt));
}

function toSrtpKey(k: SdesKeyParam): SrtpKey {
  return { masterKey: k.key, masterSalt: k.salt, ...(k.mki ? { mki: mkiBytes(k.mki) } : {}) };
}

/** The peer's key in every form its SDP lists: the line's own key params plus same-key lines. */
function collectRxKeys(lines: CryptoAttribute[], picked: CryptoAttribute): { rx: SrtpKey[]; lifetime?: number } {
  const out: SdesKeyParam[] = [...picked.keyParams];
  for (const l of lines) {
    if (l === picked || l.profile !== picked.profile) continue;
    for (const k of l.keyParams) {
      if (!picked.keyParams.some((p) => sameKey(p, k))) continue;
      if (out.some((o) => sameKey(o, k) && (o.mki?.value ?? -1) === (k.mki?.value ?? -1) && (o.mki?.length ?? 0) === (k.mki?.length ?? 0))) continue;
      out.push(k);
    }
  }
  const lifetime = picked.keyParams[0]?.lifetime;
  return { rx: out.map(toSrtpKey), ...(lifetime !== undefined ? { lifetime } : {}) };
}

function cryptoSignature(lines: CryptoAttribute[]): string {
  return lines
    .map((l) => `${l.suite}:${l.keyParams.map((k) => Buffer.concat([k.key, k.salt]).toString("hex") + "/" + (k.mki ? `${k.mki.value}:${k.mki.length}` : "-")).join(",")}`)
    .join(" ");
}

export class SdpNegotiator {
  private readonly opts: Required<Omit<SdpNegotiatorOptions, "lifetime">> & { lifetime: string | null };
  private readonly sessionId = BigInt("0x" + Buffer.from(randomBytes(6)).toString("hex")).toString();
  private version = 0;
  private lastBody: string | undefined;
  /** Our key per suite; replaced on re-key. */
  private keys = new Map<SrtpProfile, SdesKeyParam & { mkiValue: number }>();
  private mkiValue = 0;
  private offered: OfferedLine[] | undefined;
  private offeredDirection: MediaDirection = "sendrecv";
  private offeredEncrypted = false;
  private peerCrypto: string | undefined;
  private answeredLine: { tag: number; suite: SrtpProfile; withMki: boolean } | undefined;
  /** The media as last negotiated (undefined before the first completed exchange). */
  current: NegotiatedMedia | undefined;

  constructor(options: SdpNegotiatorOptions) {
    const mkiLength = options.mkiLength ?? 1;
    if (!Number.isInteger(mkiLength) || mkiLength < 1 || mkiLength > MAX_MKI_LENGTH) throw new SdpError("ERR_SDP_MKI", "mkiLength must be 1..4");
    this.opts = {
      local: options.local,
      srtpMode: options.srtpMode ?? "required",
      suites: options.suites ?? ["AES_CM_128_HMAC_SHA1_80"],
      offerMki: options.offerMki ?? "both",
      mkiLength,
      lifetime: options.lifetime === undefined ? "2^31" : options.lifetime,
      codecs: options.codecs ?? ["PCMU", "PCMA"],
      telephoneEvent: options.telephoneEvent === undefined ? 101 : options.telephoneEvent,
      rtcpMux: options.rtcpMux ?? true,
      direction: options.direction ?? "sendrecv",
      random: options.random ?? ((n) => new Uint8Array(randomBytes(n))),
    };
    if (this.opts.suites.length === 0 && this.opts.srtpMode !== "notSupported") throw new SdpError("ERR_SDP_NO_SUITE", "no SRTP suite configured");
  }

  get srtpMode(): SrtpMode {
    return this.opts.srtpMode;
  }

  /** Changes our preferred direction (hold: "sendonly" or "inactive"; resume: "sendrecv"). */
  setDirection(d: MediaDirection): void {
    this.opts.direction = d;
  }

  /** Changes where our media is (a new socket after a failover, for instance). */
  setLocal(local: LocalMediaAddress): void {
    this.opts.local = local;
  }

  private nextMki(): number {
    const max = 2 ** (8 * this.opts.mkiLength);
    this.mkiValue = (this.mkiValue % (max - 1)) + 1; // 1, 2, ... never 0
    return this.mkiValue;
  }

  private freshKey(suite: SrtpProfile): SdesKeyParam & { mkiValue: number } {
    const info = SRTP_PROFILES[suite];
    const ks = this.opts.random(info.keyLength + info.saltLength);
    const mkiValue = this.nextMki();
    return {
      key: ks.slice(0, info.keyLength),
      salt: ks.slice(info.keyLength),
      ...(this.opts.lifetime !== null ? { lifetimeText: this.opts.lifetime } : {}),
      mkiValue,
    };
  }

  private keyParam(k: SdesKeyParam & { mkiValue: number }, withMki: boolean, mkiLength = this.opts.mkiLength): SdesKeyParam {
    const value = ((k.mkiValue - 1) % (2 ** (8 * mkiLength) - 1)) + 1;
    return {
      key: k.key,
      salt: k.salt,
      ...(k.lifetimeText !== undefined ? { lifetimeText: k.lifetimeText } : {}),
      ...(withMki ? { mki: { value, length: mkiLength } } : {}),
    };
  }

  /**
   * Our offer. `rekey`: new keys (and a new MKI value) for every suite; otherwise the keys of the
   * last exchange are reused (a session refresh), or created on the first offer.
   */
  createOffer(options: { rekey?: boolean } = {}): string {
    const encrypt = this.opts.srtpMode !== "notSupported";
    const lines: OfferedLine[] = [];
    if (encrypt) {
      let tag = 1;
      for (const suite of this.opts.suites) {
        let k = this.keys.get(suite);
        if (!k || options.rekey) {
          k = this.freshKey(suite);
          this.keys.set(suite, k);
        }
        const forms = this.opts.offerMki === "both" ? [true, false] : [this.opts.offerMki === "with"];
        for (const withMki of forms) lines.push({ tag: tag++, suite, key: this.keyParam(k, withMki) });
      }
    }
    this.offered = lines;
    this.offeredDirection = this.opts.direction;
    this.offeredEncrypted = encrypt;
    const protocol = this.opts.srtpMode === "required" ? "RTP/SAVP" : "RTP/AVP";
    const pts: { pt: number; name: string }[] = this.opts.codecs.map((c) => ({ pt: c === "PCMU" ? 0 : 8, name: c }));
    return this.build([
      this.audioSection({
        protocol,
        pts,
        telephoneEvent: this.opts.telephoneEvent,
        rtcpMux: this.opts.rtcpMux,
        crypto: lines.map((l) => ({ tag: l.tag, suite: l.suite, keyParams: [l.key] })),
        direction: this.opts.direction,
      }),
    ]);
  }

  /** Processes the answer to our last offer (final or early-media 183). */
  acceptAnswer(sdp: string): NegotiatedMedia {
    if (!this.offered) throw new SdpError("ERR_SDP_STATE", "no offer is outstanding");
    const a = parseSdp(sdp);
    if (a.media.port === 0) throw new SdpError("ERR_SDP_NOT_ACCEPTABLE", "the answer rejected the audio stream");
    const codec = this.pickCodec(a);
    let srtp: NegotiatedSrtp | null = null;
    const usable: CryptoAttribute[] = [];
    let firstError: SdpError | undefined;
    for (const c of a.crypto) {
      if (c.error) {
        firstError ??= c.error;
        continue;
      }
      const attr = c.attr!;
      if (!attr.profile) continue;
      try {
        checkSessionParams(attr.sessionParams);
      } catch (e) {
        firstError ??= e as SdpError;
        continue;
      }
      usable.push(attr);
    }
    if (a.crypto.length > 0 && this.offeredEncrypted) {
      const picked = usable.find((u) => this.offered!.some((o) => o.tag === u.tag && o.suite === u.profile));
      if (!picked) throw firstError ?? new SdpError("ERR_SDP_ANSWER", "no a=crypto in the answer matches an offered tag and suite");
      const ours = this.offered.find((o) => o.tag === picked.tag)!;
      const rx = collectRxKeys(usable, picked);
      srtp = {
        profile: picked.profile!,
        tag: picked.tag,
        tx: toSrtpKey(ours.key),
        ...(ours.key.lifetimeText ? { txLifetime: lifetimeOf(ours.key) } : {}),
        rx: rx.rx,
        ...(rx.lifetime !== undefined ? { rxLifetime: rx.lifetime } : {}),
      };
      this.peerCrypto = cryptoSignature([picked]);
    } else if (a.media.protocol === "RTP/SAVP") {
      throw new SdpError("ERR_SDP_ANSWER", "an RTP/SAVP answer without a=crypto");
    } else if (this.opts.srtpMode === "required") {
      throw new SdpError("ERR_SDP_NOT_ACCEPTABLE", "the answer declined SRTP and srtpMode is required");
    }
    const media = this.negotiated(a, codec, srtp, intersect(this.offeredDirection, reverse(a.direction)), this.opts.rtcpMux && !!a.media.rtcpMux);
    this.current = media;
    return media;
  }

  /** Answers an offer (initial or re-INVITE). Throws SdpError (sipStatus 400/488) when we cannot. */
  createAnswer(offerSdp: string): { sdp: string; media: NegotiatedMedia } {
    const o = parseSdp(offerSdp);
    if (o.media.port === 0) throw new SdpError("ERR_SDP_NOT_ACCEPTABLE", "the offer's audio stream is disabled");
    const savp = o.media.protocol === "RTP/SAVP";
    if (o.media.protocol !== "RTP/SAVP" && o.media.protocol !== "RTP/AVP") {
      throw new SdpError("ERR_SDP_NOT_ACCEPTABLE", `unsupported media profile ${o.media.protocol}`);
    }
    const codec = this.pickCodec(o);
    const mode = this.opts.srtpMode;

    // Which offered line do we pick?
    let picked: CryptoAttribute | undefined;
    let firstError: SdpError | undefined;
    const usable: CryptoAttribute[] = [];
    if (mode !== "notSupported" && o.encryption !== "rejected") {
      for (const c of o.crypto) {
        if (c.error) {
          firstError ??= c.error;
          continue;
        }
        const attr = c.attr!;
        if (!attr.profile || !this.opts.suites.includes(attr.profile)) continue;
        try {
          checkSessionParams(attr.sessionParams);
        } catch (e) {
          firstError ??= e as SdpError;
          continue;
        }
        usable.push(attr);
      }
      if (usable.some((u, i) => usable.findIndex((v) => v.tag === u.tag) !== i)) {
        throw new SdpError("ERR_SDP_CRYPTO", "two a=crypto lines share a tag");
      }
      picked = usable[0];
    }

    const encrypt = !!picked;
    if (!encrypt) {
      // The cause: a broken line, lines in suites we do not use, or no crypto (or no wish for it).
      const noSuite = o.crypto.length > 0 && mode !== "notSupported" && o.encryption !== "rejected";
      const code = noSuite ? "ERR_SDP_NO_SUITE" : "ERR_SDP_NOT_ACCEPTABLE";
      if (savp) throw firstError ?? new SdpError(code, "cannot answer an RTP/SAVP offer without a usable a=crypto");
      if (mode === "required") throw firstError ?? new SdpError(code, "srtpMode is required and the offer has no usable a=crypto");
      if (o.encryption === "required") throw new SdpError("ERR_SDP_NOT_ACCEPTABLE", "the offer requires encryption (a=encryption:required)");
    }

    let srtp: NegotiatedSrtp | null = null;
    let answerCrypto: { tag: number; suite: string; keyParams: SdesKeyParam[] }[] = [];
    if (picked) {
      const suite = picked.profile!;
      const withMki = picked.keyParams[0]!.mki !== undefined;
      // Keep our key across a session refresh; re-key when the peer changed anything (its key,
      // its MKI, the suite or the line it lists first).
      const sig = cryptoSignature([picked]);
      const prev = this.answeredLine;
      let k = this.keys.get(suite);
      const unchanged = this.peerCrypto === sig && prev && prev.tag === picked.tag && prev.suite === suite && prev.withMki === withMki;
      if (!k || !unchanged) {
        k = this.freshKey(suite);
        this.keys.set(suite, k);
      }
      // The picked line decides whether our packets carry an MKI, and of which length.
      const ours = this.keyParam(k, withMki, picked.keyParams[0]!.mki?.length ?? this.opts.mkiLength);
      const rx = collectRxKeys(usable, picked);
      srtp = {
        profile: suite,
        tag: picked.tag,
        tx: toSrtpKey(ours),
        ...(ours.lifetimeText ? { txLifetime: lifetimeOf(ours) } : {}),
        rx: rx.rx,
        ...(rx.lifetime !== undefined ? { rxLifetime: rx.lifetime } : {}),
      };
      answerCrypto = [{ tag: picked.tag, suite: picked.suite, keyParams: [ours] }];
      this.peerCrypto = sig;
      this.answeredLine = { tag: picked.tag, suite, withMki };
    } else {
      this.peerCrypto = undefined;
      this.answeredLine = undefined;
    }

    const direction = intersect(this.opts.direction, reverse(o.direction));
    const rtcpMux = this.opts.rtcpMux && !!o.media.rtcpMux;
    const pts = [{ pt: codec.payloadType, name: codec.name }];
    const te = this.opts.telephoneEvent !== null ? this.offeredTelephoneEvent(o) : null;
    const audio = this.audioSection({
      protocol: encrypt ? "RTP/SAVP" : "RTP/AVP",
      pts,
      telephoneEvent: te,
      rtcpMux,
      crypto: answerCrypto,
      direction,
    });
    // RFC 3264 §6: the answer has as many m= lines as the offer; the ones we do not take get port 0.
    const sections = o.session.media.map((m, i) =>
      i === o.mediaIndex
        ? audio
        : ({ type: m.type, port: 0, protocol: m.protocol, payloads: String(m.payloads ?? "0"), rtp: [], fmtp: [] } as sdpTransform.MediaDescription),
    );
    const sdp = this.build(sections);
    const media = this.negotiated(o, codec, srtp, direction, rtcpMux);
    this.current = media;
    this.offered = undefined;
    return { sdp, media };
  }

  private offeredTelephoneEvent(a: ParsedAudio): number | null {
    for (const pt of a.payloads) {
      const c = codecOf(a, pt);
      if (c && c.name.toLowerCase() === "telephone-event" && c.rate === 8000) return pt;
    }
    return null;
  }

  private pickCodec(a: ParsedAudio): { name: G711; payloadType: number } {
    for (const pt of a.payloads) {
      const c = codecOf(a, pt);
      if (!c || c.rate !== 8000) continue;
      const name = c.name.toUpperCase();
      if ((name === "PCMU" || name === "PCMA") && this.opts.codecs.includes(name)) return { name, payloadType: pt };
    }
    throw new SdpError("ERR_SDP_NO_CODEC", "no common codec (PCMU/PCMA at 8000 Hz)");
  }

  private negotiated(a: ParsedAudio, codec: { name: G711; payloadType: number }, srtp: NegotiatedSrtp | null, direction: MediaDirection, rtcpMux: boolean): NegotiatedMedia {
    const te = this.opts.telephoneEvent !== null ? this.offeredTelephoneEvent(a) : null;
    const rtcpPort = rtcpMux ? a.media.port : (a.media.rtcp?.port ?? a.media.port + 1);
    return {
      remoteAddress: a.address,
      remoteRtpPort: a.media.port,
      remoteRtcpAddress: rtcpMux ? a.address : (a.media.rtcp?.address ?? a.address),
      remoteRtcpPort: rtcpPort,
      rtcpMux,
      codec,
      telephoneEvent: te,
      ptime: a.media.ptime ?? 20,
      direction,
      srtp,
      remoteProtocol: a.media.protocol,
    };
  }

  private audioSection(s: {
    protocol: string;
    pts: { pt: number; name: string }[];
    telephoneEvent: number | null;
    rtcpMux: boolean;
    crypto: { tag: number; suite: string; keyParams: SdesKeyParam[] }[];
    direction: MediaDirection;
  }): sdpTransform.MediaDescription {
    const local = this.opts.local;
    const rtp = s.pts.map((p) => ({ payload: p.pt, codec: p.name, rate: 8000 }));
    const fmtp: { payload: number; config: string }[] = [];
    const payloads = s.pts.map((p) => p.pt);
    if (s.telephoneEvent !== null) {
      rtp.push({ payload: s.telephoneEvent, codec: "telephone-event", rate: 8000 });
      fmtp.push({ payload: s.telephoneEvent, config: "0-16" });
      payloads.push(s.telephoneEvent);
    }
    const m: sdpTransform.MediaDescription = {
      type: "audio",
      port: local.rtpPort,
      protocol: s.protocol,
      payloads: payloads.join(" "),
      rtp,
      fmtp,
      ptime: 20,
      direction: s.direction,
    };
    m.rtcp = { port: local.rtcpPort ?? local.rtpPort + 1 };
    if (s.rtcpMux) m.rtcpMux = "rtcp-mux";
    if (s.crypto.length) {
      m.crypto = s.crypto.map((c) => {
        const v = formatCryptoAttribute(c);
        const [, , config] = v.split(" ");
        return { id: c.tag, suite: c.suite, config: config! };
      });
    }
    return m;
  }

  private build(media: sdpTransform.MediaDescription[]): string {
    const local = this.opts.local;
    const ipVer = local.address.includes(":") ? 6 : 4;
    const make = (version: number) =>
      sdpTransform.write({
        version: 0,
        origin: { username: "-", sessionId: this.sessionId, sessionVersion: version, netType: "IN", ipVer, address: local.address },
        name: "gwsdk",
        connection: { version: ipVer, ip: local.address },
        timing: { start: 0, stop: 0 },
        media,
      });
    // RFC 3264 §8: the version goes up only when the description changes.
    let body = make(this.version);
    if (this.lastBody !== undefined && body !== this.lastBody) {
      this.version++;
      body = make(this.version);
    }
    this.lastBody = body;
    return body;
  }
}

function lifetimeOf(k: SdesKeyParam): number {
  if (k.lifetime !== undefined) return k.lifetime;
  const t = k.lifetimeText!;
  return t.startsWith("2^") ? 2 ** Number(t.slice(2)) : Number(t);
}
