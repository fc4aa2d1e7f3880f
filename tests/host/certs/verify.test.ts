// The X.509 path verifier against chains made by `openssl ca` in the test run: the good paths, one
// negative test per rule, hostile bytes, and a differential check against `openssl verify`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { CertVerifyError, verifyChain, type VerifyParams, type VerifyReason } from "../../../host/certs/verify.js";
import { CertParseError, parseCertificate } from "../../../host/certs/x509.js";
import { parseCrl } from "../../../host/certs/crl.js";
import { requireCommand } from "../../helpers/system.js";
import { EXT, TestCa, daysFromNow, rmTmp, tmpDir, type Issued } from "./pki.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const NAME = "gw1.contoso.com";

function fails(p: VerifyParams, reason: VerifyReason, depth?: number): CertVerifyError {
  let err: unknown;
  try {
    verifyChain(p);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CertVerifyError, `expected CertVerifyError(${reason}), got ${err === undefined ? "success" : String(err)}`);
  assert.equal(err.reason, reason, err.message);
  if (depth !== undefined) assert.equal(err.depth, depth, `depth: ${err.message}`);
  return err;
}

describe("verifyChain", { skip: sys.skip }, () => {
  let dir: string;
  let root: TestCa;
  let inter: TestCa;
  let good: Issued;
  const base = (leaf: Issued, extra: Partial<VerifyParams> = {}): VerifyParams => ({
    chain: [leaf.der, inter.cert.der],
    anchors: [root.cert.der],
    purpose: "serverAuth",
    revocation: "off",
    ...extra,
  });

  before(() => {
    dir = tmpDir("verify");
    root = TestCa.root(dir, "Root", { subject: "/CN=Contoso Root CA/O=Contoso" });
    inter = root.intermediate("Issuing", { subject: "/CN=Contoso Issuing CA/O=Contoso" });
    good = inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME, "gw1-alt.contoso.com", "10.0.0.5"]) });
  });
  after(() => rmTmp(dir));

  test("a good chain verifies: path leaf → intermediate → anchor, names by SAN", () => {
    const r = verifyChain(base(good, { name: NAME }));
    assert.equal(r.chain.length, 3);
    assert.equal(r.chain[0]!.subject.text, `CN=${NAME}`);
    assert.equal(r.chain[2]!.subject.text, "CN=Contoso Root CA, O=Contoso");
    assert.deepEqual(r.warnings, []);
    verifyChain(base(good, { name: "GW1-ALT.contoso.com." }));
    verifyChain(base(good, { name: "10.0.0.5" }));
    verifyChain(base(good, { purpose: "clientAuth" }));
  });

  test("intermediates in any order, with extras and the root itself, still verify", () => {
    const other = TestCa.root(dir, "Other").cert.der;
    const r = verifyChain({ ...base(good), chain: [good.der, other, root.cert.der, inter.cert.der] });
    assert.equal(r.chain.length, 3);
  });

  test("untrusted: no anchor, or an impostor root with the same name but another key", () => {
    fails({ ...base(good), anchors: [] }, "untrusted", 1);
    const impostor = TestCa.root(dir, "Impostor", { subject: "/CN=Contoso Root CA/O=Contoso" });
    fails({ ...base(good), anchors: [impostor.cert.der] }, "untrusted");
    fails({ ...base(good), chain: [good.der] }, "untrusted", 0);
  });

  test("anchors are trusted by identity: an intermediate anchor, or the root re-issued with the same key", () => {
    const r = verifyChain({ ...base(good), anchors: [inter.cert.der] });
    assert.equal(r.chain.length, 2);
    const reissued = TestCa.root(dir, "RootAgain", { subject: "/CN=Contoso Root CA/O=Contoso", keyFile: root.cert.keyFile, notAfter: daysFromNow(4000) });
    assert.notDeepEqual(reissued.cert.der, root.cert.der);
    verifyChain({ ...base(good), anchors: [reissued.cert.der] });
  });

  test("validity: expired / not yet valid leaf and intermediate, with the depth", () => {
    const expired = inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), notBefore: daysFromNow(-100), notAfter: daysFromNow(-1) });
    fails(base(expired), "expired", 0);
    const future = inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), notBefore: daysFromNow(2), notAfter: daysFromNow(100) });
    fails(base(future), "notYetValid", 0);
    const oldInter = root.intermediate("OldIssuing", { notBefore: daysFromNow(-25), notAfter: daysFromNow(-2) });
    const leaf = oldInter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), notBefore: daysFromNow(-20) });
    fails({ ...base(leaf), chain: [leaf.der, oldInter.cert.der] }, "expired", 1);
    // the same chain at a time when it was valid
    verifyChain({ ...base(leaf), chain: [leaf.der, oldInter.cert.der], now: daysFromNow(-10) });
  });

  test("clock: a time before the build date is refused as a wrong clock", () => {
    fails(base(good, { buildDate: daysFromNow(1) }), "clock");
    verifyChain(base(good, { buildDate: daysFromNow(-1) }));
  });

  test("EKU: per purpose; absent EKU allows any; CA EKU must allow the purpose too", () => {
    const clientOnly = inter.issue({ subject: `/CN=${NAME}`, ext: ["basicConstraints = CA:FALSE", "extendedKeyUsage = clientAuth", `subjectAltName = DNS:${NAME}`] });
    fails(base(clientOnly), "eku", 0);
    verifyChain(base(clientOnly, { purpose: "clientAuth" }));
    verifyChain(base(clientOnly, { purpose: "clientOrServerAuth" }));
    const noEku = inter.issue({ subject: `/CN=${NAME}`, ext: ["basicConstraints = CA:FALSE", `subjectAltName = DNS:${NAME}`] });
    verifyChain(base(noEku));
    const emailCa = root.intermediate("EmailCA", { ext: [...EXT.intermediate, "extendedKeyUsage = emailProtection"] });
    const l = emailCa.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    fails({ ...base(l), chain: [l.der, emailCa.cert.der] }, "eku", 1);
  });

  test("names: RFC 6125 wildcards, CN only without SAN, allowedNames", () => {
    const wild = inter.issue({ subject: "/CN=*.contoso.com", ext: EXT.leaf(["*.contoso.com"]) });
    verifyChain(base(wild, { name: "gw7.contoso.com" }));
    fails(base(wild, { name: "a.b.contoso.com" }), "name", 0);
    fails(base(wild, { name: "contoso.com" }), "name", 0);
    const partial = inter.issue({ subject: "/CN=x", ext: EXT.leaf(["gw*.contoso.com"]) });
    fails(base(partial, { name: "gw1.contoso.com" }), "name", 0);
    const tld = inter.issue({ subject: "/CN=x", ext: EXT.leaf(["*.com"]) });
    fails(base(tld, { name: "contoso.com" }), "name", 0);
    const cnOnly = inter.issue({ subject: `/CN=${NAME}`, ext: ["basicConstraints = CA:FALSE", "extendedKeyUsage = serverAuth"] });
    verifyChain(base(cnOnly, { name: NAME }));
    const sanOther = inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf(["other.contoso.com"]) });
    fails(base(sanOther, { name: NAME }), "name", 0); // CN is ignored once a SAN exists
    fails(base(good, { name: "10.0.0.6" }), "name", 0);
    fails(base(good, { allowedNames: ["pool.contoso.com", "ms1.contoso.com"] }), "notAllowed", 0);
    verifyChain(base(good, { allowedNames: ["ms1.contoso.com", NAME] }));
    fails(base(good, { allowedNames: [] }), "notAllowed", 0);
  });

  test("CA rules: basicConstraints, keyCertSign, pathLenConstraint, leaf digitalSignature", () => {
    const notCa = root.intermediate("NotCA", { ext: ["basicConstraints = CA:FALSE", "keyUsage = keyCertSign", "subjectKeyIdentifier = hash"] });
    let l = notCa.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    fails({ ...base(l), chain: [l.der, notCa.cert.der] }, "basicConstraints", 1);
    const noBc = root.intermediate("NoBC", { ext: ["keyUsage = keyCertSign", "subjectKeyIdentifier = hash"] });
    l = noBc.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    fails({ ...base(l), chain: [l.der, noBc.cert.der] }, "basicConstraints", 1);
    const noCertSign = root.intermediate("NoCertSign", { ext: ["basicConstraints = critical, CA:TRUE", "keyUsage = critical, digitalSignature, cRLSign"] });
    l = noCertSign.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    fails({ ...base(l), chain: [l.der, noCertSign.cert.der] }, "keyUsage", 1);
    const root0 = TestCa.root(dir, "Root0", { ext: ["basicConstraints = critical, CA:TRUE, pathlen:0", "keyUsage = critical, keyCertSign, cRLSign", "subjectKeyIdentifier = hash"] });
    const i0 = root0.intermediate("Under0");
    l = i0.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    fails({ ...base(l), chain: [l.der, i0.cert.der], anchors: [root0.cert.der] }, "pathLength", 2);
    const direct = root0.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    verifyChain({ ...base(direct), chain: [direct.der], anchors: [root0.cert.der] });
    const kuEnc = inter.issue({ subject: `/CN=${NAME}`, ext: ["basicConstraints = CA:FALSE", "keyUsage = critical, keyEncipherment", `subjectAltName = DNS:${NAME}`] });
    fails(base(kuEnc), "keyUsage", 0);
  });

  test("weak algorithms: SHA-1 signature, RSA 1024 key", () => {
    const sha1 = inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), md: "sha1" });
    fails(base(sha1), "weakSignature", 0);
    const rsa1024 = inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), key: "rsa1024" });
    fails(base(rsa1024), "weakKey", 0);
  });

  test("RSA PKCS#1 v1.5 and RSA-PSS chains, and P-384", () => {
    const rsaRoot = TestCa.root(dir, "RsaRoot", { key: "rsa2048" });
    const rsaLeaf = rsaRoot.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), key: "rsa2048" });
    verifyChain({ ...base(rsaLeaf), chain: [rsaLeaf.der], anchors: [rsaRoot.cert.der] });
    const pssLeaf = rsaRoot.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), sigopts: ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"] });
    const parsed = parseCertificate(pssLeaf.der);
    assert.equal(parsed.signatureAlgorithm.kind, "rsa-pss");
    verifyChain({ ...base(pssLeaf), chain: [pssLeaf.der], anchors: [rsaRoot.cert.der] });
    const p384Root = TestCa.root(dir, "P384Root", { key: "p384" });
    const p384Leaf = p384Root.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), key: "p384", md: "sha384" });
    verifyChain({ ...base(p384Leaf), chain: [p384Leaf.der], anchors: [p384Root.cert.der] });
  });

  test("bad signatures: flipped signature byte, altered TBS", () => {
    const sig = Uint8Array.from(good.der);
    sig[sig.length - 5]! ^= 0x01;
    fails({ ...base(good), chain: [sig, inter.cert.der] }, "badSignature", 0);
    const tbs = Uint8Array.from(good.der);
    const c = parseCertificate(good.der);
    const serialAt = Buffer.from(tbs).indexOf(Buffer.from(c.serialHex, "hex"));
    tbs[serialAt + 1]! ^= 0x01;
    fails({ ...base(good), chain: [tbs, inter.cert.der] }, "badSignature", 0);
  });

  test("malformed: garbage, truncation, unknown critical extension", () => {
    fails({ ...base(good), chain: [new Uint8Array([1, 2, 3])] }, "malformed", 0);
    fails({ ...base(good), chain: [good.der.subarray(0, good.der.length - 1)] }, "malformed", 0);
    fails({ ...base(good), chain: [good.der, inter.cert.der.subarray(10)] }, "malformed", 1);
    fails({ ...base(good), chain: [] }, "malformed", 0);
    const crit = inter.issue({ subject: `/CN=${NAME}`, ext: [...EXT.leaf([NAME]), "1.3.6.1.4.1.99999.1 = critical, ASN1:NULL"] });
    fails(base(crit), "malformed", 0);
  });

  test("name constraints: a leaf outside the permitted subtree is refused", () => {
    const nc = root.intermediate("Constrained", { ext: [...EXT.intermediate, "nameConstraints = critical, permitted;DNS:contoso.com"] });
    const inside = nc.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
    verifyChain({ ...base(inside), chain: [inside.der, nc.cert.der] });
    const outside = nc.issue({ subject: "/CN=gw1.fabrikam.com", ext: EXT.leaf(["gw1.fabrikam.com"]) });
    fails({ ...base(outside), chain: [outside.der, nc.cert.der] }, "name", 0);
  });

  describe("revocation", () => {
    let rca: TestCa;
    let ok: Issued;
    let bad: Issued;
    let crl: Uint8Array;
    let stale: Uint8Array;
    before(() => {
      rca = root.intermediate("RevokingCA");
      ok = rca.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
      bad = rca.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) });
      stale = rca.crl({ lastUpdate: daysFromNow(-20), nextUpdate: daysFromNow(-10) });
      rca.revoke(bad);
      crl = rca.crl();
    });
    const p = (leaf: Issued, crls: Uint8Array[], revocation: VerifyParams["revocation"]): VerifyParams => ({
      chain: [leaf.der, rca.cert.der], anchors: [root.cert.der], crls, revocation, purpose: "serverAuth",
    });

    test("the CRL parses: issuer, dates, the revoked serial", () => {
      const c = parseCrl(crl);
      assert.equal(c.issuer.text, "CN=RevokingCA, O=Test");
      assert.ok(c.revoked.has(bad.serial), `serial ${bad.serial} in ${[...c.revoked.keys()].join(",")}`);
      assert.equal(c.revoked.get(bad.serial)!.reason, 1); // keyCompromise
    });

    test("revoked is refused in default and strict, accepted with off", () => {
      fails(p(bad, [crl], "default"), "revoked", 0);
      fails(p(bad, [crl], "strict"), "revoked", 0);
      verifyChain(p(bad, [crl], "off"));
      fails(p(bad, [stale, crl], "default"), "revoked", 0); // the newest CRL wins
    });

    test("missing CRL: warning by default (per certificate), failure when strict", () => {
      const r = verifyChain(p(ok, [], "default"));
      assert.deepEqual(r.warnings.map((w) => [w.reason, w.depth]), [["crlMissing", 0], ["crlMissing", 1]]);
      fails(p(ok, [], "strict"), "crlMissing", 0);
    });

    test("stale CRL: warning by default, failure when strict", () => {
      const r = verifyChain(p(ok, [stale], "default"));
      assert.equal(r.warnings[0]!.reason, "crlStale");
      fails(p(ok, [stale], "strict"), "crlStale", 0);
    });

    test("a CRL signed by another CA with the same name is ignored", () => {
      const fake = TestCa.root(dir, "RevokingCA");
      fake.revoke(fake.issue({ subject: "/CN=x", ext: EXT.leaf(["x.contoso.com"]) }));
      const r = verifyChain(p(ok, [fake.crl()], "default"));
      assert.equal(r.warnings[0]!.reason, "crlMissing");
    });

    test("a complete strict pass: CRLs for the leaf and the intermediate", () => {
      const rootCrl = root.crl();
      const r = verifyChain(p(ok, [crl, rootCrl], "strict"));
      assert.deepEqual(r.warnings, []);
    });
  });

  test("hostile bytes: mutations of a valid chain never escape as anything but CertVerifyError", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.der.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.boolean(), (muts, truncate) => {
        const d = Uint8Array.from(good.der);
        for (const [i, x] of muts) d[i]! ^= x;
        const input = truncate ? d.subarray(0, muts[0]![0]) : d;
        try {
          verifyChain({ ...base(good), chain: [input, inter.cert.der] });
        } catch (e) {
          if (!(e instanceof CertVerifyError)) throw e;
        }
        try {
          parseCertificate(input);
        } catch (e) {
          if (!(e instanceof CertParseError)) throw e;
        }
        try {
          parseCrl(input);
        } catch (e) {
          if (!(e instanceof CertParseError)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });

  test("differential: the verdicts agree with `openssl verify` (auth level 2, x509_strict)", () => {
    const cases: { name: string; leaf: Issued; ca: TestCa; ok: boolean }[] = [
      { name: "good", leaf: good, ca: inter, ok: true },
      { name: "expired", leaf: inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), notBefore: daysFromNow(-10), notAfter: daysFromNow(-1) }), ca: inter, ok: false },
      { name: "future", leaf: inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), notBefore: daysFromNow(3) }), ca: inter, ok: false },
      { name: "eku-client", leaf: inter.issue({ subject: `/CN=${NAME}`, ext: ["basicConstraints = CA:FALSE", "extendedKeyUsage = clientAuth"] }), ca: inter, ok: false },
      { name: "rsa1024", leaf: inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), key: "rsa1024" }), ca: inter, ok: false },
      { name: "sha1", leaf: inter.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]), md: "sha1" }), ca: inter, ok: false },
    ];
    const notCa = root.intermediate("DiffNotCA", { ext: ["basicConstraints = CA:FALSE", "keyUsage = keyCertSign"] });
    cases.push({ name: "not-ca", leaf: notCa.issue({ subject: `/CN=${NAME}`, ext: EXT.leaf([NAME]) }), ca: notCa, ok: false });
    for (const c of cases) {
      const untrusted = join(dir, `diff-${c.name}-inter.pem`);
      writeFileSync(untrusted, c.ca.cert.pem);
      const r = spawnSync("openssl", ["verify", "-x509_strict", "-auth_level", "2", "-purpose", "sslserver", "-CAfile", root.cert.certFile, "-untrusted", untrusted, c.leaf.certFile]);
      const opensslOk = r.status === 0;
      let ours = true;
      try {
        verifyChain({ chain: [c.leaf.der, c.ca.cert.der], anchors: [root.cert.der], purpose: "serverAuth", revocation: "off" });
      } catch (e) {
        if (!(e instanceof CertVerifyError)) throw e;
        ours = false;
      }
      assert.equal(opensslOk, c.ok, `openssl on ${c.name}: ${r.stdout}${r.stderr}`);
      assert.equal(ours, c.ok, `ours on ${c.name}`);
    }
  });
});
