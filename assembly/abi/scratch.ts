// Static scratch memory for the power-on self-test. It lies below ARENA_BASE, so self-tests never
// touch host-owned memory and the host can run selftest() at any time without losing state.
export const SCRATCH_SIZE: usize = 16384;
export const SCRATCH: usize = memory.data(<i32>SCRATCH_SIZE, 64);

/** Copies a static constant (e.g. a known answer from memory.data) into scratch at offset off. */
@inline export function scratchAt(off: usize): usize {
  return SCRATCH + off;
}
