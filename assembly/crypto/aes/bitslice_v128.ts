// AES encryption, bitsliced, 8 blocks per batch in 8 v128 registers (a Käsper–Schwabe style
// layout; our own code). The SIMD build's implementation. Constant time: every operation is a fixed
// sequence of v128 XOR/AND/OR, 64-bit lane shifts, 32-bit lane shuffles and byte swizzles whose
// index vectors are FIXED permutations (ShiftRows, the row-order changes, counter byte order),
// never data; no memory address and no branch depends on the key, the plaintext or the counter.
//
// Layout. Each block's bytes are first put in ROW-MAJOR order (byte 4r + c = row r, column c; FIPS
// order is r + 4c), one block per register; ortho() then transposes the 8x8 bit matrices formed by
// each byte position across the 8 registers, so that register k ("plane k") holds bit k
// (0 = least significant) of every state byte: byte p of plane k = bit k of byte p of each block,
// one bit per block (bit j = block j). With rows in 32-bit lanes, the MixColumns row rotations are
// whole-lane shuffles (one pshufd each on x64), and ShiftRows is one byte swizzle per plane with a
// fixed mask kept in a register. The last round's ShiftRows is folded into the output permutation
// back to FIPS order (its round key is stored pre-permuted to match).
//
// Why this order: V8 lowers a whole-32-bit-lane shuffle to one instruction, but rebuilds the mask
// of a general byte shuffle (or of a constant swizzle reaching it through a loop variable) with ~5
// instructions every time; a swizzle whose mask is a loaded value costs two.
//
// Round keys are stored as planes too (8 v128 per round: byte p of plane k is 0xff when bit k of
// key byte p is set), so AddRoundKey is 8 XORs. The S-box circuit (Boyar–Peralta) is used without
// its four output NOTs; the constant 0x63 passes unchanged through ShiftRows and MixColumns, so the
// key schedule folds it into round keys 1..Nr.

import { CTR_MODE_128, ctrMask } from "./modes";

/** Bytes of one round key in this layout: 8 planes of v128. */
export const V128_PLANE_BYTES: usize = 128;
/** Blocks per batch. */
export const V128_BATCH: usize = 8;

