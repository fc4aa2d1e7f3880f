// SRTP key derivation (RFC 3711 §4.3) with key derivation rate 0, and the AES-CM PRF of §4.3.3
// (AES_128_CM_PRF; AES_192_CM_PRF and AES_256_CM_PRF of RFC 6188 §5 are the same with a longer
// master key).
//
//   "Let r = index DIV key_derivation_rate (with DIV defined as above)."   (kdr = 0: r = 0)
//   "Let key_id = <label> || r."                                          (7 octets)
//   "Let x = key_id XOR master_salt, where key_id and master_salt are aligned so that their least
//    significant bits agree (right-alignment)."
//   "PRF_n(k_master, x) ... AES in Counter Mode with ... IV = x*2^16"
//
// So the AES-CM input block is master_salt (14 octets) with the label XORed into octet 7, followed
// by two zero octets for the block counter. RFC 7714 §11 (and erratum 4938): the 12-octet AEAD master
// salt is padded with two zero octets on the right to 14 before this; the AEAD session salt is the
// first 12 octets of the label-0x02 (0x05) output.
import { CTR_MODE_CM, aesCtrXor } from "./primitives";

export const LABEL_SRTP_ENCRYPTION: u8 = 0x00;
export const LABEL_SRTP_MSG_AUTH: u8 = 0x01;
export const LABEL_SRTP_SALT: u8 = 0x02;
export const LABEL_SRTCP_ENCRYPTION: u8 = 0x03;
export const LABEL_SRTCP_MSG_AUTH: u8 = 0x04;
export const LABEL_SRTCP_SALT: u8 = 0x05;

/** Octet of the 14-octet salt that the label lands in (key_id is 7 octets, right-aligned). */
const LABEL_OCTET: usize = 7;

/**
 * Writes outLen octets of PRF(k_master, master_salt XOR label) to out. masterAes is an AES context
 * keyed with the master key; salt has saltLen (14, or 12 for AEAD) octets; iv is 16 octets of scratch.
 * Key material passes through `out` and `iv` only; the caller wipes what it does not keep.
 */
export function kdfDerive(masterAes: usize, salt: usize, saltLen: usize, label: u8, iv: usize, out: usize, outLen: usize): void {
  store<u64>(iv, 0);
  store<u64>(iv, 0, 8);
  for (let i: usize = 0; i < saltLen; i++) store<u8>(iv + i, load<u8>(salt + i));
  store<u8>(iv + LABEL_OCTET, load<u8>(iv + LABEL_OCTET) ^ label);
  memory.fill(out, 0, outLen);
  aesCtrXor(masterAes, iv, out, out, outLen, CTR_MODE_CM);
}
