// AES encryption, bitsliced, 4 blocks per batch in 8 u64 words ("ct64" layout, after BearSSL's
// aes_ct64; our own code). The scalar build's implementation. Constant time: every operation is a
// fixed sequence of 64-bit XOR/AND/OR/shift on the data; no memory address and no branch depends on
// the key, the plaintext or the counter. The only branches are on public lengths and round counts.
//
// Layout. A block's 16 bytes b[0..15] are state bytes in FIPS-197 order (b[r + 4c] = row r,
// column c). interleave() turns block j into two words (q[j], q[j+4]); ortho() then transposes
// 8x8 bit matrices so that q[k] holds bit k (0 = least significant) of every byte of the 4 blocks:
// 16 bits per row (row r at bits 16r..16r+15), one nibble per column inside the row, one bit per
// block inside the nibble. ShiftRows rotates nibbles within each 16-bit row; MixColumns rotates
// whole rows (16-bit rotations of the word).
//
// Round keys are stored in the same layout ("planes": 8 u64 per round, every block's nibble bit set
// to the key bit), so AddRoundKey is 8 XORs. The S-box circuit (Boyar–Peralta, 113 gates) is used
// without its four output NOTs: the missing constant 0x63 passes unchanged through ShiftRows and
// MixColumns (MixColumns maps a column of four equal bytes c to itself), so the key schedule folds
// it into round keys 1..Nr instead.

import { CTR_MODE_128, ctrMask, ctrStep } from "./modes";

/** Bytes of one round key in this layout: 8 planes of u64. */
export const CT64_PLANE_BYTES: usize = 64;
/** Blocks per batch. */
export const CT64_BATCH: usize = 4;

const M32: u64 = 0x00000000ffffffff;
const M16: u64 = 0x0000ffff0000ffff;
const M8: u64 = 0x00ff00ff00ff00ff;

/** Spreads the 4 bytes of a 32-bit word to bytes 0, 2, 4, 6 of a u64. */
@inline function spread(w: u64): u64 {
  w = (w | (w << 16)) & M16;
  return (w | (w << 8)) & M8;
}

/** Inverse of spread(): gathers bytes 0, 2, 4, 6 (others must be zero) into a 32-bit word. */
@inline function unspread(x: u64): u64 {
  x = (x | (x >>> 8)) & M16;
  return (x | (x >>> 16)) & M32;
}

/**
 * Writes one 16-byte output block (lo = bytes 0..7, hi = bytes 8..15, little-endian) at offset off:
 * dst = src ^ block (xor) or dst = block, limited to the first n bytes of the batch. When the block
 * is cut short by n and ksOut != 0, the whole block is also stored at ksOut (buffered keystream).
 * Branches only on public offsets and lengths.
 */
@inline function emit(dst: usize, src: usize, off: usize, n: usize, lo: u64, hi: u64, xor: bool, ksOut: usize): void {
  if (off + 16 <= n) {
    if (xor) {
      const a = load<u64>(src + off) ^ lo;
      const b = load<u64>(src + off, 8) ^ hi;
      store<u64>(dst + off, a);
      store<u64>(dst + off, b, 8);
    } else {
      store<u64>(dst + off, lo);
      store<u64>(dst + off, hi, 8);
    }
  } else if (off < n) {
    emitPartial(dst + off, src + off, n - off, lo, hi, xor);
    if (ksOut != 0) {
      store<u64>(ksOut, lo);
      store<u64>(ksOut, hi, 8);
    }
  }
}

/** XORs (or copies) the first m < 16 bytes of the block (lo, hi) into dst. */
function emitPartial(dst: usize, src: usize, m: usize, lo: u64, hi: u64, xor: bool): void {
  for (let i: usize = 0; i < m; i++) {
    const w = i < 8 ? lo : hi; // i is a public position
    const k = <u8>(w >>> (<u64>((i & 7) << 3)));
    store<u8>(dst + i, xor ? load<u8>(src + i) ^ k : k);
  }
}

