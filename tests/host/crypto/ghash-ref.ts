// A deliberately simple reference for GF(2^128) in GCM's bit order, straight from SP 800-38D §6.3
// Algorithm 1 (bit by bit, BigInt): slow, obviously not constant time, and independent of the core's
// code. Used by the ghash/gcm tests as an oracle and to craft IVs with a chosen J0.

const R = 0xe1n << 120n;
const MASK128 = (1n << 128n) - 1n;

/** 16 bytes (GCM order: x^0 is the top bit of byte 0) → BigInt, big-endian. */
export function toBig(b: Uint8Array): bigint {
  if (b.length !== 16) throw new Error(`a field element is 16 bytes, not ${b.length}`);
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

export function fromBig(x: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** X · Y in GF(2^128) (SP 800-38D Algorithm 1). */
export function gfMul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z & MASK128;
}

/** x^e by square-and-multiply; the multiplicative identity is the element with only x^0 set. */
export function gfPow(x: bigint, e: bigint): bigint {
  let r = 1n << 127n;
  let b = x;
  while (e > 0n) {
    if (e & 1n) r = gfMul(r, b);
    b = gfMul(b, b);
    e >>= 1n;
  }
  return r;
}

/** Inverse of a non-zero element: x^(2^128 - 2). */
export function gfInv(x: bigint): bigint {
  return gfPow(x, (1n << 128n) - 2n);
}

/** br_ghash semantics: y ← GHASH update of y with data, zero padded to a multiple of 16 bytes. */
export function ghashRef(h: Uint8Array, y: Uint8Array, data: Uint8Array): Uint8Array {
  const hb = toBig(h);
  let acc = toBig(y);
  for (let off = 0; off < data.length; off += 16) {
    const block = new Uint8Array(16);
    block.set(data.subarray(off, Math.min(off + 16, data.length)));
    acc = gfMul(acc ^ toBig(block), hb);
  }
  return fromBig(acc);
}

/** The GCM length block [8·aadLen]64 || [8·ctLen]64. */
export function lengthBlock(aadLen: number, ctLen: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt(aadLen) * 8n);
  dv.setBigUint64(8, BigInt(ctLen) * 8n);
  return b;
}

/** GHASH(H, A, C) as used by GCM: A and C each zero padded, then the length block. */
export function ghashAC(h: Uint8Array, a: Uint8Array, c: Uint8Array): Uint8Array {
  let y = ghashRef(h, new Uint8Array(16), a);
  y = ghashRef(h, y, c);
  return ghashRef(h, y, lengthBlock(a.length, c.length));
}
