// npm run fuzz -- TARGET... | all [--seconds N] [--runs N] [--seed N] [--variant simd|scalar]
//                 [--timeout-ms N] [--save-corpus] [--json]
// npm run fuzz -- --list
// npm run fuzz -- TARGET --replay FILE|DIR...
//
// Each target runs in a worker thread for N seconds (default 10). The main thread is the watchdog:
// when the worker's heartbeat stops for --timeout-ms (default 10000), the input it was running is
// saved as a hang and the worker restarted for the rest of the time. Inputs that break a property
// are saved under tests/.tmp/fuzz/<target>/crashes/ with the error beside them; once the bug is
// fixed, the input goes to tests/fuzz/regressions/<target>/ (replayed by `npm test`). Exit status
// 1 when anything was found. See docs/hardening.md.
import { Worker } from "node:worker_threads";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TARGETS, target } from "./targets/index.js";
import { corpusDir, saveInput, workDir } from "./engine/corpus.js";
import { errorSignature, type LoopStats } from "./engine/loop.js";

interface Args {
  targets: string[];
  seconds: number;
  runs?: number;
  seed: number;
  variant: "simd" | "scalar";
  timeoutMs: number;
  saveCorpus: boolean;
  json: boolean;
  list: boolean;
  replay: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { targets: [], seconds: 10, seed: (Date.now() ^ (process.pid << 16)) >>> 0, variant: "simd", timeoutMs: 10_000, saveCorpus: false, json: false, list: false, replay: [] };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${x} needs a non-negative number`);
      return v;
    };
    if (x === "--seconds") a.seconds = num();
    else if (x === "--runs") a.runs = num();
    else if (x === "--seed") a.seed = num() >>> 0;
    else if (x === "--variant") {
      const v = val();
      if (v !== "simd" && v !== "scalar") throw new Error("--variant is simd or scalar");
      a.variant = v;
    } else if (x === "--timeout-ms") a.timeoutMs = num();
    else if (x === "--save-corpus") a.saveCorpus = true;
    else if (x === "--json") a.json = true;
    else if (x === "--list") a.list = true;
    else if (x === "--replay") {
      while (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) a.replay.push(argv[++i]!);
    } else if (x.startsWith("--")) throw new Error(`unknown option ${x}`);
    else a.targets.push(x);
  }
  if (a.targets.includes("all")) a.targets = TARGETS.map((t) => t.name);
  return a;
}

const log = (s: string) => process.stderr.write(s + "\n");

interface RunResult {
  stats: LoopStats[];
  crashes: { signature: string; file: string }[];
  hangs: string[];
}

function runWorker(name: string, seconds: number, a: Args, seed: number, res: RunResult): Promise<{ hung: boolean; stats?: LoopStats }> {
  const t = target(name)!;
  const ctl = new SharedArrayBuffer(8);
  const buf = new SharedArrayBuffer(t.maxLength);
  const ctlView = new Int32Array(ctl);
  const w = new Worker(fileURLToPath(new URL("./worker.js", import.meta.url)), {
    workerData: { target: name, seconds, ...(a.runs !== undefined ? { maxRuns: a.runs } : {}), seed, variant: a.variant, ctl, buf },
  });
  const newDir = a.saveCorpus ? corpusDir(name) : join(workDir(name), "corpus");
  const crashDir = join(workDir(name), "crashes");
  return new Promise((resolve) => {
    let last = -1;
    let lastChange = Date.now();
    let settled = false;
    let stats: LoopStats | undefined;
    const finish = (hung: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      resolve({ hung, ...(stats ? { stats } : {}) });
    };
    const watch = setInterval(() => {
      const n = Atomics.load(ctlView, 0);
      if (n !== last) {
        last = n;
        lastChange = Date.now();
        return;
      }
      // no heartbeat yet: setup (loading the core, making keys) gets a minute
      const limit = n === 0 ? Math.max(60_000, a.timeoutMs) : a.timeoutMs;
      if (Date.now() - lastChange > limit) {
        const len = Atomics.load(ctlView, 1);
        const input = new Uint8Array(buf).slice(0, len);
        const file = saveInput(crashDir, input, "hang-", `${name}: no progress for ${limit} ms on this input (run ${n})\n`);
        log(`  HANG in ${name}: input saved to ${file}`);
        res.hangs.push(file);
        void w.terminate();
        finish(true);
      }
    }, 250);
    w.on("message", (m: { type: string; input?: Uint8Array; signature?: string; detail?: string; why?: string; stats?: LoopStats }) => {
      if (m.type === "crash") {
        const file = saveInput(crashDir, m.input!, "crash-", `${name}: ${m.signature}\n\n${m.detail}\n`);
        log(`  FINDING in ${name}: ${m.signature}\n    input: ${file}`);
        res.crashes.push({ signature: m.signature!, file });
      } else if (m.type === "input") {
        saveInput(newDir, m.input!, "");
      } else if (m.type === "progress") {
        stats = m.stats;
      } else if (m.type === "done") {
        stats = m.stats;
      }
    });
    w.on("error", (e) => {
      const file = saveInput(crashDir, new Uint8Array(buf).slice(0, Atomics.load(ctlView, 1)), "crash-", `${name}: the worker died: ${e.stack ?? e.message}\n`);
      log(`  FINDING in ${name}: the worker died (${errorSignature(e)}); last input: ${file}`);
      res.crashes.push({ signature: `worker died: ${errorSignature(e)}`, file });
    });
    w.on("exit", () => finish(false));
  });
}

async function fuzzTarget(name: string, a: Args, res: RunResult): Promise<void> {
  const start = Date.now();
  let seed = a.seed;
  let restarts = 0;
  const parts: LoopStats[] = [];
  for (;;) {
    const left = a.seconds - (Date.now() - start) / 1000;
    const r = await runWorker(name, Math.max(1, left), a, seed, res);
    if (r.stats) parts.push(r.stats);
    if (!r.hung || restarts >= 3 || left <= 1) break;
    restarts++;
    seed = (seed * 747796405 + 2891336453) >>> 0;
  }
  if (parts.length === 0) return;
  const s = parts.reduce((x, y) => ({ ...y, seconds: x.seconds + y.seconds, runs: x.runs + y.runs, crashes: x.crashes + y.crashes, uniqueCrashes: x.uniqueCrashes + y.uniqueCrashes }));
  res.stats.push(s);
  const top = Object.entries(s.counters)
    .sort((p, q) => q[1] - p[1])
    .slice(0, 6)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  log(
    `${name.padEnd(16)} ${s.kind.padEnd(4)} ${s.seconds.toFixed(1).padStart(6)} s ${String(s.runs).padStart(9)} inputs ${String(Math.round(s.runs / Math.max(0.001, s.seconds))).padStart(7)}/s ` +
      `corpus ${s.seeds}→${s.corpus} ${s.kind === "host" ? "blocks" : "outcomes"} ${s.features} findings ${s.uniqueCrashes}  ${top}`,
  );
}

async function replay(a: Args): Promise<number> {
  const name = a.targets[0]!;
  const t = target(name)!;
  await t.setup?.({ variant: a.variant });
  const files: string[] = [];
  for (const p of a.replay) {
    if (!existsSync(p)) throw new Error(`no such file ${p}`);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (!f.endsWith(".txt")) files.push(join(p, f));
    } else files.push(p);
  }
  let bad = 0;
  for (const f of files) {
    try {
      const r = t.run(new Uint8Array(readFileSync(f)));
      if (r instanceof Promise) await r;
      log(`ok       ${f}`);
    } catch (e) {
      bad++;
      log(`FINDING  ${f}\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}${e instanceof Error && e.cause instanceof Error ? `\ncaused by: ${e.cause.stack}` : ""}`);
    }
  }
  return bad ? 1 : 0;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  if (a.list || a.targets.length === 0) {
    for (const t of TARGETS) log(`${t.name.padEnd(16)} ${t.kind.padEnd(4)} ${t.description}`);
    if (!a.list) log("\nusage: npm run fuzz -- TARGET...|all [--seconds N] [--runs N] [--seed N] [--variant simd|scalar] [--timeout-ms N] [--save-corpus] [--json]");
    return a.list ? 0 : 2;
  }
  for (const n of a.targets) if (!target(n)) throw new Error(`unknown target "${n}" (npm run fuzz -- --list)`);
  if (a.replay.length) return replay(a);
  log(`fuzz: ${a.targets.length} target(s), ${a.seconds} s each, seed ${a.seed}, core ${a.variant}`);
  const res: RunResult = { stats: [], crashes: [], hangs: [] };
  for (const n of a.targets) await fuzzTarget(n, a, res);
  const runs = res.stats.reduce((s, x) => s + x.runs, 0);
  log(`fuzz: ${runs} inputs in total; ${res.crashes.length} finding(s), ${res.hangs.length} hang(s)${res.crashes.length + res.hangs.length ? " — see tests/.tmp/fuzz/<target>/crashes/ and docs/hardening.md" : ""}`);
  if (a.json) process.stdout.write(JSON.stringify({ seed: a.seed, variant: a.variant, seconds: a.seconds, targets: res.stats, crashes: res.crashes, hangs: res.hangs }, null, 2) + "\n");
  return res.crashes.length + res.hangs.length ? 1 : 0;
}

main().then(
  (code) => {
    // exit explicitly: a replayed target may still hold servers open
    process.exit(code);
  },
  (e) => {
    log(String(e instanceof Error ? e.message : e));
    process.exitCode = 2;
  },
);