// Byte permutations (swizzle index vectors: out[i] = in[mask[i]]), loaded from memory so that V8
// keeps them in registers instead of rebuilding constants at every use. Fixed, public values.
// TO_ROWS: FIPS order -> row-major (a 4x4 transpose; its own inverse).
const TO_ROWS = memory.data<u8>([0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15], 16);
// SHIFT_ROWS in row-major order: row r rotates left by r bytes inside its 32-bit lane.
const SHIFT_ROWS = memory.data<u8>([0, 1, 2, 3, 5, 6, 7, 4, 10, 11, 8, 9, 15, 12, 13, 14], 16);
// FROM_ROWS_SR: the last round's ShiftRows, then row-major -> FIPS order.
const FROM_ROWS_SR = memory.data<u8>([0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 3, 4, 9, 14], 16);
// LAST_KEY: FIPS key bytes -> row-major and un-ShiftRowed (the last round key is added before the
// folded ShiftRows: SR(s ^ SR^-1(K)) = SR(s) ^ K).
const LAST_KEY = memory.data<u8>([0, 4, 8, 12, 13, 1, 5, 9, 10, 14, 2, 6, 7, 11, 15, 3], 16);
// CTR_ROWS: a counter block held as one little-endian 128-bit integer (lane 0 = low 64 bits) ->
// the big-endian block in row-major order. CTR_REV: big-endian block <-> that integer.
const CTR_ROWS = memory.data<u8>([15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0], 16);
const CTR_REV = memory.data<u8>([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 16);
// CTR_SIGN: the sign bits of both 64-bit lanes (unsigned comparison through the signed one).
const CTR_SIGN = memory.data<u64>([0x8000000000000000, 0x8000000000000000], 16);

/**
 * Writes one output block (plane-transposed back, still in row order: q) at byte offset off of the batch: dst = src ^ k (xor) or dst = k,
 * limited to the first n bytes of the batch; when the block is cut short by n and ksOut != 0, the
 * whole block is stored at ksOut. Branches only on public offsets and lengths.
 */
@inline function emit(dst: usize, src: usize, off: usize, n: usize, q: v128, perm: v128, xor: bool, ksOut: usize, rawOut: usize, rawFrom: usize): void {
  const k = i8x16.swizzle(q, perm); // back to FIPS byte order
  if (off + 16 <= n) {
    if (xor) v128.store(dst + off, v128.xor(v128.load(src + off), k));
    else v128.store(dst + off, k);
  } else if (off < n) {
    emitPartialV(dst + off, src + off, n - off, i64x2.extract_lane(k, 0), i64x2.extract_lane(k, 1), xor);
    if (ksOut != 0) v128.store(ksOut, k);
  } else if (rawOut != 0 && off >= rawFrom) {
    v128.store(rawOut + off - rawFrom, k); // a lane past the data: its raw block, for later
  }
}

/** XORs (or copies) the first m < 16 bytes of the block (lo, hi) into dst. */
function emitPartialV(dst: usize, src: usize, m: usize, lo: u64, hi: u64, xor: bool): void {
  for (let i: usize = 0; i < m; i++) {
    const w = i < 8 ? lo : hi; // i is a public position
    const k = <u8>(w >>> (<u64>((i & 7) << 3)));
    store<u8>(dst + i, xor ? load<u8>(src + i) ^ k : k);
  }
}

/** Rows rotated by one: row r <- row r+1 (whole 32-bit lanes: one pshufd). */
@inline function rows1(x: v128): v128 {
  return i8x16.shuffle(x, x, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
}

/** Rows rotated by two: row r <- row r+2. */
@inline function rows2(x: v128): v128 {
  return i8x16.shuffle(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
}

/** One swapmove step of the transpose, on both 64-bit lanes: returns t; caller does b ^= t, a ^= t << s. */
@inline function swapT(a: v128, b: v128, s: i32, m: v128): v128 {
  return v128.and(v128.xor(i64x2.shr_u(a, s), b), m);
}

/**
 * Encrypts up to 8 blocks b0..b7 (each already in row-major byte order) with `rounds` rounds of key planes at rk (rounds + 1 entries of
 * V128_PLANE_BYTES), then writes the first n bytes (n <= 128) of the result: dst = src ^ out when
 * xor, else dst = out. If n is not a multiple of 16 and ksOut != 0, the full output block holding
 * byte n-1 is stored at ksOut. When first != 0, output block 0 is stored raw at `first` instead of
 * being written to dst (src/dst bytes 0..15 are then never touched). rounds = 0 gives the bare transform round trip (x ^ k0); rounds = 1
 * with zero keys gives ShiftRows(S(x)) ^ 0x63 (what the tests and SubWord use).
 */
function v128Batch(
  rk: usize, rounds: i32,
  b0: v128, b1: v128, b2: v128, b3: v128, b4: v128, b5: v128, b6: v128, b7: v128,
  src: usize, dst: usize, n: usize, ksOut: usize, xor: bool, first: usize, rawOut: usize, rawFrom: usize,
): void {
  const m1 = i8x16.splat(0x55), m2 = i8x16.splat(0x33), m4 = i8x16.splat(0x0f);
  const SR = v128.load(SHIFT_ROWS);
  let q0 = b0, q1 = b1, q2 = b2, q3 = b3, q4 = b4, q5 = b5, q6 = b6, q7 = b7;
  let t: v128;

  // ortho: transpose (swapmove with distances 1, 2, 4 inside every byte). An involution.
  t = swapT(q0, q1, 1, m1); q1 = v128.xor(q1, t); q0 = v128.xor(q0, i64x2.shl(t, 1));
  t = swapT(q2, q3, 1, m1); q3 = v128.xor(q3, t); q2 = v128.xor(q2, i64x2.shl(t, 1));
  t = swapT(q4, q5, 1, m1); q5 = v128.xor(q5, t); q4 = v128.xor(q4, i64x2.shl(t, 1));
  t = swapT(q6, q7, 1, m1); q7 = v128.xor(q7, t); q6 = v128.xor(q6, i64x2.shl(t, 1));
  t = swapT(q0, q2, 2, m2); q2 = v128.xor(q2, t); q0 = v128.xor(q0, i64x2.shl(t, 2));
  t = swapT(q1, q3, 2, m2); q3 = v128.xor(q3, t); q1 = v128.xor(q1, i64x2.shl(t, 2));
  t = swapT(q4, q6, 2, m2); q6 = v128.xor(q6, t); q4 = v128.xor(q4, i64x2.shl(t, 2));
  t = swapT(q5, q7, 2, m2); q7 = v128.xor(q7, t); q5 = v128.xor(q5, i64x2.shl(t, 2));
  t = swapT(q0, q4, 4, m4); q4 = v128.xor(q4, t); q0 = v128.xor(q0, i64x2.shl(t, 4));
  t = swapT(q1, q5, 4, m4); q5 = v128.xor(q5, t); q1 = v128.xor(q1, i64x2.shl(t, 4));
  t = swapT(q2, q6, 4, m4); q6 = v128.xor(q6, t); q2 = v128.xor(q2, i64x2.shl(t, 4));
  t = swapT(q3, q7, 4, m4); q7 = v128.xor(q7, t); q3 = v128.xor(q3, i64x2.shl(t, 4));

  // AddRoundKey(0)
  q0 = v128.xor(q0, v128.load(rk, 0)); q1 = v128.xor(q1, v128.load(rk, 16));
  q2 = v128.xor(q2, v128.load(rk, 32)); q3 = v128.xor(q3, v128.load(rk, 48));
  q4 = v128.xor(q4, v128.load(rk, 64)); q5 = v128.xor(q5, v128.load(rk, 80));
  q6 = v128.xor(q6, v128.load(rk, 96)); q7 = v128.xor(q7, v128.load(rk, 112));

  let kp = rk + V128_PLANE_BYTES;
  for (let r = 1; r <= rounds; r++) {
    // ---- SubBytes: Boyar–Peralta circuit; x0 is the most significant bit (plane 7). ----
    // Output NOTs omitted (see the file comment): the round keys carry the 0x63.
    const x0 = q7, x1 = q6, x2 = q5, x3 = q4, x4 = q3, x5 = q2, x6 = q1, x7 = q0;
    // top linear layer
    const y14 = v128.xor(x3, x5);
    const y13 = v128.xor(x0, x6);
    const y9 = v128.xor(x0, x3);
    const y8 = v128.xor(x0, x5);
    const t0 = v128.xor(x1, x2);
    const y1 = v128.xor(t0, x7);
    const y4 = v128.xor(y1, x3);
    const y12 = v128.xor(y13, y14);
    const y2 = v128.xor(y1, x0);
    const y5 = v128.xor(y1, x6);
    const y3 = v128.xor(y5, y8);
    const t1 = v128.xor(x4, y12);
    const y15 = v128.xor(t1, x5);
    const y20 = v128.xor(t1, x1);
    const y6 = v128.xor(y15, x7);
    const y10 = v128.xor(y15, t0);
    const y11 = v128.xor(y20, y9);
    const y7 = v128.xor(x7, y11);
    const y17 = v128.xor(y10, y11);
    const y19 = v128.xor(y10, y8);
    const y16 = v128.xor(t0, y11);
    const y21 = v128.xor(y13, y16);
    const y18 = v128.xor(x0, y16);
    // non-linear middle (GF(2^4) inversion)
    const t2 = v128.and(y12, y15);
    const t3 = v128.and(y3, y6);
    const t4 = v128.xor(t3, t2);
    const t5 = v128.and(y4, x7);
    const t6 = v128.xor(t5, t2);
    const t7 = v128.and(y13, y16);
    const t8 = v128.and(y5, y1);
    const t9 = v128.xor(t8, t7);
    const t10 = v128.and(y2, y7);
    const t11 = v128.xor(t10, t7);
    const t12 = v128.and(y9, y11);
    const t13 = v128.and(y14, y17);
    const t14 = v128.xor(t13, t12);
    const t15 = v128.and(y8, y10);
    const t16 = v128.xor(t15, t12);
    const t17 = v128.xor(t4, t14);
    const t18 = v128.xor(t6, t16);
    const t19 = v128.xor(t9, t14);
    const t20 = v128.xor(t11, t16);
    const t21 = v128.xor(t17, y20);
    const t22 = v128.xor(t18, y19);
    const t23 = v128.xor(t19, y21);
    const t24 = v128.xor(t20, y18);
    const t25 = v128.xor(t21, t22);
    const t26 = v128.and(t21, t23);
    const t27 = v128.xor(t24, t26);
    const t28 = v128.and(t25, t27);
    const t29 = v128.xor(t28, t22);
    const t30 = v128.xor(t23, t24);
    const t31 = v128.xor(t22, t26);
    const t32 = v128.and(t31, t30);
    const t33 = v128.xor(t32, t24);
    const t34 = v128.xor(t23, t33);
    const t35 = v128.xor(t27, t33);
    const t36 = v128.and(t24, t35);
    const t37 = v128.xor(t36, t34);
    const t38 = v128.xor(t27, t36);
    const t39 = v128.and(t29, t38);
    const t40 = v128.xor(t25, t39);
    const t41 = v128.xor(t40, t37);
    const t42 = v128.xor(t29, t33);
    const t43 = v128.xor(t29, t40);
    const t44 = v128.xor(t33, t37);
    const t45 = v128.xor(t42, t41);
    const z0 = v128.and(t44, y15);
    const z1 = v128.and(t37, y6);
    const z2 = v128.and(t33, x7);
    const z3 = v128.and(t43, y16);
    const z4 = v128.and(t40, y1);
    const z5 = v128.and(t29, y7);
    const z6 = v128.and(t42, y11);
    const z7 = v128.and(t45, y17);
    const z8 = v128.and(t41, y10);
    const z9 = v128.and(t44, y12);
    const z10 = v128.and(t37, y3);
    const z11 = v128.and(t33, y4);
    const z12 = v128.and(t43, y13);
    const z13 = v128.and(t40, y5);
    const z14 = v128.and(t29, y2);
    const z15 = v128.and(t42, y9);
    const z16 = v128.and(t45, y14);
    const z17 = v128.and(t41, y8);
    // bottom linear layer
    const t46 = v128.xor(z15, z16);
    const t47 = v128.xor(z10, z11);
    const t48 = v128.xor(z5, z13);
    const t49 = v128.xor(z9, z10);
    const t50 = v128.xor(z2, z12);
    const t51 = v128.xor(z2, z5);
    const t52 = v128.xor(z7, z8);
    const t53 = v128.xor(z0, z3);
    const t54 = v128.xor(z6, z7);
    const t55 = v128.xor(z16, z17);
    const t56 = v128.xor(z12, t48);
    const t57 = v128.xor(t50, t53);
    const t58 = v128.xor(z4, t46);
    const t59 = v128.xor(z3, t54);
    const t60 = v128.xor(t46, t57);
    const t61 = v128.xor(z14, t57);
    const t62 = v128.xor(t52, t58);
    const t63 = v128.xor(t49, t58);
    const t64 = v128.xor(z4, t59);
    const t65 = v128.xor(t61, t62);
    const t66 = v128.xor(z1, t63);
    const s0 = v128.xor(t59, t63);
    const s6 = v128.xor(t56, t62); // NOT folded into the round keys
    const s7 = v128.xor(t48, t60); // NOT folded
    const t67 = v128.xor(t64, t65);
    const s3 = v128.xor(t53, t66);
    const s4 = v128.xor(t51, t66);
    const s5 = v128.xor(t47, t65);
    const s1 = v128.xor(t64, s3); // NOT folded
    const s2 = v128.xor(t55, t67); // NOT folded

    // ---- ShiftRows and MixColumns, except in the last round (r and rounds are public) ----
    // The last round's ShiftRows is folded into the output permutation (FROM_ROWS_SR).
    if (r < rounds) {
      q7 = i8x16.swizzle(s0, SR); q6 = i8x16.swizzle(s1, SR); q5 = i8x16.swizzle(s2, SR); q4 = i8x16.swizzle(s3, SR);
      q3 = i8x16.swizzle(s4, SR); q2 = i8x16.swizzle(s5, SR); q1 = i8x16.swizzle(s6, SR); q0 = i8x16.swizzle(s7, SR);
      // MixColumns with r1 = rows rotated by one (row i <- row i+1: a 32-bit lane shuffle) and
      // u = q ^ r1: out = xtime(u) ^ r1 ^ rot2(u), xtime acting on bit planes (reduction by
      // x^8 + x^4 + x^3 + x + 1 feeds plane 7 into planes 0, 1, 3, 4).
      const r0 = rows1(q0), r1 = rows1(q1), r2 = rows1(q2), r3 = rows1(q3);
      const r4 = rows1(q4), r5 = rows1(q5), r6 = rows1(q6), r7 = rows1(q7);
      const u0 = v128.xor(q0, r0), u1 = v128.xor(q1, r1), u2 = v128.xor(q2, r2), u3 = v128.xor(q3, r3);
      const u4 = v128.xor(q4, r4), u5 = v128.xor(q5, r5), u6 = v128.xor(q6, r6), u7 = v128.xor(q7, r7);
      q0 = v128.xor(v128.xor(u7, r0), rows2(u0));
      q1 = v128.xor(v128.xor(u0, u7), v128.xor(r1, rows2(u1)));
      q2 = v128.xor(v128.xor(u1, r2), rows2(u2));
      q3 = v128.xor(v128.xor(u2, u7), v128.xor(r3, rows2(u3)));
      q4 = v128.xor(v128.xor(u3, u7), v128.xor(r4, rows2(u4)));
      q5 = v128.xor(v128.xor(u4, r5), rows2(u5));
      q6 = v128.xor(v128.xor(u5, r6), rows2(u6));
      q7 = v128.xor(v128.xor(u6, r7), rows2(u7));
    } else {
      q7 = s0; q6 = s1; q5 = s2; q4 = s3; q3 = s4; q2 = s5; q1 = s6; q0 = s7;
    }

    // ---- AddRoundKey(r) ----
    q0 = v128.xor(q0, v128.load(kp, 0)); q1 = v128.xor(q1, v128.load(kp, 16));
    q2 = v128.xor(q2, v128.load(kp, 32)); q3 = v128.xor(q3, v128.load(kp, 48));
    q4 = v128.xor(q4, v128.load(kp, 64)); q5 = v128.xor(q5, v128.load(kp, 80));
    q6 = v128.xor(q6, v128.load(kp, 96)); q7 = v128.xor(q7, v128.load(kp, 112));
    kp += V128_PLANE_BYTES;
  }

  // ortho back (its own inverse)
  t = swapT(q0, q1, 1, m1); q1 = v128.xor(q1, t); q0 = v128.xor(q0, i64x2.shl(t, 1));
  t = swapT(q2, q3, 1, m1); q3 = v128.xor(q3, t); q2 = v128.xor(q2, i64x2.shl(t, 1));
  t = swapT(q4, q5, 1, m1); q5 = v128.xor(q5, t); q4 = v128.xor(q4, i64x2.shl(t, 1));
  t = swapT(q6, q7, 1, m1); q7 = v128.xor(q7, t); q6 = v128.xor(q6, i64x2.shl(t, 1));
  t = swapT(q0, q2, 2, m2); q2 = v128.xor(q2, t); q0 = v128.xor(q0, i64x2.shl(t, 2));
  t = swapT(q1, q3, 2, m2); q3 = v128.xor(q3, t); q1 = v128.xor(q1, i64x2.shl(t, 2));
  t = swapT(q4, q6, 2, m2); q6 = v128.xor(q6, t); q4 = v128.xor(q4, i64x2.shl(t, 2));
  t = swapT(q5, q7, 2, m2); q7 = v128.xor(q7, t); q5 = v128.xor(q5, i64x2.shl(t, 2));
  t = swapT(q0, q4, 4, m4); q4 = v128.xor(q4, t); q0 = v128.xor(q0, i64x2.shl(t, 4));
  t = swapT(q1, q5, 4, m4); q5 = v128.xor(q5, t); q1 = v128.xor(q1, i64x2.shl(t, 4));
  t = swapT(q2, q6, 4, m4); q6 = v128.xor(q6, t); q2 = v128.xor(q2, i64x2.shl(t, 4));
  t = swapT(q3, q7, 4, m4); q7 = v128.xor(q7, t); q3 = v128.xor(q3, i64x2.shl(t, 4));

  // back to FIPS order (through the folded last ShiftRows, unless no round ran at all)
  const perm = v128.load(rounds == 0 ? TO_ROWS : FROM_ROWS_SR);
  if (first != 0) v128.store(first, i8x16.swizzle(q0, perm)); // block 0 goes to `first` (public choice)
  else emit(dst, src, 0, n, q0, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 16, n, q1, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 32, n, q2, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 48, n, q3, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 64, n, q4, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 80, n, q5, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 96, n, q6, perm, xor, ksOut, rawOut, rawFrom);
  emit(dst, src, 112, n, q7, perm, xor, ksOut, rawOut, rawFrom);
}

/**
 * Writes the 8 key planes of one round key (16 bytes at k, FIPS byte order) to out, XORing the
 * byte constant c (0 or 0x63) into every byte first. The bytes are put in row-major order (for the
 * last round: also un-ShiftRowed, see LAST_KEY); then plane p = bytes (k[i] & (1 << p)) == (1 << p),
 * i.e. 0xff or 0x00 per byte. Fixed permutation, lane-wise AND and compare: no table, no
 * key-dependent branch or address.
 */
export function v128KeyPlanes(k: usize, c: u32, out: usize, last: bool): void {
  const perm = v128.load(last ? LAST_KEY : TO_ROWS);
  const key = i8x16.swizzle(v128.xor(v128.load(k), i8x16.splat(<i8>c)), perm);
  for (let p: i32 = 0; p < 8; p++) {
    const bit = i8x16.splat(<i8>(<i32>1 << p));
    v128.store(out + (<usize>p << 4), i8x16.eq(v128.and(key, bit), bit));
  }
}

/**
 * Encrypts nblocks blocks from src to dst (src == dst allowed) with `rounds` rounds of key planes
 * at rk: full batches of 8, then one batch for the remainder. ECB, single blocks, and the tests'
 * rounds = 0 / rounds = 1 probes all come through here.
 */
export function v128Blocks(rk: usize, rounds: i32, src: usize, dst: usize, nblocks: usize): void {
  const z = i64x2.splat(0);
  const T = v128.load(TO_ROWS);
  let i: usize = 0;
  for (; i + 8 <= nblocks; i += 8) {
    const s = src + (i << 4);
    v128Batch(rk, rounds,
      i8x16.swizzle(v128.load(s, 0), T), i8x16.swizzle(v128.load(s, 16), T),
      i8x16.swizzle(v128.load(s, 32), T), i8x16.swizzle(v128.load(s, 48), T),
      i8x16.swizzle(v128.load(s, 64), T), i8x16.swizzle(v128.load(s, 80), T),
      i8x16.swizzle(v128.load(s, 96), T), i8x16.swizzle(v128.load(s, 112), T),
      0, dst + (i << 4), 128, 0, false, 0, 0, 0);
  }
  const m = nblocks - i; // public count of remaining blocks
  if (m > 0) {
    const s = src + (i << 4);
    v128Batch(rk, rounds,
      i8x16.swizzle(v128.load(s, 0), T),
      m > 1 ? i8x16.swizzle(v128.load(s, 16), T) : z, m > 2 ? i8x16.swizzle(v128.load(s, 32), T) : z,
      m > 3 ? i8x16.swizzle(v128.load(s, 48), T) : z, m > 4 ? i8x16.swizzle(v128.load(s, 64), T) : z,
      m > 5 ? i8x16.swizzle(v128.load(s, 80), T) : z, m > 6 ? i8x16.swizzle(v128.load(s, 96), T) : z, z,
      0, dst + (i << 4), m << 4, 0, false, 0, 0, 0);
  }
}

/**
 * The counter c (a little-endian 128-bit integer: lane 0 = low 64 bits) plus step in the mode's
 * increment: m holds the mode's counter bits in lane 0 (ctrMask); in the 128-bit mode (wide) the
 * low word's wrap carries into the high word. Branches on the mode only (public).
 */
@inline function ctrAddV(c: v128, step: u64, m: v128, wide: bool, sign: v128): v128 {
  const u = v128.bitselect(i64x2.add(c, i64x2.replace_lane(i64x2.splat(0), 0, step)), c, m);
  if (!wide) return u; // the mode (public) wraps inside the low word
  // lane 0 all ones when the low word wrapped (u < c unsigned); moved to lane 1 and subtracted (+1)
  const w = i64x2.lt_s(v128.xor(u, sign), v128.xor(c, sign));
  return i64x2.sub(u, i64x2.replace_lane(i64x2.splat(0), 1, i64x2.extract_lane(w, 0)));
}

/**
 * Counter mode over len bytes (see aesCtrXorBuffered in aes.ts): 8 counter blocks per batch, built
 * in registers from the counter as one 128-bit integer (two u64 lanes), turned into big-endian
 * blocks in row-major order by one fixed swizzle. In the 32-bit and 16-bit modes (GCM, SRTP AES-CM)
 * nothing carries out of the low word: the blocks are a running sum whose counter bits are merged
 * into the base by the mode's mask (0.95x the time of AES-CM over 160 bytes against ctrAddV per
 * lane); the 128-bit mode adds with its carry per lane. Updates the counter block in memory
 * at the end. When first != 0, the keystream block of the initial counter is stored raw at `first`
 * and the data uses the blocks after it (one stream, so it shares the batches: GCM's E(K, J0)).
 * When keepOut != 0 and the last batch has lanes the data does not use, those lanes encrypt the
 * counter blocks keepCounter, keepCounter + 1, ... (same mode) and their raw keystream is stored at
 * keepOut (16 bytes each; room for 7): keystream of another stream (SRTP: the next packet's) at
 * no extra cost. Returns the number of blocks kept (0 when the data filled its last batch).
 */
export function v128Ctr(
  rk: usize, rounds: i32, counter: usize, src: usize, dst: usize, len: usize, mode: i32, ksOut: usize, first: usize,
  keepCounter: usize, keepOut: usize,
): usize {
  const m = i64x2.replace_lane(i64x2.splat(0), 0, ctrMask(mode));
  const wide = mode == CTR_MODE_128;
  const sign = v128.load(CTR_SIGN);
  const rev = v128.load(CTR_REV);
  let c = i8x16.swizzle(v128.load(counter), rev);
  // the integer -> the big-endian counter block, in row-major byte order
  const ROWS = v128.load(CTR_ROWS);
  const one = i64x2.replace_lane(i64x2.splat(0), 0, 1);
  // With `first`, the stream is [first block][len data bytes]: offsets count from 16 bytes before
  // src/dst (those 16 bytes are never read or written: block 0 goes to `first`).
  const lead: usize = first != 0 ? 16 : 0;
  const total = len + lead;
  const s0 = src - lead, d0 = dst - lead;
  let off: usize = 0;
  let kept: usize = 0;
  while (off < total) {
    const rem = total - off;
    const n = rem < 128 ? rem : 128;
    const d = (n + 15) >> 4; // lanes the data uses in this batch (public)
    // In the last batch, idle lanes d..7 may take the kept stream's counters (d, keepOut public).
    const keep = keepOut != 0 && d < 8;
    const k = keep ? i8x16.swizzle(v128.load(keepCounter), rev) : c;
    // The 8 counter blocks (lane q: this stream's block q, or in the idle lanes of the last batch
    // the kept stream's block q - d), built in one loop into CTR_BLOCKS (wiped below: the counter
    // blocks carry the salt).
    const dd: usize = keep ? d : 8; // lanes 0..dd-1 take this stream's blocks (public)
    if (wide) {
      for (let q: usize = 0; q < 8; q++) {
        const mine = q < dd;
        v128.store(CTR_BLOCKS + (q << 4), i8x16.swizzle(ctrAddV(mine ? c : k, mine ? <u64>q : <u64>(q - d), m, true, sign), ROWS));
      }
    } else {
      // no carry out of the low word: a running sum, its counter bits merged into the base. Two
      // loops (this stream's lanes, then the kept stream's): one loop switching its base at lane dd
      // measured 1.02-1.04x the time of aes_ctr_run.
      let u = c;
      for (let q: usize = 0; q < dd; q++) {
        v128.store(CTR_BLOCKS + (q << 4), i8x16.swizzle(v128.bitselect(u, c, m), ROWS));
        u = i64x2.add(u, one);
      }
      u = k;
      for (let q = dd; q < 8; q++) {
        v128.store(CTR_BLOCKS + (q << 4), i8x16.swizzle(v128.bitselect(u, k, m), ROWS));
        u = i64x2.add(u, one);
      }
    }
    v128Batch(rk, rounds,
      v128.load(CTR_BLOCKS, 0), v128.load(CTR_BLOCKS, 16), v128.load(CTR_BLOCKS, 32), v128.load(CTR_BLOCKS, 48),
      v128.load(CTR_BLOCKS, 64), v128.load(CTR_BLOCKS, 80), v128.load(CTR_BLOCKS, 96), v128.load(CTR_BLOCKS, 112),
      s0 + off, d0 + off, n, ksOut, true, off == 0 ? first : 0, keep ? keepOut : 0, d << 4);
    if (keep) kept = 8 - d;
    c = ctrAddV(c, <u64>d, m, wide, sign);
    off += n;
  }
  v128.store(counter, i8x16.swizzle(c, rev));
  for (let q: usize = 0; q < 128; q += 16) v128.store(CTR_BLOCKS + q, i64x2.splat(0));
  return kept;
}

/** v128Ctr's counter blocks of one batch (static; zero between calls). */
const CTR_BLOCKS: usize = memory.data(128, 16);
