// ABI exports of the SRTP/SRTCP engine (snake_case, prefixes srtp_ / srtcp_). See docs/abi.md
// ("SRTP and SRTCP") and docs/srtp.md. Every export checks every pointer/length pair against the
// arena and the session context's consistency before it touches memory; none traps.
import { OK, ERR_ARG, ERR_BOUNDS, ERR_SRTP_PROFILE, ERR_SRTP_KEY, ERR_SRTP_MKI, ERR_SRTP_NO_STREAM, ERR_SRTP_FULL, ERR_SRTP_STATE, ERR_CAPACITY } from "../abi/status";
import { inArena, overlaps } from "../abi/arena";
import {
  DIR_SENDER, keySlotSize, NO_KEY, S_ACTIVE_KEY, S_AUTH_FAILURES, S_BYTES, S_CIPHER, S_DIRECTION,
  S_EVENTS, S_KEY_LEN, S_LAST_KEY, S_MAX_KEYS, S_MKI_LEN, S_PACKETS, S_REPLAYS, S_SALT_LEN,
  S_STREAM_COUNT, S_TOTAL_SIZE, K_IN_USE, K_MKI, K_MKI_LEN, K_SRTCP_LIMIT, K_SRTCP_USES, K_SRTP_LIMIT,
  K_SRTP_USES, T_AUTH_FAILURES, T_BYTES, T_FLAGS, T_INDEX, T_PACKETS, T_REPLAYS, T_SRTCP_INDEX, T_SRTCP_BITMAP,
  TF_SRTP_SEEN, TF_SRTCP_SEEN, sessionSize, streamSlotSize, WINDOW_MIN, WINDOW_MAX, MAX_STREAMS,
} from "./layout";
import { AUTH_KEY_LEN, CIPHER_AES_GCM, PARAM_CIPHER, PARAM_KEY_LEN, profileByte, profileKnown, profileParam } from "./profiles";
import { sessionCheck, sessionCheckFull, sessionInit, MKI_MAX } from "./session";
import { activeKey, keyAdd, keyByMki, keyInstall, keyRemove, keySlot, keySlotIndex } from "./keys";
import { streamCreate, streamFind, streamRemove, streamRoom } from "./streams";
import { QUEUED, srtpProtect, srtpProtectBegin, srtpProtectEnd, srtpUnprotect, srtpUnprotectBegin, srtpUnprotectEnd } from "./srtp";
import { LANES, L_S, lane, runLaneJobs } from "./lanes";
import { srtcpProtect, srtcpUnprotect } from "./srtcp";
import { SRTCP_INDEX_MASK } from "./rtp_header";
import { wipeWork } from "./work";

// ---- profiles and geometry ----

/** A field of the profile table (0 cipher, 1 key, 2 salt, 3 SRTP tag, 4 SRTCP tag, 5 k_a length,
 *  6 DTLS-SRTP id), or ERR_ARG for an unknown profile / field. */
export function srtp_profile_param(profile: i32, which: i32): i32 {
  const v = profileParam(profile, which);
  return v < 0 ? ERR_ARG : v;
}

/**
 * Bytes of a session context for (max streams 1..2^20, max keys 1..15, replay window 64..32767) and
 * a profile (0: big enough for any profile).
 */
export function srtp_session_size(maxStreams: u32, maxKeys: u32, window: u32, profile: i32): i32 {
  if (profile != 0 && !profileKnown(profile)) return ERR_SRTP_PROFILE;
  const n = profile == 0
    ? sessionSize(maxStreams, maxKeys, window, 0, 32)
    : sessionSize(maxStreams, maxKeys, window, profileByte(profile, PARAM_CIPHER), profileByte(profile, PARAM_KEY_LEN));
  return n == 0 ? ERR_ARG : <i32>n;
}

/** Bytes of one master key's slot for a profile (0: the largest). */
export function srtp_key_slot_size(profile: i32): i32 {
  if (profile != 0 && !profileKnown(profile)) return ERR_SRTP_PROFILE;
  return <i32>(profile == 0 ? keySlotSize(0, 32) : keySlotSize(profileByte(profile, PARAM_CIPHER), profileByte(profile, PARAM_KEY_LEN)));
}

