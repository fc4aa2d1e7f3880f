// A small allocator over the core's arena (linear memory above the core's static data). The core
// never allocates: the host places contexts and I/O buffers here. First fit over an address-ordered
// free list with coalescing; freed blocks are zeroed (they may have held keys). [base, end) may be
// less than the core's whole arena: a board caps what the host may use (LoadCoreOptions.arenaBytes).
import { CoreError } from "../errors.js";

interface Block {
  ptr: number;
  size: number;
}

export class Arena {
  private readonly free: Block[];
  private readonly used = new Map<number, number>();
  readonly base: number;
  readonly end: number;

  constructor(
    private readonly mem: () => Uint8Array,
    base: number,
    end: number,
  ) {
    this.base = base;
    this.end = end;
    this.free = [{ ptr: base, size: end - base }];
  }

  /** Allocates size bytes aligned to align (a power of two). The block is zero-filled. */
  alloc(size: number, align = 16): number {
    if (!Number.isInteger(size) || size < 0) throw new CoreError("ERR_CORE_ARG", `bad allocation size ${size}`);
    const want = Math.max(16, (size + 15) & ~15);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      const start = (b.ptr + align - 1) & ~(align - 1);
      const pad = start - b.ptr;
      if (b.size < pad + want) continue;
      // split: [b.ptr, start) stays free (if any), [start, start+want) used, rest free
      const rest = b.size - pad - want;
      const replacement: Block[] = [];
      if (pad > 0) replacement.push({ ptr: b.ptr, size: pad });
      if (rest > 0) replacement.push({ ptr: start + want, size: rest });
      this.free.splice(i, 1, ...replacement);
      this.used.set(start, want);
      this.mem().fill(0, start, start + want);
      return start;
    }
    throw new CoreError("ERR_CORE_ARENA_FULL", `the core's arena has no free block of ${size} bytes (${this.inUse} of ${this.size} bytes in use)`);
  }

  /** Frees a block from alloc(), zeroing it first. Freeing an unknown pointer is an error. */
  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new CoreError("ERR_CORE_ARG", `release of a pointer the arena did not hand out: ${ptr}`);
    this.used.delete(ptr);
    this.mem().fill(0, ptr, ptr + size);
    // insert in address order and coalesce with neighbours
    let i = 0;
    while (i < this.free.length && this.free[i]!.ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    const next = this.free[i + 1];
    if (next && ptr + size === next.ptr) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.size === ptr) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
  }

  /** Bytes this allocator manages (end - base): the board's cap, or the whole arena. */
  get size(): number {
    return this.end - this.base;
  }

  /** Size of an allocated block (rounded up), or undefined. */
  sizeOf(ptr: number): number | undefined {
    return this.used.get(ptr);
  }

  /** Bytes currently handed out. */
  get inUse(): number {
    let n = 0;
    for (const s of this.used.values()) n += s;
    return n;
  }

  /** Bytes free in total (possibly fragmented). */
  get available(): number {
    let n = 0;
    for (const b of this.free) n += b.size;
    return n;
  }
}
