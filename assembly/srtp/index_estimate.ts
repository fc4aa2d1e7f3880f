// The SRTP packet index i = 2^16 * ROC + SEQ (RFC 3711 §3.3.1) and its estimation from a 16-bit
// sequence number (RFC 3711 Appendix A). Indices are public values: plain branches are fine.

/** Returned when the index would pass 2^48 - 1 (the ROC would have to wrap): the key is used up. */
export const INDEX_INVALID: u64 = 0xffffffffffffffff;
/** Largest packet index (48 bits). */
export const INDEX_MAX: u64 = 0xffffffffffff;
const HALF: u32 = 0x8000; // 2^15

/** ROC of an index. */
@inline export function indexRoc(i: u64): u32 {
  return <u32>(i >> 16);
}

/** SEQ (s_l for the highest index) of an index. */
@inline export function indexSeq(i: u64): u32 {
  return <u32>(i & 0xffff);
}

/**
 * RFC 3711 Appendix A: the index v * 2^16 + SEQ of a packet with sequence number SEQ, given the
 * highest index so far h = ROC * 2^16 + s_l:
 *
 *     if (s_l < 2^15)
 *       if (SEQ - s_l > 2^15)  v = ROC - 1   else  v = ROC
 *     else
 *       if (s_l - 2^15 > SEQ)  v = ROC + 1   else  v = ROC
 *
 * When ROC = 0 and the rule says ROC - 1, no earlier roll-over exists, so the packet is taken as a
 * forward jump with v = 0 (libsrtp's srtp_rdbx_estimate_index does the same while the index is
 * <= 2^15, so both engines agree on every index). When ROC = 2^32 - 1 and the rule says ROC + 1 the
 * index space is exhausted: INDEX_INVALID.
 */
@inline export function estimateIndex(h: u64, seq: u32): u64 {
  const roc = indexRoc(h);
  const sl = indexSeq(h);
  let v: u64 = <u64>roc;
  if (sl < HALF) {
    if (seq > sl + HALF && roc != 0) v = <u64>roc - 1;
  } else {
    if (sl - HALF > seq) {
      if (roc == 0xffffffff) return INDEX_INVALID;
      v = <u64>roc + 1;
    }
  }
  return (v << 16) | <u64>seq;
}