/** Bytes of one stream (per-SSRC) slot for a replay window (not counting its SSRC-table entries). */
export function srtp_stream_slot_size(window: u32): i32 {
  if (window < WINDOW_MIN || window > WINDOW_MAX) return ERR_ARG;
  return <i32>streamSlotSize(window);
}

/**
 * Initialises a session context at s (len bytes, 16-byte aligned). direction 1 sender, 2 receiver;
 * flags bit 0 allow repeated sequence numbers on send, bits 8..15 SRTCP tag length override
 * (HMAC profiles, 4..10; 0 = profile default); mki_len 0..4 fixes the MKI length of every key;
 * seed keys the SSRC hash (the host passes a random word).
 */
export function srtp_session_init(
  s: usize, len: usize, direction: i32, profile: i32, maxStreams: u32, maxKeys: u32, window: u32,
  flags: u32, mkiLen: u32, seed: u32,
): i32 {
  if (!inArena(s, len)) return ERR_BOUNDS;
  if ((s & 15) != 0) return ERR_ARG;
  return sessionInit(s, len, direction, profile, maxStreams, maxKeys, window, flags, mkiLen, seed);
}

// ---- master keys ----

/**
 * Adds a master key (RFC 3711 §4.3 key derivation, kdr 0) with its MKI (mki_len must equal the
 * session's) and SDES lifetime in packets (0 = 2^48 SRTP / 2^31 SRTCP). The first key becomes the
 * active one. Returns the key slot index.
 */
export function srtp_key_add(s: usize, key: usize, keyLen: usize, salt: usize, saltLen: usize, mki: usize, mkiLen: usize, lifetime: f64): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(key, keyLen) || !inArena(salt, saltLen) || !inArena(mki, mkiLen)) return ERR_BOUNDS;
  if (mkiLen > MKI_MAX) return ERR_SRTP_MKI;
  const r = keyAdd(s, key, keyLen, salt, saltLen, mki, mkiLen, lifetime);
  wipeWork();
  return r;
}

/**
 * Adds a master key given by its session keys instead (for known-answer tests such as RFC 7714's,
 * which publish session keys only): keys = SRTP k_e || k_a || k_s || SRTCP k_e || k_a || k_s, k_a
 * absent for the AEAD profiles.
 */
export function srtp_key_add_session_keys(s: usize, keys: usize, keysLen: usize, mki: usize, mkiLen: usize, lifetime: f64): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(keys, keysLen) || !inArena(mki, mkiLen)) return ERR_BOUNDS;
  if (mkiLen > MKI_MAX) return ERR_SRTP_MKI;
  const authLen: usize = load<u8>(s, S_CIPHER) == CIPHER_AES_GCM ? 0 : <usize>AUTH_KEY_LEN;
  const want = <usize>2 * (<usize>load<u8>(s, S_KEY_LEN) + authLen + <usize>load<u8>(s, S_SALT_LEN));
  if (keysLen != want) return ERR_SRTP_KEY;
  return keyInstall(s, keys, mki, mkiLen, lifetime);
}

/** Makes the key with this MKI the one used to protect (and, without MKIs, to unprotect). */
export function srtp_key_use(s: usize, mki: usize, mkiLen: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(mki, mkiLen)) return ERR_BOUNDS;
  const k = keyByMki(s, mki, mkiLen);
  if (k == 0) return ERR_SRTP_MKI;
  const idx = keySlotIndex(s, k);
  store<u8>(s, <u8>idx, S_ACTIVE_KEY);
  return <i32>idx;
}

/** Removes (and wipes) the key with this MKI. Removing the active key leaves none active. */
export function srtp_key_remove(s: usize, mki: usize, mkiLen: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(mki, mkiLen)) return ERR_BOUNDS;
  const k = keyByMki(s, mki, mkiLen);
  if (k == 0) return ERR_SRTP_MKI;
  const idx = keySlotIndex(s, k);
  if (load<u8>(s, S_LAST_KEY) == <u8>idx) store<u8>(s, NO_KEY, S_LAST_KEY);
  keyRemove(s, k);
  return OK;
}

/** Size of the record srtp_key_info writes. */
const KEY_INFO_SIZE: usize = 40;

