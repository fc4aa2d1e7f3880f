// A minimal, independent SRTP/SRTCP sender written for the tests with node:crypto only, so the
// libsrtp harness can be checked without our own engine: RFC 3711 §4.3 key derivation, AES-CM
// (§4.1.1) and HMAC-SHA1 (§4.2.1) transforms, RFC 6188 AES-192/256, RFC 7714 AES-GCM, the NULL
// cipher, and MKI placement. Written from the RFC text; test-only, not constant time.
import { createCipheriv, createHmac } from "node:crypto";

export interface RefProfile {
  name: string;
  cipher: "aes-cm" | "null" | "gcm";
  /** Master (and session) encryption key length in bytes. */
  keyLength: number;
  /** Master salt length: 14 (AES-CM, NULL) or 12 (GCM). */
  saltLength: number;
  srtpTagLength: number;
  /** RFC pairing: the _32 suites keep an 80-bit SRTCP tag (RFC 4568 §6.2, RFC 6188 §3). */
  srtcpTagLength: number;
}

function cm(name: string, keyLength: number, tag: number): RefProfile {
  return { name, cipher: "aes-cm", keyLength, saltLength: 14, srtpTagLength: tag, srtcpTagLength: 10 };
}

export const REF_PROFILES: Record<string, RefProfile> = {
  AES_CM_128_HMAC_SHA1_80: cm("AES_CM_128_HMAC_SHA1_80", 16, 10),
  AES_CM_128_HMAC_SHA1_32: cm("AES_CM_128_HMAC_SHA1_32", 16, 4),
  AES_192_CM_HMAC_SHA1_80: cm("AES_192_CM_HMAC_SHA1_80", 24, 10),
  AES_192_CM_HMAC_SHA1_32: cm("AES_192_CM_HMAC_SHA1_32", 24, 4),
  AES_256_CM_HMAC_SHA1_80: cm("AES_256_CM_HMAC_SHA1_80", 32, 10),
  AES_256_CM_HMAC_SHA1_32: cm("AES_256_CM_HMAC_SHA1_32", 32, 4),
  AEAD_AES_128_GCM: { name: "AEAD_AES_128_GCM", cipher: "gcm", keyLength: 16, saltLength: 12, srtpTagLength: 16, srtcpTagLength: 16 },
  AEAD_AES_256_GCM: { name: "AEAD_AES_256_GCM", cipher: "gcm", keyLength: 32, saltLength: 12, srtpTagLength: 16, srtcpTagLength: 16 },
  // NULL cipher: RFC 4568 §6.2.1 keys are 128-bit master key + 112-bit salt; only the auth key is used.
  NULL_HMAC_SHA1_80: { name: "NULL_HMAC_SHA1_80", cipher: "null", keyLength: 16, saltLength: 14, srtpTagLength: 10, srtcpTagLength: 10 },
  NULL_HMAC_SHA1_32: { name: "NULL_HMAC_SHA1_32", cipher: "null", keyLength: 16, saltLength: 14, srtpTagLength: 4, srtcpTagLength: 10 },
};

/** RFC 3711 §4.3.1 labels. */
export const LABEL = { srtpEncryption: 0, srtpAuth: 1, srtpSalt: 2, srtcpEncryption: 3, srtcpAuth: 4, srtcpSalt: 5 } as const;

function aesCtr(keyLength: number): string {
  return `aes-${keyLength * 8}-ctr`;
}

/**
 * RFC 3711 §4.3.1 with key_derivation_rate 0 (so r = 0): x = (label || r) XOR master_salt, with
 * key_id right-aligned in the 112-bit salt (the label lands in octet 7); output = AES-CM keystream
 * with IV = x * 2^16 under the master key. A 96-bit GCM master salt is padded on the right with two
 * zero octets first (RFC 7714 §11 and its erratum 4938).
 */
