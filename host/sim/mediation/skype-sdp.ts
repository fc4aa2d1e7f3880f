// SDP as a Skype for Business Mediation Server writes and reads it, written separately from
// host/sdp so that the simulator does not agree with the gateway merely by sharing code:
// offers with two a=crypto lines (same key, with MKI |2^31|1:1 and without |2^31), x-attributes,
// optional SRTP on RTP/AVP; answers with one line, or (the quirk pjsip chokes on) two.
import { randomBytes } from "node:crypto";
import * as sdpTransform from "sdp-transform";
import type { NegotiatedMedia } from "../../sdp/negotiator.js";
import type { SrtpKey } from "../../media/srtp-provider.js";

export type CryptoStyle = "both" | "both-nomki-first" | "mki" | "no-mki" | "none";

export interface SkypeSdpOptions {
  address: string;
  rtpPort: number;
  rtcpPort: number;
  /** How the key is listed (default "both": MKI line first). */
  crypto?: CryptoStyle;
  /** m= profile (default RTP/SAVP; RTP/AVP with crypto = "optional SRTP"). */
  protocol?: "RTP/SAVP" | "RTP/AVP";
  /** Legacy a=encryption line. */
  encryption?: "required" | "optional" | "rejected";
  codecs?: ("PCMU" | "PCMA")[];
  direction?: "sendrecv" | "sendonly" | "recvonly" | "inactive";
}

export interface PeerKey {
  key: Uint8Array; // 16
  salt: Uint8Array; // 14
  /** The MKI value written as |v:1 (default 1, as Microsoft does). */
  mkiValue?: number;
}

export function newPeerKey(): PeerKey {
  const b = randomBytes(30);
  return { key: new Uint8Array(b.subarray(0, 16)), salt: new Uint8Array(b.subarray(16)) };
}

function inline(k: PeerKey): string {
  return Buffer.concat([k.key, k.salt]).toString("base64");
}

interface Line {
  tag: number;
  mki: boolean;
}

function lines(style: CryptoStyle, firstTag = 1): Line[] {
  switch (style) {
    case "both":
      return [
        { tag: firstTag, mki: true },
        { tag: firstTag + 1, mki: false },
      ];
    case "both-nomki-first":
      return [
        { tag: firstTag, mki: false },
        { tag: firstTag + 1, mki: true },
      ];
    case "mki":
      return [{ tag: firstTag, mki: true }];
    case "no-mki":
      return [{ tag: firstTag, mki: false }];
    case "none":
      return [];
  }
}

function cryptoLine(l: Line, k: PeerKey): string {
  return `a=crypto:${l.tag} AES_CM_128_HMAC_SHA1_80 inline:${inline(k)}|2^31${l.mki ? `|${k.mkiValue ?? 1}:1` : ""}`;
}

function body(o: SkypeSdpOptions, cryptoLines: string[], payloads: number[], te: number | null, rtcpMux: boolean): string {
  const rtpmap = payloads.map((p) => (p === 0 ? "a=rtpmap:0 PCMU/8000" : "a=rtpmap:8 PCMA/8000"));
  return (
    [
      "v=0",
      `o=- 0 ${Date.now() % 100000} IN IP4 ${o.address}`,
      "s=session",
      `c=IN IP4 ${o.address}`,
      "b=CT:99980",
      "t=0 0",
      `m=audio ${o.rtpPort} ${o.protocol ?? "RTP/SAVP"} ${[...payloads, ...(te !== null ? [te] : [])].join(" ")}`,
      `c=IN IP4 ${o.address}`,
      `a=rtcp:${o.rtcpPort}`,
      ...cryptoLines,
      "a=x-ssrc-range:3477381120-3477381120",
      "a=label:main-audio",
      ...(o.encryption ? [`a=encryption:${o.encryption}`] : []),
      ...rtpmap,
      ...(te !== null ? [`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-16`] : []),
      "a=ptime:20",
      ...(rtcpMux ? ["a=rtcp-mux"] : []),
      ...(o.direction ? [`a=${o.direction}`] : []),
      "",
    ].join("\r\n")
  );
}

export function skypeOffer(o: SkypeSdpOptions, key: PeerKey): { sdp: string; lines: Line[] } {
  const ls = lines(o.crypto ?? "both");
  const pts = (o.codecs ?? ["PCMU", "PCMA"]).map((c) => (c === "PCMU" ? 0 : 8));
  return { sdp: body(o, ls.map((l) => cryptoLine(l, key)), pts, 101, false), lines: ls };
}

interface PeerCrypto {
  tag: number;
  key: PeerKey;
  mki?: Uint8Array;
}

interface PeerView {
  address: string;
  rtpPort: number;
  rtcpPort: number;
  rtcpMux: boolean;
  protocol: string;
  payloads: number[];
  te: number | null;
  crypto: PeerCrypto[];
  direction: string;
}