/**
 * Writes a key slot's record (40 bytes) to out: u64 SRTP uses, u64 SRTP limit, u64 SRTCP uses,
 * u64 SRTCP limit (little-endian), u8 in use, u8 MKI length, 4 MKI octets, 2 zero octets.
 * slot = -1 means the active key, -2 the key of the last packet. Returns 40, or ERR_SRTP_STATE when
 * that slot holds no key.
 */
export function srtp_key_info(s: usize, slot: i32, out: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(out, KEY_INFO_SIZE)) return ERR_BOUNDS;
  let n: i32 = slot;
  if (slot == -1) n = load<u8>(s, S_ACTIVE_KEY) == NO_KEY ? -3 : <i32>load<u8>(s, S_ACTIVE_KEY);
  else if (slot == -2) n = load<u8>(s, S_LAST_KEY) == NO_KEY ? -3 : <i32>load<u8>(s, S_LAST_KEY);
  if (n < 0 || n >= <i32>load<u8>(s, S_MAX_KEYS)) return ERR_SRTP_STATE;
  const k = keySlot(s, <u32>n);
  if (load<u8>(k, K_IN_USE) == 0) return ERR_SRTP_STATE;
  store<u64>(out, load<u64>(k, K_SRTP_USES));
  store<u64>(out, load<u64>(k, K_SRTP_LIMIT), 8);
  store<u64>(out, load<u64>(k, K_SRTCP_USES), 16);
  store<u64>(out, load<u64>(k, K_SRTCP_LIMIT), 24);
  store<u8>(out, 1, 32);
  store<u8>(out, load<u8>(k, K_MKI_LEN), 33);
  for (let j: usize = 0; j < 4; j++) store<u8>(out + 34 + j, load<u8>(k + K_MKI + j));
  store<u16>(out, 0, 38);
  return <i32>KEY_INFO_SIZE;
}

/**
 * Returns and clears the pending key-limit events: bit n = key slot n passed its soft limit,
 * bit 16 + n = key slot n reached its hard limit (the next packet under it is refused).
 * The word also sits at offset 4 of the session, so a host can test it without a call.
 */
export function srtp_events(s: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  const e = load<u32>(s, S_EVENTS);
  store<u32>(s, 0, S_EVENTS);
  return <i32>e; // at most 15 keys: bit 31 is never set, so events never look like a status
}

// ---- packets ----

/** Common argument checks of the four packet calls: session, ranges, overlap. */
@inline function packetArgs(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(src, len) || !inArena(dst, cap)) return ERR_BOUNDS;
  if (src != dst && overlaps(src, len, dst, cap)) return ERR_ARG;
  return OK;
}

/** Protects RTP src[0..len) into dst (capacity cap; dst == src in place). Returns the SRTP length. */
export function srtp_protect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const r = packetArgs(s, src, len, dst, cap);
  if (r != OK) return r;
  if (load<u8>(s, S_DIRECTION) != DIR_SENDER) return ERR_SRTP_STATE;
  const n = srtpProtect(s, src, len, dst, cap);
  wipeWork();
  return n;
}

/** Unprotects SRTP src[0..len) into dst. Returns the RTP length. */
export function srtp_unprotect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const r = packetArgs(s, src, len, dst, cap);
  if (r != OK) return r;
  if (load<u8>(s, S_DIRECTION) == DIR_SENDER) return ERR_SRTP_STATE;
  const n = srtpUnprotect(s, src, len, dst, cap);
  wipeWork();
  return n;
}

/** Protects RTCP src[0..len) into dst. Returns the SRTCP length. */
export function srtcp_protect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const r = packetArgs(s, src, len, dst, cap);
  if (r != OK) return r;
  if (load<u8>(s, S_DIRECTION) != DIR_SENDER) return ERR_SRTP_STATE;
  const n = srtcpProtect(s, src, len, dst, cap);
  wipeWork();
  return n;
}

/** Unprotects SRTCP src[0..len) into dst. Returns the RTCP length. */
export function srtcp_unprotect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const r = packetArgs(s, src, len, dst, cap);
  if (r != OK) return r;
  if (load<u8>(s, S_DIRECTION) == DIR_SENDER) return ERR_SRTP_STATE;
  const n = srtcpUnprotect(s, src, len, dst, cap);
  wipeWork();
  return n;
}

