// GHASH (SP 800-38D §6.4) in constant time with WebAssembly SIMD: the SIMD build's implementation.
// The scalar build uses ghash_ctmul64.ts; both give identical results (tests run every vector on
// both builds).
//
// Same principle as ghash_ctmul64.ts ("multiplication with holes", after BearSSL's ghash_ctmul32 /
// ghash_ctmul64 by T. Pornin), but on 32-bit words, four at a time, with i32x4.mul:
//   - an operand word is split into four masked copies with bits 4 apart; i32x4.mul keeps the low
//     32 bits of each 32x32 integer product, where a column receives at most 8 terms (fits in the
//     4-bit gap), so bit i of the XOR of the 16 partial products, masked to i's residue class, is
//     bit i of the low half of the carry-less product;
//   - the high half comes from the bit-reversed operands: rev32(low32(rev32(a)·rev32(b))) = c >> 31.
// Why not i64x2.mul: V8 (x64, no AVX-512) lowers it to three pmuludq plus five shifts/adds, so it is
// no faster per product than scalar i64.mul; i32x4.mul is one pmulld for four products. Measured on
// the project's machines: i64.mul 0.31 ns, i64x2.mul 0.69 ns (2 products), i32x4.mul 0.17 ns
// (4 products) in independent chains. See docs/constant-time.md.
//
// A 128x128 product uses two levels of Karatsuba: 9 word products, each needing a natural (low
// half) and a reversed (high half) lane: 18 lanes. They are laid out as, per block:
//   N  = [x0, x1, x2, x3]                        (natural words)
//   R  = rev32 of each lane of N
//   NK = [x0^x1, x2^x3, x0^x2, x1^x3]            (Karatsuba middles)
//   RK = rev32 of each lane of NK
// and, for a pair of blocks a, b sharing one vector:
//   NM = [m_a, m_b, rev32(m_a), rev32(m_b)]     with m = x0^x1^x2^x3
// so two blocks cost 9 vector multiplies of 16 i32x4.mul each. The H side of every vector is
// precomputed per power of H, already masked. Blocks are hashed four at a time with aggregated
// reduction, Y' = (Y^X1)·H^4 ^ X2·H^3 ^ X3·H^2 ^ X4·H: the lane products are summed over the group
// and combined, reversed and reduced once per group.
//
// Constant time: no table lookup in memory indexed by data (the nibble bit-reversal uses
// i8x16.swizzle on registers: a register permutation, not a memory access), no branch on data;
// only lengths drive control flow. Relies on i32x4.mul (pmulld / ARM MUL.4S) having fixed latency.

/** Bytes of precomputed material for one power: four vector operands, four masked copies each. */
const POWER_SIZE: usize = 4 * 64;
const GHASH_POWERS_SIMD: i32 = 4;
// Key block layout:
//   [0, 4*POWER_SIZE)     powers H^1..H^4: N, R, NK, RK operand vectors (64 bytes each: the four
//                         masked copies)
//   [OFF_PAIRS, +4*64)    pair vectors for NM, for pairs (a, a-1), a = 1..4 (H^0 lanes are zero)
//   [OFF_NPOW, +4)        number of powers filled in (1 or 4)
const OFF_PAIRS: usize = 4 * POWER_SIZE;
const OFF_NPOW: usize = OFF_PAIRS + 4 * 64;
export const GHASH_SIMD_KEY_SIZE: usize = OFF_NPOW + 16;

// ---- lane helpers -------------------------------------------------------------------------------

