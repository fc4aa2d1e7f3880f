// Block coverage of JavaScript through V8's precise coverage (node:inspector, Profiler domain),
// the signal that guides the host fuzz targets (@jazzer.js does not run on this system; see
// docs/hardening.md). The WebAssembly core is not covered: its targets are mutation-based.
//
// With {callCount: false, detailed: true}, takePreciseCoverage() reports, for every function that
// ran since the previous take, its range with count 1 and each of its blocks that did NOT run as a
// nested range with count 0 (then resets). A block that ran is therefore known only by its absence
// from the zero ranges. We learn each function's blocks from the zero ranges we are shown over time
// and call a block "reached" when its function ran and no zero range of this take contains it.
// A feature is (script, function, block); an input is interesting when it reaches a feature that no
// earlier input reached.
import { Session } from "node:inspector";

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  ranges: Range[];
}
interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: FunctionCoverage[];
}

export class BlockCoverage {
  private readonly session = new Session();
  /** Known blocks per function key ("url@start"), as [start, end] pairs. */
  private readonly blocks = new Map<string, [number, number][]>();
  private readonly reached = new Set<string>();
  private started = false;

  /** @param filters substrings of script URLs to count (the target's modules); others are ignored. */
  constructor(private readonly filters: readonly string[]) {}

  start(): void {
    if (this.started) return;
    this.session.connect();
    this.post("Profiler.enable");
    this.post("Profiler.startPreciseCoverage", { callCount: false, detailed: true });
    this.started = true;
    this.take(); // drop what loading the modules ran
  }

  stop(): void {
    if (!this.started) return;
    this.post("Profiler.stopPreciseCoverage");
    this.post("Profiler.disable");
    this.session.disconnect();
    this.started = false;
  }

  /** Features reached so far. */
  get size(): number {
    return this.reached.size;
  }

  /** Scripts (matching the filters) seen so far. */
  readonly scripts = new Set<string>();

  /**
   * Reads what ran since the previous call. Returns how many features are new; adds them to the
   * reached set when `commit` (otherwise the set is unchanged, to test a batch first).
   */
  collect(commit: boolean): number {
    const raw = this.take();
    let fresh = 0;
    const seenNow = new Set<string>();
    for (const sc of raw) {
      if (!this.filters.some((f) => sc.url.includes(f))) continue;
      this.scripts.add(sc.url);
      for (const fn of sc.functions) {
        const top = fn.ranges[0];
        if (!top || top.count === 0) continue;
        const fkey = `${sc.url}@${top.startOffset}`;
        let known = this.blocks.get(fkey);
        if (!known) {
          known = [];
          this.blocks.set(fkey, known);
        }
        const zeros: [number, number][] = [];
        for (let i = 1; i < fn.ranges.length; i++) {
          const r = fn.ranges[i]!;
          if (r.count !== 0) continue;
          zeros.push([r.startOffset, r.endOffset]);
          if (!known.some(([s, e]) => s === r.startOffset && e === r.endOffset)) known.push([r.startOffset, r.endOffset]);
        }
        const check = (s: number, e: number): void => {
          if (zeros.some(([zs, ze]) => zs <= s && e <= ze)) return;
          const k = `${fkey}:${s}-${e}`;
          if (this.reached.has(k) || seenNow.has(k)) return;
          seenNow.add(k);
          fresh++;
        };
        check(top.startOffset, top.endOffset);
        for (const [s, e] of known) check(s, e);
      }
    }
    if (commit) for (const k of seenNow) this.reached.add(k);
    return fresh;
  }

  private take(): ScriptCoverage[] {
    return (this.post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] }).result;
  }

  private post(method: string, params?: object): unknown {
    let out: unknown;
    let err: Error | null = null;
    // An in-process session answers synchronously.
    this.session.post(method, params ?? {}, (e, r) => {
      err = e;
      out = r;
    });
    if (err) throw err;
    return out;
  }
}
