// MediaWorkerPool (host/media/workers): calls spread over worker_threads, each worker with its own
// core. What leaves a worker must be real SRTP under the call's tx key (unprotected here by an
// independent receiver on the main thread's core), what arrives must be unprotected with the rx key
// (forged packets counted as failures), removing a call stops its media, and misuse fails with
// stable codes. Two workers, a few frames per call: about a second.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { MediaWorkerPool } from "../../../host/media/workers/index.js";
import { shippedCore } from "../../helpers/cores.js";

const P = "AES_CM_128_HMAC_SHA1_80" as const;
const key = () => ({ masterKey: new Uint8Array(randomBytes(16)), masterSalt: new Uint8Array(randomBytes(14)) });

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("media workers: calls spread over 2 workers send real SRTP, unprotect what arrives, refuse forgeries, stop on removeCall", async () => {
  const core = await shippedCore("simd");
  const pool = await MediaWorkerPool.start({ workers: 2 });
  const socks: Socket[] = [];
  try {
    assert.equal(pool.size, 2);
    const calls = ["a", "b"].map((id) => ({ id, tx: key(), rx: key() }));
    const got = new Map<string, Uint8Array[]>(calls.map((c) => [c.id, []]));
    const placed: { worker: number; port: number; sock: Socket }[] = [];
    for (const c of calls) {
      // the peer's socket: receives the call's RTP from the worker
      const sock = createSocket("udp4");
      socks.push(sock);
      sock.on("message", (m) => got.get(c.id)!.push(new Uint8Array(m)));
      sock.bind(0, "127.0.0.1");
      await once(sock, "listening");
      const r = await pool.addCall({ id: c.id, profile: P, tx: c.tx, rx: c.rx, localPort: 0, remote: { address: "127.0.0.1", port: sock.address().port } });
      assert.ok(typeof r.port === "number" && r.port > 0);
      placed.push({ worker: r.worker, port: r.port!, sock });
    }
    assert.deepEqual(placed.map((p) => p.worker).sort(), [0, 1], "one call per worker (fewest calls first)");
    await assert.rejects(pool.addCall({ id: "a", profile: P, tx: key(), rx: key() }), { code: "ERR_MEDIA_WORKER_CALL" });

    // worker -> peer: G.711 frames protected with the call's tx key, consecutive sequence numbers
    await until(() => calls.every((c) => got.get(c.id)!.length >= 3), "3 frames per call");
    for (const c of calls) {
      const rx = core.srtp.receiver({ profile: P, ...c.tx });
      const other = core.srtp.receiver({ profile: P, ...calls.find((o) => o !== c)!.tx });
      try {
        const pkts = got.get(c.id)!.slice(0, 3);
        const seqs: number[] = [];
        for (const p of pkts) {
          assert.equal(p.length, 12 + 160 + 10);
          assert.throws(() => other.unprotect(p), { code: "ERR_SRTP_AUTH" }, "another call's key does not open it");
          const rtp = rx.unprotect(p);
          assert.equal(rtp.length, 172);
          assert.equal(rtp[1]! & 0x7f, 0, "PCMU");
          assert.ok(rtp.subarray(12).every((x) => x === 0xff), "mu-law silence");
          seqs.push((rtp[2]! << 8) | rtp[3]!);
        }
        assert.deepEqual(seqs, [seqs[0]!, (seqs[0]! + 1) & 0xffff, (seqs[0]! + 2) & 0xffff]);
      } finally {
        rx.close();
        other.close();
      }
    }

    // peer -> worker: 5 packets under the call's rx key are unprotected, 2 forged ones fail
    const s0 = await pool.stats();
    for (const [i, c] of calls.entries()) {
      const tx = core.srtp.sender({ profile: P, ...c.rx });
      try {
        for (let n = 0; n < 5; n++) {
          const rtp = new Uint8Array(172).fill(0x55);
          rtp.set([0x80, 0, 0, n + 1, 0, 0, (160 * n) >> 8, (160 * n) & 0xff, 0x12, 0x34, 0x56, 0x78 + i]);
          placed[i]!.sock.send(tx.protect(rtp), placed[i]!.port, "127.0.0.1");
        }
        const forged = tx.protect(new Uint8Array(172).fill(1).fill(0, 1, 12).fill(0x80, 0, 1));
        forged[40]! ^= 1;
        placed[i]!.sock.send(forged, placed[i]!.port, "127.0.0.1");
        const wrongKey = core.srtp.sender({ profile: P, ...key() });
        placed[i]!.sock.send(wrongKey.protect(new Uint8Array(172).fill(0x80, 0, 1)), placed[i]!.port, "127.0.0.1");
        wrongKey.close();
      } finally {
        tx.close();
      }
    }
    const sum = (s: { received: number; failures: number }[], k: "received" | "failures") => s.reduce((a, x) => a + x[k], 0);
    await until(async () => {
      const s = await pool.stats();
      return sum(s, "received") - sum(s0, "received") >= 10 && sum(s, "failures") - sum(s0, "failures") >= 4;
    }, "10 packets unprotected and 4 refused in the workers");
    const s1 = await pool.stats();
    assert.equal(sum(s1, "received") - sum(s0, "received"), 10);
    assert.equal(sum(s1, "failures") - sum(s0, "failures"), 4);
    assert.deepEqual(s1.map((s) => s.calls), [1, 1]);

    // removeCall: the worker's clock stops sending that call
    await pool.removeCall("a");
    await new Promise((r) => setTimeout(r, 60));
    const before = got.get("a")!.length;
    const beforeB = got.get("b")!.length;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(got.get("a")!.length, before, "no frames after removeCall");
    assert.ok(got.get("b")!.length > beforeB, "the other call goes on");
    assert.deepEqual((await pool.stats()).map((s) => s.calls).sort(), [0, 1]);
  } finally {
    await pool.close();
    for (const s of socks) s.close();
  }
  await assert.rejects(pool.addCall({ id: "c", profile: P, tx: key(), rx: key() }), { code: "ERR_MEDIA_WORKER_CLOSED" });
});

test("media workers: the synthetic load protects and unprotects every call's frame without failures; bad pool sizes are refused", async () => {
  await assert.rejects(MediaWorkerPool.start({ workers: 0 }), { code: "ERR_MEDIA_WORKER" });
  await assert.rejects(MediaWorkerPool.start({ workers: 1.5 }), { code: "ERR_MEDIA_WORKER" });
  const pool = await MediaWorkerPool.start({ workers: 1, variant: "scalar" });
  try {
    const [r] = await pool.load({ calls: 16, ms: 40, payload: 160, rtcpEvery: 2 });
    assert.ok(r);
    assert.equal(r.calls, 16);
    assert.equal(r.failures, 0);
    assert.ok(r.ticks >= 1);
    // 2 RTP packets per call per tick, and 2 SRTCP packets per call on ticks 0, 2, 4, ...
    assert.equal(r.packets, 32 * r.ticks + 32 * Math.ceil(r.ticks / 2));
  } finally {
    await pool.close();
  }
});
