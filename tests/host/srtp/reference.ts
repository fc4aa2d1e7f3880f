// An independent, deliberately plain SRTP/SRTCP built from node:crypto (RFC 3711 §3-4, RFC 7714),
// used as a differential oracle for the core. Nothing here is shared with the engine under test.
import { createCipheriv, createHmac, type CipherGCM } from "node:crypto";
import type { SrtpProfileInfo } from "../../../host/index.js";
import { Rng } from "../../../host/util/xorshift.js";

export interface RefKeys {
  encKey: Buffer;
  authKey: Buffer;
  salt: Buffer;
}

function aesCtr(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = createCipheriv(`aes-${key.length * 8}-ctr`, key, iv);
  return Buffer.concat([c.update(data), c.final()]);
}

/** RFC 3711 §4.3.1 with kdr = 0: AES-CM keystream at IV = (salt XOR label << 48) || 0x0000. */
export function refKdf(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, len: number): Buffer {
  const x = Buffer.alloc(16);
  Buffer.from(masterSalt).copy(x, 0); // 12-octet AEAD salts are padded with zeros (RFC 7714 §11)
  x[7]! ^= label;
  return aesCtr(Buffer.from(masterKey), x, Buffer.alloc(len));
}

export function refSessionKeys(p: SrtpProfileInfo, masterKey: Uint8Array, masterSalt: Uint8Array, rtcp: boolean): RefKeys {
  const base = rtcp ? 3 : 0;
  return {
    encKey: refKdf(masterKey, masterSalt, base, p.masterKeyLength),
    authKey: p.cipher === "aes-gcm" ? Buffer.alloc(0) : refKdf(masterKey, masterSalt, base + 1, 20),
    salt: refKdf(masterKey, masterSalt, base + 2, p.masterSaltLength),
  };
}

export function rtpHeaderLength(pkt: Uint8Array): number {
  let hl = 12 + 4 * (pkt[0]! & 0x0f);
  if (pkt[0]! & 0x10) hl += 4 + 4 * ((pkt[hl + 2]! << 8) | pkt[hl + 3]!);
  return hl;
}

function ivCm(salt: Buffer, ssrc: number, index: bigint): Buffer {
  const iv = Buffer.alloc(16);
  salt.copy(iv, 0, 0, 14);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  const hi = Number(index >> 16n) >>> 0;
  const lo = Number(index & 0xffffn);
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ hi) >>> 0, 8);
  iv.writeUInt16BE(iv.readUInt16BE(12) ^ lo, 12);
  return iv;
}

function ivGcm(salt: Buffer, ssrc: number, index: bigint): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(ssrc >>> 0, 2);
  iv.writeUInt32BE(Number(index >> 16n) >>> 0, 6);
  iv.writeUInt16BE(Number(index & 0xffffn), 10);
  for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
  return iv;
}

export interface RefProtectParams {
  profile: SrtpProfileInfo;
  keys: RefKeys;
  mki?: Uint8Array;
  /** SRTCP tag length override. */
  tagLength?: number;
}

/** SRTP protect with a given ROC. */
export function refProtectRtp(p: RefProtectParams, rtp: Uint8Array, roc: number): Buffer {
  const pkt = Buffer.from(rtp);
  const hl = rtpHeaderLength(pkt);
  const ssrc = pkt.readUInt32BE(8);
  const seq = pkt.readUInt16BE(2);
  const index = (BigInt(roc) << 16n) | BigInt(seq);
  const mki = Buffer.from(p.mki ?? new Uint8Array(0));
  const header = pkt.subarray(0, hl);
  const payload = pkt.subarray(hl);
  if (p.profile.cipher === "aes-gcm") {
    const c = createCipheriv(`aes-${p.keys.encKey.length * 8}-gcm`, p.keys.encKey, ivGcm(p.keys.salt, ssrc, index)) as CipherGCM;
    c.setAAD(header);
    const ct = Buffer.concat([c.update(payload), c.final()]);
    return Buffer.concat([header, ct, c.getAuthTag(), mki]);
  }
  const enc = p.profile.cipher === "aes-cm" ? aesCtr(p.keys.encKey, ivCm(p.keys.salt, ssrc, index), payload) : Buffer.from(payload);
  const rocBuf = Buffer.alloc(4);
  rocBuf.writeUInt32BE(roc >>> 0);
  const tag = createHmac("sha1", p.keys.authKey).update(header).update(enc).update(rocBuf).digest().subarray(0, p.profile.srtpTagLength);
  return Buffer.concat([header, enc, mki, tag]);
}

