// Crypto primitive benchmarks: AES-CTR, AES-GCM, SHA-1, HMAC-SHA1, SHA-256 vs Node's crypto.
// Each family adds its rows in its own function below.
import { createCipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import type { BenchContext } from "./harness.js";
import { measure } from "./harness.js";
import { loadCore, type Core, type CoreVariant } from "../host/index.js";

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("crypto", "crypto primitives (MB/s; ours vs node:crypto)");
  await runAes(ctx);
  await runHash(ctx);
  await runGcm(ctx);
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


// ---- SHA-1/SHA-256, HMAC-SHA1 (assembly/crypto/hash) ---------------------------------------------
// Inputs sit in the arena already and the HMAC key is precomputed, as the SRTP module will use them;
// the timed call is the raw export (one JS->wasm call per operation, ~30 ns of it overhead).
export async function runHash(ctx: BenchContext): Promise<void> {
  const big = new Uint8Array(16384).map((_, i) => (i * 131 + 7) & 0xff);
  const pkt = new Uint8Array(176).map((_, i) => (i * 29 + 1) & 0xff); // 12-byte header + 160-byte G.711 payload + 4-byte ROC
  const key = new Uint8Array(20).fill(0x0b);
  const mb = (opsPerSec: number, bytes: number) => (opsPerSec * bytes) / 1e6;

  const nodeSha1 = measure(() => createHash("sha1").update(big).digest(), 1);
  const nodeSha256 = measure(() => createHash("sha256").update(big).digest(), 1);
  const nodeHmac = measure(() => createHmac("sha1", key).update(pkt).digest(), 1);

  for (const variant of ["simd", "scalar"] as CoreVariant[]) {
    const core: Core = await loadCore({ variant });
    const tag = variant === "simd" ? "" : " [scalar build]";
    const pBig = core.put(big);
    const pPkt = core.put(pkt);
    const out = core.arena.alloc(64);
    const kctx = core.arena.alloc(core.call("hmac_key_size", []));
    const mctx = core.arena.alloc(core.call("hmac_ctx_size", []));
    const pKey = core.put(key);
    core.call("hmac_key_init", [kctx, 1, pKey, key.length]);
    const shaDigest = core.fn("sha_digest");
    const hmacCompute = core.fn("hmac_compute");
    const hmacInit = core.fn("hmac_init");
    const hmacUpdate = core.fn("hmac_update");
    const hmacFinal = core.fn("hmac_final");

    const sha1 = measure(() => shaDigest(1, pBig, big.length, out, 64), 1);
    ctx.row(`SHA-1 16 KiB${tag}`, "MB/s", mb(sha1, big.length), { name: "node", value: mb(nodeSha1, big.length) });
    const sha256 = measure(() => shaDigest(2, pBig, big.length, out, 64), 1);
    ctx.row(`SHA-256 16 KiB${tag}`, "MB/s", mb(sha256, big.length), { name: "node", value: mb(nodeSha256, big.length) });

    // 64 calls per timed function call, so the harness's own loop does not dominate.
    const hmac = measure(() => {
      for (let i = 0; i < 64; i++) hmacCompute(kctx, pPkt, 176, out, 10);
    }, 64);
    ctx.row(`HMAC-SHA1 176 B, 80-bit tag${tag}`, "µs/op", 1e6 / hmac, { name: "node", value: 1e6 / nodeHmac }, false, "key precomputed; target <= 0.5 µs");
    ctx.row(`HMAC-SHA1 176 B, 80-bit tag${tag}`, "ops/s", hmac, { name: "node", value: nodeHmac });
    const hmacStream = measure(() => {
      for (let i = 0; i < 64; i++) {
        hmacInit(mctx, kctx);
        hmacUpdate(mctx, pPkt, 172);
        hmacUpdate(mctx, pPkt + 172, 4);
        hmacFinal(mctx, out, 10);
      }
    }, 64);
    ctx.row(`HMAC-SHA1 172+4 B streamed (4 calls)${tag}`, "µs/op", 1e6 / hmacStream, { name: "node", value: 1e6 / nodeHmac }, false);
    for (const p of [pBig, pPkt, out, kctx, mctx, pKey]) core.arena.release(p);
  }
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