const BATCH_PROTECT_RTP: i32 = 0;
const BATCH_UNPROTECT_RTP: i32 = 1;
const BATCH_PROTECT_RTCP: i32 = 2;
const BATCH_UNPROTECT_RTCP: i32 = 3;
/** A batch descriptor: u32 ptr, u32 len, u32 cap, i32 result (little-endian). */
const DESC_SIZE: usize = 16;

/**
 * Processes `count` packets in place, one host->wasm crossing for all of them. descs points at
 * count 16-byte descriptors {u32 ptr, u32 len, u32 cap, i32 result}; each packet is read from
 * [ptr, ptr + len) and its result written back in place (capacity cap); `result` receives the new
 * length or a status (ERR_BOUNDS when the descriptor's range is outside the arena or len > cap).
 * op: 0 protect RTP, 1 unprotect RTP, 2 protect RTCP, 3 unprotect RTCP. Returns the number of
 * packets that succeeded.
 */
export function srtp_batch(s: usize, op: i32, descs: usize, count: u32): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (count > 0x1000000 || !inArena(descs, <usize>count * DESC_SIZE)) return ERR_BOUNDS;
  if (<u32>op > 3) return ERR_ARG;
  const sender = load<u8>(s, S_DIRECTION) == DIR_SENDER;
  if (sender != ((op & 1) == 0)) return ERR_SRTP_STATE;
  let ok: i32 = 0;
  for (let n: u32 = 0; n < count; n++) {
    const d = descs + <usize>n * DESC_SIZE;
    const p = <usize>load<u32>(d);
    const len = <usize>load<u32>(d, 4);
    const cap = <usize>load<u32>(d, 8);
    let r: i32;
    if (len > cap || !inArena(p, cap)) r = ERR_BOUNDS;
    else if (op == BATCH_PROTECT_RTP) r = srtpProtect(s, p, len, p, cap);
    else if (op == BATCH_UNPROTECT_RTP) r = srtpUnprotect(s, p, len, p, cap);
    else if (op == BATCH_PROTECT_RTCP) r = srtcpProtect(s, p, len, p, cap);
    else r = srtcpUnprotect(s, p, len, p, cap);
    store<i32>(d, r, 12);
    if (r >= 0) ok++;
  }
  wipeWork();
  return ok;
}

/** A many-session batch descriptor: u32 session, u32 ptr, u32 len, u32 cap, i32 result, u32 reserved. */
const MANY_DESC_SIZE: usize = 24;

/**
 * srtp_batch over packets of many sessions (one gateway tick: every call's packet in one crossing).
 * descs points at count 24-byte descriptors {u32 session, u32 ptr, u32 len, u32 cap, i32 result,
 * u32 reserved}; each packet is processed in place in [ptr, ptr + cap) under its own session and
 * `result` receives its length or status: ERR_SRTP_STATE for a session that is not a valid context
 * of the right direction, ERR_BOUNDS for a packet range outside the arena or len > cap, or the
 * packet's own status. op as in srtp_batch. Returns the number of packets that succeeded. Each
 * packet costs what the single-packet call costs minus the host->wasm crossing; the sessions' kept
 * keystream (keystream.ts) works across the batch as across single calls.
 */
