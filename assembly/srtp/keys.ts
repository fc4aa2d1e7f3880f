// Master keys of a session: installing one (key derivation into a key slot), finding one by MKI,
// and key-usage accounting (RFC 3711 §9.2: at most 2^48 SRTP and 2^31 SRTCP packets per master
// key, or fewer when SDES gave a lifetime), with a soft-limit event before the hard one.
import { ERR_SRTP_FULL, ERR_SRTP_KEY, ERR_SRTP_MKI, ERR_ARG } from "../abi/status";
import { wipe } from "../util/ct";
import {
  S_CIPHER, S_EVENTS, S_KEY_COUNT, S_KEY_LEN, S_KEYS_OFF, S_KEY_SLOT_SIZE,
  S_MAX_KEYS, S_MKI_LEN, S_SALT_LEN, S_ACTIVE_KEY, NO_KEY,
  K_IN_USE, K_INDEX, K_MKI_LEN, K_MKI, K_SOFT_FIRED, K_HARD_FIRED, K_SRTP_USES, K_SRTCP_USES, K_SRTP_LIMIT,
  K_SRTCP_LIMIT, K_SRTP_SALT, K_SRTCP_SALT, SRTP_MAX_PACKETS, SRTCP_MAX_PACKETS, SRTCP_RAW_KEY_ROOM,
  KS_CACHE_BLOCKS, S_KS_BLOCKS, S_KS_COUNT, S_KS_INDEX, S_KS_SLOT, S_KS_SSRC,
  srtpCipherCtx, srtcpCipherCtx, srtpAuthCtx, srtcpAuthCtx,
} from "./layout";
import { W_AES, W_IV, W_KDF, W_KDF_SIZE } from "./work";
import { CIPHER_AES_CM, CIPHER_AES_GCM, AUTH_KEY_LEN } from "./profiles";
import {
  LABEL_SRTP_ENCRYPTION, LABEL_SRTP_MSG_AUTH, LABEL_SRTP_SALT,
  LABEL_SRTCP_ENCRYPTION, LABEL_SRTCP_MSG_AUTH, LABEL_SRTCP_SALT, kdfDerive,
} from "./kdf";
import { aesCtxSize, aesKeyInit, gcmKeyInit, hmacSha1KeyInit } from "./primitives";

/** Forgets (and wipes) the keystream session s kept for its next packet (keystream.ts). */
export function keystreamForget(s: usize): void {
  store<u8>(s, 0, S_KS_SLOT);
  store<u8>(s, 0, S_KS_COUNT);
  store<u32>(s, 0, S_KS_SSRC);
  store<u64>(s, 0, S_KS_INDEX);
  for (let o: usize = 0; o < 16 * KS_CACHE_BLOCKS; o += 8) store<u64>(s + S_KS_BLOCKS + o, 0);
}

/** Address of key slot n. */
@inline export function keySlot(s: usize, n: u32): usize {
  return s + <usize>load<u32>(s, S_KEYS_OFF) + <usize>n * <usize>load<u32>(s, S_KEY_SLOT_SIZE);
}

/** The key slot whose MKI equals the mkiLen octets at mki, or 0. MKIs are public (sent in clear). */
export function keyByMki(s: usize, mki: usize, mkiLen: usize): usize {
  const n = <u32>load<u8>(s, S_MAX_KEYS);
  for (let i: u32 = 0; i < n; i++) {
    const k = keySlot(s, i);
    if (load<u8>(k, K_IN_USE) == 0 || <usize>load<u8>(k, K_MKI_LEN) != mkiLen) continue;
    let same = true;
    for (let j: usize = 0; j < mkiLen; j++) {
      if (load<u8>(k + K_MKI + j) != load<u8>(mki + j)) { same = false; break; }
    }
    if (same) return k;
  }
  return 0;
}

/** Index of a key slot address (stored in the slot when the key is installed). */
@inline export function keySlotIndex(s: usize, k: usize): u32 {
  const v = load<u32>(k, K_INDEX);
  return v < <u32>load<u8>(s, S_MAX_KEYS) ? v : 0; // a damaged slot never names a slot out of range
}

/** The active (protecting) key slot, or 0 when none. */
@inline export function activeKey(s: usize): usize {
  const a = load<u8>(s, S_ACTIVE_KEY);
  return a == NO_KEY ? 0 : keySlot(s, <u32>a);
}

/**
 * Per-key limit from an SDES lifetime (packets; 0 = the RFC 3711 maxima), capped at the protocol
 * maximum. Returns 0 for an invalid lifetime (negative, not an integer, NaN).
 */
