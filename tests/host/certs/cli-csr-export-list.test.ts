// Audit findings 6.2–6.4 on the store and `gwsdk cert`:
// - the identity's last CSR is kept after import: `cert csr` prints it again (saying it was answered)
//   until `init --renew` makes a new one, which it then prints (pending);
// - `cert export --include-key` refuses to write binary PKCS#12 to a terminal (or into --json) before
//   asking for any password, and writes it to a pipe (openssl reads it back);
// - `cert list` exits 1 when a store file is damaged, says so in its text and JSON (valid against
//   docs/schemas/cert-list.schema.json), and exits 0 again once the file is repaired;
// - every store file, store.meta included, is written 0600.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { CertStore } from "../../../host/certs/cert-store.js";
import { certCommand, type CertIo } from "../../../host/cli/cert.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { requireCommand } from "../../helpers/system.js";
import { TestCa, openssl, rmTmp, tmpDir } from "./pki.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const FQDN = "gw1.contoso.com";
const TEMPLATE = ["basicConstraints = CA:FALSE", "keyUsage = critical, digitalSignature", "extendedKeyUsage = serverAuth, clientAuth"];

describe("gwsdk cert: the CSR again, export to a terminal, list of a damaged store, file modes", { skip: sys.skip }, () => {
  let dir: string;
  let root: TestCa;
  const ajv = new Ajv2020.default({ allErrors: true, strict: true });
  before(() => {
    dir = tmpDir("cert-cli-audit");
    root = TestCa.root(dir, "Root", { subject: "/CN=Contoso Root CA/O=Contoso" });
    const schemaDir = join(REPO_ROOT, "docs", "schemas");
    for (const f of readdirSync(schemaDir).filter((f) => f.startsWith("cert-"))) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), "utf8")));
  });
  after(() => rmTmp(dir));

  function valid(schema: string, doc: unknown): void {
    const v = ajv.getSchema(`https://gwsdk.invalid/schemas/${schema}.schema.json`)!;
    assert.ok(v(doc), `${schema}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(doc).slice(0, 1500)}`);
  }

  async function run(args: string[], io: Partial<CertIo> = {}): Promise<{ code: number; out: string; bytes: Buffer; err: string; prompts: number }> {
    const chunks: Buffer[] = [];
    let err = "";
    let prompts = 0;
    const code = await certCommand(args, {
      stdout: (s) => void chunks.push(Buffer.from(s)),
      stderr: (s) => (err += s),
      stdoutIsTTY: false,
      stdinIsTTY: false,
      promptSecret: async () => {
        prompts++;
        return "prompted-password";
      },
      env: {},
      ...io,
    });
    const bytes = Buffer.concat(chunks);
    return { code, out: bytes.toString("utf8"), bytes, err, prompts };
  }

  test("the CSR is kept after import: `csr` prints it again until `init --renew`, then the new one", async () => {
    const st = join(dir, "csr", "store");
    const S = ["--store", st];
    let r = await run(["init", ...S, "--fqdn", FQDN, "--key", "p256", "--json"]);
    assert.equal(r.code, 0, r.err);
    const first = JSON.parse(r.out).csrPem as string;
    r = await run(["csr", ...S, "--json"]);
    valid("cert-csr", JSON.parse(r.out));
    assert.deepEqual(JSON.parse(r.out), { name: "default", csrPem: first, pending: true });

    await run(["trust", "add", root.cert.certFile, ...S]);
    const cert = root.issue({ subject: "", ext: TEMPLATE, csrPem: first });
    r = await run(["import", cert.certFile, ...S]);
    assert.equal(r.code, 0, r.err);
    // after import: the same CSR, marked as answered (it used to be ERR_CERT_NOT_FOUND)
    r = await run(["csr", ...S]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, first);
    assert.match(r.err, /has its certificate; this is the CSR it was issued for/);
    r = await run(["csr", ...S, "--json"]);
    valid("cert-csr", JSON.parse(r.out));
    assert.deepEqual(JSON.parse(r.out), { name: "default", csrPem: first, pending: false });
    // the CSR is the one the certificate answered: same public key (openssl's reading of both)
    const pub = (args: string[], input: string) => openssl([...args, "-noout", "-pubkey"], { input }).toString();
    assert.equal(pub(["req"], first), pub(["x509"], cert.pem));
    // a re-import of a certificate for the same key keeps it
    const again = root.issue({ subject: "", ext: TEMPLATE, csrPem: first });
    r = await run(["import", again.certFile, ...S]);
    assert.equal(r.code, 0, r.err);
    assert.equal((await run(["csr", ...S])).out, first);

    // init --renew: the new CSR (pending) replaces it; after its import, that one is kept
    r = await run(["init", ...S, "--fqdn", FQDN, "--key", "p256", "--renew", "--json"]);
    assert.equal(r.code, 0, r.err);
    const second = JSON.parse(r.out).csrPem as string;
    assert.notEqual(second, first);
    assert.deepEqual(JSON.parse((await run(["csr", ...S, "--json"])).out), { name: "default", csrPem: second, pending: true });
    r = await run(["import", root.issue({ subject: "", ext: TEMPLATE, csrPem: second }).certFile, ...S]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse((await run(["csr", ...S, "--json"])).out), { name: "default", csrPem: second, pending: false });
  });

  test("a key restored from a PKCS#12 has no CSR: a clear ERR_CERT_NOT_FOUND", async () => {
    const st = join(dir, "p12", "store");
    const k = root.issue({ subject: `/CN=${FQDN}`, ext: [...TEMPLATE, `subjectAltName = DNS:${FQDN}`] });
    const pfx = join(dir, "restore.pfx");
    writeFileSync(pfx, openssl(["pkcs12", "-export", "-inkey", k.keyFile, "-in", k.certFile, "-passout", "pass:restore-password"]));
    let r = await run(["import", pfx, "--store", st, "--password", "restore-password"]);
    assert.equal(r.code, 0, r.err);
    r = await run(["csr", "--store", st]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^gwsdk cert: ERR_CERT_NOT_FOUND: identity "default" has no CSR \(its key came from a PKCS#12\); `gwsdk cert init --renew/);
  });

  test("export --include-key: refused onto a terminal (before any password prompt) and into --json; written to a pipe", async () => {
    const st = join(dir, "export", "store");
    const S = ["--store", st];
    const { csrPem } = JSON.parse((await run(["init", ...S, "--fqdn", FQDN, "--key", "p256", "--json"])).out);
    await run(["import", root.issue({ subject: "", ext: TEMPLATE, csrPem }).certFile, ...S]);
    writeFileSync(join(dir, "pw.txt"), "backup-password\n");
    const pw = ["--password-file", join(dir, "pw.txt")];

    let r = await run(["export", "--include-key", ...pw, ...S], { stdoutIsTTY: true });
    assert.equal(r.code, 2);
    assert.equal(r.bytes.length, 0, "nothing written to the terminal");
    assert.match(r.err, /give --out FILE for the PKCS#12 \(binary; stdout is a terminal\)/);
    // a terminal on both sides: refused before the password is asked
    r = await run(["export", "--include-key", ...S], { stdoutIsTTY: true, stdinIsTTY: true });
    assert.equal(r.code, 2);
    assert.equal(r.prompts, 0, "no password asked for an export that cannot happen");
    r = await run(["export", "--include-key", ...pw, ...S, "--json"]);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.out).error.code, "ERR_USAGE");

    // stdout a pipe: the PKCS#12 bytes, which openssl opens with the password
    r = await run(["export", "--include-key", ...pw, ...S]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.bytes[0], 0x30, "DER");
    const p12 = join(dir, "piped.p12");
    writeFileSync(p12, r.bytes);
    const text = openssl(["pkcs12", "-in", p12, "-nodes", "-passin", "pass:backup-password"]).toString();
    assert.match(text, /BEGIN PRIVATE KEY/);
    assert.match(text, new RegExp(`subject=CN\\s*=\\s*${FQDN.replace(/\./g, "\\.")}`));
    // and with --out on a terminal
    r = await run(["export", "--include-key", ...pw, ...S, "--out", join(dir, "tty.p12")], { stdoutIsTTY: true });
    assert.equal(r.code, 0, r.err);
    assert.equal(statSync(join(dir, "tty.p12")).mode & 0o777, 0o600);
  });

  test("list of a damaged store: the damage in text and JSON, exit 1; exit 0 once repaired; every file 0600", async () => {
    const st = join(dir, "list", "store");
    const S = ["--store", st];
    const { csrPem } = JSON.parse((await run(["init", ...S, "--fqdn", FQDN, "--key", "p256", "--json"])).out);
    await run(["trust", "add", root.cert.certFile, ...S]);
    writeFileSync(join(dir, "list.crl"), root.crl());
    assert.equal((await run(["crl", "import", join(dir, "list.crl"), ...S])).code, 0);
    assert.equal((await run(["crl", "policy", "default", ...S])).code, 0); // rewrites store.meta
    await run(["import", root.issue({ subject: "", ext: TEMPLATE, csrPem }).certFile, ...S]);

    // every file of the store, store.meta included, owner-only
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => files.push(p))(join(d, e.name));
    };
    walk(st);
    assert.ok(files.some((f) => f.endsWith("store.meta")) && files.some((f) => f.includes("/trust/")) && files.some((f) => f.includes("/crls/")), files.join(" "));
    for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o600, relative(st, f));

    let r = await run(["list", ...S, "--json"]);
    assert.equal(r.code, 0, r.err);
    valid("cert-list", JSON.parse(r.out));
    assert.equal(JSON.parse(r.out).ok, true);

    // a flipped byte in the trust anchor's file
    const anchor = files.find((f) => f.includes("/trust/"))!;
    const good = readFileSync(anchor);
    const bad = Buffer.from(good);
    bad[bad.length - 5]! ^= 0x01;
    writeFileSync(anchor, bad);
    r = await run(["list", ...S]);
    assert.equal(r.code, 1, "a damaged file is a failure");
    assert.match(r.out, /identity default: gw1\.contoso\.com/, "the rest is still listed");
    assert.match(r.out, /PROBLEM ERR_CERT_STORE_CORRUPT: /);
    assert.match(r.out, /store damaged: 1 file\(s\) could not be read; everything else is listed above \(exit status 1\)/);
    r = await run(["list", ...S, "--json"]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.out);
    valid("cert-list", doc);
    assert.equal(doc.ok, false);
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0].file, anchor);
    assert.equal(doc.identities.length, 1);

    // repaired: ok again
    writeFileSync(anchor, good);
    assert.equal((await run(["list", ...S])).code, 0);
    const s = await CertStore.open(st, { create: false });
    try {
      assert.equal((await s.list()).ok, true);
    } finally {
      s.close();
    }
  });
});
