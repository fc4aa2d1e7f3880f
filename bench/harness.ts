// Benchmark harness: medians of repeated timed runs, rows printed as "ours | peers | ratios", a
// progress line for long runs, and the run's record: docs/bench/last-run.json (the previous one is
// compared against: deltas are printed), docs/bench/results.md (the table) and docs/bench/chart.svg.
// Machines here are shared and noisy: compare within one run (ratios), quote medians.
import { clearLine, cursorTo } from "node:readline";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchPeer {
  name: string;
  value: number;
  /** ours / peer for throughputs (higher is better), peer / ours for latencies and sizes. */
  ratio: number;
}

export interface BenchRow {
  suite: string;
  /** Unique within the suite: the key deltas are computed by. */
  name: string;
  unit: string;
  ours: number;
  peers?: BenchPeer[];
  higherIsBetter: boolean;
  /** The first peer, for readers of the older JSON shape. */
  peer?: number;
  peerName?: string;
  ratio?: number;
  note?: string;
}

export interface BenchRecord {
  date: string;
  node: string;
  cpu: string;
  load: number[];
  rows: BenchRow[];
}

/** Where the run's record goes (the repository's docs/bench/, found from this file in dist/bench/). */
export const BENCH_DIR = fileURLToPath(new URL("../../docs/bench/", import.meta.url));

export class BenchContext {
  readonly rows: BenchRow[] = [];
  private suite = "";
  private progressShown = false;
  private readonly tty: boolean;

  constructor(private readonly opts: { json: boolean }) {
    this.tty = Boolean(process.stderr.isTTY);
  }

  section(suite: string, title: string): void {
    this.suite = suite;
    this.clearProgress();
    if (!this.opts.json) process.stdout.write(`\n== ${title} ==\n`);
    else process.stderr.write(`bench: ${title}\n`);
  }

  /**
   * Shows what is being measured on one status line (stderr, rewritten in place on a terminal;
   * nothing when stderr is not a terminal, so logs stay clean). done/total: a step counter.
   */
  progress(label: string, done?: number, total?: number): void {
    if (!this.tty) return;
    const bar = total ? ` [${"#".repeat(Math.round((20 * (done ?? 0)) / total)).padEnd(20, ".")}] ${done}/${total}` : "";
    const line = `  ${this.suite}: ${label}${bar}`;
    cursorTo(process.stderr, 0);
    clearLine(process.stderr, 0);
    process.stderr.write(line.length > 118 ? line.slice(0, 117) + "…" : line);
    this.progressShown = true;
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    cursorTo(process.stderr, 0);
    clearLine(process.stderr, 0);
    this.progressShown = false;
  }

  /** Records a row with one peer (or none). higherIsBetter decides which way the ratio goes. */
  row(name: string, unit: string, ours: number, peer?: { name: string; value: number }, higherIsBetter = true, note?: string): void {
    this.rowPeers(name, unit, ours, peer ? [peer] : [], { higherIsBetter, ...(note ? { note } : {}) });
  }

  /**
   * Records a row with any number of peers, each with its ratio. A peer may bring its own `ratio`
   * (a paired figure: the median of per-round ratios, each taken between samples measured side by
   * side); otherwise the ratio is ours / peer (peer / ours when lower is better).
   */
  rowPeers(name: string, unit: string, ours: number, peers: { name: string; value: number; ratio?: number }[], o: { higherIsBetter?: boolean; note?: string } = {}): void {
    const hib = o.higherIsBetter ?? true;
    const r: BenchRow = { suite: this.suite, name, unit, ours, higherIsBetter: hib };
    const ps = peers
      .filter((p) => Number.isFinite(p.value) && p.value > 0)
      .map((p) => ({ name: p.name, value: p.value, ratio: p.ratio !== undefined && Number.isFinite(p.ratio) ? p.ratio : hib ? ours / p.value : p.value / ours }));
    if (ps.length) {
      r.peers = ps;
      r.peer = ps[0]!.value;
      r.peerName = ps[0]!.name;
      r.ratio = ps[0]!.ratio;
    }
    if (o.note) r.note = o.note;
    this.rows.push(r);
    if (!this.opts.json) {
      this.clearProgress();
      const p = (r.peers ?? []).map((q) => `  ${q.name} ${fmt(q.value)}  ${q.ratio.toFixed(2)}x`).join("");
      process.stdout.write(`${name.padEnd(52)} ours ${fmt(ours)} ${unit}${p}${o.note ? `  (${o.note})` : ""}\n`);
    }
  }

