// ABI exports of the hash module (snake_case, subsystem prefix). See docs/abi.md.
//
// Every export checks every (pointer, length) pair with inArena() (ERR_BOUNDS), then the algorithm
// id and lengths (ERR_ARG), the context's magic (ERR_STATE) and the output capacity (ERR_CAPACITY),
// all before it writes anything. Contexts refuse to overlap the buffers passed with them (ERR_ARG).
import { OK, ERR_ARG, ERR_BOUNDS, ERR_CAPACITY, ERR_KEY_LENGTH, ERR_STATE } from "../../abi/status";
import { inArena, overlaps } from "../../abi/arena";
import { wipe } from "../../util/ct";
import {
  ALG_SHA256, ALG_SHA384, SHA_CTX_SIZE, SHA_OFF_ALG,
  shaAlgValid, shaCtxLive, shaCtxRuns, shaDigest, shaDigestLen, shaFinal, shaInit, shaSnapshot, shaUpdate,
} from "./sha";
import {
  HMAC_CTX_MAGIC, HMAC_CTX_OFF_SHA, HMAC_CTX_SIZE, HMAC_KEY_MAGIC, HMAC_KEY_SIZE, HMAC_OFF_ALG, HMAC_OFF_MAGIC,
  hmacCompute, hmacFinal, hmacInit, hmacKeyInit, hmacUpdate, hmacVerify,
} from "./hmac";
import { HKDF_CONTEXT_MAX, HKDF_LABEL_MAX, hkdfExpand, hkdfExpandLabel, hkdfExtract } from "./hkdf";
import { tls12Prf } from "./tls12_prf";

/** True when two non-empty ranges share a byte. */
@inline function clash(a: usize, an: usize, b: usize, bn: usize): bool {
  return an != 0 && bn != 0 && overlaps(a, an, b, bn);
}

function hmacKeyLive(kctx: usize): bool {
  return load<u32>(kctx, HMAC_OFF_MAGIC) == HMAC_KEY_MAGIC && shaAlgValid(<i32>load<u32>(kctx, HMAC_OFF_ALG));
}

function hmacCtxLive(mctx: usize): bool {
  const alg = load<u32>(mctx, HMAC_OFF_ALG);
  return load<u32>(mctx, HMAC_OFF_MAGIC) == HMAC_CTX_MAGIC && shaAlgValid(<i32>alg) &&
    shaCtxRuns(mctx + HMAC_CTX_OFF_SHA, <i32>alg);
}

// ---- SHA ------------------------------------------------------------------------------------------

/** Size of a SHA context in bytes (224). */
export function sha_ctx_size(): i32 {
  return <i32>SHA_CTX_SIZE;
}

/** Digest length of alg (20, 32, 48, 64), or ERR_ARG. */
export function sha_digest_len(alg: i32): i32 {
  return shaAlgValid(alg) ? <i32>shaDigestLen(alg) : ERR_ARG;
}

/** Starts a hash of alg in ctx. 0, ERR_BOUNDS, ERR_ARG. */
export function sha_init(ctx: usize, alg: i32): i32 {
  if (!inArena(ctx, SHA_CTX_SIZE)) return ERR_BOUNDS;
  if (!shaAlgValid(alg)) return ERR_ARG;
  shaInit(ctx, alg);
  return OK;
}

/** Absorbs len bytes. 0, ERR_BOUNDS, ERR_ARG (data overlaps ctx), ERR_STATE. */
export function sha_update(ctx: usize, data: usize, len: usize): i32 {
  if (!inArena(ctx, SHA_CTX_SIZE) || !inArena(data, len)) return ERR_BOUNDS;
  if (clash(ctx, SHA_CTX_SIZE, data, len)) return ERR_ARG;
  if (!shaCtxLive(ctx)) return ERR_STATE;
  shaUpdate(ctx, data, len);
  return OK;
}

/**
 * Writes the digest to out and wipes ctx (a new sha_init is needed to reuse it). Returns the digest
 * length; ERR_BOUNDS, ERR_ARG (out overlaps ctx), ERR_STATE, ERR_CAPACITY.
 */
export function sha_final(ctx: usize, out: usize, cap: usize): i32 {
  if (!inArena(ctx, SHA_CTX_SIZE) || !inArena(out, cap)) return ERR_BOUNDS;
  if (clash(ctx, SHA_CTX_SIZE, out, cap)) return ERR_ARG;
  if (!shaCtxLive(ctx)) return ERR_STATE;
  const dl = shaDigestLen(<i32>load<u32>(ctx, SHA_OFF_ALG));
  if (cap < dl) return ERR_CAPACITY;
  shaFinal(ctx, out);
  wipe(ctx, SHA_CTX_SIZE);
  return <i32>dl;
}

