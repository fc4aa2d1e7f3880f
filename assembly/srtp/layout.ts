// Memory layout of an SRTP session context (one per direction). The host allocates it in the arena
// with the size srtp_session_size() returns; it holds no pointers (only offsets from its own start),
// so it can be wiped with one fill.
//
//   [ session header | key slots (max keys) | SSRC table (2^k entries) | stream slots (max streams) ]
//
// Key material lives once per master key (a key slot: session keys k_e/k_a/k_s for SRTP and SRTCP,
// as expanded AES / GCM / HMAC key contexts, the MKI and the usage counters) and is shared by every
// SSRC of the session. Per-SSRC state sits in a fixed-size stream slot: highest packet index
// (ROC and s_l), replay bitmaps, SRTCP index, counters.
//
// Sizes are cut to what a profile needs, because a gateway keys every call separately and so pays a
// session header and a key slot per call and direction: AES contexts hold the round keys of the
// profile's key length only; the HMAC key contexts are the compact SHA-1 ones (two chaining states);
// and for the AES-CM profiles the SRTCP encryption key is kept raw (16..32 octets) and expanded into
// static scratch for each SRTCP packet, after that packet authenticated (SRTCP runs at about one
// packet per five seconds per stream: the expansion costs nothing in aggregate, and a forged packet
// never reaches it). Per-call scratch (IV, tag, AAD, derived keys) is static too (work.ts).
import { AES_KEEP_MAX, aesCtxSize, gcmCtxSize, HMAC_SHA1_KEY_SIZE } from "./primitives";
import { tableCapacity, TABLE_ENTRY_SIZE } from "./stream_table";
import { windowBitmapBits } from "./replay";
import { CIPHER_AES_CM, CIPHER_AES_GCM } from "./profiles";

@inline function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

// ---- session header ----
export const SESSION_MAGIC: u32 = 0x50545253; // "SRTP"
export const S_MAGIC: usize = 0; // u32
/** Pending key-limit events: bit n = soft limit of key slot n, bit 16 + n = hard limit. */
export const S_EVENTS: usize = 4; // u32
export const S_DIRECTION: usize = 8; // u8: DIR_SENDER / DIR_RECEIVER
export const S_PROFILE: usize = 9; // u8
export const S_FLAGS: usize = 10; // u8
export const S_MKI_LEN: usize = 11; // u8 (0 = no MKI in packets)
export const S_CIPHER: usize = 12; // u8
export const S_KEY_LEN: usize = 13; // u8 master key = n_e
export const S_SALT_LEN: usize = 14; // u8 master salt = n_s
export const S_SRTP_TAG_LEN: usize = 15; // u8
export const S_SRTCP_TAG_LEN: usize = 16; // u8
export const S_MAX_KEYS: usize = 17; // u8
export const S_ACTIVE_KEY: usize = 18; // u8 key slot used to protect (NO_KEY = none)
export const S_LAST_KEY: usize = 19; // u8 key slot of the last packet (NO_KEY = none)
export const S_MAX_STREAMS: usize = 20; // u32
export const S_TABLE_MASK: usize = 24; // u32 (capacity - 1)
export const S_WINDOW: usize = 28; // u32 configured replay window (packets)
export const S_WINDOW_BITS: usize = 32; // u32 bitmap size (power of two >= window)
export const S_STREAM_SIZE: usize = 36; // u32
export const S_STREAM_COUNT: usize = 40; // u32 streams in use
export const S_FREE_HEAD: usize = 44; // u32 first free (removed) slot + 1, 0 = none
export const S_NEXT_FRESH: usize = 48; // u32 slots [next_fresh, max) were never used
export const S_SEED: usize = 52; // u32 hash seed
export const S_KEYS_OFF: usize = 56; // u32
export const S_TABLE_OFF: usize = 60; // u32
export const S_STREAMS_OFF: usize = 64; // u32
export const S_KEY_SLOT_SIZE: usize = 68; // u32
export const S_TOTAL_SIZE: usize = 72; // u32
export const S_KEY_COUNT: usize = 76; // u32
// Session-wide counters (also count packets of SSRCs that have no stream yet).
export const S_PACKETS: usize = 80; // u64
export const S_BYTES: usize = 88; // u64
export const S_AUTH_FAILURES: usize = 96; // u64
export const S_REPLAYS: usize = 104; // u64
// What the last packet call learnt before it failed (the host reads these for its error objects):
// flags bit 0 = SSRC known, bit 1 = packet index known (SRTP index or SRTCP index).
export const S_ERR_SSRC: usize = 112; // u32
export const S_ERR_FLAGS: usize = 116; // u32
export const S_ERR_INDEX: usize = 120; // u64
// Where the contexts of a key slot sit (byte offsets from the slot's K_CIPHERS; see keySlotSize).
export const S_SRTCP_CIPHER_OFF: usize = 128; // u32
export const S_SRTP_AUTH_OFF: usize = 132; // u32
export const S_SRTCP_AUTH_OFF: usize = 136; // u32
export const S_CIPHER_ROOM: usize = 140; // u32 bytes of the SRTP cipher context
// Keystream kept for the next SRTP packet (AES-CM): the blocks of packet index S_KS_INDEX of SSRC
// S_KS_SSRC under key slot S_KS_SLOT - 1 that filled otherwise idle lanes of the last AES batch
// (keystream.ts). Empty when S_KS_SLOT is 0. Wiped whenever a key is installed or removed.
export const S_KS_SSRC: usize = 144; // u32
export const S_KS_SLOT: usize = 148; // u8 key slot + 1 (0 = empty)
export const S_KS_COUNT: usize = 149; // u8 blocks kept
export const S_KS_INDEX: usize = 152; // u64
export const S_KS_BLOCKS: usize = 160; // KS_CACHE_BLOCKS x 16
/** Most keystream blocks kept: the lanes of one AES batch but one (7 SIMD; none scalar). */
export const KS_CACHE_BLOCKS: usize = AES_KEEP_MAX;
export const SESSION_HEADER_SIZE: usize = (S_KS_BLOCKS + 16 * KS_CACHE_BLOCKS + 15) & ~(<usize>15);

