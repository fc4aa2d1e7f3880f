// An independent SRTP/SRTCP implementation (RFC 3711, RFC 6188, RFC 7714) on Node's `crypto`
// (OpenSSL), implementing the SrtpProvider interface of host/media/srtp-provider.ts.
//
// It is the Mediation Server simulator's SRTP and the functional tests' cross-check against the
// WebAssembly core: nothing here shares code with assembly/. It is written for clarity, not speed
// (a new OpenSSL cipher per packet: ~100k packets/s, plenty for a simulator).
//
// Packet layouts (MKI is 1..4 bytes when the key has one):
//   SRTP, AES-CM / NULL:   header ‖ E(payload)              ‖ MKI ‖ tag(10|4)     tag = HMAC-SHA1(header‖E(payload)‖ROC)
//   SRTP, AEAD (GCM):      header ‖ GCM(payload)‖tag(16)    ‖ MKI                 AAD = header      (MKI after the tag, as libsrtp)
//   SRTCP, AES-CM / NULL:  header(8) ‖ E(rest) ‖ E|index(4) ‖ MKI ‖ tag(10)       tag covers header‖E(rest)‖E|index
//   SRTCP, AEAD:           header(8) ‖ GCM(rest)‖tag(16) ‖ E|index(4) ‖ MKI       AAD = header‖E|index (E=0: whole packet‖E|index)
//
// Receive order (as pion/srtp and libsrtp): parse → MKI lookup → replay *check* → authenticate →
// decrypt → replay *commit* and ROC update. No per-SSRC state is created until a packet authenticates.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import {
  SRTP_PROFILES,
  SrtpError,
  isSrtpProfile,
  type SrtpKey,
  type SrtpOptions,
  type SrtpProfile,
  type SrtpProfileInfo,
  type SrtpProvider,
  type SrtpReceiver,
  type SrtpSender,
} from "../../media/srtp-provider.js";

// ---------------------------------------------------------------------------------------------
// Key derivation (RFC 3711 §4.3, with kdr = 0 so r = 0; RFC 6188 §5 for AES-192/256;
// RFC 7714 §11 + erratum 4938 for GCM: the 12-octet master salt is padded with two zero octets).

/** RFC 3711 §4.3.3 labels. */
export const KDF_LABEL = {
  srtpEncryption: 0x00,
  srtpAuth: 0x01,
  srtpSalt: 0x02,
  srtcpEncryption: 0x03,
  srtcpAuth: 0x04,
  srtcpSalt: 0x05,
} as const;

function aesCtrName(keyLength: number): "aes-128-ctr" | "aes-192-ctr" | "aes-256-ctr" {
  if (keyLength === 16) return "aes-128-ctr";
  if (keyLength === 24) return "aes-192-ctr";
  if (keyLength === 32) return "aes-256-ctr";
  throw new SrtpError("ERR_SRTP_KEY_LENGTH", `no AES variant takes a ${keyLength}-byte key`);
}

/**
 * The AES-CM PRF: x = (label ‖ r) XOR master_salt, right-aligned (the label lands in salt byte 7);
 * output = AES-CTR keystream under the master key from the block x ‖ 0x0000, truncated.
 * `masterSalt` is 14 octets (GCM callers pad their 12-octet salt first).
 */