/** Digest of what ctx has absorbed so far; ctx is unchanged. Same statuses as sha_final. */
export function sha_snapshot(ctx: usize, out: usize, cap: usize): i32 {
  if (!inArena(ctx, SHA_CTX_SIZE) || !inArena(out, cap)) return ERR_BOUNDS;
  if (clash(ctx, SHA_CTX_SIZE, out, cap)) return ERR_ARG;
  if (!shaCtxLive(ctx)) return ERR_STATE;
  const dl = shaDigestLen(<i32>load<u32>(ctx, SHA_OFF_ALG));
  if (cap < dl) return ERR_CAPACITY;
  shaSnapshot(ctx, out);
  return <i32>dl;
}

/** One-shot digest. Returns the digest length; ERR_BOUNDS, ERR_ARG, ERR_CAPACITY. out may overlap data. */
export function sha_digest(alg: i32, data: usize, len: usize, out: usize, cap: usize): i32 {
  if (!inArena(data, len) || !inArena(out, cap)) return ERR_BOUNDS;
  if (!shaAlgValid(alg)) return ERR_ARG;
  const dl = shaDigestLen(alg);
  if (cap < dl) return ERR_CAPACITY;
  shaDigest(alg, data, len, out);
  return <i32>dl;
}

// ---- HMAC -----------------------------------------------------------------------------------------

/** Size of an HMAC key context in bytes (144). */
export function hmac_key_size(): i32 {
  return <i32>HMAC_KEY_SIZE;
}

/** Size of an HMAC message context in bytes (304). */
export function hmac_ctx_size(): i32 {
  return <i32>HMAC_CTX_SIZE;
}

/** Sets up a key context from a key of any length (0 included). 0, ERR_BOUNDS, ERR_ARG. */
export function hmac_key_init(kctx: usize, alg: i32, key: usize, keyLen: usize): i32 {
  if (!inArena(kctx, HMAC_KEY_SIZE) || !inArena(key, keyLen)) return ERR_BOUNDS;
  if (!shaAlgValid(alg)) return ERR_ARG;
  hmacKeyInit(kctx, alg, key, keyLen);
  return OK;
}

/** Starts a MAC in mctx with the key in kctx. 0, ERR_BOUNDS, ERR_ARG (overlap), ERR_STATE (bad kctx). */
export function hmac_init(mctx: usize, kctx: usize): i32 {
  if (!inArena(mctx, HMAC_CTX_SIZE) || !inArena(kctx, HMAC_KEY_SIZE)) return ERR_BOUNDS;
  if (clash(mctx, HMAC_CTX_SIZE, kctx, HMAC_KEY_SIZE)) return ERR_ARG;
  if (!hmacKeyLive(kctx)) return ERR_STATE;
  hmacInit(mctx, kctx);
  return OK;
}

/** Absorbs len message bytes. 0, ERR_BOUNDS, ERR_ARG (data overlaps mctx), ERR_STATE. */
export function hmac_update(mctx: usize, data: usize, len: usize): i32 {
  if (!inArena(mctx, HMAC_CTX_SIZE) || !inArena(data, len)) return ERR_BOUNDS;
  if (clash(mctx, HMAC_CTX_SIZE, data, len)) return ERR_ARG;
  if (!hmacCtxLive(mctx)) return ERR_STATE;
  hmacUpdate(mctx, data, len);
  return OK;
}

/**
 * Writes out_len bytes (1..digest length: a truncated tag) and wipes mctx. Returns out_len;
 * ERR_BOUNDS, ERR_ARG (out_len out of range, out overlaps mctx), ERR_STATE.
 */
export function hmac_final(mctx: usize, out: usize, outLen: usize): i32 {
  if (!inArena(mctx, HMAC_CTX_SIZE) || !inArena(out, outLen)) return ERR_BOUNDS;
  if (clash(mctx, HMAC_CTX_SIZE, out, outLen)) return ERR_ARG;
  if (!hmacCtxLive(mctx)) return ERR_STATE;
  if (outLen == 0 || outLen > shaDigestLen(<i32>load<u32>(mctx, HMAC_OFF_ALG))) return ERR_ARG;
  hmacFinal(mctx, out, outLen);
  wipe(mctx, HMAC_CTX_SIZE);
  return <i32>outLen;
}

/** One-shot tag of out_len bytes (1..digest length). Returns out_len; ERR_BOUNDS, ERR_ARG, ERR_STATE. */
export function hmac_compute(kctx: usize, data: usize, len: usize, out: usize, outLen: usize): i32 {
  if (!inArena(kctx, HMAC_KEY_SIZE) || !inArena(data, len) || !inArena(out, outLen)) return ERR_BOUNDS;
  if (clash(kctx, HMAC_KEY_SIZE, out, outLen)) return ERR_ARG;
  if (!hmacKeyLive(kctx)) return ERR_STATE;
  if (outLen == 0 || outLen > shaDigestLen(<i32>load<u32>(kctx, HMAC_OFF_ALG))) return ERR_ARG;
  hmacCompute(kctx, data, len, out, outLen);
  return <i32>outLen;
}

