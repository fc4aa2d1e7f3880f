// Real TLS connections between Node's TLS (OpenSSL) client and server, with mutual authentication,
// captured on the wire through a TCP proxy. The core replays both directions as a passive observer:
// with the secrets from OpenSSL's key log it must open every record OpenSSL wrote, reproduce the
// transcript hash, verify both Finished messages with its own key schedule (TLS 1.3: finished_key
// from the handshake traffic secrets; TLS 1.2: PRF over the master secret), and derive the same
// exporter output as OpenSSL's SSL_export_keying_material. The ECDHE secret is not observable, so the
// Extract steps before the traffic secrets are covered by RFC 8448 instead.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";
import {
  TlsRecordLayer, TlsTranscript, TlsSecret, Tls12KeySchedule, ContentType, cipherSuite, tls13VerifyFinished, tls13Finished,
  tls13ExportKeyingMaterial, type Core, type TlsCipherSuite, type TlsRecord,
} from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";

interface Capture {
  c2s: Buffer[];
  s2c: Buffer[];
  keylog: Map<string, Buffer>;
  clientRandom: Buffer;
  exported: Buffer;
  clientGot: string;
  serverGot: string;
}

const LABEL = "EXPORTER-gwsdk-record-test";
const CONTEXT = Buffer.from("context value");
let pem: { key: string; cert: string };

before(async () => {
  // An RSA 2048 self-signed certificate (the usual Mediation Server key type), used by both ends.
  const { privateKey, publicKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const key = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }) as string);
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 86400e3);
  cert.validity.notAfter = new Date(Date.now() + 86400e3);
  const name = [{ name: "commonName", value: "gateway.example.test" }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(key), forge.md.sha256.create());
  pem = { key, cert: forge.pki.certificateToPem(cert) };
});

/** One connection: the client sends a line, the server answers, both close. Mutual TLS. */
async function capture(version: "TLSv1.2" | "TLSv1.3", suite: TlsCipherSuite): Promise<Capture> {
  const cap: Capture = { c2s: [], s2c: [], keylog: new Map(), clientRandom: Buffer.alloc(0), exported: Buffer.alloc(0), clientGot: "", serverGot: "" };
  const opensslName = version === "TLSv1.3" ? suite.name : suite.name === "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" ? "ECDHE-RSA-AES128-GCM-SHA256" : "ECDHE-RSA-AES256-GCM-SHA384";
  // Node's `ciphers` takes TLS 1.3 suite names too (it splits them out for OpenSSL).
  const common = { minVersion: version, maxVersion: version, ciphers: opensslName } as const;
  const onKeylog = (line: Buffer) => {
    const [label, cr, secret] = line.toString("latin1").trim().split(" ");
    cap.keylog.set(label!, Buffer.from(secret!, "hex"));
    cap.clientRandom = Buffer.from(cr!, "hex");
  };
  const server = tls.createServer({ ...common, key: pem.key, cert: pem.cert, requestCert: true, rejectUnauthorized: false }, (s) => {
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      cap.serverGot += d;
      if (cap.serverGot.endsWith("\n")) s.end("OPTIONS sip:gateway SIP/2.0 200 OK\r\n");
    });
    s.on("error", () => {});
  });
  server.on("keylog", onKeylog);
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const proxy = net.createServer((down) => {
    const up = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    down.on("data", (d) => { cap.c2s.push(d); up.write(d); });
    up.on("data", (d) => { cap.s2c.push(d); down.write(d); });
    down.on("end", () => up.end());
    up.on("end", () => down.end());
    down.on("error", () => up.destroy());
    up.on("error", () => down.destroy());
  });
  await new Promise<void>((res) => proxy.listen(0, "127.0.0.1", res));
  await new Promise<void>((res, rej) => {
    const c = tls.connect({ ...common, port: (proxy.address() as net.AddressInfo).port, host: "127.0.0.1", rejectUnauthorized: false, key: pem.key, cert: pem.cert, servername: "mediation.example.test" }, () => {
      cap.exported = c.exportKeyingMaterial(32, LABEL, CONTEXT);
      c.write("OPTIONS sip:mediation SIP/2.0\r\n");
    });
    c.setEncoding("utf8");
    c.on("data", (d: string) => { cap.clientGot += d; });
    c.on("end", () => c.end());
    c.on("close", () => res());
    c.on("error", rej);
  });
  await new Promise<void>((res) => setTimeout(res, 20)); // let the proxy forward the last bytes
  await new Promise<void>((res) => proxy.close(() => res()));
  await new Promise<void>((res) => server.close(() => res()));
  return cap;
}