export const DIR_SENDER: u8 = 1;
export const DIR_RECEIVER: u8 = 2;
export const NO_KEY: u8 = 0xff;

/** Session flags (srtp_session_init `flags`, low byte). */
export const FLAG_ALLOW_REPEAT_TX: u8 = 1;

// ---- key slot ----
export const K_IN_USE: usize = 0; // u8
export const K_MKI_LEN: usize = 1; // u8
export const K_SOFT_FIRED: usize = 2; // u8
export const K_HARD_FIRED: usize = 3; // u8
export const K_MKI: usize = 4; // 4 bytes
export const K_SRTP_USES: usize = 8; // u64 packets protected/unprotected with this key
export const K_SRTCP_USES: usize = 16; // u64
export const K_SRTP_LIMIT: usize = 24; // u64
export const K_SRTCP_LIMIT: usize = 32; // u64
export const K_INDEX: usize = 40; // u32 this slot's number (events and "last key" without a division)
export const K_SRTP_SALT: usize = 48; // 16: SRTP k_s (14 octets AES-CM, 12 GCM)
export const K_SRTCP_SALT: usize = 64; // 16: SRTCP k_s
/**
 * The key contexts: [SRTP cipher | SRTCP cipher | SRTP k_a | SRTCP k_a], each room sized by the
 * profile (cipherRoom, srtcpRoom, authRoom; their offsets are in the session header).
 */
export const K_CIPHERS: usize = 80;

/** Bytes of a raw SRTCP k_e in an AES-CM key slot (expanded per SRTCP packet). */
export const SRTCP_RAW_KEY_ROOM: usize = 32;

/**
 * Room for the SRTP cipher context of a profile family and key length: the AES key schedule
 * (AES-CM) or the GCM key (GHASH key + AES schedule); none for NULL (key derivation uses static
 * scratch for the master key's schedule).
 */
export function cipherRoom(cipher: u8, keyLen: u8): usize {
  if (cipher == CIPHER_AES_GCM) return align16(gcmCtxSize(<i32>keyLen));
  if (cipher == CIPHER_AES_CM) return align16(aesCtxSize(<i32>keyLen));
  return 0;
}
/** Room for the SRTCP cipher context: the raw k_e for AES-CM, a full GCM key for GCM, none for NULL. */
export function srtcpRoom(cipher: u8, keyLen: u8): usize {
  if (cipher == CIPHER_AES_GCM) return cipherRoom(cipher, keyLen);
  if (cipher == CIPHER_AES_CM) return SRTCP_RAW_KEY_ROOM;
  return 0;
}
/** Room for one HMAC-SHA1 key context (none for AEAD). */
export function authRoom(cipher: u8): usize {
  return cipher == CIPHER_AES_GCM ? 0 : align16(HMAC_SHA1_KEY_SIZE);
}
/** Bytes of one key slot for a cipher family and key length (cipher 0 = the largest of all). */
export function keySlotSize(cipher: u8, keyLen: u8): usize {
  if (cipher == 0) {
    const a = keySlotSize(CIPHER_AES_CM, 32);
    const g = keySlotSize(CIPHER_AES_GCM, 32);
    return a > g ? a : g;
  }
  return align16(K_CIPHERS + cipherRoom(cipher, keyLen) + srtcpRoom(cipher, keyLen) + 2 * authRoom(cipher));
}

