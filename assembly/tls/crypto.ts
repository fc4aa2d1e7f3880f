// The TLS module's only door to the crypto primitives (assembly/crypto/hash, assembly/crypto/gcm).
// Everything in assembly/tls calls these names, so a change in a primitive's internal API is one
// edit here.
//
// TEMPORARY: the hash and gcm branches have not landed yet. Until they do, every function here
// refuses with ERR_STATE, so only the unprotected (plaintext) record paths work. Replaced by the
// real bindings when `git merge hash gcm` lands.
import { ERR_STATE } from "../abi/status";

export const ALG_SHA256: u32 = 2;
export const ALG_SHA384: u32 = 3;

/** Bytes of one hash context (any supported algorithm). */
export const HASH_CTX_SIZE: usize = 256;
/** Bytes of one AES-GCM key context. */
export const AEAD_CTX_SIZE: usize = 1024;

/** Digest length of a supported hash, 0 for an unsupported id. */
export function hashLen(alg: u32): u32 {
  if (alg == ALG_SHA256) return 32;
  if (alg == ALG_SHA384) return 48;
  return 0;
}

export function hashInit(ctx: usize, alg: u32): void {}
export function hashUpdate(ctx: usize, p: usize, n: usize): void {}
/** Writes hashLen(alg) bytes; the context is left finalised (re-init before reuse). */
export function hashFinal(ctx: usize, out: usize): void {}

/** HMAC(key, data) -> out (hashLen bytes). */
export function hmac(alg: u32, key: usize, keyLen: usize, data: usize, dataLen: usize, out: usize): void {}

/** HKDF-Extract(salt, IKM) -> out (hashLen bytes) (RFC 5869 §2.2). */
export function hkdfExtract(alg: u32, salt: usize, saltLen: usize, ikm: usize, ikmLen: usize, out: usize): void {}

/** HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1); label without "tls13 ". */
export function expandLabel(alg: u32, secret: usize, secretLen: usize, label: usize, labelLen: usize, ctx: usize, ctxLen: usize, out: usize, outLen: usize): void {}

/** TLS 1.2 PRF(secret, label, seed) (RFC 5246 §5), outLen bytes. */
export function prf(alg: u32, secret: usize, secretLen: usize, label: usize, labelLen: usize, seed: usize, seedLen: usize, out: usize, outLen: usize): void {}

/** AES-GCM key setup; keyLen 16 or 32. Returns 0 or a negative status. */
export function aeadKeyInit(ctx: usize, key: usize, keyLen: usize): i32 {
  return ERR_STATE;
}

/** AES-GCM seal with a 12-byte nonce and a 16-byte tag. src may equal dst. */
export function aeadSeal(ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, dst: usize, len: usize, tag: usize): void {}

/** AES-GCM open; returns 0, or ERR_AUTH having written no plaintext. src may equal dst. */
export function aeadOpen(ctx: usize, nonce: usize, aad: usize, aadLen: usize, src: usize, dst: usize, len: usize, tag: usize): i32 {
  return ERR_STATE;
}
