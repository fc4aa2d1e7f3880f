// SRTCP protect / unprotect (RFC 3711 §3.4, RFC 7714 §9, §17).
//
// Packet layouts (MKI only when the session has an MKI length):
//   HMAC profiles:  header(8) || E(payload) || E flag + 31-bit SRTCP index || MKI || tag
//                   tag = HMAC-SHA1(k_a, header || E(payload) || E + index)
//   AEAD profiles:  header(8) || E(payload) || tag || E flag + SRTCP index || MKI
//                   AAD = header(8) || E + index           (E = 1)
//                   AAD = whole RTCP packet || E + index   (E = 0: tag only, empty plaintext)
// The sender starts each stream's SRTCP index at 0 (RFC 3711 §3.4; libsrtp starts at 1) and sets E
// for every profile with a cipher (the NULL profiles send E = 0, as libsrtp does). The receiver
// honours E as received. The SRTCP replay window is 128 indices (libsrtp's too).
import {
  OK, ERR_SRTP_AUTH_FAIL, ERR_SRTP_BUFFER, ERR_SRTP_FULL, ERR_SRTP_KEY_EXPIRED, ERR_SRTP_MALFORMED,
  ERR_SRTP_MKI, ERR_SRTP_STATE,
} from "../abi/status";
import { ctEqual } from "../util/ct";
import {
  srtcpAuthCtx, srtcpCipherCtx, K_SRTCP_SALT, S_CIPHER, S_MKI_LEN, S_SRTCP_TAG_LEN,
  S_ERR_FLAGS, S_ERR_INDEX, S_ERR_SSRC, SRTCP_WINDOW, T_FLAGS, T_SRTCP_BITMAP, T_SRTCP_INDEX, TF_SRTCP_SEEN,
} from "./layout";
import { CIPHER_AES_CM, CIPHER_AES_GCM, CIPHER_NULL, GCM_IV_LEN, GCM_TAG_LEN } from "./profiles";
import {
  RTCP_HEADER_LEN, SRTCP_E_FLAG, SRTCP_INDEX_MASK, SRTCP_TRAILER_LEN, loadBe32, rtcpHeaderOk, rtcpSsrc,
  storeBe32,
} from "./rtp_header";
import { replayCheck, replayCommit } from "./replay";
import { streamCreate, streamFind, streamRoom } from "./streams";
import { activeKey, keyByMki, keyUsable } from "./keys";
import { buildIv, IV_SSRC_OFFSET_CM, IV_SSRC_OFFSET_GCM } from "./iv";
import { countAuthFailure, countPacket, countReplay, writeMki } from "./common";
import { noteIndex, noteSsrc } from "./srtp";
import { CTR_MODE_CM, aesCtrXor, gcmOpen, gcmSeal, hmacSha1Compute } from "./primitives";
import { W_AAD, W_AES, W_IV, W_TAG } from "./work";
import { aesCtxSize, aesKeyInit } from "./primitives";
import { wipe } from "../util/ct";
import { S_KEY_LEN } from "./layout";

/**
 * AES-CM SRTCP: expands the key slot's raw SRTCP k_e into static scratch, runs counter mode over
 * len bytes, and wipes the schedule (layout.ts: SRTCP keys are kept raw to save a schedule per key).
 */
function srtcpCtr(s: usize, k: usize, iv: usize, src: usize, dst: usize, len: usize): void {
  const keyLen = <i32>load<u8>(s, S_KEY_LEN);
  aesKeyInit(W_AES, srtcpCipherCtx(s, k), keyLen);
  aesCtrXor(W_AES, iv, src, dst, len, CTR_MODE_CM);
  wipe(W_AES, aesCtxSize(keyLen));
}

@inline function copy16(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}

