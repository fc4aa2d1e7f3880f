// Handshake message codec: real ClientHellos from OpenSSL (Node's tls) decode and re-encode byte for
// byte; every truncation of them is a DecodeError, never another exception.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { DecodeError } from "../../../host/tls/handshake/codec.js";
import { ExtensionType, HandshakeType, ProtocolVersion, NamedGroup } from "../../../host/tls/handshake/constants.js";
import {
  decodeClientHello, encodeClientHello, splitHandshake, findExtension, ext, decodeCertificate13, encodeCertificate13,
  decodeServerHello, encodeServerHello, decodeCertificateRequest12, encodeCertificateRequest12, decodeKeyUpdate,
} from "../../../host/tls/handshake/messages.js";

/** Captures the first handshake record a Node tls client sends. */
async function captureClientHello(opts: tls.ConnectionOptions): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 5) {
          const len = buf.readUInt16BE(3);
          if (buf.length >= 5 + len) {
            resolve(new Uint8Array(buf.subarray(5, 5 + len)));
            sock.destroy();
            server.close();
          }
        }
      });
    });
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      const c = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, ...opts });
      c.on("error", () => {});
    });
    server.on("error", reject);
  });
}

test("OpenSSL's TLS 1.3 ClientHello decodes and re-encodes byte for byte", async () => {
  const hs = await captureClientHello({ servername: "ms1.contoso.com", minVersion: "TLSv1.2", maxVersion: "TLSv1.3" });
  const { messages, consumed } = splitHandshake(hs);
  assert.equal(consumed, hs.length);
  assert.equal(messages.length, 1);
  const m = messages[0]!;
  assert.equal(m.type, HandshakeType.client_hello);
  const ch = decodeClientHello(m.body);
  assert.equal(ch.legacyVersion, ProtocolVersion.TLS12);
  assert.deepEqual(encodeClientHello(ch), m.raw);
  const versions = ext.supportedVersionsClient(findExtension(ch.extensions, ExtensionType.supported_versions)!);
  assert.ok(versions.includes(ProtocolVersion.TLS13) && versions.includes(ProtocolVersion.TLS12));
  assert.equal(ext.serverName(findExtension(ch.extensions, ExtensionType.server_name)!), "ms1.contoso.com");
  const shares = ext.keyShareClient(findExtension(ch.extensions, ExtensionType.key_share)!);
  assert.ok(shares.some((s) => s.group === NamedGroup.x25519));
  const schemes = ext.u16List(findExtension(ch.extensions, ExtensionType.signature_algorithms)!, "signature_algorithms");
  assert.ok(schemes.length > 4);
});

test("every truncation and every length-byte corruption of a ClientHello is a DecodeError", async () => {
  const hs = await captureClientHello({ minVersion: "TLSv1.2", maxVersion: "TLSv1.3" });
  const body = hs.subarray(4);
  // A TLS 1.2 ClientHello may omit the extensions block entirely (RFC 5246 §7.4.1.2): cutting exactly
  // there is a valid (extension-less) hello; every other cut is a DecodeError.
  const extStart = body.length - 2 - extBlockLength(body);
  for (let n = 0; n < body.length; n++) {
    if (n === extStart) {
      assert.equal(decodeClientHello(body.subarray(0, n)).extensions.length, 0);
      continue;
    }
    assert.throws(() => decodeClientHello(body.subarray(0, n)), DecodeError, `truncated at ${n}`);
  }
  for (let i = 0; i < body.length; i++) {
    for (const delta of [1, 0x80]) {
      const c = Uint8Array.from(body);
      c[i] = (c[i]! + delta) & 0xff;
      try {
        decodeClientHello(c);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `byte ${i}: ${String(e)}`);
      }
    }
  }
});

function extBlockLength(body: Uint8Array): number {
  const ch = decodeClientHello(body);
  let n = 0;
  for (const e of ch.extensions) n += 4 + e.data.length;
  return n;
}

test("ServerHello, Certificate (1.3), CertificateRequest (1.2) and KeyUpdate round-trip", () => {
  const sh = { legacyVersion: 0x0303, random: new Uint8Array(32).fill(7), legacySessionIdEcho: new Uint8Array(32).fill(1), cipherSuite: 0x1301, compressionMethod: 0, extensions: [{ type: 43, data: ext.encodeSupportedVersionServer(0x0304) }] };
  const enc = encodeServerHello(sh);
  assert.deepEqual(decodeServerHello(enc.subarray(4)), sh);
  const cert = { context: new Uint8Array(0), entries: [{ certData: new Uint8Array(300).fill(3), extensions: [] }, { certData: Uint8Array.of(1), extensions: [{ type: 5, data: Uint8Array.of(9) }] }] };
  const ce = encodeCertificate13(cert);
  assert.deepEqual(decodeCertificate13(ce.subarray(4)), cert);
  const cr = { certificateTypes: Uint8Array.of(1, 64), signatureAlgorithms: [0x0804, 0x0403], certificateAuthorities: [Uint8Array.of(0x30, 0)] };
  assert.deepEqual(decodeCertificateRequest12(encodeCertificateRequest12(cr).subarray(4)), cr);
  assert.deepEqual(decodeKeyUpdate(Uint8Array.of(1)), { updateRequested: true });
  assert.throws(() => decodeKeyUpdate(Uint8Array.of(2)), (e: unknown) => e instanceof DecodeError && e.alert === "illegal_parameter");
  assert.throws(() => decodeKeyUpdate(Uint8Array.of(0, 0)), DecodeError);
});

test("duplicate extensions are illegal_parameter; oversized handshake messages are refused", () => {
  const dup = encodeServerHello({ legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, compressionMethod: 0, extensions: [{ type: 43, data: Uint8Array.of(3, 4) }, { type: 43, data: Uint8Array.of(3, 4) }] });
  assert.throws(() => decodeServerHello(dup.subarray(4)), (e: unknown) => e instanceof DecodeError && e.alert === "illegal_parameter");
  assert.throws(() => splitHandshake(Uint8Array.of(1, 0x10, 0, 0)), DecodeError);
  const partial = splitHandshake(Uint8Array.of(20, 0, 0, 12, 1, 2));
  assert.equal(partial.messages.length, 0);
  assert.equal(partial.consumed, 0);
});