/** SRTCP protect with a given SRTCP index and E flag. */
export function refProtectRtcp(p: RefProtectParams, rtcp: Uint8Array, index: number, encrypt = p.profile.cipher !== "null"): Buffer {
  const pkt = Buffer.from(rtcp);
  const ssrc = pkt.readUInt32BE(4);
  const mki = Buffer.from(p.mki ?? new Uint8Array(0));
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(((encrypt ? 0x80000000 : 0) | index) >>> 0);
  const header = pkt.subarray(0, 8);
  const payload = pkt.subarray(8);
  if (p.profile.cipher === "aes-gcm") {
    const c = createCipheriv(`aes-${p.keys.encKey.length * 8}-gcm`, p.keys.encKey, ivGcm(p.keys.salt, ssrc, BigInt(index))) as CipherGCM;
    if (encrypt) {
      c.setAAD(Buffer.concat([header, trailer]));
      const ct = Buffer.concat([c.update(payload), c.final()]);
      return Buffer.concat([header, ct, c.getAuthTag(), trailer, mki]);
    }
    c.setAAD(Buffer.concat([pkt, trailer]));
    c.final();
    return Buffer.concat([pkt, c.getAuthTag(), trailer, mki]);
  }
  const enc = encrypt && p.profile.cipher === "aes-cm" ? aesCtr(p.keys.encKey, ivCm(p.keys.salt, ssrc, BigInt(index)), payload) : Buffer.from(payload);
  const tagLen = p.tagLength ?? p.profile.srtcpTagLength;
  const tag = createHmac("sha1", p.keys.authKey).update(header).update(enc).update(trailer).digest().subarray(0, tagLen);
  return Buffer.concat([header, enc, trailer, mki, tag]);
}

/** The deterministic PRNG for reproducible random tests (shared with the conformance kit). */
export { Rng };

/** A random RTP packet: CSRCs, an optional header extension, payload of the given length. */
export function randomRtp(rng: Rng, ssrc: number, seq: number, payloadLen: number, opts: { csrc?: number; ext?: number; marker?: boolean } = {}): Uint8Array {
  const cc = opts.csrc ?? 0;
  const extWords = opts.ext;
  const hl = 12 + 4 * cc + (extWords === undefined ? 0 : 4 + 4 * extWords);
  const b = Buffer.alloc(hl + payloadLen);
  b[0] = 0x80 | (extWords === undefined ? 0 : 0x10) | cc;
  b[1] = (opts.marker ? 0x80 : 0) | 0;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(rng.u32(), 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  for (let i = 0; i < cc; i++) b.writeUInt32BE(rng.u32(), 12 + 4 * i);
  if (extWords !== undefined) {
    const at = 12 + 4 * cc;
    b.writeUInt16BE(0xbede, at);
    b.writeUInt16BE(extWords, at + 2);
    Buffer.from(rng.bytes(4 * extWords)).copy(b, at + 4);
  }
  Buffer.from(rng.bytes(payloadLen)).copy(b, hl);
  return new Uint8Array(b);
}

/** A random RTCP packet (SR header with the SSRC, then random words): len a multiple of 4, >= 8. */
export function randomRtcp(rng: Rng, ssrc: number, len: number): Uint8Array {
  const b = Buffer.from(rng.bytes(len));
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(len / 4 - 1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  return new Uint8Array(b);
}

/** Shuffles within blocks of `span` (local reordering, as a network does), keeping the first packet first. */
export function reorder<T>(rng: Rng, xs: T[], span: number): T[] {
  const out = xs.slice();
  for (let b = 1; b < out.length; b += span) {
    const end = Math.min(out.length, b + span);
    for (let i = end - 1; i > b; i--) {
      const j = b + rng.int(i - b + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}
