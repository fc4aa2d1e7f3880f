// The simulator's demo PKI and state directory: certificates as Skype for Business deployments
// carry them (checked by our path verifier and by OpenSSL's parser), enrolment through our store,
// reuse on later runs, and renewal of what expires.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, createPublicKey } from "node:crypto";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDemoCa, demoKey, issuePoolCertificate, readCsr, signGatewayCsr } from "../../../host/sim/demo-pki.js";
import { prepareSimState, SIM_NAMES } from "../../../host/sim/state.js";
import { verifyChain } from "../../../host/certs/verify.js";
import { parseCertificate } from "../../../host/certs/x509.js";
import { buildCsr } from "../../../host/certs/csr.js";
import { CertStore } from "../../../host/certs/cert-store.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const dir = tmpDir("simstate");
after(() => rmTmp(dir));

test("demo PKI: pool certificate (CN pool, SAN pool + members, serverAuth only) and the gateway's CSR signed (serverAuth + clientAuth)", async () => {
  const ca = await createDemoCa({ commonName: "Test Root" });
  const poolKey = await demoKey("p256");
  const pool = issuePoolCertificate(ca, { poolFqdn: "mspool.contoso.com", memberFqdns: ["ms1.contoso.com", "ms2.contoso.com"], key: poolKey });
  const p = parseCertificate(pool.der);
  assert.equal(p.subject.text, "CN=mspool.contoso.com");
  assert.deepEqual(p.dnsNames, ["mspool.contoso.com", "ms1.contoso.com", "ms2.contoso.com"]);
  assert.deepEqual(p.extKeyUsage, ["1.3.6.1.5.5.7.3.1"]);
  assert.equal(p.basicConstraints?.ca, false);
  for (const name of ["mspool.contoso.com", "ms2.contoso.com"]) verifyChain({ chain: [pool.der], anchors: [ca.cert.der], purpose: "serverAuth", name, revocation: "off" });
  assert.throws(() => verifyChain({ chain: [pool.der], anchors: [ca.cert.der], purpose: "clientAuth", revocation: "off" }), (e: unknown) => (e as { reason?: string }).reason === "eku");
  // OpenSSL reads the same certificate the same way and finds our CA's signature on it.
  const x = new X509Certificate(pool.der);
  assert.equal(x.subject, "CN=mspool.contoso.com");
  assert.equal(x.subjectAltName, "DNS:mspool.contoso.com, DNS:ms1.contoso.com, DNS:ms2.contoso.com");
  assert.ok(x.verify(createPublicKey(ca.key)));
  assert.ok(x.checkIssued(new X509Certificate(ca.cert.der)));
  assert.ok(new X509Certificate(ca.cert.der).ca);

  const gwKey = await demoKey("rsa2048");
  const csr = buildCsr({ fqdn: "gw1.contoso.com", key: gwKey });
  assert.deepEqual(readCsr(csr.pem).dnsNames, ["gw1.contoso.com"]);
  const gw = signGatewayCsr(ca, csr.pem, { fqdn: "gw1.contoso.com" });
  const g = parseCertificate(gw.der);
  assert.deepEqual(g.extKeyUsage, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  verifyChain({ chain: [gw.der], anchors: [ca.cert.der], purpose: "clientAuth", name: "gw1.contoso.com", revocation: "off" });
  assert.throws(() => signGatewayCsr(ca, csr.pem, { fqdn: "gw2.contoso.com" }), (e: unknown) => (e as { code?: string }).code === "ERR_SIM_PKI");
  // A CSR whose signature does not verify (no proof of possession) is refused.
  const der = Buffer.from(csr.der);
  der[der.length - 5]! ^= 0xff;
  const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => readCsr(bad), (e: unknown) => (e as { code?: string }).code === "ERR_SIM_PKI");
});

test("state: first run makes everything and enrols the gateway through the store; later runs reuse it; expiring pieces are renewed", async () => {
  const d = join(dir, "s");
  const a = await prepareSimState(d);
  assert.equal(a.firstRun, true);
  assert.deepEqual(a.made, ["ca", "pool-certificate", "trust-anchor", "gateway-identity"]);
  assert.deepEqual(a.names, SIM_NAMES);
  assert.equal(statSync(join(d, "ca", "ca-key.pem")).mode & 0o777, 0o600);
  assert.equal(statSync(join(d, "pool", "pool-key.pem")).mode & 0o777, 0o600);
  const store = await CertStore.open(a.storeDir, { create: false });
  try {
    const check = await store.check("default");
    assert.equal(check.status === "ok" || check.status === "warning", true, JSON.stringify(check.problems));
    assert.equal(check.trust, "trusted");
    assert.equal(check.certificate!.subject, "CN=gw1.sim.gwsdk.test");
    assert.equal(check.certificate!.issuer, "CN=gwsdk Sim Enterprise Root CA");
  } finally {
    store.close();
  }

  const b = await prepareSimState(d);
  assert.equal(b.firstRun, false);
  assert.deepEqual(b.made, []);
  assert.equal(b.ca.cert.pem, a.ca.cert.pem);

  // 700 days on: the pool certificate (2 years) is within 30 days of expiry and the gateway's
  // (1 year) has expired; the CA (10 years) stays.
  const later = new Date(Date.now() + 700 * 86_400_000);
  const c = await prepareSimState(d, { now: () => later, keyType: "p256" });
  assert.deepEqual(c.made, ["pool-certificate", "gateway-identity"]);
  assert.ok(c.pool.cert.notAfter > new Date(later.getTime() + 365 * 86_400_000));

  // A damaged state.json is reported, not silently replaced.
  writeFileSync(join(d, "state.json"), "{ nope");
  await assert.rejects(prepareSimState(d), (e: unknown) => (e as { code?: string }).code === "ERR_SIM_STATE");
});
