// Refusals, each with its own error code on our side and the alert its TLS version prescribes, as
// the independent peer (Node's tls = OpenSSL 3) reports receiving it: untrusted CA, expired,
// revoked, wrong name, wrong EKU, unset clock, missing client certificate, peer not in the allowed
// list, TLS 1.1-only peers, weak suites only, no common group, bad CertificateVerify / key-exchange
// signatures, tampered Finished, a stripped extended_master_secret, and the downgrade sentinel.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import tls from "node:tls";
import { connectMtls, type ConnectMtlsOptions } from "../../../host/tls/connect-mtls.js";
import { createMtlsServer, type CreateMtlsServerOptions, type MtlsServer } from "../../../host/tls/mtls-server.js";
import type { MtlsSocket } from "../../../host/tls/mtls-socket.js";
import { TlsAlertError, TlsError } from "../../../host/tls/errors.js";
import { TlsHandshakeError } from "../../../host/tls/mtls-errors.js";
import { HandshakeType, ExtensionType } from "../../../host/tls/handshake/constants.js";
import { decodeServerHello, encodeServerHello } from "../../../host/tls/handshake/messages.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, keyPem, nodeTlsOptions, tlsPki, type TlsIdentityFiles, type TlsPki } from "../../helpers/tls-pki.js";
import { requireCommand } from "../../helpers/system.js";
import { nodeClientFailure, nodeEchoServer, receivedAlert, recordProxy, within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const VERSIONS = ["TLSv1.3", "TLSv1.2"] as const;
type Version = (typeof VERSIONS)[number];

let pki: TlsPki;
let store: CertStore;
let noCrlStore: CertStore;
let strictNoCrlStore: CertStore;

before(async () => {
  if (sys.skip) return;
  pki = tlsPki("p256");
  store = (await gatewayStore(pki)).store;
  noCrlStore = (await gatewayStore(pki, { crls: false })).store;
  strictNoCrlStore = (await gatewayStore(pki, { crls: false })).store;
  await strictNoCrlStore.setRevocationPolicy("strict");
});
after(() => {
  store?.close();
  noCrlStore?.close();
  strictNoCrlStore?.close();
});

/**
 * Our client's failure: the handshake's rejection, or, when the handshake completed on our side
 * first (TLS 1.3 client; TLS 1.2 server), the error the connection then reports.
 */
async function clientOutcome(p: Promise<MtlsSocket>): Promise<TlsError> {
  let s: MtlsSocket;
  try {
    s = await p;
  } catch (e) {
    return e as TlsError;
  }
  return within(
    new Promise<TlsError>((resolve, reject) => {
      s.once("error", (e) => resolve(e as TlsError));
      s.once("close", () => setImmediate(() => reject(new Error("the handshake succeeded and the connection closed cleanly"))));
      s.resume();
      s.write("x");
    }),
    5000,
    "an error after our client's handshake",
  );
}

/** Our server's failure: tlsClientError, or an error on a connection whose handshake completed on our side. */
function serverOutcome(srv: MtlsServer): Promise<TlsError> {
  return within(
    new Promise<TlsError>((resolve) => {
      srv.once("tlsClientError", resolve);
      srv.once("secureConnection", (s: MtlsSocket) => {
        s.once("error", (e) => resolve(e as TlsError));
        s.resume();
      });
    }),
    5000,
    "our server's error",
  );
}

/** Our client against a Node server presenting `id`; returns our error and the Node server's. */
async function ourClientRefused(version: Version, id: TlsIdentityFiles, o: Partial<ConnectMtlsOptions> = {}, serverOpts: tls.TlsOptions = {}) {
  const peer = await nodeEchoServer({
    key: keyPem(id), cert: id.chainPem, ca: [pki.rootPem], requestCert: true, rejectUnauthorized: true, minVersion: version, maxVersion: version, ...serverOpts,
  });
  try {
    const ours = await clientOutcome(connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store, ...o }));
    const theirs = await within(peer.nextError(), 5000, "the Node server's error");
    return { ours, theirs };
  } finally {
    await peer.close();
  }
}