/** Reverses the bits inside each byte of every lane (nibble swap through two 16-entry swizzles). */
@inline function brb(v: v128): v128 {
  // TH[n] = rev4(n) << 4, TL[n] = rev4(n)
  const TH = i8x16(0x00, -0x80, 0x40, -0x40, 0x20, -0x60, 0x60, -0x20, 0x10, -0x70, 0x50, -0x30, 0x30, -0x50, 0x70, -0x10);
  const TL = i8x16(0x0, 0x8, 0x4, 0xc, 0x2, 0xa, 0x6, 0xe, 0x1, 0x9, 0x5, 0xd, 0x3, 0xb, 0x7, 0xf);
  const low = i8x16.splat(0x0f);
  const lo = v128.and(v, low);
  const hi = v128.and(i16x8.shr_u(v, 4), low);
  return v128.or(i8x16.swizzle(TH, lo), i8x16.swizzle(TL, hi));
}

/** Byte-swaps every 32-bit lane. */
@inline function bswap32x4(v: v128): v128 {
  return i8x16.swizzle(v, i8x16(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12));
}

/** Bit-reverses every 32-bit lane. */
@inline function rev32x4(v: v128): v128 {
  return bswap32x4(brb(v));
}

/** [v0^v1, v2^v3, v0^v2, v1^v3]: the Karatsuba middle operands of a 4-word element. */
@inline function karatsubaMiddles(v: v128): v128 {
  return v128.xor(i32x4.shuffle(v, v, 0, 2, 0, 1), i32x4.shuffle(v, v, 1, 3, 2, 3));
}

/** Every lane = v0^v1^v2^v3. */
@inline function xorAllLanes(v: v128): v128 {
  const t = v128.xor(v, i32x4.shuffle(v, v, 1, 0, 3, 2));
  return v128.xor(t, i32x4.shuffle(t, t, 2, 3, 0, 1));
}

/** Writes the four masked copies of v at p. */
@inline function storeMasked(p: usize, v: v128): void {
  v128.store(p, v128.and(v, i32x4.splat(0x11111111)));
  v128.store(p, v128.and(v, i32x4.splat(0x22222222)), 16);
  v128.store(p, v128.and(v, i32x4.splat(0x44444444)), 32);
  v128.store(p, v128.and(v, i32x4.splat(<i32>0x88888888)), 48);
}

// The four residue-class masks as v128 constants in static memory: loading them at each use lets
// V8 fold them into vpand memory operands instead of rebuilding a splat in a register every time.
const MASKS: usize = memory.data<u32>([
  0x11111111, 0x11111111, 0x11111111, 0x11111111,
  0x22222222, 0x22222222, 0x22222222, 0x22222222,
  0x44444444, 0x44444444, 0x44444444, 0x44444444,
  0x88888888, 0x88888888, 0x88888888, 0x88888888,
], 16);

/**
 * Lane-wise low 32 bits of the carry-less products of x and the operand whose masked copies are
 * at hp: 16 i32x4.mul. See the file header for why no carry corrupts a kept bit. Inlined (as a
 * call it was about a third slower) and written as four short chains, one residue class at a time,
 * with masks and H loaded at each use: measured a little faster than one expression tree. V8 still
 * reorders the products and spills a few values (16 xmm registers); keeping the accumulators in
 * memory, splitting operand preparation from the products, or fencing the chains with stores were
 * all tried and measured slower.
 */
