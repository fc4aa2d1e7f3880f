// The arena: every byte of linear memory above the core's static data. The host owns it: it places
// contexts and I/O buffers there and passes pointers and lengths to the core. Memory is fixed
// (initial = maximum pages), so the arena never moves and host views never detach.
//
// Every export validates each (pointer, length) it receives with inArena() before touching memory,
// so a release build (--noAssert) never traps on a bad pointer: it returns ERR_BOUNDS. Static data
// (constants, the self-test scratch area) lies below ARENA_BASE and cannot be named by the host.

export const ARENA_BASE: usize = (__heap_base + 63) & ~(<usize>63);

/** End of linear memory (exclusive). Memory never grows, so this never changes. */
@inline export function arenaEnd(): usize {
  return (<usize>memory.size()) << 16;
}

/** True when [ptr, ptr+len) lies inside the arena. One unsigned comparison chain, no overflow. */
@inline export function inArena(ptr: usize, len: usize): bool {
  const end = arenaEnd();
  return ptr >= ARENA_BASE && ptr <= end && len <= end - ptr;
}

/** True when two ranges overlap in memory at all. */
@inline export function overlaps(a: usize, alen: usize, b: usize, blen: usize): bool {
  return a < b + blen && b < a + alen;
}
