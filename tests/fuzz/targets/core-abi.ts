// The core's whole export surface under hostile arguments (mutation-based): the input is decoded
// into a sequence of calls (which export, then each argument as raw value, a pointer into the arena
// or next to its edges, one of a few real contexts, or a length). Properties: every call returns a
// number (no trap, no abort); linear memory never grows; nothing below arena_base (the core's tables,
// constants and self-test data) changes — checked by comparing that region and by re-running the
// power-on self-test.
import { loadCore, type Core } from "../../../host/core/load-core.js";
import { bump, check, type FuzzTarget } from "./types.js";

let core: Core | undefined;
let names: string[] = [];
let contexts: number[] = [];
let buf = 0;
let staticSnapshot: Uint8Array | undefined;
const counters: Record<string, number> = {};

async function setupCore(variant: "simd" | "scalar"): Promise<void> {
  if (core) return;
  core = await loadCore({ variant });
  const c = core;
  names = Object.keys(c.exports)
    .filter((n) => typeof c.exports[n] === "function" && !n.startsWith("__")) // __getString & co. are the JS loader's helpers
    .sort();
  // Real contexts of each kind, so that calls get past the first checks.
  const ctx = (sizeFn: string): number => c.arena.alloc(Math.max(64, c.fn(sizeFn)()), 16);
  const sizes = ["aes_ctx_size", "aes_ctr_state_size", "sha_ctx_size", "hmac_key_size", "hmac_ctx_size", "gcm_ctx_size", "tls_half_ctx_size", "tls_reasm_ctx_size", "tls_transcript_ctx_size", "tls13_ks_ctx_size"];
  contexts = sizes.filter((s) => c.has(s)).map(ctx);
  const srtpSize = c.fn("srtp_session_size")(8, 2, 64, 0);
  const srtp = c.arena.alloc(srtpSize, 16);
  c.fn("srtp_session_init")(srtp, srtpSize, 2, 1, 8, 2, 64, 0, 0, 7);
  contexts.push(srtp);
  buf = c.arena.alloc(70000, 16);
  staticSnapshot = c.u8.slice(0, c.fn("arena_base")());
}

function arg(c: Core, cls: number, v: number): number {
  const base = c.arena.base;
  const end = c.arena.end;
  switch (cls % 10) {
    case 0:
      return v >>> 0;
    case 1:
      return buf + (v % 70000);
    case 2:
      return contexts[v % contexts.length]!;
    case 3:
      return end - (v % 128);
    case 4:
      return 0;
    case 5:
      return v % 64;
    case 6:
      return 0xffffffff - (v % 16);
    case 7:
      return Math.max(0, base - 1 - (v % 4096));
    case 8:
      return v % 70000;
    default:
      return contexts[v % contexts.length]! + (v % 4096);
  }
}

export const coreAbi: FuzzTarget = {
  name: "core-abi",
  description: "every core export with hostile pointers, lengths and ids: no trap, no growth, static data (tables, self-test) intact",
  kind: "core",
  maxLength: 600,
  counters,
  setup: (o) => setupCore(o.variant),
  seeds: () => [Uint8Array.from({ length: 60 }, (_, i) => (i * 37) & 0xff), Uint8Array.from({ length: 120 }, (_, i) => (i * 101 + 7) & 0xff)],
  run(input) {
    const c = core!;
    const pages = c.memory.buffer.byteLength;
    let i = 0;
    const byte = () => (i < input.length ? input[i++]! : 0);
    let calls = 0;
    while (i < input.length && calls < 40) {
      const name = names[((byte() << 8) | byte()) % names.length]!;
      const argc = byte() % 13;
      const args: number[] = [];
      for (let a = 0; a < argc; a++) {
        const cls = byte();
        const v = ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) >>> 0;
        args.push(arg(c, cls, v));
      }
      const f = c.exports[name] as (...a: number[]) => number | bigint;
      let r: number | bigint;
      try {
        r = f(...args);
      } catch (e) {
        if (e instanceof TypeError && /BigInt/.test(e.message)) continue; // an i64 parameter given a number: not a core call
        throw e;
      }
      check(typeof r === "number" || typeof r === "bigint", `${name} returned ${typeof r}`);
      calls++;
      // the outcome per export (a status, or "ok") is the mutation feedback of this target
      bump(counters, `${name}:${typeof r === "number" && r < 0 ? r : "ok"}`);
    }
    check(c.memory.buffer.byteLength === pages, "core memory grew");
    const now = c.u8.subarray(0, staticSnapshot!.length);
    let diff = -1;
    for (let k = 0; k < now.length; k++) {
      if (now[k] !== staticSnapshot![k]) {
        diff = k;
        break;
      }
    }
    check(diff < 0, `static memory below arena_base changed at offset ${diff} (a write outside the arena, or scratch not wiped)`);
    check(c.fn("selftest")() === 0, "the power-on self-test fails after hostile calls");
  },
};
