// Loads the WebAssembly core, runs its power-on self-test and returns a typed Core.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { instantiate } from "@assemblyscript/loader";
import { CoreError } from "../errors.js";
import { Arena } from "./arena.js";
import { statusInfo } from "./status.js";
import { CoreCrypto } from "./crypto/index.js";
import { SrtpApi } from "../srtp/index.js";
import { imageSlotDir } from "../image/slot-layout.js";

export type CoreVariant = "simd" | "scalar";

export interface LoadCoreOptions {
  /** Which build to load. Default: "simd" when WebAssembly.validate accepts it, else "scalar". */
  variant?: CoreVariant;
  /** A path or the bytes of a core build to load instead of the shipped one. */
  wasm?: string | Uint8Array;
  /** Skip the power-on self-test (only for the conformance kit examining broken builds). */
  skipSelfTest?: boolean;
  /**
   * Caps the host's arena allocator at this many bytes (a board's `core.arenaBytes`): contexts, keys
   * and packet buffers this host places in the core never take more. The module's linear memory stays
   * what the build declares (32 MiB, initial = maximum); a cap above the arena the build has is the
   * whole arena. Default: the whole arena. At least 4096.
   */
  arenaBytes?: number;
}

/** A core export: integer arguments in, an integer (length or negative status) out. */
export type CoreFn = (...args: number[]) => number;

/** The raw export surface. Every function follows the ABI in docs/abi.md. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  readonly [name: string]: CoreFn | WebAssembly.Memory | WebAssembly.Global | undefined;
}

/**
 * Where the shipped builds live: relative to this module (dist/host/core/ → build/), in the
 * directory named by GWSDK_CORE_DIR (set by `gwsdk image boot|run` to the slot directory), or — for
 * the host bundled into a firmware image — beside the bundle in its slot.
 */
export function shippedCorePath(variant: CoreVariant | "debug"): string {
  const file = variant === "simd" ? "core.wasm" : variant === "scalar" ? "core-scalar.wasm" : "core-debug.wasm";
  const dir = process.env.GWSDK_CORE_DIR || imageSlotDir();
  if (dir) return join(dir, file);
  return fileURLToPath(new URL(`../../../build/${file}`, import.meta.url));
}

let simdBytesCache: Uint8Array | undefined;

function readShipped(variant: CoreVariant): Uint8Array {
  try {
    return readFileSync(shippedCorePath(variant));
  } catch (e) {
    throw new CoreError("ERR_CORE_NOT_BUILT", `the ${variant} core build is missing (${shippedCorePath(variant)}); run "npm run build"`, undefined, { cause: e });
  }
}

/** The variant loadCore() picks by default on this runtime. */
export function defaultVariant(): CoreVariant {
  if (simdBytesCache === undefined) {
    try {
      simdBytesCache = readFileSync(shippedCorePath("simd"));
    } catch {
      return "scalar"; // an image for a scalar-only board ships only core-scalar.wasm
    }
  }
  return WebAssembly.validate(simdBytesCache as BufferSource) ? "simd" : "scalar";
}

export class Core {
  readonly variant: CoreVariant | "custom";
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** Bytes of arena the build has (arena_end - arena_base); `arena` may be capped below it (LoadCoreOptions.arenaBytes). */
  readonly arenaCapacity: number;
  /** Typed wrappers over the crypto primitives. */
  readonly crypto: CoreCrypto;
  /** The SRTP/SRTCP engine (docs/api.md "SRTP"). */
  readonly srtp: SrtpApi;
  private view: Uint8Array;

  constructor(exports: CoreExports, variant: CoreVariant | "custom", o: { arenaBytes?: number } = {}) {
    this.exports = exports;
    this.variant = variant;
    this.memory = exports.memory;
    this.view = new Uint8Array(this.memory.buffer);
    const base = this.fn("arena_base")();
    const end = this.fn("arena_end")();
    this.arenaCapacity = end - base;
    this.arena = new Arena(() => this.u8, base, o.arenaBytes !== undefined ? Math.min(end, base + o.arenaBytes) : end);
    this.crypto = new CoreCrypto(this);
    this.srtp = new SrtpApi(this);
  }

