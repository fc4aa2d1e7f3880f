// The TLS 1.2 PRF (RFC 5246 §5) in the core. There is no public known answer for P_SHA256/P_SHA384
// with an authoritative source, so it is cross-checked against an independent P_hash written from
// the RFC's definition with Node's createHmac (hash-helpers.ts), over many random inputs and output
// lengths, on BOTH builds; plus the power-on known answer (self-test id 208), recomputed here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { CoreError } from "../../../host/index.js";
import { Prng, nodeTls12Prf, testSeed } from "./hash-helpers.js";

const isCode = (code: string) => (e: unknown) => e instanceof CoreError && e.code === code;

for (const variant of VARIANTS) {
  test(`${variant}: P_SHA256 and P_SHA384 equal an independent RFC 5246 §5 construction (random inputs)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const seed = testSeed();
    const rng = new Prng(seed);
    for (const alg of ["sha256", "sha384"] as const) {
      for (let i = 0; i < 150; i++) {
        const secret = rng.bytes(i === 0 ? 0 : i === 1 ? 200 : rng.int(0, 160));
        const label = rng.bytes(rng.int(0, 40));
        const sd = rng.bytes(rng.int(0, 140));
        const L = i < 6 ? [0, 1, 32, 48, 104, 136][i]! : rng.int(0, 400);
        const want = nodeTls12Prf(alg, secret, label, sd, L);
        assert.equal(toHex(h.tls12Prf(alg, secret, label, sd, L)), toHex(want), `${alg} secret ${secret.length} label ${label.length} seed ${sd.length} L=${L} seed=${seed}`);
      }
    }
  });

  test(`${variant}: the shapes TLS 1.2 uses: master secret (48), key block (104/136), verify_data (12)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const rng = new Prng(5);
    const pre = rng.bytes(48);
    const cr = rng.bytes(32);
    const sr = rng.bytes(32);
    for (const alg of ["sha256", "sha384"] as const) {
      const ms = h.tls12Prf(alg, pre, "master secret", Buffer.concat([cr, sr]), 48);
      assert.equal(toHex(ms), toHex(nodeTls12Prf(alg, pre, Buffer.from("master secret"), Buffer.concat([cr, sr]), 48)));
      const kb = h.tls12Prf(alg, ms, "key expansion", Buffer.concat([sr, cr]), 136);
      assert.equal(toHex(kb), toHex(nodeTls12Prf(alg, ms, Buffer.from("key expansion"), Buffer.concat([sr, cr]), 136)));
      const vd = h.tls12Prf(alg, ms, "client finished", rng.bytes(alg === "sha256" ? 32 : 48), 12);
      assert.equal(vd.length, 12);
    }
  });

  test(`${variant}: the self-test known answer (id 208) agrees with the independent construction`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const secret = Uint8Array.from({ length: 48 }, (_, i) => i);
    const seed = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
    const want = "60da501700f990bf03b007fcd9f2b5535c09c5ff1c78b4962140a56fb7ef5fb1548213c7f0ff520f";
    assert.equal(toHex(nodeTls12Prf("sha256", secret, Buffer.from("gwsdk selftest"), seed, 40)), want);
    assert.equal(toHex(h.tls12Prf("sha256", secret, "gwsdk selftest", seed, 40)), want);
  });

  test(`${variant}: only SHA-256 and SHA-384 are TLS 1.2 PRF hashes`, async () => {
    const core = await shippedCore(variant);
    assert.throws(() => core.crypto.hash.tls12Prf("sha1" as never, new Uint8Array(1), "l", new Uint8Array(1), 8), isCode("ERR_CORE_ARG"));
    assert.throws(() => core.crypto.hash.tls12Prf("sha512" as never, new Uint8Array(1), "l", new Uint8Array(1), 8), isCode("ERR_CORE_ARG"));
  });
}
