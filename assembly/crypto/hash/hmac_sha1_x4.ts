// HMAC-SHA1 of up to four messages at once, one message per i32x4 lane (the SRTP batch path's tags).
//
// The scalar SHA-1 compression is at its instruction-count limit (PERFORMANCE.md), and one SHA-1
// chain has no data parallelism worth a vector. The batch path has several packets at hand, so it
// queues up to four (key context, message, tag) jobs in HX4_JOBS and calls hmacSha1X4 once: lane j
// of every v128 below holds job j's value of the same SHA-1 word.
//
// SIMD build, per call:
//   - each lane's inner state comes from its key context (hmac_sha1.ts layout: ipad state at 0,
//     opad state at 20, host-order u32 words), transposed into X4_ST (word i of lane j at 16i + 4j);
//   - message blocks: block b of lane j is read straight from the message while whole blocks last,
//     then from the lane's padded tail (1 or 2 blocks built in X4_TAIL). Messages may differ in
//     length: a lane whose blocks are done still computes (on its own tail scratch) but keeps its
//     state, by a v128.bitselect with a lane mask built from the public block counts;
//   - one block from each lane = 4 x 4 v128 loads, a byte swap (swizzle with a mask loaded once),
//     4 x 4 transposes (32-bit and 64-bit lane shuffles: one instruction each in V8) into
//     X4_W[0..15]; the schedule W_16..W_79 is expanded in place, then the 80 rounds run in loops
//     of 5 rounds (the variable names rotate back after 5): Ch, Parity, Maj, Parity, the two
//     Parity stretches sharing one loop body (code size: the core must fit in 64 KiB);
//   - the outer hash: one block per lane whose W_0..W_4 are the inner digests (already lane
//     organised), W_5 = 0x80000000, W_15 = 672 (bit length of opad block || digest), the rest 0,
//     from each key's opad state;
//   - tags are written last (a tag may overlap any message: SRTP puts its tag where the ROC was).
// The scalar build (no SIMD) runs hmacSha1Compute per job: same results, same wiping.
//
// Constant time: every branch and address depends on count, the lengths and the pointers (public);
// none on key or message bytes. No table lookups. Scratch (X4_W schedule, X4_ST states, X4_TAIL
// padded tails, X4_NB) and the job table are zeroed before return; they are zero at rest, which the
// tail building relies on (only the tail bytes, 0x80 and the length are written into it).
import { hmacSha1Compute } from "./hmac_sha1";
import { copySmall } from "./bytes";
import { bswap64 } from "../be";

/** Most lanes of one hmacSha1X4 call. */
export const HX4_LANES: i32 = 4;
/** Bytes per job record. */
export const HX4_JOB_SIZE: usize = 20;
// All mutable state in one static block, wiped with one loop: the schedule W_0..W_79 (one v128 per
// t, lane j = job j), the five state words, the padded tails (128 bytes per lane: at most two
// blocks), the lanes' block counts, the job table.
const X4_MEM: usize = memory.data(1968, 16);
const X4_W: usize = X4_MEM;
const X4_ST: usize = X4_MEM + 1280;
const X4_TAIL: usize = X4_MEM + 1360;
const X4_NB: usize = X4_MEM + 1872;
/**
 * Job table in static memory: HX4_LANES records of HX4_JOB_SIZE bytes, each
 * u32 kctx (an hmac_sha1.ts key context, 48 bytes), u32 msg, u32 len, u32 out, u32 outLen (1..20).
 * Filled by the caller before hmacSha1X4; zeroed by it before it returns.
 */
export const HX4_JOBS: usize = X4_MEM + 1888;
const X4_MEM_SIZE: usize = 1968;
const J_KCTX: usize = 0;
const J_MSG: usize = 4;
const J_LEN: usize = 8;
const J_OUT: usize = 12;
const J_OUTLEN: usize = 16;

// Constants, loaded from memory rather than written as v128.const (18 bytes per use, and Binaryen
// copies a constant into every use): the byte swap of each 32-bit word for i8x16.swizzle (a loaded
// mask stays in a register in V8), K_0..K_3 (FIPS 180-4 §4.2.1) in the order the round loops use
// them (Ch, Parity, Maj, Parity), the outer block's W_5 = 0x80000000 and W_15 = 672.
const X4_CONST: usize = memory.data<u32>([
  0x00010203, 0x04050607, 0x08090a0b, 0x0c0d0e0f,
  0x5a827999, 0x5a827999, 0x5a827999, 0x5a827999, 0x6ed9eba1, 0x6ed9eba1, 0x6ed9eba1, 0x6ed9eba1,
  0x8f1bbcdc, 0x8f1bbcdc, 0x8f1bbcdc, 0x8f1bbcdc, 0xca62c1d6, 0xca62c1d6, 0xca62c1d6, 0xca62c1d6,
  0x80000000, 0x80000000, 0x80000000, 0x80000000, 672, 672, 672, 672,
], 16);
const C_BSWAP: usize = 0;
const C_K: usize = 16;
const C_W5: usize = 80;
const C_W15: usize = 96;