/** Protects the RTCP packet src[0..len) into dst (capacity cap). Returns the SRTCP length or a status. */
export function srtcpProtect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  store<u32>(s, 0, S_ERR_FLAGS);
  if (!rtcpHeaderOk(src, len)) return ERR_SRTP_MALFORMED;
  const k = activeKey(s);
  if (k == 0) return ERR_SRTP_STATE;
  if (!keyUsable(k, true)) return ERR_SRTP_KEY_EXPIRED;
  const ssrc = rtcpSsrc(src);
  noteSsrc(s, ssrc);
  let t = streamFind(s, ssrc);
  if (t == 0 && !streamRoom(s)) return ERR_SRTP_FULL;
  const index: u32 = t != 0 ? load<u32>(t, T_SRTCP_INDEX) : 0;
  noteIndex(s, <u64>index);
  // The 31-bit SRTCP index must not wrap under one master key (RFC 3711 §3.4, §9.2).
  if (index > SRTCP_INDEX_MASK) return ERR_SRTP_KEY_EXPIRED;
  const cipher = load<u8>(s, S_CIPHER);
  const mkiLen = <usize>load<u8>(s, S_MKI_LEN);
  const tagLen: usize = cipher == CIPHER_AES_GCM ? <usize>GCM_TAG_LEN : <usize>load<u8>(s, S_SRTCP_TAG_LEN);
  const outLen = len + SRTCP_TRAILER_LEN + mkiLen + tagLen;
  if (outLen > cap) return ERR_SRTP_BUFFER;
  if (t == 0) {
    t = streamCreate(s, ssrc);
    if (t == 0) return ERR_SRTP_STATE;
  }
  const trailer: u32 = (cipher == CIPHER_NULL ? 0 : SRTCP_E_FLAG) | index;
  const iv = W_IV;
  if (cipher == CIPHER_AES_GCM) {
    const aad = W_AAD;
    store<u64>(aad, load<u64>(src));
    storeBe32(aad + RTCP_HEADER_LEN, trailer);
    if (dst != src) memory.copy(dst, src, RTCP_HEADER_LEN);
    buildIv(iv, k + K_SRTCP_SALT, IV_SSRC_OFFSET_GCM, ssrc, <u64>index);
    gcmSeal(srtcpCipherCtx(s, k), iv, GCM_IV_LEN, aad, RTCP_HEADER_LEN + SRTCP_TRAILER_LEN,
      src + RTCP_HEADER_LEN, dst + RTCP_HEADER_LEN, len - RTCP_HEADER_LEN, dst + len, tagLen);
    storeBe32(dst + len + tagLen, trailer);
    writeMki(dst + len + tagLen + SRTCP_TRAILER_LEN, k, mkiLen);
  } else {
    if (cipher == CIPHER_AES_CM) {
      buildIv(iv, k + K_SRTCP_SALT, IV_SSRC_OFFSET_CM, ssrc, <u64>index);
      srtcpCtr(s, k, iv, src + RTCP_HEADER_LEN, dst + RTCP_HEADER_LEN, len - RTCP_HEADER_LEN);
      if (dst != src) memory.copy(dst, src, RTCP_HEADER_LEN);
    } else if (dst != src) {
      memory.copy(dst, src, len);
    }
    storeBe32(dst + len, trailer);
    hmacSha1Compute(srtcpAuthCtx(s, k), dst, len + SRTCP_TRAILER_LEN, dst + len + SRTCP_TRAILER_LEN + mkiLen, tagLen);
    writeMki(dst + len + SRTCP_TRAILER_LEN, k, mkiLen);
  }
  store<u32>(t, index + 1, T_SRTCP_INDEX);
  countPacket(s, t, k, len, true);
  return <i32>outLen;
}

