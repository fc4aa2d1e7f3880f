// ABI exports of the gcm module (snake_case, subsystem prefix). See docs/abi.md "GHASH and GCM".
// Every export checks every (pointer, length) against the arena, and the overlap rules, before
// touching memory; on failure nothing is written.
import { OK, ERR_BOUNDS, ERR_ARG, ERR_KEY_LENGTH, ERR_STATE } from "../../abi/status";
import { inArena } from "../../abi/arena";
import { wipe } from "../../util/ct";
import {
  GHASH_KEY_SIZE, GHASH_STATE_SIZE, GHASH_WORK_SIZE, GHASH_POWERS, ghashKeyInit, ghashStateFromBytes,
  ghashStateToBytes, ghashUpdate,
} from "./ghash";
import { GCM_CTX_SIZE, gcmCtxSize, GCM_TAG_MIN, GCM_TAG_MAX, gcmKeyInit, gcmSeal, gcmOpen, gcmReady } from "./gcm";

// Work area for ghash_run (static data below the arena): key block, state, scratch. Used only
// during one call (the core is single-threaded and calls out to nothing) and wiped before it returns,
// since it holds material derived from H.
const GHASH_RUN_WORK_SIZE: usize = GHASH_KEY_SIZE + GHASH_STATE_SIZE + GHASH_WORK_SIZE;
const GHASH_RUN_WORK: usize = memory.data(<i32>GHASH_RUN_WORK_SIZE, 16);

/** True when two non-empty ranges share a byte (empty ranges overlap nothing). */
@inline function clash(a: usize, alen: usize, b: usize, blen: usize): bool {
  return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

/**
 * ghash_run(h16, y16, data, len): y ← GHASH_H update of y with data, zero padded to a block
 * multiple (BearSSL br_ghash semantics). h and y are 16 bytes in GCM order. Returns 0 or ERR_BOUNDS.
 */
export function ghash_run(h: usize, y: usize, data: usize, len: usize): i32 {
  if (!inArena(h, 16) || !inArena(y, 16) || !inArena(data, len)) return ERR_BOUNDS;
  const key = GHASH_RUN_WORK;
  const state = GHASH_RUN_WORK + GHASH_KEY_SIZE;
  // Precomputing H^2..H^4 costs about three block multiplies: worth it from eight blocks on.
  ghashKeyInit(key, h, len >= 128 ? GHASH_POWERS : 1, state + GHASH_STATE_SIZE);
  ghashStateFromBytes(state, y);
  ghashUpdate(key, state, data, len);
  ghashStateToBytes(state, y);
  wipe(GHASH_RUN_WORK, GHASH_RUN_WORK_SIZE);
  return OK;
}

/** Bytes of a GCM key context in this build. */
export function gcm_ctx_size(): i32 {
  return <i32>GCM_CTX_SIZE;
}

/**
 * Expands a 16/24/32-byte AES key into ctx and precomputes GHASH's H material.
 * Returns 0, ERR_BOUNDS, ERR_KEY_LENGTH, or ERR_ARG (key overlaps ctx).
 */
export function gcm_key_init(ctx: usize, key: usize, key_len: i32): i32 {
  if (!inArena(ctx, GCM_CTX_SIZE)) return ERR_BOUNDS;
  if (key_len != 16 && key_len != 24 && key_len != 32) return ERR_KEY_LENGTH;
  if (!inArena(key, <usize>key_len)) return ERR_BOUNDS;
  if (clash(ctx, GCM_CTX_SIZE, key, <usize>key_len)) return ERR_ARG;
  const r = gcmKeyInit(ctx, key, key_len);
  // gcmKeyInit writes gcmCtxSize(key_len) bytes (the AES schedule is last); zero the rest of the block.
  const used = gcmCtxSize(key_len);
  memory.fill(ctx + used, 0, GCM_CTX_SIZE - used);
  return r;
}

/** Shared argument checks of seal and open; OK when the call may proceed. */
function checkAead(
  ctx: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize,
  src: usize, dst: usize, len: usize, tag: usize, tagLen: usize,
): i32 {
  if (ivLen < 1 || <i32>tagLen < GCM_TAG_MIN || <i32>tagLen > GCM_TAG_MAX) return ERR_ARG;
  if (
    !inArena(ctx, GCM_CTX_SIZE) || !inArena(iv, ivLen) || !inArena(aad, aadLen) ||
    !inArena(src, len) || !inArena(dst, len) || !inArena(tag, tagLen)
  ) return ERR_BOUNDS;
  // In place (src == dst) or disjoint; the output must not overlap any other argument.
  if (src != dst && clash(src, len, dst, len)) return ERR_ARG;
  if (clash(dst, len, ctx, GCM_CTX_SIZE) || clash(dst, len, iv, ivLen) || clash(dst, len, aad, aadLen)) return ERR_ARG;
  if (clash(dst, len, tag, tagLen) || clash(tag, tagLen, ctx, GCM_CTX_SIZE)) return ERR_ARG;
  if (len > <usize>i32.MAX_VALUE) return ERR_ARG;
  if (!gcmReady(ctx)) return ERR_STATE;
  return OK;
}

/**
 * gcm_seal(ctx, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len) -> len.
 * Encrypts len bytes src → dst and writes a tag_len-byte tag (4..16). ERR_ARG for iv_len 0, a tag
 * length out of range or forbidden overlap; ERR_BOUNDS; ERR_STATE when ctx is not initialised.
 */
export function gcm_seal(
  ctx: usize, iv: usize, iv_len: usize, aad: usize, aad_len: usize,
  src: usize, dst: usize, len: usize, tag: usize, tag_len: usize,
): i32 {
  const r = checkAead(ctx, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
  if (r != OK) return r;
  gcmSeal(ctx, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
  return <i32>len;
}

/**
 * gcm_open(ctx, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len) -> len | ERR_AUTH.
 * Verifies the tag over (aad, src) in constant time, then decrypts src → dst. On ERR_AUTH (and on
 * every other failure) dst is untouched.
 */
export function gcm_open(
  ctx: usize, iv: usize, iv_len: usize, aad: usize, aad_len: usize,
  src: usize, dst: usize, len: usize, tag: usize, tag_len: usize,
): i32 {
  const r = checkAead(ctx, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
  if (r != OK) return r;
  const a = gcmOpen(ctx, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
  return a == OK ? <i32>len : a;
}
