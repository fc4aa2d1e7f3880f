// Session contexts: initialisation, the per-call validity check, and the small state queries.
import { OK, ERR_ARG, ERR_CAPACITY, ERR_SRTP_MKI, ERR_SRTP_PROFILE } from "../abi/status";
import { inArena } from "../abi/arena";
import {
  SESSION_MAGIC, SESSION_HEADER_SIZE, S_CIPHER_ROOM, S_SRTCP_CIPHER_OFF, S_SRTP_AUTH_OFF, S_SRTCP_AUTH_OFF,
  cipherRoom, srtcpRoom, authRoom, keySlotSize, STREAM_FIXED_SIZE, MAX_KEYS, NO_KEY,
  S_MAGIC, S_DIRECTION, S_PROFILE, S_FLAGS, S_MKI_LEN, S_CIPHER, S_KEY_LEN, S_SALT_LEN,
  S_SRTP_TAG_LEN, S_SRTCP_TAG_LEN, S_MAX_KEYS, S_ACTIVE_KEY, S_LAST_KEY, S_MAX_STREAMS, S_TABLE_MASK,
  S_WINDOW, S_WINDOW_BITS, S_STREAM_SIZE, S_SEED, S_KEYS_OFF, S_TABLE_OFF, S_STREAMS_OFF,
  S_KEY_SLOT_SIZE, S_TOTAL_SIZE, DIR_SENDER, DIR_RECEIVER, sessionSize, streamSlotSize,
} from "./layout";
import {
  CIPHER_AES_CM, CIPHER_AES_GCM, CIPHER_NULL, PARAM_CIPHER, PARAM_KEY_LEN, PARAM_SALT_LEN, PARAM_SRTP_TAG_LEN, PARAM_SRTCP_TAG_LEN,
  profileByte, profileKnown,
} from "./profiles";
import { tableCapacity, TABLE_ENTRY_SIZE } from "./stream_table";
import { windowBitmapBits } from "./replay";

/** The longest MKI (RFC 3711 allows any length; libsrtp and SDES practice use 1..4 octets). */
export const MKI_MAX: usize = 4;

/**
 * Lays out a session in [s, s + len). flags: bit 0 = allow repeated sequence numbers on send;
 * bits 8..15 = SRTCP tag length override for the HMAC profiles (0 = the profile's, else 4..10).
 */
export function sessionInit(
  s: usize, len: usize, direction: i32, profile: i32, maxStreams: u32, maxKeys: u32, window: u32,
  flags: u32, mkiLen: u32, seed: u32,
): i32 {
  if (!profileKnown(profile)) return ERR_SRTP_PROFILE;
  if (direction != <i32>DIR_SENDER && direction != <i32>DIR_RECEIVER) return ERR_ARG;
  if (<usize>mkiLen > MKI_MAX) return ERR_SRTP_MKI;
  const cipher = profileByte(profile, PARAM_CIPHER);
  const keyLen = profileByte(profile, PARAM_KEY_LEN);
  const size = sessionSize(maxStreams, maxKeys, window, cipher, keyLen);
  if (size == 0) return ERR_ARG;
  if (len < size) return ERR_CAPACITY;
  const slotSize = keySlotSize(cipher, keyLen);
  let rtcpTag = profileByte(profile, PARAM_SRTCP_TAG_LEN);
  const tagOverride = (flags >> 8) & 0xff;
  if (tagOverride != 0) {
    if (cipher == CIPHER_AES_GCM || tagOverride < 4 || tagOverride > 10) return ERR_ARG;
    rtcpTag = <u8>tagOverride;
  }
  if ((flags & ~(<u32>0xff01)) != 0) return ERR_ARG;
  memory.fill(s, 0, size);
  const cap = tableCapacity(maxStreams);
  const keysOff = SESSION_HEADER_SIZE;
  const tableOff = keysOff + <usize>maxKeys * slotSize;
  const streamsOff = tableOff + <usize>cap * TABLE_ENTRY_SIZE;
  store<u8>(s, <u8>direction, S_DIRECTION);
  store<u8>(s, <u8>profile, S_PROFILE);
  store<u8>(s, <u8>(flags & 0xff), S_FLAGS);
  store<u8>(s, <u8>mkiLen, S_MKI_LEN);
  store<u8>(s, cipher, S_CIPHER);
  store<u8>(s, keyLen, S_KEY_LEN);
  store<u8>(s, profileByte(profile, PARAM_SALT_LEN), S_SALT_LEN);
  store<u8>(s, profileByte(profile, PARAM_SRTP_TAG_LEN), S_SRTP_TAG_LEN);
  store<u8>(s, rtcpTag, S_SRTCP_TAG_LEN);
  store<u8>(s, <u8>maxKeys, S_MAX_KEYS);
  store<u8>(s, NO_KEY, S_ACTIVE_KEY);
  store<u8>(s, NO_KEY, S_LAST_KEY);
  store<u32>(s, maxStreams, S_MAX_STREAMS);
  store<u32>(s, cap - 1, S_TABLE_MASK);
  store<u32>(s, window, S_WINDOW);
  store<u32>(s, windowBitmapBits(window), S_WINDOW_BITS);
  store<u32>(s, <u32>streamSlotSize(window), S_STREAM_SIZE);
  store<u32>(s, seed, S_SEED);
  store<u32>(s, <u32>keysOff, S_KEYS_OFF);
  store<u32>(s, <u32>tableOff, S_TABLE_OFF);
  store<u32>(s, <u32>streamsOff, S_STREAMS_OFF);
  store<u32>(s, <u32>slotSize, S_KEY_SLOT_SIZE);
  storeRooms(s, cipher, keyLen);
  store<u32>(s, <u32>size, S_TOTAL_SIZE);
  store<u32>(s, SESSION_MAGIC, S_MAGIC);
  return OK;
}

