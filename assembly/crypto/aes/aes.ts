// AES-128/192/256 encryption and counter modes: the internal API other core modules call (GCM, SRTP).
// No bounds checks here: callers (exports.ts, other modules' exports) validate pointers first.
//
// Implementation, chosen at compile time (AS compiles only the taken branch of ASC_FEATURE_SIMD):
//  - SIMD build: bitslice_v128.ts, 8 blocks per batch in v128 registers;
//  - scalar build: bitslice_ct64.ts, 4 blocks per batch in u64 words.
// Both are constant time (see docs/constant-time.md "AES"); the key schedule's SubWord goes through the
// same bitsliced S-box circuit as the rounds (a one-round batch with all-zero round keys).
//
// Key context layout (AES_CTX_SIZE bytes, 16-byte aligned, no pointers):
//   0   u32  rounds (10, 12, 14; 0 = not initialised)
//   4   12   reserved, zero
//   16  (rounds + 1) round keys in the implementation's bitsliced layout ("planes"):
//       PLANE_BYTES each (128 in the SIMD build, 64 in the scalar build); rounds 1..Nr carry the
//       S-box constant 0x63. Unused trailing space is zero.
import { ct64Batch, ct64KeyPlanes, CT64_PLANE_BYTES, CT64_BATCH } from "./bitslice_ct64";
import { v128Batch, v128KeyPlanes, V128_PLANE_BYTES, V128_BATCH } from "./bitslice_v128";
import { OK, ERR_KEY_LENGTH } from "../../abi/status";

export const CTR_MODE_128: i32 = 0;
export const CTR_MODE_32: i32 = 1;
export const CTR_MODE_CM: i32 = 2;

/** Bytes of one bitsliced round key in this build. */
export const AES_PLANE_BYTES: usize = ASC_FEATURE_SIMD ? V128_PLANE_BYTES : CT64_PLANE_BYTES;
/** Blocks one batch of this build's implementation processes. */
export const AES_BATCH_BLOCKS: usize = ASC_FEATURE_SIMD ? V128_BATCH : CT64_BATCH;
/** Offset of the round keys inside the context. */
export const AES_RK_OFFSET: usize = 16;
/** Bytes of an AES key context: header + 15 round keys (AES-256). 1936 (SIMD) or 976 (scalar). */
export const AES_CTX_SIZE: usize = AES_RK_OFFSET + 15 * AES_PLANE_BYTES;

// Static memory used only during one call: all-zero round keys for SubWord (never written), and a
// 16-byte temporary that is wiped before the call returns.
const ZERO_KEYS: usize = memory.data(2 * 128, 16);
const TMP: usize = memory.data(16, 16);

/** Number of rounds stored in an initialised context; 0 when not initialised. */
@inline export function aesRounds(ctx: usize): i32 {
  return <i32>load<u32>(ctx);
}

/**
 * SubWord (FIPS-197 5.2) through the bitsliced S-box circuit: a one-round batch with zero round keys
 * gives ShiftRows(S(x) ^ 0x63); with the word repeated in all four columns, ShiftRows brings bytes
 * 0..3 of the word back to column 0 in order.
 */
export function aesSubWord(x: u32): u32 {
  if (ASC_FEATURE_SIMD) {
    const z = i64x2.splat(0);
    v128Batch(ZERO_KEYS, 1, i32x4.splat(x), z, z, z, z, z, z, z, 0, TMP, 16, 0, false);
  } else {
    const w = <u64>x | (<u64>x << 32);
    ct64Batch(ZERO_KEYS, 1, w, w, 0, 0, 0, 0, 0, 0, 0, TMP, 16, 0, false);
  }
  const r = load<u32>(TMP) ^ 0x63636363;
  store<u64>(TMP, 0);
  store<u64>(TMP, 0, 8);
  return r;
}

/**
 * FIPS-197 KeyExpansion into 4 * (rounds + 1) words at w (little-endian u32 words, so the bytes are
 * in FIPS order). Returns the number of rounds, or 0 for a bad key length. Branches only on the
 * public word index; SubWord is the bitsliced circuit.
 */
export function aesExpandKeyWords(key: usize, keyLen: i32, w: usize): i32 {
  let rounds: i32;
  if (keyLen == 16) rounds = 10;
  else if (keyLen == 24) rounds = 12;
  else if (keyLen == 32) rounds = 14;
  else return 0;
  const nk = keyLen >> 2;
  const total = (rounds + 1) << 2;
  for (let i = 0; i < nk; i++) store<u32>(w + (<usize>i << 2), load<u32>(key + (<usize>i << 2)));
  let tmp = load<u32>(w + (<usize>(nk - 1) << 2));
  let rcon: u32 = 1;
  for (let i = nk; i < total; i++) {
    const j = i % nk;
    if (j == 0) {
      tmp = aesSubWord(rotr<u32>(tmp, 8)) ^ rcon;
      rcon = ((rcon << 1) ^ ((rcon >> 7) * 0x11b)) & 0xff;
    } else if (nk > 6 && j == 4) {
      tmp = aesSubWord(tmp);
    }
    tmp ^= load<u32>(w + (<usize>(i - nk) << 2));
    store<u32>(w + (<usize>i << 2), tmp);
  }
  return rounds;
}

