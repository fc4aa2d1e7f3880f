// SRTP protect / unprotect (RFC 3711 §3.3, RFC 7714 §8).
//
// Packet layouts (MKI present only when the session has an MKI length):
//   HMAC profiles:  header || E(payload) || MKI || tag          tag = HMAC-SHA1(k_a, header || E(payload) || ROC)
//   AEAD profiles:  header || E(payload) || tag || MKI          AAD = header (RFC 7714 §8.2), MKI placed as libsrtp does
//
// Order of work, both directions: header validation; key selection (MKI); key-usage limit; stream
// lookup; packet index estimation; replay check; capacity check; then the cryptography; and only
// after it succeeded, the commit (stream creation, replay window, ROC, counters, key use). A packet
// that fails any step changes no state and writes no output (in-place calls: the input is intact).
//
// The HMAC runs over contiguous memory: the 4-octet ROC is written where the MKI/tag go (as libsrtp
// does), and on unprotect the 4 octets it covers are saved and put back before the tag is compared.
import {
  OK, ERR_SRTP_AUTH_FAIL, ERR_SRTP_BUFFER, ERR_SRTP_FULL, ERR_SRTP_KEY_EXPIRED, ERR_SRTP_MALFORMED,
  ERR_SRTP_MKI, ERR_SRTP_REPEAT_TX, ERR_SRTP_REPLAY, ERR_SRTP_STATE,
} from "../abi/status";
import { ctEqual } from "../util/ct";
import {
  FLAG_ALLOW_REPEAT_TX, srtpAuthCtx, srtpCipherCtx, K_SRTP_SALT, S_CIPHER, S_FLAGS, S_MKI_LEN,
  S_SRTP_TAG_LEN, S_ERR_FLAGS, S_ERR_INDEX, S_ERR_SSRC, S_WINDOW, S_WINDOW_BITS, T_FLAGS, T_INDEX, T_SRTP_BITMAP, TF_SRTP_SEEN,
} from "./layout";
import { CIPHER_AES_CM, CIPHER_AES_GCM, GCM_IV_LEN, GCM_TAG_LEN } from "./profiles";
import { RTP_FIXED_HEADER_LEN, rtpHeaderLen, rtpPaddingOk, rtpSeq, rtpSsrc, storeBe32 } from "./rtp_header";
import { estimateIndex, indexRoc, INDEX_INVALID } from "./index_estimate";
import { replayCheck, replayCommit } from "./replay";
import { streamCreate, streamFind, streamRoom } from "./streams";
import { activeKey, keyByMki, keyUsable } from "./keys";
import { buildIv, IV_SSRC_OFFSET_CM, IV_SSRC_OFFSET_GCM } from "./iv";
import { countAuthFailure, countPacket, countReplay, writeMki } from "./common";
import { gcmOpen, gcmSeal } from "./primitives";
import { W_IV } from "./work";
import { LANE_TAGS, LF_REPEAT, LF_SEEN, L_DST, L_FLAGS, L_H, L_HL, L_I, L_K, L_LEN, L_MKI_LEN, L_S, L_SAVED, L_SRC, L_SSRC, L_T, L_TAG_LEN, lane, laneDone, laneJob, laneOpen, runLaneJobs } from "./lanes";
import { srtpCmCrypt } from "./keystream";

/** Records the SSRC / index of the packet being processed, for the host's error objects. */
@inline export function noteSsrc(s: usize, ssrc: u32): void {
  store<u32>(s, ssrc, S_ERR_SSRC);
  store<u32>(s, 1, S_ERR_FLAGS);
}

@inline export function noteIndex(s: usize, i: u64): void {
  store<u64>(s, i, S_ERR_INDEX);
  store<u32>(s, 3, S_ERR_FLAGS);
}

/** Index of the first packet of a stream: the ROC set beforehand (0 by default) and SEQ. */
@inline function firstIndex(h: u64, seq: u32): u64 {
  return (h & ~(<u64>0xffff)) | <u64>seq;
}

