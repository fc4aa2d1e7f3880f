// Private scratch shared by the key derivation functions (HKDF, HKDF-Expand-Label, TLS 1.2 PRF).
// None of them calls another while it holds data here, and each wipes what it used before returning.
import { HMAC_CTX_SIZE, HMAC_KEY_SIZE } from "./hmac";

export const KDF_KEY: usize = memory.data(<i32>HMAC_KEY_SIZE, 16);
export const KDF_MAC: usize = memory.data(<i32>HMAC_CTX_SIZE, 16);
/** The previous output block T(i-1) (HKDF) or A(i) (TLS PRF). */
export const KDF_PREV: usize = memory.data(64, 16);
/** The current output block. */
export const KDF_BLOCK: usize = memory.data(64, 16);
/** HkdfLabel: 2 + 1 + 255 + 1 + 255 bytes at most. */
export const KDF_INFO_SIZE: usize = 514;
export const KDF_INFO: usize = memory.data(<i32>KDF_INFO_SIZE, 16);
/** The one-byte HKDF counter. */
export const KDF_COUNTER: usize = memory.data(16, 16);

/** Wipes everything the KDFs may have left here. */
export function kdfWipe(): void {
  memory.fill(KDF_KEY, 0, HMAC_KEY_SIZE);
  memory.fill(KDF_MAC, 0, HMAC_CTX_SIZE);
  memory.fill(KDF_PREV, 0, 64);
  memory.fill(KDF_BLOCK, 0, 64);
  memory.fill(KDF_COUNTER, 0, 16);
}