/** Pulls records from a captured stream one TCP chunk at a time. */
class Observer {
  readonly rl: TlsRecordLayer;
  #chunks: Buffer[];
  #hs = Buffer.alloc(0);
  readonly appData: Buffer[] = [];
  readonly alerts: string[] = [];
  constructor(core: Core, chunks: Buffer[]) {
    this.rl = TlsRecordLayer.create(core);
    this.#chunks = [...chunks];
  }
  private next(): TlsRecord | null {
    for (;;) {
      const r = this.rl.readRecord();
      if (r) return r;
      const c = this.#chunks.shift();
      if (!c) return null;
      this.rl.feed(c);
    }
  }
  /** The next complete handshake message (type, uint24 length, body), collecting other records on the way. */
  message(): Buffer | null {
    for (;;) {
      if (this.#hs.length >= 4) {
        const len = this.#hs.readUIntBE(1, 3);
        if (this.#hs.length >= 4 + len) {
          const m = this.#hs.subarray(0, 4 + len);
          this.#hs = this.#hs.subarray(4 + len);
          return Buffer.from(m);
        }
      }
      const r = this.next();
      if (!r) return null;
      if (r.type === ContentType.handshake) this.#hs = Buffer.concat([this.#hs, r.data]);
      else this.other(r);
    }
  }
  /** Everything left: application data and alerts. */
  drain(): void {
    for (let r = this.next(); r; r = this.next()) {
      if (r.type === ContentType.handshake) this.#hs = Buffer.concat([this.#hs, r.data]);
      else this.other(r);
    }
  }
  changeCipherSpecs = 0;
  private other(r: TlsRecord): void {
    if (r.type === ContentType.applicationData) this.appData.push(Buffer.from(r.data));
    else if (r.type === ContentType.alert) this.alerts.push(toHex(r.data));
    else if (r.type === ContentType.changeCipherSpec) this.changeCipherSpecs++;
  }
  /** Reads until the next change_cipher_spec (TLS 1.2), keeping handshake messages for message(). */
  untilChangeCipherSpec(): void {
    const start = this.changeCipherSpecs;
    while (this.changeCipherSpecs === start) {
      const r = this.next();
      assert.ok(r, "stream ended before change_cipher_spec");
      if (r.type === ContentType.handshake) this.#hs = Buffer.concat([this.#hs, r.data]);
      else this.other(r);
    }
  }
  get pendingHandshake(): number {
    return this.#hs.length;
  }
}

const secret = (core: Core, cap: Capture, label: string, hash: "sha256" | "sha384") => {
  const s = cap.keylog.get(label);
  assert.ok(s, `OpenSSL logged ${label}`);
  return TlsSecret.import(core, s, hash);
};

