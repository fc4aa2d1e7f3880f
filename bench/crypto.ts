// Crypto primitive benchmarks: AES-CTR, AES-GCM, SHA-1, HMAC-SHA1, SHA-256 vs Node's crypto.
// Each family adds its rows in its own function below.
import { createCipheriv, randomBytes } from "node:crypto";
import type { BenchContext } from "./harness.js";
import { measure } from "./harness.js";
import { loadCore, type CoreVariant } from "../host/index.js";

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("crypto", "crypto primitives (MB/s; ours vs node:crypto)");
  await runAes(ctx);
}

/**
 * AES-128-CTR throughput, both core builds, 160 B (one SRTP G.711 payload), 1 KiB and 16 KiB.
 * Ours: aes_ctr_init + aes_ctr_run in place on a message already in the arena (the host is meant
 * to write packets straight into the arena), with an expanded key context. Node: a new cipher per
 * message (createCipheriv + update + final, what per-packet code does), and for 16 KiB also one
 * long-lived cipher fed update() calls (its best case).
 */
export async function runAes(ctx: BenchContext): Promise<void> {
  const key = randomBytes(16);
  const iv = randomBytes(16);
  const sizes = [160, 1024, 16384];
  const node = new Map<number, number>();
  for (const n of sizes) {
    const msg = randomBytes(n);
    node.set(n, measure(() => {
      const c = createCipheriv("aes-128-ctr", key, iv);
      c.update(msg);
      c.final();
    }, n) / 1e6);
  }
  const longLived = createCipheriv("aes-128-ctr", key, iv);
  const big = randomBytes(16384);
  const nodeLong = measure(() => {
    longLived.update(big);
  }, 16384) / 1e6;

  for (const variant of ["simd", "scalar"] as CoreVariant[]) {
    const core = await loadCore({ variant });
    const f = (name: string) => core.fn(name);
    const kctx = core.arena.alloc(f("aes_ctx_size")());
    const st = core.arena.alloc(f("aes_ctr_state_size")());
    const kbuf = core.arena.alloc(32);
    const buf = core.arena.alloc(16384);
    core.u8.set(key, kbuf);
    core.call("aes_key_init", [kctx, kbuf, 16]);
    core.u8.set(iv, kbuf);
    core.u8.set(randomBytes(16384), buf);
    const init = f("aes_ctr_init");
    const runCtr = f("aes_ctr_run");
    for (const n of sizes) {
      const ours = measure(() => {
        init(st, kbuf, 0);
        runCtr(kctx, st, buf, buf, n);
      }, n) / 1e6;
      ctx.row(`aes-128-ctr ${n} B (${variant})`, "MB/s", ours, { name: "node new cipher/msg", value: node.get(n)! }, true,
        `${(n / ours).toFixed(2)} us/msg`);
    }
    const ours16k = measure(() => {
      runCtr(kctx, st, buf, buf, 16384);
    }, 16384) / 1e6;
    ctx.row(`aes-128-ctr 16384 B stream (${variant})`, "MB/s", ours16k, { name: "node long-lived cipher", value: nodeLong }, true);
  }
}