/**
 * Encrypts up to 4 blocks with `rounds` rounds of round-key planes at rk (rounds + 1 entries of
 * CT64_PLANE_BYTES), then writes the first n bytes (n <= 64) of the result: dst = src ^ out when
 * xor, else dst = out. Block j is given as (loJ, hiJ): its bytes 0..7 and 8..15 as little-endian u64.
 * If n is not a multiple of 16 and ksOut != 0, the full output block holding byte n-1 is stored at
 * ksOut. When first != 0, output block 0 is stored raw at `first` instead of being written to dst
 * (src/dst bytes 0..15 are then never touched). rounds = 0 gives the bare transform round trip (x ^ k0); rounds = 1 with zero keys gives
 * ShiftRows(S(x)) ^ 0x63 (what the tests and SubWord use).
 */
function ct64Batch(
  rk: usize, rounds: i32,
  lo0: u64, hi0: u64, lo1: u64, hi1: u64, lo2: u64, hi2: u64, lo3: u64, hi3: u64,
  src: usize, dst: usize, n: usize, ksOut: usize, xor: bool, first: usize,
): void {
  // interleave: block j -> (q[j], q[j+4])
  let q0 = spread(lo0 & M32) | (spread(hi0 & M32) << 8);
  let q4 = spread(lo0 >>> 32) | (spread(hi0 >>> 32) << 8);
  let q1 = spread(lo1 & M32) | (spread(hi1 & M32) << 8);
  let q5 = spread(lo1 >>> 32) | (spread(hi1 >>> 32) << 8);
  let q2 = spread(lo2 & M32) | (spread(hi2 & M32) << 8);
  let q6 = spread(lo2 >>> 32) | (spread(hi2 >>> 32) << 8);
  let q3 = spread(lo3 & M32) | (spread(hi3 & M32) << 8);
  let q7 = spread(lo3 >>> 32) | (spread(hi3 >>> 32) << 8);
  let t: u64;

  // ortho: transpose 8x8 bit matrices (swapmove with distances 1, 2, 4). An involution.
  t = ((q0 >>> 1) ^ q1) & 0x5555555555555555; q1 ^= t; q0 ^= t << 1;
  t = ((q2 >>> 1) ^ q3) & 0x5555555555555555; q3 ^= t; q2 ^= t << 1;
  t = ((q4 >>> 1) ^ q5) & 0x5555555555555555; q5 ^= t; q4 ^= t << 1;
  t = ((q6 >>> 1) ^ q7) & 0x5555555555555555; q7 ^= t; q6 ^= t << 1;
  t = ((q0 >>> 2) ^ q2) & 0x3333333333333333; q2 ^= t; q0 ^= t << 2;
  t = ((q1 >>> 2) ^ q3) & 0x3333333333333333; q3 ^= t; q1 ^= t << 2;
  t = ((q4 >>> 2) ^ q6) & 0x3333333333333333; q6 ^= t; q4 ^= t << 2;
  t = ((q5 >>> 2) ^ q7) & 0x3333333333333333; q7 ^= t; q5 ^= t << 2;
  t = ((q0 >>> 4) ^ q4) & 0x0f0f0f0f0f0f0f0f; q4 ^= t; q0 ^= t << 4;
  t = ((q1 >>> 4) ^ q5) & 0x0f0f0f0f0f0f0f0f; q5 ^= t; q1 ^= t << 4;
  t = ((q2 >>> 4) ^ q6) & 0x0f0f0f0f0f0f0f0f; q6 ^= t; q2 ^= t << 4;
  t = ((q3 >>> 4) ^ q7) & 0x0f0f0f0f0f0f0f0f; q7 ^= t; q3 ^= t << 4;

  // AddRoundKey(0)
  q0 ^= load<u64>(rk, 0); q1 ^= load<u64>(rk, 8); q2 ^= load<u64>(rk, 16); q3 ^= load<u64>(rk, 24);
  q4 ^= load<u64>(rk, 32); q5 ^= load<u64>(rk, 40); q6 ^= load<u64>(rk, 48); q7 ^= load<u64>(rk, 56);

  let kp = rk + CT64_PLANE_BYTES;
  for (let r = 1; r <= rounds; r++) {
    // ---- SubBytes: Boyar–Peralta circuit; x0 is the most significant bit (plane 7). ----
    // Output NOTs omitted (see the file comment): the round keys carry the 0x63.
    const x0 = q7, x1 = q6, x2 = q5, x3 = q4, x4 = q3, x5 = q2, x6 = q1, x7 = q0;
    // top linear layer
    const y14 = x3 ^ x5;
    const y13 = x0 ^ x6;
    const y9 = x0 ^ x3;
    const y8 = x0 ^ x5;
    const t0 = x1 ^ x2;
    const y1 = t0 ^ x7;
    const y4 = y1 ^ x3;
    const y12 = y13 ^ y14;
    const y2 = y1 ^ x0;
    const y5 = y1 ^ x6;
    const y3 = y5 ^ y8;
    const t1 = x4 ^ y12;
    const y15 = t1 ^ x5;
    const y20 = t1 ^ x1;
    const y6 = y15 ^ x7;
    const y10 = y15 ^ t0;
    const y11 = y20 ^ y9;
    const y7 = x7 ^ y11;
    const y17 = y10 ^ y11;
    const y19 = y10 ^ y8;
    const y16 = t0 ^ y11;
    const y21 = y13 ^ y16;
    const y18 = x0 ^ y16;
    // non-linear middle (GF(2^4) inversion)
    const t2 = y12 & y15;
    const t3 = y3 & y6;
    const t4 = t3 ^ t2;
    const t5 = y4 & x7;
    const t6 = t5 ^ t2;
    const t7 = y13 & y16;
    const t8 = y5 & y1;
    const t9 = t8 ^ t7;
    const t10 = y2 & y7;
    const t11 = t10 ^ t7;
    const t12 = y9 & y11;
    const t13 = y14 & y17;
    const t14 = t13 ^ t12;
    const t15 = y8 & y10;
    const t16 = t15 ^ t12;
    const t17 = t4 ^ t14;
    const t18 = t6 ^ t16;
    const t19 = t9 ^ t14;
    const t20 = t11 ^ t16;
    const t21 = t17 ^ y20;
    const t22 = t18 ^ y19;
    const t23 = t19 ^ y21;
    const t24 = t20 ^ y18;
    const t25 = t21 ^ t22;
    const t26 = t21 & t23;
    const t27 = t24 ^ t26;
    const t28 = t25 & t27;
    const t29 = t28 ^ t22;
    const t30 = t23 ^ t24;
    const t31 = t22 ^ t26;
    const t32 = t31 & t30;
    const t33 = t32 ^ t24;
    const t34 = t23 ^ t33;
    const t35 = t27 ^ t33;
    const t36 = t24 & t35;
    const t37 = t36 ^ t34;
    const t38 = t27 ^ t36;
    const t39 = t29 & t38;
    const t40 = t25 ^ t39;
    const t41 = t40 ^ t37;
    const t42 = t29 ^ t33;
    const t43 = t29 ^ t40;
    const t44 = t33 ^ t37;
    const t45 = t42 ^ t41;
    const z0 = t44 & y15;
    const z1 = t37 & y6;
    const z2 = t33 & x7;
    const z3 = t43 & y16;
    const z4 = t40 & y1;
    const z5 = t29 & y7;
    const z6 = t42 & y11;
    const z7 = t45 & y17;
    const z8 = t41 & y10;
    const z9 = t44 & y12;
    const z10 = t37 & y3;
    const z11 = t33 & y4;
    const z12 = t43 & y13;
    const z13 = t40 & y5;
    const z14 = t29 & y2;
    const z15 = t42 & y9;
    const z16 = t45 & y14;
    const z17 = t41 & y8;
    // bottom linear layer
    const t46 = z15 ^ z16;
    const t47 = z10 ^ z11;
    const t48 = z5 ^ z13;
    const t49 = z9 ^ z10;
    const t50 = z2 ^ z12;
    const t51 = z2 ^ z5;
    const t52 = z7 ^ z8;
    const t53 = z0 ^ z3;
    const t54 = z6 ^ z7;
    const t55 = z16 ^ z17;
    const t56 = z12 ^ t48;
    const t57 = t50 ^ t53;
    const t58 = z4 ^ t46;
    const t59 = z3 ^ t54;
    const t60 = t46 ^ t57;
    const t61 = z14 ^ t57;
    const t62 = t52 ^ t58;
    const t63 = t49 ^ t58;
    const t64 = z4 ^ t59;
    const t65 = t61 ^ t62;
    const t66 = z1 ^ t63;
    const s0 = t59 ^ t63;
    const s6 = t56 ^ t62; // NOT folded into the round keys
    const s7 = t48 ^ t60; // NOT folded
    const t67 = t64 ^ t65;
    const s3 = t53 ^ t66;
    const s4 = t51 ^ t66;
    const s5 = t47 ^ t65;
    const s1 = t64 ^ s3; // NOT folded
    const s2 = t55 ^ t67; // NOT folded

    // ---- ShiftRows: row r (16 bits) rotates its nibbles by r ----
    q7 = (s0 & 0x000000000000ffff) | ((s0 & 0x00000000fff00000) >>> 4) | ((s0 & 0x00000000000f0000) << 12)
      | ((s0 & 0x0000ff0000000000) >>> 8) | ((s0 & 0x000000ff00000000) << 8)
      | ((s0 & 0xf000000000000000) >>> 12) | ((s0 & 0x0fff000000000000) << 4);
    q6 = (s1 & 0x000000000000ffff) | ((s1 & 0x00000000fff00000) >>> 4) | ((s1 & 0x00000000000f0000) << 12)
      | ((s1 & 0x0000ff0000000000) >>> 8) | ((s1 & 0x000000ff00000000) << 8)
      | ((s1 & 0xf000000000000000) >>> 12) | ((s1 & 0x0fff000000000000) << 4);
    q5 = (s2 & 0x000000000000ffff) | ((s2 & 0x00000000fff00000) >>> 4) | ((s2 & 0x00000000000f0000) << 12)
      | ((s2 & 0x0000ff0000000000) >>> 8) | ((s2 & 0x000000ff00000000) << 8)
      | ((s2 & 0xf000000000000000) >>> 12) | ((s2 & 0x0fff000000000000) << 4);
    q4 = (s3 & 0x000000000000ffff) | ((s3 & 0x00000000fff00000) >>> 4) | ((s3 & 0x00000000000f0000) << 12)
      | ((s3 & 0x0000ff0000000000) >>> 8) | ((s3 & 0x000000ff00000000) << 8)
      | ((s3 & 0xf000000000000000) >>> 12) | ((s3 & 0x0fff000000000000) << 4);
    q3 = (s4 & 0x000000000000ffff) | ((s4 & 0x00000000fff00000) >>> 4) | ((s4 & 0x00000000000f0000) << 12)
      | ((s4 & 0x0000ff0000000000) >>> 8) | ((s4 & 0x000000ff00000000) << 8)
      | ((s4 & 0xf000000000000000) >>> 12) | ((s4 & 0x0fff000000000000) << 4);
    q2 = (s5 & 0x000000000000ffff) | ((s5 & 0x00000000fff00000) >>> 4) | ((s5 & 0x00000000000f0000) << 12)
      | ((s5 & 0x0000ff0000000000) >>> 8) | ((s5 & 0x000000ff00000000) << 8)
      | ((s5 & 0xf000000000000000) >>> 12) | ((s5 & 0x0fff000000000000) << 4);
    q1 = (s6 & 0x000000000000ffff) | ((s6 & 0x00000000fff00000) >>> 4) | ((s6 & 0x00000000000f0000) << 12)
      | ((s6 & 0x0000ff0000000000) >>> 8) | ((s6 & 0x000000ff00000000) << 8)
      | ((s6 & 0xf000000000000000) >>> 12) | ((s6 & 0x0fff000000000000) << 4);
    q0 = (s7 & 0x000000000000ffff) | ((s7 & 0x00000000fff00000) >>> 4) | ((s7 & 0x00000000000f0000) << 12)
      | ((s7 & 0x0000ff0000000000) >>> 8) | ((s7 & 0x000000ff00000000) << 8)
      | ((s7 & 0xf000000000000000) >>> 12) | ((s7 & 0x0fff000000000000) << 4);

    // ---- MixColumns (skipped in the last round; r and rounds are public) ----
    // With a = q (row i), r1 = rows rotated by one (row i+1), t = a ^ r1:
    // out = xtime(t) ^ r1 ^ rot2(t), xtime acting on bit planes (reduction by x^8+x^4+x^3+x+1).
    if (r < rounds) {
      const r0 = rotr<u64>(q0, 16), r1 = rotr<u64>(q1, 16), r2 = rotr<u64>(q2, 16), r3 = rotr<u64>(q3, 16);
      const r4 = rotr<u64>(q4, 16), r5 = rotr<u64>(q5, 16), r6 = rotr<u64>(q6, 16), r7 = rotr<u64>(q7, 16);
      const u0 = q0 ^ r0, u1 = q1 ^ r1, u2 = q2 ^ r2, u3 = q3 ^ r3;
      const u4 = q4 ^ r4, u5 = q5 ^ r5, u6 = q6 ^ r6, u7 = q7 ^ r7;
      q0 = u7 ^ r0 ^ rotr<u64>(u0, 32);
      q1 = u0 ^ u7 ^ r1 ^ rotr<u64>(u1, 32);
      q2 = u1 ^ r2 ^ rotr<u64>(u2, 32);
      q3 = u2 ^ u7 ^ r3 ^ rotr<u64>(u3, 32);
      q4 = u3 ^ u7 ^ r4 ^ rotr<u64>(u4, 32);
      q5 = u4 ^ r5 ^ rotr<u64>(u5, 32);
      q6 = u5 ^ r6 ^ rotr<u64>(u6, 32);
      q7 = u6 ^ r7 ^ rotr<u64>(u7, 32);
    }

    // ---- AddRoundKey(r) ----
    q0 ^= load<u64>(kp, 0); q1 ^= load<u64>(kp, 8); q2 ^= load<u64>(kp, 16); q3 ^= load<u64>(kp, 24);
    q4 ^= load<u64>(kp, 32); q5 ^= load<u64>(kp, 40); q6 ^= load<u64>(kp, 48); q7 ^= load<u64>(kp, 56);
    kp += CT64_PLANE_BYTES;
  }

  // ortho back (it is its own inverse)
  t = ((q0 >>> 1) ^ q1) & 0x5555555555555555; q1 ^= t; q0 ^= t << 1;
  t = ((q2 >>> 1) ^ q3) & 0x5555555555555555; q3 ^= t; q2 ^= t << 1;
  t = ((q4 >>> 1) ^ q5) & 0x5555555555555555; q5 ^= t; q4 ^= t << 1;
  t = ((q6 >>> 1) ^ q7) & 0x5555555555555555; q7 ^= t; q6 ^= t << 1;
  t = ((q0 >>> 2) ^ q2) & 0x3333333333333333; q2 ^= t; q0 ^= t << 2;
  t = ((q1 >>> 2) ^ q3) & 0x3333333333333333; q3 ^= t; q1 ^= t << 2;
  t = ((q4 >>> 2) ^ q6) & 0x3333333333333333; q6 ^= t; q4 ^= t << 2;
  t = ((q5 >>> 2) ^ q7) & 0x3333333333333333; q7 ^= t; q5 ^= t << 2;
  t = ((q0 >>> 4) ^ q4) & 0x0f0f0f0f0f0f0f0f; q4 ^= t; q0 ^= t << 4;
  t = ((q1 >>> 4) ^ q5) & 0x0f0f0f0f0f0f0f0f; q5 ^= t; q1 ^= t << 4;
  t = ((q2 >>> 4) ^ q6) & 0x0f0f0f0f0f0f0f0f; q6 ^= t; q2 ^= t << 4;
  t = ((q3 >>> 4) ^ q7) & 0x0f0f0f0f0f0f0f0f; q7 ^= t; q3 ^= t << 4;

  // de-interleave block j from (q[j], q[j+4]) and write it
  const out0lo = unspread(q0 & M8) | (unspread(q4 & M8) << 32), out0hi = unspread((q0 >>> 8) & M8) | (unspread((q4 >>> 8) & M8) << 32);
  if (first != 0) { // block 0 goes to `first` (public choice)
    store<u64>(first, out0lo);
    store<u64>(first, out0hi, 8);
  } else {
    emit(dst, src, 0, n, out0lo, out0hi, xor, ksOut);
  }
  emit(dst, src, 16, n,
    unspread(q1 & M8) | (unspread(q5 & M8) << 32), unspread((q1 >>> 8) & M8) | (unspread((q5 >>> 8) & M8) << 32), xor, ksOut);
  emit(dst, src, 32, n,
    unspread(q2 & M8) | (unspread(q6 & M8) << 32), unspread((q2 >>> 8) & M8) | (unspread((q6 >>> 8) & M8) << 32), xor, ksOut);
  emit(dst, src, 48, n,
    unspread(q3 & M8) | (unspread(q7 & M8) << 32), unspread((q3 >>> 8) & M8) | (unspread((q7 >>> 8) & M8) << 32), xor, ksOut);
}

