// Hostile input at scale: random byte streams into the record layer (with and without keys) end in
// an alert or in waiting for more bytes, never in a trap or a delivered forgery; and random calls to
// every TLS export with random pointers and lengths return statuses, never trap. Seeded, so a
// failure reproduces.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCore, TlsRecordLayer, TlsAlertError, ContentType, cipherSuite } from "../../../host/index.js";
import { VARIANTS } from "../../helpers/cores.js";
import { testBytes } from "./record-helpers.js";

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

for (const variant of VARIANTS) {
  test(`${variant}: random streams end in an alert or wait, and nothing forged is delivered`, async () => {
    const core = await loadCore({ variant });
    const suite = cipherSuite("TLS_AES_128_GCM_SHA256")!;
    const next = rng(1234);
    let alerts = 0;
    for (let i = 0; i < 300; i++) {
      const rl = TlsRecordLayer.create(core);
      const keyed = i % 2 === 0;
      if (keyed) rl.installKeys("read", suite, testBytes(16, i), testBytes(12, i + 1));
      if (i % 3 === 0) rl.setVersion(i % 2 ? "1.2" : "1.3");
      // mostly plausible headers (type 20..23, version 3.x) with random lengths and bodies
      const parts: Uint8Array[] = [];
      for (let k = 0; k < 4; k++) {
        const len = next() % 300;
        const h = Uint8Array.of(20 + (next() % 5), 3, next() % 5, len >> 8, len & 0xff);
        if (next() % 7 === 0) h[0] = next() & 0xff;
        parts.push(h, testBytes(len, next()));
      }
      const stream = Buffer.concat(parts);
      let pos = 0;
      try {
        while (pos < stream.length) {
          const n = 1 + (next() % 64);
          rl.feed(stream.subarray(pos, pos + n));
          pos += n;
          for (let r = rl.readRecord(); r; r = rl.readRecord()) {
            // with keys installed nothing random can authenticate; without keys only unprotected
            // handshake/alert/CCS content can come out, never application data
            assert.ok(!keyed, "a random record authenticated");
            assert.notEqual(r.type, ContentType.applicationData);
          }
        }
      } catch (e) {
        assert.ok(e instanceof TlsAlertError, `unexpected error ${String(e)}`);
        alerts++;
      }
      rl.destroy();
    }
    assert.ok(alerts > 200, `most random streams are refused (${alerts})`);
  });

  test(`${variant}: random calls to every TLS export with random pointers never trap`, async () => {
    const core = await loadCore({ variant });
    const names = Object.keys(core.exports).filter((n) => /^tls(12|13)?_/.test(n) && typeof core.exports[n] === "function");
    assert.ok(names.length >= 50, `found ${names.length} TLS exports`);
    const base = core.arena.base;
    const end = core.arena.end;
    // a few real contexts so that calls get past the first checks
    const half = core.arena.alloc(core.fn("tls_half_ctx_size")());
    const reasm = core.arena.alloc(core.fn("tls_reasm_ctx_size")());
    const tr = core.arena.alloc(core.fn("tls_transcript_ctx_size")());
    const ks = core.arena.alloc(core.fn("tls13_ks_ctx_size")());
    const buf = core.arena.alloc(70000);
    core.fn("tls_half_init")(half, 0);
    core.fn("tls_reasm_init")(reasm);
    core.fn("tls_transcript_init")(tr, 0);
    core.fn("tls13_ks_init")(ks, 2, 0, 0);
    const next = rng(99);
    const pick = (): number => {
      switch (next() % 12) {
        case 0: return 0;
        case 1: return 0xffffffff;
        case 2: return end - (next() % 64);
        case 3: return base - 1 - (next() % 1024);
        case 4: return half;
        case 5: return reasm;
        case 6: return tr;
        case 7: return ks;
        case 8: return buf + (next() % 65536);
        case 9: return next() % 70000;
        case 10: return next() % 8;
        default: return next();
      }
    };
    for (let i = 0; i < 20000; i++) {
      const name = names[next() % names.length]!;
      const f = core.exports[name] as (...a: number[]) => number | bigint;
      const args = Array.from({ length: 12 }, pick);
      const r = f(...args);
      assert.ok(typeof r === "number" || typeof r === "bigint", name);
    }
  });
}
