// Timing leakage (dudect: Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", 2017).
// For each operation, two classes of secret input — a fixed value and fresh random values — are
// measured in random interleaved order; Welch's t-test compares the two timing distributions. |t|
// above 4.5 is the conventional "leak detected" threshold (dudect: 10 is a clear leak). We report
// the largest |t| over the whole sample and over dudect's percentile crops (which drop the slow tail
// where noise lives), with the number of measurements.
//
// Calls go straight to the core's exports, on inputs already placed in the arena, so no allocation
// or copying happens inside the timed region. One measurement times a small batch of calls of one
// class (timer resolution). The same run also measures a deliberately leaky comparison (an
// early-exit loop in JavaScript) as a positive control: it shows the method detects a real leak on
// this machine and gives the scale of |t| for one.
//
// This VM is shared and noisy (other tenants, frequency changes, JIT tiering, GC): noise only adds
// variance, which lowers |t|, so a low |t| here says "no leak visible above this noise with this
// many samples", not "proven constant time". A spurious high |t| can come from a disturbance that
// hit one class more than the other in a short run; rerun before concluding. See docs/security.md.
import { randomBytes } from "node:crypto";
import { loadCore, type Core, type CoreVariant } from "../host/index.js";
import type { BenchContext } from "./harness.js";

/** Welch's t statistic of two samples. */
export function welchT(a: Float64Array, na: number, b: Float64Array, nb: number): number {
  const stats = (x: Float64Array, n: number) => {
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i]! - m;
      m += d / (i + 1);
      m2 += d * (x[i]! - m);
    }
    return { m, v: n > 1 ? m2 / (n - 1) : 0 };
  };
  const sa = stats(a, na);
  const sb = stats(b, nb);
  const den = Math.sqrt(sa.v / na + sb.v / nb);
  return den === 0 ? 0 : (sa.m - sb.m) / den;
}

export interface DudectResult {
  /** Largest |t| over the uncropped sample and every crop. */
  maxAbsT: number;
  /** |t| of the whole sample. */
  absTAll: number;
  measurements: number;
  /** Median time per call, ns. */
  nsPerCall: number;
}

/**
 * Runs `measurements` timed batches. `prepare(i, cls)` sets up input slot i for class cls (0 fixed,
 * 1 random) before timing starts; `op(i)` runs one call on slot i (returns anything: kept alive).
 */
export function dudect(opts: { measurements: number; batch: number; slots: number; prepare: (slot: number, cls: 0 | 1) => void; op: (slot: number) => number }): DudectResult {
  const { measurements, batch, slots } = opts;
  const cls = new Uint8Array(measurements);
  const rnd = randomBytes(measurements);
  for (let i = 0; i < measurements; i++) cls[i] = rnd[i]! & 1;
  const slotOf = (i: number) => i % slots;
  // slots are prepared per measurement index pattern: slot k holds the class of the measurement using it
  const times = new Float64Array(measurements);
  let sink = 0;
  // warm-up (JIT tiers, caches), not recorded
  for (let s = 0; s < slots; s++) opts.prepare(s, (s & 1) as 0 | 1);
  for (let i = 0; i < Math.min(2000, measurements); i++) for (let k = 0; k < batch; k++) sink ^= opts.op(slotOf(i));
  for (let i = 0; i < measurements; i++) {
    const s = slotOf(i);
    if (s === 0) for (let k = 0; k < slots && i + k < measurements; k++) opts.prepare(k, cls[i + k] as 0 | 1);
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) sink ^= opts.op(s);
    times[i] = Number(process.hrtime.bigint() - t0);
  }
  if (sink === 0x7fffffff) process.stdout.write(""); // keep the results alive
  // drop the first 5% (still warming up), split by class
  const start = Math.floor(measurements * 0.05);
  const a = new Float64Array(measurements);
  const b = new Float64Array(measurements);
  let na = 0;
  let nb = 0;
  for (let i = start; i < measurements; i++) {
    if (cls[i] === 0) a[na++] = times[i]!;
    else b[nb++] = times[i]!;
  }
  const absTAll = Math.abs(welchT(a, na, b, nb));
  let maxAbsT = absTAll;
  const sorted = Float64Array.from(times.subarray(start)).sort();
  // dudect's crops: keep measurements below the p-th percentile, p = 1 - 0.5^(10(k+1)/N)
  for (let k = 0; k < 20; k++) {
    const p = 1 - Math.pow(0.5, (10 * (k + 1)) / 20);
    const thr = sorted[Math.floor(p * (sorted.length - 1))]!;
    let ca = 0;
    let cb = 0;
    const xa = new Float64Array(na);
    const xb = new Float64Array(nb);
    for (let i = 0; i < na; i++) if (a[i]! <= thr) xa[ca++] = a[i]!;
    for (let i = 0; i < nb; i++) if (b[i]! <= thr) xb[cb++] = b[i]!;
    if (ca > 100 && cb > 100) maxAbsT = Math.max(maxAbsT, Math.abs(welchT(xa, ca, xb, cb)));
  }
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { maxAbsT, absTAll, measurements: measurements - start, nsPerCall: median / batch };
}

