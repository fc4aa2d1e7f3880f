// What a fuzz target is, and the property checks targets share with the fast-check suites in
// tests/host/hardening/. A target's run() feeds one input to a parser or transform and checks the
// properties of issue 10 (only our typed errors, no trap, no memory growth, no state change on
// rejected input, round trips). It throws FuzzFinding when a property fails; anything else that
// escapes run() is a finding too.
import { GwsdkError } from "../../../host/errors.js";
import type { Core, CoreVariant } from "../../../host/core/load-core.js";

export interface FuzzTarget {
  name: string;
  description: string;
  /** host: coverage-guided (JavaScript); core: mutation-based (inputs reach the wasm core). */
  kind: "host" | "core";
  /** Substrings of module URLs whose block coverage guides the search (host targets). */
  coverage?: readonly string[];
  /** Longest input tried. */
  maxLength: number;
  /** Text protocol: enable line-level mutations. */
  text?: boolean;
  /** Tokens the mutator inserts (keywords, delimiters, magic values). */
  dictionary?: readonly (string | Uint8Array)[];
  /** Seeds built in code, added to the files in tests/fuzz/corpus/<name>/. */
  seeds?(): Uint8Array[];
  /** One-time preparation (load the core, build keys); called before the first run. */
  setup?(opts: TargetSetup): Promise<void>;
  /** Releases what setup() holds open (servers, sockets), so a test process can exit. */
  teardown?(): Promise<void>;
  /** Feeds one input and checks every property. */
  run(input: Uint8Array): void | Promise<void>;
  /** Counters the target keeps (accepted / rejected...), reported with the run. */
  readonly counters?: Record<string, number>;
}

export interface TargetSetup {
  variant: CoreVariant;
}

/** A property of issue 10 did not hold for an input. */
export class FuzzFinding extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FuzzFinding";
  }
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new FuzzFinding(message);
}

export type ErrorPredicate = (e: unknown) => boolean;

/** A GwsdkError (optionally of one of these classes / code prefixes). */
export function gwsdkError(...codePrefixes: string[]): ErrorPredicate {
  return (e) => e instanceof GwsdkError && (codePrefixes.length === 0 || codePrefixes.some((p) => e.code.startsWith(p)));
}

export function instanceOf(...classes: (abstract new (...a: never[]) => unknown)[]): ErrorPredicate {
  return (e) => classes.some((c) => e instanceof c);
}

export function anyOf(...ps: ErrorPredicate[]): ErrorPredicate {
  return (e) => ps.some((p) => p(e));
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}${(e as { code?: string }).code ? ` ${(e as { code?: string }).code}` : ""}: ${e.message}`;
  return String(e);
}

/**
 * Runs fn; returns its value, or undefined when it threw an error `allowed` accepts. Any other
 * exception (TypeError, RangeError, a wasm trap, an untyped Error) is a finding.
 */
export function expectTyped<T>(what: string, allowed: ErrorPredicate, fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof FuzzFinding) throw e;
    if (e instanceof WebAssembly.RuntimeError) throw new FuzzFinding(`${what}: the core trapped: ${e.message}`, { cause: e });
    if (!allowed(e)) throw new FuzzFinding(`${what}: threw ${describe(e)}`, { cause: e });
    return { ok: false, error: e };
  }
}

export async function expectTypedAsync<T>(what: string, allowed: ErrorPredicate, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (e instanceof FuzzFinding) throw e;
    if (!allowed(e)) throw new FuzzFinding(`${what}: threw ${describe(e)}`, { cause: e });
    return { ok: false, error: e };
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks that a call left the core as it found it: linear memory did not grow and the host's arena
 * hands out exactly as many bytes as before (no leaked block on any path).
 */
export function coreUnchanged(core: Core, what: string, fn: () => void): void {
  const pages = core.memory.buffer.byteLength;
  const inUse = core.arena.inUse;
  fn();
  check(core.memory.buffer.byteLength === pages, `${what}: core memory grew from ${pages} to ${core.memory.buffer.byteLength} bytes`);
  check(core.arena.inUse === inUse, `${what}: arena blocks in use went from ${inUse} to ${core.arena.inUse} bytes (leak)`);
}

export const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
export const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
export const utf8 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

export function bump(counters: Record<string, number>, k: string): void {
  counters[k] = (counters[k] ?? 0) + 1;
}
