// `gwsdk conformance srtp --libsrtp`: both shipped builds agree with the system libsrtp byte for
// byte in every profile both support (libsrtp's known deviations reported and skipped); a core
// build with a plausible porting bug (the _32 suite's SRTCP tag cut to 32 bits) is caught with the
// first differing bytes; a core without the SRTP engine is "not implemented"; without libsrtp the
// command skips and names the install command.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSrtpConformance, SRTP_CHECKS, type SrtpConformanceReport } from "../../../host/conformance/srtp.js";
import { srtpReportText, srtpReportJunit } from "../../../host/conformance/srtp-output.js";
import { SRTP_PROFILES, shippedCorePath } from "../../../host/index.js";
import { LibsrtpHarness } from "../../../host/interop/libsrtp/index.js";
import { requirePkgConfig } from "../../helpers/system.js";
import { TMP_DIR } from "../../helpers/paths.js";
import { VARIANTS } from "../../helpers/cores.js";
import { cli, assertSchema, readJunit, tmpDir, flipInData, compileAs, TINY_CORE } from "./helpers.js";

const sys = requirePkgConfig("libsrtp2", "libsrtp2-dev");

function row(r: SrtpConformanceReport, profile: string, mki: boolean) {
  const x = r.rows.find((y) => y.profile === profile && y.mki === mki);
  assert.ok(x, `${profile} mki=${mki}`);
  return x;
}