const SLOTS = 64;

/** The measured calls must do what they are meant to (a call failing early would time nothing). */
function expect(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`timing bench: ${what} returned ${got}, expected ${want}`);
}

function u8(core: Core): Uint8Array {
  return core.u8;
}

/** The dudect rows for one core build. */
export function timingRows(core: Core, measurements: number): { name: string; r: DudectResult }[] {
  const f = (n: string) => core.fn(n);
  const a = core.arena;
  const out: { name: string; r: DudectResult }[] = [];
  const fill = (p: number, n: number, cls: 0 | 1, fixed = 0) => {
    if (cls === 0) u8(core).fill(fixed, p, p + n);
    else u8(core).set(randomBytes(n), p);
  };

  // AES-128: one SIMD batch (8 blocks) of ECB under a fixed key; secret = the plaintext.
  {
    const ctx = a.alloc(f("aes_ctx_size")());
    const key = core.put(randomBytes(16));
    expect(f("aes_key_init")(ctx, key, 16), 0, "aes_key_init");
    const src = a.alloc(SLOTS * 128);
    const dst = a.alloc(128);
    const enc = f("aes_ecb_encrypt");
    expect(enc(ctx, src, dst, 128), 128, "aes_ecb_encrypt");
    out.push({ name: "AES-128 ECB, 8 blocks (fixed vs random plaintext)", r: dudect({ measurements, batch: 8, slots: SLOTS, prepare: (s, c) => fill(src + s * 128, 128, c), op: (s) => enc(ctx, src + s * 128, dst, 128) }) });
    // secret = the key: the key schedule
    const keys = a.alloc(SLOTS * 16);
    const init = f("aes_key_init");
    out.push({ name: "AES-128 key schedule (fixed vs random key)", r: dudect({ measurements, batch: 8, slots: SLOTS, prepare: (s, c) => fill(keys + s * 16, 16, c), op: (s) => init(ctx, keys + s * 16, 16) }) });
    for (const p of [ctx, key, src, dst, keys]) a.release(p);
  }

  // GHASH: secret = H (the GCM hash key), 64 bytes of data.
  {
    const hs = a.alloc(SLOTS * 16);
    const y = a.alloc(16);
    const data = core.put(randomBytes(64));
    const gh = f("ghash_run");
    expect(gh(hs, y, data, 64), 0, "ghash_run");
    out.push({ name: "GHASH, 64 bytes (fixed vs random H)", r: dudect({ measurements, batch: 8, slots: SLOTS, prepare: (s, c) => fill(hs + s * 16, 16, c), op: (s) => gh(hs + s * 16, y, data, 64) }) });
    for (const p of [hs, y, data]) a.release(p);
  }

  // Tag comparison: ct_equal over 16 bytes; fixed = equal to the reference, random = a random tag.
  const ref = core.put(randomBytes(16));
  const tags = a.alloc(SLOTS * 16);
  const refBytes = u8(core).slice(ref, ref + 16);
  const eq = f("ct_equal");
  u8(core).set(refBytes, tags);
  expect(eq(ref, tags, 16), 1, "ct_equal");
  const prepTag = (s: number, c: 0 | 1) => {
    if (c === 0) u8(core).set(refBytes, tags + s * 16);
    else u8(core).set(randomBytes(16), tags + s * 16);
  };
  out.push({ name: "tag comparison ct_equal, 16 bytes (equal vs random)", r: dudect({ measurements, batch: 16, slots: SLOTS, prepare: prepTag, op: (s) => eq(ref, tags + s * 16, 16) }) });
  // Positive control: the same inputs through an early-exit comparison in JavaScript.
  const mem = () => u8(core);
  const leaky = (x: number, y: number, n: number) => {
    const m = mem();
    for (let i = 0; i < n; i++) if (m[x + i] !== m[y + i]) return 0;
    return 1;
  };
  out.push({ name: "control: early-exit JS compare (must leak)", r: dudect({ measurements, batch: 16, slots: SLOTS, prepare: prepTag, op: (s) => leaky(ref, tags + s * 16, 16) }) });
  a.release(ref);
  a.release(tags);

  // SRTP unprotect with a bad tag (AES_CM_128_HMAC_SHA1_80): fixed = the genuine tag with its last
  // byte changed, random = a random tag. The packet is never accepted, so no state changes.
  {
    const profile = 1;
    const size = f("srtp_session_size")(4, 1, 128, profile);
    const s = a.alloc(size, 16);
    f("srtp_session_init")(s, size, 2, profile, 4, 1, 128, 0, 0, 1);
    const tx = a.alloc(size, 16);
    f("srtp_session_init")(tx, size, 1, profile, 4, 1, 128, 0, 0, 1);
    const mk = core.put(randomBytes(16));
    const ms = core.put(randomBytes(14));
    // an empty MKI still needs a pointer inside the arena
    expect(f("srtp_key_add")(s, mk, 16, ms, 14, ms, 0, 0), 0, "srtp_key_add");
    expect(f("srtp_key_add")(tx, mk, 16, ms, 14, ms, 0, 0), 0, "srtp_key_add");
    const len = 172;
    const pkt = a.alloc(len + 64);
    const rtp = new Uint8Array(len);
    rtp.set([0x80, 0, 0, 1, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]);
    u8(core).set(rtp, pkt);
    const n = f("srtp_protect")(tx, pkt, len, pkt, len + 64);
    expect(n, len + 10, "srtp_protect");
    const genuine = u8(core).slice(pkt, pkt + n);
    const slots = a.alloc(SLOTS * 256);
    const dst = a.alloc(256);
    const unprotect = f("srtp_unprotect");
    // the measured calls must fail on the tag, after the HMAC: check both classes once
    for (const c of [0, 1] as const) {
      u8(core).set(genuine, slots);
      if (c === 0) u8(core)[slots + n - 1]! ^= 1;
      else u8(core).set(randomBytes(10), slots + n - 10);
      expect(unprotect(s, slots, n, dst, 256), -32, `srtp_unprotect (class ${c})`);
    }
    out.push({
      name: "SRTP unprotect, bad tag (nearly right vs random)",
      r: dudect({
        measurements: Math.floor(measurements / 2),
        batch: 2,
        slots: SLOTS,
        prepare: (k, c) => {
          const p = slots + k * 256;
          u8(core).set(genuine, p);
          if (c === 0) u8(core)[p + n - 1]! ^= 1;
          else u8(core).set(randomBytes(10), p + n - 10);
        },
        op: (k) => unprotect(s, slots + k * 256, n, dst, 256),
      }),
    });
    f("wipe_bytes")(s, size);
    f("wipe_bytes")(tx, size);
    for (const p of [s, tx, mk, ms, pkt, slots, dst]) a.release(p);
  }
  return out;
}

export async function run(ctx: BenchContext): Promise<void> {
  const measurements = Number(process.env.GWSDK_DUDECT_MEASUREMENTS ?? 200_000);
  for (const variant of ["simd", "scalar"] as CoreVariant[]) {
    ctx.section("timing", `Timing leakage (dudect, Welch |t|; < 4.5 = no leak visible), ${variant} core, ${measurements} measurements per row`);
    const core = await loadCore({ variant });
    for (const { name, r } of timingRows(core, measurements)) {
      const verdict = r.maxAbsT < 4.5 ? "no leak visible" : r.maxAbsT < 10 ? "suspect: rerun" : "LEAK";
      ctx.row(`${name}`, "|t|", r.maxAbsT, undefined, false, `all-sample |t| ${r.absTAll.toFixed(2)}, n=${r.measurements}, ${r.nsPerCall.toFixed(0)} ns/call: ${verdict}`);
    }
  }
}
