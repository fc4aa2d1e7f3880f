// Deferred HMAC-SHA1 for the many-session batch (srtp_batch_many): each SRTP packet is split in two
// halves around its tag computation (srtp.ts: *Begin does every check and, for protect, the
// encryption, then queues its HMAC job in a lane; *End compares or writes the tag and commits).
// Up to HX4_LANES packets of DIFFERENT sessions are queued and their tags computed in one
// hmacSha1X4 pass (four SHA-1 lanes in i32x4 in the SIMD build). The single-packet calls run the
// same halves with one lane and the scalar HMAC, so there is one transform, not two.
//
// A lane record (LANE_SIZE bytes, static scratch) is written when a packet is queued and zeroed by
// its *End; its computed tag (unprotect) likewise; the job table is zeroed by the HMAC pass. So the
// scratch is all zero again whenever no packet is in flight (between export calls).
//    0 u32 session      4 u32 stream (0: created at the end)    8 u32 key slot    12 u32 flags
//   16 u64 highest index h before the packet     24 u64 packet index i
//   32 u32 src   36 u32 dst   40 u32 RTP length (protect: input; unprotect: output)
//   44 u32 MKI length   48 u32 tag length   52 u32 header length   56 u32 SSRC   60 u32 saved word
// LANE_TAGS holds the tags computed for unprotect lanes (20 bytes of room each).
import { HX4_JOBS, HX4_JOB_SIZE, HX4_LANES, hmacSha1X4 } from "../crypto/hash/hmac_sha1_x4";
import { hmacSha1Compute } from "./primitives";

export const LANES: usize = <usize>HX4_LANES;
export const LANE_SIZE: usize = 64;
export const LANE_RECS: usize = memory.data(<i32>(LANES * LANE_SIZE), 16);
export const LANE_TAGS: usize = memory.data(<i32>(LANES * 32), 16);

export const L_S: usize = 0;
export const L_T: usize = 4;
export const L_K: usize = 8;
export const L_FLAGS: usize = 12;
export const L_H: usize = 16;
export const L_I: usize = 24;
export const L_SRC: usize = 32;
export const L_DST: usize = 36;
export const L_LEN: usize = 40;
export const L_MKI_LEN: usize = 44;
export const L_TAG_LEN: usize = 48;
export const L_HL: usize = 52;
export const L_SSRC: usize = 56;
export const L_SAVED: usize = 60;
export const LF_SEEN: u32 = 1;
export const LF_REPEAT: u32 = 2;

/** Lane j's record. */
@inline export function lane(j: usize): usize {
  return LANE_RECS + j * LANE_SIZE;
}

/** Fills lane j's record with what both *End halves need; returns the record. */
@inline export function laneOpen(
  j: usize, s: usize, t: usize, k: usize, flags: u32, h: u64, i: u64, src: usize, dst: usize, len: usize, mkiLen: usize, tagLen: usize,
): usize {
  const l = lane(j);
  store<u32>(l, <u32>s, L_S);
  store<u32>(l, <u32>t, L_T);
  store<u32>(l, <u32>k, L_K);
  store<u32>(l, flags, L_FLAGS);
  store<u64>(l, h, L_H);
  store<u64>(l, i, L_I);
  store<u32>(l, <u32>src, L_SRC);
  store<u32>(l, <u32>dst, L_DST);
  store<u32>(l, <u32>len, L_LEN);
  store<u32>(l, <u32>mkiLen, L_MKI_LEN);
  store<u32>(l, <u32>tagLen, L_TAG_LEN);
  return l;
}

/** Queues lane j's HMAC job: tag of msg[0..len) under the key context kctx, outLen octets to out. */
@inline export function laneJob(j: usize, kctx: usize, msg: usize, len: usize, out: usize, outLen: usize): void {
  const r = HX4_JOBS + j * HX4_JOB_SIZE;
  store<u32>(r, <u32>kctx);
  store<u32>(r, <u32>msg, 4);
  store<u32>(r, <u32>len, 8);
  store<u32>(r, <u32>out, 12);
  store<u32>(r, <u32>outLen, 16);
}

/**
 * Runs the queued jobs of lanes 0..count-1: one job through the scalar HMAC (the single-packet
 * calls), two or more in one four-lane pass (a pass costs well under two scalar tags). The job
 * table is zero afterwards.
 */
export function runLaneJobs(count: usize): void {
  if (count > 1) {
    hmacSha1X4(<i32>count);
    return;
  }
  const r = HX4_JOBS;
  hmacSha1Compute(<usize>load<u32>(r), <usize>load<u32>(r, 4), <usize>load<u32>(r, 8), <usize>load<u32>(r, 12), <usize>load<u32>(r, 16));
  store<u64>(r, 0);
  store<u64>(r, 0, 8);
  store<u32>(r, 0, 16);
}

/** Zeroes lane j's record and computed tag (its packet is done). */
export function laneDone(j: usize): void {
  const l = lane(j);
  for (let o: usize = 0; o < LANE_SIZE; o += 8) store<u64>(l + o, 0);
  const t = LANE_TAGS + (j << 5);
  store<u64>(t, 0);
  store<u64>(t, 0, 8);
  store<u64>(t, 0, 16);
}