function assertRefusal(e: TlsError, code: string, alert: string): void {
  assert.ok(e instanceof TlsError, `a TlsError, not ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.ok(e instanceof TlsHandshakeError, "a refusal of ours carries the alert we sent");
  assert.equal(e.alert, alert);
  assert.ok(e.message.length > 20);
}

function assertReceived(e: TlsError, alert: string): void {
  assert.ok(e instanceof TlsAlertError, `a TlsAlertError, not ${e?.constructor?.name}: ${e?.message}`);
  assert.equal(e.code, "ERR_TLS_ALERT");
  assert.equal(e.direction, "received");
  assert.equal(e.alert, alert);
}

describe("our client refuses the Mediation Server's certificate", { skip: sys.skip, concurrency: 4 }, () => {
  for (const version of VERSIONS) {
    const cases: [string, () => TlsIdentityFiles, string, string, Partial<ConnectMtlsOptions>?][] = [
      ["issued by an untrusted CA", () => pki.untrusted, "ERR_TLS_CERT_UNTRUSTED", "unknown_ca"],
      ["expired", () => pki.expired, "ERR_TLS_CERT_EXPIRED", "certificate_expired"],
      ["revoked (on the issuing CA's CRL)", () => pki.revoked, "ERR_TLS_CERT_REVOKED", "certificate_revoked"],
      ["for another name", () => pki.wrongName, "ERR_TLS_CERT_NAME", "bad_certificate"],
      ["without serverAuth", () => pki.clientOnly, "ERR_TLS_CERT_EKU", "unsupported_certificate"],
      ["checked with an unset clock (before the SDK build date)", () => pki.pool, "ERR_TLS_CLOCK", "certificate_unknown", { now: () => new Date("2021-03-01T00:00:00Z") }],
      ["checked with strict revocation and no CRL", () => pki.pool, "ERR_TLS_CERT_REVOCATION_UNKNOWN", "certificate_unknown"],
    ];
    for (const [what, id, code, alert, extra] of cases) {
      test(`${version}: a certificate ${what} → ${code}, ${alert}`, async () => {
        const o = code === "ERR_TLS_CERT_REVOCATION_UNKNOWN" ? { store: strictNoCrlStore } : (extra ?? {});
        const { ours, theirs } = await ourClientRefused(version, id(), o);
        assertRefusal(ours, code, alert);
        assert.equal(receivedAlert(theirs), alert, `Node server: ${theirs.code} ${theirs.message}`);
      });
    }
    test(`${version}: a pool member name is accepted, a name outside the certificate is not`, async () => {
      const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, minVersion: version, maxVersion: version });
      try {
        const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL_MEMBERS[1]!, store });
        assert.equal(s.peerChain[0]!.subject, `CN=${POOL}`);
        s.destroy();
        await assert.rejects(connectMtls({ host: "127.0.0.1", port: peer.port, servername: "ms3.contoso.com", store }), (e: TlsHandshakeError) => {
          assertRefusal(e, "ERR_TLS_CERT_NAME", "bad_certificate");
          assert.match(e.message, /ms3\.contoso\.com/);
          return true;
        });
      } finally {
        await peer.close();
      }
    });
  }

  test("beforeClockSet \"warn\" (board time.beforeClockSet): an unset clock is a warning, validity is checked as of the build date", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true });
    try {
      const o = { host: "127.0.0.1", port: peer.port, servername: POOL, store, now: () => new Date("2021-03-01T00:00:00Z") };
      // the test certificates were made a day ago, after the build date: as of the build date they are not valid yet
      await assert.rejects(connectMtls({ ...o, beforeClockSet: "warn", buildDate: new Date(Date.now() - 30 * 86400_000) }), { code: "ERR_TLS_CERT_NOT_YET_VALID" });
      const s = await connectMtls({ ...o, beforeClockSet: "warn", buildDate: new Date(Date.now() - 3600_000) });
      assert.equal(s.warnings[0]!.reason, "clock");
      s.destroy();
      await assert.rejects(connectMtls(o), { code: "ERR_TLS_CLOCK" });
    } finally {
      await peer.close();
    }
  });

  test("a missing CRL is only a warning under the default policy", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true });
    try {
      const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store: noCrlStore });
      assert.ok(s.warnings.some((w) => w.reason === "crlMissing"), JSON.stringify(s.warnings));
      s.destroy();
    } finally {
      await peer.close();
    }
  });
});

describe("our server refuses the Mediation Server as a client", { skip: sys.skip }, () => {
  let server: MtlsServer;
  let strict: MtlsServer;
  const ports: Record<string, number> = {};

  async function listen(o: Partial<CreateMtlsServerOptions>): Promise<MtlsServer> {
    const s = createMtlsServer({ store, allowedPeers: POOL_MEMBERS, ...o }, (sock: MtlsSocket) => {
      sock.on("data", (d) => sock.write(d));
      sock.on("error", () => undefined); // peers reset connections at the end of tests
    });
    s.listen(0, "127.0.0.1");
    await once(s, "listening");
    return s;
  }
  before(async () => {
    if (sys.skip) return;
    server = await listen({});
    strict = await listen({ policy: { profile: "strict" } });
    ports.default = (server.address() as { port: number }).port;
    ports.strict = (strict.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((r) => server?.close(() => r(), true) ?? r());
    await new Promise<void>((r) => strict?.close(() => r(), true) ?? r());
  });

  /** A Node client against one of our servers; returns our tlsClientError and the Node client's error. */
  async function refused(srv: "default" | "strict", opts: tls.ConnectionOptions) {
    const target = srv === "default" ? server : strict;
    const oursP = within(once(target, "tlsClientError") as Promise<[TlsError]>, 10_000, "our tlsClientError");
    const c = tls.connect({ host: "127.0.0.1", port: ports[srv]!, servername: GATEWAY, ca: [pki.rootPem], ...opts });
    const theirs = await nodeClientFailure(c);
    c.destroy();
    const [ours] = await oursP;
    return { ours, theirs };
  }

  const identity = (id: () => TlsIdentityFiles) => () => ({ key: keyPem(id()), cert: id().chainPem });
  for (const version of VERSIONS) {
    const cases: [string, "default" | "strict", () => tls.ConnectionOptions, string, string][] = [
      ["no client certificate", "default", () => ({}), "ERR_TLS_NO_CLIENT_CERT", version === "TLSv1.3" ? "certificate_required" : "handshake_failure"],
      ["a certificate from an untrusted CA", "default", identity(() => pki.untrusted), "ERR_TLS_CERT_UNTRUSTED", "unknown_ca"],
      ["an expired certificate", "default", identity(() => pki.expired), "ERR_TLS_CERT_EXPIRED", "certificate_expired"],
      ["a revoked certificate", "default", identity(() => pki.revoked), "ERR_TLS_CERT_REVOKED", "certificate_revoked"],
      ["a server not in the allowed peers (topology)", "default", identity(() => pki.wrongName), "ERR_TLS_PEER_NOT_ALLOWED", "access_denied"],
      ["a serverAuth-only certificate under the strict profile", "strict", identity(() => pki.pool), "ERR_TLS_CERT_EKU", "unsupported_certificate"],
    ];
    for (const [what, srv, opts, code, alert] of cases) {
      test(`${version}: ${what} → ${code}, ${alert}`, async () => {
        const { ours, theirs } = await refused(srv, { ...opts(), minVersion: version, maxVersion: version });
        assertRefusal(ours, code, alert);
        assert.equal(receivedAlert(theirs), alert, `Node client: ${theirs.code} ${theirs.message}`);
      });
    }
  }

  test("the sfb profile accepts the serverAuth-only pool certificate; a clientAuth-only one too", async () => {
    for (const id of [pki.pool, pki.clientOnly]) {
      const c = tls.connect({ host: "127.0.0.1", port: ports.default!, servername: GATEWAY, ca: [pki.rootPem], key: keyPem(id), cert: id.chainPem });
      await within(once(c, "secureConnect"), 5000, "handshake");
      c.write("ok");
      const [d] = await within(once(c, "data"), 5000, "echo");
      assert.equal(String(d), "ok");
      c.destroy();
    }
  });

  test("TLS 1.1-only client (OpenSSL 3 needs @SECLEVEL=0 for it) → ERR_TLS_PROTOCOL_VERSION, protocol_version", async () => {
    const { ours, theirs } = await refused("default", { ...nodeTlsOptions(pki), minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" });
    assertRefusal(ours, "ERR_TLS_PROTOCOL_VERSION", "protocol_version");
    assert.match(ours.message, /TLS 1\.1/);
    assert.equal(receivedAlert(theirs), "protocol_version", `${theirs.code} ${theirs.message}`);
  });

  for (const [ciphers, why] of [
    ["AES128-GCM-SHA256:AES256-SHA256", "static RSA key exchange"],
    ["ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA", "CBC (legacyCbc is off and not available)"],
  ] as const) {
    test(`TLS 1.2 client offering only ${why} → ERR_TLS_NO_SHARED_SUITE, handshake_failure`, async () => {
      const { ours, theirs } = await refused("default", { ...nodeTlsOptions(pki), maxVersion: "TLSv1.2", ciphers });
      assertRefusal(ours, "ERR_TLS_NO_SHARED_SUITE", "handshake_failure");
      assert.equal(receivedAlert(theirs), "handshake_failure", `${theirs.code} ${theirs.message}`);
    });
  }

  test("FIPS mode: a TLS 1.3 client supporting x25519 only → ERR_TLS_NO_SHARED_GROUP, handshake_failure", async () => {
    const fips = await listen({ policy: { fips: true } });
    try {
      const port = (fips.address() as { port: number }).port;
      const oursP = within(once(fips, "tlsClientError") as Promise<[TlsError]>, 10_000, "our tlsClientError");
      const c = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port, servername: GATEWAY, minVersion: "TLSv1.3", ecdhCurve: "X25519" });
      const theirs = await nodeClientFailure(c);
      const [ours] = await oursP;
      assertRefusal(ours, "ERR_TLS_NO_SHARED_GROUP", "handshake_failure");
      assert.equal(receivedAlert(theirs), "handshake_failure");
      // ... and with P-256 allowed after x25519, FIPS mode asks for it with a HelloRetryRequest
      const secure = once(fips, "secureConnection") as Promise<[MtlsSocket]>;
      const ok = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port, servername: GATEWAY, minVersion: "TLSv1.3", ecdhCurve: "X25519:P-256" });
      await within(once(ok, "secureConnect"), 5000, "FIPS handshake");
      const [s] = await secure;
      assert.equal(s.group, "secp256r1");
      assert.equal(s.helloRetryRequest, true);
      ok.destroy();
    } finally {
      await new Promise<void>((r) => fips.close(() => r(), true));
    }
  });
});

describe("tampering: signatures, Finished, extensions, downgrade", { skip: sys.skip, concurrency: 2 }, () => {
  /** Flips one bit in the last byte of a handshake message of `type` (the end of its signature or verify_data). */
  const corrupt = (type: number) => (t: number, raw: Uint8Array) => {
    if (t !== type) return raw;
    const m = raw.slice();
    m[m.length - 1]! ^= 0x01;
    return m;
  };

  for (const version of VERSIONS) {
    // OpenSSL reports what it detected, and sends decrypt_error (RFC 8446 §6.2, RFC 5246 §7.2.2)
    for (const [what, type, nodeCode] of [
      ["CertificateVerify signature", HandshakeType.certificate_verify, "ERR_SSL_BAD_SIGNATURE"],
      ["Finished", HandshakeType.finished, "ERR_SSL_DIGEST_CHECK_FAILED"],
    ] as const) {
      test(`${version}: our ${what} tampered → the Node server detects it (${nodeCode}) and sends decrypt_error`, async () => {
        const { ours, theirs } = await ourClientRefused(version, pki.pool, { testHooks: { mutateOutgoing: corrupt(type) } });
        assertReceived(ours, "decrypt_error");
        assert.equal(theirs.code, nodeCode, theirs.message);
      });
    }

    for (const [what, type, code] of [
      ["handshake signature", HandshakeType.certificate_verify, "ERR_TLS_BAD_SIGNATURE"],
      ["Finished", HandshakeType.finished, "ERR_TLS_BAD_FINISHED"],
    ] as const) {
      for (const tamperer of ["client", "server"] as const) {
        // a TLS 1.2 server signs its ServerKeyExchange, not a CertificateVerify
        const t = type === HandshakeType.certificate_verify && tamperer === "server" && version === "TLSv1.2" ? HandshakeType.server_key_exchange : type;
        test(`${version}: our ${tamperer}'s ${what} tampered → our ${tamperer === "client" ? "server" : "client"} refuses: ${code}, decrypt_error`, async () => {
          const hooks = { testHooks: { mutateOutgoing: corrupt(t) } };
          const srv = createMtlsServer({ store, allowedPeers: [GATEWAY], policy: { versions: [version] }, ...(tamperer === "server" ? hooks : {}) });
          srv.listen(0, "127.0.0.1");
          await once(srv, "listening");
          const port = (srv.address() as { port: number }).port;
          try {
            const serverSide = serverOutcome(srv);
            const clientSide = await clientOutcome(connectMtls({ host: "127.0.0.1", port, servername: GATEWAY, store, ...(tamperer === "client" ? hooks : {}) }));
            const detector = tamperer === "client" ? await serverSide : clientSide;
            const victim = tamperer === "client" ? clientSide : await serverSide;
            assertRefusal(detector, code, "decrypt_error");
            assertReceived(victim, "decrypt_error");
          } finally {
            await new Promise<void>((r) => srv.close(() => r(), true));
          }
        });
      }
    }
  }

  test("TLS 1.2: a man in the middle alters the Node client's CertificateVerify → our server: ERR_TLS_BAD_SIGNATURE, decrypt_error", async () => {
    const srv = createMtlsServer({ store, allowedPeers: POOL_MEMBERS });
    srv.listen(0, "127.0.0.1");
    await once(srv, "listening");
    const proxy = await recordProxy((srv.address() as { port: number }).port, {
      toServer: (rec) => {
        // TLS 1.2 CertificateVerify travels in the clear: flip the last byte of the signature
        if (rec[0] === 22 && rec[5] === HandshakeType.certificate_verify) rec[rec.length - 1]! ^= 0x80;
        return rec;
      },
    });
    try {
      const oursP = once(srv, "tlsClientError") as Promise<[TlsError]>;
      const c = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port: proxy.port, servername: GATEWAY, maxVersion: "TLSv1.2" });
      const theirs = await nodeClientFailure(c);
      const [ours] = await within(oursP, 5000, "our error");
      assertRefusal(ours, "ERR_TLS_BAD_SIGNATURE", "decrypt_error");
      assert.equal(receivedAlert(theirs), "decrypt_error");
    } finally {
      await proxy.close();
      await new Promise<void>((r) => srv.close(() => r(), true));
    }
  });

  test("TLS 1.2: a man in the middle alters the Node server's ServerKeyExchange signature → our client: ERR_TLS_BAD_SIGNATURE, decrypt_error", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, maxVersion: "TLSv1.2" });
    const proxy = await recordProxy(peer.port, {
      toClient: (rec) => {
        // the server flight may share one record: find the ServerKeyExchange inside it
        if (rec[0] !== 22) return rec;
        for (let off = 5; off + 4 <= rec.length; ) {
          const len = rec.readUIntBE(off + 1, 3);
          if (rec[off] === HandshakeType.server_key_exchange) rec[off + 4 + len - 1]! ^= 0x80;
          off += 4 + len;
        }
        return rec;
      },
    });
    try {
      const ours = await connectMtls({ host: "127.0.0.1", port: proxy.port, servername: POOL, store }).then(() => assert.fail("succeeded"), (e: TlsError) => e);
      assertRefusal(ours, "ERR_TLS_BAD_SIGNATURE", "decrypt_error");
      const theirs = await within(peer.nextError(), 5000, "Node server error");
      assert.equal(receivedAlert(theirs), "decrypt_error", `${theirs.code} ${theirs.message}`);
    } finally {
      await proxy.close();
      await peer.close();
    }
  });

  test("a man in the middle strips TLS 1.3 from our offer → the OpenSSL server's downgrade sentinel: ERR_TLS_DOWNGRADE, illegal_parameter", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true });
    const proxy = await recordProxy(peer.port, {
      toServer: (rec) => {
        if (rec[0] !== 22 || rec[5] !== HandshakeType.client_hello) return rec;
        // supported_versions (0x002b) in our ClientHello: 2b 00 05 04 03 04 03 03 → replace 0304 by a GREASE value
        const i = rec.indexOf(Buffer.from("002b0005040304", "hex"));
        assert.ok(i > 0, "supported_versions found");
        rec.writeUInt16BE(0x0a0a, i + 5);
        return rec;
      },
    });
    try {
      const ours = await connectMtls({ host: "127.0.0.1", port: proxy.port, servername: POOL, store }).then(() => assert.fail("succeeded"), (e: TlsError) => e);
      assertRefusal(ours, "ERR_TLS_DOWNGRADE", "illegal_parameter");
      const theirs = await within(peer.nextError(), 5000, "Node server error");
      assert.equal(receivedAlert(theirs), "illegal_parameter", `${theirs.code} ${theirs.message}`);
    } finally {
      await proxy.close();
      await peer.close();
    }
  });

  test("TLS 1.2 without extended master secret is refused both ways (ERR_TLS_NO_EXTENDED_MASTER_SECRET, handshake_failure)", async () => {
    // server side: a man in the middle removes EMS from the Node server's ServerHello
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, maxVersion: "TLSv1.2" });
    const proxy = await recordProxy(peer.port, {
      toClient: (rec) => {
        if (rec[0] !== 22 || rec[5] !== HandshakeType.server_hello) return rec;
        const len = rec.readUIntBE(6, 3);
        const sh = decodeServerHello(rec.subarray(9, 9 + len));
        const rest = rec.subarray(9 + len);
        const msg = encodeServerHello({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret) });
        const body = Buffer.concat([msg, rest]);
        const hdr = Buffer.from([22, 3, 3, 0, 0]);
        hdr.writeUInt16BE(body.length, 3);
        return Buffer.concat([hdr, body]);
      },
    });
    try {
      const ours = await connectMtls({ host: "127.0.0.1", port: proxy.port, servername: POOL, store }).then(() => assert.fail("succeeded"), (e: TlsError) => e);
      assertRefusal(ours, "ERR_TLS_NO_EXTENDED_MASTER_SECRET", "handshake_failure");
      const theirs = await within(peer.nextError(), 5000, "Node server error");
      assert.equal(receivedAlert(theirs), "handshake_failure");
    } finally {
      await proxy.close();
      await peer.close();
    }
    // client side: a man in the middle renames EMS in the Node client's ClientHello to an unknown extension
    const srv = createMtlsServer({ store, allowedPeers: POOL_MEMBERS });
    srv.listen(0, "127.0.0.1");
    await once(srv, "listening");
    const proxy2 = await recordProxy((srv.address() as { port: number }).port, {
      toServer: (rec) => {
        if (rec[0] !== 22 || rec[5] !== HandshakeType.client_hello) return rec;
        const i = rec.indexOf(Buffer.from("00170000", "hex"));
        assert.ok(i > 0);
        rec.writeUInt16BE(0xfafa, i);
        return rec;
      },
    });
    try {
      const oursP = once(srv, "tlsClientError") as Promise<[TlsError]>;
      const c = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port: proxy2.port, servername: GATEWAY, maxVersion: "TLSv1.2" });
      const theirs = await nodeClientFailure(c);
      const [ours] = await within(oursP, 5000, "our error");
      assertRefusal(ours, "ERR_TLS_NO_EXTENDED_MASTER_SECRET", "handshake_failure");
      assert.equal(receivedAlert(theirs), "handshake_failure");
    } finally {
      await proxy2.close();
      await new Promise<void>((r) => srv.close(() => r(), true));
    }
  });
});

