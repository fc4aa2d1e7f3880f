import { ctEqual, ctIsZero32, ctSelect32, wipe } from "../../assembly/util/ct";

describe("ctEqual", () => {
  it("compares equal and different buffers of every length up to 40", () => {
    const a = heap.alloc(64);
    const b = heap.alloc(64);
    for (let n: usize = 0; n <= 40; n++) {
      for (let i: usize = 0; i < n; i++) { store<u8>(a + i, <u8>(i * 7 + 1)); store<u8>(b + i, <u8>(i * 7 + 1)); }
      expect(ctEqual(a, b, n)).toBe(1);
      for (let i: usize = 0; i < n; i++) {
        store<u8>(b + i, load<u8>(b + i) ^ 0x80);
        expect(ctEqual(a, b, n)).toBe(0);
        store<u8>(b + i, load<u8>(b + i) ^ 0x80);
      }
    }
  });
  it("selects and tests zero without branches", () => {
    expect(ctSelect32(0xffffffff, 5, 9)).toBe(5);
    expect(ctSelect32(0, 5, 9)).toBe(9);
    expect(ctIsZero32(0)).toBe(0xffffffff);
    expect(ctIsZero32(1)).toBe(0);
    expect(ctIsZero32(0x80000000)).toBe(0);
  });
  it("wipes", () => {
    const a = heap.alloc(16);
    memory.fill(a, 0xaa, 16);
    wipe(a, 16);
    for (let i: usize = 0; i < 16; i++) expect(load<u8>(a + i)).toBe(0);
  });
});
