// `gwsdk conformance peer` against the SIP branch's Mediation Server simulator peer behind Node tls
// with requestCert (everything PASS, with and without --call), and against misconfigured peers
// started here: expired certificate, a certificate for another name, TLS 1.1 only, no client
// certificate request, a peer that does not trust our CA, a port nobody listens on. Each must show
// the right FAIL/WARN with advice, the JSON must match its schema, and the JUnit must parse back.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { once } from "node:events";
import { join } from "node:path";
import { MediationPeer } from "../../../host/sim/mediation/peer.js";
import { runPeerConformance, type PeerConformanceReport } from "../../../host/conformance/peer/index.js";
import { peerReportJunit } from "../../../host/conformance/peer-output.js";
import { parseHostPort } from "../../../host/cli/conformance.js";
import { redactCrypto } from "../../../host/conformance/peer/sip-probe.js";
import { writeFileSync } from "node:fs";
import { CertStore } from "../../../host/certs/cert-store.js";
import { createMtlsServer } from "../../../host/tls/mtls-server.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, nodeTlsOptions, openssl, tlsPki, type TlsPki } from "../../helpers/tls-pki.js";
import { requireCommand } from "../../helpers/system.js";
import { cli, assertSchema, readJunit, tmpDir } from "./helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");

interface Peer {
  port: number;
  sim: MediationPeer | undefined;
  close(): Promise<void>;
}

