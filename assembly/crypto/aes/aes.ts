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
//       S-box constant 0x63; in the SIMD build the bytes are in row-major order and the last
//       round key is pre-permuted by the inverse ShiftRows.
// A context needs only the round keys of its key length (aesCtxSize(keyLen): 1424 bytes for
// AES-128 in the SIMD build, 720 scalar); AES_CTX_SIZE is room for any key length (AES-256).
// aesKeyInit writes nothing past aesCtxSize(keyLen), so embedders (SRTP key slots) may size
// their contexts by key length.
import { ct64Blocks, ct64Ctr, ct64KeyPlanes, CT64_PLANE_BYTES, CT64_BATCH } from "./bitslice_ct64";
import { v128Blocks, v128Ctr, v128KeyPlanes, V128_PLANE_BYTES, V128_BATCH } from "./bitslice_v128";
import { OK, ERR_KEY_LENGTH } from "../../abi/status";

export { CTR_MODE_128, CTR_MODE_32, CTR_MODE_CM } from "./modes";

/** Bytes of one bitsliced round key in this build. */
export const AES_PLANE_BYTES: usize = ASC_FEATURE_SIMD ? V128_PLANE_BYTES : CT64_PLANE_BYTES;
/** Blocks one batch of this build's implementation processes. */
export const AES_BATCH_BLOCKS: usize = ASC_FEATURE_SIMD ? V128_BATCH : CT64_BATCH;
/** Offset of the round keys inside the context. */
export const AES_RK_OFFSET: usize = 16;
/** Bytes of an AES key context: header + 15 round keys (AES-256). 1936 (SIMD) or 976 (scalar). */
export const AES_CTX_SIZE: usize = AES_RK_OFFSET + 15 * AES_PLANE_BYTES;

/** Bytes of an AES key context for a key length (16, 24, 32; anything else: AES_CTX_SIZE). */
export function aesCtxSize(keyLen: i32): usize {
  const rounds: usize = keyLen == 16 ? 10 : keyLen == 24 ? 12 : 14;
  return AES_RK_OFFSET + (rounds + 1) * AES_PLANE_BYTES;
}

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
  const w = <u64>x | (<u64>x << 32);
  store<u64>(TMP, w);
  store<u64>(TMP, w, 8);
  if (ASC_FEATURE_SIMD) v128Blocks(ZERO_KEYS, 1, TMP, TMP, 1);
  else ct64Blocks(ZERO_KEYS, 1, TMP, TMP, 1);
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
    if (ASC_FEATURE_SIMD) v128KeyPlanes(TMP, c, rk + <usize>r * AES_PLANE_BYTES, r == rounds);
    else ct64KeyPlanes(TMP, c, rk + <usize>r * AES_PLANE_BYTES);
  }
  store<u64>(TMP, 0);
  store<u64>(TMP, 0, 8);
  // Nothing is written past aesCtxSize(keyLen): contexts may be sized by key length.
  store<u32>(ctx, <u32>rounds);
  store<u32>(ctx, 0, 4);
  store<u64>(ctx, 0, 8);
  return OK;
}

/** Encrypts one 16-byte block (src == dst allowed). The context must be initialised. */
export function aesEncryptBlock(ctx: usize, src: usize, dst: usize): void {
  if (ASC_FEATURE_SIMD) v128Blocks(ctx + AES_RK_OFFSET, aesRounds(ctx), src, dst, 1);
  else ct64Blocks(ctx + AES_RK_OFFSET, aesRounds(ctx), src, dst, 1);
}

/** ECB-encrypts nblocks blocks from src to dst (src == dst allowed; no partial overlap). */
export function aesEcbEncrypt(ctx: usize, src: usize, dst: usize, nblocks: usize): void {
  if (ASC_FEATURE_SIMD) v128Blocks(ctx + AES_RK_OFFSET, aesRounds(ctx), src, dst, nblocks);
  else ct64Blocks(ctx + AES_RK_OFFSET, aesRounds(ctx), src, dst, nblocks);
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
  if (ASC_FEATURE_SIMD) v128Ctr(ctx + AES_RK_OFFSET, aesRounds(ctx), counter, src, dst, len, mode, ksOut, 0, 0, 0);
  else ct64Ctr(ctx + AES_RK_OFFSET, aesRounds(ctx), counter, src, dst, len, mode, ksOut, 0);
}

/**
 * E(counter) into the 16 bytes at firstOut, then dst = src ^ keystream from counter + 1 for len
 * bytes, all in one pass: the same result as aesEncryptBlock(counter) followed by aesCtrXor from the
 * next counter, but sharing batches (a batch encrypts 8 blocks in the SIMD build whatever the count,
 * so a separate single block costs as much as 8). Made for GCM: counter = J0, firstOut = E(K, J0),
 * mode = CTR_MODE_32. The counter is updated past every block used (1 + ceil(len / 16)).
 * firstOut must not overlap src, dst or counter. No bounds checks.
 */
export function aesCtrXorFirst(ctx: usize, counter: usize, firstOut: usize, src: usize, dst: usize, len: usize, mode: i32): void {
  if (ASC_FEATURE_SIMD) v128Ctr(ctx + AES_RK_OFFSET, aesRounds(ctx), counter, src, dst, len, mode, 0, firstOut, 0, 0);
  else ct64Ctr(ctx + AES_RK_OFFSET, aesRounds(ctx), counter, src, dst, len, mode, 0, firstOut);
}

/** Most blocks aesCtrXorKeep keeps: the lanes of a batch but one (7 SIMD; 0 scalar, see there). */
export const AES_KEEP_MAX: usize = ASC_FEATURE_SIMD ? V128_BATCH - 1 : 0;

/**
 * aesCtrXor (len >= 1), and when the last AES batch has lanes the data does not use, those lanes
 * encrypt keepCounter, keepCounter + 1, ... (same mode) and their raw keystream blocks are stored
 * at keepOut (room for AES_KEEP_MAX blocks). Returns the number of blocks kept. For SRTP: the next
 * packet's keystream from otherwise idle lanes (assembly/srtp/keystream.ts). The scalar build keeps
 * nothing (its 4-block batches leave fewer idle lanes; not worth the code). No bounds checks.
 */
export function aesCtrXorKeep(ctx: usize, counter: usize, src: usize, dst: usize, len: usize, mode: i32, keepCounter: usize, keepOut: usize): usize {
  if (ASC_FEATURE_SIMD) return v128Ctr(ctx + AES_RK_OFFSET, aesRounds(ctx), counter, src, dst, len, mode, 0, 0, keepCounter, keepOut);
  ct64Ctr(ctx + AES_RK_OFFSET, aesRounds(ctx), counter, src, dst, len, mode, 0, 0);
  return 0;
}