@inline function rotl1(x: v128): v128 { return v128.or(i32x4.shl(x, 1), i32x4.shr_u(x, 31)); }
@inline function rotl5(x: v128): v128 { return v128.or(i32x4.shl(x, 5), i32x4.shr_u(x, 27)); }
@inline function rotl30(x: v128): v128 { return v128.or(i32x4.shl(x, 30), i32x4.shr_u(x, 2)); }
/** One round's new E: E + (W_t + K_t) + f + rotl5(A), the newest word (A) added last. */
@inline function step(e: v128, wk: v128, f: v128, a: v128): v128 {
  return i32x4.add(i32x4.add(i32x4.add(e, wk), f), rotl5(a));
}
// FIPS 180-4 §4.1.1 round functions. Ch(x,y,z) = (x & y) ^ (~x & z) is a bitselect on x;
// Maj(x,y,z) is y where x == y and z where they differ: a bitselect on x ^ y.
@inline function ch(x: v128, y: v128, z: v128): v128 { return v128.bitselect(y, z, x); }
@inline function parity(x: v128, y: v128, z: v128): v128 { return v128.xor(v128.xor(x, y), z); }
@inline function maj(x: v128, y: v128, z: v128): v128 { return v128.bitselect(z, x, v128.xor(x, y)); }

/**
 * One SHA-1 compression in each lane: W_0..W_15 are in X4_W, the state in X4_ST. Lanes whose mask
 * is all ones take the new state, the others keep theirs.
 */
function compressX4(mask: v128): void {
  const w = X4_W;
  // W_t = rotl1(W_t-3 ^ W_t-8 ^ W_t-14 ^ W_t-16), FIPS 180-4 §6.1.2 step 1.
  for (let o: usize = 16 * 16; o < 80 * 16; o += 16) {
    v128.store(w + o, rotl1(v128.xor(
      v128.xor(v128.load(w + o - 3 * 16), v128.load(w + o - 8 * 16)),
      v128.xor(v128.load(w + o - 14 * 16), v128.load(w + o - 16 * 16)))));
  }
  const a0 = v128.load(X4_ST, 0), b0 = v128.load(X4_ST, 16), c0 = v128.load(X4_ST, 32);
  const d0 = v128.load(X4_ST, 48), e0 = v128.load(X4_ST, 64);
  let a = a0, b = b0, c = c0, d = d0, e = e0;
  // Rounds 0-19 (Ch), 20-39 (Parity), 40-59 (Maj), 60-79 (Parity): the two Parity stretches share
  // one loop body. Five rounds per iteration: after five the names are back in place.
  for (let s: usize = 0; s < 2; s++) {
    let k = v128.load(X4_CONST + C_K + (s << 5));
    let p = w + s * 40 * 16;
    const end = p + 20 * 16;
    if (s == 0) {
      for (; p < end; p += 5 * 16) {
        e = step(e, i32x4.add(v128.load(p, 0), k), ch(b, c, d), a); b = rotl30(b);
        d = step(d, i32x4.add(v128.load(p, 16), k), ch(a, b, c), e); a = rotl30(a);
        c = step(c, i32x4.add(v128.load(p, 32), k), ch(e, a, b), d); e = rotl30(e);
        b = step(b, i32x4.add(v128.load(p, 48), k), ch(d, e, a), c); d = rotl30(d);
        a = step(a, i32x4.add(v128.load(p, 64), k), ch(c, d, e), b); c = rotl30(c);
      }
    } else {
      for (; p < end; p += 5 * 16) {
        e = step(e, i32x4.add(v128.load(p, 0), k), maj(b, c, d), a); b = rotl30(b);
        d = step(d, i32x4.add(v128.load(p, 16), k), maj(a, b, c), e); a = rotl30(a);
        c = step(c, i32x4.add(v128.load(p, 32), k), maj(e, a, b), d); e = rotl30(e);
        b = step(b, i32x4.add(v128.load(p, 48), k), maj(d, e, a), c); d = rotl30(d);
        a = step(a, i32x4.add(v128.load(p, 64), k), maj(c, d, e), b); c = rotl30(c);
      }
    }
    k = v128.load(X4_CONST + C_K + (s << 5), 16);
    const end2 = p + 20 * 16;
    for (; p < end2; p += 5 * 16) {
      e = step(e, i32x4.add(v128.load(p, 0), k), parity(b, c, d), a); b = rotl30(b);
      d = step(d, i32x4.add(v128.load(p, 16), k), parity(a, b, c), e); a = rotl30(a);
      c = step(c, i32x4.add(v128.load(p, 32), k), parity(e, a, b), d); e = rotl30(e);
      b = step(b, i32x4.add(v128.load(p, 48), k), parity(d, e, a), c); d = rotl30(d);
      a = step(a, i32x4.add(v128.load(p, 64), k), parity(c, d, e), b); c = rotl30(c);
    }
  }
  v128.store(X4_ST, v128.bitselect(i32x4.add(a0, a), a0, mask), 0);
  v128.store(X4_ST, v128.bitselect(i32x4.add(b0, b), b0, mask), 16);
  v128.store(X4_ST, v128.bitselect(i32x4.add(c0, c), c0, mask), 32);
  v128.store(X4_ST, v128.bitselect(i32x4.add(d0, d), d0, mask), 48);
  v128.store(X4_ST, v128.bitselect(i32x4.add(e0, e), e0, mask), 64);
}