  /**
   * Ends the run: prints the JSON (--json), compares with the previous record (deltas to stderr or
   * stdout), and writes the new record, table and chart into docs/bench/ (rows of suites not run
   * this time are carried over from the previous record). write = false leaves docs/ alone.
   */
  finish(write: boolean): void {
    this.clearProgress();
    const rec: BenchRecord = { date: new Date().toISOString(), node: process.version, cpu: cpuModel(), load: loadAvg(), rows: this.rows };
    const out = this.opts.json ? process.stderr : process.stdout;
    const prevPath = join(BENCH_DIR, "last-run.json");
    let prev: BenchRecord | undefined;
    if (existsSync(prevPath)) {
      try {
        prev = JSON.parse(readFileSync(prevPath, "utf8")) as BenchRecord;
      } catch {
        prev = undefined;
      }
    }
    if (prev) out.write(deltaReport(prev, rec));
    if (this.opts.json) process.stdout.write(JSON.stringify(rec, null, 2) + "\n");
    if (!write) return;
    const ran = new Set(this.rows.map((r) => r.suite));
    const merged: BenchRecord = { ...rec, rows: [...(prev?.rows ?? []).filter((r) => !ran.has(r.suite)), ...this.rows] };
    mkdirSync(BENCH_DIR, { recursive: true });
    writeFileSync(prevPath, JSON.stringify(merged, null, 2) + "\n");
    writeFileSync(join(BENCH_DIR, "results.md"), markdownTable(merged));
    writeFileSync(join(BENCH_DIR, "chart.svg"), svgChart(merged));
    out.write(`\nbench: wrote ${join(BENCH_DIR, "last-run.json")}, results.md and chart.svg\n`);
  }
}

function cpuModel(): string {
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return m ? m[1]!.trim() : "";
  } catch {
    return "";
  }
}

function loadAvg(): number[] {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  return v.toFixed(2);
}

/** Row-by-row change of ours (and of the first ratio) against the previous record. */
export function deltaReport(prev: BenchRecord, cur: BenchRecord): string {
  const old = new Map(prev.rows.map((r) => [`${r.suite}/${r.name}/${r.unit}`, r])); // a name may come in two units
  const lines: string[] = [];
  for (const r of cur.rows) {
    const o = old.get(`${r.suite}/${r.name}/${r.unit}`);
    if (!o || !(o.ours > 0)) continue;
    const d = ((r.ours - o.ours) / o.ours) * 100;
    const better = r.higherIsBetter ? d : -d;
    const ratio = r.ratio !== undefined && o.ratio !== undefined ? `  ratio ${o.ratio.toFixed(2)}x -> ${r.ratio.toFixed(2)}x` : "";
    const mark = Math.abs(better) >= 10 ? (better > 0 ? "  better" : "  WORSE") : "";
    lines.push(`${`${r.suite}/${r.name}`.padEnd(62)} ${fmt(o.ours)} -> ${fmt(r.ours)} ${r.unit} (${d >= 0 ? "+" : ""}${d.toFixed(1)}%)${ratio}${mark}`);
  }
  if (!lines.length) return "";
  return `\n== delta against the previous run (${prev.date}, load ${prev.load?.join(" ") ?? "?"}) ==\n${lines.join("\n")}\n`;
}

export function markdownTable(rec: BenchRecord): string {
  const L: string[] = [];
  L.push(`# Benchmark: last run`);
  L.push(``);
  L.push(`Written by \`npm run bench\` (bench/harness.ts) on ${rec.date}; Node ${rec.node}; ${rec.cpu || "unknown CPU"}; load average ${rec.load.join(" ")}.`);
  L.push(`Ratios are ours / peer for rates (higher is better) and peer / ours for sizes and times. The machine is shared:`);
  L.push(`compare within one run. See docs/performance.md for how each figure is measured.`);
  const suites = [...new Set(rec.rows.map((r) => r.suite))];
  for (const s of suites) {
    const rows = rec.rows.filter((r) => r.suite === s);
    const peerNames = [...new Set(rows.flatMap((r) => (r.peers ?? []).map((p) => p.name)))];
    L.push(``);
    L.push(`## ${s}`);
    L.push(``);
    L.push(`| measurement | unit | ours | ${peerNames.map((p) => `${p} | ratio`).join(" | ")}${peerNames.length ? " | " : ""}note |`);
    L.push(`|---|---|---:|${peerNames.map(() => "---:|---:").join("|")}${peerNames.length ? "|" : ""}---|`);
    for (const r of rows) {
      const cells = peerNames.map((n) => {
        const p = (r.peers ?? []).find((q) => q.name === n);
        return p ? `${fmt(p.value)} | **${p.ratio.toFixed(2)}x**` : " | ";
      });
      L.push(`| ${r.name} | ${r.unit} | ${fmt(r.ours)} | ${cells.join(" | ")}${cells.length ? " | " : ""}${r.note ?? ""} |`);
    }
  }
  return L.join("\n") + "\n";
}

const COLORS: Record<string, string> = { ours: "#1f77b4", libsrtp: "#d62728", "node:crypto": "#7f7f7f", node: "#7f7f7f" };

