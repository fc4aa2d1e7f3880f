// HMAC in the core: RFC 2202 and RFC 4231 known answers, reusable keys, streaming, truncated tags,
// constant-time verification, and a differential test against Node's createHmac with random keys
// of 0..300 bytes (shorter than, equal to and longer than every block size), on BOTH builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import { CoreError } from "../../../host/index.js";
import { ALGS, DIGEST_LEN, Prng, algFromName, testSeed } from "./hash-helpers.js";

interface HmacCase {
  name: string;
  algorithm?: string;
  key: string;
  data: string;
  mac?: string;
  mac_truncated_96?: string;
  mac_truncated_128?: string;
}

const rfc2202 = loadVectors<HmacCase>("hmac_sha1_rfc2202");
const rfc4231 = loadVectors<HmacCase>("hmac_sha2_rfc4231");

const isCode = (code: string) => (e: unknown) => e instanceof CoreError && e.code === code;

for (const variant of VARIANTS) {
  test(`${variant}: RFC 2202 HMAC-SHA-1 cases 1-7 (hmac_sha1_rfc2202.json, from BearSSL test_HMAC)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    assert.equal(rfc2202.cases.length, 7);
    for (const c of rfc2202.cases) {
      const key = hex(c.key);
      const data = hex(c.data);
      assert.equal(toHex(h.hmac("sha1", key, data)), c.mac, c.name);
      const k = h.hmacKey("sha1", key);
      assert.equal(toHex(k.stream().update(data.subarray(0, 3)).update(data.subarray(3)).digest()), c.mac, `${c.name} streamed`);
      if (c.mac_truncated_96) assert.equal(toHex(k.compute(data, 12)), c.mac_truncated_96, `${c.name} truncated to 96 bits`);
      assert.equal(k.verify(data, hex(c.mac)), true);
      k.close();
    }
  });

  test(`${variant}: RFC 4231 HMAC-SHA-256/384 cases 1-7 incl. the truncated case 5 (hmac_sha2_rfc4231.json)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    assert.equal(rfc4231.cases.length, 14);
    for (const c of rfc4231.cases) {
      const alg = algFromName(c.algorithm!);
      const key = hex(c.key);
      const data = hex(c.data);
      if (c.mac) {
        assert.equal(toHex(h.hmac(alg, key, data)), c.mac, c.name);
      } else {
        assert.equal(toHex(h.hmac(alg, key, data, 16)), c.mac_truncated_128, c.name);
        const k = h.hmacKey(alg, key);
        assert.equal(k.verify(data, hex(c.mac_truncated_128)), true, `${c.name} verifies truncated`);
        k.close();
      }
    }
  });

  test(`${variant}: differential vs node:crypto createHmac, random keys 0..300 and messages 0..2048, all algorithms`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const seed = testSeed();
    const rng = new Prng(seed);
    for (const alg of ALGS) {
      for (let i = 0; i < 150; i++) {
        const key = rng.bytes(i < 8 ? [0, 1, 63, 64, 65, 127, 128, 129][i]! : rng.int(0, 300));
        const k = h.hmacKey(alg, key);
        for (let j = 0; j < 4; j++) {
          const m = rng.bytes(rng.int(0, 2048));
          const want = createHmac(alg, key).update(m).digest();
          const what = `${alg} key ${key.length} msg ${m.length} seed=${seed}`;
          assert.equal(toHex(k.compute(m)), toHex(want), what);
          const cut = rng.int(1, DIGEST_LEN[alg]);
          assert.equal(toHex(k.compute(m, cut)), toHex(want.subarray(0, cut)), `${what} truncated to ${cut}`);
          // streaming in three pieces
          const a = rng.int(0, m.length);
          const b = rng.int(a, m.length);
          assert.equal(toHex(k.stream().update(m.subarray(0, a)).update(m.subarray(a, b)).update(m.subarray(b)).digest(cut)), toHex(want.subarray(0, cut)), `${what} streamed`);
        }
        k.close();
      }
    }
  });

  test(`${variant}: the SRTP shape: HMAC-SHA1 over header||payload then ROC, 80-bit tag`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const rng = new Prng(3);
    const key = rng.bytes(20);
    const k = h.hmacKey("sha1", key);
    for (let i = 0; i < 50; i++) {
      const pkt = rng.bytes(12 + rng.int(0, 300));
      const roc = rng.bytes(4);
      const want = createHmac("sha1", key).update(pkt).update(roc).digest().subarray(0, 10);
      assert.equal(toHex(k.stream().update(pkt).update(roc).digest(10)), toHex(want));
      assert.equal(toHex(k.compute(Buffer.concat([pkt, roc]), 10)), toHex(want));
    }
    k.close();
  });

  test(`${variant}: verify accepts the right tag, rejects every single-bit flip, and refuses empty/over-long tags`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    for (const alg of ALGS) {
      const k = h.hmacKey(alg, "key");
      const m = new TextEncoder().encode("message");
      const tag = k.compute(m);
      assert.equal(k.verify(m, tag), true);
      assert.equal(k.verify(m, tag.subarray(0, 10)), true, "a truncated tag verifies");
      for (let bit = 0; bit < tag.length * 8; bit += 7) {
        const bad = tag.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        assert.equal(k.verify(m, bad), false, `${alg} bit ${bit}`);
      }
      assert.equal(k.verify(new TextEncoder().encode("messagf"), tag), false);
      assert.throws(() => k.verify(m, new Uint8Array(0)), isCode("ERR_CORE_ARG"), "empty tag");
      assert.throws(() => k.verify(m, new Uint8Array(DIGEST_LEN[alg] + 1)), isCode("ERR_CORE_ARG"), "tag longer than the digest");
      assert.throws(() => k.compute(m, 0), isCode("ERR_CORE_ARG"));
      assert.throws(() => k.compute(m, DIGEST_LEN[alg] + 1), isCode("ERR_CORE_ARG"));
      k.close();
      assert.throws(() => k.compute(m), isCode("ERR_CORE_STATE"), "a closed key");
    }
  });

  test(`${variant}: a key is reusable and independent of other keys; long messages go through streaming`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const k1 = h.hmacKey("sha256", "one");
    const k2 = h.hmacKey("sha256", "two");
    const big = new Uint8Array(200_000).map((_, i) => i * 13);
    for (let i = 0; i < 3; i++) {
      assert.equal(toHex(k1.compute(big)), createHmac("sha256", "one").update(big).digest("hex"));
      assert.equal(toHex(k2.compute("x")), createHmac("sha256", "two").update("x").digest("hex"));
    }
    k1.close();
    k2.close();
  });
}
