// Media ports from the configured range (media.portMin..portMax): RTP on an even port, RTCP on the
// next one (RFC 3550 §11), round-robin through the range so a port is not reused at once, and any
// pair another process holds (EADDRINUSE) skipped.
import { GatewayError } from "./errors.js";

export class MediaPortRange {
  private next: number;
  private readonly inUse = new Set<number>();
  readonly first: number;
  readonly last: number;

  constructor(min: number, max: number) {
    this.first = min % 2 === 0 ? min : min + 1;
    this.last = max;
    if (this.first + 1 > this.last) throw new GatewayError("ERR_GATEWAY_MEDIA_PORTS", `media port range ${min}-${max} holds no RTP/RTCP pair`);
    this.next = this.first;
  }

  /** Pairs in the range. */
  get capacity(): number {
    return Math.floor((this.last - this.first + 1) / 2);
  }

  get used(): number {
    return this.inUse.size;
  }

  /** The next free pair (not yet bound: the caller binds and calls release() when done or failed). */
  take(): { rtp: number; rtcp: number } {
    for (let i = 0; i < this.capacity; i++) {
      const p = this.next;
      this.next += 2;
      if (this.next + 1 > this.last) this.next = this.first;
      if (!this.inUse.has(p)) {
        this.inUse.add(p);
        return { rtp: p, rtcp: p + 1 };
      }
    }
    throw new GatewayError("ERR_GATEWAY_MEDIA_PORTS", `every media port pair in ${this.first}-${this.last} is in use`);
  }

  release(rtp: number): void {
    this.inUse.delete(rtp);
  }

  /**
   * Runs `open` with pairs from the range until one binds; a pair taken by another process
   * (EADDRINUSE) is skipped, up to `attempts` times. The pair stays taken until release().
   */
  async bind<T>(open: (ports: { rtp: number; rtcp: number }) => Promise<T>, attempts = 16): Promise<{ value: T; rtp: number }> {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      const ports = this.take();
      try {
        return { value: await open(ports), rtp: ports.rtp };
      } catch (e) {
        this.release(ports.rtp);
        if ((e as { code?: string }).code !== "EADDRINUSE") throw e;
        last = e;
      }
    }
    throw new GatewayError("ERR_GATEWAY_MEDIA_PORTS", `no free media port pair after ${attempts} attempts`, { cause: last });
  }
}
