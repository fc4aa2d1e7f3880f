// `gwsdk conformance core`: both shipped builds pass every vector and the self-test; a --wasm file is
// examined the same way; deliberately broken builds are reported precisely (a corrupted power-on
// known answer, a corrupted key-schedule label that makes exactly one vector fail, a core without
// most exports and one that traps) instead of crashing; the JSON matches its schema and the JUnit
// XML parses back with consistent counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCoreConformance, coreSuiteIds, type CoreConformanceReport } from "../../../host/conformance/core.js";
import { coreReportJunit } from "../../../host/conformance/core-output.js";
import { firstDifference, describeDifference } from "../../../host/conformance/report.js";
import { junitXml, xmlEscape } from "../../../host/conformance/junit.js";
import { shippedCorePath, type CoreVariant } from "../../../host/index.js";
import { VARIANTS } from "../../helpers/cores.js";
import { loadVectors, hex } from "../../helpers/vectors.js";
import { cli, assertSchema, readJunit, tmpDir, flipInData, compileAs, TINY_CORE } from "./helpers.js";
import { parseXml } from "./xml.js";

/** How many cases each suite must run: counted from the vector files themselves. */
function expectedCounts(): Record<string, number> {
  const n = (f: string) => loadVectors(f).cases.length;
  const tls13 = loadVectors("tls13_rfc8448_simple_1rtt").cases;
  return {
    "aes-fips197": n("aes_fips197_appendix_c"),
    "aes-ctr-sp800-38a": n("aes_ctr_sp800_38a_f5"),
    "srtp-aes-cm-keystream": n("srtp_aes_cm_keystream"),
    "sha-fips180": n("sha_fips180"),
    "hmac-sha1-rfc2202": n("hmac_sha1_rfc2202"),
    "hmac-sha2-rfc4231": n("hmac_sha2_rfc4231"),
    "hkdf-rfc5869": n("hkdf_rfc5869"),
    ghash: n("ghash"),
    "aes-gcm-mcgrew-viega": n("aes_gcm_mcgrew_viega"),
    "srtp-aes-gcm-rfc7714": n("srtp_aes_gcm_rfc7714"),
    "srtp-kdf": n("srtp_kdf"),
    "srtp-packets-libsrtp": n("srtp_packets_libsrtp"),
    "srtp-rfc7714-packets": n("srtp_aes_gcm_rfc7714"),
    "tls13-rfc8448-traffic-keys": tls13.filter((c) => c.type === "hkdf_expand_label_traffic_key_iv").length,
    "tls13-rfc8448-key-schedule": 4,
    "tls13-rfc8448-records": tls13.filter((c) => c.type === "protected_record").length,
    "tls12-gcm-record": n("tls12_gcm_record_computed"),
  };
}

function suite(r: CoreConformanceReport, id: string) {
  const s = r.suites.find((x) => x.id === id);
  assert.ok(s, `suite ${id}`);
  return s;
}

for (const variant of VARIANTS) {
  test(`${variant}: the shipped build passes every vector and the self-test; JSON schema and JUnit agree`, async () => {
    const r = await runCoreConformance({ variant });
    assertSchema("core", r);
    assert.equal(r.core.source, "shipped");
    assert.equal(r.core.variant, variant);
    assert.equal(r.core.simd, variant === "simd");
    assert.equal(r.selfTest.status, "pass");
    const want = expectedCounts();
    assert.deepEqual(r.suites.map((s) => s.id).sort(), Object.keys(want).sort(), "a suite per vector file the core answers");
    for (const s of r.suites) {
      assert.equal(s.cases, want[s.id], `${s.id}: cases`);
      // RFC 7714 §16.1.3 and §16.2.3 (SRTP authenticated but not encrypted under GCM) are a policy the SDK does not offer
      const notApplicable = s.id === "srtp-rfc7714-packets" ? 2 : 0;
      assert.equal(s.skipped, notApplicable, `${s.id}: skipped`);
      assert.equal(s.passed, s.cases - notApplicable, `${s.id}: ${JSON.stringify(s.results.filter((x) => x.status !== "pass"))}`);
      assert.ok(s.source.length > 20, `${s.id} names its source`);
    }
    for (const x of r.suites.find((s) => s.id === "srtp-rfc7714-packets")!.results.filter((x) => x.status === "skip")) assert.match(x.name, /Authentication Tagging/);
    assert.equal(r.summary.status, "pass");
    assert.equal(r.summary.cases, Object.values(want).reduce((a, b) => a + b, 0));
    const j = readJunit(coreReportJunit(r));
    assert.equal(j.tests, r.summary.cases + 1, "one test case per vector, plus the self-test");
    assert.equal(j.failures, 0);
    assert.equal(j.skipped, 2);
  });
}

