// Lane-packed counter mode: blocks of many independent counter-mode streams (the payloads of
// several SRTP packets, possibly of several sessions with different keys) share AES batches.
//
// Why: a bitsliced batch costs the same whatever number of its lanes is used (8 blocks in the
// SIMD build, 4 scalar). A 160-byte G.711 payload is 10 blocks, so encrypted alone it costs two
// SIMD batches (16 blocks of work); packed with the blocks of other packets, 1.25 batches.
//
// Use: lanesAddStream()/lanesAddRaw() queue blocks; a full batch runs at once; lanesFlush() runs
// the partial last batch; lanesEnd() flushes and wipes the scratch (keystream, mixed round keys).
// Each queued block says where its result goes: XORed into [src, src + n) -> dst (n = 1..16), or
// (raw) the whole keystream block stored at dst (callers that keep keystream for later).
//
// Keys. Blocks of different keys may share a SIMD batch: the round keys are stored as planes
// whose bytes are 0x00 or 0xff (every lane sees the same key bit), so a batch of mixed keys uses
// planes where bit j of each byte comes from lane j's key: v128.bitselect with a byte mask of the
// lanes of each key. That costs one bitselect per plane and key change (8 per round); it is done
// once per batch in static scratch. The scalar (ct64) layout interleaves lanes differently, so
// there a key change starts a new batch instead. A change of round count always starts a new batch.
//
// Constant time: the lane bookkeeping branches on lengths, addresses and key-context addresses
// (public); the key material only flows through bitselect/XOR and the bitsliced circuit.
// Not reentrant: the queue is static (the core is single-threaded; callers finish with lanesEnd()).
import { AES_RK_OFFSET, AES_BATCH_BLOCKS, AES_CTX_SIZE, AES_PLANE_BYTES, aesRounds } from "./aes";
import { v128Blocks } from "./bitslice_v128";
import { ct64Blocks } from "./bitslice_ct64";
import { bswap16, bswap32, bswap64 } from "../be";

const LANES: usize = AES_BATCH_BLOCKS;
/** Counter blocks of the queued lanes (16 bytes each, FIPS byte order). */
const CTRS: usize = memory.data(8 * 16, 16);
/** Keystream of the last batch. */
const KS: usize = memory.data(8 * 16, 16);
/** Round keys mixed across lanes (SIMD build only). */
const MIXED: usize = memory.data(<i32>AES_CTX_SIZE, 16);
// Per lane, one 16-byte record: u32 key context, u32 source, u32 destination, u32 byte count
// (0 = raw keystream store).
const REC: usize = memory.data(8 * 16, 16);
const R_CTX: usize = 0;
const R_SRC: usize = 4;
const R_DST: usize = 8;
const R_N: usize = 12;

let fill: usize = 0;
let rounds: i32 = 0;
/** Key context of lane 0 of the batch being filled, and whether another lane has another key. */
let ctx0: usize = 0;
let mixed = false;
let mixedUsed = false;
let ksUsed = false;

/** Zeroes 128 bytes with v128 / u64 stores (memory.fill is a slow call for small sizes in V8). */
@inline function zero128(p: usize): void {
  if (ASC_FEATURE_SIMD) {
    const z = i64x2.splat(0);
    for (let o: usize = 0; o < 128; o += 16) v128.store(p + o, z);
  } else {
    for (let o: usize = 0; o < 128; o += 8) store<u64>(p + o, 0);
  }
}

/** Lanes still free in the batch being filled (the whole batch when none is queued). */
@inline export function lanesFree(): usize {
  return LANES - fill;
}