function limitFrom(lifetime: f64, max: u64): u64 {
  if (lifetime == 0) return max;
  if (!(lifetime >= 1) || lifetime != Math.floor(lifetime)) return 0;
  if (lifetime >= <f64>max) return max;
  return <u64>lifetime;
}

/** The session keys of one master key, laid out as in srtp_key_add_session_keys. */
@inline function sessionKeysLen(keyLen: usize, authLen: usize, saltLen: usize): usize {
  return 2 * (keyLen + authLen + saltLen);
}

/**
 * Installs session keys into a free key slot. keys = SRTP k_e || k_a || k_s || SRTCP k_e || k_a || k_s
 * (k_a absent for AEAD). Returns the slot index or a status.
 */
export function keyInstall(s: usize, keys: usize, mki: usize, mkiLen: usize, lifetime: f64): i32 {
  if (mkiLen != <usize>load<u8>(s, S_MKI_LEN)) return ERR_SRTP_MKI;
  if (mkiLen > 0 && keyByMki(s, mki, mkiLen) != 0) return ERR_SRTP_MKI;
  if (mkiLen == 0 && load<u32>(s, S_KEY_COUNT) != 0) return ERR_SRTP_FULL; // without an MKI one key at a time
  const srtpLimit = limitFrom(lifetime, SRTP_MAX_PACKETS);
  const srtcpLimit = limitFrom(lifetime, SRTCP_MAX_PACKETS);
  if (srtpLimit == 0 || srtcpLimit == 0) return ERR_ARG;
  const n = <u32>load<u8>(s, S_MAX_KEYS);
  let slot: u32 = 0;
  while (slot < n && load<u8>(keySlot(s, slot), K_IN_USE) != 0) slot++;
  if (slot == n) return ERR_SRTP_FULL;
  const k = keySlot(s, slot);
  memory.fill(k, 0, <usize>load<u32>(s, S_KEY_SLOT_SIZE));
  keystreamForget(s); // kept keystream is tagged with a slot number: never let it meet a new key
  const cipher = load<u8>(s, S_CIPHER);
  const keyLen = <usize>load<u8>(s, S_KEY_LEN);
  const saltLen = <usize>load<u8>(s, S_SALT_LEN);
  const authLen: usize = cipher == CIPHER_AES_GCM ? 0 : <usize>AUTH_KEY_LEN;
  let p = keys;
  for (let dir = 0; dir < 2; dir++) {
    const cipherCtx = dir == 0 ? srtpCipherCtx(s, k) : srtcpCipherCtx(s, k);
    const authCtx = dir == 0 ? srtpAuthCtx(s, k) : srtcpAuthCtx(s, k);
    const saltDst = k + (dir == 0 ? K_SRTP_SALT : K_SRTCP_SALT);
    if (cipher == CIPHER_AES_GCM) gcmKeyInit(cipherCtx, p, <i32>keyLen);
    else if (cipher == CIPHER_AES_CM) {
      // SRTP: the expanded schedule. SRTCP: the raw key, expanded per SRTCP packet (layout.ts).
      if (dir == 0) aesKeyInit(cipherCtx, p, <i32>keyLen);
      else for (let i: usize = 0; i < keyLen && i < SRTCP_RAW_KEY_ROOM; i++) store<u8>(cipherCtx + i, load<u8>(p + i));
    }
    p += keyLen;
    if (authLen != 0) hmacSha1KeyInit(authCtx, p, authLen);
    p += authLen;
    for (let i: usize = 0; i < saltLen; i++) store<u8>(saltDst + i, load<u8>(p + i));
    p += saltLen;
  }
  store<u8>(k, <u8>mkiLen, K_MKI_LEN);
  for (let i: usize = 0; i < mkiLen; i++) store<u8>(k + K_MKI + i, load<u8>(mki + i));
  store<u64>(k, srtpLimit, K_SRTP_LIMIT);
  store<u64>(k, srtcpLimit, K_SRTCP_LIMIT);
  store<u32>(k, slot, K_INDEX);
  store<u8>(k, 1, K_IN_USE);
  store<u32>(s, load<u32>(s, S_KEY_COUNT) + 1, S_KEY_COUNT);
  if (load<u8>(s, S_ACTIVE_KEY) == NO_KEY) store<u8>(s, <u8>slot, S_ACTIVE_KEY);
  return <i32>slot;
}

/**
 * Derives the six session keys of a master key (RFC 3711 §4.3, kdr = 0) and installs them.
 * Returns the key slot index, or ERR_SRTP_KEY (lengths), ERR_SRTP_MKI, ERR_SRTP_FULL, ERR_ARG.
 */