test("CLI: --variant scalar --json --junit FILE; the table names every suite; exit 0", async () => {
  const junitPath = join(tmpDir("conf-core"), "core.xml");
  const json = await cli(["core", "--variant", "scalar", "--json", "--junit", junitPath]);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as CoreConformanceReport;
  assertSchema("core", doc);
  assert.equal(doc.core.variant, "scalar");
  const xml = json.files.get(junitPath);
  assert.ok(xml, "the JUnit file was written");
  assert.equal(readJunit(xml).failures, 0);

  const text = await cli(["core", "--variant", "simd"]);
  assert.equal(text.code, 0);
  for (const id of coreSuiteIds()) assert.match(text.stdout, new RegExp(`^${id}\\s+\\d+\\s+\\d+\\s+0\\s+pass`, "m"), id);
  assert.match(text.stdout, /^not applicable: srtp-rfc7714-packets \/ RFC 7714 16\.1\.3\. .*: SRTP authentication without encryption/m);
  assert.match(text.stdout, /power-on self-test: PASS/);
  assert.match(text.stdout, /^result: PASS/m);
});

test("CLI: usage errors exit 2", async () => {
  for (const argv of [["core", "--variant", "avx"], ["core", "--wasm", "x.wasm", "--variant", "simd"], ["core", "--suite", "nope"], ["core", "extra"], ["core", "--bogus"], ["nope"]]) {
    const r = await cli(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.match(r.stderr, /usage: gwsdk conformance/);
  }
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli(["--help"])).code, 0);
});

test("--wasm FILE: a copy of a shipped build is examined as a vendor build, with its sha256", async () => {
  const bytes = readFileSync(shippedCorePath("scalar"));
  const file = join(tmpDir("conf-core"), "board.wasm");
  writeFileSync(file, bytes);
  const r = await cli(["core", "--wasm", file, "--json"]);
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as CoreConformanceReport;
  assert.equal(doc.core.source, "file");
  assert.equal(doc.core.variant, "custom");
  assert.equal(doc.core.path, file);
  assert.equal(doc.core.bytes, bytes.length);
  assert.equal(doc.core.sha256, (await import("node:crypto")).createHash("sha256").update(bytes).digest("hex"));
  assert.equal(doc.summary.failed, 0);
});

for (const variant of VARIANTS as CoreVariant[]) {
  test(`${variant}: a build whose FIPS-197 C.1 known answer is corrupted: self-test FAIL (id 101), still examined, exit 1`, async () => {
    const c1 = hex(loadVectors("aes_fips197_appendix_c").cases[0]!.ciphertext);
    const broken = flipInData(readFileSync(shippedCorePath(variant)), c1, 0);
    const r = await runCoreConformance({ wasmBytes: broken, wasmName: `${variant} with C.1 flipped` });
    assertSchema("core", r);
    assert.equal(r.selfTest.status, "fail");
    assert.equal(r.selfTest.failedId, 101);
    assert.equal(r.selfTest.module, "AES and counter modes");
    // the self-test's stored answer is wrong, the AES itself is not: every vector still passes
    assert.equal(r.summary.failed, 0);
    assert.equal(r.summary.passed, r.summary.cases - r.summary.skipped);
    assert.equal(r.summary.status, "fail");
    const j = readJunit(coreReportJunit(r));
    assert.equal(j.failures, 1);
    assert.match(j.cases.find((c) => c.failure)!.failure!.message, /known answer id 101/);
  });
}