@inline function bmul32x4(x: v128, hp: usize): v128 {
  const x0 = v128.and(x, v128.load(MASKS));
  const x1 = v128.and(x, v128.load(MASKS, 16));
  const x2 = v128.and(x, v128.load(MASKS, 32));
  const x3 = v128.and(x, v128.load(MASKS, 48));
  let z = i32x4.mul(x0, v128.load(hp));
  z = v128.xor(z, i32x4.mul(x1, v128.load(hp, 48)));
  z = v128.xor(z, i32x4.mul(x2, v128.load(hp, 32)));
  z = v128.xor(z, i32x4.mul(x3, v128.load(hp, 16)));
  let r = v128.and(z, v128.load(MASKS));
  z = i32x4.mul(x0, v128.load(hp, 16));
  z = v128.xor(z, i32x4.mul(x1, v128.load(hp)));
  z = v128.xor(z, i32x4.mul(x2, v128.load(hp, 48)));
  z = v128.xor(z, i32x4.mul(x3, v128.load(hp, 32)));
  r = v128.or(r, v128.and(z, v128.load(MASKS, 16)));
  z = i32x4.mul(x0, v128.load(hp, 32));
  z = v128.xor(z, i32x4.mul(x1, v128.load(hp, 16)));
  z = v128.xor(z, i32x4.mul(x2, v128.load(hp)));
  z = v128.xor(z, i32x4.mul(x3, v128.load(hp, 48)));
  r = v128.or(r, v128.and(z, v128.load(MASKS, 32)));
  z = i32x4.mul(x0, v128.load(hp, 48));
  z = v128.xor(z, i32x4.mul(x1, v128.load(hp, 32)));
  z = v128.xor(z, i32x4.mul(x2, v128.load(hp, 16)));
  z = v128.xor(z, i32x4.mul(x3, v128.load(hp)));
  return v128.or(r, v128.and(z, v128.load(MASKS, 48)));
}

/** Loads 16 bytes (or the final n < 16, zero padded) little-endian as a v128. Length is public. */
@inline function loadBlock(p: usize, n: usize): v128 {
  if (n >= 16) return v128.load(p);
  let u0: u64 = 0;
  let u1: u64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const b = (<u64>load<u8>(p + i)) << (<u64>((i & 7) << 3));
    if (i < 8) u0 |= b;
    else u1 |= b;
  }
  return i64x2(u0, u1);
}

// ---- key setup ----------------------------------------------------------------------------------

/** Writes power material for the element with natural 32-bit words in lanes of n at p. */
function storePowerSimd(p: usize, n: v128): void {
  const r = rev32x4(n);
  storeMasked(p, n);
  storeMasked(p + 64, r);
  storeMasked(p + 128, karatsubaMiddles(n));
  storeMasked(p + 192, karatsubaMiddles(r));
}

/**
 * Precomputes the SIMD key block at key from H (16 bytes, GCM order) at h, with 1 or 4 powers.
 * work: 32 bytes of scratch (a natural-form state and a byte block).
 */
export function ghashSimdKeyInit(key: usize, h: usize, powers: i32, work: usize): void {
  const hn = brb(v128.load(h));
  storePowerSimd(key, hn);
  // with only H^1: the pair vector (1, 0) is [m1, 0, rev m1, 0]
  store<i32>(key + OFF_NPOW, 1);
  writePairs(key, 1);
  let n = 1;
  if (powers >= GHASH_POWERS_SIMD) {
    // H^k = H^(k-1) · H, computed by hashing the block H^(k-1) into a zero state with power 1.
    v128.store(work + 16, v128.load(h));
    for (n = 2; n <= GHASH_POWERS_SIMD; n++) {
      v128.store(work, i64x2.splat(0));
      ghashSimdUpdate(key, work, work + 16, 16);
      // natural u64 words → GCM bytes for the next round, natural 32-bit lanes for the table
      const w = v128.load(work);
      storePowerSimd(key + <usize>(n - 1) * POWER_SIZE, w);
      v128.store(work + 16, brb(w));
    }
    n = GHASH_POWERS_SIMD;
    v128.store(work, i64x2.splat(0));
    v128.store(work + 16, i64x2.splat(0));
  }
  writePairs(key, n);
  store<i32>(key + OFF_NPOW, n);
}

/** Fills the pair vectors (a, a-1) for a = 1..npow from the stored powers. */
function writePairs(key: usize, npow: i32): void {
  for (let a = 1; a <= npow; a++) {
    // m of H^a and H^(a-1): XOR of the natural words (copy 0..3 of N summed restores the word)
    const ma = xorAllLanes(naturalOf(key + <usize>(a - 1) * POWER_SIZE));
    const mb = a >= 2 ? xorAllLanes(naturalOf(key + <usize>(a - 2) * POWER_SIZE)) : i64x2.splat(0);
    const ra = rev32x4(ma);
    const rb = rev32x4(mb);
    // [ma, mb, rev ma, rev mb]
    const v = i32x4.shuffle(i32x4.shuffle(ma, mb, 0, 4, 0, 4), i32x4.shuffle(ra, rb, 0, 4, 0, 4), 0, 1, 4, 5);
    storeMasked(key + OFF_PAIRS + <usize>(a - 1) * 64, v);
  }
}