export function srtp_batch_many(op: i32, descs: usize, count: u32): i32 {
  if (count > 0x1000000 || !inArena(descs, <usize>count * MANY_DESC_SIZE)) return ERR_BOUNDS;
  if (<u32>op > 3) return ERR_ARG;
  const wantSender = (op & 1) == 0;
  const rtp = op <= BATCH_UNPROTECT_RTP;
  let ok: i32 = 0;
  let checked: usize = 0; // the last session that passed sessionCheck (consecutive packets of one session)
  let queued: usize = 0; // RTP packets whose HMAC waits in lanes 0..queued-1 (descriptors in QUEUED_DESCS)
  for (let n: u32 = 0; n < count; n++) {
    const d = descs + <usize>n * MANY_DESC_SIZE;
    const s = <usize>load<u32>(d);
    const p = <usize>load<u32>(d, 4);
    const len = <usize>load<u32>(d, 8);
    const cap = <usize>load<u32>(d, 12);
    let r: i32;
    if (s != checked && !sessionCheckFull(s)) r = ERR_SRTP_STATE;
    else if ((load<u8>(s, S_DIRECTION) == DIR_SENDER) != wantSender) r = ERR_SRTP_STATE;
    else if (len > cap || !inArena(p, cap) || overlaps(p, cap, s, <usize>load<u32>(s, S_TOTAL_SIZE))) r = ERR_BOUNDS;
    else {
      checked = s;
      if (rtp) {
        // A packet joins the lanes only if it shares no session and no memory with a queued one
        // (its session's state must be committed first, and no lane may write where another reads).
        if (queued != 0 && laneClash(queued, s, p, cap)) {
          ok += finishLanes(op, queued);
          queued = 0;
        }
        r = op == BATCH_PROTECT_RTP ? srtpProtectBegin(queued, s, p, len, p, cap) : srtpUnprotectBegin(queued, s, p, len, p, cap);
        if (r == QUEUED) {
          store<u32>(QUEUED_DESCS + (queued << 2), <u32>d);
          store<u32>(QUEUED_SPANS + (queued << 4), <u32>p);
          store<u32>(QUEUED_SPANS + (queued << 4), <u32>(p + cap), 4);
          queued++;
          if (queued == LANES) {
            ok += finishLanes(op, queued);
            queued = 0;
          }
          continue;
        }
      } else if (op == BATCH_PROTECT_RTCP) r = srtcpProtect(s, p, len, p, cap);
      else r = srtcpUnprotect(s, p, len, p, cap);
    }
    store<i32>(d, r, 16);
    if (r >= 0) ok++;
  }
  if (queued != 0) ok += finishLanes(op, queued);
  wipeWork();
  return ok;
}

// The queued packets' descriptors and their [start, end) ranges in the arena, per lane.
const QUEUED_DESCS: usize = memory.data(<i32>(LANES << 2), 16);
const QUEUED_SPANS: usize = memory.data(<i32>(LANES << 4), 16);

/** True when session s, or the packet range [p, p + cap), meets a queued lane's session or packet. */
function laneClash(queued: usize, s: usize, p: usize, cap: usize): bool {
  const total = <usize>load<u32>(s, S_TOTAL_SIZE);
  for (let j: usize = 0; j < queued; j++) {
    const sj = <usize>load<u32>(lane(j), L_S);
    const pj = <usize>load<u32>(QUEUED_SPANS + (j << 4));
    const ej = <usize>load<u32>(QUEUED_SPANS + (j << 4), 4);
    if (sj == s) return true;
    if (overlaps(p, cap, pj, ej - pj) || overlaps(s, total, pj, ej - pj)) return true;
    if (overlaps(p, cap, sj, <usize>load<u32>(sj, S_TOTAL_SIZE))) return true;
  }
  return false;
}

/** Computes the queued lanes' tags in one pass and finishes their packets; returns how many succeeded. */
function finishLanes(op: i32, queued: usize): i32 {
  runLaneJobs(queued);
  let ok: i32 = 0;
  for (let j: usize = 0; j < queued; j++) {
    const r = op == BATCH_PROTECT_RTP ? srtpProtectEnd(j) : srtpUnprotectEnd(j);
    store<i32>(<usize>load<u32>(QUEUED_DESCS + (j << 2)), r, 16);
    store<u32>(QUEUED_DESCS + (j << 2), 0);
    store<u64>(QUEUED_SPANS + (j << 4), 0);
    if (r >= 0) ok++;
  }
  return ok;
}

// ---- streams ----

/** Writes the ROC of the stream's highest index (or the ROC set for its first packet) to out (u32 LE). */
export function srtp_get_roc(s: usize, ssrc: u32, out: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(out, 4)) return ERR_BOUNDS;
  const t = streamFind(s, ssrc);
  if (t == 0) return ERR_SRTP_NO_STREAM;
  store<u32>(out, <u32>(load<u64>(t, T_INDEX) >> 16));
  return OK;
}

/** Finds the stream of ssrc, creating it (host command, not packet driven) when absent. */
function streamForHost(s: usize, ssrc: u32): usize {
  const t = streamFind(s, ssrc);
  if (t != 0) return t;
  if (!streamRoom(s)) return 0;
  return streamCreate(s, ssrc);
}

