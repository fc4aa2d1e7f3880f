// Index estimation and a sliding replay window (RFC 3711 §3.3.1 / Appendix A, §3.3.2), used by the
// receive key ring to share one replay history between the forms of a key (with and without MKI):
// the MKI is not authenticated, so without it a packet accepted in one form could be replayed in
// the other.

export class ReplayWindow {
  private highest = -1;
  private bits = 0n;
  private readonly mask: bigint;
  constructor(readonly size = 128) {
    this.mask = (1n << BigInt(size)) - 1n;
  }
  check(index: number): "ok" | "replay" | "old" {
    if (this.highest < 0 || index > this.highest) return "ok";
    const d = this.highest - index;
    if (d >= this.size) return "old";
    return (this.bits >> BigInt(d)) & 1n ? "replay" : "ok";
  }
  add(index: number): void {
    if (this.highest < 0) {
      this.highest = index;
      this.bits = 1n;
    } else if (index > this.highest) {
      const shift = index - this.highest;
      this.bits = shift >= this.size ? 1n : ((this.bits << BigInt(shift)) | 1n) & this.mask;
      this.highest = index;
    } else {
      this.bits |= 1n << BigInt(this.highest - index);
    }
  }
}

/** Extended RTP index tracking for one SSRC (ROC guess per RFC 3711 Appendix A). */
export class IndexTracker {
  private roc = 0;
  private sL = -1;
  /** The 48-bit index a SEQ most likely has (-1: before the stream's start). */
  estimate(seq: number): number {
    if (this.sL < 0) return seq;
    let v = this.roc;
    if (this.sL < 32768) {
      if (seq - this.sL > 32768) v = this.roc - 1;
    } else if (this.sL - 32768 > seq) v = this.roc + 1;
    return v < 0 ? -1 : v * 0x10000 + seq;
  }
  commit(index: number): void {
    const v = Math.floor(index / 0x10000);
    const seq = index % 0x10000;
    if (this.sL < 0 || v > this.roc) {
      this.roc = v;
      this.sL = seq;
    } else if (v === this.roc && seq > this.sL) this.sL = seq;
  }
}