for (const variant of VARIANTS) {
  for (const suiteName of ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]) {
    test(`${variant}: TLS 1.3 ${suiteName} with mutual auth, OpenSSL on both ends: every record, both Finished, exporter`, async () => {
      const core = await shippedCore(variant);
      const suite = cipherSuite(suiteName)!;
      const cap = await capture("TLSv1.3", suite);
      assert.equal(cap.serverGot, "OPTIONS sip:mediation SIP/2.0\r\n");
      const h = suite.hash;
      const [chts, shts, cats, sats, ems] = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"].map((l) => secret(core, cap, l, h));
      const t = TlsTranscript.create(core);
      const c2s = new Observer(core, cap.c2s);
      const s2c = new Observer(core, cap.s2c);

      const ch = c2s.message()!;
      assert.equal(ch[0], 1, "ClientHello");
      assert.equal(toHex(ch.subarray(6, 38)), toHex(cap.clientRandom));
      t.update(ch);
      c2s.rl.setVersion("1.3");
      c2s.rl.allowCompatibilityChangeCipherSpec(true);
      c2s.rl.installTls13("read", suite, chts!);

      const sh = s2c.message()!;
      assert.equal(sh[0], 2, "ServerHello");
      assert.equal(sh.readUInt16BE(39 + sh[38]!), suite.id, "the negotiated suite");
      t.update(sh);
      t.select(h);
      s2c.rl.setVersion("1.3");
      s2c.rl.allowCompatibilityChangeCipherSpec(true);
      s2c.rl.installTls13("read", suite, shts!);
      const serverTypes: number[] = [];
      for (;;) {
        const m = s2c.message()!;
        serverTypes.push(m[0]!);
        if (m[0] === 20) {
          assert.equal(toHex(tls13Finished(core, h, shts!, t)), toHex(m.subarray(4)), "our server Finished equals OpenSSL's");
          tls13VerifyFinished(core, h, shts!, t, m.subarray(4));
          t.update(m);
          break;
        }
        t.update(m);
      }
      assert.deepEqual(serverTypes, [8, 13, 11, 15, 20], "EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify, Finished");
      s2c.rl.allowCompatibilityChangeCipherSpec(false);
      s2c.rl.installTls13("read", suite, sats!);

      const clientTypes: number[] = [];
      for (;;) {
        const m = c2s.message()!;
        clientTypes.push(m[0]!);
        if (m[0] === 20) {
          assert.equal(toHex(tls13Finished(core, h, chts!, t)), toHex(m.subarray(4)), "our client Finished equals OpenSSL's");
          tls13VerifyFinished(core, h, chts!, t, m.subarray(4));
          t.update(m);
          break;
        }
        t.update(m);
      }
      assert.deepEqual(clientTypes, [11, 15, 20], "client Certificate, CertificateVerify, Finished");
      c2s.rl.allowCompatibilityChangeCipherSpec(false);
      c2s.rl.installTls13("read", suite, cats!);

      c2s.drain();
      s2c.drain();
      assert.equal(Buffer.concat(c2s.appData).toString(), "OPTIONS sip:mediation SIP/2.0\r\n");
      assert.equal(Buffer.concat(s2c.appData).toString(), cap.clientGot);
      assert.deepEqual(s2c.alerts, ["0100"], "close_notify from the server");
      assert.equal(s2c.rl.readClosed, true);
      assert.ok(s2c.rl.sequence("read") >= 2n, "NewSessionTicket(s) and data under the application key");
      assert.equal(toHex(tls13ExportKeyingMaterial(core, h, ems!, LABEL, CONTEXT, 32)), toHex(cap.exported), "TLS-Exporter equals OpenSSL's");

      for (const x of [chts, shts, cats, sats, ems]) x!.destroy();
      t.destroy();
      c2s.rl.destroy();
      s2c.rl.destroy();
    });
  }

  for (const suiteName of ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]) {
    test(`${variant}: TLS 1.2 ${suiteName} with mutual auth, OpenSSL on both ends: key block, every record, both Finished, exporter`, async () => {
      const core = await shippedCore(variant);
      const suite = cipherSuite(suiteName)!;
      const cap = await capture("TLSv1.2", suite);
      assert.equal(cap.serverGot, "OPTIONS sip:mediation SIP/2.0\r\n");
      const master = cap.keylog.get("CLIENT_RANDOM");
      assert.ok(master && master.length === 48, "OpenSSL logged the master secret");
      const t = TlsTranscript.create(core); // both hashes until ServerHello names the suite
      const c2s = new Observer(core, cap.c2s);
      const s2c = new Observer(core, cap.s2c);

      const ch = c2s.message()!;
      t.update(ch);
      c2s.rl.setVersion("1.2");
      const sh = s2c.message()!;
      assert.equal(sh[0], 2);
      const serverRandom = sh.subarray(6, 38);
      const sidLen = sh[38]!;
      assert.equal(sh.readUInt16BE(39 + sidLen), suite.id, "the negotiated suite");
      const ems = sh.includes(Buffer.from([0x00, 0x17, 0x00, 0x00]));
      assert.ok(ems, "OpenSSL negotiates extended_master_secret");
      t.update(sh);
      t.select(suite.hash);
      s2c.rl.setVersion("1.2");
      const ks = Tls12KeySchedule.fromMaster(core, { hash: suite.hash, masterSecret: master, clientRandom: cap.clientRandom, serverRandom });

      const serverFlight: number[] = [];
      for (let m = s2c.message()!; ; m = s2c.message()!) {
        serverFlight.push(m[0]!);
        t.update(m);
        if (m[0] === 14) break; // ServerHelloDone
      }
      assert.deepEqual(serverFlight, [11, 12, 13, 14], "Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone");

      const clientFlight: number[] = [];
      for (let i = 0; i < 3; i++) {
        const m = c2s.message()!;
        clientFlight.push(m[0]!);
        t.update(m);
      }
      assert.deepEqual(clientFlight, [11, 16, 15], "Certificate, ClientKeyExchange, CertificateVerify");
      c2s.untilChangeCipherSpec();
      c2s.rl.installTls12("read", suite, ks, "client");
      const cfin = c2s.message()!;
      assert.equal(cfin[0], 20);
      assert.equal(toHex(ks.finished("client", t)), toHex(cfin.subarray(4)), "our client verify_data equals OpenSSL's");
      ks.verifyFinished("client", t, cfin.subarray(4));
      t.update(cfin);

      // the server may send NewSessionTicket before its ChangeCipherSpec: it is part of the Finished hash
      s2c.untilChangeCipherSpec();
      while (s2c.pendingHandshake > 0) t.update(s2c.message()!);
      s2c.rl.installTls12("read", suite, ks, "server");
      const sfin = s2c.message()!;
      assert.equal(sfin[0], 20);
      assert.equal(toHex(ks.finished("server", t)), toHex(sfin.subarray(4)), "our server verify_data equals OpenSSL's");
      ks.verifyFinished("server", t, sfin.subarray(4));

      c2s.drain();
      s2c.drain();
      assert.equal(Buffer.concat(c2s.appData).toString(), "OPTIONS sip:mediation SIP/2.0\r\n");
      assert.equal(Buffer.concat(s2c.appData).toString(), cap.clientGot);
      assert.ok(s2c.alerts.includes("0100"), "close_notify");
      assert.equal(toHex(ks.exportKeyingMaterial(LABEL, CONTEXT, 32)), toHex(cap.exported), "RFC 5705 exporter equals OpenSSL's");

      ks.destroy();
      t.destroy();
      c2s.rl.destroy();
      s2c.rl.destroy();
    });
  }
}