/**
 * Expands key (16, 24 or 32 bytes) into the context. Returns 0, or ERR_KEY_LENGTH (the context is
 * then left untouched). No bounds checks.
 */
export function aesKeyInit(ctx: usize, key: usize, keyLen: i32): i32 {
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return ERR_KEY_LENGTH;
  const rk = ctx + AES_RK_OFFSET;
  // Plain round keys first, at the start of the round-key area (16 bytes per round) ...
  const rounds = aesExpandKeyWords(key, keyLen, rk);
  // ... then converted to planes from the last round down: the planes of round r start at
  // rk + PLANE_BYTES * r >= rk + 16 * r, so they never overwrite a plain round key not yet converted.
  for (let r = rounds; r >= 0; r--) {
    const plain = rk + (<usize>r << 4);
    store<u64>(TMP, load<u64>(plain));
    store<u64>(TMP, load<u64>(plain, 8), 8);
    const c: u32 = r == 0 ? 0 : 0x63;
    if (ASC_FEATURE_SIMD) v128KeyPlanes(TMP, c, rk + <usize>r * AES_PLANE_BYTES);
    else ct64KeyPlanes(TMP, c, rk + <usize>r * AES_PLANE_BYTES);
  }
  store<u64>(TMP, 0);
  store<u64>(TMP, 0, 8);
  const used = AES_RK_OFFSET + <usize>(rounds + 1) * AES_PLANE_BYTES;
  memory.fill(ctx + used, 0, AES_CTX_SIZE - used);
  store<u32>(ctx, <u32>rounds);
  store<u32>(ctx, 0, 4);
  store<u64>(ctx, 0, 8);
  return OK;
}

/** Encrypts one 16-byte block (src == dst allowed). The context must be initialised. */
export function aesEncryptBlock(ctx: usize, src: usize, dst: usize): void {
  const rounds = aesRounds(ctx);
  const rk = ctx + AES_RK_OFFSET;
  if (ASC_FEATURE_SIMD) {
    const z = i64x2.splat(0);
    v128Batch(rk, rounds, v128.load(src), z, z, z, z, z, z, z, 0, dst, 16, 0, false);
  } else {
    ct64Batch(rk, rounds, load<u64>(src), load<u64>(src, 8), 0, 0, 0, 0, 0, 0, 0, dst, 16, 0, false);
  }
}

/** ECB-encrypts nblocks blocks from src to dst (src == dst allowed; no partial overlap). */
export function aesEcbEncrypt(ctx: usize, src: usize, dst: usize, nblocks: usize): void {
  const rounds = aesRounds(ctx);
  const rk = ctx + AES_RK_OFFSET;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const z = i64x2.splat(0);
    for (; i + 8 <= nblocks; i += 8) {
      const s = src + (i << 4);
      v128Batch(rk, rounds,
        v128.load(s, 0), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48),
        v128.load(s, 64), v128.load(s, 80), v128.load(s, 96), v128.load(s, 112),
        0, dst + (i << 4), 128, 0, false);
    }
    const m = nblocks - i; // public count of remaining blocks
    if (m > 0) {
      const s = src + (i << 4);
      v128Batch(rk, rounds,
        v128.load(s, 0), m > 1 ? v128.load(s, 16) : z, m > 2 ? v128.load(s, 32) : z, m > 3 ? v128.load(s, 48) : z,
        m > 4 ? v128.load(s, 64) : z, m > 5 ? v128.load(s, 80) : z, m > 6 ? v128.load(s, 96) : z, z,
        0, dst + (i << 4), m << 4, 0, false);
    }
  } else {
    for (; i + 4 <= nblocks; i += 4) {
      const s = src + (i << 4);
      ct64Batch(rk, rounds,
        load<u64>(s, 0), load<u64>(s, 8), load<u64>(s, 16), load<u64>(s, 24),
        load<u64>(s, 32), load<u64>(s, 40), load<u64>(s, 48), load<u64>(s, 56),
        0, dst + (i << 4), 64, 0, false);
    }
    const m = nblocks - i;
    if (m > 0) {
      const s = src + (i << 4);
      ct64Batch(rk, rounds,
        load<u64>(s, 0), load<u64>(s, 8),
        m > 1 ? load<u64>(s, 16) : 0, m > 1 ? load<u64>(s, 24) : 0,
        m > 2 ? load<u64>(s, 32) : 0, m > 2 ? load<u64>(s, 40) : 0, 0, 0,
        0, dst + (i << 4), m << 4, 0, false);
    }
  }
}