/**
 * 1 when tag (tag_len bytes, 1..digest length) equals the first tag_len bytes of the MAC of data,
 * else 0; compared in constant time. ERR_BOUNDS, ERR_ARG (tag_len), ERR_STATE.
 */
export function hmac_verify(kctx: usize, data: usize, len: usize, tag: usize, tagLen: usize): i32 {
  if (!inArena(kctx, HMAC_KEY_SIZE) || !inArena(data, len) || !inArena(tag, tagLen)) return ERR_BOUNDS;
  if (!hmacKeyLive(kctx)) return ERR_STATE;
  if (tagLen == 0 || tagLen > shaDigestLen(<i32>load<u32>(kctx, HMAC_OFF_ALG))) return ERR_ARG;
  return hmacVerify(kctx, data, len, tag, tagLen);
}

// ---- HKDF, TLS 1.2 PRF ----------------------------------------------------------------------------

/** HKDF-Extract: writes HashLen bytes of PRK. Returns HashLen; ERR_BOUNDS, ERR_ARG, ERR_CAPACITY. */
export function hkdf_extract(alg: i32, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize, prkOut: usize, cap: usize): i32 {
  if (!inArena(salt, saltLen) || !inArena(ikm, ikmLen) || !inArena(prkOut, cap)) return ERR_BOUNDS;
  if (!shaAlgValid(alg)) return ERR_ARG;
  const dl = shaDigestLen(alg);
  if (cap < dl) return ERR_CAPACITY;
  hkdfExtract(alg, salt, saltLen, ikm, ikmLen, prkOut);
  return <i32>dl;
}

/**
 * HKDF-Expand: out_len bytes of OKM (0..255 * HashLen). Returns out_len; ERR_BOUNDS, ERR_ARG
 * (alg, out_len, out overlapping info), ERR_KEY_LENGTH (prk shorter than HashLen, RFC 5869 §2.3).
 */
export function hkdf_expand(alg: i32, prk: usize, prkLen: usize, info: usize, infoLen: usize, out: usize, outLen: usize): i32 {
  if (!inArena(prk, prkLen) || !inArena(info, infoLen) || !inArena(out, outLen)) return ERR_BOUNDS;
  if (!shaAlgValid(alg)) return ERR_ARG;
  const dl = shaDigestLen(alg);
  if (outLen > 255 * dl || clash(out, outLen, info, infoLen)) return ERR_ARG;
  if (prkLen < dl) return ERR_KEY_LENGTH;
  hkdfExpand(alg, prk, prkLen, info, infoLen, out, outLen);
  return <i32>outLen;
}

/**
 * TLS 1.3 HKDF-Expand-Label; label without the "tls13 " prefix (<= 249 bytes), context <= 255 bytes,
 * out_len <= 255 * HashLen. Returns out_len; ERR_BOUNDS, ERR_ARG, ERR_KEY_LENGTH (secret shorter than
 * HashLen). out may overlap any input.
 */
export function hkdf_expand_label(
  alg: i32, secret: usize, secretLen: usize, label: usize, labelLen: usize,
  context: usize, contextLen: usize, out: usize, outLen: usize,
): i32 {
  if (!inArena(secret, secretLen) || !inArena(label, labelLen) || !inArena(context, contextLen) || !inArena(out, outLen)) return ERR_BOUNDS;
  if (!shaAlgValid(alg)) return ERR_ARG;
  const dl = shaDigestLen(alg);
  if (labelLen > HKDF_LABEL_MAX || contextLen > HKDF_CONTEXT_MAX || outLen > 255 * dl) return ERR_ARG;
  if (secretLen < dl) return ERR_KEY_LENGTH;
  hkdfExpandLabel(alg, secret, secretLen, label, labelLen, context, contextLen, out, outLen);
  return <i32>outLen;
}

/**
 * TLS 1.2 PRF = P_SHA256 (alg 2) or P_SHA384 (alg 3) of (secret, label || seed); any out_len.
 * Returns out_len; ERR_BOUNDS, ERR_ARG (other alg, out overlapping label or seed).
 */
export function tls12_prf(
  alg: i32, secret: usize, secretLen: usize, label: usize, labelLen: usize,
  seed: usize, seedLen: usize, out: usize, outLen: usize,
): i32 {
  if (!inArena(secret, secretLen) || !inArena(label, labelLen) || !inArena(seed, seedLen) || !inArena(out, outLen)) return ERR_BOUNDS;
  if (alg != ALG_SHA256 && alg != ALG_SHA384) return ERR_ARG;
  if (clash(out, outLen, label, labelLen) || clash(out, outLen, seed, seedLen)) return ERR_ARG;
  tls12Prf(alg, secret, secretLen, label, labelLen, seed, seedLen, out, outLen);
  return <i32>outLen;
}