/** Commits an accepted SRTP index to the stream's window and highest index. */
@inline function commitIndex(s: usize, t: usize, seen: bool, h: u64, i: u64): void {
  store<u64>(t, replayCommit(t + T_SRTP_BITMAP, load<u32>(s, S_WINDOW_BITS), seen, h, i), T_INDEX);
  store<u32>(t, load<u32>(t, T_FLAGS) | TF_SRTP_SEEN, T_FLAGS);
}

/** *Begin's result when the packet's HMAC job was queued in its lane (never a length or status). */
export const QUEUED: i32 = i32.MAX_VALUE;

/**
 * Protects the RTP packet src[0..len) into dst (capacity cap; dst == src for in place).
 * Returns the SRTP packet length or a status.
 */
export function srtpProtect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const r = srtpProtectBegin(0, s, src, len, dst, cap);
  if (r != QUEUED) return r;
  runLaneJobs(1);
  return srtpProtectEnd(0);
}

/**
 * First half of protect, in lane j: every check, then the encryption; for the HMAC profiles the
 * authenticated portion || ROC is left contiguous in dst and its tag job queued (returns QUEUED);
 * AEAD packets are done here (returns the length). On a status nothing was changed or written.
 */
export function srtpProtectBegin(j: usize, s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  store<u32>(s, 0, S_ERR_FLAGS);
  const hlr = rtpHeaderLen(src, len);
  if (hlr < 0) return hlr;
  const hl = <usize>hlr;
  if (!rtpPaddingOk(src, hl, len)) return ERR_SRTP_MALFORMED;
  const k = activeKey(s);
  if (k == 0) return ERR_SRTP_STATE;
  if (!keyUsable(k, false)) return ERR_SRTP_KEY_EXPIRED;
  const ssrc = rtpSsrc(src);
  const seq = rtpSeq(src);
  noteSsrc(s, ssrc);
  let t = streamFind(s, ssrc);
  let seen = false;
  let h: u64 = 0;
  if (t != 0) {
    seen = (load<u32>(t, T_FLAGS) & TF_SRTP_SEEN) != 0;
    h = load<u64>(t, T_INDEX);
  } else if (!streamRoom(s)) return ERR_SRTP_FULL;
  const i = seen ? estimateIndex(h, seq) : firstIndex(h, seq);
  if (i == INDEX_INVALID) return ERR_SRTP_KEY_EXPIRED;
  noteIndex(s, i);
  let repeat = false;
  if (seen) {
    const r = replayCheck(t + T_SRTP_BITMAP, load<u32>(s, S_WINDOW_BITS), load<u32>(s, S_WINDOW), true, h, i);
    if (r == ERR_SRTP_REPLAY) {
      if ((load<u8>(s, S_FLAGS) & FLAG_ALLOW_REPEAT_TX) == 0) return ERR_SRTP_REPEAT_TX;
      repeat = true;
    } else if (r != OK) return r;
  }
  const cipher = load<u8>(s, S_CIPHER);
  const mkiLen = <usize>load<u8>(s, S_MKI_LEN);
  const tagLen: usize = cipher == CIPHER_AES_GCM ? <usize>GCM_TAG_LEN : <usize>load<u8>(s, S_SRTP_TAG_LEN);
  const outLen = len + mkiLen + tagLen;
  if (outLen > cap) return ERR_SRTP_BUFFER;
  if (t == 0) {
    t = streamCreate(s, ssrc);
    if (t == 0) return ERR_SRTP_STATE;
  }
  const payloadLen = len - hl;
  if (dst != src) memory.copy(dst, src, hl);
  if (cipher == CIPHER_AES_GCM) {
    const iv = W_IV;
    buildIv(iv, k + K_SRTP_SALT, IV_SSRC_OFFSET_GCM, ssrc, i);
    gcmSeal(srtpCipherCtx(s, k), iv, GCM_IV_LEN, dst, hl, src + hl, dst + hl, payloadLen, dst + len, tagLen);
    writeMki(dst + len + tagLen, k, mkiLen);
    if (!repeat) commitIndex(s, t, seen, h, i);
    countPacket(s, t, k, len, false);
    return <i32>outLen;
  }
  if (cipher == CIPHER_AES_CM) {
    srtpCmCrypt(s, k, ssrc, i, src + hl, dst + hl, payloadLen);
  } else if (dst != src) {
    memory.copy(dst + hl, src + hl, payloadLen);
  }
  // Authenticated portion || ROC, contiguous: the ROC sits where MKI || tag go (>= 4 octets).
  storeBe32(dst + len, indexRoc(i));
  laneOpen(j, s, t, k, (seen ? LF_SEEN : 0) | (repeat ? LF_REPEAT : 0), h, i, src, dst, len, mkiLen, tagLen);
  laneJob(j, srtpAuthCtx(s, k), dst, len + 4, dst + len + mkiLen, tagLen);
  return QUEUED;
}