export function kdf(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Buffer {
  const x = Buffer.alloc(16);
  Buffer.from(masterSalt).copy(x, 0, 0, Math.min(14, masterSalt.length));
  x[7]! ^= label;
  const c = createCipheriv(aesCtr(masterKey.length), masterKey, x);
  return c.update(Buffer.alloc(length));
}

export interface SessionKeys {
  encKey: Buffer;
  authKey: Buffer; // 20 bytes for HMAC-SHA1 suites; empty for GCM
  salt: Buffer; // 14 bytes (AES-CM, NULL) or 12 (GCM)
}

export function deriveSessionKeys(p: RefProfile, masterKey: Uint8Array, masterSalt: Uint8Array, rtcp: boolean): SessionKeys {
  const base = rtcp ? 3 : 0;
  return {
    encKey: kdf(masterKey, masterSalt, base + 0, p.keyLength),
    authKey: p.cipher === "gcm" ? Buffer.alloc(0) : kdf(masterKey, masterSalt, base + 1, 20),
    salt: kdf(masterKey, masterSalt, base + 2, 14).subarray(0, p.saltLength),
  };
}

/**
 * The session keys libsrtp before the fix of cisco/libsrtp #763 derives for AES-192: its KDF is
 * sized by key+salt length rounded up to 46 octets, so it runs the AES-256 PRF keyed with
 * master key || first 8 salt octets, with x built from the last 6 salt octets and 8 zero octets.
 * Used only to confirm that diagnosis when the driver reports the "aes192-kdf" deviation.
 */
export function deriveSessionKeysLibsrtpAes192Bug(masterKey: Uint8Array, masterSalt: Uint8Array, rtcp: boolean): SessionKeys {
  const material = Buffer.concat([Buffer.from(masterKey), Buffer.from(masterSalt), Buffer.alloc(8)]);
  const k = material.subarray(0, 32);
  const x = material.subarray(32, 46);
  const base = rtcp ? 3 : 0;
  return { encKey: kdf(k, x, base, 24), authKey: kdf(k, x, base + 1, 20), salt: kdf(k, x, base + 2, 14) };
}

/** Fixed RTP header + CSRCs + header extension (RFC 3550 §5.1, §5.3.1). */
export function rtpHeaderLength(pkt: Uint8Array): number {
  const cc = pkt[0]! & 0x0f;
  let n = 12 + 4 * cc;
  if (pkt[0]! & 0x10) n += 4 + 4 * ((pkt[n + 2]! << 8) | pkt[n + 3]!);
  return n;
}

/** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), 48-bit i. */
function aesCmIv(salt: Buffer, ssrc: number, indexHigh32: number, indexLow16: number): Buffer {
  const iv = Buffer.alloc(16);
  salt.copy(iv, 0, 0, 14);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ indexHigh32) >>> 0, 8);
  iv.writeUInt16BE(iv.readUInt16BE(12) ^ indexLow16, 12);
  return iv;
}

function hmacSha1(key: Buffer, parts: Uint8Array[], tagLength: number): Buffer {
  const h = createHmac("sha1", key);
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, tagLength);
}