/** A lenient reading, as a production server would do it (it is not our strict parser). */
export function readSdp(sdp: string): PeerView {
  const s = sdpTransform.parse(sdp);
  const m = s.media.find((x) => x.type === "audio");
  if (!m) throw new Error("no audio");
  const payloads = String(m.payloads ?? "")
    .split(" ")
    .filter(Boolean)
    .map(Number);
  const te = m.rtp.find((r) => r.codec.toLowerCase() === "telephone-event")?.payload ?? null;
  const crypto: PeerCrypto[] = [];
  for (const c of m.crypto ?? []) {
    const mm = /^inline:([A-Za-z0-9+/=]+)(?:\|([^|]+))?(?:\|(\d+):(\d+))?$/.exec(c.config);
    if (!mm || c.suite !== "AES_CM_128_HMAC_SHA1_80") continue;
    const raw = Buffer.from(mm[1]!, "base64");
    if (raw.length !== 30) continue;
    const len = mm[4] ? Number(mm[4]) : 0;
    const mki = len ? Uint8Array.from(Buffer.from(Number(mm[3]).toString(16).padStart(2 * len, "0"), "hex")) : undefined;
    crypto.push({ tag: c.id, key: { key: new Uint8Array(raw.subarray(0, 16)), salt: new Uint8Array(raw.subarray(16)) }, ...(mki ? { mki } : {}) });
  }
  const rtcpMux = !!m.rtcpMux;
  return {
    address: m.connection?.ip ?? s.connection?.ip ?? "127.0.0.1",
    rtpPort: m.port,
    rtcpPort: rtcpMux ? m.port : (m.rtcp?.port ?? m.port + 1),
    rtcpMux,
    protocol: m.protocol,
    payloads,
    te,
    crypto,
    direction: m.direction ?? "sendrecv",
  };
}

function srtpKey(k: PeerKey, mki?: Uint8Array): SrtpKey {
  return { masterKey: k.key, masterSalt: k.salt, ...(mki ? { mki } : {}) };
}

function reverseDir(d: string): NegotiatedMedia["direction"] {
  return d === "sendonly" ? "recvonly" : d === "recvonly" ? "sendonly" : d === "inactive" ? "inactive" : "sendrecv";
}

function mediaFrom(v: PeerView, srtp: NegotiatedMedia["srtp"]): NegotiatedMedia {
  const pt = v.payloads.find((p) => p === 0 || p === 8);
  if (pt === undefined) throw new Error("no G.711");
  return {
    remoteAddress: v.address,
    remoteRtpPort: v.rtpPort,
    remoteRtcpAddress: v.address,
    remoteRtcpPort: v.rtcpPort,
    rtcpMux: v.rtcpMux,
    codec: { name: pt === 0 ? "PCMU" : "PCMA", payloadType: pt },
    telephoneEvent: v.te,
    ptime: 20,
    direction: reverseDir(v.direction),
    srtp,
    remoteProtocol: v.protocol,
  };
}

/** The media the peer runs after the gateway answered its offer. */
export function mediaForAnswer(answer: string, ourLines: Line[], ourKey: PeerKey): NegotiatedMedia {
  const v = readSdp(answer);
  let srtp: NegotiatedMedia["srtp"] = null;
  if (v.crypto.length) {
    const first = v.crypto[0]!;
    const ours = ourLines.find((l) => l.tag === first.tag);
    if (!ours) throw new Error("answer crypto tag not offered");
    const rx = v.crypto.filter((c) => Buffer.compare(Buffer.from(c.key.key), Buffer.from(first.key.key)) === 0).map((c) => srtpKey(c.key, c.mki));
    srtp = { profile: "AES_CM_128_HMAC_SHA1_80", tag: first.tag, tx: srtpKey(ourKey, ours.mki ? Uint8Array.of(ourKey.mkiValue ?? 1) : undefined), rx };
  }
  return mediaFrom(v, srtp);
}

/**
 * The peer's answer to a gateway offer: picks the first AES_CM_128_HMAC_SHA1_80 line, answers
 * with one line in that line's MKI form (or, `bothForms`, with the same key twice as Microsoft
 * sometimes does: the picked tag and the other offered tag).
 */
export function skypeAnswer(offer: string, o: SkypeSdpOptions & { bothForms?: boolean; acceptPlain?: boolean }, key: PeerKey): { sdp: string; media: NegotiatedMedia } {
  const v = readSdp(offer);
  const picked = v.crypto[0];
  const pt = v.payloads.find((p) => p === 0 || p === 8);
  if (pt === undefined) throw Object.assign(new Error("no codec"), { status: 488 });
  if (!picked) {
    if (!o.acceptPlain) throw Object.assign(new Error("encryption required"), { status: 488 });
    const sdp = body({ ...o, protocol: "RTP/AVP" }, [], [pt], v.te, v.rtcpMux);
    return { sdp, media: mediaFrom(v, null) };
  }
  const answerLines: string[] = [cryptoLine({ tag: picked.tag, mki: !!picked.mki }, key)];
  if (o.bothForms) {
    const other = v.crypto.find((c) => c.tag !== picked.tag && !!c.mki !== !!picked.mki);
    if (other) answerLines.push(cryptoLine({ tag: other.tag, mki: !!other.mki }, key));
  }
  const sdp = body({ ...o, protocol: "RTP/SAVP" }, answerLines, [pt], v.te, v.rtcpMux);
  const rx = v.crypto.filter((c) => Buffer.compare(Buffer.from(c.key.key), Buffer.from(picked.key.key)) === 0).map((c) => srtpKey(c.key, c.mki));
  const media = mediaFrom(v, { profile: "AES_CM_128_HMAC_SHA1_80", tag: picked.tag, tx: srtpKey(key, picked.mki ? Uint8Array.of(key.mkiValue ?? 1) : undefined), rx });
  return { sdp, media };
}
