// Independent reference constructions in Node's crypto, written from the RFC text, to check the
// core against: TLS 1.3 and TLS 1.2 AES-GCM records, the TLS 1.2 PRF (P_hash by RFC 5246 §5), and
// HKDF-Expand-Label (RFC 8446 §7.1). Nothing here calls the core.
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";

export type NodeHash = "sha256" | "sha384";

export function be64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, n));
  return b;
}

function gcmName(key: Uint8Array): "aes-128-gcm" | "aes-256-gcm" {
  return key.length === 16 ? "aes-128-gcm" : "aes-256-gcm";
}

/** RFC 8446 §5.3: nonce = iv XOR (0^32 || seq64). */
export function nonce13(iv: Uint8Array, seq: bigint): Buffer {
  const n = Buffer.from(iv);
  const s = be64(seq);
  for (let i = 0; i < 8; i++) n[4 + i]! ^= s[i]!;
  return n;
}

/** RFC 8446 §5.2: a TLS 1.3 record of content || type || zeros(pad), AAD = the header. */
export function seal13(key: Uint8Array, iv: Uint8Array, seq: bigint, type: number, content: Uint8Array, pad = 0): Buffer {
  const inner = Buffer.concat([Buffer.from(content), Buffer.from([type]), Buffer.alloc(pad)]);
  return sealInner13(key, iv, seq, inner);
}

/** A TLS 1.3 record around an arbitrary TLSInnerPlaintext (lets tests build malformed ones). */
export function sealInner13(key: Uint8Array, iv: Uint8Array, seq: bigint, inner: Uint8Array, outerType = 23): Buffer {
  const len = inner.length + 16;
  const header = Buffer.from([outerType, 3, 3, len >> 8, len & 0xff]);
  const c = createCipheriv(gcmName(key), key, nonce13(iv, seq));
  c.setAAD(header);
  const ct = Buffer.concat([c.update(inner), c.final()]);
  return Buffer.concat([header, ct, c.getAuthTag()]);
}

/** Opens a TLS 1.3 record; returns the inner plaintext (type and padding not stripped). */
export function openInner13(key: Uint8Array, iv: Uint8Array, seq: bigint, rec: Uint8Array): Buffer {
  const header = rec.subarray(0, 5);
  const body = rec.subarray(5);
  const d = createDecipheriv(gcmName(key), key, nonce13(iv, seq));
  d.setAAD(header);
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
}

/** RFC 5246 §6.2.3.3 + RFC 5288 §3: additional_data = seq || type || version || length. */
export function aad12(seq: bigint, type: number, len: number): Buffer {
  return Buffer.concat([be64(seq), Buffer.from([type, 3, 3, len >> 8, len & 0xff])]);
}

/** A TLS 1.2 GenericAEADCipher record: header || explicit nonce || ciphertext || tag. */
export function seal12(key: Uint8Array, salt: Uint8Array, seq: bigint, type: number, plaintext: Uint8Array, explicit: Uint8Array = be64(seq)): Buffer {
  const c = createCipheriv(gcmName(key), key, Buffer.concat([Buffer.from(salt), Buffer.from(explicit)]));
  c.setAAD(aad12(seq, type, plaintext.length));
  const ct = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  const len = 8 + ct.length;
  return Buffer.concat([Buffer.from([type, 3, 3, len >> 8, len & 0xff]), Buffer.from(explicit), ct]);
}

export function open12(key: Uint8Array, salt: Uint8Array, seq: bigint, rec: Uint8Array): Buffer {
  const type = rec[0]!;
  const explicit = rec.subarray(5, 13);
  const body = rec.subarray(13);
  const ptLen = body.length - 16;
  const d = createDecipheriv(gcmName(key), key, Buffer.concat([Buffer.from(salt), Buffer.from(explicit)]));
  d.setAAD(aad12(seq, type, ptLen));
  d.setAuthTag(body.subarray(ptLen));
  return Buffer.concat([d.update(body.subarray(0, ptLen)), d.final()]);
}

/** RFC 5246 §5: P_hash(secret, seed) = HMAC(secret, A(1) || seed) || ..., A(0) = seed, A(i) = HMAC(secret, A(i-1)). */
export function pHash(hash: NodeHash, secret: Uint8Array, seed: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  let a: Buffer = Buffer.from(seed);
  let n = 0;
  while (n < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.push(block);
    n += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** PRF(secret, label, seed) = P_hash(secret, label || seed). */
export function prf12(hash: NodeHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  return pHash(hash, secret, Buffer.concat([Buffer.from(label, "latin1"), Buffer.from(seed)]), length);
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with HKDF-Expand (RFC 5869 §2.3) in Node's HMAC. */
export function expandLabel(hash: NodeHash, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, "latin1");
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), Buffer.from(context)]);
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(hash, secret).update(t).update(info).update(Buffer.from([i])).digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** Deterministic pseudo-random bytes for reproducible tests (not for keys in production). */
export function testBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}