describe("versions and suites the other way round (our client)", { skip: sys.skip }, () => {
  test("a TLS 1.1-only server refuses our TLS 1.2/1.3 offer with protocol_version → ERR_TLS_PROTOCOL_VERSION", async () => {
    const { ours, theirs } = await ourClientRefused("TLSv1.2", pki.pool, {}, { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" });
    // OpenSSL honours our supported_versions and refuses first (our own check of a TLS 1.1
    // ServerHello is in handshake-hostile.test.ts, against a server that ignores it)
    assert.equal(ours.code, "ERR_TLS_PROTOCOL_VERSION", ours.message);
    assert.ok(ours.cause instanceof TlsAlertError && ours.cause.alert === "protocol_version" && ours.cause.direction === "received");
    assert.equal(theirs.code, "ERR_SSL_UNSUPPORTED_PROTOCOL", theirs.message);
  });

  test("a server with weak suites only: it refuses us (handshake_failure received)", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, maxVersion: "TLSv1.2", ciphers: "AES128-SHA:AES256-SHA256:ECDHE-ECDSA-AES128-SHA" });
    try {
      const ours = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store }).then(() => assert.fail("succeeded"), (e: TlsError) => e);
      assertReceived(ours, "handshake_failure");
    } finally {
      await peer.close();
    }
  });

  test("policy TLS 1.3 only against a TLS 1.2-only server → ERR_TLS_PROTOCOL_VERSION (the server refuses with protocol_version)", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, maxVersion: "TLSv1.2" });
    try {
      const ours = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store, policy: { versions: ["TLSv1.3"] } }).then(
        () => assert.fail("succeeded"),
        (e: TlsError) => e,
      );
      // OpenSSL answers a 1.3-only ClientHello with protocol_version itself
      assert.equal(ours.code, "ERR_TLS_PROTOCOL_VERSION");
      assertReceived(ours.cause as TlsError, "protocol_version");
    } finally {
      await peer.close();
    }
  });

  test("legacyCbc: true is refused as not available (ERR_TLS_CONFIG)", async () => {
    await assert.rejects(connectMtls({ host: "127.0.0.1", port: 1, servername: POOL, store, policy: { legacyCbc: true } }), { code: "ERR_TLS_CONFIG" });
  });
});
