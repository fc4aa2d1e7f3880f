// SIP and media over mutual TLS with Node's tls (OpenSSL): the Mediation simulator listens with
// requestCert + rejectUnauthorized, the gateway connects with its client certificate through the
// injected connection factory; and the other way round (the pool member calls the gateway's own
// TLS listener). Certificates are made here (RSA 2048, SHA-256, one test CA) with node-forge.
import { test } from "node:test";
import assert from "node:assert/strict";
import tls from "node:tls";
import { once } from "node:events";
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";
import { SipEndpoint } from "../../../host/sip/endpoint.js";
import { SipError } from "../../../host/sip/errors.js";
import { GatewayCall } from "../../../host/media/gateway-call.js";
import { SimPstnPort, ToneSource } from "../../../host/media/pstn.js";
import { MediationPeer } from "../../../host/sim/mediation/peer.js";
import { nodeSrtp } from "../../../host/sim/mediation/node-srtp.js";
import { sleep, until } from "./helpers.js";

interface Pair {
  key: string;
  cert: string;
}

interface Issuer {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

let serial = 1;

interface RsaKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const genRsa = () => promisify(generateKeyPair)("rsa", { modulusLength: 2048 }) as Promise<RsaKeys>;

/** A certificate for `keys`, assembled and SHA-256-signed with node-forge (RSA keys come from Node). */
function makeCert(cn: string, names: string[], keys: RsaKeys, issuer: Issuer | undefined, isCa: boolean): { pair: Pair; issuer: Issuer } {
  const key = forge.pki.privateKeyFromPem(keys.privateKey.export({ type: "pkcs1", format: "pem" }) as string) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: "spki", format: "pem" }) as string);
  cert.serialNumber = (serial++).toString(16).padStart(2, "0");
  cert.validity.notBefore = new Date(Date.now() - 60000);
  cert.validity.notAfter = new Date(Date.now() + 86400000);
  const subject = [{ name: "commonName", value: cn }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  cert.setExtensions(
    isCa
      ? [
          { name: "basicConstraints", cA: true, critical: true },
          { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: "basicConstraints", cA: false },
          { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
          { name: "extKeyUsage", serverAuth: true, clientAuth: true },
          { name: "subjectAltName", altNames: names.map((n) => ({ type: 2, value: n })) },
        ],
  );
  cert.sign(issuer ? issuer.key : key, forge.md.sha256.create());
  return { pair: { key: forge.pki.privateKeyToPem(key), cert: forge.pki.certificateToPem(cert) }, issuer: { cert, key } };
}

async function pki(): Promise<{ ca: string; server: Pair; client: Pair; stranger: Pair }> {
  // Three RSA keys (key generation is the slow part): the foreign CA reuses the server's key and
  // the stranger reuses the client's; what differs is the chain, which is what is tested.
  const [caKeys, serverKeys, clientKeys] = await Promise.all([genRsa(), genRsa(), genRsa()]);
  const ca = makeCert("gwsdk test CA", [], caKeys, undefined, true);
  const other = makeCert("other CA", [], serverKeys, undefined, true);
  return {
    ca: ca.pair.cert,
    server: makeCert("pool.example.com", ["pool.example.com", "ms1.pool.example.com"], serverKeys, ca.issuer, false).pair,
    client: makeCert("gw.example.com", ["gw.example.com"], clientKeys, ca.issuer, false).pair,
    stranger: makeCert("gw.example.com", ["gw.example.com"], clientKeys, other.issuer, false).pair,
  };
}

function tlsConnect(m: { host: string; port: number }, p: Pair, ca: string, servername: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: m.host, port: m.port, servername, key: p.key, cert: p.cert, ca, minVersion: "TLSv1.2" });
    s.once("secureConnect", () => {
      s.removeListener("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

async function tlsListen(p: Pair, ca: string, onSocket: (s: tls.TLSSocket) => void): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer({ key: p.key, cert: p.cert, ca, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" }, onSocket);
  server.on("tlsClientError", () => undefined);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as { port: number }).port };
}

test("mutual TLS both ways: calls with SRTP over SIP/TLS; a client with a foreign CA is refused", async () => {
  const p = await pki();
  const timers = { t1: 40, t2: 160 };
  const peer = new MediationPeer({ timers, rtcpIntervalMs: 250 });
  const peerPeerCerts: string[] = [];
  const ms = await tlsListen(p.server, p.ca, (s) => {
    peerPeerCerts.push(s.getPeerCertificate().subject.CN as string);
  });
  peer.attach(ms.server, "secureConnection");
  const gwOpts = () => ({ srtp: nodeSrtp, pstn: new SimPstnPort(new ToneSource(700)), bindAddress: "127.0.0.1", advertiseAddress: "127.0.0.1", media: { rtcpIntervalMs: 250 } });
  const gw = new SipEndpoint({
    local: { host: "gw.example.com", port: 5067 },
    pool: { fqdn: "pool.example.com", members: [{ host: "127.0.0.1", port: ms.port }] },
    connect: (m) => tlsConnect(m, p.client, p.ca, "pool.example.com"),
    timers,
    health: false,
  });
  const gwCalls: GatewayCall[] = [];
  gw.on("invite", (inc) => void GatewayCall.answer(inc, gwOpts()).then((c) => gwCalls.push(c)));
  const gl = await tlsListen(p.client, p.ca, (s) => gw.accept(s));
  const peerOut = new MediationPeer({ timers, rtcpIntervalMs: 250, gateway: { host: "127.0.0.1", port: gl.port }, connect: (m) => tlsConnect(m, p.server, p.ca, "gw.example.com") });
  const stranger = new SipEndpoint({
    local: { host: "gw.example.com", port: 5067 },
    pool: { members: [{ host: "127.0.0.1", port: ms.port }] },
    connect: (m) => tlsConnect(m, p.stranger, p.ca, "pool.example.com"),
    timers,
    health: false,
  });
  try {
    // gateway → pool over MTLS
    const call = await GatewayCall.place(gw, { to: "+14255550100", from: "+12065550100" }, gwOpts());
    assert.deepEqual(peerPeerCerts, ["gw.example.com"], "the pool saw the gateway's client certificate");
    assert.match(call.sip.dialog!.remoteTarget, /transport=tls/);
    await sleep(500);
    assert.ok(call.stats().rtpReceived >= 15 && call.stats().rtcpReceived >= 1);
    await call.hangup();
    // pool → gateway's own TLS listener
    const pc = await peerOut.call("+14255550100", "+12065550100");
    await until(() => gwCalls.length === 1);
    await sleep(300);
    assert.ok(gwCalls[0]!.stats().rtpReceived >= 8);
    await pc.hangup();
    // a client whose certificate chains to another CA is refused by the pool
    const bad = stranger.invite({ to: "+1", from: "+2", body: "v=0\r\n" });
    await assert.rejects(bad.result, (e: unknown) => e instanceof SipError && e.code === "ERR_SIP_NO_MEMBER");
  } finally {
    await stranger.close();
    await peerOut.close();
    await gw.close();
    await peer.close();
    ms.server.close();
    gl.server.close();
  }
});