/** Second half of protect for lane j, after its tag was written: the MKI, then the commit. */
export function srtpProtectEnd(j: usize): i32 {
  const l = lane(j);
  const s = <usize>load<u32>(l, L_S);
  const t = <usize>load<u32>(l, L_T);
  const k = <usize>load<u32>(l, L_K);
  const flags = load<u32>(l, L_FLAGS);
  const len = <usize>load<u32>(l, L_LEN);
  const mkiLen = <usize>load<u32>(l, L_MKI_LEN);
  writeMki(<usize>load<u32>(l, L_DST) + len, k, mkiLen);
  if ((flags & LF_REPEAT) == 0) commitIndex(s, t, (flags & LF_SEEN) != 0, load<u64>(l, L_H), load<u64>(l, L_I));
  countPacket(s, t, k, len, false);
  const outLen = len + mkiLen + <usize>load<u32>(l, L_TAG_LEN);
  laneDone(j);
  return <i32>outLen;
}

/**
 * Verifies and decrypts the SRTP packet src[0..len) into dst (capacity cap; dst == src for in
 * place). Returns the RTP packet length or a status.
 */
export function srtpUnprotect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  const r = srtpUnprotectBegin(0, s, src, len, dst, cap);
  if (r != QUEUED) return r;
  runLaneJobs(1);
  return srtpUnprotectEnd(0);
}

/**
 * First half of unprotect, in lane j: every check up to the authentication; for the HMAC profiles
 * the ROC is put after the authenticated portion (the 4 octets it covers are saved in the lane) and
 * the tag job queued (returns QUEUED); AEAD packets are done here. On a status nothing was changed.
 */
