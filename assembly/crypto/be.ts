// Byte-order swaps that are always inlined. AssemblyScript's bswap<T> is a library function that
// the optimizer calls rather than inlines when it shrinks code (the release build does), and the
// per-packet paths use it a dozen times per packet. WebAssembly has no byte-swap instruction: these
// are the same rotate-and-mask forms the library uses.

/** Byte swap of a u16. */
@inline export function bswap16(x: u16): u16 {
  return <u16>((<u32>x << 8) | (<u32>x >> 8));
}

/** Byte swap of a u32. */
@inline export function bswap32(x: u32): u32 {
  return rotl<u32>(x & 0xff00ff00, 8) | rotr<u32>(x & 0x00ff00ff, 8);
}

/** Byte swap of a u64. */
@inline export function bswap64(x: u64): u64 {
  const a = ((x >> 8) & 0x00ff00ff00ff00ff) | ((x & 0x00ff00ff00ff00ff) << 8);
  const b = ((a >> 16) & 0x0000ffff0000ffff) | ((a & 0x0000ffff0000ffff) << 16);
  return rotl<u64>(b, 32);
}