/** The offsets of a key slot's contexts (from K_CIPHERS) for a cipher family and key length. */
function storeRooms(s: usize, cipher: u8, keyLen: u8): void {
  const c = cipherRoom(cipher, keyLen);
  const r = srtcpRoom(cipher, keyLen);
  const a = authRoom(cipher);
  store<u32>(s, <u32>c, S_CIPHER_ROOM);
  store<u32>(s, <u32>c, S_SRTCP_CIPHER_OFF);
  store<u32>(s, <u32>(c + r), S_SRTP_AUTH_OFF);
  store<u32>(s, <u32>(c + r + a), S_SRTCP_AUTH_OFF);
}

/** Do the stored context offsets match the cipher family and key length? */
@inline function roomsOk(s: usize, cipher: u8, keyLen: u8): bool {
  const c = cipherRoom(cipher, keyLen);
  const r = srtcpRoom(cipher, keyLen);
  const a = authRoom(cipher);
  return <usize>load<u32>(s, S_CIPHER_ROOM) == c && <usize>load<u32>(s, S_SRTCP_CIPHER_OFF) == c &&
    <usize>load<u32>(s, S_SRTP_AUTH_OFF) == c + r && <usize>load<u32>(s, S_SRTCP_AUTH_OFF) == c + r + a;
}

/**
 * True when s is an initialised session lying wholly in the arena whose geometry fields are
 * consistent, so that every slot, table entry and bitmap the engine derives from them stays inside
 * [s, s + total). Cheap (a few multiplications): run on every call.
 */
export function sessionCheck(s: usize): bool {
  if (s == memoSession && s != 0 && geometryUnchanged(s)) {
    // The memoised session: its geometry words are those that passed the full check below (a
    // function of them, of s and of the fixed arena bounds), so only the mutable fields the full
    // check reads remain to be checked.
    const maxKeys = <u32>load<u8>(s, S_MAX_KEYS);
    const active = load<u8>(s, S_ACTIVE_KEY);
    const last = load<u8>(s, S_LAST_KEY);
    return (active == NO_KEY || <u32>active < maxKeys) && (last == NO_KEY || <u32>last < maxKeys);
  }
  if (!sessionCheckFull(s)) return false;
  memoSession = s;
  memo0 = load<u64>(s, 0) & MASK_0; memo8 = load<u64>(s, 8); memo16 = load<u64>(s, 16) & MASK_16;
  memo24 = load<u64>(s, 24); memo32 = load<u64>(s, 32); memo56 = load<u64>(s, 56); memo64 = load<u64>(s, 64);
  memo72 = load<u64>(s, 72) & MASK_72; memo128 = load<u64>(s, 128); memo136 = load<u64>(s, 136);
  return true;
}

