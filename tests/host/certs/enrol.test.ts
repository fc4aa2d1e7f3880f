// End-to-end enrolment against a real CA: `openssl ca` plays the enterprise CA (AD CS), signs the
// gateway's CSR with serverAuth+clientAuth; we import the answer as PEM, DER, PKCS#7 and PKCS#12, and
// the store then serves TLS contexts that Node's `tls` accepts for mutual TLS, both directions, and
// a renewal swaps certificates without dropping a live connection.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tls from "node:tls";
import { CertStore } from "../../../host/certs/cert-store.js";
import { verifyChain } from "../../../host/certs/verify.js";
import { parseCertificate } from "../../../host/certs/x509.js";
import { requireCommand } from "../../helpers/system.js";
import { EXT, TestCa, openssl, rmTmp, tmpDir, type Issued } from "./pki.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const FQDN = "gw1.contoso.com";
const MS = "ms-pool.contoso.com";
/** What an AD CS "Web Server + Client Authentication" template adds; the SAN comes from the CSR. */
const TEMPLATE = ["basicConstraints = CA:FALSE", "keyUsage = critical, digitalSignature, keyEncipherment", "extendedKeyUsage = serverAuth, clientAuth", "authorityKeyIdentifier = keyid"];

/** Re-encodes the first `levels` nested constructed elements of DER with BER indefinite lengths. */
function toIndefinite(der: Uint8Array, levels: number): Uint8Array {
  if (levels === 0) return der;
  const n = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const body = der.subarray(n);
  // the first child is re-encoded too (ContentInfo → [0] → SignedData); its siblings stay DER
  const childLen = body[1]! & 0x80 ? 2 + (body[1]! & 0x7f) + Number(`0x${Buffer.from(body.subarray(2, 2 + (body[1]! & 0x7f))).toString("hex")}`) : 2 + body[1]!;
  const firstConstructed = body[0] === 0x30 || body[0] === 0xa0;
  const idx = firstConstructed ? 0 : childLen; // ContentInfo: skip the OID to reach [0]
  const childLen2 = (() => {
    const b = body.subarray(idx);
    return b[1]! & 0x80 ? 2 + (b[1]! & 0x7f) + Number(`0x${Buffer.from(b.subarray(2, 2 + (b[1]! & 0x7f))).toString("hex")}`) : 2 + b[1]!;
  })();
  const inner = toIndefinite(body.subarray(idx, idx + childLen2), levels - 1);
  return Buffer.concat([Buffer.from([der[0]!, 0x80]), body.subarray(0, idx), inner, body.subarray(idx + childLen2), Buffer.from([0, 0])]);
}

