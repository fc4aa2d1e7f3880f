// AES-GCM (NIST SP 800-38D): the internal API the TLS record layer and the SRTP AEAD profiles
// (RFC 7714) call. No bounds or overlap checks here: callers (exports.ts, other modules' exports)
// validate pointers first. src == dst is allowed; other overlaps are the caller's to refuse.
//
// Key context (GCM_CTX_SIZE bytes, 16-byte aligned, no pointers, wiped with one fill):
//   0    u32  GCM_READY when initialised (0 otherwise)
//   4    12   reserved, zero
//   16   GHASH key block (GHASH_KEY_SIZE): H..H^4 precomputed for this build's GHASH
//   ...  AES key context, last: aesCtxSize(keyLen) bytes are used, so a context for a known key
//        length may be cut to gcmCtxSize(keyLen) (SRTP key slots do); GCM_CTX_SIZE fits any.
// Everything that depends only on the key is computed once by gcmKeyInit(), so a short message
// (an SRTP packet: 12..~80 bytes of AAD, 160 bytes of payload) pays only for its own blocks.
//
// Per-message work (counter, E(K, J0), GHASH state, and for short messages a staging buffer) lives
// in static memory below the arena: the core is single-threaded and calls out to nothing, so one
// area serves every call; it is wiped before each call returns.
//
// Short-message path: AES here is bitsliced, so one batch (8 blocks SIMD, 4 scalar) costs the same
// whatever number of blocks it carries. Encrypting J0 on its own would cost a whole extra batch, so
// when the payload is short and does not fill its last batch, the payload is staged after a zero
// block and one counter-mode run from J0 yields E(K, J0) and the payload's keystream together
// (160-byte SRTP payload, SIMD: 2 batches instead of 3).
//
// Open verifies before it decrypts: the tag is computed over the ciphertext and compared in constant
// time (ctEqual over tag_len bytes) before any plaintext is written to dst; on failure dst is untouched
// (on the short path the staged plaintext is only ever in the work area, which is wiped).
import { OK, ERR_AUTH, ERR_KEY_LENGTH } from "../../abi/status";
import { ctEqual, wipe } from "../../util/ct";
import { AES_CTX_SIZE, AES_BATCH_BLOCKS, aesCtxSize, CTR_MODE_32, aesKeyInit, aesEncryptBlock, aesCtrXor, aesRounds } from "../aes/aes";
import {
  GHASH_KEY_SIZE, GHASH_POWERS, ghashKeyInit, ghashKeyPowers, ghashUpdate, ghashLengths, ghashStateToBytes,
} from "./ghash";

/** Marker stored at offset 0 of an initialised context ("GCM1"). */
const GCM_READY: u32 = 0x314d4347;
const OFF_GHASH: usize = 16;
const OFF_AES: usize = OFF_GHASH + ((GHASH_KEY_SIZE + 15) & ~(<usize>15));
/** Bytes of a GCM key context in this build (room for any AES key length). */
export const GCM_CTX_SIZE: usize = OFF_AES + AES_CTX_SIZE;

/** Bytes of a GCM key context for one AES key length (16, 24, 32). */
export function gcmCtxSize(keyLen: i32): usize {
  return OFF_AES + aesCtxSize(keyLen);
}

/** Tag lengths accepted (bytes). 16 is the default; shorter tags are SP 800-38D truncations. */
export const GCM_TAG_MIN: i32 = 4;
export const GCM_TAG_MAX: i32 = 16;

/** Largest payload (bytes) staged on the short-message path. */
const SHORT_MAX: usize = 496;
/** Largest GHASH input (padded AAD + padded ciphertext + length block) hashed in one pass. */
const GIN_MAX: usize = 640;

// Work area layout (static, below the arena).
const W_J0: usize = 0;        // J0
const W_CTR: usize = 16;      // running counter block
const W_EKJ0: usize = 32;     // E(K, J0)
const W_STATE: usize = 48;    // GHASH state
const W_TAG: usize = 64;      // full 16-byte tag
const W_GWORK: usize = 80;    // GHASH scratch (GHASH_WORK_SIZE = 32)
const W_STAGE: usize = 112;   // short path: 16 zero bytes, then the payload
const W_GIN: usize = W_STAGE + 16 + SHORT_MAX; // short GHASH input: A, pad, C, pad, lengths
const W_SIZE: usize = W_GIN + GIN_MAX;
const WORK: usize = memory.data(<i32>W_SIZE, 16);