/**
 * A grouped bar chart of the headline figures: SRTP packets/s at 172 bytes (ours SIMD per packet,
 * zero-copy and batch, libsrtp, node:crypto), then capacity and TLS records, each group scaled to
 * its own largest bar, with the ratio to libsrtp / node written beside our bars.
 */
export function svgChart(rec: BenchRecord): string {
  interface Bar { label: string; value: number; color: string; }
  interface Group { title: string; unit: string; bars: Bar[]; }
  const groups: Group[] = [];
  const find = (suite: string, name: string) => rec.rows.find((r) => r.suite === suite && r.name === name);
  for (const prof of ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"]) {
    for (const op of ["protect", "unprotect"]) {
      const per = find("srtp", `simd ${prof} 172 B ${op}`);
      if (!per) continue;
      const bars: Bar[] = [{ label: "ours, per packet", value: per.ours, color: COLORS.ours! }];
      const inPlace = find("srtp", `simd ${prof} 172 B ${op} in place (arena)`);
      if (inPlace) bars.push({ label: "ours, zero-copy", value: inPlace.ours, color: "#4c9be8" });
      const batch = find("srtp", `simd ${prof} 172 B ${op} batch of 64 sessions`);
      if (batch) bars.push({ label: "ours, batch", value: batch.ours, color: "#9ecae1" });
      const scalar = find("srtp", `scalar ${prof} 172 B ${op}`);
      if (scalar) bars.push({ label: "ours, scalar", value: scalar.ours, color: "#bcd7ee" });
      for (const p of per.peers ?? []) bars.push({ label: p.name, value: p.value, color: COLORS[p.name] ?? "#999" });
      groups.push({ title: `SRTP ${prof === "AEAD_AES_128_GCM" ? "AES-GCM" : "AES-CM-HMAC-SHA1-80"} ${op}, 172 B`, unit: "packets/s", bars });
    }
  }
  for (const r of rec.rows.filter((x) => x.suite === "capacity" && x.unit === "calls")) {
    groups.push({ title: r.name, unit: "calls", bars: [{ label: "ours", value: r.ours, color: COLORS.ours! }, ...(r.peers ?? []).map((p) => ({ label: p.name, value: p.value, color: COLORS[p.name] ?? "#999" }))] });
  }
  for (const r of rec.rows.filter((x) => x.suite === "tls-record" && / core \(simd\)$/.test(x.name))) {
    groups.push({ title: `TLS 1.3 AES-128-GCM ${r.name.replace(/ core \(simd\)$/, "")}`, unit: "MB/s", bars: [{ label: "ours", value: r.ours, color: COLORS.ours! }, ...(r.peers ?? []).map((p) => ({ label: p.name, value: p.value, color: COLORS[p.name] ?? "#999" }))] });
  }
  const W = 900, left = 190, barH = 16, gap = 4, titleH = 24, groupGap = 14;
  let y = 60;
  const parts: string[] = [];
  for (const g of groups) {
    const max = Math.max(...g.bars.map((b) => b.value));
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold" font-size="13">${esc(g.title)} (${esc(g.unit)})</text>`);
    y += titleH;
    const ours = g.bars[0]!.value;
    for (const b of g.bars) {
      const w = Math.max(1, ((W - left - 170) * b.value) / max);
      parts.push(`<text x="${left - 8}" y="${y + barH - 4}" text-anchor="end" font-size="12">${esc(b.label)}</text>`);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${b.color}" rx="2"/>`);
      const rel = b === g.bars[0] ? "" : `  (ours ${(ours / b.value).toFixed(2)}x)`;
      parts.push(`<text x="${(left + w + 6).toFixed(1)}" y="${y + barH - 4}" font-size="12">${esc(fmt(b.value))}${esc(rel)}</text>`);
      y += barH + gap;
    }
    y += groupGap;
  }
  const H = y + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="18" font-weight="bold">gwsdk media path: ours vs libsrtp (Debian) vs node:crypto, one run</text>`,
    `<text x="10" y="44" font-size="12" fill="#555">${esc(`${rec.date.slice(0, 16).replace("T", " ")} UTC, Node ${rec.node}, ${rec.cpu}, load ${rec.load.join(" ")}; longer is better`)}</text>`,
    ...parts,
    `</svg>`,
  ].join("\n") + "\n";
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Runs fn repeatedly for about `ms` milliseconds per sample, `samples` times; returns the median
 * rate in operations per second (wall clock). fn performs `opsPerCall` operations per call.
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
  return median(rates);
}

/**
 * One sample of about `ms` milliseconds: operations per second of process CPU time (user +
 * system). CPU time does not count the time the process waited for a CPU, which on this shared
 * machine is most of the noise in wall-clock rates.
 */
export function cpuRate(fn: () => void, opsPerCall: number, ms: number): number {
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    fn();
    n++;
    if ((n & 3) === 0) t = performance.now();
  }
  const c = process.cpuUsage(c0);
  const us = c.user + c.system;
  return us > 0 ? (n * opsPerCall * 1e6) / us : 0;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
