// SHA-1/256/384/512 in the core: FIPS 180 known answers, streaming and snapshots, differential
// against Node's crypto (OpenSSL) over random messages in odd chunk sizes, on BOTH shipped builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { CoreError } from "../../../host/index.js";
import { ALGS, DIGEST_LEN, BLOCK_LEN, Prng, algFromName, testSeed } from "./hash-helpers.js";

interface ShaCase {
  name: string;
  algorithm: string;
  message_hex?: string;
  message_ascii_repeat?: { char: string; count: number };
  digest: string;
}

const fips = loadVectors<ShaCase>("sha_fips180");

function message(c: ShaCase): Uint8Array {
  if (c.message_ascii_repeat) return new Uint8Array(c.message_ascii_repeat.count).fill(c.message_ascii_repeat.char.charCodeAt(0));
  return hex(c.message_hex);
}

for (const variant of VARIANTS) {
  test(`${variant}: FIPS 180 known answers (sha_fips180.json: BearSSL test_SHA*, FIPS 180-2 examples)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    assert.equal(fips.cases.length, 12);
    for (const c of fips.cases) {
      const alg = algFromName(c.algorithm);
      const m = message(c);
      assert.equal(toHex(h.digest(alg, m)), c.digest, `${c.name} one-shot`);
      // streaming in uneven pieces (the million-'a' case crosses the host's 64 KiB chunking too)
      const s = h.createHash(alg);
      for (let off = 0, step = 1; off < m.length; off += step, step = (step * 7 + 3) % 100_003 || 1) s.update(m.subarray(off, off + step));
      assert.equal(toHex(s.digest()), c.digest, `${c.name} streamed`);
    }
  });

  test(`${variant}: SHA-512 FIPS 180-2 Appendix C examples (not in the vector file; values checked with Node)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    // FIPS 180-2 C.1 "abc" and C.2 the 896-bit message; C.3 one million 'a'.
    const c1 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";
    const c2 = "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909";
    const c3 = "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";
    const m2 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    for (const [m, d] of [["abc", c1], [m2, c2], ["a".repeat(1_000_000), c3]] as const) {
      assert.equal(d, createHash("sha512").update(m).digest("hex"), "the quoted answer matches OpenSSL");
      assert.equal(toHex(h.digest("sha512", m)), d);
    }
  });

  test(`${variant}: differential vs node:crypto, random messages 0..4096 bytes, streamed in odd chunks`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const seed = testSeed();
    const rng = new Prng(seed);
    for (const alg of ALGS) {
      for (let i = 0; i < 400; i++) {
        // bias towards the padding edges around one and two blocks
        const bl = BLOCK_LEN[alg];
        const n = i < 64 ? [0, 1, bl - 9, bl - 8, bl - 1, bl, bl + 1, 2 * bl - 17, 2 * bl - 16, 2 * bl, 3 * bl + 5][i % 11]! + (i >> 4) : rng.int(0, 4096);
        const m = rng.bytes(n);
        const want = createHash(alg).update(m).digest("hex");
        assert.equal(toHex(h.digest(alg, m)), want, `one-shot ${alg} n=${n} seed=${seed}`);
        const s = h.createHash(alg);
        let off = 0;
        while (off < n) {
          const step = Math.min(n - off, rng.int(0, 3) === 0 ? rng.int(0, 3) : rng.int(1, 300));
          s.update(m.subarray(off, off + step));
          off += step;
        }
        assert.equal(toHex(s.digest()), want, `streamed ${alg} n=${n} seed=${seed}`);
      }
    }
  });

  test(`${variant}: snapshot gives the digest so far and leaves the stream running (transcript hash)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const rng = new Prng(7);
    for (const alg of ALGS) {
      const s = h.createHash(alg);
      const ref = createHash(alg);
      for (let i = 0; i < 30; i++) {
        const piece = rng.bytes(rng.int(0, 200));
        s.update(piece);
        ref.update(piece);
        assert.equal(toHex(s.snapshot()), ref.copy().digest("hex"), `${alg} snapshot ${i}`);
      }
      assert.equal(toHex(s.snapshot()), toHex(s.snapshot()), "a snapshot changes nothing");
      assert.equal(toHex(s.digest()), ref.digest("hex"));
      assert.equal(s.closed, true, "digest() closes the stream");
      assert.throws(() => s.update(new Uint8Array(1)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_STATE");
    }
  });

  test(`${variant}: digest lengths and unknown algorithms`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    for (const alg of ALGS) assert.equal(h.digestLength(alg), DIGEST_LEN[alg]);
    for (const bad of ["md5", "sha224", "SHA256", ""]) {
      assert.throws(() => h.digest(bad as never, new Uint8Array(0)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG");
      assert.throws(() => h.createHash(bad as never), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG");
    }
  });
}

test("the unrolled compression functions are what the generator writes (gen-compress.mjs --check)", () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "assembly/crypto/hash/gen/gen-compress.mjs"), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