/** Verifies and decrypts the SRTCP packet src[0..len) into dst. Returns the RTCP length or a status. */
export function srtcpUnprotect(s: usize, src: usize, len: usize, dst: usize, cap: usize): i32 {
  store<u32>(s, 0, S_ERR_FLAGS);
  const cipher = load<u8>(s, S_CIPHER);
  const mkiLen = <usize>load<u8>(s, S_MKI_LEN);
  const gcm = cipher == CIPHER_AES_GCM;
  const tagLen: usize = gcm ? <usize>GCM_TAG_LEN : <usize>load<u8>(s, S_SRTCP_TAG_LEN);
  if (len < RTCP_HEADER_LEN + SRTCP_TRAILER_LEN + mkiLen + tagLen) return ERR_SRTP_MALFORMED;
  if (!rtcpHeaderOk(src, len)) return ERR_SRTP_MALFORMED;
  let trailerPos: usize, mkiPos: usize, tagPos: usize, outLen: usize;
  if (gcm) {
    mkiPos = len - mkiLen;
    trailerPos = mkiPos - SRTCP_TRAILER_LEN;
    tagPos = trailerPos - tagLen;
    outLen = tagPos;
  } else {
    tagPos = len - tagLen;
    mkiPos = tagPos - mkiLen;
    trailerPos = mkiPos - SRTCP_TRAILER_LEN;
    outLen = trailerPos;
  }
  const trailer = loadBe32(src + trailerPos);
  const encrypted = (trailer & SRTCP_E_FLAG) != 0;
  const index = trailer & SRTCP_INDEX_MASK;
  noteSsrc(s, rtcpSsrc(src));
  noteIndex(s, <u64>index);
  let k: usize;
  if (mkiLen != 0) {
    k = keyByMki(s, src + mkiPos, mkiLen);
    if (k == 0) return ERR_SRTP_MKI;
  } else {
    k = activeKey(s);
    if (k == 0) return ERR_SRTP_STATE;
  }
  if (!keyUsable(k, true)) return ERR_SRTP_KEY_EXPIRED;
  const ssrc = rtcpSsrc(src);
  const t = streamFind(s, ssrc);
  let seen = false;
  let h: u64 = 0;
  if (t != 0) {
    seen = (load<u32>(t, T_FLAGS) & TF_SRTCP_SEEN) != 0;
    h = <u64>load<u32>(t, T_SRTCP_INDEX);
  } else if (!streamRoom(s)) return ERR_SRTP_FULL;
  if (seen) {
    const r = replayCheck(t + T_SRTCP_BITMAP, SRTCP_WINDOW, SRTCP_WINDOW, true, h, <u64>index);
    if (r != OK) {
      countReplay(s, t);
      return r;
    }
  }
  if (outLen > cap) return ERR_SRTP_BUFFER;
  const iv = W_IV;
  if (gcm) {
    buildIv(iv, k + K_SRTCP_SALT, IV_SSRC_OFFSET_GCM, ssrc, <u64>index);
    let r: i32;
    if (encrypted) {
      const aad = W_AAD;
      store<u64>(aad, load<u64>(src));
      storeBe32(aad + RTCP_HEADER_LEN, trailer);
      r = gcmOpen(srtcpCipherCtx(s, k), iv, GCM_IV_LEN, aad, RTCP_HEADER_LEN + SRTCP_TRAILER_LEN,
        src + RTCP_HEADER_LEN, dst + RTCP_HEADER_LEN, outLen - RTCP_HEADER_LEN, src + tagPos, tagLen);
    } else {
      // Tag only: AAD = packet || E + index. Make it contiguous in place: keep the tag aside, put the
      // trailer word over the tag's first octets, verify, then put those octets back.
      copy16(W_TAG, src + tagPos);
      const saved = load<u32>(src + tagPos);
      storeBe32(src + tagPos, trailer);
      r = gcmOpen(srtcpCipherCtx(s, k), iv, GCM_IV_LEN, src, outLen + SRTCP_TRAILER_LEN, src, src, 0, W_TAG, tagLen);
      store<u32>(src + tagPos, saved);
    }
    if (r != OK) {
      countAuthFailure(s, t);
      return ERR_SRTP_AUTH_FAIL;
    }
  } else {
    hmacSha1Compute(srtcpAuthCtx(s, k), src, trailerPos + SRTCP_TRAILER_LEN, W_TAG, tagLen);
    // Constant-time comparison: the time does not depend on where a forged tag differs.
    if (!ctEqual(W_TAG, src + tagPos, tagLen)) {
      countAuthFailure(s, t);
      return ERR_SRTP_AUTH_FAIL;
    }
  }
  let st = t;
  if (st == 0) {
    st = streamCreate(s, ssrc);
    if (st == 0) return ERR_SRTP_STATE;
  }
  if (encrypted && cipher == CIPHER_AES_CM) {
    buildIv(iv, k + K_SRTCP_SALT, IV_SSRC_OFFSET_CM, ssrc, <u64>index);
    srtcpCtr(s, k, iv, src + RTCP_HEADER_LEN, dst + RTCP_HEADER_LEN, outLen - RTCP_HEADER_LEN);
    if (dst != src) memory.copy(dst, src, RTCP_HEADER_LEN);
  } else if (encrypted && gcm) {
    if (dst != src) memory.copy(dst, src, RTCP_HEADER_LEN);
  } else if (dst != src) {
    memory.copy(dst, src, outLen);
  }
  store<u32>(st, <u32>replayCommit(st + T_SRTCP_BITMAP, SRTCP_WINDOW, seen, h, <u64>index), T_SRTCP_INDEX);
  store<u32>(st, load<u32>(st, T_FLAGS) | TF_SRTCP_SEEN, T_FLAGS);
  countPacket(s, st, k, outLen, true);
  return <i32>outLen;
}