export function srtpKdf(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Uint8Array {
  if (masterSalt.length !== 14) throw new SrtpError("ERR_SRTP_KEY_LENGTH", "the KDF takes a 14-octet master salt");
  const iv = Buffer.alloc(16);
  iv.set(masterSalt, 0);
  iv[7]! ^= label; // r = index DIV kdr = 0 with kdr = 0, so only the label is XORed in
  const c = createCipheriv(aesCtrName(masterKey.length), masterKey, iv);
  const out = c.update(Buffer.alloc(length));
  c.final();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export interface DirectionKeys {
  /** Session encryption key (empty for NULL profiles). */
  encKey: Uint8Array;
  /** Session salt: 14 octets for AES-CM, 12 for GCM (empty for NULL). */
  salt: Uint8Array;
  /** HMAC-SHA1 session key, 20 octets (empty for GCM). */
  authKey: Uint8Array;
}

export interface SessionKeys {
  srtp: DirectionKeys;
  srtcp: DirectionKeys;
}

export function deriveSessionKeys(profile: SrtpProfile, masterKey: Uint8Array, masterSalt: Uint8Array): SessionKeys {
  const info = SRTP_PROFILES[profile];
  checkKeyLengths(info, masterKey, masterSalt);
  let salt14 = masterSalt;
  if (info.saltLength === 12) {
    salt14 = new Uint8Array(14);
    salt14.set(masterSalt, 0);
  }
  const none = new Uint8Array(0);
  const one = (enc: number, auth: number, salt: number): DirectionKeys => {
    if (info.cipher === "null") return { encKey: none, salt: none, authKey: srtpKdf(masterKey, salt14, auth, 20) };
    if (info.cipher === "aes-gcm") {
      return { encKey: srtpKdf(masterKey, salt14, enc, info.keyLength), salt: srtpKdf(masterKey, salt14, salt, 12), authKey: none };
    }
    return {
      encKey: srtpKdf(masterKey, salt14, enc, info.keyLength),
      salt: srtpKdf(masterKey, salt14, salt, 14),
      authKey: srtpKdf(masterKey, salt14, auth, 20),
    };
  };
  return {
    srtp: one(KDF_LABEL.srtpEncryption, KDF_LABEL.srtpAuth, KDF_LABEL.srtpSalt),
    srtcp: one(KDF_LABEL.srtcpEncryption, KDF_LABEL.srtcpAuth, KDF_LABEL.srtcpSalt),
  };
}

function checkKeyLengths(info: SrtpProfileInfo, masterKey: Uint8Array, masterSalt: Uint8Array): void {
  if (masterKey.length !== info.keyLength) {
    throw new SrtpError("ERR_SRTP_KEY_LENGTH", `${info.profile} takes a ${info.keyLength}-byte master key, got ${masterKey.length}`);
  }
  if (masterSalt.length !== info.saltLength) {
    throw new SrtpError("ERR_SRTP_KEY_LENGTH", `${info.profile} takes a ${info.saltLength}-byte master salt, got ${masterSalt.length}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Packet transforms with explicit state (exported so the RFC 7714 session-key vectors and the
// libsrtp SRTCP-index-1 vectors can drive them directly).

/** RTP header length (fixed header, CSRCs, extension), or -1 when the packet is malformed. */
export function rtpHeaderLength(p: Uint8Array): number {
  if (p.length < 12 || p[0]! >> 6 !== 2) return -1;
  let n = 12 + 4 * (p[0]! & 0x0f);
  if (p[0]! & 0x10) {
    if (p.length < n + 4) return -1;
    n += 4 + 4 * ((p[n + 2]! << 8) | p[n + 3]!);
  }
  return n <= p.length ? n : -1;
}

function u32(p: Uint8Array, off: number): number {
  return ((p[off]! << 24) | (p[off + 1]! << 16) | (p[off + 2]! << 8) | p[off + 3]!) >>> 0;
}

function put32(p: Uint8Array, off: number, v: number): void {
  p[off] = v >>> 24;
  p[off + 1] = (v >>> 16) & 0xff;
  p[off + 2] = (v >>> 8) & 0xff;
  p[off + 3] = v & 0xff;
}

/** AES-CM IV (RFC 3711 §4.1.1): (k_s·2^16) XOR (SSRC·2^64) XOR (index·2^16); index up to 48 bits. */
function aesCmIv(salt: Uint8Array, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.set(salt.subarray(0, 14), 0);
  const ss = Buffer.alloc(4);
  ss.writeUInt32BE(ssrc);
  for (let i = 0; i < 4; i++) iv[4 + i]! ^= ss[i]!;
  const hi = Math.floor(index / 0x100000000); // top 16 bits of the 48-bit index
  const lo = index >>> 0;
  iv[8]! ^= (hi >>> 8) & 0xff;
  iv[9]! ^= hi & 0xff;
  iv[10]! ^= lo >>> 24;
  iv[11]! ^= (lo >>> 16) & 0xff;
  iv[12]! ^= (lo >>> 8) & 0xff;
  iv[13]! ^= lo & 0xff;
  return iv;
}

/** GCM IV for SRTP (RFC 7714 §8.1): salt XOR (00 00 ‖ SSRC ‖ ROC ‖ SEQ). */
function gcmSrtpIv(salt: Uint8Array, ssrc: number, roc: number, seq: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(roc >>> 0, 6);
  iv.writeUInt16BE(seq, 10);
  for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
  return iv;
}

/** GCM IV for SRTCP (RFC 7714 §9.1): salt XOR (00 00 ‖ SSRC ‖ 00 00 ‖ 0 ‖ 31-bit index). */
function gcmSrtcpIv(salt: Uint8Array, ssrc: number, index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(index & 0x7fffffff, 8);
  for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
  return iv;
}

function ctrXor(key: Uint8Array, iv: Buffer, data: Uint8Array): Buffer {
  const c = createCipheriv(aesCtrName(key.length), key, iv);
  const out = c.update(data);
  c.final();
  return out;
}

function gcmName(keyLength: number): "aes-128-gcm" | "aes-256-gcm" {
  if (keyLength === 16) return "aes-128-gcm";
  if (keyLength === 32) return "aes-256-gcm";
  throw new SrtpError("ERR_SRTP_KEY_LENGTH", `no GCM profile takes a ${keyLength}-byte key`);
}

function hmacSha1(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac("sha1", key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function roc32(roc: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(roc >>> 0);
  return b;
}

function tagEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Constant time in the tag length: the tag is the only secret-dependent comparison here.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * SRTP protect with an explicit rollover counter. `packet` is a plain RTP packet;
 * returns header ‖ protected payload ‖ (MKI and tag in the profile's order).
 */
export function srtpProtectPacket(info: SrtpProfileInfo, keys: DirectionKeys, packet: Uint8Array, roc: number, mki?: Uint8Array): Uint8Array {
  const h = rtpHeaderLength(packet);
  if (h < 0) throw new SrtpError("ERR_SRTP_MALFORMED", "not an RTP packet");
  const ssrc = u32(packet, 8);
  const seq = (packet[2]! << 8) | packet[3]!;
  const index = roc * 0x10000 + seq;
  const header = packet.subarray(0, h);
  const payload = packet.subarray(h);
  const m = mki ?? new Uint8Array(0);
  if (info.cipher === "aes-gcm") {
    const c = createCipheriv(gcmName(keys.encKey.length), keys.encKey, gcmSrtpIv(keys.salt, ssrc, roc, seq), { authTagLength: 16 });
    c.setAAD(header);
    const ct = Buffer.concat([c.update(payload), c.final()]);
    return concat(header, ct, c.getAuthTag(), m);
  }
  const body = info.cipher === "null" ? payload : ctrXor(keys.encKey, aesCmIv(keys.salt, ssrc, index), payload);
  const tag = hmacSha1(keys.authKey, header, body, roc32(roc)).subarray(0, info.srtpTagLength);
  return concat(header, body, m, tag);
}

/**
 * SRTP unprotect with an explicit rollover counter (no replay logic). Throws ERR_SRTP_AUTH when the
 * tag does not verify. `mkiLength` is the number of MKI bytes the packet carries (0 for none).
 */
export function srtpUnprotectPacket(info: SrtpProfileInfo, keys: DirectionKeys, packet: Uint8Array, roc: number, mkiLength: number): Uint8Array {
  const tagLen = info.srtpTagLength;
  const h = rtpHeaderLength(packet);
  if (h < 0 || packet.length < h + tagLen + mkiLength) throw new SrtpError("ERR_SRTP_MALFORMED", "SRTP packet too short");
  const ssrc = u32(packet, 8);
  const seq = (packet[2]! << 8) | packet[3]!;
  const header = packet.subarray(0, h);
  if (info.cipher === "aes-gcm") {
    const end = packet.length - mkiLength;
    const ct = packet.subarray(h, end - tagLen);
    const tag = packet.subarray(end - tagLen, end);
    const d = createDecipheriv(gcmName(keys.encKey.length), keys.encKey, gcmSrtpIv(keys.salt, ssrc, roc, seq), { authTagLength: 16 });
    d.setAAD(header);
    d.setAuthTag(tag);
    const pt = d.update(ct);
    try {
      d.final();
    } catch {
      throw new SrtpError("ERR_SRTP_AUTH", "SRTP (GCM) authentication failed");
    }
    return concat(header, pt);
  }
  const authEnd = packet.length - tagLen - mkiLength;
  const tag = packet.subarray(packet.length - tagLen);
  const expect = hmacSha1(keys.authKey, packet.subarray(0, authEnd), roc32(roc)).subarray(0, tagLen);
  if (!tagEqual(expect, tag)) throw new SrtpError("ERR_SRTP_AUTH", "SRTP authentication failed");
  const body = packet.subarray(h, authEnd);
  const pt = info.cipher === "null" ? body : ctrXor(keys.encKey, aesCmIv(keys.salt, ssrc, roc * 0x10000 + seq), body);
  return concat(header, pt);
}

/**
 * SRTCP protect with an explicit 31-bit index. `encrypt` false sends E=0 (authentication only).
 * `tagLength` defaults to the profile's SRTCP tag (80 bits for every HMAC profile, RFC 4568).
 */
export function srtcpProtectPacket(
  info: SrtpProfileInfo,
  keys: DirectionKeys,
  packet: Uint8Array,
  index: number,
  opts: { encrypt?: boolean; mki?: Uint8Array; tagLength?: number } = {},
): Uint8Array {
  if (packet.length < 8 || packet[0]! >> 6 !== 2) throw new SrtpError("ERR_SRTP_MALFORMED", "not an RTCP packet");
  const encrypt = (opts.encrypt ?? true) && info.cipher !== "null";
  const m = opts.mki ?? new Uint8Array(0);
  const ssrc = u32(packet, 4);
  const header = packet.subarray(0, 8);
  const rest = packet.subarray(8);
  const trailer = new Uint8Array(4);
  put32(trailer, 0, ((encrypt ? 0x80000000 : 0) | (index & 0x7fffffff)) >>> 0);
  if (info.cipher === "aes-gcm") {
    const c = createCipheriv(gcmName(keys.encKey.length), keys.encKey, gcmSrtcpIv(keys.salt, ssrc, index), { authTagLength: 16 });
    if (encrypt) {
      c.setAAD(concat(header, trailer));
      const ct = Buffer.concat([c.update(rest), c.final()]);
      return concat(header, ct, c.getAuthTag(), trailer, m);
    }
    c.setAAD(concat(packet, trailer));
    c.final();
    return concat(packet, c.getAuthTag(), trailer, m);
  }
  const body = encrypt ? ctrXor(keys.encKey, aesCmIv(keys.salt, ssrc, index & 0x7fffffff), rest) : rest;
  const tagLength = opts.tagLength ?? info.srtcpTagLength;
  const tag = hmacSha1(keys.authKey, header, body, trailer).subarray(0, tagLength);
  return concat(header, body, trailer, m, tag);
}

export interface SrtcpOpened {
  packet: Uint8Array;
  index: number;
  encrypted: boolean;
}

/** SRTCP unprotect (no replay logic): returns the RTCP packet and the index it carried. */
export function srtcpUnprotectPacket(
  info: SrtpProfileInfo,
  keys: DirectionKeys,
  packet: Uint8Array,
  mkiLength: number,
  tagLength: number = info.srtcpTagLength,
): SrtcpOpened {
  if (packet.length < 8 + 4 + mkiLength + tagLength || packet[0]! >> 6 !== 2) {
    throw new SrtpError("ERR_SRTP_MALFORMED", "SRTCP packet too short");
  }
  const ssrc = u32(packet, 4);
  const header = packet.subarray(0, 8);
  if (info.cipher === "aes-gcm") {
    const tEnd = packet.length - mkiLength;
    const trailer = packet.subarray(tEnd - 4, tEnd);
    const word = u32(trailer, 0);
    const index = word & 0x7fffffff;
    const encrypted = (word & 0x80000000) !== 0;
    const tag = packet.subarray(tEnd - 4 - tagLength, tEnd - 4);
    const d = createDecipheriv(gcmName(keys.encKey.length), keys.encKey, gcmSrtcpIv(keys.salt, ssrc, index), { authTagLength: 16 });
    d.setAuthTag(tag);
    let out: Uint8Array;
    if (encrypted) {
      d.setAAD(concat(header, trailer));
      const pt = d.update(packet.subarray(8, tEnd - 4 - tagLength));
      try {
        d.final();
      } catch {
        throw new SrtpError("ERR_SRTP_AUTH", "SRTCP (GCM) authentication failed");
      }
      out = concat(header, pt);
    } else {
      const clear = packet.subarray(0, tEnd - 4 - tagLength);
      d.setAAD(concat(clear, trailer));
      try {
        d.final();
      } catch {
        throw new SrtpError("ERR_SRTP_AUTH", "SRTCP (GCM) authentication failed");
      }
      out = Uint8Array.from(clear);
    }
    return { packet: out, index, encrypted };
  }
  const tag = packet.subarray(packet.length - tagLength);
  const authEnd = packet.length - tagLength - mkiLength;
  const expect = hmacSha1(keys.authKey, packet.subarray(0, authEnd)).subarray(0, tagLength);
  if (!tagEqual(expect, tag)) throw new SrtpError("ERR_SRTP_AUTH", "SRTCP authentication failed");
  const word = u32(packet, authEnd - 4);
  const index = word & 0x7fffffff;
  const encrypted = (word & 0x80000000) !== 0;
  const body = packet.subarray(8, authEnd - 4);
  const pt = encrypted && info.cipher !== "null" ? ctrXor(keys.encKey, aesCmIv(keys.salt, ssrc, index), body) : body;
  return { packet: concat(header, pt), index, encrypted };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Index estimation and replay (RFC 3711 §3.3.1 and Appendix A; §3.3.2).

/**
 * RFC 3711 Appendix A: the ROC guess v for a received SEQ given the highest SEQ s_l seen with the
 * current ROC. Returns v, which may be roc - 1 (a late packet from before a wrap) or roc + 1.
 */
export function estimateRoc(roc: number, sL: number, seq: number): number {
  if (sL < 32768) return seq - sL > 32768 ? roc - 1 : roc;
  return sL - 32768 > seq ? roc + 1 : roc;
}

/** A sliding replay window over packet indices (bit i set: highest - i was accepted). */
export class ReplayWindow {
  private highest = -1;
  private bits = 0n;
  private readonly mask: bigint;
  constructor(readonly size: number) {
    this.mask = (1n << BigInt(size)) - 1n;
  }
  /** "ok", "replay" (seen) or "old" (left of the window). */
  check(index: number): "ok" | "replay" | "old" {
    if (this.highest < 0 || index > this.highest) return "ok";
    const d = this.highest - index;
    if (d >= this.size) return "old";
    return (this.bits >> BigInt(d)) & 1n ? "replay" : "ok";
  }
  add(index: number): void {
    if (this.highest < 0) {
      this.highest = index;
      this.bits = 1n;
      return;
    }
    if (index > this.highest) {
      const shift = index - this.highest;
      this.bits = shift >= this.size ? 1n : ((this.bits << BigInt(shift)) | 1n) & this.mask;
      this.highest = index;
    } else {
      this.bits |= 1n << BigInt(this.highest - index);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Contexts

const MAX_SRTP_INDEX = 2 ** 48 - 1;
const MAX_SRTCP_INDEX = 2 ** 31 - 1;
const DEFAULT_LIFETIME = 2 ** 48;
/** libsrtp's soft key limit: warn when fewer than 2^16 uses remain. */
const SOFT_LIMIT = 0x10000;

interface MasterKeyState {
  mki: Uint8Array | undefined;
  keys: SessionKeys;
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  used: number;
  softSent: boolean;
  hardSent: boolean;
}

interface StreamState {
  /** RTP: rollover counter and highest SEQ with that ROC (RFC 3711 s_l). */
  roc: number;
  sL: number;
  rtpWindow: ReplayWindow;
  /** SRTCP: next index to send (sender) / replay window (receiver). */
  rtcpNext: number;
  rtcpWindow: ReplayWindow;
}

export interface NodeSrtpProviderOptions {
  /**
   * The first SRTCP index a sender uses. RFC 3711 §3.4 says 0 (the default); libsrtp starts at 1,
   * which its published SRTCP vectors reflect.
   */
  srtcpFirstIndex?: number;
  /**
   * SRTCP tag length override. Default: the profile's (10 bytes for every HMAC profile, RFC 4568).
   * Only for reproducing peers that truncate SRTCP tags to 4 bytes for the _32 suites.
   */
  srtcpTagLength?: number;
  /** Most SSRCs one context tracks (default 64); a packet for one more is refused ERR_SRTP_ARG. */
  maxStreams?: number;
}

function mkiHex(m: Uint8Array | undefined): string {
  return m ? Buffer.from(m).toString("hex") : "";
}

abstract class NodeSrtpContext {
  protected readonly info: SrtpProfileInfo;
  protected readonly keys = new Map<string, MasterKeyState>();
  protected readonly mkiLength: number;
  protected readonly streams = new Map<number, StreamState>();
  protected readonly lifetime: number;
  protected readonly window: number;
  protected readonly srtcpTagLength: number;
  protected readonly maxStreams: number;
  protected readonly srtcpFirstIndex: number;
  protected closed = false;

  constructor(
    protected readonly opts: SrtpOptions,
    providerOpts: NodeSrtpProviderOptions,
  ) {
    if (!isSrtpProfile(opts.profile)) throw new SrtpError("ERR_SRTP_ARG", `unknown SRTP profile ${String(opts.profile)}`);
    this.info = SRTP_PROFILES[opts.profile];
    this.mkiLength = opts.mki ? opts.mki.length : 0;
    if (opts.mki && (opts.mki.length < 1 || opts.mki.length > 4)) throw new SrtpError("ERR_SRTP_MKI", "MKI length must be 1..4 bytes");
    const lifetime = opts.lifetime ?? DEFAULT_LIFETIME;
    if (!Number.isSafeInteger(lifetime) || lifetime < 1) throw new SrtpError("ERR_SRTP_ARG", "lifetime must be a positive integer");
    this.lifetime = Math.min(lifetime, DEFAULT_LIFETIME);
    this.window = opts.replayWindow ?? 128;
    if (!Number.isInteger(this.window) || this.window < 1 || this.window > 32768) throw new SrtpError("ERR_SRTP_ARG", "replayWindow must be 1..32768");
    // The override only applies to HMAC profiles; a GCM tag is always 16 octets here.
    this.srtcpTagLength = this.info.cipher === "aes-gcm" ? 16 : (providerOpts.srtcpTagLength ?? this.info.srtcpTagLength);
    this.maxStreams = providerOpts.maxStreams ?? 64;
    this.srtcpFirstIndex = providerOpts.srtcpFirstIndex ?? 0;
    this.addKeyInternal(opts);
  }

  protected addKeyInternal(k: SrtpKey): MasterKeyState {
    this.checkOpen();
    const len = k.mki ? k.mki.length : 0;
    if (len !== this.mkiLength) {
      throw new SrtpError("ERR_SRTP_MKI", this.mkiLength === 0 ? "this context has no MKI: it holds a single key" : `every key needs a ${this.mkiLength}-byte MKI`);
    }
    const id = mkiHex(k.mki);
    if (this.keys.has(id)) throw new SrtpError("ERR_SRTP_MKI", `MKI ${id || "(none)"} is already in use`);
    const state: MasterKeyState = {
      mki: k.mki ? Uint8Array.from(k.mki) : undefined,
      keys: deriveSessionKeys(this.info.profile, k.masterKey, k.masterSalt),
      masterKey: Uint8Array.from(k.masterKey),
      masterSalt: Uint8Array.from(k.masterSalt),
      used: 0,
      softSent: false,
      hardSent: false,
    };
    this.keys.set(id, state);
    return state;
  }

  removeKey(mki: Uint8Array): void {
    this.checkOpen();
    const k = this.keys.get(mkiHex(mki));
    if (!k || this.mkiLength === 0) throw new SrtpError("ERR_SRTP_MKI", `unknown MKI ${mkiHex(mki)}`);
    this.beforeRemove(k);
    wipeKey(k);
    this.keys.delete(mkiHex(mki));
  }

  protected beforeRemove(_k: MasterKeyState): void {}

  close(): void {
    if (this.closed) return;
    for (const k of this.keys.values()) wipeKey(k);
    this.keys.clear();
    this.streams.clear();
    this.closed = true;
  }

  protected checkOpen(): void {
    if (this.closed) throw new SrtpError("ERR_SRTP_CLOSED", "the SRTP context is closed");
  }

  /** Counts one use of a master key; throws ERR_SRTP_KEY_LIMIT once it is used up. */
  protected spend(k: MasterKeyState): void {
    const remaining = this.lifetime - k.used;
    if (remaining <= 0) {
      if (!k.hardSent) {
        k.hardSent = true;
        this.opts.onKeyLimit?.({ ...(k.mki ? { mki: k.mki } : {}), remaining: 0, hard: true });
      }
      throw new SrtpError("ERR_SRTP_KEY_LIMIT", "the master key's lifetime is used up");
    }
    k.used++;
    const left = remaining - 1;
    const soft = Math.min(SOFT_LIMIT, Math.floor(this.lifetime / 2));
    if (!k.softSent && left < soft) {
      k.softSent = true;
      this.opts.onKeyLimit?.({ ...(k.mki ? { mki: k.mki } : {}), remaining: left, hard: false });
    }
  }

  protected newStream(): StreamState {
    if (this.streams.size >= this.maxStreams) throw new SrtpError("ERR_SRTP_ARG", `more than ${this.maxStreams} SSRCs in one context`);
    return { roc: 0, sL: 0, rtpWindow: new ReplayWindow(this.window), rtcpNext: this.srtcpFirstIndex, rtcpWindow: new ReplayWindow(this.window) };
  }
}

function wipeKey(k: MasterKeyState): void {
  k.masterKey.fill(0);
  k.masterSalt.fill(0);
  for (const d of [k.keys.srtp, k.keys.srtcp]) {
    d.encKey.fill(0);
    d.salt.fill(0);
    d.authKey.fill(0);
  }
}

export class NodeSrtpSender extends NodeSrtpContext implements SrtpSender {
  private active: MasterKeyState;

  constructor(opts: SrtpOptions, providerOpts: NodeSrtpProviderOptions = {}) {
    super(opts, providerOpts);
    this.active = this.keys.get(mkiHex(opts.mki))!;
  }

  addKey(k: SrtpKey): void {
    this.addKeyInternal(k);
  }

  useKey(mki: Uint8Array): void {
    this.checkOpen();
    const k = this.keys.get(mkiHex(mki));
    if (!k || this.mkiLength === 0) throw new SrtpError("ERR_SRTP_MKI", `unknown MKI ${mkiHex(mki)}`);
    this.active = k;
  }

  protected override beforeRemove(k: MasterKeyState): void {
    if (k === this.active) throw new SrtpError("ERR_SRTP_ARG", "cannot remove the key in use; useKey() another first");
  }

  protect(rtp: Uint8Array): Uint8Array {
    this.checkOpen();
    if (rtpHeaderLength(rtp) < 0) throw new SrtpError("ERR_SRTP_MALFORMED", "not an RTP packet");
    const ssrc = u32(rtp, 8);
    const seq = (rtp[2]! << 8) | rtp[3]!;
    let s = this.streams.get(ssrc);
    const fresh = !s;
    if (!s) {
      s = this.newStream();
      s.sL = seq;
    }
    // The sender estimates its own index the same way a receiver would (libsrtp does too), so a
    // wrap of SEQ advances the ROC and a late retransmission keeps the old one.
    const v = fresh ? 0 : estimateRoc(s.roc, s.sL, seq);
    if (v < 0) throw new SrtpError("ERR_SRTP_REPLAY_OLD", "sequence number before the start of the stream");
    const index = v * 0x10000 + seq;
    if (index > MAX_SRTP_INDEX) throw new SrtpError("ERR_SRTP_KEY_LIMIT", "the 48-bit SRTP index is used up");
    const r = s.rtpWindow.check(index);
    if (r !== "ok" && !(r === "replay" && this.opts.allowRepeatTx)) {
      throw new SrtpError(r === "old" ? "ERR_SRTP_REPLAY_OLD" : "ERR_SRTP_REPLAY", `RTP index ${index} was already protected`);
    }
    const k = this.active;
    this.spend(k);
    const out = srtpProtectPacket(this.info, k.keys.srtp, rtp, v, k.mki);
    if (fresh) this.streams.set(ssrc, s);
    commitRoc(s, v, seq);
    s.rtpWindow.add(index);
    return out;
  }

  protectRtcp(rtcp: Uint8Array): Uint8Array {
    this.checkOpen();
    if (rtcp.length < 8 || rtcp[0]! >> 6 !== 2) throw new SrtpError("ERR_SRTP_MALFORMED", "not an RTCP packet");
    const ssrc = u32(rtcp, 4);
    let s = this.streams.get(ssrc);
    const fresh = !s;
    if (!s) s = this.newStream();
    if (s.rtcpNext > MAX_SRTCP_INDEX) throw new SrtpError("ERR_SRTP_KEY_LIMIT", "the 31-bit SRTCP index is used up");
    const k = this.active;
    this.spend(k);
    const out = srtcpProtectPacket(this.info, k.keys.srtcp, rtcp, s.rtcpNext, {
      encrypt: true,
      ...(k.mki ? { mki: k.mki } : {}),
      tagLength: this.srtcpTagLength,
    });
    if (fresh) this.streams.set(ssrc, s);
    s.rtcpNext++;
    return out;
  }
}

function commitRoc(s: StreamState, v: number, seq: number): void {
  if (v > s.roc) {
    s.roc = v;
    s.sL = seq;
  } else if (v === s.roc && seq > s.sL) {
    s.sL = seq;
  }
}

export class NodeSrtpReceiver extends NodeSrtpContext implements SrtpReceiver {
  constructor(opts: SrtpOptions, providerOpts: NodeSrtpProviderOptions = {}) {
    super(opts, providerOpts);
  }

  addKey(k: SrtpKey): void {
    this.addKeyInternal(k);
  }

  private keyFor(mki: Uint8Array | undefined): MasterKeyState {
    const k = this.keys.get(mkiHex(mki));
    if (!k) throw new SrtpError("ERR_SRTP_MKI", `no key for MKI ${mkiHex(mki)}`);
    return k;
  }

  unprotect(srtp: Uint8Array): Uint8Array {
    this.checkOpen();
    const tagLen = this.info.srtpTagLength;
    const h = rtpHeaderLength(srtp);
    if (h < 0 || srtp.length < h + tagLen + this.mkiLength) throw new SrtpError("ERR_SRTP_MALFORMED", "SRTP packet too short");
    let mki: Uint8Array | undefined;
    if (this.mkiLength) {
      // HMAC profiles: MKI just before the tag; AEAD: the MKI ends the packet.
      const end = this.info.cipher === "aes-gcm" ? srtp.length : srtp.length - tagLen;
      mki = srtp.subarray(end - this.mkiLength, end);
    }
    const k = this.keyFor(mki);
    const ssrc = u32(srtp, 8);
    const seq = (srtp[2]! << 8) | srtp[3]!;
    const s = this.streams.get(ssrc);
    const v = s ? estimateRoc(s.roc, s.sL, seq) : 0;
    if (v < 0) throw new SrtpError("ERR_SRTP_REPLAY_OLD", "sequence number before the start of the stream");
    const index = v * 0x10000 + seq;
    if (s) {
      const r = s.rtpWindow.check(index);
      if (r === "old") throw new SrtpError("ERR_SRTP_REPLAY_OLD", `RTP index ${index} is left of the replay window`);
      if (r === "replay") throw new SrtpError("ERR_SRTP_REPLAY", `RTP index ${index} was already received`);
    }
    if (k.used >= this.lifetime) this.spend(k); // throws ERR_SRTP_KEY_LIMIT
    const out = srtpUnprotectPacket(this.info, k.keys.srtp, srtp, v, this.mkiLength);
    this.spend(k);
    let st = s;
    if (!st) {
      st = this.newStream();
      st.sL = seq;
      this.streams.set(ssrc, st);
    }
    commitRoc(st, v, seq);
    st.rtpWindow.add(index);
    return out;
  }

  unprotectRtcp(srtcp: Uint8Array): Uint8Array {
    this.checkOpen();
    const tagLen = this.srtcpTagLength;
    if (srtcp.length < 8 + 4 + this.mkiLength + tagLen || srtcp[0]! >> 6 !== 2) throw new SrtpError("ERR_SRTP_MALFORMED", "SRTCP packet too short");
    let mki: Uint8Array | undefined;
    if (this.mkiLength) {
      const end = this.info.cipher === "aes-gcm" ? srtcp.length : srtcp.length - tagLen;
      mki = srtcp.subarray(end - this.mkiLength, end);
    }
    const k = this.keyFor(mki);
    const ssrc = u32(srtcp, 4);
    // The index is read before authentication only to check replay; it is trusted after.
    const trailerEnd = this.info.cipher === "aes-gcm" ? srtcp.length - this.mkiLength : srtcp.length - tagLen - this.mkiLength;
    const claimed = u32(srtcp, trailerEnd - 4) & 0x7fffffff;
    const s = this.streams.get(ssrc);
    if (s) {
      const r = s.rtcpWindow.check(claimed);
      if (r === "old") throw new SrtpError("ERR_SRTP_REPLAY_OLD", `SRTCP index ${claimed} is left of the replay window`);
      if (r === "replay") throw new SrtpError("ERR_SRTP_REPLAY", `SRTCP index ${claimed} was already received`);
    }
    if (k.used >= this.lifetime) this.spend(k);
    const opened = srtcpUnprotectPacket(this.info, k.keys.srtcp, srtcp, this.mkiLength, tagLen);
    this.spend(k);
    let st = s;
    if (!st) {
      st = this.newStream();
      this.streams.set(ssrc, st);
    }
    st.rtcpWindow.add(opened.index);
    return opened.packet;
  }
}

/** The provider object: `nodeSrtp.sender(opts)` / `nodeSrtp.receiver(opts)`. */
export class NodeSrtpProvider implements SrtpProvider {
  readonly name = "node-crypto";
  constructor(private readonly options: NodeSrtpProviderOptions = {}) {}
  sender(opts: SrtpOptions): NodeSrtpSender {
    return new NodeSrtpSender(opts, this.options);
  }
  receiver(opts: SrtpOptions): NodeSrtpReceiver {
    return new NodeSrtpReceiver(opts, this.options);
  }
}

export const nodeSrtp: SrtpProvider = new NodeSrtpProvider();
