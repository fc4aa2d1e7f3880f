// Constant-time helpers. None of these branches on or indexes by the data it compares or wipes.

/**
 * Compares n bytes of a and b in time that depends only on n. Returns 1 when equal, 0 otherwise.
 * Accumulates the OR of XORs over every byte (no early exit), then turns "acc == 0" into 1/0 with
 * arithmetic rather than a branch.
 */
export function ctEqual(a: usize, b: usize, n: usize): i32 {
  let acc: u32 = 0;
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const x = load<u64>(a + i) ^ load<u64>(b + i);
    acc |= <u32>(x | (x >>> 32));
  }
  for (; i < n; i++) acc |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  // acc == 0  ->  1 ; acc != 0 -> 0, without a branch: (acc | -acc) has its top bit set iff acc != 0.
  return <i32>(((acc | (0 - acc)) >>> 31) ^ 1);
}

/**
 * Overwrites n bytes with zeros. memory.fill is a single instruction the engine cannot elide
 * (wasm has no dead-store elimination across the export boundary), so the wipe is real.
 */
export function wipe(p: usize, n: usize): void {
  memory.fill(p, 0, n);
}

/** Constant-time select of 32-bit words: returns a when mask is all ones, b when it is zero. */
@inline export function ctSelect32(mask: u32, a: u32, b: u32): u32 {
  return b ^ (mask & (a ^ b));
}

/** All-ones when x == 0, zero otherwise, without a branch. */
@inline export function ctIsZero32(x: u32): u32 {
  return ((x | (0 - x)) >>> 31) - 1;
}
