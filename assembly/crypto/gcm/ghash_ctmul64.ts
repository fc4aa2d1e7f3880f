// GHASH (SP 800-38D §6.4) in constant time, without a carry-less multiply instruction.
//
// WebAssembly has no carry-less multiply, so GF(2)[x] products are computed with ordinary 64-bit
// integer multiplies on operands "with holes" (the technique of BearSSL's ghash_ctmul64, T. Pornin):
// an operand is split into four masked copies whose set bits are 4 positions apart. In the integer
// product of two such copies, every bit position that can receive a term receives at most 16 of
// them; a 4-bit gap holds a count up to 15, and the only column that can reach 16 is the top one of
// the low 64-bit half, whose carry falls off the word. So bit i of the (wrapping) 64-bit integer
// product, for i in the copy's residue class, is the parity of the number of terms: exactly the
// carry-less product bit. XORing the 16 partial products and masking each residue class gives the
// low 64 bits of the carry-less 64x64 product. The high 64 bits are obtained the same way from the
// bit-reversed operands (rev(a) * rev(b) = rev(a * b) >> 1 in 127-bit terms).
//
// Constant time: no table, no memory access whose address depends on H or on the data, and no
// branch on either; only the lengths (public) drive control flow. This relies on wasm i64.mul being
// constant time on the CPUs we target (x86-64 IMUL r64 and ARMv8 MUL have fixed latency whatever the
// operands; see docs/constant-time.md).
//
// Representation ("natural" form): a 128-bit field element is two u64 words w0, w1; bit i of w0 is
// the coefficient of x^i (i < 64), bit i of w1 the coefficient of x^(64+i). GCM's byte string puts
// x^0 in the most significant bit of byte 0, so w0 = bit-reverse-within-each-byte(little-endian
// load of bytes 0..7), and rev64(w0) = byte-swap(little-endian load): both forms are cheap to get
// from a little-endian load, so no 64-bit bit reversal is needed on the data path.
//
// Speed: everything that depends only on H is precomputed by ghashKeyInit(): H, H^2, H^3, H^4, each
// in natural and bit-reversed form, with the Karatsuba middle operand, already split into the four
// masked copies. ghashUpdate() then hashes four blocks per group with aggregated reduction:
//   Y' = (Y ^ X1)·H^4 ^ X2·H^3 ^ X3·H^2 ^ X4·H
// the unreduced products are summed (XOR) and reduced once per group, and the bit reversals of the
// high halves are also done once per group (reversal is linear). A shorter tail group of n < 4
// blocks uses H^n..H^1 the same way, so a 160-byte SRTP payload costs 10 block multiplies and
// 3 reductions.

// Residue-class masks: bits 4k, 4k+1, 4k+2, 4k+3.
const M0: u64 = 0x1111111111111111;
const M1: u64 = 0x2222222222222222;
const M2: u64 = 0x4444444444444444;
const M3: u64 = 0x8888888888888888;

/** Bytes of precomputed material for one power of H: six operands, four masked copies each. */
const POWER_SIZE: usize = 6 * 4 * 8;
/** Number of powers of H kept (aggregation width). */
export const GHASH_POWERS: i32 = 4;
// Layout of a GHASH key block:
//   [0, 4*POWER_SIZE)        powers H^1..H^4 (power k at (k-1)*POWER_SIZE); in each power, the
//                            operands n0, n1, n0^n1 (natural) then r0, r1, r0^r1 (bit-reversed),
//                            each as its four masked copies (M0, M1, M2, M3 order)
//   [OFF_NPOW, +4)           number of powers filled in (1 or 4)
const OFF_NPOW: usize = 4 * POWER_SIZE;
/** Size of a GHASH key block (16-byte multiple). */
export const GHASH_KEY_SIZE: usize = OFF_NPOW + 16;
/** Size of a GHASH running state: the two natural-form words of Y. */
export const GHASH_STATE_SIZE: usize = 16;

/** Reverses the bits inside each byte of x (bytes stay in place). */
@inline export function revBitsInBytes(x: u64): u64 {
  x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
  x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
  return ((x >> 4) & 0x0F0F0F0F0F0F0F0F) | ((x & 0x0F0F0F0F0F0F0F0F) << 4);
}

/** Reverses all 64 bits of x. */
@inline export function rev64(x: u64): u64 {
  return bswap<u64>(revBitsInBytes(x));
}

/** Stores the four masked copies of operand v at p. */
@inline function storeMasked(p: usize, v: u64): void {
  store<u64>(p, v & M0);
  store<u64>(p, v & M1, 8);
  store<u64>(p, v & M2, 16);
  store<u64>(p, v & M3, 24);
}