export function srtpUnprotectBegin(j: usize, s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  store<u32>(s, 0, S_ERR_FLAGS);
  const cipher = load<u8>(s, S_CIPHER);
  const mkiLen = <usize>load<u8>(s, S_MKI_LEN);
  const tagLen: usize = cipher == CIPHER_AES_GCM ? <usize>GCM_TAG_LEN : <usize>load<u8>(s, S_SRTP_TAG_LEN);
  if (len < RTP_FIXED_HEADER_LEN + mkiLen + tagLen) return ERR_SRTP_MALFORMED;
  const outLen = len - mkiLen - tagLen;
  const hlr = rtpHeaderLen(src, outLen);
  if (hlr < 0) return hlr;
  const hl = <usize>hlr;
  const ssrc = rtpSsrc(src);
  const seq = rtpSeq(src);
  noteSsrc(s, ssrc);
  let k: usize;
  if (mkiLen != 0) {
    k = keyByMki(s, cipher == CIPHER_AES_GCM ? src + len - mkiLen : src + outLen, mkiLen);
    if (k == 0) return ERR_SRTP_MKI;
  } else {
    k = activeKey(s);
    if (k == 0) return ERR_SRTP_STATE;
  }
  if (!keyUsable(k, false)) return ERR_SRTP_KEY_EXPIRED;
  const t = streamFind(s, ssrc);
  let seen = false;
  let h: u64 = 0;
  if (t != 0) {
    seen = (load<u32>(t, T_FLAGS) & TF_SRTP_SEEN) != 0;
    h = load<u64>(t, T_INDEX);
  } else if (!streamRoom(s)) return ERR_SRTP_FULL;
  const i = seen ? estimateIndex(h, seq) : firstIndex(h, seq);
  if (i == INDEX_INVALID) return ERR_SRTP_KEY_EXPIRED;
  noteIndex(s, i);
  if (seen) {
    const r = replayCheck(t + T_SRTP_BITMAP, load<u32>(s, S_WINDOW_BITS), load<u32>(s, S_WINDOW), true, h, i);
    if (r != OK) {
      countReplay(s, t);
      return r;
    }
  }
  if (outLen > cap) return ERR_SRTP_BUFFER;
  if (cipher == CIPHER_AES_GCM) {
    const iv = W_IV;
    buildIv(iv, k + K_SRTP_SALT, IV_SSRC_OFFSET_GCM, ssrc, i);
    // gcmOpen verifies before it decrypts and writes nothing when the tag is wrong.
    if (gcmOpen(srtpCipherCtx(s, k), iv, GCM_IV_LEN, src, hl, src + hl, dst + hl, outLen - hl, src + outLen, tagLen) != OK) {
      countAuthFailure(s, t);
      return ERR_SRTP_AUTH_FAIL;
    }
    let st = t;
    if (st == 0) {
      st = streamCreate(s, ssrc);
      if (st == 0) return ERR_SRTP_STATE;
    }
    if (dst != src) memory.copy(dst, src, hl);
    commitIndex(s, st, seen, h, i);
    countPacket(s, st, k, outLen, false);
    return <i32>outLen;
  }
  const l = laneOpen(j, s, t, k, seen ? LF_SEEN : 0, h, i, src, dst, outLen, mkiLen, tagLen);
  store<u32>(l, load<u32>(src + outLen), L_SAVED);
  storeBe32(src + outLen, indexRoc(i));
  store<u32>(l, <u32>hl, L_HL);
  store<u32>(l, ssrc, L_SSRC);
  laneJob(j, srtpAuthCtx(s, k), src, outLen + 4, LANE_TAGS + (j << 5), tagLen);
  return QUEUED;
}

/** Second half of unprotect for lane j, after its tag was computed: compare, decrypt, commit. */
export function srtpUnprotectEnd(j: usize): i32 {
  const l = lane(j);
  const s = <usize>load<u32>(l, L_S);
  const t = <usize>load<u32>(l, L_T);
  const k = <usize>load<u32>(l, L_K);
  const src = <usize>load<u32>(l, L_SRC);
  const dst = <usize>load<u32>(l, L_DST);
  const outLen = <usize>load<u32>(l, L_LEN);
  const hl = <usize>load<u32>(l, L_HL);
  const ssrc = load<u32>(l, L_SSRC);
  const i = load<u64>(l, L_I);
  store<u32>(src + outLen, load<u32>(l, L_SAVED));
  // Constant-time comparison: the time does not depend on where a forged tag differs.
  const good = ctEqual(LANE_TAGS + (j << 5), src + outLen + <usize>load<u32>(l, L_MKI_LEN), <usize>load<u32>(l, L_TAG_LEN));
  const seen = (load<u32>(l, L_FLAGS) & LF_SEEN) != 0;
  const h = load<u64>(l, L_H);
  laneDone(j);
  if (!good) {
    countAuthFailure(s, t);
    return ERR_SRTP_AUTH_FAIL;
  }
  // Authenticated: from here on nothing can fail for a sound context.
  let st = t;
  if (st == 0) {
    st = streamCreate(s, ssrc);
    if (st == 0) return ERR_SRTP_STATE;
  }
  if (load<u8>(s, S_CIPHER) == CIPHER_AES_CM) {
    srtpCmCrypt(s, k, ssrc, i, src + hl, dst + hl, outLen - hl);
    if (dst != src) memory.copy(dst, src, hl);
  } else if (dst != src) {
    memory.copy(dst, src, outLen);
  }
  commitIndex(s, st, seen, h, i);
  countPacket(s, st, k, outLen, false);
  return <i32>outLen;
}