/**
 * Writes the 8 key planes of one round key (16 bytes at k, FIPS byte order) to out, XORing the
 * byte constant c (0 or 0x63) into every byte first. Plane p, nibble 4r + c' = bit p of key byte
 * r + 4c', replicated over the 4 block positions. Straight-line shifts and masks: no table, no
 * key-dependent branch or address.
 */
export function ct64KeyPlanes(k: usize, c: u32, out: usize): void {
  for (let p: u32 = 0; p < 8; p++) {
    let acc: u64 = 0;
    for (let row: usize = 0; row < 4; row++) {
      for (let col: usize = 0; col < 4; col++) {
        const byte = <u64>((load<u8>(k + row + 4 * col) ^ c) >> p) & 1;
        acc |= (byte * 0xf) << (<u64>((row * 4 + col) * 4));
      }
    }
    store<u64>(out + (<usize>p << 3), acc);
  }
}

/**
 * Encrypts nblocks blocks from src to dst (src == dst allowed) with `rounds` rounds of key planes
 * at rk: full batches of 4, then one batch for the remainder.
 */
export function ct64Blocks(rk: usize, rounds: i32, src: usize, dst: usize, nblocks: usize): void {
  let i: usize = 0;
  for (; i + 4 <= nblocks; i += 4) {
    const s = src + (i << 4);
    ct64Batch(rk, rounds,
      load<u64>(s, 0), load<u64>(s, 8), load<u64>(s, 16), load<u64>(s, 24),
      load<u64>(s, 32), load<u64>(s, 40), load<u64>(s, 48), load<u64>(s, 56),
      0, dst + (i << 4), 64, 0, false, 0);
  }
  const m = nblocks - i; // public count of remaining blocks
  if (m > 0) {
    const s = src + (i << 4);
    ct64Batch(rk, rounds,
      load<u64>(s, 0), load<u64>(s, 8),
      m > 1 ? load<u64>(s, 16) : 0, m > 1 ? load<u64>(s, 24) : 0,
      m > 2 ? load<u64>(s, 32) : 0, m > 2 ? load<u64>(s, 40) : 0, 0, 0,
      0, dst + (i << 4), m << 4, 0, false, 0);
  }
}

