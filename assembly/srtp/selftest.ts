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
import { aesKeyInit } from "./primitives";

// Scratch layout: a session (< 12 KiB for one key and one stream), then inputs and outputs.
const PKT: usize = SCRATCH + SCRATCH_SIZE - 1024; // packet buffer (256)
const WANT: usize = SCRATCH + SCRATCH_SIZE - 768; // expected answer (256)
const KEY: usize = SCRATCH + SCRATCH_SIZE - 512; // master key (32)
const SALT: usize = SCRATCH + SCRATCH_SIZE - 480; // master salt (16)
const SESSION: usize = SCRATCH;
const SESSION_ROOM: usize = SCRATCH_SIZE - 1024;

// libsrtp test/srtp_driver.c srtp_validate(): master key/salt of RFC 3711 B.3.
const B3_KEY = "e1f97a0d3e018be0d64fa32c06de4139";
const B3_SALT = "0ec675ad498afeebb6960b3aabe6";
const B3_K_E = "c61e7a93744f39ee10734afe3ff7a087";
const RTP = "800f1234decafbadcafebabeabababababababababababababababab";
const SRTP_CM = "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";
// srtp_validate_gcm(): test_key_gcm.
const GCM_KEY = "000102030405060708090a0b0c0d0e0f";
const GCM_SALT = "a0a1a2a3a4a5a6a7a8a9aaab";
const SRTP_GCM = "800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392";

function hexNibble(c: i32): u32 {
  return c <= 0x39 ? <u32>(c - 0x30) : <u32>((c | 0x20) - 0x57);
}

function fromHex(s: string, dst: usize): usize {
  const n = s.length >> 1;
  for (let i = 0; i < n; i++) {
    store<u8>(dst + <usize>i, <u8>((hexNibble(s.charCodeAt(2 * i)) << 4) | hexNibble(s.charCodeAt(2 * i + 1))));
  }
  return <usize>n;
}

function same(p: usize, want: string, n: usize): bool {
  if (fromHex(want, WANT) != n) return false;
  for (let i: usize = 0; i < n; i++) if (load<u8>(p + i) != load<u8>(WANT + i)) return false;
  return true;
}

/** A one-stream, one-key session in scratch with the given master key. */
function session(direction: u8, profile: u8, key: string, salt: string): bool {
  const size = sessionSize(1, 1, 64, 0, 32);
  if (size == 0 || size > SESSION_ROOM) return false;
  if (sessionInit(SESSION, size, <i32>direction, <i32>profile, 1, 1, 64, 0, 0, 0x5eed) != 0) return false;
  const kl = fromHex(key, KEY);
  const sl = fromHex(salt, SALT);
  return keyAdd(SESSION, KEY, kl, SALT, sl, 0, 0, 0) == 0;
}

function roundTrip(profile: u8, key: string, salt: string, protectedHex: string, idProtect: i32): i32 {
  if (!session(DIR_SENDER, profile, key, salt)) return idProtect;
  const n = fromHex(RTP, PKT);
  const m = <usize>(protectedHex.length >> 1);
  if (srtpProtect(SESSION, PKT, n, PKT, 256) != <i32>m || !same(PKT, protectedHex, m)) return idProtect;
  if (!session(DIR_RECEIVER, profile, key, salt)) return idProtect + 1;
  if (srtpUnprotect(SESSION, PKT, m, PKT, 256) != <i32>n || !same(PKT, RTP, n)) return idProtect + 1;
  return 0;
}

function run(): i32 {
  // 401: KDF
  const kl = fromHex(B3_KEY, KEY);
  fromHex(B3_SALT, SALT);
  aesKeyInit(SESSION, KEY, <i32>kl);
  kdfDerive(SESSION, SALT, 14, LABEL_SRTP_ENCRYPTION, SESSION + 4096, PKT, 16);
  if (!same(PKT, B3_K_E, 16)) return 401;
  // 402, 403
  let r = roundTrip(PROFILE_AES_CM_128_HMAC_SHA1_80, B3_KEY, B3_SALT, SRTP_CM, 402);
  if (r != 0) return r;
  // 404: a flipped tag bit is refused and the packet is left as it was.
  if (!session(DIR_RECEIVER, PROFILE_AES_CM_128_HMAC_SHA1_80, B3_KEY, B3_SALT)) return 404;
  const m = fromHex(SRTP_CM, PKT);
  store<u8>(PKT + m - 1, load<u8>(PKT + m - 1) ^ 1);
  if (srtpUnprotect(SESSION, PKT, m, PKT, 256) != ERR_SRTP_AUTH_FAIL) return 404;
  store<u8>(PKT + m - 1, load<u8>(PKT + m - 1) ^ 1);
  if (!same(PKT, SRTP_CM, m)) return 404;
  // 405, 406
  r = roundTrip(PROFILE_AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, SRTP_GCM, 405);
  return r;
}

export function srtpSelfTest(): i32 {
  const r = run();
  wipe(SCRATCH, SCRATCH_SIZE);
  return r;
}