/**
 * Sets the ROC of a stream (RFC 3711 §3.3.1; e.g. a sender joining a running stream, or a test
 * simulating 2^31 packets). Keeps s_l and the replay window; before the stream's first packet,
 * the first packet's index becomes ROC * 2^16 + SEQ. Creates the stream if needed (ERR_SRTP_FULL).
 */
export function srtp_set_roc(s: usize, ssrc: u32, roc: u32): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  const t = streamForHost(s, ssrc);
  if (t == 0) return ERR_SRTP_FULL;
  store<u64>(t, (<u64>roc << 16) | (load<u64>(t, T_INDEX) & 0xffff), T_INDEX);
  return OK;
}

/** Writes the stream's SRTCP index (sender: the next one to send; receiver: the highest received). */
export function srtcp_get_index(s: usize, ssrc: u32, out: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(out, 4)) return ERR_BOUNDS;
  const t = streamFind(s, ssrc);
  if (t == 0) return ERR_SRTP_NO_STREAM;
  store<u32>(out, load<u32>(t, T_SRTCP_INDEX));
  return OK;
}

/**
 * Sender: sets the next SRTCP index to send (0..2^31-1; 2^31 marks the index space used up).
 * Receiver: sets the highest SRTCP index received (the replay window restarts empty there).
 */
export function srtcp_set_index(s: usize, ssrc: u32, index: u32): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (index > SRTCP_INDEX_MASK + 1) return ERR_ARG;
  const t = streamForHost(s, ssrc);
  if (t == 0) return ERR_SRTP_FULL;
  store<u32>(t, index, T_SRTCP_INDEX);
  if (load<u8>(s, S_DIRECTION) != DIR_SENDER) {
    store<u32>(t, load<u32>(t, T_FLAGS) | TF_SRTCP_SEEN, T_FLAGS);
    memory.fill(t + T_SRTCP_BITMAP, 0, 16);
  }
  return OK;
}

/** Removes a stream and wipes its slot. */
export function srtp_stream_remove(s: usize, ssrc: u32): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  return streamRemove(s, ssrc) ? OK : ERR_SRTP_NO_STREAM;
}

/** Number of streams in the session. */
export function srtp_stream_count(s: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  return <i32>load<u32>(s, S_STREAM_COUNT);
}

const STATS_SIZE: usize = 48;

/**
 * Writes 48 bytes of counters to out (u64 little-endian each): packets, bytes (plaintext RTP/RTCP),
 * auth failures, replays, highest SRTP index (ROC * 2^16 + s_l; all ones before the first packet),
 * flags (1 SRTP seen, 2 SRTCP seen) — of the stream of ssrc when whole == 0, else of the whole
 * session (index and flags 0). Returns 48 or ERR_SRTP_NO_STREAM.
 */
export function srtp_stats(s: usize, ssrc: u32, whole: i32, out: usize): i32 {
  if (!sessionCheck(s)) return ERR_SRTP_STATE;
  if (!inArena(out, STATS_SIZE)) return ERR_BOUNDS;
  if (whole != 0) {
    store<u64>(out, load<u64>(s, S_PACKETS));
    store<u64>(out, load<u64>(s, S_BYTES), 8);
    store<u64>(out, load<u64>(s, S_AUTH_FAILURES), 16);
    store<u64>(out, load<u64>(s, S_REPLAYS), 24);
    store<u64>(out, 0, 32);
    store<u64>(out, 0, 40);
    return <i32>STATS_SIZE;
  }
  const t = streamFind(s, ssrc);
  if (t == 0) return ERR_SRTP_NO_STREAM;
  const f = load<u32>(t, T_FLAGS);
  store<u64>(out, load<u64>(t, T_PACKETS));
  store<u64>(out, load<u64>(t, T_BYTES), 8);
  store<u64>(out, <u64>load<u32>(t, T_AUTH_FAILURES), 16);
  store<u64>(out, <u64>load<u32>(t, T_REPLAYS), 24);
  store<u64>(out, (f & TF_SRTP_SEEN) != 0 ? load<u64>(t, T_INDEX) : 0xffffffffffffffff, 32);
  store<u64>(out, <u64>(((f & TF_SRTP_SEEN) != 0 ? 1 : 0) | ((f & TF_SRTCP_SEEN) != 0 ? 2 : 0)), 40);
  return <i32>STATS_SIZE;
}

