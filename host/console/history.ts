// The figures behind the console's small charts: packets per second each way and calls, sampled once
// per poll from the data source's call counters, kept for the last few minutes.
import type { CallStatus } from "./data-source.js";

export interface HistoryPoint {
  /** ms since the epoch. */
  t: number;
  txPps: number;
  rxPps: number;
  /** Calls not ended. */
  calls: number;
  /** Links up. */
  links: number;
}

export class History {
  private readonly points: HistoryPoint[] = [];
  private last: { t: number; counters: Map<string, { tx: number; rx: number }> } | undefined;

  constructor(private readonly capacity = 300) {}

  /** Adds a sample: rates are the counter increase since the previous sample, per second. */
  sample(t: number, calls: CallStatus[], linksUp: number): HistoryPoint {
    const counters = new Map(calls.map((c) => [c.id, { tx: c.tx.packets, rx: c.rx.packets }]));
    let dTx = 0;
    let dRx = 0;
    let dt = 0;
    if (this.last && t > this.last.t) {
      dt = (t - this.last.t) / 1000;
      for (const [id, now] of counters) {
        const before = this.last.counters.get(id) ?? { tx: 0, rx: 0 };
        dTx += Math.max(0, now.tx - before.tx);
        dRx += Math.max(0, now.rx - before.rx);
      }
    }
    const p: HistoryPoint = {
      t,
      txPps: dt > 0 ? Math.round((dTx / dt) * 10) / 10 : 0,
      rxPps: dt > 0 ? Math.round((dRx / dt) * 10) / 10 : 0,
      calls: calls.filter((c) => c.state !== "ended").length,
      links: linksUp,
    };
    this.last = { t, counters };
    this.points.push(p);
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
    return p;
  }

  all(): HistoryPoint[] {
    return this.points.slice();
  }
}