/**
 * Words 4q..4q+3 of four rows (row j = lane j's 16 message bytes, already byte-swapped) into
 * X4_W + 64q: a 4 x 4 transpose of 32-bit words, interleaving 32-bit then 64-bit halves.
 */
@inline function transpose4(o: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0.0 r1.0 r0.1 r1.1
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(X4_W + o, i64x2.shuffle(t0, t1, 0, 2), 0);
  v128.store(X4_W + o, i64x2.shuffle(t0, t1, 1, 3), 16);
  v128.store(X4_W + o, i64x2.shuffle(t2, t3, 0, 2), 32);
  v128.store(X4_W + o, i64x2.shuffle(t2, t3, 1, 3), 48);
}

/** Where lane j's block b lies: in the message while whole blocks last, then in its padded tail. */
function blockPtr(j: usize, b: usize): usize {
  const job = HX4_JOBS + j * HX4_JOB_SIZE;
  const full = <usize>load<u32>(job, J_LEN) >> 6;
  // (b - full) is 0 or 1 while the lane is live; once it is done, & 1 keeps the (ignored) read
  // inside the lane's own tail scratch.
  return b < full ? <usize>load<u32>(job, J_MSG) + (b << 6) : X4_TAIL + (j << 7) + (((b - full) & 1) << 6);
}

/** The transposed, byte-swapped W_0..W_15 of block b of the four lanes. */
function loadBlocksX4(b: usize): void {
  const swap = v128.load(X4_CONST + C_BSWAP);
  const p0 = blockPtr(0, b), p1 = blockPtr(1, b), p2 = blockPtr(2, b), p3 = blockPtr(3, b);
  for (let o: usize = 0; o < 64; o += 16) {
    transpose4(o << 2,
      i8x16.swizzle(v128.load(p0 + o), swap), i8x16.swizzle(v128.load(p1 + o), swap),
      i8x16.swizzle(v128.load(p2 + o), swap), i8x16.swizzle(v128.load(p3 + o), swap));
  }
}

/** Lane j's words of the state at X4_ST from the five host-order u32 at src. */
function loadState(j: usize, src: usize): void {
  for (let i: usize = 0; i < 5; i++) store<u32>(X4_ST + (i << 4) + (j << 2), load<u32>(src + (i << 2)));
}

/** Zeroes the scratch and the job table (one block). */
function wipeX4(): void {
  const z = i64x2.splat(0);
  for (let o: usize = 0; o < X4_MEM_SIZE; o += 16) v128.store(X4_MEM + o, z);
}

/**
 * Computes the tags of jobs 0..count-1 (count 1..4; below 1 nothing is computed, above 4 counts as
 * 4): exactly what hmacSha1Compute(kctx, msg, len, out, outLen) gives for each, outLen 1..20
 * (larger counts as 20). Every tag is written after all hashing is done, so a tag may overlap any
 * job's message. Wipes its scratch (message words, states) and the job table before returning.
 */
export function hmacSha1X4(count: i32): void {
  if (ASC_FEATURE_SIMD) hmacSha1X4Simd(count);
  else hmacSha1X4Serial(count);
}

/**
 * The scalar build's hmacSha1X4: one hmacSha1Compute per job into X4_ST (20 bytes per job), the
 * tags copied out once all are computed, as in the SIMD path (exported for the specs).
 */
