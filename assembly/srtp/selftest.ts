// Power-on known answers for the SRTP engine. Returns 0, or the id of the first failure (401..,
// listed in docs/abi.md). Runs a real session in the static scratch area below the arena (never in
// host memory), through the same code paths as the exports.
//   401  RFC 3711 B.3 key derivation: SRTP session encryption key (label 0) of the B.3 master key.
//   402  SRTP protect, AES_CM_128_HMAC_SHA1_80: libsrtp srtp_validate() (test/srtp_driver.c).
//   403  SRTP unprotect of that packet gives the plaintext back.
//   404  the same packet with one tag bit flipped fails with ERR_SRTP_AUTH_FAIL and leaves it intact.
//   405  SRTP protect, AEAD_AES_128_GCM: libsrtp srtp_validate_gcm().
//   406  SRTP unprotect of the GCM packet gives the plaintext back.
import { SCRATCH, SCRATCH_SIZE } from "../abi/scratch";
import { ERR_SRTP_AUTH_FAIL } from "../abi/status";
import { wipe } from "../util/ct";
import { DIR_RECEIVER, DIR_SENDER, sessionSize } from "./layout";
import { PROFILE_AES_CM_128_HMAC_SHA1_80, PROFILE_AEAD_AES_128_GCM } from "./profiles";
import { sessionInit } from "./session";
import { keyAdd } from "./keys";
import { kdfDerive, LABEL_SRTP_ENCRYPTION } from "./kdf";
import { srtpProtect, srtpUnprotect } from "./srtp";
import { wipeWork } from "./work";
import { aesKeyInit } from "./primitives";

// Scratch layout: a session (< 12 KiB for one key and one stream), then inputs and outputs.
const PKT: usize = SCRATCH + SCRATCH_SIZE - 1024; // packet buffer (256)
const KEY: usize = SCRATCH + SCRATCH_SIZE - 512; // master key (32)
const SALT: usize = SCRATCH + SCRATCH_SIZE - 480; // master salt (16)
const SESSION: usize = SCRATCH;
const SESSION_ROOM: usize = SCRATCH_SIZE - 1024;

// libsrtp test/srtp_driver.c srtp_validate(): master key/salt of RFC 3711 B.3.
const B3_KEY: usize = memory.data<u8>([0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39]);
const B3_KEY_LEN: usize = 16;
const B3_SALT: usize = memory.data<u8>([0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6]);
const B3_SALT_LEN: usize = 14;
const B3_K_E: usize = memory.data<u8>([0xc6, 0x1e, 0x7a, 0x93, 0x74, 0x4f, 0x39, 0xee, 0x10, 0x73, 0x4a, 0xfe, 0x3f, 0xf7, 0xa0, 0x87]);
const B3_K_E_LEN: usize = 16;
const RTP: usize = memory.data<u8>([0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab]);
const RTP_LEN: usize = 28;
const SRTP_CM: usize = memory.data<u8>([0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb]);
const SRTP_CM_LEN: usize = 38;
// srtp_validate_gcm(): test_key_gcm.
const GCM_KEY: usize = memory.data<u8>([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);
const GCM_KEY_LEN: usize = 16;
const GCM_SALT: usize = memory.data<u8>([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab]);
const GCM_SALT_LEN: usize = 12;
const SRTP_GCM: usize = memory.data<u8>([0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0xc5, 0x00, 0x2e, 0xde, 0x04, 0xcf, 0xdd, 0x2e, 0xb9, 0x11, 0x59, 0xe0, 0x88, 0x0a, 0xa0, 0x6e, 0xd2, 0x97, 0x68, 0x26, 0xf7, 0x96, 0xb2, 0x01, 0xdf, 0x31, 0x31, 0xa1, 0x27, 0xe8, 0xa3, 0x92]);
const SRTP_GCM_LEN: usize = 44;

/** Copies a static known answer (bytes; hex literals would take four times the room) into dst. */
function put(src: usize, n: usize, dst: usize): usize {
  memory.copy(dst, src, n);
  return n;
}

function same(p: usize, want: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) if (load<u8>(p + i) != load<u8>(want + i)) return false;
  return true;
}

/** A one-stream, one-key session in scratch with the given master key. */
function session(direction: u8, profile: u8, key: usize, keyLen: usize, salt: usize, saltLen: usize): bool {
  const size = sessionSize(1, 1, 64, 0, 32);
  if (size == 0 || size > SESSION_ROOM) return false;
  if (sessionInit(SESSION, size, <i32>direction, <i32>profile, 1, 1, 64, 0, 0, 0x5eed) != 0) return false;
  const kl = put(key, keyLen, KEY);
  const sl = put(salt, saltLen, SALT);
  return keyAdd(SESSION, KEY, kl, SALT, sl, 0, 0, 0) == 0;
}

function roundTrip(profile: u8, key: usize, keyLen: usize, salt: usize, saltLen: usize, sealed: usize, m: usize, idProtect: i32): i32 {
  if (!session(DIR_SENDER, profile, key, keyLen, salt, saltLen)) return idProtect;
  const n = put(RTP, RTP_LEN, PKT);
  if (srtpProtect(SESSION, PKT, n, PKT, 256) != <i32>m || !same(PKT, sealed, m)) return idProtect;
  if (!session(DIR_RECEIVER, profile, key, keyLen, salt, saltLen)) return idProtect + 1;
  if (srtpUnprotect(SESSION, PKT, m, PKT, 256) != <i32>n || !same(PKT, RTP, n)) return idProtect + 1;
  return 0;
}

function run(): i32 {
  // 401: KDF
  const kl = put(B3_KEY, B3_KEY_LEN, KEY);
  put(B3_SALT, B3_SALT_LEN, SALT);
  aesKeyInit(SESSION, KEY, <i32>kl);
  kdfDerive(SESSION, SALT, 14, LABEL_SRTP_ENCRYPTION, SESSION + 4096, PKT, 16);
  if (!same(PKT, B3_K_E, B3_K_E_LEN)) return 401;
  // 402, 403
  let r = roundTrip(PROFILE_AES_CM_128_HMAC_SHA1_80, B3_KEY, B3_KEY_LEN, B3_SALT, B3_SALT_LEN, SRTP_CM, SRTP_CM_LEN, 402);
  if (r != 0) return r;
  // 404: a flipped tag bit is refused and the packet is left as it was.
  if (!session(DIR_RECEIVER, PROFILE_AES_CM_128_HMAC_SHA1_80, B3_KEY, B3_KEY_LEN, B3_SALT, B3_SALT_LEN)) return 404;
  const m = put(SRTP_CM, SRTP_CM_LEN, PKT);
  store<u8>(PKT + m - 1, load<u8>(PKT + m - 1) ^ 1);
  if (srtpUnprotect(SESSION, PKT, m, PKT, 256) != ERR_SRTP_AUTH_FAIL) return 404;
  store<u8>(PKT + m - 1, load<u8>(PKT + m - 1) ^ 1);
  if (!same(PKT, SRTP_CM, m)) return 404;
  // 405, 406
  r = roundTrip(PROFILE_AEAD_AES_128_GCM, GCM_KEY, GCM_KEY_LEN, GCM_SALT, GCM_SALT_LEN, SRTP_GCM, SRTP_GCM_LEN, 405);
  return r;
}

export function srtpSelfTest(): i32 {
  const r = run();
  wipe(SCRATCH, SCRATCH_SIZE);
  wipeWork(); // the packet scratch too, as every packet export leaves it
  return r;
}
