// HKDF (RFC 5869) and TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1) in the core: RFC 5869 Appendix A,
// the RFC 8448 §3 key schedule and traffic key/IV derivations, a differential test against Node's
// hkdfSync, and the length limits. On BOTH shipped builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hkdfSync } from "node:crypto";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import { CoreError } from "../../../host/index.js";
import { ALGS, DIGEST_LEN, Prng, algFromName, testSeed } from "./hash-helpers.js";

interface HkdfCase {
  name: string;
  hash: string;
  ikm: string;
  salt?: string;
  info: string;
  L: number;
  prk: string;
  okm: string;
}
interface TrafficCase {
  type: string;
  name: string;
  traffic_secret?: string;
  key_info?: string;
  key?: string;
  iv_info?: string;
  iv?: string;
}
interface ScheduleStep {
  step: string;
  secret_in?: string;
  transcript_hash?: string;
  hkdf_label_info?: string;
  salt?: string;
  ikm?: string;
  output: string;
}
interface FinishedKey {
  actor: string;
  base_key: string;
  hkdf_label_info: string;
  finished_key: string;
}

const rfc5869 = loadVectors<HkdfCase>("hkdf_rfc5869");
const rfc8448 = loadVectors<TrafficCase>("tls13_rfc8448_simple_1rtt");
const schedule = rfc8448.key_schedule as ScheduleStep[];
const finished = rfc8448.finished_keys as FinishedKey[];

const isCode = (code: string) => (e: unknown) => e instanceof CoreError && e.code === code;

/** Splits an encoded HkdfLabel into (length, label without "tls13 ", context). */
function parseHkdfLabel(info: Uint8Array): { length: number; label: string; context: Uint8Array } {
  const length = (info[0]! << 8) | info[1]!;
  const ll = info[2]!;
  const full = Buffer.from(info.subarray(3, 3 + ll)).toString("latin1");
  assert.ok(full.startsWith("tls13 "), `label "${full}" has the tls13 prefix`);
  const cl = info[3 + ll]!;
  const context = info.subarray(4 + ll, 4 + ll + cl);
  assert.equal(4 + ll + cl, info.length, "HkdfLabel has no trailing bytes");
  return { length, label: full.slice(6), context };
}

