// Hex helpers shared by the core's specs (as-pect 8.1 under AS 0.28 compares strings and numbers,
// not user classes, so bytes are compared as hex).

/** The n bytes at p as lowercase hex. */
export function toHex(p: usize, n: usize): string {
  let s = "";
  for (let i: usize = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

/** Writes the bytes of hex string h at p; returns their count. */
export function hexInto(p: usize, h: string): usize {
  const n = <usize>(h.length >> 1);
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, <u8>I32.parseInt(h.substr(<i32>i * 2, 2), 16));
  return n;
}
