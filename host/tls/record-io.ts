// I/O staging buffers in the core's arena, shared by every TlsRecordLayer on one Core. A record
// layer uses them only inside one synchronous call (JS is single-threaded and the core never calls
// back), so one set serves all connections: per connection only the two half connections and the
// reassembly buffer stay allocated (about 25 KiB with the SIMD build). Plaintext staged here is
// zeroed by the record layer as soon as it has been copied out.
import type { Core } from "../core/load-core.js";

/** The largest content a record delivers (2^14 + 1 bytes of TLS 1.3 inner plaintext, rounded up). */
export const OPEN_CAPACITY = 16384 + 256;

export class RecordIo {
  readonly open: number;
  sealIn = 0;
  sealInCap = 0;
  sealOut = 0;
  sealOutCap = 0;

  constructor(readonly core: Core) {
    this.open = core.arena.alloc(OPEN_CAPACITY);
  }

  /** Makes sure the seal buffers hold inLen bytes of content and outLen bytes of records. */
  ensureSeal(inLen: number, outLen: number): void {
    const a = this.core.arena;
    if (this.sealInCap < inLen) {
      if (this.sealIn) a.release(this.sealIn);
      this.sealIn = 0;
      this.sealInCap = 0;
      const cap = Math.max(inLen, 16384);
      this.sealIn = a.alloc(cap);
      this.sealInCap = cap;
    }
    if (this.sealOutCap < outLen) {
      if (this.sealOut) a.release(this.sealOut);
      this.sealOut = 0;
      this.sealOutCap = 0;
      const cap = Math.max(outLen, 16384 + 512);
      this.sealOut = a.alloc(cap);
      this.sealOutCap = cap;
    }
  }
}

const SHARED = new WeakMap<Core, RecordIo>();

/** The shared staging buffers of a core (allocated on first use, kept for the core's lifetime). */
export function recordIo(core: Core): RecordIo {
  let io = SHARED.get(core);
  if (!io) {
    io = new RecordIo(core);
    SHARED.set(core, io);
  }
  return io;
}