/**
 * Counter mode over len bytes (see aesCtrXorBuffered in aes.ts): 4 counter blocks per batch, built
 * from the counter as two native u64 (hi, lo) with branch-free carries. Updates the counter block.
 * When first != 0, the keystream block of the initial counter is stored raw at `first` and the data
 * uses the blocks after it (one stream sharing the batches: GCM's E(K, J0)).
 */
export function ct64Ctr(rk: usize, rounds: i32, counter: usize, src: usize, dst: usize, len: usize, mode: i32, ksOut: usize, first: usize): void {
  const mask = ctrMask(mode);
  const carryOn: u64 = mode == CTR_MODE_128 ? 1 : 0;
  let h = bswap<u64>(load<u64>(counter));
  let lo = bswap<u64>(load<u64>(counter, 8));
  // With `first`, offsets count from 16 bytes before src/dst (never touched: block 0 goes to `first`).
  const lead: usize = first != 0 ? 16 : 0;
  const total = len + lead;
  const s0 = src - lead, d0 = dst - lead;
  let off: usize = 0;
  while (off < total) {
    const rem = total - off;
    const n = rem < 64 ? rem : 64;
    const l1 = ctrStep(lo, 1, mask), l2 = ctrStep(lo, 2, mask), l3 = ctrStep(lo, 3, mask);
    ct64Batch(rk, rounds,
      bswap<u64>(h), bswap<u64>(lo),
      bswap<u64>(h + (carryOn & <u64>(l1 < lo))), bswap<u64>(l1),
      bswap<u64>(h + (carryOn & <u64>(l2 < lo))), bswap<u64>(l2),
      bswap<u64>(h + (carryOn & <u64>(l3 < lo))), bswap<u64>(l3),
      s0 + off, d0 + off, n, ksOut, true, off == 0 ? first : 0);
    const next = ctrStep(lo, <u64>((n + 15) >> 4), mask);
    h += carryOn & <u64>(next < lo);
    lo = next;
    off += n;
  }
  store<u64>(counter, bswap<u64>(h));
  store<u64>(counter, bswap<u64>(lo), 8);
}
