// Static per-call scratch of the SRTP engine, below the arena. The core is single-threaded and a
// packet call never calls back into the host, so one area serves every session; whatever secret
// it holds (derived keys, an expanded SRTCP key schedule) is wiped before the call returns.
import { AES_CTX_SIZE } from "./primitives";

/** AES-CM counter block / GCM IV (16). */
export const W_IV: usize = memory.data(16, 16);
/** The next packet's AES-CM counter block (keystream.ts) (16). */
export const W_IV_NEXT: usize = memory.data(16, 16);
/** Computed / saved tag (16). */
export const W_TAG: usize = memory.data(16, 16);
/** SRTCP GCM AAD: header || E + index (16). */
export const W_AAD: usize = memory.data(16, 16);
/** Derived session keys during srtp_key_add (wiped after use). */
export const W_KDF_SIZE: usize = 160;
export const W_KDF: usize = memory.data(<i32>W_KDF_SIZE, 16);
/**
 * An expanded AES schedule for one call: the master key's during key derivation, or an AES-CM
 * session's SRTCP k_e while one SRTCP packet is encrypted or decrypted. Wiped after use.
 */
export const W_AES: usize = memory.data(<i32>AES_CTX_SIZE, 16);

/**
 * Zeroes the per-packet scratch (IV = session salt XOR SSRC/index, which would give the salt away;
 * the computed tag, also of a refused packet; the SRTCP AAD). Every export that touches it calls this
 * before it returns, so no packet's secrets outlive its call.
 */
export function wipeWork(): void {
  store<u64>(W_IV, 0);
  store<u64>(W_IV, 0, 8);
  store<u64>(W_IV_NEXT, 0);
  store<u64>(W_IV_NEXT, 0, 8);
  store<u64>(W_TAG, 0);
  store<u64>(W_TAG, 0, 8);
  store<u64>(W_AAD, 0);
  store<u64>(W_AAD, 0, 8);
}