  /** A byte view over the core's linear memory. Memory never grows, so the view stays valid. */
  get u8(): Uint8Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Uint8Array(this.memory.buffer);
    return this.view;
  }

  /** True when the core exports a function of this name. */
  has(name: string): boolean {
    return typeof this.exports[name] === "function";
  }

  /** A core export by name; a missing export is ERR_CORE_NOT_IMPLEMENTED. */
  fn(name: string): CoreFn {
    const f = this.exports[name];
    if (typeof f !== "function") throw new CoreError("ERR_CORE_NOT_IMPLEMENTED", `this core build has no export "${name}"`);
    return f as CoreFn;
  }

  /**
   * Calls an export and returns its non-negative result; a negative status becomes an error from
   * makeError (default: CoreError with the status table's code).
   */
  call(name: string, args: number[], makeError?: (status: number) => Error): number {
    const r = this.fn(name)(...args);
    if (r < 0) throw makeError ? makeError(r) : coreStatusError(r, name);
    return r;
  }

  /** Copies bytes into a fresh arena block and returns its pointer (free with arena.release). */
  put(data: Uint8Array, extra = 0): number {
    const p = this.arena.alloc(data.length + extra);
    this.u8.set(data, p);
    return p;
  }

  /** Copies len bytes out of the arena. */
  take(ptr: number, len: number): Uint8Array {
    return this.u8.slice(ptr, ptr + len);
  }

  /**
   * Runs fn with temporary arena blocks (one per size in sizes), then zeroes and frees them,
   * also when fn throws. For one-shot calls; hot paths keep long-lived buffers instead.
   */
  withBlocks<T>(sizes: number[], fn: (...ptrs: number[]) => T): T {
    const ptrs: number[] = [];
    try {
      for (const s of sizes) ptrs.push(this.arena.alloc(s));
      return fn(...ptrs);
    } finally {
      for (const p of ptrs) this.arena.release(p);
    }
  }

  /** Runs the power-on self-test; throws CoreError ERR_CORE_SELFTEST naming the failed known answer. */
  selfTest(): void {
    const r = this.fn("selftest")();
    if (r !== 0) {
      const id = this.has("selftest_failed") ? this.fn("selftest_failed")() : 0;
      throw new CoreError("ERR_CORE_SELFTEST", `the core's power-on self-test failed (known answer id ${id}); this build must not be used`, r);
    }
  }
}

export function coreStatusError(status: number, where: string): CoreError {
  const info = statusInfo(status);
  return new CoreError(info.code, `${where}: ${info.text} (status ${status})`, status);
}

/** Loads a core build, runs its self-test (unless skipSelfTest), and returns a Core. */
export async function loadCore(options: LoadCoreOptions = {}): Promise<Core> {
  const cap = options.arenaBytes;
  if (cap !== undefined && (!Number.isSafeInteger(cap) || cap < 4096)) throw new CoreError("ERR_CORE_ARG", `arenaBytes must be an integer of at least 4096, not ${String(cap)}`);
  let bytes: Uint8Array;
  let variant: CoreVariant | "custom";
  if (options.wasm !== undefined) {
    variant = "custom";
    if (typeof options.wasm === "string") {
      try {
        bytes = readFileSync(options.wasm);
      } catch (e) {
        throw new CoreError("ERR_CORE_LOAD", `cannot read core build ${options.wasm}`, undefined, { cause: e });
      }
    } else bytes = options.wasm;
  } else {
    variant = options.variant ?? defaultVariant();
    if (variant !== "simd" && variant !== "scalar") throw new CoreError("ERR_CORE_ARG", `unknown core variant "${String(variant)}"`);
    bytes = readShipped(variant);
  }
  if (!WebAssembly.validate(bytes as BufferSource)) {
    throw new CoreError("ERR_CORE_LOAD", variant === "simd" ? "this runtime cannot run the SIMD core build; use variant \"scalar\"" : "the core build is not valid WebAssembly for this runtime");
  }
  let instance: { exports: unknown };
  try {
    instance = await instantiate(bytes as BufferSource, {
      env: {
        abort(_msg: number, _file: number, line: number, col: number) {
          throw new CoreError("ERR_CORE_ABORT", `the core aborted at ${line}:${col}`);
        },
      },
    });
  } catch (e) {
    if (e instanceof CoreError) throw e;
    throw new CoreError("ERR_CORE_LOAD", `cannot instantiate the core: ${(e as Error).message}`, undefined, { cause: e });
  }
  const exports = instance.exports as CoreExports;
  if (!(exports.memory instanceof WebAssembly.Memory)) throw new CoreError("ERR_CORE_LOAD", "the core exports no memory");
  for (const name of ["arena_base", "arena_end", "selftest"]) {
    if (typeof exports[name] !== "function") throw new CoreError("ERR_CORE_LOAD", `the core lacks the required export "${name}"`);
  }
  const core = new Core(exports, variant, cap !== undefined ? { arenaBytes: cap } : {});
  if (!options.skipSelfTest) core.selfTest();
  return core;
}
