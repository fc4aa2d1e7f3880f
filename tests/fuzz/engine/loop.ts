// The fuzzing loop for one target (runs inside a worker thread; see main.ts for the watchdog).
//
// Host targets are coverage-guided: mutants run in batches; after a batch, V8 block coverage is
// read once, and only when the batch reached something new is each of its mutants re-run alone to
// find which ones (reading coverage costs ~2-3 ms; most batches add nothing). Core targets are
// mutation-based: their wasm is not covered, so the only feedback is the target's outcome counters
// (a mutant that produces an outcome never seen before, e.g. a new error code, joins the corpus).
import type { FuzzTarget } from "../targets/types.js";
import { BlockCoverage } from "./coverage.js";
import { digest, initialInputs } from "./corpus.js";
import { Mutator } from "./mutator.js";
import { Rng } from "./rng.js";

export interface LoopOptions {
  seconds: number;
  maxRuns?: number;
  seed: number;
  variant: "simd" | "scalar";
  /** Mutants per coverage read (host targets). */
  batch?: number;
  /** Heartbeat for the watchdog: ctl[0] counts runs started, ctl[1] the length of the input in buf. */
  shared?: { ctl: Int32Array; buf: Uint8Array };
  onCrash(input: Uint8Array, error: unknown, signature: string): void;
  onNewInput(input: Uint8Array, why: string): void;
  onProgress?(s: LoopStats): void;
}

export interface LoopStats {
  target: string;
  kind: "host" | "core";
  seconds: number;
  runs: number;
  seeds: number;
  corpus: number;
  features: number;
  crashes: number;
  uniqueCrashes: number;
  counters: Record<string, number>;
  usefulMutations: Record<string, number>;
}

/**
 * What makes two findings "the same" for de-duplication: the property that failed (the message up
 * to its first ": "), or for an unexpected exception, where it escaped and its class and the start
 * of its message. Numbers and the input's own bytes quoted in messages are left out.
 */
export function errorSignature(e: unknown): string {
  if (!(e instanceof Error)) return String(e).slice(0, 120);
  const parts = e.message.split("\n")[0]!.split(": ");
  const keep = parts[1]?.startsWith("threw ") || parts[1]?.startsWith("the core trapped") ? 3 : 1;
  return `${e.name}: ${parts.slice(0, keep).join(": ")}`.replace(/\d+/g, "N").slice(0, 160);
}

export async function fuzzLoop(t: FuzzTarget, o: LoopOptions): Promise<LoopStats> {
  await t.setup?.({ variant: o.variant });
  const rng = new Rng(o.seed);
  const dictionary = (t.dictionary ?? []).map((d) => (typeof d === "string" ? new Uint8Array(Buffer.from(d, "latin1")) : d));
  const mut = new Mutator(rng, { maxLength: t.maxLength, dictionary, ...(t.text ? { text: true } : {}) });
  const cov = t.kind === "host" && t.coverage ? new BlockCoverage(t.coverage) : undefined;
  const corpus: Uint8Array[] = [];
  const known = new Set<string>();
  const crashSigs = new Set<string>();
  const outcomeKeys = new Set<string>();
  let crashes = 0;
  let runs = 0;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const batchSize = o.batch ?? 24;

  const heartbeat = (input: Uint8Array): void => {
    if (!o.shared) return;
    const n = Math.min(input.length, o.shared.buf.length);
    o.shared.buf.set(input.subarray(0, n));
    Atomics.store(o.shared.ctl, 1, n);
    Atomics.add(o.shared.ctl, 0, 1);
  };

  /** Runs one input; returns false when it broke a property. */
  const exec = async (input: Uint8Array): Promise<boolean> => {
    heartbeat(input);
    runs++;
    try {
      const r = t.run(input);
      if (r instanceof Promise) await r;
      return true;
    } catch (e) {
      crashes++;
      const sig = errorSignature(e);
      const fresh = !crashSigs.has(sig);
      crashSigs.add(sig);
      if (fresh) o.onCrash(Uint8Array.from(input), e, sig);
      return false;
    }
  };

  /** New outcome counters (the only feedback of core targets, extra feedback for host ones). */
  const newOutcome = (): boolean => {
    let fresh = false;
    for (const k of Object.keys(t.counters ?? {})) {
      if (!outcomeKeys.has(k)) {
        outcomeKeys.add(k);
        fresh = true;
      }
    }
    return fresh;
  };

  const admit = (input: Uint8Array, why: string): void => {
    const d = digest(input);
    if (known.has(d)) return;
    known.add(d);
    corpus.push(input);
    o.onNewInput(input, why);
  };

  cov?.start();
  const initial = initialInputs(t);
  for (const s of initial) {
    known.add(digest(s.data));
    corpus.push(s.data);
    await exec(s.data);
    cov?.collect(true);
    newOutcome();
  }
  if (corpus.length === 0) corpus.push(new Uint8Array(0));

  const pickParent = (): Uint8Array => {
    // favour recent discoveries a little: they sit at the frontier
    if (corpus.length > 4 && rng.chance(0.3)) return corpus[corpus.length - 1 - rng.below(Math.min(16, corpus.length))]!;
    return corpus[rng.below(corpus.length)]!;
  };
  const other = (): Uint8Array | undefined => corpus[rng.below(corpus.length)];

  let lastProgress = performance.now();
  while (performance.now() < deadline && (o.maxRuns === undefined || runs < o.maxRuns)) {
    if (cov) {
      const batch: { input: Uint8Array; ops: string[] }[] = [];
      for (let i = 0; i < batchSize; i++) {
        const m = mut.mutate(pickParent(), other);
        batch.push({ input: m, ops: mut.lastOps });
        const ok = await exec(m);
        if (ok && newOutcome()) admit(m, "new outcome");
      }
      if (cov.collect(false) > 0) {
        for (const b of batch) {
          if (!(await exec(b.input))) continue;
          if (cov.collect(true) > 0) {
            mut.lastOps = b.ops;
            mut.credit();
            admit(b.input, "new coverage");
          }
        }
      }
    } else {
      const m = mut.mutate(pickParent(), other);
      if ((await exec(m)) && newOutcome()) {
        mut.credit();
        admit(m, "new outcome");
      }
    }
    if (o.onProgress && performance.now() - lastProgress > 2000) {
      lastProgress = performance.now();
      o.onProgress(stats());
    }
  }
  cov?.stop();
  return stats();

  function stats(): LoopStats {
    return {
      target: t.name,
      kind: t.kind,
      seconds: (performance.now() - started) / 1000,
      runs,
      seeds: initial.length,
      corpus: corpus.length,
      features: cov?.size ?? outcomeKeys.size,
      crashes,
      uniqueCrashes: crashSigs.size,
      counters: { ...(t.counters ?? {}) },
      usefulMutations: Object.fromEntries(mut.useful),
    };
  }
}