for (const variant of VARIANTS) {
  test(`${variant}: RFC 5869 Appendix A test cases 1-7 (hkdf_rfc5869.json), extract and expand`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    assert.equal(rfc5869.cases.length, 7);
    for (const c of rfc5869.cases) {
      const alg = algFromName(c.hash);
      const prk = h.hkdfExtract(alg, hex(c.salt), hex(c.ikm));
      assert.equal(toHex(prk), c.prk, `${c.name} PRK`);
      assert.equal(toHex(h.hkdfExpand(alg, prk, hex(c.info), c.L)), c.okm, `${c.name} OKM`);
    }
  });

  test(`${variant}: RFC 8448 §3 traffic key and IV derivations (HKDF-Expand-Label "key"/"iv")`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const cases = rfc8448.cases.filter((c) => c.type === "hkdf_expand_label_traffic_key_iv");
    assert.equal(cases.length, 4);
    for (const c of cases) {
      const secret = hex(c.traffic_secret);
      assert.equal(toHex(h.hkdfExpandLabel("sha256", secret, "key", new Uint8Array(0), 16)), c.key, `${c.name} key`);
      assert.equal(toHex(h.hkdfExpandLabel("sha256", secret, "iv", new Uint8Array(0), 12)), c.iv, `${c.name} iv`);
      // the same through plain HKDF-Expand with the RFC's printed HkdfLabel bytes
      assert.equal(toHex(h.hkdfExpand("sha256", secret, hex(c.key_info), 16)), c.key);
      assert.equal(toHex(h.hkdfExpand("sha256", secret, hex(c.iv_info), 12)), c.iv);
    }
  });

  test(`${variant}: RFC 8448 §3 key schedule: Extract steps, Derive-Secret steps, finished keys`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    let extracts = 0;
    let derives = 0;
    for (const s of schedule) {
      if (s.hkdf_label_info === undefined) {
        assert.equal(toHex(h.hkdfExtract("sha256", hex(s.salt), hex(s.ikm))), s.output, s.step);
        extracts++;
      } else {
        const { length, label, context } = parseHkdfLabel(hex(s.hkdf_label_info));
        assert.equal(toHex(context), s.transcript_hash, `${s.step}: context is the transcript hash`);
        assert.equal(toHex(h.hkdfExpandLabel("sha256", hex(s.secret_in), label, context, length)), s.output, s.step);
        derives++;
      }
    }
    assert.equal(extracts, 3);
    assert.equal(derives, 8);
    for (const f of finished) {
      assert.equal(toHex(h.hkdfExpandLabel("sha256", hex(f.base_key), "finished", new Uint8Array(0), 32)), f.finished_key, `${f.actor} finished_key`);
    }
  });

  test(`${variant}: differential vs node:crypto hkdfSync (extract+expand), random inputs, all algorithms`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const seed = testSeed();
    const rng = new Prng(seed);
    for (const alg of ALGS) {
      for (let i = 0; i < 60; i++) {
        const ikm = rng.bytes(rng.int(0, 200));
        const salt = rng.bytes(rng.int(0, 200));
        const info = rng.bytes(rng.int(0, 300));
        const L = i === 0 ? 255 * DIGEST_LEN[alg] : rng.int(0, 3 * DIGEST_LEN[alg] + 5);
        const want = Buffer.from(hkdfSync(alg, ikm, salt, info, L));
        const prk = h.hkdfExtract(alg, salt, ikm);
        assert.equal(toHex(h.hkdfExpand(alg, prk, info, L)), toHex(want), `${alg} L=${L} seed=${seed}`);
      }
    }
  });

  test(`${variant}: HKDF-Expand-Label builds HkdfLabel exactly (checked against hkdf_expand with our own encoding)`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    const rng = new Prng(11);
    for (const alg of ALGS) {
      for (const [ll, cl] of [[0, 0], [1, 0], [249, 255], [12, 32], [100, 48]] as const) {
        const secret = rng.bytes(DIGEST_LEN[alg]);
        const label = rng.bytes(ll);
        const context = rng.bytes(cl);
        const L = rng.int(1, 100);
        const info = Buffer.concat([Buffer.from([L >> 8, L & 255, 6 + ll]), Buffer.from("tls13 "), label, Buffer.from([cl]), context]);
        assert.equal(toHex(h.hkdfExpandLabel(alg, secret, label, context, L)), toHex(h.hkdfExpand(alg, secret, info, L)), `${alg} label ${ll} context ${cl}`);
      }
    }
  });

  test(`${variant}: HKDF limits: L <= 255*HashLen, PRK >= HashLen, label <= 249, context <= 255`, async () => {
    const h = (await shippedCore(variant)).crypto.hash;
    for (const alg of ALGS) {
      const dl = DIGEST_LEN[alg];
      const prk = new Uint8Array(dl).fill(1);
      assert.equal(h.hkdfExpand(alg, prk, "", 255 * dl).length, 255 * dl);
      assert.throws(() => h.hkdfExpand(alg, prk, "", 255 * dl + 1), isCode("ERR_CORE_ARG"));
      assert.throws(() => h.hkdfExpand(alg, prk.subarray(1), "", 16), isCode("ERR_CORE_KEY_LENGTH"));
      assert.equal(h.hkdfExpand(alg, prk, "", 0).length, 0);
      assert.throws(() => h.hkdfExpandLabel(alg, prk, new Uint8Array(250), new Uint8Array(0), 16), isCode("ERR_CORE_ARG"));
      assert.throws(() => h.hkdfExpandLabel(alg, prk, "x", new Uint8Array(256), 16), isCode("ERR_CORE_ARG"));
      assert.throws(() => h.hkdfExpandLabel(alg, prk, "x", new Uint8Array(0), 255 * dl + 1), isCode("ERR_CORE_ARG"));
      assert.throws(() => h.hkdfExpandLabel(alg, prk.subarray(1), "x", new Uint8Array(0), 16), isCode("ERR_CORE_KEY_LENGTH"));
    }
  });
}