/** Mask of the counter bits a mode increments, within the low 64 bits of the counter block. */
@inline function ctrMask(mode: i32): u64 {
  return mode == CTR_MODE_128 ? 0xffffffffffffffff : mode == CTR_MODE_32 ? 0xffffffff : 0xffff;
}

/**
 * Counter-mode XOR: dst = src ^ keystream for len bytes, the keystream being E(counter),
 * E(counter + 1), ... where "+" is the mode's increment: CTR_MODE_128 = the whole 128-bit block,
 * big-endian, mod 2^128 (SP 800-38A); CTR_MODE_32 = the last 32 bits only, big-endian, mod 2^32
 * (GCM inc32); CTR_MODE_CM = the last 16 bits (SRTP AES-CM, RFC 3711 4.1.1; the caller
 * guarantees they do not overflow). The 16 bytes at `counter` are updated to the counter after
 * the last block used (a partial last block counts as used). src == dst allowed. No bounds checks.
 */
export function aesCtrXor(ctx: usize, counter: usize, src: usize, dst: usize, len: usize, mode: i32): void {
  aesCtrXorBuffered(ctx, counter, src, dst, len, mode, 0);
}

/**
 * aesCtrXor, and when len is not a multiple of 16 and ksOut != 0, the whole keystream block of the
 * last (partial) block is also stored at ksOut (for callers that continue a stream mid-block).
 * Counter arithmetic is branch-free (carries by comparison results); the mode is public.
 */
export function aesCtrXorBuffered(ctx: usize, counter: usize, src: usize, dst: usize, len: usize, mode: i32, ksOut: usize): void {
  if (len == 0) return;
  const rounds = aesRounds(ctx);
  const rk = ctx + AES_RK_OFFSET;
  const mask = ctrMask(mode);
  const keep = ~mask;
  const carryOn: u64 = mode == CTR_MODE_128 ? 1 : 0;
  const hi = bswap<u64>(load<u64>(counter));
  let lo = bswap<u64>(load<u64>(counter, 8));
  let h = hi;
  let off: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // byte-reverse each 64-bit lane: (hi, lo) as native integers -> the big-endian counter block
    const REV = v128(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    while (off < len) {
      const rem = len - off;
      const n = rem < 128 ? rem : 128;
      const l1 = (lo & keep) | ((lo + 1) & mask), l2 = (lo & keep) | ((lo + 2) & mask);
      const l3 = (lo & keep) | ((lo + 3) & mask), l4 = (lo & keep) | ((lo + 4) & mask);
      const l5 = (lo & keep) | ((lo + 5) & mask), l6 = (lo & keep) | ((lo + 6) & mask);
      const l7 = (lo & keep) | ((lo + 7) & mask);
      v128Batch(rk, rounds,
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h), 1, lo), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l1 < lo))), 1, l1), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l2 < lo))), 1, l2), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l3 < lo))), 1, l3), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l4 < lo))), 1, l4), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l5 < lo))), 1, l5), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l6 < lo))), 1, l6), REV),
        i8x16.swizzle(i64x2.replace_lane(i64x2.splat(h + (carryOn & <u64>(l7 < lo))), 1, l7), REV),
        src + off, dst + off, n, ksOut, true);
      const nb = <u64>((n + 15) >> 4);
      const next = (lo & keep) | ((lo + nb) & mask);
      h += carryOn & <u64>(next < lo);
      lo = next;
      off += n;
    }
  } else {
    while (off < len) {
      const rem = len - off;
      const n = rem < 64 ? rem : 64;
      const l1 = (lo & keep) | ((lo + 1) & mask);
      const l2 = (lo & keep) | ((lo + 2) & mask);
      const l3 = (lo & keep) | ((lo + 3) & mask);
      ct64Batch(rk, rounds,
        bswap<u64>(h), bswap<u64>(lo),
        bswap<u64>(h + (carryOn & <u64>(l1 < lo))), bswap<u64>(l1),
        bswap<u64>(h + (carryOn & <u64>(l2 < lo))), bswap<u64>(l2),
        bswap<u64>(h + (carryOn & <u64>(l3 < lo))), bswap<u64>(l3),
        src + off, dst + off, n, ksOut, true);
      const nb = <u64>((n + 15) >> 4);
      const next = (lo & keep) | ((lo + nb) & mask);
      h += carryOn & <u64>(next < lo);
      lo = next;
      off += n;
    }
  }
  store<u64>(counter, bswap<u64>(h));
  store<u64>(counter, bswap<u64>(lo), 8);
}
