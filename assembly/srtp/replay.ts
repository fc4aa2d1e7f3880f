// Replay protection (RFC 3711 §3.3.2): a sliding window over packet indices, checked before
// authentication and committed only after it, so a forged packet never moves the window.
//
// The window is a circular bitmap of `bits` bits (a power of two, >= 64): index j lives at bit
// j mod bits. It remembers the indices in (h - bits, h], h the highest index accepted; the
// configured window w <= bits decides what is "too old" (h - j >= w). Sliding forward by d clears
// d bits (all of them when d >= bits), so the cost of a packet does not grow with the window.
import { OK, ERR_SRTP_REPLAY, ERR_SRTP_REPLAY_OLD } from "../abi/status";

/** Smallest bitmap (bits) for a window: the next power of two >= max(window, 64). */
export function windowBitmapBits(window: u32): u32 {
  let b: u32 = 64;
  while (b < window) b <<= 1;
  return b;
}

@inline function bitWord(bm: usize, bit: u64): usize {
  return bm + ((<usize>(bit >> 6)) << 3);
}

@inline function testBit(bm: usize, bits: u32, j: u64): bool {
  const k = j & <u64>(bits - 1);
  return ((load<u64>(bitWord(bm, k)) >> (k & 63)) & 1) != 0;
}

@inline function setBit(bm: usize, bits: u32, j: u64): void {
  const k = j & <u64>(bits - 1);
  const w = bitWord(bm, k);
  store<u64>(w, load<u64>(w) | ((<u64>1) << (k & 63)));
}

/** Clears `count` bits starting at bit position `start` (0 <= start < bits, count <= bits), wrapping. */
function clearBits(bm: usize, bits: u32, start: u32, count: u32): void {
  while (count > 0) {
    const off = start & 63;
    let n: u32 = 64 - off;
    if (n > count) n = count;
    const mask: u64 = n == 64 ? 0xffffffffffffffff : (((<u64>1) << <u64>n) - 1) << <u64>off;
    const w = bm + ((<usize>(start >> 6)) << 3);
    store<u64>(w, load<u64>(w) & ~mask);
    count -= n;
    start = (start + n) & (bits - 1);
  }
}

/**
 * May index j be accepted? `seen` says whether any index was accepted yet (h is meaningful).
 * Returns OK, ERR_SRTP_REPLAY (already received) or ERR_SRTP_REPLAY_OLD (h - j >= window).
 */
@inline export function replayCheck(bm: usize, bits: u32, window: u32, seen: bool, h: u64, j: u64): i32 {
  if (!seen || j > h) return OK;
  if (h - j >= <u64>window) return ERR_SRTP_REPLAY_OLD;
  return testBit(bm, bits, j) ? ERR_SRTP_REPLAY : OK;
}

/** Records index j (after replayCheck said OK and the packet authenticated). Returns the new h. */
export function replayCommit(bm: usize, bits: u32, seen: bool, h: u64, j: u64): u64 {
  if (!seen) {
    memory.fill(bm, 0, <usize>(bits >> 3));
    setBit(bm, bits, j);
    return j;
  }
  if (j > h) {
    const d = j - h;
    if (d >= <u64>bits) memory.fill(bm, 0, <usize>(bits >> 3));
    else clearBits(bm, bits, <u32>((h + 1) & <u64>(bits - 1)), <u32>d);
    setBit(bm, bits, j);
    return j;
  }
  setBit(bm, bits, j);
  return h;
}
