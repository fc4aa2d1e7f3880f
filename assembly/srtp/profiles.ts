// The closed table of SRTP protection profiles (RFC 3711, RFC 4568, RFC 5764, RFC 6188, RFC 7714).
// Ids are part of the ABI (never renumbered). The host keeps the same table keyed by the SDES
// crypto-suite name (host/srtp/profiles.ts) and a test checks the two agree.
//
// The `_32` suites use a 32-bit tag for SRTP only; SRTCP keeps the 80-bit tag (RFC 4568 §6.2.x,
// RFC 5764 §4.1.2), as libsrtp's policy setters do.

/** How the payload is protected. */
export const CIPHER_AES_CM: u8 = 1; // AES in counter mode (RFC 3711 §4.1.1) + HMAC-SHA1 (§4.2.1)
export const CIPHER_AES_GCM: u8 = 2; // AEAD_AES_*_GCM (RFC 7714)
export const CIPHER_NULL: u8 = 3; // NULL cipher + HMAC-SHA1 (RFC 3711 §4.1.3, for diagnostics)

export const PROFILE_AES_CM_128_HMAC_SHA1_80: u8 = 1;
export const PROFILE_AES_CM_128_HMAC_SHA1_32: u8 = 2;
export const PROFILE_AES_192_CM_HMAC_SHA1_80: u8 = 3;
export const PROFILE_AES_192_CM_HMAC_SHA1_32: u8 = 4;
export const PROFILE_AES_256_CM_HMAC_SHA1_80: u8 = 5;
export const PROFILE_AES_256_CM_HMAC_SHA1_32: u8 = 6;
export const PROFILE_AEAD_AES_128_GCM: u8 = 7;
export const PROFILE_AEAD_AES_256_GCM: u8 = 8;
export const PROFILE_NULL_HMAC_SHA1_80: u8 = 9;
export const PROFILE_NULL_HMAC_SHA1_32: u8 = 10;
export const PROFILE_COUNT: u8 = 10;

/** Length of the HMAC-SHA1 session authentication key k_a (RFC 3711 §4.2.1: n_a = 160 bits). */
export const AUTH_KEY_LEN: u8 = 20;
/** Length of the AES-GCM tag (RFC 7714 §12: 16 octets). */
export const GCM_TAG_LEN: u8 = 16;
/** Length of the AES-GCM IV (RFC 7714 §8.1: 12 octets). */
export const GCM_IV_LEN: u8 = 12;

// One row per profile, 8 bytes: cipher, master key length, master salt length, SRTP tag length,
// SRTCP tag length, session auth key length, DTLS-SRTP id (u16 BE, 0 = none).
// Indexed by (profile - 1). The master key length equals the session encryption key length (n_e),
// and the master salt length the session salt length (n_s), for every profile here.
const TABLE: usize = memory.data<u8>([
  // cipher          key salt rtpTag rtcpTag authKey dtls-hi dtls-lo
  CIPHER_AES_CM, 16, 14, 10, 10, 20, 0x00, 0x01, // AES_CM_128_HMAC_SHA1_80  (SRTP_AES128_CM_HMAC_SHA1_80)
  CIPHER_AES_CM, 16, 14, 4, 10, 20, 0x00, 0x02, //  AES_CM_128_HMAC_SHA1_32  (SRTP_AES128_CM_HMAC_SHA1_32)
  CIPHER_AES_CM, 24, 14, 10, 10, 20, 0x00, 0x00, // AES_192_CM_HMAC_SHA1_80  (RFC 6188, no DTLS id)
  CIPHER_AES_CM, 24, 14, 4, 10, 20, 0x00, 0x00, //  AES_192_CM_HMAC_SHA1_32
  CIPHER_AES_CM, 32, 14, 10, 10, 20, 0x00, 0x00, // AES_256_CM_HMAC_SHA1_80
  CIPHER_AES_CM, 32, 14, 4, 10, 20, 0x00, 0x00, //  AES_256_CM_HMAC_SHA1_32
  CIPHER_AES_GCM, 16, 12, 16, 16, 0, 0x00, 0x07, // AEAD_AES_128_GCM         (SRTP_AEAD_AES_128_GCM)
  CIPHER_AES_GCM, 32, 12, 16, 16, 0, 0x00, 0x08, // AEAD_AES_256_GCM         (SRTP_AEAD_AES_256_GCM)
  CIPHER_NULL, 16, 14, 10, 10, 20, 0x00, 0x05, //   NULL_HMAC_SHA1_80        (SRTP_NULL_HMAC_SHA1_80)
  CIPHER_NULL, 16, 14, 4, 10, 20, 0x00, 0x06, //    NULL_HMAC_SHA1_32        (SRTP_NULL_HMAC_SHA1_32)
]);

// Fields of a row, also the `which` argument of the srtp_profile_param export.
export const PARAM_CIPHER: i32 = 0;
export const PARAM_KEY_LEN: i32 = 1;
export const PARAM_SALT_LEN: i32 = 2;
export const PARAM_SRTP_TAG_LEN: i32 = 3;
export const PARAM_SRTCP_TAG_LEN: i32 = 4;
export const PARAM_AUTH_KEY_LEN: i32 = 5;
export const PARAM_DTLS_ID: i32 = 6;

/** True for a known profile id. */
@inline export function profileKnown(profile: i32): bool {
  return <u32>(profile - 1) < <u32>PROFILE_COUNT;
}

/** A field of a known profile's row (caller checked profileKnown). */
@inline export function profileByte(profile: i32, field: i32): u8 {
  return load<u8>(TABLE + ((<usize>(profile - 1)) << 3) + <usize>field);
}

/** A parameter of a profile, or -1 for an unknown profile or field. */
export function profileParam(profile: i32, which: i32): i32 {
  if (!profileKnown(profile)) return -1;
  if (which == PARAM_DTLS_ID) {
    return (<i32>profileByte(profile, 6) << 8) | <i32>profileByte(profile, 7);
  }
  if (<u32>which > <u32>PARAM_AUTH_KEY_LEN) return -1;
  return <i32>profileByte(profile, which);
}