function u32be(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

/**
 * SRTP protect of one packet whose 48-bit index is ROC * 2^16 + SEQ (the sender knows its ROC).
 * AES-CM/NULL: header || E(payload) || MKI || tag, tag = HMAC-SHA1(header || E(payload) || ROC).
 * GCM (RFC 7714 §8): IV = salt XOR (00 00 || SSRC || ROC || SEQ), AAD = header,
 * header || ciphertext || tag || MKI (libsrtp puts the MKI after the GCM tag).
 */
export function refProtectRtp(p: RefProfile, k: SessionKeys, packet: Uint8Array, roc: number, mki?: Uint8Array): Buffer {
  const pkt = Buffer.from(packet);
  const hl = rtpHeaderLength(pkt);
  const header = pkt.subarray(0, hl);
  const payload = pkt.subarray(hl);
  const seq = pkt.readUInt16BE(2);
  const ssrc = pkt.readUInt32BE(8);
  const mkiBytes = Buffer.from(mki ?? new Uint8Array(0));
  if (p.cipher === "gcm") {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(ssrc, 2);
    iv.writeUInt32BE(roc >>> 0, 6);
    iv.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv[i]! ^= k.salt[i]!;
    const c = createCipheriv(k.encKey.length === 16 ? "aes-128-gcm" : "aes-256-gcm", k.encKey, iv, { authTagLength: 16 });
    c.setAAD(header);
    const ct = Buffer.concat([c.update(payload), c.final()]);
    return Buffer.concat([header, ct, c.getAuthTag(), mkiBytes]);
  }
  let enc = payload;
  if (p.cipher === "aes-cm") {
    const c = createCipheriv(aesCtr(k.encKey.length), k.encKey, aesCmIv(k.salt, ssrc, roc, seq));
    enc = c.update(payload);
  }
  const tag = hmacSha1(k.authKey, [header, enc, u32be(roc)], p.srtpTagLength);
  return Buffer.concat([header, enc, mkiBytes, tag]);
}

/**
 * SRTCP protect (RFC 3711 §3.4) with an explicit 31-bit SRTCP index.
 * AES-CM/NULL: header(8) || E(rest) || E-flag||index || MKI || tag, tag = HMAC over
 * header || E(rest) || E-flag||index; the E flag is set when the payload is encrypted.
 * GCM (RFC 7714 §9): IV = salt XOR (00 00 || SSRC || 00 00 || 0||index), AAD = header(8) ||
 * E-flag||index, header || ciphertext || tag || E-flag||index || MKI.
 */
export function refProtectRtcp(
  p: RefProfile,
  k: SessionKeys,
  packet: Uint8Array,
  index: number,
  mki?: Uint8Array,
  srtcpTagLength: number = p.srtcpTagLength,
): Buffer {
  const pkt = Buffer.from(packet);
  const header = pkt.subarray(0, 8);
  const body = pkt.subarray(8);
  const ssrc = pkt.readUInt32BE(4);
  const mkiBytes = Buffer.from(mki ?? new Uint8Array(0));
  const encrypted = p.cipher !== "null";
  const trailer = u32be(((encrypted ? 0x80000000 : 0) | (index & 0x7fffffff)) >>> 0);
  if (p.cipher === "gcm") {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(ssrc, 2);
    iv.writeUInt32BE(index & 0x7fffffff, 8);
    for (let i = 0; i < 12; i++) iv[i]! ^= k.salt[i]!;
    const c = createCipheriv(k.encKey.length === 16 ? "aes-128-gcm" : "aes-256-gcm", k.encKey, iv, { authTagLength: 16 });
    c.setAAD(Buffer.concat([header, trailer]));
    const ct = Buffer.concat([c.update(body), c.final()]);
    return Buffer.concat([header, ct, c.getAuthTag(), trailer, mkiBytes]);
  }
  let enc = body;
  if (p.cipher === "aes-cm") {
    // SRTCP IV: the 31-bit SRTCP index takes the place of the 48-bit SRTP index.
    const i = index & 0x7fffffff;
    enc = createCipheriv(aesCtr(k.encKey.length), k.encKey, aesCmIv(k.salt, ssrc, i >>> 16, i & 0xffff)).update(body);
  }
  const tag = hmacSha1(k.authKey, [header, enc, trailer], srtcpTagLength);
  return Buffer.concat([header, enc, trailer, mkiBytes, tag]);
}

/** A deterministic PRNG for reproducible random streams (mulberry32); the seed is printed on failure. */
export function prng(seed: number): { u32(): number; int(n: number): number; bytes(n: number): Buffer } {
  let s = seed >>> 0;
  const u32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    u32,
    int: (n: number) => u32() % n,
    bytes: (n: number) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = u32() & 0xff;
      return b;
    },
  };
}

/** A random but valid RTP packet: random CSRC count (0..3), sometimes a header extension, random payload. */
export function randomRtp(r: ReturnType<typeof prng>, seq: number, ssrc: number, maxPayload = 300): Buffer {
  const cc = r.int(4);
  const ext = r.int(4) === 0;
  const extWords = ext ? r.int(3) : 0;
  const hl = 12 + 4 * cc + (ext ? 4 + 4 * extWords : 0);
  const payload = r.int(maxPayload + 1);
  const b = r.bytes(hl + payload);
  b[0] = 0x80 | (ext ? 0x10 : 0) | cc; // V=2, P=0
  b[1] = b[1]! & 0xff;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ssrc >>> 0, 8);
  if (ext) b.writeUInt16BE(extWords, 12 + 4 * cc + 2);
  return b;
}

/** A random RTCP packet: SR/RR/SDES/BYE/APP type, length field consistent, body a multiple of 4. */
export function randomRtcp(r: ReturnType<typeof prng>, ssrc: number, maxWords = 40): Buffer {
  const words = 1 + r.int(maxWords); // 32-bit words after the first
  const b = r.bytes(4 + 4 * words);
  b[0] = 0x80 | r.int(32);
  b[1] = 200 + r.int(5);
  b.writeUInt16BE(words, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  return b;
}