/** Rebuilds the natural words of a power from its four masked N copies. */
@inline function naturalOf(p: usize): v128 {
  return v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48)));
}

/** Number of powers of H a key block holds (1 or 4; other values mean a damaged block). */
export function ghashSimdKeyPowers(key: usize): i32 {
  return load<i32>(key + OFF_NPOW);
}

// ---- hashing ------------------------------------------------------------------------------------

/**
 * Y ← GHASH update of Y with len bytes at data (zero padded), Y natural-form (two u64) at state.
 * Same contract as ghashUpdate in ghash_ctmul64.ts. Time depends only on len.
 */
export function ghashSimdUpdate(key: usize, state: usize, data: usize, len: usize): void {
  if (len == 0) return;
  let y = v128.load(state);
  // 1 or 4; anything else (a corrupted key block) is read as 1, so no read leaves the key block
  const npow: usize = load<i32>(key + OFF_NPOW) == GHASH_POWERS_SIMD ? 4 : 1;
  let blocks = (len + 15) >> 4;
  const zero = i64x2.splat(0);
  while (blocks > 0) {
    const n = blocks < npow ? blocks : npow;
    let aN = zero, aR = zero, aNK = zero, aRK = zero, aM = zero;
    let yn = y;
    let yr = rev32x4(y);
    let a = n;
    while (a > 0) {
      // blocks with powers a and (when a >= 2) a - 1: one loop body for both, so that the four
      // products of a block are written once (code size: the core must fit in 64 KiB)
      let ma = zero, mra = zero, mb = zero, mrb = zero;
      const pair: usize = a >= 2 ? 2 : 1;
      for (let j: usize = 0; j < pair; j++) {
        const u = loadBlock(data, len);
        const take = len < 16 ? len : 16;
        data += take;
        len -= take;
        const nx = v128.xor(brb(u), yn);
        const rx = v128.xor(bswap32x4(u), yr);
        yn = zero;
        yr = zero;
        const kp = key + (a - 1 - j) * POWER_SIZE;
        aN = v128.xor(aN, bmul32x4(nx, kp));
        aR = v128.xor(aR, bmul32x4(rx, kp + 64));
        aNK = v128.xor(aNK, bmul32x4(karatsubaMiddles(nx), kp + 128));
        aRK = v128.xor(aRK, bmul32x4(karatsubaMiddles(rx), kp + 192));
        if (j == 0) {
          ma = xorAllLanes(nx);
          mra = xorAllLanes(rx);
        } else {
          mb = xorAllLanes(nx);
          mrb = xorAllLanes(rx);
        }
      }
      // [m_a, m_b, rev m_a, rev m_b] against the pair vector (a, a-1)
      const vm = i32x4.shuffle(i32x4.shuffle(ma, mb, 0, 4, 0, 4), i32x4.shuffle(mra, mrb, 0, 4, 0, 4), 0, 1, 4, 5);
      aM = v128.xor(aM, bmul32x4(vm, key + OFF_PAIRS + (a - 1) * 64));
      a = a >= 2 ? a - 2 : 0;
    }
    y = combineReduce(aN, aR, aNK, aRK, aM);
    blocks -= n;
  }
  v128.store(state, y);
}

/**
 * Turns the summed lane products of a group into the reduced 128-bit result (natural u64 words in
 * lanes 0, 1). aN/aNK hold low halves, aR/aRK bit-reversed high halves; aM = [lo_a, lo_b, rev_a, rev_b]
 * of the (x0^x1^x2^x3)-product.
 */
