// The one IV builder shared by SRTP and SRTCP, for both cipher families.
//
// AES-CM (RFC 3711 §4.1.1):  IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
//   16 octets: k_s in octets 0..13, SSRC XORed into octets 4..7, the 48-bit index i into 8..13,
//   octets 14..15 zero (the block counter). For SRTCP, i is the 31-bit SRTCP index.
// AES-GCM (RFC 7714 §8.1, §9.1):  IV = (00 00 || SSRC || ROC || SEQ) XOR k_s        (SRTP)
//                                  IV = (00 00 || SSRC || 00 00 || 0 || index) XOR k_s (SRTCP)
//   12 octets: SSRC XORed into octets 2..5, the 48-bit value ROC || SEQ = i (or the SRTCP index)
//   into octets 6..11.
// Both are "salt XOR SSRC at offset o XOR index at offset o + 4", o = 4 (AES-CM) or 2 (GCM).

import { bswap64 } from "../crypto/be";

export const IV_SSRC_OFFSET_CM: usize = 4;
export const IV_SSRC_OFFSET_GCM: usize = 2;

/** Builds the IV in out (16 octets of room) from salt (14 or 12 octets), SSRC and a 48-bit index. */
export function buildIv(out: usize, salt: usize, ssrcOffset: usize, ssrc: u32, index: u64): void {
  // A key slot keeps each salt in 16 octets, zero past the salt, so XORing all 16 leaves octets
  // 14..15 zero for AES-CM (the block counter) and 12..15 zero for GCM (unused).
  // As a big-endian 128-bit number (hi || lo): SSRC * 2^(8 (12 - o)) XOR index * 2^(8 (6 - o)),
  // o = ssrcOffset (4 or 2, public), the index below 2^48.
  const si = <u64>((6 - ssrcOffset) << 3); // 16 or 32
  const hi = (<u64>ssrc << (si - 16)) | (index >> (64 - si));
  const lo = index << si;
  store<u64>(out, load<u64>(salt) ^ bswap64(hi));
  store<u64>(out, load<u64>(salt, 8) ^ bswap64(lo), 8);
}