/**
 * True once gcmKeyInit succeeded on ctx and the fields that steer memory accesses are intact (the
 * AES round count and the number of GHASH powers): a damaged context is refused, never followed.
 */
@inline export function gcmReady(ctx: usize): bool {
  const r = aesRounds(ctx + OFF_AES);
  return load<u32>(ctx) == GCM_READY && (r == 10 || r == 12 || r == 14) && ghashKeyPowers(ctx + OFF_GHASH) == GHASH_POWERS;
}

/**
 * Expands a 16/24/32-byte AES key and precomputes H = E(K, 0^128) and its powers. Returns OK or
 * ERR_KEY_LENGTH (ctx untouched).
 */
export function gcmKeyInit(ctx: usize, key: usize, keyLen: i32): i32 {
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return ERR_KEY_LENGTH;
  // key may lie inside ctx only if the caller did not check; exports refuse that overlap.
  store<u32>(ctx, 0);
  const r = aesKeyInit(ctx + OFF_AES, key, keyLen);
  if (r != OK) return r;
  const h = WORK + W_TAG;
  store<u64>(WORK + W_J0, 0);
  store<u64>(WORK + W_J0, 0, 8);
  aesEncryptBlock(ctx + OFF_AES, WORK + W_J0, h); // H = E(K, 0^128)
  ghashKeyInit(ctx + OFF_GHASH, h, GHASH_POWERS, WORK + W_GWORK);
  wipe(WORK, W_SIZE);
  store<u32>(ctx, 0, 4);
  store<u64>(ctx, 0, 8);
  store<u32>(ctx, GCM_READY);
  return OK;
}

/** J0 (SP 800-38D §7.1 step 2) into WORK + W_J0. */
function deriveJ0(ctx: usize, iv: usize, ivLen: usize): void {
  const j0 = WORK + W_J0;
  if (ivLen == 12) {
    // IV || 0^31 || 1
    store<u64>(j0, load<u64>(iv));
    store<u32>(j0, load<u32>(iv, 8), 8);
    store<u32>(j0, 0x01000000, 12);
  } else {
    // GHASH(IV || 0^s || [0]64 || [len(IV)]64)
    const st = WORK + W_STATE;
    store<u64>(st, 0);
    store<u64>(st, 0, 8);
    ghashUpdate(ctx + OFF_GHASH, st, iv, ivLen);
    ghashLengths(ctx + OFF_GHASH, st, 0, <u64>ivLen, WORK + W_GWORK);
    ghashStateToBytes(st, j0);
  }
}

/** WORK + W_CTR = inc32(J0). */
@inline function counterFromJ0(): void {
  const j0 = WORK + W_J0;
  const c = WORK + W_CTR;
  store<u64>(c, load<u64>(j0));
  store<u32>(c, load<u32>(j0, 8), 8);
  store<u32>(c, bswap<u32>(bswap<u32>(load<u32>(j0, 12)) + 1), 12);
}

/** WORK + W_CTR = J0. */
@inline function counterAtJ0(): void {
  v128Copy(WORK + W_CTR, WORK + W_J0);
}

@inline function v128Copy(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}

/** Copies n bytes with u64 moves (memory.copy is slow for small sizes in V8). No overlap. */
function copyBytes(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    store<u64>(dst + i, load<u64>(src + i));
    store<u64>(dst + i, load<u64>(src + i, 8), 8);
  }
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

/** True when the short path saves an AES batch: the payload does not fill its last batch. */
@inline function useShortPath(len: usize): bool {
  const blocks = (len + 15) >> 4;
  return len <= SHORT_MAX && blocks % AES_BATCH_BLOCKS != 0;
}

/**
 * Runs counter mode for a payload of len bytes from src to dst and leaves E(K, J0) at
 * WORK + W_EKJ0. Short path: through the staging area (dst written from it). src == dst allowed.
 * When toDst is false (open's short path), the result stays in the staging area.
 */
function ctrWithJ0(ctx: usize, src: usize, dst: usize, len: usize, toDst: bool): void {
  const aes = ctx + OFF_AES;
  if (useShortPath(len)) {
    const stage = WORK + W_STAGE;
    store<u64>(stage, 0);
    store<u64>(stage, 0, 8);
    copyBytes(stage + 16, src, len);
    counterAtJ0();
    aesCtrXor(aes, WORK + W_CTR, stage, stage, 16 + len, CTR_MODE_32);
    v128Copy(WORK + W_EKJ0, stage);
    if (toDst) copyBytes(dst, stage + 16, len);
  } else {
    aesEncryptBlock(aes, WORK + W_J0, WORK + W_EKJ0);
    if (toDst) {
      counterFromJ0();
      aesCtrXor(aes, WORK + W_CTR, src, dst, len, CTR_MODE_32);
    }
  }
}

