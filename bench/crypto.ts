// Crypto primitive benchmarks: AES-CTR, AES-GCM, SHA-1, HMAC-SHA1, SHA-256 vs Node's crypto.
// Each family adds its rows in its own function below.
import { createCipheriv, randomBytes } from "node:crypto";
import { loadCore } from "../host/index.js";
import { measure, type BenchContext } from "./harness.js";

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("crypto", "crypto primitives (MB/s; ours vs node:crypto)");
  await runGcm(ctx);
}

/**
 * AES-128-GCM seal (and GHASH alone) on both core builds vs Node's crypto aes-128-gcm. Ours: the
 * message already in the arena, sealed in place through the export (how the SRTP/TLS record layers
 * call it). Node: a new cipher per message (the IV changes every message), setAAD, update, final,
 * getAuthTag. AAD is 12 bytes (an RTP header) at 160 B, 13 bytes (a TLS 1.2 record header) above.
 */
export async function runGcm(ctx: BenchContext): Promise<void> {
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const sizes: [string, number, number][] = [["160 B", 160, 12], ["1 KiB", 1024, 13], ["16 KiB", 16384, 13]];
  const nodeRate = new Map<number, number>();
  for (const [, n, aadLen] of sizes) {
    const pt = randomBytes(n);
    const aad = randomBytes(aadLen);
    nodeRate.set(n, (measure(() => {
      const c = createCipheriv("aes-128-gcm", key, iv);
      c.setAAD(aad);
      c.update(pt);
      c.final();
      c.getAuthTag();
    }, n) / 1e6));
  }
  for (const variant of ["simd", "scalar"] as const) {
    const core = await loadCore({ variant });
    const seal = core.fn("gcm_seal");
    const ctxp = core.arena.alloc(core.fn("gcm_ctx_size")());
    const io = core.arena.alloc(16 + 16 + 32 + 16384 + 16);
    const pIv = io, pAad = io + 16, pData = io + 48, pTag = pData + 16384;
    core.u8.set(key, pData);
    core.call("gcm_key_init", [ctxp, pData, 16]);
    core.u8.set(iv, pIv);
    core.u8.set(randomBytes(32), pAad);
    core.u8.set(randomBytes(16384), pData);
    for (const [label, n, aadLen] of sizes) {
      const rate = measure(() => {
        seal(ctxp, pIv, 12, pAad, aadLen, pData, pData, n, pTag, 16);
      }, n) / 1e6;
      ctx.row(`AES-128-GCM seal ${label} (${variant})`, "MB/s", rate, { name: "node aes-128-gcm", value: nodeRate.get(n)! },
        true, n === 160 ? `${((rate * 1e6) / n / 1e6).toFixed(2)} M msg/s` : undefined);
    }
    const ghash = core.fn("ghash_run");
    const gh = core.arena.alloc(32);
    core.u8.set(randomBytes(16), gh);
    const grate = measure(() => {
      ghash(gh, gh + 16, pData, 16384);
    }, 16384) / 1e6;
    ctx.row(`GHASH 16 KiB (${variant})`, "MB/s", grate, undefined, true, core.fn("core_simd")() ? "ctmul32x4" : "ctmul64");
  }
}