// sessionCheck's memo: the last session that passed the full check (0 = none: the arena never
// starts at 0, and s = 0 never takes the memo's path, whatever lies at address 0) and its geometry: the header's 64-bit words at the offsets in the names, masked to
// the bytes the full check reads that no call changes. Left out: events (4..7), the active and last
// key (18..19: re-checked each time), stream counts and free list (40..55), key count (76..79),
// counters. In wasm globals, not in memory: the host cannot reach them, and static memory keeps
// its contents (the fuzzers check that nothing below the arena changes).
let memoSession: usize = 0;
let memo0: u64 = 0, memo8: u64 = 0, memo16: u64 = 0, memo24: u64 = 0, memo32: u64 = 0;
let memo56: u64 = 0, memo64: u64 = 0, memo72: u64 = 0, memo128: u64 = 0, memo136: u64 = 0;
/** Bytes 0..3 (magic) of the word at 0 (little-endian loads). */
const MASK_0: u64 = 0x00000000ffffffff;
/** Bytes 16..17 (SRTCP tag length, max keys) and 20..23 (max streams) of the word at 16. */
const MASK_16: u64 = 0xffffffff0000ffff;
/** Bytes 72..75 (total size) of the word at 72. */
const MASK_72: u64 = 0x00000000ffffffff;

/** Are the memoised session's geometry words unchanged? (Its header is in the arena: it passed.) */
@inline function geometryUnchanged(s: usize): bool {
  return (((load<u64>(s, 0) & MASK_0) ^ memo0) | (load<u64>(s, 8) ^ memo8) | ((load<u64>(s, 16) & MASK_16) ^ memo16) |
    (load<u64>(s, 24) ^ memo24) | (load<u64>(s, 32) ^ memo32) | (load<u64>(s, 56) ^ memo56) | (load<u64>(s, 64) ^ memo64) |
    ((load<u64>(s, 72) & MASK_72) ^ memo72) | (load<u64>(s, 128) ^ memo128) | (load<u64>(s, 136) ^ memo136)) == 0;
}

/** The full check (see sessionCheck); srtp_batch_many calls it directly (its sessions change from packet to packet, so a memo would only cost a store). */
export function sessionCheckFull(s: usize): bool {
  if (!inArena(s, SESSION_HEADER_SIZE)) return false;
  if (load<u32>(s, S_MAGIC) != SESSION_MAGIC) return false;
  const total = <usize>load<u32>(s, S_TOTAL_SIZE);
  if (!inArena(s, total)) return false;
  const maxKeys = <u32>load<u8>(s, S_MAX_KEYS);
  const maxStreams = load<u32>(s, S_MAX_STREAMS);
  const cap = <u64>load<u32>(s, S_TABLE_MASK) + 1;
  const bits = load<u32>(s, S_WINDOW_BITS);
  const streamSize = <u64>load<u32>(s, S_STREAM_SIZE);
  const keysOff = <u64>load<u32>(s, S_KEYS_OFF);
  const tableOff = <u64>load<u32>(s, S_TABLE_OFF);
  const streamsOff = <u64>load<u32>(s, S_STREAMS_OFF);
  if (maxKeys < 1 || maxKeys > MAX_KEYS || maxStreams < 1) return false;
  if ((cap & (cap - 1)) != 0 || cap < <u64>maxStreams * 2) return false;
  if (bits < 64 || (bits & (bits - 1)) != 0 || load<u32>(s, S_WINDOW) > bits) return false;
  if (streamSize < <u64>STREAM_FIXED_SIZE + <u64>(bits >> 3)) return false;
  const cipher = load<u8>(s, S_CIPHER);
  if (cipher < CIPHER_AES_CM || cipher > CIPHER_NULL) return false;
  const keyLen = load<u8>(s, S_KEY_LEN);
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return false;
  const slotSize = <u64>keySlotSize(cipher, keyLen);
  if (<u64>load<u32>(s, S_KEY_SLOT_SIZE) != slotSize) return false;
  if (!roomsOk(s, cipher, keyLen)) return false;
  if (keysOff != <u64>SESSION_HEADER_SIZE) return false;
  if (tableOff != keysOff + <u64>maxKeys * slotSize) return false;
  if (streamsOff != tableOff + cap * <u64>TABLE_ENTRY_SIZE) return false;
  if (streamsOff + <u64>maxStreams * streamSize > <u64>total) return false;
  const active = load<u8>(s, S_ACTIVE_KEY);
  if (active != NO_KEY && <u32>active >= maxKeys) return false;
  const last = load<u8>(s, S_LAST_KEY);
  if (last != NO_KEY && <u32>last >= maxKeys) return false;
  return <usize>load<u8>(s, S_MKI_LEN) <= MKI_MAX;
}