export function hmacSha1X4Serial(count: i32): void {
  if (count > HX4_LANES) count = HX4_LANES;
  for (let j: usize = 0; <i32>j < count; j++) {
    const job = HX4_JOBS + j * HX4_JOB_SIZE;
    hmacSha1Compute(load<u32>(job, J_KCTX), load<u32>(job, J_MSG), load<u32>(job, J_LEN), X4_ST + j * 20, 20);
  }
  for (let j: usize = 0; <i32>j < count; j++) {
    const job = HX4_JOBS + j * HX4_JOB_SIZE;
    const outLen = <usize>load<u32>(job, J_OUTLEN);
    copySmall(<usize>load<u32>(job, J_OUT), X4_ST + j * 20, outLen < 20 ? outLen : 20);
  }
  for (let i: usize = 0; i < 80; i += 8) {
    store<u64>(X4_ST + i, 0);
    store<u64>(HX4_JOBS + i, 0);
  }
}

/** The SIMD build's hmacSha1X4. Lanes count..3 recompute job 0 and write nothing. */
export function hmacSha1X4Simd(count: i32): void {
  if (count > HX4_LANES) count = HX4_LANES;
  if (count < 1) {
    wipeX4();
    return;
  }
  for (let j = count; j < HX4_LANES; j++) {
    const dst = HX4_JOBS + <usize>j * HX4_JOB_SIZE;
    v128.store(dst, v128.load(HX4_JOBS));
    store<u32>(dst, load<u32>(HX4_JOBS, 16), 16);
  }
  // Inner hash set-up: states from the ipad halves, padded tails, block counts (all public but
  // the states). The tails are zero at rest: only the bytes, 0x80 and the length are written.
  let most: usize = 0;
  for (let j: usize = 0; j < 4; j++) {
    const job = HX4_JOBS + j * HX4_JOB_SIZE;
    loadState(j, load<u32>(job, J_KCTX));
    const n = <usize>load<u32>(job, J_LEN);
    const tail = n & 63;
    const t = X4_TAIL + (j << 7);
    copySmall(t, <usize>load<u32>(job, J_MSG) + n - tail, tail);
    store<u8>(t + tail, 0x80);
    const total: usize = tail < 56 ? 64 : 128;
    store<u64>(t + total - 8, bswap64((<u64>n + 64) << 3));
    const nb = (n >> 6) + (total >> 6);
    store<u32>(X4_NB + (j << 2), <u32>nb);
    if (nb > most) most = nb;
  }
  const nbs = v128.load(X4_NB);
  for (let b: usize = 0; b < most; b++) {
    loadBlocksX4(b);
    compressX4(i32x4.gt_u(nbs, i32x4.splat(<i32>b)));
  }
  // Outer hash: H((K0 ^ opad) || inner digest), one block per lane: W_0..W_4 the inner digest,
  // W_5 = 0x80000000, W_15 = 672, the rest zero.
  for (let o: usize = 0; o < 5 * 16; o += 16) v128.store(X4_W + o, v128.load(X4_ST + o));
  const z = i64x2.splat(0);
  for (let o: usize = 6 * 16; o < 15 * 16; o += 16) v128.store(X4_W + o, z);
  v128.store(X4_W, v128.load(X4_CONST + C_W5), 5 * 16);
  v128.store(X4_W, v128.load(X4_CONST + C_W15), 15 * 16);
  for (let j: usize = 0; j < 4; j++) loadState(j, load<u32>(HX4_JOBS + j * HX4_JOB_SIZE, J_KCTX) + 20);
  compressX4(i32x4.splat(-1));
  // The tags: each lane's state words big-endian, cut to outLen bytes (public).
  for (let j: usize = 0; j < <usize>count; j++) {
    const job = HX4_JOBS + j * HX4_JOB_SIZE;
    const out = <usize>load<u32>(job, J_OUT);
    let outLen = <usize>load<u32>(job, J_OUTLEN);
    if (outLen > 20) outLen = 20;
    const s = X4_ST + (j << 2);
    let i: usize = 0;
    for (; i + 4 <= outLen; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(s + (i << 2))));
    if (i < outLen) {
      const w = load<u32>(s + (i << 2));
      for (let q: usize = 0; i + q < outLen; q++) store<u8>(out + i + q, <u8>(w >> (24 - 8 * <u32>q)));
    }
  }
  // Wipe: the schedule and states hold key- and message-derived words, the tails message bytes.
  wipeX4();
}

/** True when the job table and every scratch byte of this module are zero (for the specs). */
export function hmacSha1X4ScratchClear(): bool {
  let acc: u64 = 0;
  for (let o: usize = 0; o < X4_MEM_SIZE; o += 8) acc |= load<u64>(X4_MEM + o);
  return acc == 0;
}
