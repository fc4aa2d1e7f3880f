// The arena buffers every SRTP session of one core shares: one packet I/O buffer, a small scratch
// block for results (ROC, stats, key info), and a batch area. Calls into the core are synchronous
// and a session copies its result out before anything else can run, so one set per core suffices;
// a session then costs only its context in the arena.
import type { Core } from "../core/load-core.js";
import { SrtpError } from "./errors.js";

/** Largest growth of a packet: SRTCP trailer 4 + MKI 4 + tag 16. */
export const MAX_OVERHEAD = 24;
export const MAX_PACKET = 65535 + MAX_OVERHEAD;
const IO_INITIAL = 2048;
const SCRATCH = 64;

export class SrtpBuffers {
  io = 0;
  ioCap = 0;
  private scratchPtr = 0;
  private batchPtr = 0;
  private batchCap = 0;
  /** Views io[0..n) by length n, kept while the I/O buffer stays where it is (packet calls copy out of them). */
  private views: (Uint8Array | undefined)[] = [];

  constructor(private readonly core: Core) {}

  /**
   * A view of the first n bytes of the I/O buffer (n <= ioCap). A stream's packets mostly have one
   * length, so the view is made once per length and reused: copying a result out then allocates
   * nothing per packet.
   */
  ioView(n: number): Uint8Array {
    // Every change of io (growIo, release) empties views, so a kept view is always of this buffer.
    const v = this.views[n];
    if (v !== undefined) return v;
    const io = this.io;
    const w = this.core.u8.subarray(io, io + n);
    this.views[n] = w;
    return w;
  }

  /** 64 bytes for small results. */
  get scratch(): number {
    if (this.scratchPtr === 0) this.scratchPtr = this.core.arena.alloc(SCRATCH, 16);
    return this.scratchPtr;
  }

  /** Makes the I/O buffer at least `need` bytes (it starts at 2 KiB and doubles). */
  growIo(need: number): void {
    if (need > MAX_PACKET) throw new SrtpError("ERR_SRTP_MALFORMED", `packet of ${need - MAX_OVERHEAD} octets is longer than any RTP/RTCP packet`);
    let cap = Math.max(IO_INITIAL, this.ioCap);
    while (cap < need) cap *= 2;
    cap = Math.min(cap, MAX_PACKET);
    const a = this.core.arena;
    if (this.io !== 0) a.release(this.io);
    this.io = 0;
    this.ioCap = 0;
    this.views = [];
    this.io = a.alloc(cap, 16);
    this.ioCap = cap;
  }

  /** A batch area of at least `bytes` (kept and reused; grows, never below 64 KiB). */
  batch(bytes: number): number {
    if (bytes > this.batchCap) {
      const a = this.core.arena;
      if (this.batchPtr !== 0) a.release(this.batchPtr);
      this.batchPtr = 0;
      this.batchCap = 0;
      const cap = Math.max(bytes, 64 * 1024);
      this.batchPtr = a.alloc(cap, 16);
      this.batchCap = cap;
    }
    return this.batchPtr;
  }

  /** Returns every block to the arena (zeroed). */
  release(): void {
    const a = this.core.arena;
    for (const p of [this.io, this.scratchPtr, this.batchPtr]) if (p !== 0) a.release(p);
    this.io = this.ioCap = this.scratchPtr = this.batchPtr = this.batchCap = 0;
    this.views = [];
  }
}