/** Runs the queued lanes (if any) as one batch and delivers their results. */
export function lanesFlush(): void {
  const m = fill;
  if (m == 0) return;
  fill = 0;
  let rk = ctx0 + AES_RK_OFFSET;
  if (ASC_FEATURE_SIMD) {
    if (mixed) {
      // Mixed keys: start from lane 0's planes; each other key overrides the bits of its lanes.
      const planes = <usize>(rounds + 1) * (AES_PLANE_BYTES >> 4);
      for (let i: usize = 0; i < planes; i++) v128.store(MIXED + (i << 4), v128.load(rk + (i << 4)));
      let done: u32 = 1;
      for (let j: usize = 1; j < m; j++) {
        const cj = <usize>load<u32>(REC + (j << 4), R_CTX);
        if (((done >> <u32>j) & 1) != 0) continue;
        // every lane from j on with the same key joins this pass
        let mj: u32 = 0;
        for (let q: usize = j; q < m; q++) {
          if (<usize>load<u32>(REC + (q << 4), R_CTX) == cj) mj |= <u32>1 << <u32>q;
        }
        done |= mj;
        if (cj == ctx0) continue;
        const sel = i8x16.splat(<i8>mj);
        const src = cj + AES_RK_OFFSET;
        for (let i: usize = 0; i < planes; i++) {
          const o = i << 4;
          v128.store(MIXED + o, v128.bitselect(v128.load(src + o), v128.load(MIXED + o), sel));
        }
      }
      rk = MIXED;
      mixedUsed = true;
    }
    v128Blocks(rk, rounds, CTRS, KS, m);
  } else {
    ct64Blocks(rk, rounds, CTRS, KS, m);
  }
  mixed = false;
  ksUsed = true;
  for (let j: usize = 0; j < m; j++) {
    const r = REC + (j << 4);
    const n = <usize>load<u32>(r, R_N);
    const dst = <usize>load<u32>(r, R_DST);
    const ks = KS + (j << 4);
    if (n == 16) {
      const src = <usize>load<u32>(r, R_SRC);
      if (ASC_FEATURE_SIMD) v128.store(dst, v128.xor(v128.load(src), v128.load(ks)));
      else {
        store<u64>(dst, load<u64>(src) ^ load<u64>(ks));
        store<u64>(dst, load<u64>(src, 8) ^ load<u64>(ks, 8), 8);
      }
    } else if (n == 0) {
      store<u64>(dst, load<u64>(ks));
      store<u64>(dst, load<u64>(ks, 8), 8);
    } else {
      const src = <usize>load<u32>(r, R_SRC);
      for (let i: usize = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i) ^ load<u8>(ks + i));
    }
  }
}

/**
 * Queues one block: counter block (hi, lo as big-endian integers) under the key context ctx;
 * n = 1..16 bytes XORed from src to dst, or n = 0 for the raw keystream block stored at dst.
 */
@inline export function lanesAdd(ctx: usize, hi: u64, lo: u64, src: usize, dst: usize, n: usize): void {
  if (fill == 0) {
    rounds = aesRounds(ctx);
    ctx0 = ctx;
  } else if (ctx != ctx0) {
    // another key: mixed into this batch (SIMD) unless the round count differs; a new batch (scalar)
    if (!ASC_FEATURE_SIMD || aesRounds(ctx) != rounds) {
      lanesFlush();
      rounds = aesRounds(ctx);
      ctx0 = ctx;
    } else mixed = true;
  }
  const j = fill;
  const c = CTRS + (j << 4);
  // One 16-byte store in the SIMD build: the batch reads the block back with one v128 load, and a
  // load fed by two 8-byte stores would stall on store forwarding.
  if (ASC_FEATURE_SIMD) v128.store(c, i64x2.replace_lane(i64x2.splat(bswap64(hi)), 1, bswap64(lo)));
  else {
    store<u64>(c, bswap64(hi));
    store<u64>(c, bswap64(lo), 8);
  }
  const r = REC + (j << 4);
  store<u32>(r, <u32>ctx, R_CTX);
  store<u32>(r, <u32>src, R_SRC);
  store<u32>(r, <u32>dst, R_DST);
  store<u32>(r, <u32>n, R_N);
  fill = j + 1;
  if (fill == LANES) lanesFlush();
}

/**
 * Queues an AES-CM stream (RFC 3711 §4.1.1: the block index is added to the low 16 bits of the
 * counter block at iv): dst = src ^ keystream for len bytes, starting at block `first`.
 * The caller guarantees the 16-bit block counter does not wrap (SRTP: < 2^16 blocks from 0).
 */
export function lanesAddStream(ctx: usize, iv: usize, first: usize, src: usize, dst: usize, len: usize): void {
  const hi = bswap64(load<u64>(iv));
  const lo = bswap64(load<u64>(iv, 8));
  let b = first;
  for (let off: usize = first << 4; off < len; off += 16) {
    const rest = len - off;
    const n: usize = rest < 16 ? rest : 16;
    lanesAdd(ctx, hi, (lo & ~(<u64>0xffff)) | ((lo + <u64>b) & 0xffff), src + off, dst + off, n);
    b++;
  }
}

/**
 * Queues `count` raw keystream blocks of an AES-CM stream, block indices first.., stored at out
 * (16 bytes each): keystream kept for a later packet.
 */
export function lanesAddRaw(ctx: usize, iv: usize, first: usize, count: usize, out: usize): void {
  const hi = bswap64(load<u64>(iv));
  const lo = bswap64(load<u64>(iv, 8));
  for (let b: usize = 0; b < count; b++) {
    lanesAdd(ctx, hi, (lo & ~(<u64>0xffff)) | ((lo + <u64>(first + b)) & 0xffff), 0, out + (b << 4), 0);
  }
}

/** Flushes, then wipes the scratch that held keystream or key material. */
export function lanesEnd(): void {
  lanesFlush();
  if (ksUsed) {
    zero128(KS);
    zero128(CTRS);
    ksUsed = false;
  }
  if (mixedUsed) {
    memory.fill(MIXED, 0, AES_CTX_SIZE);
    mixedUsed = false;
  }
}
