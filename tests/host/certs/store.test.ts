// The store itself: bad input leaves it unchanged with a clear error; tampering is detected per file
// and names the file; keys are sealed and 0600; the device key is checked; reset erases; expiry
// warnings; the signing provider; the CLI's exit codes and --json output against its schemas.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, existsSync } from "node:fs";
import { createHash, createPublicKey, verify as nodeVerify, constants } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { CertStore } from "../../../host/certs/cert-store.js";
import { CertError } from "../../../host/certs/errors.js";
import { SIGNATURE_SCHEMES, type SignatureScheme } from "../../../host/certs/keys.js";
import { certCommand } from "../../../host/cli/cert.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { requireCommand } from "../../helpers/system.js";
import { spawn } from "node:child_process";
import { TestCa, daysFromNow, openssl, rmTmp, tmpDir, type Issued } from "./pki.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const FQDN = "gw1.contoso.com";
const TEMPLATE = ["basicConstraints = CA:FALSE", "keyUsage = critical, digitalSignature", "extendedKeyUsage = serverAuth, clientAuth"];

/** Every file of a directory tree with its SHA-256: "unchanged" means this map is equal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

async function rejectsWith(p: Promise<unknown>, code: string, re?: RegExp): Promise<CertError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof CertError, `expected ${code}, got ${err === undefined ? "success" : String(err)}`);
  assert.equal(err.code, code, err.message);
  if (re) assert.match(err.message, re);
  return err;
}

describe("certificate store", { skip: sys.skip }, () => {
  let dir: string;
  let root: TestCa;
  let storeDir: string;
  let store: CertStore;
  let leaf: Issued;

  before(async () => {
    dir = tmpDir("store");
    root = TestCa.root(dir, "Root", { subject: "/CN=Contoso Root CA/O=Contoso" });
    storeDir = join(dir, "gw", "store");
    store = await CertStore.open(storeDir);
    await store.trustAdd(root.cert.der);
    const r = await store.init({ fqdn: FQDN, key: "p256" });
    leaf = root.issue({ subject: "", ext: TEMPLATE, csrPem: r.csrPem });
    await store.import(Buffer.from(leaf.pem));
  });
  after(() => {
    store.close();
    rmTmp(dir);
  });

  test("layout: keys sealed in 0600 files, store directory 0700, device key 0600 outside it", () => {
    const idFile = join(storeDir, "identities", "default.identity");
    assert.equal(statSync(idFile).mode & 0o777, 0o600);
    assert.equal(statSync(storeDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "gw", "device.key")).mode & 0o777, 0o600);
    const raw = readFileSync(idFile);
    assert.equal(raw.subarray(0, 4).toString(), "GWSK");
    assert.ok(!raw.includes(Buffer.from("PRIVATE KEY")), "no PEM key in the file");
  });

  test("bad input: each a clear error, the store unchanged", async () => {
    const before = snapshot(storeDir);
    const otherKey = root.issue({ subject: `/CN=${FQDN}`, ext: [...TEMPLATE, `subjectAltName = DNS:${FQDN}`] });
    await rejectsWith(store.import(Buffer.from("this is not a certificate\n"), { source: "junk.txt" }), "ERR_CERT_PARSE", /junk\.txt/);
    await rejectsWith(store.import(new Uint8Array([0x30, 0x82, 0x01]), { source: "short.der" }), "ERR_CERT_PARSE");
    const truncated = leaf.pem.slice(0, leaf.pem.length - 40);
    await rejectsWith(store.import(Buffer.from(truncated), { source: "cut.pem" }), "ERR_CERT_PARSE", /truncated/);
    const damaged = leaf.pem.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!");
    await rejectsWith(store.import(Buffer.from(damaged), { source: "bad64.pem" }), "ERR_CERT_PARSE");
    await rejectsWith(store.import(Buffer.from(otherKey.pem), { source: "other.pem" }), "ERR_CERT_KEY_MISMATCH", /does not match the stored key: it was issued for a different CSR/);
    await rejectsWith(store.import(root.cert.der, { source: "root.cer" }), "ERR_CERT_IS_CA", /trust add/);
    await rejectsWith(store.import(Buffer.from(readFileSync(otherKey.keyFile)), { source: "key.pem" }), "ERR_CERT_UNSUPPORTED");
    const csr = openssl(["req", "-new", "-key", otherKey.keyFile, "-subj", "/CN=x"]);
    await rejectsWith(store.import(csr, { source: "req.csr" }), "ERR_CERT_PARSE", /certificate request/);
    const pfx = openssl(["pkcs12", "-export", "-inkey", otherKey.keyFile, "-in", otherKey.certFile, "-passout", "pass:right-one"]);
    await rejectsWith(store.import(pfx, { source: "x.pfx", password: "wrong-one" }), "ERR_CERT_PASSWORD");
    await rejectsWith(store.import(pfx, { source: "x.pfx", password: "right-one" }), "ERR_CERT_EXISTS", /--replace/);
    await rejectsWith(store.trustAdd(leaf.der, "leaf.cer"), "ERR_CERT_NOT_CA");
    await rejectsWith(store.trustRemove("abcd"), "ERR_CERT_ARG");
    await rejectsWith(store.trustRemove("00000000"), "ERR_CERT_NOT_FOUND");
    await rejectsWith(store.init({ fqdn: FQDN }), "ERR_CERT_EXISTS", /--renew/);
    await rejectsWith(store.init({ fqdn: "not a name", name: "x" }), "ERR_CERT_ARG");
    await rejectsWith(store.init({ fqdn: FQDN, name: "../escape" }), "ERR_CERT_ARG");
    assert.deepEqual(snapshot(storeDir), before);
  });

  test("an expired certificate, a wrong name and a server-only EKU are refused at import", async () => {
    const s = await CertStore.open(join(dir, "refuse", "store"));
    const { csrPem } = await s.init({ fqdn: FQDN, key: "p256" });
    const before = snapshot(join(dir, "refuse", "store"));
    const exp = root.issue({ subject: "", ext: TEMPLATE, csrPem, notBefore: daysFromNow(-30), notAfter: daysFromNow(-1) });
    await rejectsWith(s.import(exp.der), "ERR_CERT_EXPIRED");
    const fut = root.issue({ subject: "", ext: TEMPLATE, csrPem, notBefore: daysFromNow(5) });
    await rejectsWith(s.import(fut.der), "ERR_CERT_NOT_YET_VALID");
    // the CA's own SAN replaces the one requested (copy_extensions does not override the template)
    const noSan = root.issue({ subject: "/CN=gw9.contoso.com", ext: ["basicConstraints = CA:FALSE", "extendedKeyUsage = serverAuth, clientAuth", "subjectAltName = DNS:gw9.contoso.com"], csrPem });
    await rejectsWith(s.import(noSan.der), "ERR_CERT_NAME", /gw1\.contoso\.com/);
    const serverOnly = root.issue({ subject: "", ext: ["basicConstraints = CA:FALSE", "extendedKeyUsage = serverAuth"], csrPem });
    await rejectsWith(s.import(serverOnly.der), "ERR_CERT_EKU", /clientAuth/);
    assert.deepEqual(snapshot(join(dir, "refuse", "store")), before);
    s.close();
  });

  test("tampering: a flipped byte names the file and leaves the rest usable; swapped files are detected", async () => {
    const s = await CertStore.open(join(dir, "tamper", "store"));
    await s.trustAdd(root.cert.der);
    for (const name of ["a", "b"]) {
      const { csrPem } = await s.init({ fqdn: FQDN, key: "p256", name });
      await s.import(Buffer.from(root.issue({ subject: "", ext: TEMPLATE, csrPem }).pem), { name });
    }
    const fa = join(dir, "tamper", "store", "identities", "a.identity");
    const fb = join(dir, "tamper", "store", "identities", "b.identity");
    const goodA = readFileSync(fa);
    const bad = Buffer.from(goodA);
    bad[bad.length - 40]! ^= 0x04;
    writeFileSync(fa, bad);
    const e = await rejectsWith(s.signer("a"), "ERR_CERT_STORE_CORRUPT", /a\.identity/);
    assert.equal(e.file, fa);
    await s.signer("b"); // the rest of the store works
    const list = await s.list();
    assert.deepEqual(list.identities.map((i) => i.name), ["b"]);
    assert.equal(list.problems[0]!.file, fa);
    // swapping two authentic files is detected (the name is bound into each file's MAC)
    writeFileSync(fa, readFileSync(fb));
    await rejectsWith(s.signer("a"), "ERR_CERT_STORE_CORRUPT");
    writeFileSync(fa, goodA);
    await s.signer("a");
    // a tampered trust anchor: named, and the rest of the trust store still loads
    const anchorFile = join(dir, "tamper", "store", "trust", readdirSync(join(dir, "tamper", "store", "trust"))[0]!);
    const anchorGood = readFileSync(anchorFile);
    writeFileSync(anchorFile, Buffer.concat([anchorGood.subarray(0, 100), Buffer.from([anchorGood[100]! ^ 1]), anchorGood.subarray(101)]));
    assert.equal((await s.list()).problems[0]!.file, anchorFile);
    writeFileSync(anchorFile, anchorGood);
    // a file renamed into another identity's place is detected too
    renameSync(fb, join(dir, "tamper", "store", "identities", "c.identity"));
    await rejectsWith(s.signer("c"), "ERR_CERT_STORE_CORRUPT");
    s.close();
  });

  test("device key: too-open permissions, a missing key, another device's key", async () => {
    const d = join(dir, "dk", "store");
    const s = await CertStore.open(d);
    await s.init({ fqdn: FQDN, key: "p256" });
    s.close();
    const keyFile = join(dir, "dk", "device.key");
    chmodSync(keyFile, 0o644);
    await rejectsWith(CertStore.open(d), "ERR_CERT_DEVICE_KEY", /chmod 600/);
    chmodSync(keyFile, 0o600);
    const saved = readFileSync(keyFile);
    writeFileSync(keyFile, Buffer.alloc(32, 7), { mode: 0o600 });
    await rejectsWith(CertStore.open(d), "ERR_CERT_DEVICE_KEY", /different device key/);
    rmTmp(keyFile);
    await rejectsWith(CertStore.open(d), "ERR_CERT_DEVICE_KEY", /missing/); // never silently a new key for an existing store
    writeFileSync(keyFile, saved, { mode: 0o600 });
    (await CertStore.open(d)).close();
  });

  test("reset: keys overwritten and removed, store emptied, device key rotated; an interrupted reset finishes on open", async () => {
    const d = join(dir, "reset", "store");
    const s = await CertStore.open(d);
    await s.trustAdd(root.cert.der);
    await s.init({ fqdn: FQDN, key: "p256" });
    const oldKey = readFileSync(join(dir, "reset", "device.key"));
    const r = await s.reset();
    assert.equal(r.deviceKeyRotated, true);
    assert.notDeepEqual(readFileSync(join(dir, "reset", "device.key")), oldKey);
    assert.deepEqual(readdirSync(join(d, "identities")), []);
    assert.deepEqual((await s.list()).anchors, []);
    await s.init({ fqdn: FQDN, key: "p256" }); // usable afterwards
    s.close();
    writeFileSync(join(d, "reset.pending"), "x"); // as if the power failed during a reset
    const s2 = await CertStore.open(d);
    assert.deepEqual((await s2.list()).identities, []);
    s2.close();
  });

  test("expiry: warnings at 30/14/7/1 days and on expiry, once per threshold", async () => {
    let now = new Date();
    const s = await CertStore.open(join(dir, "exp", "store"), { now: () => now });
    await s.trustAdd(root.cert.der);
    const { csrPem } = await s.init({ fqdn: FQDN, key: "p256" });
    await s.import(Buffer.from(root.issue({ subject: "", ext: TEMPLATE, csrPem, notAfter: daysFromNow(40) }).pem));
    const seen: number[] = [];
    s.on("expiryWarning", (e: { kind: string; threshold: number }) => e.kind === "identity" && seen.push(e.threshold));
    for (const d of [0, 5, 11, 12, 27, 33, 34, 39, 41]) {
      now = daysFromNow(d);
      await s.checkExpiry();
    }
    assert.deepEqual(seen, [30, 14, 7, 1, 0]);
    s.close();
  });

  test("signing provider: every scheme verifies with Node's crypto; wrong schemes are refused", async () => {
    const s = await CertStore.open(join(dir, "sign", "store"));
    for (const [name, key] of [["r", "rsa2048"], ["e", "p256"], ["f", "p384"]] as const) {
      const { csrPem } = await s.init({ fqdn: FQDN, key, name });
      await s.import(Buffer.from(root.issue({ subject: "", ext: TEMPLATE, csrPem }).pem), { name });
      const signer = await s.signer(name);
      const pub = createPublicKey({ key: Buffer.from(signer.publicKey), format: "der", type: "spki" });
      const msg = Buffer.from("TLS 1.3, server CertificateVerify");
      for (const scheme of signer.schemes) {
        const sig = await signer.sign(msg, scheme);
        const hash = scheme.endsWith("256") ? "sha256" : scheme.endsWith("384") ? "sha384" : "sha512";
        const opts = scheme.startsWith("rsa_pss") ? { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash.slice(3)) / 8 } : scheme.startsWith("ecdsa") ? { key: pub, dsaEncoding: "der" as const } : { key: pub };
        assert.ok(nodeVerify(hash, msg, opts, sig), `${name} ${scheme}`);
        assert.ok(SIGNATURE_SCHEMES[scheme] > 0);
      }
      const wrong: SignatureScheme = key.startsWith("rsa") ? "ecdsa_secp256r1_sha256" : "rsa_pss_rsae_sha256";
      await rejectsWith(signer.sign(msg, wrong), "ERR_CERT_UNSUPPORTED");
      assert.ok(!Object.keys(signer).some((k) => /key/i.test(k) && k !== "publicKey" && k !== "keyBits"), "the private key is not a visible property");
    }
    const creds = await s.tlsCredentials("e");
    assert.equal(creds.chain.length, 1); // the self-signed root is not sent
    assert.equal(creds.revocation, "default");
    s.close();
  });

  test("CRL import: unknown issuer refused, an older CRL refused, revoked identity reported by check", async () => {
    const s = await CertStore.open(join(dir, "crl", "store"));
    const other = TestCa.root(dir, "OtherRoot");
    await rejectsWith(s.crlImport(other.crl(), "other.crl"), "ERR_CERT_UNTRUSTED");
    await s.trustAdd(root.cert.der);
    const { csrPem } = await s.init({ fqdn: FQDN, key: "p256" });
    const mine = root.issue({ subject: "", ext: TEMPLATE, csrPem });
    await s.import(Buffer.from(mine.pem));
    const older = root.crl({ lastUpdate: daysFromNow(-3), nextUpdate: daysFromNow(4) });
    root.revoke(mine);
    const newer = root.crl();
    const r = await s.crlImport(newer, "new.crl");
    assert.equal(r.revokedCount >= 1, true);
    await rejectsWith(s.crlImport(older, "old.crl"), "ERR_CERT_CRL_OLDER");
    const c = await s.check();
    assert.equal(c.status, "unusable");
    assert.equal(c.problems[0]!.code, "ERR_CERT_REVOKED");
    s.close();
  });

  describe("CLI", () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const schemaDir = join(REPO_ROOT, "docs", "schemas");
    before(() => {
      for (const f of readdirSync(schemaDir).filter((f) => f.startsWith("cert-"))) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), "utf8")));
    });
    async function run(args: string[], stdin?: { tty: boolean }): Promise<{ code: number; out: string; err: string }> {
      let out = "";
      let err = "";
      const code = await certCommand(args, {
        stdout: (s) => (out += typeof s === "string" ? s : Buffer.from(s).toString("latin1")),
        stderr: (s) => (err += s),
        stdoutIsTTY: false,
        stdinIsTTY: stdin?.tty ?? false,
        promptSecret: async () => "prompted-password",
        env: {},
      });
      return { code, out, err };
    }
    function valid(schema: string, doc: unknown): void {
      const v = ajv.getSchema(`https://gwsdk.invalid/schemas/${schema}.schema.json`);
      assert.ok(v, `schema ${schema}`);
      assert.ok(v(doc), `${schema}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(doc, null, 1).slice(0, 2000)}`);
    }

    test("a technician's session: init, csr, import, trust, list, show, check, export, reset (--json, schemas)", async () => {
      const st = join(dir, "cli", "store");
      const S = ["--store", st, "--json"];
      let r = await run(["init", ...S, "--fqdn", FQDN, "--san", "gw1-b.contoso.com", "--key", "p256"]);
      assert.equal(r.code, 0, r.err);
      const init = JSON.parse(r.out);
      valid("cert-init", init);
      r = await run(["csr", ...S]);
      valid("cert-csr", JSON.parse(r.out));
      const cert = root.issue({ subject: "", ext: TEMPLATE, csrPem: init.csrPem });
      r = await run(["import", cert.certFile, ...S]);
      assert.equal(r.code, 0, r.err);
      valid("cert-import", JSON.parse(r.out));
      r = await run(["trust", "add", root.cert.certFile, ...S]);
      valid("cert-trust-add", JSON.parse(r.out));
      r = await run(["trust", "list", ...S]);
      const anchors = JSON.parse(r.out);
      valid("cert-trust-list", anchors);
      r = await run(["crl", "import", join(dir, "cli.crl"), ...S]);
      assert.equal(r.code, 1); // no such file
      writeFileSync(join(dir, "cli.crl"), root.crl());
      r = await run(["crl", "import", join(dir, "cli.crl"), ...S]);
      assert.equal(r.code, 0, r.err);
      valid("cert-crl-import", JSON.parse(r.out));
      r = await run(["crl", "policy", "strict", ...S]);
      valid("cert-crl-policy", JSON.parse(r.out));
      r = await run(["list", ...S]);
      valid("cert-list", JSON.parse(r.out));
      r = await run(["show", ...S]);
      valid("cert-show", JSON.parse(r.out));
      r = await run(["check", ...S]);
      valid("cert-check", JSON.parse(r.out));
      assert.equal(r.code, 0, r.out);
      r = await run(["export", ...S]);
      valid("cert-export", JSON.parse(r.out));
      writeFileSync(join(dir, "pw.txt"), "backup-password\n");
      r = await run(["export", "--include-key", "--password-file", join(dir, "pw.txt"), "--out", join(dir, "cli.p12"), ...S]);
      assert.equal(r.code, 0, r.err);
      valid("cert-export", JSON.parse(r.out));
      assert.equal(statSync(join(dir, "cli.p12")).mode & 0o777, 0o600);
      openssl(["pkcs12", "-in", join(dir, "cli.p12"), "-nokeys", "-passin", "pass:backup-password"]);
      r = await run(["trust", "remove", anchors.anchors[0].fingerprintSha256.slice(0, 12), ...S]);
      valid("cert-trust-remove", JSON.parse(r.out));
      r = await run(["check", ...S]);
      assert.equal(r.code, 0); // untrusted chain is a warning, not unusable
      r = await run(["reset", ...S]);
      assert.equal(r.code, 1);
      valid("cert-error", JSON.parse(r.out));
      assert.match(r.err, /ERR_CERT_CONFIRM/);
      r = await run(["reset", "--yes", ...S]);
      valid("cert-reset", JSON.parse(r.out));
      r = await run(["check", ...S]);
      assert.equal(r.code, 1);
      assert.equal(JSON.parse(r.out).error.code, "ERR_CERT_NOT_FOUND");
    });

    test("usage errors exit 2; failures exit 1 with the code on stderr; human output by default", async () => {
      const st = join(dir, "cli2", "store");
      assert.equal((await run([])).code, 2);
      assert.equal((await run(["frobnicate"])).code, 2);
      assert.equal((await run(["init", "--store", st])).code, 2); // --fqdn missing
      assert.equal((await run(["init", "--store", st, "--fqdn", FQDN, "--key", "dsa"])).code, 2);
      assert.equal((await run(["init", "--store", st, "--fqdn", FQDN, "--bogus"])).code, 2);
      const r = await run(["--store", st, "init", "--fqdn", FQDN, "--key", "p256"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /BEGIN CERTIFICATE REQUEST/);
      const again = await run(["init", "--store", st, "--fqdn", FQDN]);
      assert.equal(again.code, 1);
      assert.match(again.err, /^gwsdk cert: ERR_CERT_EXISTS: /);
      const ls = await run(["list", "--store", st]);
      assert.match(ls.out, /identity default: gw1\.contoso\.com {2}key p256 {2}state pending/);
      const miss = await run(["list", "--store", join(dir, "nowhere", "store")]);
      assert.equal(miss.code, 1);
      assert.ok(!existsSync(join(dir, "nowhere")), "read-only commands do not create a store");
    });

    test("a password-protected PKCS#12 on a terminal prompts; without one it says how to give it", async () => {
      const st = join(dir, "cli3", "store");
      const k = root.issue({ subject: `/CN=${FQDN}`, ext: [...TEMPLATE, `subjectAltName = DNS:${FQDN}`] });
      const f = join(dir, "prompt.pfx");
      writeFileSync(f, openssl(["pkcs12", "-export", "-inkey", k.keyFile, "-in", k.certFile, "-passout", "pass:prompted-password"]));
      await run(["trust", "add", root.cert.certFile, "--store", st]);
      let r = await run(["import", f, "--store", st]);
      assert.equal(r.code, 1);
      assert.match(r.err, /ERR_CERT_PASSWORD: .*--password-file/);
      r = await run(["import", f, "--store", st], { tty: true });
      assert.equal(r.code, 0, r.err);
    });

    test("on a real terminal (a pty from `script`), the PKCS#12 password is asked without echo", { skip: requireCommand("script", ["--version"], "bsdutils").skip }, async () => {
      const st = join(dir, "cli4", "store");
      const main = join(REPO_ROOT, "dist", "host", "cli", "main.js");
      const k = root.issue({ subject: `/CN=${FQDN}`, ext: [...TEMPLATE, `subjectAltName = DNS:${FQDN}`] });
      const f = join(dir, "tty.pfx");
      writeFileSync(f, openssl(["pkcs12", "-export", "-inkey", k.keyFile, "-in", k.certFile, "-passout", "pass:prompted-password"]));
      const cmd = `${process.execPath} ${main} cert import ${f} --store ${st}`;
      const child = spawn("script", ["-qec", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      const asked = new Promise<void>((res, rej) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("password for")) res();
        });
        child.on("exit", () => rej(new Error(`exited without asking: ${out}`)));
      });
      await asked;
      child.stdin.write("prompted-password\r");
      const [code] = (await once(child, "exit")) as [number];
      assert.equal(code, 0, out);
      assert.match(out, /imported into identity "default" \(pkcs12, key from pkcs12\)/);
      assert.ok(!out.includes("prompted-password"), "the password is not echoed");
    });
  });
});