export function keyAdd(s: usize, key: usize, keyLen: usize, salt: usize, saltLen: usize, mki: usize, mkiLen: usize, lifetime: f64): i32 {
  const kl = <usize>load<u8>(s, S_KEY_LEN);
  const sl = <usize>load<u8>(s, S_SALT_LEN);
  if (keyLen != kl || saltLen != sl) return ERR_SRTP_KEY;
  const cipher = load<u8>(s, S_CIPHER);
  const authLen: usize = cipher == CIPHER_AES_GCM ? 0 : <usize>AUTH_KEY_LEN;
  const out = W_KDF;
  const iv = W_IV;
  // A full session has no slot for the key: refuse before deriving anything.
  const n = <u32>load<u8>(s, S_MAX_KEYS);
  let slot: u32 = 0;
  while (slot < n && load<u8>(keySlot(s, slot), K_IN_USE) != 0) slot++;
  if (slot == n) return ERR_SRTP_FULL;
  // The master key's AES schedule lives in static scratch for the derivation only.
  const masterAes = W_AES;
  aesKeyInit(masterAes, key, <i32>keyLen);
  // Salt padded to 14 octets (RFC 7714 §11: two zero octets after a 12-octet AEAD salt).
  const salt14 = out + W_KDF_SIZE - 16;
  memory.fill(salt14, 0, 16);
  for (let i: usize = 0; i < saltLen; i++) store<u8>(salt14 + i, load<u8>(salt + i));
  let p = out;
  for (let dir = 0; dir < 2; dir++) {
    const labelE = dir == 0 ? LABEL_SRTP_ENCRYPTION : LABEL_SRTCP_ENCRYPTION;
    const labelA = dir == 0 ? LABEL_SRTP_MSG_AUTH : LABEL_SRTCP_MSG_AUTH;
    const labelS = dir == 0 ? LABEL_SRTP_SALT : LABEL_SRTCP_SALT;
    kdfDerive(masterAes, salt14, 14, labelE, iv, p, keyLen);
    p += keyLen;
    if (authLen != 0) kdfDerive(masterAes, salt14, 14, labelA, iv, p, authLen);
    p += authLen;
    kdfDerive(masterAes, salt14, 14, labelS, iv, p, saltLen);
    p += saltLen;
  }
  wipe(masterAes, aesCtxSize(<i32>keyLen));
  const r = keyInstall(s, out, mki, mkiLen, lifetime);
  wipe(out, W_KDF_SIZE);
  wipe(iv, 16);
  return r;
}

/** Wipes a key slot and forgets it; the active key becomes none if it was this one. */
export function keyRemove(s: usize, k: usize): void {
  const idx = keySlotIndex(s, k);
  wipe(k, <usize>load<u32>(s, S_KEY_SLOT_SIZE));
  keystreamForget(s);
  store<u32>(s, load<u32>(s, S_KEY_COUNT) - 1, S_KEY_COUNT);
  if (<u32>load<u8>(s, S_ACTIVE_KEY) == idx) store<u8>(s, NO_KEY, S_ACTIVE_KEY);
}

/** Is the key still allowed to protect/unprotect one more packet of this kind? */
@inline export function keyUsable(k: usize, rtcp: bool): bool {
  return rtcp
    ? load<u64>(k, K_SRTCP_USES) < load<u64>(k, K_SRTCP_LIMIT)
    : load<u64>(k, K_SRTP_USES) < load<u64>(k, K_SRTP_LIMIT);
}

/** Packets of margin before the hard limit at which the soft-limit event fires: min(2^16, limit/2). */
@inline function softMargin(limit: u64): u64 {
  const half = limit >> 1;
  return half < 0x10000 ? half : 0x10000;
}

/** Counts one use of key k and raises the soft / hard event bits in the session when crossed. */
export function keyUsed(s: usize, k: usize, rtcp: bool): void {
  const usesOff = rtcp ? K_SRTCP_USES : K_SRTP_USES;
  const limit = load<u64>(k + (rtcp ? K_SRTCP_LIMIT : K_SRTP_LIMIT));
  const uses = load<u64>(k + usesOff) + 1;
  store<u64>(k + usesOff, uses);
  const remaining = limit - uses;
  const bit = keySlotIndex(s, k);
  if (remaining == 0) {
    if (load<u8>(k, K_HARD_FIRED) == 0) {
      store<u8>(k, 1, K_HARD_FIRED);
      store<u32>(s, load<u32>(s, S_EVENTS) | (<u32>1 << (16 + bit)), S_EVENTS);
    }
  } else if (remaining <= softMargin(limit) && load<u8>(k, K_SOFT_FIRED) == 0) {
    store<u8>(k, 1, K_SOFT_FIRED);
    store<u32>(s, load<u32>(s, S_EVENTS) | (<u32>1 << bit), S_EVENTS);
  }
}