/**
 * Low 64 bits of the carry-less product of x and the operand whose masked copies are at hp.
 * 16 integer multiplies; see the file header for why no carry corrupts a kept bit.
 * Deliberately not @inline: inlined six times per block, V8 hoists all 96 products and spills most
 * of them (x64 has 15 usable registers); as a call it stays in registers and was ~10% faster.
 */
function bmul(x: u64, hp: usize): u64 {
  const x0 = x & M0;
  const x1 = x & M1;
  const x2 = x & M2;
  const x3 = x & M3;
  const h0 = load<u64>(hp);
  const h1 = load<u64>(hp, 8);
  const h2 = load<u64>(hp, 16);
  const h3 = load<u64>(hp, 24);
  // z_r gathers the products whose bits land in residue class r (i + j = r mod 4).
  const z0 = (x0 * h0) ^ (x1 * h3) ^ (x2 * h2) ^ (x3 * h1);
  const z1 = (x0 * h1) ^ (x1 * h0) ^ (x2 * h3) ^ (x3 * h2);
  const z2 = (x0 * h2) ^ (x1 * h1) ^ (x2 * h0) ^ (x3 * h3);
  const z3 = (x0 * h3) ^ (x1 * h2) ^ (x2 * h1) ^ (x3 * h0);
  return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
}

/** Writes one power's precomputed operands (natural words a0, a1) at p. */
function storePower(p: usize, a0: u64, a1: u64): void {
  const r0 = rev64(a0);
  const r1 = rev64(a1);
  storeMasked(p, a0);
  storeMasked(p + 32, a1);
  storeMasked(p + 64, a0 ^ a1);
  storeMasked(p + 96, r0);
  storeMasked(p + 128, r1);
  storeMasked(p + 160, r0 ^ r1);
}

// Result of mulNatural (two words): module globals used only inside one call, never across calls.
let mulLo: u64 = 0;
let mulHi: u64 = 0;

/** (y0, y1) · H^k for the power whose material is at kp, reduced; result in mulLo/mulHi. */
function mulNatural(y0: u64, y1: u64, kp: usize): void {
  const r0 = rev64(y0);
  const r1 = rev64(y1);
  const l0 = bmul(y0, kp);
  const l1 = bmul(y1, kp + 32);
  const l2 = bmul(y0 ^ y1, kp + 64);
  const g0 = bmul(r0, kp + 96);
  const g1 = bmul(r1, kp + 128);
  const g2 = bmul(r0 ^ r1, kp + 160);
  reduceKaratsuba(l0, l1, l2, g0, g1, g2);
}

/**
 * Combines the six (possibly summed) half products of a 128x128 Karatsuba multiplication and
 * reduces modulo x^128 + x^7 + x^2 + x + 1. lX are low halves, gX bit-reversed high halves of
 * a0·b0, a1·b1, (a0^a1)·(b0^b1). Result in mulLo/mulHi.
 */
@inline function reduceKaratsuba(l0: u64, l1: u64, l2: u64, g0: u64, g1: u64, g2: u64): void {
  // Karatsuba middle term: (a0+a1)(b0+b1) - a0b0 - a1b1, in both halves (all linear).
  l2 ^= l0 ^ l1;
  g2 ^= g0 ^ g1;
  // High half of a 64x64 product c (127 bits): rev64(low64(rev(a)·rev(b))) = c >> 63.
  const h0 = rev64(g0) >> 1;
  const h1 = rev64(g1) >> 1;
  const h2 = rev64(g2) >> 1;
  // 256-bit product w3:w2:w1:w0 (w0 holds x^0..x^63).
  let w0 = l0;
  let w1 = h0 ^ l2;
  let w2 = l1 ^ h2;
  const w3 = h1;
  // x^(128+j) = x^j + x^(j+1) + x^(j+2) + x^(j+7). Fold w3 (x^192..x^255) into w1 and w2 first,
  // then w2 (x^128..x^191, including what w3 spilled into it) into w0 and w1.
  w1 ^= w3 ^ (w3 << 1) ^ (w3 << 2) ^ (w3 << 7);
  w2 ^= (w3 >> 63) ^ (w3 >> 62) ^ (w3 >> 57);
  w0 ^= w2 ^ (w2 << 1) ^ (w2 << 2) ^ (w2 << 7);
  w1 ^= (w2 >> 63) ^ (w2 >> 62) ^ (w2 >> 57);
  mulLo = w0;
  mulHi = w1;
}

/**
 * Precomputes the key block at key from the 16-byte hash subkey H (GCM byte order) at h.
 * powers: 1 (only H; cheapest setup, for one-off hashing) or 4 (H..H^4, for aggregated hashing).
 */