describe("enrolment with an openssl CA, then mutual TLS", { skip: sys.skip }, () => {
  let dir: string;
  let root: TestCa;
  let issuing: TestCa;
  let ms: Issued; // the Mediation Server's certificate

  before(() => {
    dir = tmpDir("enrol");
    root = TestCa.root(dir, "Root", { subject: "/CN=Contoso Root CA/O=Contoso" });
    issuing = root.intermediate("Issuing", { subject: "/CN=Contoso Issuing CA/O=Contoso" });
    ms = issuing.issue({ subject: `/CN=${MS}`, ext: EXT.leaf([MS, "ms1.contoso.com"]), key: "rsa2048" });
  });
  after(() => rmTmp(dir));

  async function enrolled(name: string, key: "p256" | "rsa2048" = "p256"): Promise<{ store: CertStore; leaf: Issued }> {
    const store = await CertStore.open(join(dir, name, "store"));
    const r = await store.init({ fqdn: FQDN, sans: ["gw1-b.contoso.com"], key });
    // the CSR says what we ask for
    const text = openssl(["req", "-noout", "-text", "-verify"], { input: r.csrPem }).toString();
    assert.match(text, /DNS:gw1\.contoso\.com, DNS:gw1-b\.contoso\.com/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    if (key === "rsa2048") assert.match(text, /Digital Signature, Key Encipherment/);
    else assert.doesNotMatch(text, /Key Encipherment/); // RFC 8813
    const leaf = issuing.issue({ subject: "", ext: TEMPLATE, csrPem: r.csrPem });
    return { store, leaf };
  }

  test("PEM (leaf + chain), RSA 2048: trusted once the root is in the trust store", async () => {
    const { store, leaf } = await enrolled("pem", "rsa2048");
    await store.trustAdd(Buffer.from(root.cert.pem), "root.pem");
    const r = await store.import(Buffer.from(leaf.pem + issuing.cert.pem), { source: "gw.pem" });
    assert.equal(r.format, "pem");
    assert.equal(r.trust, "trusted");
    assert.equal(r.chainLength, 2);
    assert.equal(r.keySource, "pending");
    assert.equal(r.certificate.key, "RSA 2048");
    const check = await store.check();
    assert.equal(check.status, "warning"); // no CRL yet
    assert.deepEqual(check.problems, []);
    await store.crlImport(issuing.crl(), "issuing.crl");
    await store.crlImport(root.crl(), "root.crl");
    assert.equal((await store.check()).status, "ok");
    store.close();
  });

  test("DER (leaf only): stored as untrusted-chain with a warning when the issuer is unknown", async () => {
    const { store, leaf } = await enrolled("der");
    const r = await store.import(leaf.der, { source: "gw.cer" });
    assert.equal(r.format, "der");
    assert.equal(r.trust, "untrusted-chain");
    assert.equal(r.warnings[0]!.code, "WARN_CERT_UNTRUSTED_CHAIN");
    store.close();
  });

  test("PKCS#7 (.p7b, as AD CS returns it), DER and PEM", async () => {
    const { store, leaf } = await enrolled("p7b");
    await store.trustAdd(root.cert.der);
    const p7 = openssl(["crl2pkcs7", "-nocrl", "-certfile", leaf.certFile, "-certfile", issuing.cert.certFile, "-outform", "DER"]);
    const r = await store.import(p7, { source: "certnew.p7b" });
    assert.equal(r.format, "pkcs7");
    assert.equal(r.trust, "trusted");
    assert.equal(r.chainLength, 2);
    const p7pem = openssl(["crl2pkcs7", "-nocrl", "-certfile", leaf.certFile, "-certfile", issuing.cert.certFile]);
    assert.equal((await store.import(p7pem, { source: "certnew.p7b.pem" })).keySource, "active");
    // BER with indefinite lengths (as some Windows tools write): ContentInfo, [0] and SignedData
    const ber = await store.import(toIndefinite(p7, 3), { source: "certnew-ber.p7b" });
    assert.equal(ber.chainLength, 2);
    store.close();
  });

  test("PKCS#12 of the certificates (no key, password-protected), with the password", async () => {
    const { store, leaf } = await enrolled("p12");
    const chain = join(dir, "p12chain.pem");
    writeFileSync(chain, leaf.pem + issuing.cert.pem);
    const pfx = openssl(["pkcs12", "-export", "-nokeys", "-in", chain, "-passout", "pass:s3cret-pass"]);
    await assert.rejects(store.import(pfx, { source: "gw.pfx" }), { code: "ERR_CERT_PASSWORD" });
    await assert.rejects(store.import(pfx, { source: "gw.pfx", password: "wrong" }), { code: "ERR_CERT_PASSWORD" });
    const r = await store.import(pfx, { source: "gw.pfx", password: async () => "s3cret-pass" });
    assert.equal(r.format, "pkcs12");
    assert.equal(r.keySource, "pending");
    store.close();
  });

  test("PKCS#12 backup export: openssl reads it; it restores into a new store; legacy 3DES/RC2 files import", async () => {
    const { store, leaf } = await enrolled("backup");
    await store.trustAdd(root.cert.der);
    await store.import(Buffer.from(leaf.pem + issuing.cert.pem));
    await assert.rejects(store.exportPkcs12("default", "short"), { code: "ERR_CERT_ARG" });
    const p12 = await store.exportPkcs12("default", "correct horse battery");
    const p12File = join(dir, "backup.p12");
    writeFileSync(p12File, p12);
    const info = openssl(["pkcs12", "-in", p12File, "-nodes", "-passin", "pass:correct horse battery", "-info"]).toString() + "";
    assert.match(info, /BEGIN PRIVATE KEY/);
    assert.equal((info.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    const restored = await CertStore.open(join(dir, "restored", "store"));
    await restored.trustAdd(root.cert.der);
    const r = await restored.import(p12, { password: "correct horse battery" });
    assert.equal(r.keySource, "pkcs12");
    assert.equal(r.certificate.fingerprintSha256, parseCertificate(leaf.der).fingerprint256);
    const sig = await (await restored.signer()).sign(Buffer.from("x"), "ecdsa_secp256r1_sha256");
    assert.ok(sig.length > 60);
    // files made by openssl with its key: default (PBES2/AES) and -legacy (3DES + RC2-40)
    const keyed = issuing.issue({ subject: `/CN=${FQDN}`, ext: EXT.leaf([FQDN]) });
    for (const legacy of [false, true]) {
      const f = openssl(["pkcs12", "-export", ...(legacy ? ["-legacy"] : []), "-inkey", keyed.keyFile, "-in", keyed.certFile, "-certfile", issuing.cert.certFile, "-passout", "pass:pfx-pass-1"]);
      const s = await CertStore.open(join(dir, `pfx-${legacy}`, "store"));
      const ri = await s.import(f, { password: "pfx-pass-1", name: "trunk2" });
      assert.equal(ri.name, "trunk2");
      assert.equal(ri.chainLength, 2);
      await assert.rejects(s.import(f, { password: "pfx-pass-2" }), { code: "ERR_CERT_PASSWORD" });
      s.close();
    }
    restored.close();
    store.close();
  });

  test("mutual TLS with Node's tls, both directions, and a renewal that keeps live connections", async () => {
    const { store, leaf } = await enrolled("mtls");
    await store.trustAdd(root.cert.der);
    await store.import(Buffer.from(leaf.pem + issuing.cert.pem));
    const rootPem = root.cert.pem;
    const msOpts = { key: readFileSync(ms.keyFile), cert: ms.pem + issuing.cert.pem, ca: [rootPem] };

    // 1. gateway = TLS client to the Mediation Server (5067), presenting its chain
    const server = tls.createServer({ ...msOpts, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" }, (s) => {
      const chain: Uint8Array[] = [];
      for (let c = s.getPeerCertificate(true); c && c.raw && !chain.some((x) => Buffer.from(x).equals(c.raw)); c = c.issuerCertificate) chain.push(new Uint8Array(c.raw));
      // the Mediation Server side, with our verifier: the gateway's chain is good for clientAuth
      const r = verifyChain({ chain, anchors: [root.cert.der], purpose: "clientAuth", allowedNames: [FQDN], revocation: "off" });
      s.end(`hello ${r.chain[0]!.subject.commonNames[0]}`);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const ours = await store.nodeTlsOptions();
    const client = tls.connect({ ...ours, host: "127.0.0.1", port, servername: MS, minVersion: "TLSv1.3" });
    let got = "";
    client.on("data", (d) => (got += d));
    await once(client, "end");
    assert.equal(got, `hello ${FQDN}`);
    assert.ok(client.authorized);
    server.close();

    // 2. gateway = TLS server (the Mediation Server connects to it), requiring a client certificate
    const gwServer = tls.createServer({ ...(await store.nodeTlsOptions()), requestCert: true, rejectUnauthorized: true }, (s) => {
      s.on("data", (d) => s.write(d));
    });
    gwServer.listen(0, "127.0.0.1");
    await once(gwServer, "listening");
    const gport = (gwServer.address() as { port: number }).port;
    const connect = async () => {
      const c = tls.connect({ ...msOpts, host: "127.0.0.1", port: gport, servername: FQDN });
      await once(c, "secureConnect");
      assert.ok(c.authorized, String(c.authorizationError));
      return c;
    };
    const echo = async (c: tls.TLSSocket, msg: string) => {
      c.write(msg);
      const [d] = await once(c, "data");
      return String(d);
    };
    const live = await connect();
    const before = live.getPeerCertificate().fingerprint256;
    assert.equal(await echo(live, "ping"), "ping");

    // renewal: new key + CSR while the old certificate serves; the CA signs; import; swap context
    const renew = await store.init({ fqdn: FQDN, key: "p256", renew: true });
    assert.equal(renew.renewal, true);
    assert.equal((await store.show()).state, "renewing");
    const renewed = issuing.issue({ subject: "", ext: TEMPLATE, csrPem: renew.csrPem });
    const changed = once(store, "identityChanged");
    await store.import(Buffer.from(renewed.pem + issuing.cert.pem));
    await changed;
    gwServer.setSecureContext(await store.nodeTlsOptions());
    assert.equal(await echo(live, "still here"), "still here"); // the live connection was not dropped
    const fresh = await connect();
    assert.notEqual(fresh.getPeerCertificate().fingerprint256, before); // new connections get the new certificate
    live.destroy();
    fresh.destroy();
    gwServer.close();
    store.close();
  });
});