// Where the four key contexts of a key slot k sit (offsets in the session header).
@inline export function srtpCipherCtx(s: usize, k: usize): usize {
  return k + K_CIPHERS;
}
@inline export function srtcpCipherCtx(s: usize, k: usize): usize {
  return k + K_CIPHERS + <usize>load<u32>(s, S_SRTCP_CIPHER_OFF);
}
@inline export function srtpAuthCtx(s: usize, k: usize): usize {
  return k + K_CIPHERS + <usize>load<u32>(s, S_SRTP_AUTH_OFF);
}
@inline export function srtcpAuthCtx(s: usize, k: usize): usize {
  return k + K_CIPHERS + <usize>load<u32>(s, S_SRTCP_AUTH_OFF);
}

/** The SRTP/SRTCP default per-key limits (RFC 3711 §9.2): 2^48 SRTP and 2^31 SRTCP packets. */
export const SRTP_MAX_PACKETS: u64 = 0x1000000000000;
export const SRTCP_MAX_PACKETS: u64 = 0x80000000;

// ---- stream slot ----
export const T_SSRC: usize = 0; // u32
export const T_FLAGS: usize = 4; // u32
/** Highest SRTP packet index i = ROC * 2^16 + s_l; before the first packet: ROC * 2^16 (set-ROC). */
export const T_INDEX: usize = 8; // u64
/** Sender: next SRTCP index to send. Receiver: highest SRTCP index received. */
export const T_SRTCP_INDEX: usize = 16; // u32
export const T_NEXT_FREE: usize = 20; // u32 free-list link (slot + 1)
export const T_AUTH_FAILURES: usize = 24; // u32
export const T_REPLAYS: usize = 28; // u32
export const T_PACKETS: usize = 32; // u64 (SRTP + SRTCP)
export const T_BYTES: usize = 40; // u64 plaintext RTP/RTCP bytes
export const T_SRTCP_BITMAP: usize = 48; // 16: 128-bit SRTCP replay window
export const T_SRTP_BITMAP: usize = 64; // window bits / 8
export const STREAM_FIXED_SIZE: usize = 64;

export const TF_IN_USE: u32 = 1;
export const TF_SRTP_SEEN: u32 = 2; // T_INDEX holds the highest accepted index
export const TF_SRTCP_SEEN: u32 = 4; // receiver: T_SRTCP_INDEX holds the highest accepted index

export const SRTCP_WINDOW: u32 = 128;

// ---- limits of the geometry ----
/** At most 15 keys, so the events word (bits n and 16 + n) never sets bit 31. */
export const MAX_KEYS: u32 = 15;
export const MAX_STREAMS: u32 = 1 << 20;
export const WINDOW_MIN: u32 = 64;
export const WINDOW_MAX: u32 = 32767;
export const WINDOW_DEFAULT: u32 = 128;

/** Size of one stream slot for a replay window. */
export function streamSlotSize(window: u32): usize {
  return align16(STREAM_FIXED_SIZE + <usize>(windowBitmapBits(window) >> 3));
}

/**
 * Session size for the geometry, cipher family and key length (cipher 0 = big enough for any
 * profile), or 0 when a parameter is out of range or the size overflows.
 */
export function sessionSize(maxStreams: u32, maxKeys: u32, window: u32, cipher: u8, keyLen: u8): usize {
  if (maxStreams < 1 || maxStreams > MAX_STREAMS) return 0;
  if (maxKeys < 1 || maxKeys > MAX_KEYS) return 0;
  if (window < WINDOW_MIN || window > WINDOW_MAX) return 0;
  const total: u64 =
    <u64>SESSION_HEADER_SIZE +
    <u64>maxKeys * <u64>keySlotSize(cipher, keyLen) +
    <u64>tableCapacity(maxStreams) * <u64>TABLE_ENTRY_SIZE +
    <u64>maxStreams * <u64>streamSlotSize(window);
  if (total > 0x7fff0000) return 0;
  return <usize>total;
}