export function ghashKeyInit(key: usize, h: usize, powers: i32): void {
  const a0 = revBitsInBytes(load<u64>(h));
  const a1 = revBitsInBytes(load<u64>(h, 8));
  storePower(key, a0, a1);
  let n = 1;
  if (powers >= GHASH_POWERS) {
    let p0 = a0;
    let p1 = a1;
    for (n = 2; n <= GHASH_POWERS; n++) {
      mulNatural(p0, p1, key); // H^(n-1) · H
      p0 = mulLo;
      p1 = mulHi;
      storePower(key + <usize>(n - 1) * POWER_SIZE, p0, p1);
    }
    n = GHASH_POWERS;
    mulLo = 0;
    mulHi = 0;
  }
  store<i32>(key + OFF_NPOW, n);
}

/** Number of powers of H a key block holds (1 or 4; other values mean a damaged block). */
export function ghash64KeyPowers(key: usize): i32 {
  return load<i32>(key + OFF_NPOW);
}

/** Little-endian load of the n < 16 bytes at p into a 16-byte block padded with zeros; low word. */
@inline function partialWord(p: usize, n: usize): u64 {
  let v: u64 = 0;
  for (let i: usize = 0; i < n; i++) v |= (<u64>load<u8>(p + i)) << (<u64>(i << 3));
  return v;
}

/**
 * Y ← GHASH update of Y with the len bytes at data, the last partial block padded with zeros
 * (br_ghash semantics). state: natural-form Y (GHASH_STATE_SIZE bytes); key: from ghashKeyInit.
 * Time depends only on len.
 */
export function ghashUpdate(key: usize, state: usize, data: usize, len: usize): void {
  if (len == 0) return;
  let y0 = load<u64>(state);
  let y1 = load<u64>(state, 8);
  // 1 or 4; anything else (a corrupted key block) is read as 1, so no read leaves the key block
  const npow: usize = load<i32>(key + OFF_NPOW) == GHASH_POWERS ? 4 : 1;
  let blocks = (len + 15) >> 4; // including a final partial block
  while (blocks > 0) {
    const n = blocks < npow ? blocks : npow;
    // Sums of the six half products over the group.
    let l0: u64 = 0, l1: u64 = 0, l2: u64 = 0, g0: u64 = 0, g1: u64 = 0, g2: u64 = 0;
    // Y enters the group's first block only (natural and reversed forms).
    let c0 = y0, c1 = y1;
    let d0 = rev64(y0), d1 = rev64(y1);
    let kp = key + (n - 1) * POWER_SIZE;
    for (let i: usize = 0; i < n; i++) {
      let u0: u64, u1: u64;
      if (len >= 16) {
        u0 = load<u64>(data);
        u1 = load<u64>(data, 8);
        data += 16;
        len -= 16;
      } else {
        // final partial block (public length): zero padded
        if (len > 8) {
          u0 = load<u64>(data);
          u1 = partialWord(data + 8, len - 8);
        } else {
          u0 = partialWord(data, len);
          u1 = 0;
        }
        data += len;
        len = 0;
      }
      const x0 = revBitsInBytes(u0) ^ c0;
      const x1 = revBitsInBytes(u1) ^ c1;
      const r0 = bswap<u64>(u0) ^ d0;
      const r1 = bswap<u64>(u1) ^ d1;
      c0 = 0;
      c1 = 0;
      d0 = 0;
      d1 = 0;
      l0 ^= bmul(x0, kp);
      l1 ^= bmul(x1, kp + 32);
      l2 ^= bmul(x0 ^ x1, kp + 64);
      g0 ^= bmul(r0, kp + 96);
      g1 ^= bmul(r1, kp + 128);
      g2 ^= bmul(r0 ^ r1, kp + 160);
      kp -= POWER_SIZE;
    }
    reduceKaratsuba(l0, l1, l2, g0, g1, g2);
    y0 = mulLo;
    y1 = mulHi;
    blocks -= n;
  }
  mulLo = 0;
  mulHi = 0;
  store<u64>(state, y0);
  store<u64>(state, y1, 8);
}

/**
 * Y ← GHASH update of Y with the GCM length block [bitsA]64 || [bitsC]64, given byte lengths.
 * Used by GCM for the final block without going through memory.
 */
export function ghashLengths(key: usize, state: usize, aadLen: u64, ctLen: u64): void {
  // Block bytes are big-endian bit counts: the reversed form of each word is the count itself.
  const a = aadLen << 3;
  const c = ctLen << 3;
  const y0 = load<u64>(state) ^ rev64(a);
  const y1 = load<u64>(state, 8) ^ rev64(c);
  mulNatural(y0, y1, key);
  store<u64>(state, mulLo);
  store<u64>(state, mulHi, 8);
  mulLo = 0;
  mulHi = 0;
}
