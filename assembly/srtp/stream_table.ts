// SSRC -> stream slot: an open-addressing hash table with linear probing and backward-shift
// deletion (no tombstones), so lookups stay O(1) however streams come and go. Entries are 8 octets
// {SSRC u32, slot index + 1 u32}; 0 in the second word marks an empty entry. The capacity is a
// power of two at least twice the number of slots, so probes stay short.
//
// The hash is keyed by a per-session seed from the host's CSPRNG. A receiver only inserts SSRCs
// whose first packet authenticated, so an attacker cannot fill the table; the seed also keeps a
// peer from choosing colliding SSRCs on purpose.

export const TABLE_ENTRY_SIZE: usize = 8;

/** Smallest power-of-two table capacity for maxStreams slots (load factor <= 1/2). */
export function tableCapacity(maxStreams: u32): u32 {
  let c: u32 = 4;
  while (c < maxStreams * 2) c <<= 1;
  return c;
}

@inline function home(ssrc: u32, seed: u32, mask: u32): u32 {
  let x = (ssrc ^ seed) * 0x9e3779b1;
  x ^= x >> 15;
  x *= 0x85ebca6b;
  x ^= x >> 13;
  return x & mask;
}

@inline function entry(table: usize, i: u32): usize {
  return table + (<usize>i << 3);
}

/** The slot index for ssrc, or -1. */
export function tableFind(table: usize, mask: u32, seed: u32, ssrc: u32): i32 {
  let i = home(ssrc, seed, mask);
  while (true) {
    const e = entry(table, i);
    const v = load<u32>(e, 4);
    if (v == 0) return -1;
    if (load<u32>(e) == ssrc) return <i32>(v - 1);
    i = (i + 1) & mask;
  }
  return -1;
}

/** Inserts ssrc -> slot. The caller made sure ssrc is absent and the table has a free entry. */
export function tableInsert(table: usize, mask: u32, seed: u32, ssrc: u32, slot: u32): void {
  let i = home(ssrc, seed, mask);
  while (load<u32>(entry(table, i), 4) != 0) i = (i + 1) & mask;
  const e = entry(table, i);
  store<u32>(e, ssrc);
  store<u32>(e, slot + 1, 4);
}

/** Removes ssrc; returns its slot index, or -1 when absent. */
export function tableRemove(table: usize, mask: u32, seed: u32, ssrc: u32): i32 {
  let i = home(ssrc, seed, mask);
  while (true) {
    const e = entry(table, i);
    const v = load<u32>(e, 4);
    if (v == 0) return -1;
    if (load<u32>(e) == ssrc) break;
    i = (i + 1) & mask;
  }
  const slot = <i32>(load<u32>(entry(table, i), 4) - 1);
  // Backward-shift: pull later entries of the cluster into the hole when their home position
  // does not lie cyclically in (hole, j].
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const ej = entry(table, j);
    if (load<u32>(ej, 4) == 0) break;
    const k = home(load<u32>(ej), seed, mask);
    const stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      store<u64>(entry(table, i), load<u64>(ej));
      i = j;
    }
  }
  store<u64>(entry(table, i), 0);
  return slot;
}