/** Rounds n up to a multiple of 16. */
@inline function padded(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

/** Copies n bytes to dst and zero-fills up to the next multiple of 16; returns the padded size. */
function copyPadded(dst: usize, src: usize, n: usize): usize {
  const p = padded(n);
  if (p > n) {
    store<u64>(dst + p - 16, 0);
    store<u64>(dst + p - 8, 0);
  }
  copyBytes(dst, src, n);
  return p;
}

/**
 * Full tag into WORK + W_TAG: GHASH(A, C) ^ E(K, J0). When A and C are short, they are gathered
 * with the length block into one buffer and hashed in one pass: GHASH then works in full groups of
 * four blocks (an SRTP packet: 12 blocks = 3 groups, instead of 1 + 3 + 1 in three calls).
 */
function computeTag(ctx: usize, aad: usize, aadLen: usize, ct: usize, len: usize): void {
  const key = ctx + OFF_GHASH;
  const st = WORK + W_STATE;
  store<u64>(st, 0);
  store<u64>(st, 0, 8);
  if (padded(aadLen) + padded(len) + 16 <= GIN_MAX) {
    const g = WORK + W_GIN;
    let off = copyPadded(g, aad, aadLen);
    off += copyPadded(g + off, ct, len);
    // [8·aadLen]64 || [8·len]64, big-endian
    store<u64>(g + off, bswap<u64>(<u64>aadLen << 3));
    store<u64>(g + off, bswap<u64>(<u64>len << 3), 8);
    ghashUpdate(key, st, g, off + 16);
  } else {
    ghashUpdate(key, st, aad, aadLen);
    ghashUpdate(key, st, ct, len);
    ghashLengths(key, st, <u64>aadLen, <u64>len, WORK + W_GWORK);
  }
  const t = WORK + W_TAG;
  ghashStateToBytes(st, t);
  store<u64>(t, load<u64>(t) ^ load<u64>(WORK + W_EKJ0));
  store<u64>(t, load<u64>(t, 8) ^ load<u64>(WORK + W_EKJ0, 8), 8);
}

/** Wipes the parts of the work area a call used (secrets: E(K, J0), keystream, plaintext). */
function wipeWork(aadLen: usize, len: usize): void {
  wipe(WORK, W_STAGE);
  if (useShortPath(len)) wipe(WORK + W_STAGE, 16 + len);
  const g = padded(aadLen) + padded(len) + 16;
  if (g <= GIN_MAX) wipe(WORK + W_GIN, g);
}

/**
 * Authenticated encryption: dst = GCTR(src), tag = first tagLen bytes of the GCM tag.
 * ivLen >= 1, tagLen 4..16, ctx initialised (callers check). src == dst allowed; dst must not
 * overlap iv, aad or tag.
 */
export function gcmSeal(
  ctx: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize,
  src: usize, dst: usize, len: usize, tag: usize, tagLen: usize,
): void {
  deriveJ0(ctx, iv, ivLen);
  ctrWithJ0(ctx, src, dst, len, true);
  computeTag(ctx, aad, aadLen, dst, len);
  copyBytes(tag, WORK + W_TAG, tagLen);
  wipeWork(aadLen, len);
}

/**
 * Authenticated decryption: verifies the tagLen-byte tag over (aad, src) first, in constant time;
 * only when it matches is dst written with the plaintext. Returns OK or ERR_AUTH (dst untouched).
 * Same preconditions as gcmSeal.
 */
export function gcmOpen(
  ctx: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize,
  src: usize, dst: usize, len: usize, tag: usize, tagLen: usize,
): i32 {
  deriveJ0(ctx, iv, ivLen);
  const isShort = useShortPath(len);
  // Short path: decrypt into the staging area only (and get E(K, J0) from the same run).
  ctrWithJ0(ctx, src, dst, len, false);
  computeTag(ctx, aad, aadLen, src, len);
  const ok = ctEqual(WORK + W_TAG, tag, tagLen);
  if (ok == 1) {
    if (isShort) copyBytes(dst, WORK + W_STAGE + 16, len);
    else {
      counterFromJ0();
      aesCtrXor(ctx + OFF_AES, WORK + W_CTR, src, dst, len, CTR_MODE_32);
    }
  }
  wipeWork(aadLen, len);
  return ok == 1 ? OK : ERR_AUTH;
}
