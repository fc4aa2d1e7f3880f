// The TLS module's only door to the crypto primitives (assembly/crypto/hash, assembly/crypto/gcm).
// Everything in assembly/tls calls these names, so a change in a primitive's internal API is one
// edit here. The primitives' internal APIs do no bounds checks: the TLS exports validated every
// pointer before any of this runs.
import { OK } from "../abi/status";
import { wipe } from "../util/ct";
import {
  ALG_SHA256 as HASH_SHA256, ALG_SHA384 as HASH_SHA384, SHA_CTX_SIZE, shaCtxRuns, shaDigestLen, shaInit, shaUpdate, shaFinal,
  HMAC_KEY_SIZE, hmacKeyInit, hmacCompute, hkdfExtract as hashHkdfExtract, hkdfExpandLabel, tls12Prf,
} from "../crypto/hash/index";
import { GCM_CTX_SIZE, gcmKeyInit, gcmSeal, gcmOpen, gcmReady } from "../crypto/gcm/gcm";

export const ALG_SHA256: u32 = <u32>HASH_SHA256;
export const ALG_SHA384: u32 = <u32>HASH_SHA384;

/** Bytes of one hash context (any supported algorithm). */
export const HASH_CTX_SIZE: usize = SHA_CTX_SIZE;
/** Bytes of one AES-GCM key context in this build. */
export const AEAD_CTX_SIZE: usize = GCM_CTX_SIZE;

/** HMAC key context for one-shot HMACs (Finished). Wiped after each use. */
const HMAC_KEY: usize = memory.data(<i32>HMAC_KEY_SIZE, 16);

/** Digest length of SHA-256 or SHA-384; 0 for any other id (TLS uses only these two). */
export function hashLen(alg: u32): u32 {
  if (alg == ALG_SHA256 || alg == ALG_SHA384) return <u32>shaDigestLen(<i32>alg);
  return 0;
}

/**
 * True when the hash context at ctx is live (initialised, not finalised, its fields sane) and runs
 * alg: what a caller-owned context must be before hashUpdate / hashFinal trust it.
 */
export function hashLive(ctx: usize, alg: u32): bool {
  return shaCtxRuns(ctx, <i32>alg);
}

export function hashInit(ctx: usize, alg: u32): void {
  shaInit(ctx, <i32>alg);
}

export function hashUpdate(ctx: usize, p: usize, n: usize): void {
  if (n != 0) shaUpdate(ctx, p, n);
}

/** Writes the digest; the context is left finalised (re-init before reuse). */
export function hashFinal(ctx: usize, out: usize): void {
  shaFinal(ctx, out);
}

/** HMAC(key, data) -> out (hashLen bytes). */
export function hmac(alg: u32, key: usize, keyLen: usize, data: usize, dataLen: usize, out: usize): void {
  hmacKeyInit(HMAC_KEY, <i32>alg, key, keyLen);
  hmacCompute(HMAC_KEY, data, dataLen, out, <usize>hashLen(alg));
  wipe(HMAC_KEY, HMAC_KEY_SIZE);
}

/** HKDF-Extract(salt, IKM) -> out (hashLen bytes) (RFC 5869 §2.2). */
export function hkdfExtract(alg: u32, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize, out: usize): void {
  hashHkdfExtract(<i32>alg, salt, saltLen, ikm, ikmLen, out);
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1); label without "tls13 ". */
export function expandLabel(alg: u32, secret: usize, secretLen: usize, label: usize, labelLen: usize, ctx: usize, ctxLen: usize, out: usize, outLen: usize): void {
  hkdfExpandLabel(<i32>alg, secret, secretLen, label, labelLen, ctx, ctxLen, out, outLen);
}

/** TLS 1.2 PRF(secret, label, seed) (RFC 5246 §5), outLen bytes. out must not overlap label or seed. */
export function prf(alg: u32, secret: usize, secretLen: usize, label: usize, labelLen: usize, seed: usize, seedLen: usize, out: usize, outLen: usize): void {
  tls12Prf(<i32>alg, secret, secretLen, label, labelLen, seed, seedLen, out, outLen);
}

/** AES-GCM key setup; keyLen 16 or 32. Returns OK or ERR_KEY_LENGTH (context untouched). */
export function aeadKeyInit(ctx: usize, key: usize, keyLen: usize): i32 {
  return gcmKeyInit(ctx, key, <i32>keyLen);
}

/** True when the AEAD key context at ctx is set up and the fields that steer memory accesses are intact. */
export function aeadReady(ctx: usize): bool {
  return gcmReady(ctx);
}

/** AES-GCM seal with a 12-byte nonce and a 16-byte tag. src may equal dst; dst must not overlap nonce, aad or tag. */
export function aeadSeal(ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, dst: usize, len: usize, tag: usize): void {
  gcmSeal(ctx, nonce, 12, aad, aadLen, src, dst, len, tag, 16);
}

/** AES-GCM open: verifies first; returns OK, or ERR_AUTH having written no plaintext. */
export function aeadOpen(ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, dst: usize, len: usize, tag: usize): i32 {
  const r = gcmOpen(ctx, nonce, 12, aad, aadLen, src, dst, len, tag, 16);
  return r == OK ? OK : r;
}