test("a build with one TLS 1.3 label corrupted: exactly one vector FAILS with its first differing bytes, exit 1", async () => {
  // "res master" is the label of RFC 8446's resumption_master_secret, stored once in the data segment
  const broken = flipInData(readFileSync(shippedCorePath("simd")), new TextEncoder().encode("res master"), 4, 0x20);
  const file = join(tmpDir("conf-core"), "broken-label.wasm");
  writeFileSync(file, broken);
  const junitPath = join(tmpDir("conf-core"), "broken.xml");
  const run = await cli(["core", "--wasm", file, "--json", "--junit", junitPath]);
  assert.equal(run.code, 1);
  const r = JSON.parse(run.stdout) as CoreConformanceReport;
  assertSchema("core", r);
  assert.equal(r.summary.failed, 1);
  assert.equal(r.summary.passed, r.summary.cases - r.summary.skipped - 1);
  const s = suite(r, "tls13-rfc8448-key-schedule");
  assert.equal(s.status, "fail");
  const bad = s.results.filter((x) => x.status === "fail");
  assert.equal(bad.length, 1);
  const d = bad[0]!.difference!;
  const resMaster = (loadVectors("tls13_rfc8448_simple_1rtt").key_schedule as { step: string; output: string }[]).find((x) => x.step.includes('"res master"'))!.output;
  assert.equal(d.field, 'Derive-Secret "res master"');
  assert.equal(d.expected, resMaster.slice(2 * d.offset, 2 * d.offset + 32));
  assert.notEqual(d.actual, d.expected);
  assert.equal(d.expectedLength, 32);
  // the table shows the failing case with its bytes
  const text = await cli(["core", "--wasm", file]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /tls13-rfc8448-key-schedule\s+4\s+3\s+1\s+FAIL/);
  assert.ok(text.stdout.includes(`expected ${d.expected}`), text.stdout);
  assert.match(text.stdout, /^result: FAIL/m);
  const j = readJunit(run.files.get(junitPath)!);
  const failed = j.cases.filter((c) => c.failure);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.classname, "core.tls13-rfc8448-key-schedule");
  assert.ok(failed[0]!.failure!.body.includes(d.actual));
});

test("a core lacking most exports is NOT IMPLEMENTED, a core that traps is a FAIL: never a crash", async () => {
  const wasm = await compileAs(TINY_CORE);
  const file = join(tmpDir("conf-core"), "tiny.wasm");
  writeFileSync(file, wasm);
  const junitPath = join(tmpDir("conf-core"), "tiny.xml");
  const run = await cli(["core", "--wasm", file, "--json", "--junit", junitPath]);
  assert.equal(run.code, 1);
  const r = JSON.parse(run.stdout) as CoreConformanceReport;
  assertSchema("core", r);
  assert.equal(r.core.loaded, true);
  assert.equal(r.selfTest.status, "pass");
  const aes = suite(r, "aes-fips197");
  assert.equal(aes.status, "fail");
  for (const x of aes.results) assert.match(x.message!, /^ERR_CORE_TRAP: the core trapped/);
  for (const s of r.suites.filter((x) => x.id !== "aes-fips197")) {
    assert.equal(s.status, "notImplemented", s.id);
    assert.equal(s.notImplemented, s.cases);
    assert.ok(s.missingExports.length > 0);
  }
  assert.deepEqual(suite(r, "ghash").missingExports, ["ghash_run"]);
  assert.equal(r.summary.status, "fail");
  const text = await cli(["core", "--wasm", file]);
  assert.match(text.stdout, /ghash: NOT IMPLEMENTED — not implemented: the core has no export "ghash_run"/);
  assert.match(text.stdout, /^ghash\s+16\s+0\s+0\s+NOT IMPLEMENTED/m);
  const j = readJunit(run.files.get(junitPath)!);
  assert.equal(j.failures, r.summary.cases, "every vector is a JUnit failure (trap or not implemented)");
  assert.ok(j.cases.some((c) => c.failure?.type === "notImplemented"));
});

