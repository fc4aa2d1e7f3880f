// GHASH facade: picks the implementation of this build at compile time. The SIMD build uses
// ghash_ctmul32x4.ts (i32x4.mul, four 32-bit lanes), the scalar build ghash_ctmul64.ts (i64.mul).
// Both are constant time and give identical results; see docs/constant-time.md.
//
// A GHASH key block holds everything that depends only on H (powers H..H^4, pre-masked); a state
// is Y as two u64 words in "natural" form (bit i of word 0 = coefficient of x^i), 16 bytes.
import {
  GHASH_KEY_SIZE as KEY64, GHASH_POWERS, ghashKeyInit as keyInit64, ghashUpdate as update64,
  ghashLengths as lengths64, ghash64KeyPowers, revBitsInBytes,
} from "./ghash_ctmul64";
import {
  GHASH_SIMD_KEY_SIZE, ghashSimdKeyInit, ghashSimdUpdate, ghashSimdLengths, ghashSimdKeyPowers,
} from "./ghash_ctmul32x4";

export { GHASH_POWERS };

/** Size of a GHASH key block in this build (16-byte multiple). */
export const GHASH_KEY_SIZE: usize = ASC_FEATURE_SIMD ? GHASH_SIMD_KEY_SIZE : KEY64;
/** Size of a GHASH state (Y, natural form). */
export const GHASH_STATE_SIZE: usize = 16;
/** Scratch bytes the key setup and the length block may use. */
export const GHASH_WORK_SIZE: usize = 32;

/** Name of the implementation compiled into this build (for docs and benchmarks). */
export const GHASH_IMPL: string = ASC_FEATURE_SIMD ? "ctmul32x4" : "ctmul64";

/**
 * Fills the key block from H (16 bytes, GCM order). powers: 1 (cheap setup, one-off hashing) or
 * GHASH_POWERS (aggregated hashing). work: GHASH_WORK_SIZE bytes of scratch, left zeroed.
 */
export function ghashKeyInit(key: usize, h: usize, powers: i32, work: usize): void {
  if (ASC_FEATURE_SIMD) ghashSimdKeyInit(key, h, powers, work);
  else keyInit64(key, h, powers);
}

/** Y ← GHASH update with len bytes at data, the last partial block zero padded. */
export function ghashUpdate(key: usize, state: usize, data: usize, len: usize): void {
  if (ASC_FEATURE_SIMD) ghashSimdUpdate(key, state, data, len);
  else update64(key, state, data, len);
}

/** Y ← GHASH update with the length block [8·aadLen]64 || [8·ctLen]64. work: GHASH_WORK_SIZE bytes. */
export function ghashLengths(key: usize, state: usize, aadLen: u64, ctLen: u64, work: usize): void {
  if (ASC_FEATURE_SIMD) ghashSimdLengths(key, state, aadLen, ctLen, work);
  else lengths64(key, state, aadLen, ctLen);
}

/** Powers of H held by a key block: 1 or GHASH_POWERS; any other value means it is damaged. */
export function ghashKeyPowers(key: usize): i32 {
  return ASC_FEATURE_SIMD ? ghashSimdKeyPowers(key) : ghash64KeyPowers(key);
}

/** Sets a state from 16 bytes in GCM order. */
export function ghashStateFromBytes(state: usize, y: usize): void {
  store<u64>(state, revBitsInBytes(load<u64>(y)));
  store<u64>(state, revBitsInBytes(load<u64>(y, 8)), 8);
}

/** Writes a state as 16 bytes in GCM order. */
export function ghashStateToBytes(state: usize, out: usize): void {
  const a = revBitsInBytes(load<u64>(state));
  const b = revBitsInBytes(load<u64>(state, 8));
  store<u64>(out, a);
  store<u64>(out, b, 8);
}