/** A Node tls server; with `sip` the Mediation simulator serves SIP on it. */
async function startPeer(opts: tls.TlsOptions, sip = true): Promise<Peer> {
  const server = tls.createServer(opts);
  server.on("tlsClientError", () => undefined);
  const sim = sip ? new MediationPeer({ host: "ms1.contoso.com" }) : undefined;
  if (sim) sim.attach(server, "secureConnection");
  else server.on("secureConnection", (s) => s.on("error", () => undefined));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    sim,
    close: async () => {
      await sim?.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function item(r: PeerConformanceReport, id: string) {
  const i = r.items.find((x) => x.id === id);
  assert.ok(i, `item ${id} in ${r.items.map((x) => x.id).join(",")}`);
  return i;
}

function statuses(r: PeerConformanceReport): Record<string, string> {
  return Object.fromEntries(r.items.map((i) => [i.id, i.status]));
}

/** Every report: the schema, the JUnit (parsed back, counts consistent), an item order without duplicates. */
function checkShape(r: PeerConformanceReport): void {
  assertSchema("peer", r);
  const ids = r.items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, "no duplicate items");
  const j = readJunit(peerReportJunit(r));
  assert.equal(j.tests, r.items.length);
  assert.equal(j.failures, r.summary.fail);
  assert.equal(j.skipped, r.summary.skip);
  for (const i of r.items.filter((x) => x.status === "fail" || x.status === "warn")) assert.ok(i.advice && i.advice.length > 20, `${i.id} has advice a person can act on`);
}

describe("conformance peer", { skip: sys.skip }, () => {
  let pki: TlsPki;
  let storeDir: string;
  const mtls = (p: TlsPki, id = p.pool) => ({ ...nodeTlsOptions(p, id), requestCert: true, rejectUnauthorized: true });

  before(async () => {
    pki = tlsPki("rsa2048");
    const g = await gatewayStore(pki);
    g.store.close();
    storeDir = join(g.dir, "store");
  });

  test("the Mediation simulator behind Node tls with requestCert: every item PASS; CLI exit 0 with --json and --junit", async () => {
    const peer = await startPeer(mtls(pki));
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir });
      checkShape(r);
      const st = statuses(r);
      for (const id of ["tcp", "tls-1.3", "tls-1.2", "tls-1.1", "tls-1.0", "tls-handshake", "client-certificate-request", "client-certificate-accepted", "gateway-identity", "certificate-chain", "certificate-trust", "certificate-name", "sip-options"]) {
        assert.equal(st[id], "pass", `${id}: ${item(r, id).summary}`);
      }
      for (const id of ["call-answer", "call-media", "call-auth", "call-bye"]) assert.equal(st[id], "skip");
      assert.equal(r.summary.status, "pass");
      assert.deepEqual(r.tlsVersions.map((v) => [v.version, v.accepted]), [["TLSv1.3", true], ["TLSv1.2", true], ["TLSv1.1", false], ["TLSv1", false]]);
      assert.equal(r.tlsVersions[0]!.outcome, "clientCertRequired", "the probe presents no certificate; the simulator requires one");
      assert.equal(r.negotiated!.version, "TLSv1.3");
      assert.ok(r.negotiated!.clientCertificateRequested);
      assert.equal(r.gateway.fqdn, GATEWAY);
      assert.equal(r.peerCertificates[0]!.subject, `CN=${POOL}`);
      assert.deepEqual(r.peerCertificates[0]!.sans, [POOL, ...POOL_MEMBERS]);
      assert.deepEqual(r.peerCertificates[0]!.eku, ["serverAuth"]);
      assert.equal(r.sipOptions!.status, 200);
      assert.equal(r.sipOptions!.server, "gwsdk-mediation-sim");
      assert.match(item(r, "sip-options").summary, /^200 OK in \d+ ms; Server: gwsdk-mediation-sim$/);

      const run = await cli(["peer", `127.0.0.1:${peer.port}`, "--store", storeDir, "--device-key", join(storeDir, "..", "device.key"), "--servername", POOL, "--json", "--junit", "peer.xml"]);
      assert.equal(run.code, 0, run.stdout);
      assertSchema("peer", JSON.parse(run.stdout));
      const xml = [...run.files.values()][0]!;
      assert.equal(readJunit(xml).failures, 0);
      const text = await cli(["peer", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL]);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /^PASS\s+SIP OPTIONS round trip\s+200 OK/m);
      assert.match(text.stdout, /^result: PASS/m);
      assert.match(text.stdout, /\[0\] CN=ms-pool\.contoso\.com/);
    } finally {
      await peer.close();
    }
  });

  test("--call: INVITE with the SfB SDES offer, the answer's crypto line (key redacted), SRTP both ways, no auth failures, BYE", async () => {
    const peer = await startPeer(mtls(pki));
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir, call: true, callSeconds: 1 });
      checkShape(r);
      const st = statuses(r);
      for (const id of ["call-answer", "call-media", "call-auth", "call-bye"]) assert.equal(st[id], "pass", `${id}: ${item(r, id).summary}`);
      assert.equal(r.summary.status, "pass");
      const c = r.call!;
      assert.equal(c.status, 200);
      assert.equal(c.answerProtocol, "RTP/SAVP");
      assert.equal(c.profile, "AES_CM_128_HMAC_SHA1_80");
      assert.ok(c.answerCrypto.length >= 1);
      for (const l of c.answerCrypto) assert.match(l, /^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:<key>\|2\^31/);
      assert.ok(c.stats!.rtpSent > 10 && c.stats!.rtpReceived > 10, JSON.stringify(c.stats));
      assert.equal(c.stats!.authFailures, 0);
      assert.equal(c.byeStatus, "ok");
      assert.match(c.srtpProvider, /^gwsdk core SRTP/, "our side's media ran on the core's SRTP engine; the simulator's on node:crypto");
      assert.equal(peer.sim!.calls.length, 1, "the simulator saw one call");
      assert.ok(peer.sim!.calls[0]!.sip.ended, "and it has ended (BYE)");
    } finally {
      await peer.close();
    }
  });

  test("expired peer certificate: certificate-chain and certificate-trust FAIL, our handshake FAILS with ERR_TLS_CERT_EXPIRED, SIP skipped", async () => {
    const peer = await startPeer(mtls(pki, pki.expired));
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir });
      checkShape(r);
      assert.equal(item(r, "certificate-chain").status, "fail");
      assert.match(item(r, "certificate-chain").summary, /expired on \d{4}-\d\d-\d\d \(\d+ day\(s\) ago\)/);
      assert.match(item(r, "certificate-chain").advice!, /renew/);
      assert.equal(item(r, "certificate-trust").status, "fail");
      assert.match(item(r, "certificate-trust").summary, /^not trusted \(expired\)/);
      assert.equal(item(r, "certificate-name").status, "pass");
      assert.equal(item(r, "tls-handshake").status, "fail");
      assert.match(item(r, "tls-handshake").summary, /^ERR_TLS_CERT_EXPIRED/);
      assert.equal(item(r, "sip-options").status, "skip");
      assert.equal(r.summary.status, "fail");
      const run = await cli(["peer", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^FAIL\s+Peer certificate chain/m);
    } finally {
      await peer.close();
    }
  });

  test("a certificate for another name: certificate-name FAILS with 'issued for X but you connected as Y' and the fix", async () => {
    const peer = await startPeer(mtls(pki, pki.wrongName));
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir });
      checkShape(r);
      const n = item(r, "certificate-name");
      assert.equal(n.status, "fail");
      assert.equal(n.summary, `the peer's certificate was issued for other.fabrikam.com but you connected as ${POOL}`);
      assert.match(n.advice!, /add the pool FQDN as --servername \(other\.fabrikam\.com\)/);
      assert.equal(item(r, "certificate-trust").status, "pass", "the chain itself is trusted");
      assert.equal(item(r, "tls-handshake").status, "fail");
      assert.match(item(r, "tls-handshake").summary, /^ERR_TLS_CERT_NAME/);
    } finally {
      await peer.close();
    }
    // and a pool member's name that the certificate carries is fine, one it does not carry is not
    const ok = await startPeer(mtls(pki));
    try {
      const good = await runPeerConformance({ host: "127.0.0.1", port: ok.port, servername: POOL_MEMBERS[0]!, store: storeDir });
      assert.equal(item(good, "certificate-name").status, "pass");
      const bad = await runPeerConformance({ host: "127.0.0.1", port: ok.port, servername: "ms3.contoso.com", store: storeDir });
      assert.equal(item(bad, "certificate-name").summary, `the peer's certificate was issued for ${POOL} (names: ${[POOL, ...POOL_MEMBERS].join(", ")}) but you connected as ms3.contoso.com`);
    } finally {
      await ok.close();
    }
  });

  test("TLS 1.1 only: 1.3 and 1.2 FAIL, 1.1 WARN (reported, never used), our handshake FAILS naming the version problem", async () => {
    const peer = await startPeer({ ...mtls(pki), minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" });
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir });
      checkShape(r);
      const st = statuses(r);
      assert.equal(st["tls-1.3"], "fail");
      assert.equal(st["tls-1.2"], "fail");
      assert.equal(st["tls-1.1"], "warn");
      assert.equal(st["tls-1.0"], "pass");
      assert.equal(item(r, "tls-1.2").summary, "refused (the peer answered with another version)");
      assert.equal(item(r, "tls-1.3").summary, "refused (alert protocol_version)");
      assert.match(item(r, "tls-1.2").advice!, /enable TLS 1\.2/);
      assert.match(item(r, "tls-1.1").advice!, /disable TLS 1\.0 and 1\.1/);
      assert.equal(st["tls-handshake"], "fail");
      assert.match(item(r, "tls-handshake").advice!, /TLS 1\.2/);
      // the certificate is still examined, from the TLS 1.1 probe
      assert.equal(st["certificate-chain"], "pass");
      assert.equal(st["certificate-name"], "pass");
      assert.equal(r.summary.status, "fail");
    } finally {
      await peer.close();
    }
  });

  test("no client certificate request: client-certificate-request WARN, SIP still PASS, exit 0 (warnings only)", async () => {
    const peer = await startPeer({ ...nodeTlsOptions(pki), requestCert: false });
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir });
      checkShape(r);
      const req = item(r, "client-certificate-request");
      assert.equal(req.status, "warn");
      assert.match(req.summary, /did not request a client certificate/);
      assert.equal(r.negotiated!.signatureScheme, "");
      assert.equal(item(r, "client-certificate-accepted").status, "skip");
      assert.equal(item(r, "sip-options").status, "pass");
      assert.equal(item(r, "tls-1.3").summary.includes("asked for a client certificate"), false);
      assert.equal(r.summary.status, "warn");
      const run = await cli(["peer", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL]);
      assert.equal(run.code, 0, "WARN is not a failure");
      assert.match(run.stdout, /^WARN\s+Peer asks for our certificate/m);
    } finally {
      await peer.close();
    }
  });

  test("a peer that does not trust our CA: client-certificate-accepted FAILS (Node tls closes silently; our server sends unknown_ca)", async () => {
    // Node's tls server checks the client certificate after the handshake and closes without an alert
    const peer = await startPeer({ ...nodeTlsOptions(pki), ca: [pki.evilRootPem], requestCert: true, rejectUnauthorized: true });
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir, timeoutMs: 3000 });
      checkShape(r);
      assert.equal(item(r, "tls-handshake").status, "pass", "TLS 1.3: the client finishes before the server judges its certificate");
      assert.equal(item(r, "client-certificate-request").status, "pass");
      const acc = item(r, "client-certificate-accepted");
      assert.equal(acc.status, "fail");
      assert.match(acc.summary, /closed the link right after the handshake, without an alert/);
      assert.match(acc.advice!, /Trusted Root Certification Authorities/);
      assert.ok(acc.durationMs < 500, `seen by the watch after the handshake, at once: ${acc.durationMs} ms`);
      assert.equal(item(r, "sip-options").status, "skip");
      assert.match(item(r, "sip-options").summary, /^not run: the peer closed the link right after the handshake: see client-certificate-accepted$/);
    } finally {
      await peer.close();
    }
    // our own TLS server as the peer refuses with the alert RFC 8446 names: unknown_ca, after the
    // handshake in TLS 1.3 and inside it in TLS 1.2; access_denied for a trusted gateway it does not know
    // The server presents a certificate from the other PKI (Evil Root) that our client is told to
    // trust here, so that our side's checks pass and the server's refusal is what is seen.
    const dir = tmpDir("conf-peer-evil");
    const client = await gatewayStore(pki, { dir: join(dir, "client") });
    await client.store.trustAdd(Buffer.from(pki.evilRootPem), "evil.pem");
    client.store.close();
    const clientStore = join(dir, "client", "store");
    const chainFile = join(dir, "chain.pem");
    writeFileSync(chainFile, pki.untrusted.chainPem);
    const p12 = openssl(["pkcs12", "-export", "-inkey", pki.untrusted.keyFile, "-in", chainFile, "-passout", "pass:x"]);
    const serverStore = async (name: string, roots: string[]) => {
      const st = await CertStore.open(join(dir, name, "store"));
      for (const r of roots) await st.trustAdd(Buffer.from(r), "root.pem");
      await st.import(p12, { password: "x" });
      return st;
    };
    const evilOnly = await serverStore("evil-only", [pki.evilRootPem]);
    const both = await serverStore("both", [pki.evilRootPem, pki.rootPem]);
    try {
      const cases = [
        { store: evilOnly, versions: ["TLSv1.3"], allowed: [GATEWAY], alert: "unknown_ca", handshake: "pass" },
        { store: evilOnly, versions: ["TLSv1.2"], allowed: [GATEWAY], alert: "unknown_ca", handshake: "fail" },
        { store: both, versions: ["TLSv1.3"], allowed: ["gw9.contoso.com"], alert: "access_denied", handshake: "pass" },
      ] as const;
      for (const c of cases) {
        const server = createMtlsServer({ store: c.store, allowedPeers: [...c.allowed], policy: { versions: [...c.versions] } }, (s) => s.on("error", () => undefined));
        server.on("tlsClientError", () => undefined);
        server.listen(0, "127.0.0.1");
        await once(server, "listening");
        try {
          const port = (server.address() as net.AddressInfo).port;
          const r = await runPeerConformance({ host: "127.0.0.1", port, servername: POOL, store: clientStore, timeoutMs: 3000 });
          checkShape(r);
          const what = `${c.versions[0]} ${c.alert}: ${JSON.stringify(r.items.filter((i) => i.group === "tls"))}`;
          assert.equal(item(r, "tls-handshake").status, c.handshake, what);
          const acc = item(r, "client-certificate-accepted");
          assert.equal(acc.status, "fail", what);
          assert.match(acc.summary, new RegExp(`alert ${c.alert} received`), what);
          assert.match(acc.advice!, c.alert === "unknown_ca" ? /Trusted Root Certification Authorities/ : /Topology Builder/, what);
          if (c.handshake === "pass") {
            // TLS 1.3: the alert came after our handshake completed, while the link was watched; SIP is not tried on a refused link
            assert.match(acc.summary, /^refused: alert \w+ received \d+ ms after the handshake$/, what);
            assert.match(item(r, "sip-options").summary, new RegExp(`^not run: the peer refused our certificate \\(alert ${c.alert}\\)`), what);
          }
        } finally {
          await new Promise<void>((res) => server.close(() => res()));
        }
      }
    } finally {
      evilOnly.close();
      both.close();
    }
  });

  test("nobody listening: tcp FAILS with the port advice, everything else SKIPs; bad store: gateway-identity FAILS", async () => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1");
    await once(s, "listening");
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const r = await runPeerConformance({ host: "127.0.0.1", port, servername: POOL, store: storeDir, timeoutMs: 1000 });
    checkShape(r);
    assert.equal(item(r, "tcp").status, "fail");
    assert.match(item(r, "tcp").summary, /connection refused/);
    assert.match(item(r, "tcp").advice!, /5067/);
    assert.ok(r.items.filter((i) => !["tcp", "gateway-identity"].includes(i.id)).every((i) => i.status === "skip"));
    const noStore = await runPeerConformance({ host: "127.0.0.1", port, servername: POOL, store: join(storeDir, "..", "nope"), timeoutMs: 1000 });
    checkShape(noStore);
    assert.equal(item(noStore, "gateway-identity").status, "fail");
    assert.match(item(noStore, "gateway-identity").summary, /^ERR_CERT_NOT_FOUND/);
  });

  test("a peer that completes the handshake but never answers SIP: 'Peer accepts our certificate' PASS from the watch after the handshake (no alert, link open)", async () => {
    // Node tls with requestCert + rejectUnauthorized that trusts our CA, no SIP service behind it;
    // and `openssl s_server -Verify` (the audit's case), which prints what it gets and answers nothing
    const peer = await startPeer(mtls(pki), false);
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: storeDir, timeoutMs: 1000 });
      checkShape(r);
      const acc = item(r, "client-certificate-accepted");
      assert.equal(acc.status, "pass", acc.summary);
      assert.match(acc.summary, /^accepted: no alert in the \d+ ms after the handshake, and the link stays open$/);
      assert.ok(acc.durationMs >= 400 && acc.durationMs <= 1000, `bounded wait: ${acc.durationMs} ms`);
      assert.equal(item(r, "sip-options").status, "fail");
      assert.match(item(r, "sip-options").summary, /^no answer/);
    } finally {
      await peer.close();
    }
    const dir = tmpDir("conf-peer-sserver");
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const leaf = join(dir, "pool.pem");
    const chain = join(dir, "issuing.pem");
    const ca = join(dir, "ca.pem");
    writeFileSync(leaf, pki.pool.certPem);
    writeFileSync(chain, pki.issuingPem);
    writeFileSync(ca, pki.rootPem);
    const { spawn } = await import("node:child_process");
    const srv = spawn("openssl", ["s_server", "-accept", String(port), "-cert", leaf, "-cert_chain", chain, "-key", pki.pool.keyFile, "-CAfile", ca, "-Verify", "2", "-quiet"], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      for (let i = 0; i < 100; i++) {
        const ok = await new Promise<boolean>((res) => {
          const c = net.connect(port, "127.0.0.1", () => (c.destroy(), res(true)));
          c.on("error", () => res(false));
        });
        if (ok) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await runPeerConformance({ host: "127.0.0.1", port, servername: POOL, store: storeDir, timeoutMs: 1000 });
      const acc = item(r, "client-certificate-accepted");
      assert.equal(item(r, "tls-handshake").status, "pass", JSON.stringify(r.items.filter((x) => x.group === "tls")));
      assert.equal(acc.status, "pass", acc.summary);
      assert.match(acc.summary, /no alert in the \d+ ms after the handshake/);
    } finally {
      srv.kill();
    }
  });

  test("CRL advice: a missing CRL is a WARN that says why under the default policy (no 'use the default policy'); strict refuses and says how to go back", async () => {
    const peer = await startPeer(mtls(pki));
    const dir = tmpDir("conf-peer-crl");
    const g = await gatewayStore(pki, { crls: false, dir });
    g.store.close();
    const st = join(dir, "store");
    try {
      const r = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: st, timeoutMs: 3000 });
      checkShape(r);
      const t = item(r, "certificate-trust");
      assert.equal(t.status, "warn", t.summary);
      assert.match(t.advice!, /holds no CRL of the CA that issued the peer's certificate, so its revocation could not be checked; the default revocation policy accepts that with this warning/);
      assert.match(t.advice!, /gwsdk cert crl import FILE/);
      assert.doesNotMatch(t.advice!, /use the default revocation policy/, "no advice to use the policy already in use");

      const s = await CertStore.open(st, { create: false });
      await s.setRevocationPolicy("strict");
      s.close();
      const strict = await runPeerConformance({ host: "127.0.0.1", port: peer.port, servername: POOL, store: st, timeoutMs: 3000 });
      checkShape(strict);
      const ts = item(strict, "certificate-trust");
      assert.equal(ts.status, "fail");
      assert.match(ts.advice!, /the strict revocation policy refuses that: import a current CRL .* or set the default policy, which accepts it with a warning \(`gwsdk cert crl policy default`\)/);
    } finally {
      await peer.close();
    }
  });

  test("CLI: usage errors exit 2; HOST:PORT forms", async () => {
    for (const argv of [["peer"], ["peer", "h:1"], ["peer", "h:1", "--store", "d"], ["peer", "h:99999", "--store", "d", "--servername", "x"], ["peer", "h:1", "--store", "d", "--servername", "x", "--to", "1"], ["peer", "h:1", "--store", "d", "--servername", "x", "--timeout", "abc"]]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, argv.join(" "));
    }
    assert.deepEqual(parseHostPort("ms.contoso.com"), { host: "ms.contoso.com", port: 5067 });
    assert.deepEqual(parseHostPort("10.0.0.5:5068"), { host: "10.0.0.5", port: 5068 });
    assert.deepEqual(parseHostPort("[::1]:5067"), { host: "::1", port: 5067 });
    assert.equal(redactCrypto("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1"), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<key>|2^31|1:1");
  });

  after(() => undefined);
});