test("a module that is not a gwsdk core, or not WebAssembly, is a load FAIL in the report", async () => {
  const noSelftest = await compileAs(`export function arena_base(): usize { return 0; }`);
  for (const [name, bytes] of [["no selftest", noSelftest], ["garbage", Uint8Array.of(0, 0x61, 0x73, 0x6d, 9, 9)]] as const) {
    const r = await runCoreConformance({ wasmBytes: bytes, wasmName: name });
    assertSchema("core", r);
    assert.equal(r.core.loaded, false, name);
    assert.equal(r.core.loadError!.code, "ERR_CORE_LOAD");
    assert.equal(r.summary.status, "fail");
    assert.ok(r.suites.every((s) => s.status === "skip"));
    readJunit(coreReportJunit(r));
  }
  const missing = await cli(["core", "--wasm", join(tmpDir("conf-core"), "absent.wasm")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /LOAD FAIL {2}ERR_CORE_LOAD: cannot read core build/);
});

test("a vectors directory without the files: each suite FAILS naming the missing file", async () => {
  const r = await runCoreConformance({ variant: "scalar", vectorsDir: tmpDir("conf-empty") });
  assertSchema("core", r);
  for (const s of r.suites) {
    assert.equal(s.status, "fail");
    assert.match(s.results[0]!.message!, /^ERR_CONFORMANCE_VECTORS: cannot read the vector file .*ENOENT/);
  }
});

test("firstDifference quotes up to 16 bytes from the first differing byte, and length differences", () => {
  const a = hex("000102030405060708090a0b0c0d0e0f101112131415");
  assert.equal(firstDifference("x", a, a.slice()), undefined);
  const b = a.slice();
  b[3]! ^= 0xff;
  const d = firstDifference("tag", a, b)!;
  assert.deepEqual([d.offset, d.expected, d.actual], [3, "030405060708090a0b0c0d0e0f101112", "fc0405060708090a0b0c0d0e0f101112"]);
  assert.equal(describeDifference(d), "tag differs at byte 3: expected 030405060708090a0b0c0d0e0f101112…, got fc0405060708090a0b0c0d0e0f101112…");
  const short = firstDifference("digest", a, a.subarray(0, 4))!;
  assert.deepEqual([short.offset, short.actual, short.actualLength], [4, "", 4]);
  assert.match(describeDifference(short), /differs at byte 4 \(length 4, expected 22\): expected 0405.*…, got nothing/);
});

test("JUnit writer: names with markup, quotes, control characters and non-BMP text parse back unchanged (or replaced)", () => {
  const nasty = `a<b>&"c' \u0001\u{1F600}\n\ttab`;
  const xml = junitXml("x", [
    { name: nasty, time: 0.5, properties: { [nasty.replace(/[^a-z]/g, "")]: nasty }, cases: [{ classname: nasty, name: nasty, time: 0, verdict: "fail", message: nasty, details: nasty }] },
    { name: "s2", time: 0, cases: [{ classname: "c", name: "skipped one", time: 0, verdict: "skip", message: "no libsrtp" }, { classname: "c", name: "warned", time: 0, verdict: "warn", message: "expires soon" }] },
  ]);
  const j = readJunit(xml);
  const expected = nasty.replace("\u0001", "\ufffd");
  assert.equal(j.cases[0]!.name, expected);
  assert.equal(j.cases[0]!.failure!.message, expected, "attribute newlines and tabs survive as character references");
  assert.equal(j.cases[0]!.failure!.body, expected);
  assert.equal(j.cases[1]!.skipped, "no libsrtp");
  assert.equal(j.cases[2]!.systemOut, "WARN: expires soon");
  assert.equal(j.failures, 1);
  assert.equal(xmlEscape("]]>"), "]]&gt;");
  // the reader really is strict
  for (const bad of ["<a><b></a>", "<a x=1/>", "<a>&nope;</a>", "<a>1 < 2</a>", "<a/><b/>", '<a x="1" x="2"/>', "<a>&</a>"]) {
    assert.throws(() => parseXml(bad), Error, bad);
  }
});