function combineReduce(aN: v128, aR: v128, aNK: v128, aRK: v128, aM: v128): v128 {
  // high halves: rev32(reversed low) >> 1
  const hR = i32x4.shr_u(rev32x4(aR), 1);
  const hRK = i32x4.shr_u(rev32x4(aRK), 1);
  // mm: lo = lane0^lane1, reversed = lane2^lane3
  const t = v128.xor(aM, i32x4.shuffle(aM, aM, 1, 0, 3, 2)); // [lo, lo, rev, rev]
  const hm = i32x4.shr_u(rev32x4(t), 1); // lane 2 = high half
  // 63-bit word products as u64: lo | hi << 32 (interleave lanes)
  const c0 = i32x4.shuffle(aN, hR, 0, 4, 1, 5); // c00, c11
  const c1 = i32x4.shuffle(aN, hR, 2, 6, 3, 7); // c22, c33
  const c2 = i32x4.shuffle(aNK, hRK, 0, 4, 1, 5); // (x0^x1)(h0^h1), (x2^x3)(h2^h3)
  const c3 = i32x4.shuffle(aNK, hRK, 2, 6, 3, 7); // (x0^x2)(h0^h2), (x1^x3)(h1^h3)
  const c4 = i32x4.shuffle(t, hm, 0, 6, 0, 6); // mm in lane 0
  const c00 = <u64>i64x2.extract_lane(c0, 0);
  const c11 = <u64>i64x2.extract_lane(c0, 1);
  const c22 = <u64>i64x2.extract_lane(c1, 0);
  const c33 = <u64>i64x2.extract_lane(c1, 1);
  const c01 = <u64>i64x2.extract_lane(c2, 0);
  const c23 = <u64>i64x2.extract_lane(c2, 1);
  const cm0 = <u64>i64x2.extract_lane(c3, 0);
  const cm1 = <u64>i64x2.extract_lane(c3, 1);
  const cmm = <u64>i64x2.extract_lane(c4, 0);
  // 64x64 Karatsuba from three 32x32 products: p0q0 + mid·x^32 + p1q1·x^64
  let mid = c01 ^ c00 ^ c11;
  const z0l = c00 ^ (mid << 32);
  const z0h = c11 ^ (mid >> 32);
  mid = c23 ^ c22 ^ c33;
  const z1l = c22 ^ (mid << 32);
  const z1h = c33 ^ (mid >> 32);
  mid = cmm ^ cm0 ^ cm1;
  const zml = cm0 ^ (mid << 32) ^ z0l ^ z1l;
  const zmh = cm1 ^ (mid >> 32) ^ z0h ^ z1h;
  // 128x128 Karatsuba: 256-bit w3:w2:w1:w0
  let w0 = z0l;
  let w1 = z0h ^ zml;
  let w2 = z1l ^ zmh;
  const w3 = z1h;
  // reduce modulo x^128 + x^7 + x^2 + x + 1 (as in ghash_ctmul64.ts)
  w1 ^= w3 ^ (w3 << 1) ^ (w3 << 2) ^ (w3 << 7);
  w2 ^= (w3 >> 63) ^ (w3 >> 62) ^ (w3 >> 57);
  w0 ^= w2 ^ (w2 << 1) ^ (w2 << 2) ^ (w2 << 7);
  w1 ^= (w2 >> 63) ^ (w2 >> 62) ^ (w2 >> 57);
  return i64x2(w0, w1);
}

/** Y ← GHASH update with the GCM length block (byte lengths in, bit lengths hashed). */
export function ghashSimdLengths(key: usize, state: usize, aadLen: u64, ctLen: u64, work: usize): void {
  // The block's bytes are big-endian bit counts.
  store<u64>(work, bswap<u64>(aadLen << 3));
  store<u64>(work, bswap<u64>(ctLen << 3), 8);
  ghashSimdUpdate(key, state, work, 16);
  v128.store(work, i64x2.splat(0));
}
