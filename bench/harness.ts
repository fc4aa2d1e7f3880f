// Benchmark harness: medians of repeated timed runs, rows printed as "ours | peer | ratio".
// Machines here are shared and noisy: compare within one run, quote medians.

export interface BenchRow {
  suite: string;
  name: string;
  unit: string;
  ours: number;
  peer?: number;
  peerName?: string;
  /** ours / peer when both are throughputs (higher is better), peer / ours for latencies. */
  ratio?: number;
  note?: string;
}

export class BenchContext {
  readonly rows: BenchRow[] = [];
  private suite = "";
  constructor(private readonly opts: { json: boolean }) {}

  section(suite: string, title: string): void {
    this.suite = suite;
    if (!this.opts.json) process.stdout.write(`\n== ${title} ==\n`);
    else process.stderr.write(`bench: ${title}\n`);
  }

  /** Records a row. higherIsBetter decides which way the ratio goes. */
  row(name: string, unit: string, ours: number, peer?: { name: string; value: number }, higherIsBetter = true, note?: string): void {
    const r: BenchRow = { suite: this.suite, name, unit, ours };
    if (peer) {
      r.peer = peer.value;
      r.peerName = peer.name;
      r.ratio = higherIsBetter ? ours / peer.value : peer.value / ours;
    }
    if (note) r.note = note;
    this.rows.push(r);
    if (!this.opts.json) {
      const p = peer ? `  ${peer.name} ${fmt(peer.value)} ${unit}  ratio ${r.ratio!.toFixed(2)}x` : "";
      process.stdout.write(`${name.padEnd(44)} ours ${fmt(ours)} ${unit}${p}${note ? `  (${note})` : ""}\n`);
    }
  }

  finish(): void {
    if (this.opts.json) process.stdout.write(JSON.stringify({ date: new Date().toISOString(), node: process.version, rows: this.rows }, null, 2) + "\n");
  }
}

function fmt(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString("en-US");
  return v.toFixed(2);
}

/**
 * Runs fn repeatedly for about `ms` milliseconds per sample, `samples` times; returns the median
 * rate in operations per second. fn performs `opsPerCall` operations per call.
 */
export function measure(fn: () => void, opsPerCall = 1, samples = 5, ms = 200): number {
  // warm up
  const warmEnd = performance.now() + Math.min(100, ms);
  while (performance.now() < warmEnd) fn();
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      fn();
      n++;
      if ((n & 7) === 0) t = performance.now();
    }
    t = performance.now();
    rates.push((n * opsPerCall * 1000) / (t - t0));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}
