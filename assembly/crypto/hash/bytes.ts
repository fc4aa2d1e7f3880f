// Short copies and fills with 8-byte moves. V8 compiles memory.copy/memory.fill into a call that
// costs more than the move itself for the tens of bytes a hash buffers (PERFORMANCE.md: three small
// copies added ~0.2 µs to an HMAC), so the hash code moves its tails with these instead.
// Branches depend on n only (a public length). Ranges must not overlap partially (dst == src is fine).

/** Copies n bytes from src to dst, 8 at a time, then the rest byte by byte. */
@inline export function copySmall(dst: usize, src: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}

/** Zeroes n bytes at p, 8 at a time, then the rest byte by byte. */
@inline export function zeroSmall(p: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) store<u64>(p + i, 0);
  for (; i < n; i++) store<u8>(p + i, 0);
}
