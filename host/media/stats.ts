// Per-source receive statistics (RFC 3550 Appendix A.1, A.3, A.8): extended highest sequence
// number, expected and lost packets, fraction lost per interval, interarrival jitter; and the
// report block they make.
import type { ReportBlock } from "./rtcp.js";

export class ReceiveStats {
  private baseSeq = -1;
  private maxSeq = 0;
  private cycles = 0;
  received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit: number | undefined;
  jitter = 0;
  /** LSR/arrival of the last SR from this source. */
  lastSr = 0;
  lastSrArrival = 0;

  constructor(readonly ssrc: number) {}

  /** A packet (already authenticated) arrived. `arrivalTs` in RTP clock units. */
  update(seq: number, rtpTimestamp: number, arrivalTs: number): void {
    if (this.baseSeq < 0) {
      this.baseSeq = seq;
      this.maxSeq = seq;
    } else {
      const delta = (seq - this.maxSeq) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      }
    }
    this.received++;
    const transit = arrivalTs - rtpTimestamp;
    if (this.transit !== undefined) {
      let d = transit - this.transit;
      if (d < 0) d = -d;
      this.jitter += (d - this.jitter) / 16;
    }
    this.transit = transit;
  }

  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  get expected(): number {
    return this.baseSeq < 0 ? 0 : this.extendedMax - this.baseSeq + 1;
  }

  /** Cumulative lost (may be negative with duplicates). */
  get lost(): number {
    return this.expected - this.received;
  }

  /** A report block for this source; advances the per-interval counters. */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval << 8) / expectedInterval));
    return {
      ssrc: this.ssrc,
      fractionLost: fraction,
      cumulativeLost: this.lost,
      extendedHighestSeq: this.extendedMax >>> 0,
      jitter: Math.floor(this.jitter) >>> 0,
      lastSr: this.lastSr,
      delaySinceLastSr: this.lastSr ? Math.floor(((nowMs - this.lastSrArrival) / 1000) * 65536) >>> 0 : 0,
    };
  }
}