describe("conformance srtp --libsrtp", { skip: sys.skip }, () => {
  let deviations: Map<string, string[]>;
  before(async () => {
    // what the harness itself detects about the linked libsrtp, to know which rows must be skipped
    const h = await LibsrtpHarness.start({ cacheDir: TMP_DIR });
    deviations = new Map(h.profiles.map((p) => [p.name, p.supported ? [...p.deviations] : ["unsupported"]]));
    await h.close();
  });
  after(() => undefined);

  for (const variant of VARIANTS) {
    test(`${variant}: every profile both sides support agrees byte for byte, both ways, SRTP and SRTCP, with and without MKIs`, async () => {
      const r = await runSrtpConformance({ variant, packets: 40 });
      assertSchema("srtp", r);
      assert.equal(r.libsrtp.available, true);
      assert.match(r.libsrtp.version!, /libsrtp/);
      assert.equal(r.rows.length, SRTP_PROFILES.length * 2);
      for (const x of r.rows) {
        const dev = deviations.get(x.profile) ?? ["unsupported"];
        if (dev.includes("unsupported") || dev.includes("aes192-kdf")) {
          assert.equal(x.status, "skip", x.profile);
          assert.ok(x.note && x.note.length > 20);
          continue;
        }
        assert.equal(x.status, "pass", `${x.profile} mki=${x.mki}: ${JSON.stringify(x.checks)}`);
        for (const c of SRTP_CHECKS) {
          if (c === "srtcpOursOpen" && x.mki && dev.includes("srtcp-mki-srtp-tag-length")) {
            assert.equal(x.checks[c].status, "skip");
            assert.match(x.checks[c].message!, /cisco\/libsrtp #733/);
          } else {
            assert.equal(x.checks[c].status, "pass", `${x.profile} ${c}`);
            assert.ok(x.checks[c].packets >= 8, `${x.profile} ${c}: ${x.checks[c].packets} packets`);
          }
        }
      }
      // Skype for Business's profile is never skipped
      assert.equal(row(r, "AES_CM_128_HMAC_SHA1_80", true).status, "pass");
      assert.equal(r.summary.status, "pass");
      assert.equal(r.summary.failed, 0);
      const j = readJunit(srtpReportJunit(r));
      assert.equal(j.tests, r.rows.length * SRTP_CHECKS.length);
      assert.equal(j.failures, 0);
    });
  }

  test("CLI: table, --json, --junit, exit 0", async () => {
    const run = await cli(["srtp", "--libsrtp", "--variant", "scalar", "--packets", "16", "--json", "--junit", "srtp.xml"]);
    assert.equal(run.code, 0, run.stdout);
    assertSchema("srtp", JSON.parse(run.stdout));
    assert.equal(readJunit([...run.files.values()][0]!).failures, 0);
    const text = await cli(["srtp", "--libsrtp", "--packets", "16"]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^AES_CM_128_HMAC_SHA1_80\s+yes\s+=\s+=\s+=\s+=\s+=\s+=\s+PASS/m);
    assert.match(text.stdout, /^AEAD_AES_128_GCM\s+no\s+=\s+=\s+=\s+=\s+=\s+=\s+PASS/m);
    assert.match(text.stdout, /^result: PASS — \d+ of 20 profile rows agree, 0 differ/m);
    assert.equal((await cli(["srtp"])).code, 2, "--libsrtp is required");
    assert.equal((await cli(["srtp", "--libsrtp", "--packets", "3"])).code, 2);
  });

  test("a core whose AES_CM_128_HMAC_SHA1_32 SRTCP tag is 32 bits (a porting bug): those rows DIFFER, with the bytes; exit 1", async () => {
    // the profile table row in the data segment: cipher, key, salt, SRTP tag, SRTCP tag, k_a, DTLS id
    const broken = flipInData(readFileSync(shippedCorePath("simd")), Uint8Array.of(1, 16, 14, 4, 10, 20, 0, 2), 4, 10 ^ 4);
    const file = join(tmpDir("conf-srtp"), "srtcp32.wasm");
    writeFileSync(file, broken);
    const run = await cli(["srtp", "--libsrtp", "--wasm", file, "--packets", "16", "--json"]);
    assert.equal(run.code, 1);
    const r = JSON.parse(run.stdout) as SrtpConformanceReport;
    assertSchema("srtp", r);
    for (const mki of [false, true]) {
      const x = row(r, "AES_CM_128_HMAC_SHA1_32", mki);
      assert.equal(x.status, "fail");
      assert.equal(x.checks.srtpBytes.status, "pass", "SRTP itself is unaffected");
      assert.equal(x.checks.srtcpBytes.status, "fail");
      const d = x.checks.srtcpBytes.difference!;
      assert.equal(d.expectedLength - d.actualLength, 6, "a 4-byte tag where libsrtp has 10");
      assert.equal(d.offset, d.actualLength);
      assert.equal(x.checks.srtcpTheirsOpen.status, "fail");
    }
    assert.equal(row(r, "AES_CM_128_HMAC_SHA1_80", false).status, "pass");
    assert.equal(r.summary.failed, 2);
    const text = srtpReportText(r);
    assert.match(text, /^AES_CM_128_HMAC_SHA1_32\s+no\s+=\s+=\s+=\s+DIFF\s+DIFF\s+DIFF\s+FAIL/m);
    assert.match(text, /SRTCP bytes equal libsrtp's: SRTCP packet 0 \(index 1\) differs at byte \d+ \(length \d+, expected \d+\)/);
  });

  test("a core without the SRTP engine: every row NOT IMPLEMENTED, exit 1", async () => {
    const wasm = await compileAs(TINY_CORE);
    const r = await runSrtpConformance({ wasmBytes: wasm, wasmName: "tiny", packets: 8 });
    assertSchema("srtp", r);
    assert.ok(r.rows.every((x) => x.status === "notImplemented"));
    assert.equal(r.summary.status, "notImplemented");
    assert.match(srtpReportText(r), /^AES_CM_128_HMAC_SHA1_80\s+no\s+n\/i/m);
    assert.ok(readJunit(srtpReportJunit(r)).failures > 0);
  });
});

test("without libsrtp (no compiler here): SKIP with the install command, exit status 0", async () => {
  const r = await runSrtpConformance({ variant: "scalar", cc: "/nonexistent/cc" });
  assertSchema("srtp", r);
  assert.equal(r.libsrtp.available, false);
  assert.match(r.libsrtp.reason!, /no working C compiler/);
  assert.equal(r.libsrtp.install, "apt-get install -y build-essential pkg-config libsrtp2-dev");
  assert.equal(r.summary.status, "skip");
  assert.deepEqual(r.rows, []);
  const text = srtpReportText(r);
  assert.match(text, /SKIP: libsrtp is not available here/);
  assert.match(text, /apt-get install -y build-essential pkg-config libsrtp2-dev/);
  const j = readJunit(srtpReportJunit(r));
  assert.equal(j.skipped, 1);
  // the CLI's exit status for a skip
  const saved = process.env.CC;
  process.env.CC = "/nonexistent/cc";
  try {
    const run = await cli(["srtp", "--libsrtp", "--variant", "scalar"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /SKIP: libsrtp is not available/);
  } finally {
    if (saved === undefined) delete process.env.CC;
    else process.env.CC = saved;
  }
});
