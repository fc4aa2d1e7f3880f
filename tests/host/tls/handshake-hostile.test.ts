// Hostile peers against our handshake, both roles: crafted hellos (SSL 2.0/3.0, TLS 1.1, a second
// HelloRetryRequest, a HelloRetryRequest that changes nothing, a suite we did not offer, a
// small-order key share), oversized and truncated messages, silence and slow bytes, and a few
// hundred seeded mutations of real flights recorded from OpenSSL. Every case must end in an
// alert (checked byte for byte where it is in the clear) and a close, within the deadline, with a
// TlsError — never another exception, never a hang — and every connection must give its arena
// memory back.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { connectMtls } from "../../../host/tls/connect-mtls.js";
import { createMtlsServer, type MtlsServer } from "../../../host/tls/mtls-server.js";
import { TlsAlertError, TlsError } from "../../../host/tls/errors.js";
import { TlsHandshakeError } from "../../../host/tls/mtls-errors.js";
import { sharedCore } from "../../../host/tls/shared-core.js";
import { ExtensionType, HELLO_RETRY_REQUEST_RANDOM, HandshakeType, NamedGroup, ProtocolVersion, CipherSuite } from "../../../host/tls/handshake/constants.js";
import { decodeClientHello, encodeServerHello, ext, findExtension, splitHandshake, type Extension } from "../../../host/tls/handshake/messages.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import type { Core } from "../../../host/core/load-core.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, nodeTlsOptions, tlsPki, type TlsPki } from "../../helpers/tls-pki.js";
import { requireCommand } from "../../helpers/system.js";
import { arenaBaseline as baselineOf, recordProxy, within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const TIMEOUT = 400; // handshakeTimeoutMs for these tests

let pki: TlsPki;
let store: CertStore;
let core: Core;
let arenaBaseline = 0;

before(async () => {
  if (sys.skip) return;
  pki = tlsPki("p256");
  store = (await gatewayStore(pki)).store;
  core = await sharedCore();
});
after(() => store?.close());

function record(type: number, body: Uint8Array, version = 0x0303): Buffer {
  const h = Buffer.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([h, body]);
}

const alertRecord = (desc: number, version = 0x0303) => record(21, Uint8Array.of(2, desc), version);

/** Reads TLS records from raw bytes (ignores a trailing partial record). */
function records(b: Buffer): { type: number; version: number; body: Buffer }[] {
  const out = [];
  let off = 0;
  while (b.length - off >= 5) {
    const len = b.readUInt16BE(off + 3);
    if (b.length - off - 5 < len) break;
    out.push({ type: b[off]!, version: b.readUInt16BE(off + 1), body: b.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  return out;
}

interface FakeConn {
  sock: net.Socket;
  /** Everything the peer sent, once it closed. */
  all: Promise<Buffer>;
}

/** A raw TCP server: `onConnect` scripts the conversation. */
async function fakeServer(onConnect: (c: FakeConn) => void | Promise<void>): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    socks.add(sock);
    const chunks: Buffer[] = [];
    const all = new Promise<Buffer>((resolve) => {
      sock.on("data", (d) => chunks.push(d));
      sock.on("close", () => resolve(Buffer.concat(chunks)));
      sock.on("error", () => undefined);
    });
    void onConnect({ sock, all });
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of socks) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** Waits for one whole ClientHello record from `sock`; returns the handshake body. */
function readClientHello(sock: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const on = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const recs = records(buf);
      const hs = recs.filter((r) => r.type === 22);
      if (hs.length) {
        sock.off("data", on);
        resolve(hs[0]!.body);
      }
    };
    sock.on("data", on);
  });
}

/** Our client against a scripted server: returns our error and the bytes we sent after the ClientHello. */
async function clientAgainst(script: (c: FakeConn, chBody: Buffer) => void | Promise<void>, o: { policy?: object } = {}): Promise<{ err: TlsError; after: Buffer }> {
  let afterCh: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
  const fake = await fakeServer(async (c) => {
    const ch = await readClientHello(c.sock);
    afterCh = c.all.then((b) => {
      // drop the ClientHello record(s) from the capture
      const recs = records(b);
      const firstHs = recs.findIndex((r) => r.type === 22);
      return Buffer.concat(recs.slice(firstHs + 1).map((r) => record(r.type, r.body, r.version)));
    });
    await script(c, ch);
  });
  try {
    const err = await within(
      connectMtls({ host: "127.0.0.1", port: fake.port, servername: POOL, store, policy: { handshakeTimeoutMs: TIMEOUT, ...o.policy } }).then(
        (s) => {
          s.destroy();
          throw new Error("the handshake succeeded");
        },
        (e: unknown) => e,
      ),
      TIMEOUT + 3000,
      "our client to give up",
    );
    assert.ok(err instanceof TlsError, `a TlsError, not ${String(err)}`);
    return { err, after: await within(afterCh, 3000, "our client to close the connection") };
  } finally {
    await fake.close();
  }
}

function serverHello(chBody: Buffer, o: { version?: number; random?: Uint8Array; suite?: number; exts?: Extension[]; noSessionEcho?: boolean }): Buffer {
  const ch = decodeClientHello(splitHandshake(chBody).messages[0]!.body);
  return Buffer.from(
    encodeServerHello({
      legacyVersion: o.version ?? ProtocolVersion.TLS12,
      random: o.random ?? new Uint8Array(32).fill(7),
      legacySessionIdEcho: o.noSessionEcho ? new Uint8Array(0) : ch.legacySessionId,
      cipherSuite: o.suite ?? CipherSuite.TLS_AES_128_GCM_SHA256,
      compressionMethod: 0,
      extensions: o.exts ?? [],
    }),
  );
}

const sv13: Extension = { type: ExtensionType.supported_versions, data: ext.encodeSupportedVersionServer(ProtocolVersion.TLS13) };

describe("our client against crafted servers", { skip: sys.skip }, () => {
  before(() => {
    arenaBaseline = baselineOf(core);
  });

  for (const [v, name] of [
    [ProtocolVersion.TLS11, "TLS 1.1"],
    [ProtocolVersion.TLS10, "TLS 1.0"],
    [ProtocolVersion.SSL3, "SSL 3.0"],
  ] as const) {
    test(`a ${name} ServerHello (a server that ignores supported_versions) → ERR_TLS_PROTOCOL_VERSION, protocol_version in the clear`, async () => {
      const { err, after } = await clientAgainst((c, ch) => {
        c.sock.write(record(22, serverHello(ch, { version: v, suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 }), v));
      });
      assert.equal(err.code, "ERR_TLS_PROTOCOL_VERSION");
      assert.match(err.message, new RegExp(name.replace(".", "\\.")));
      assert.deepEqual(after, alertRecord(70));
    });
  }

  test("a second HelloRetryRequest → unexpected_message", async () => {
    const hrr = (ch: Buffer, group: number) =>
      record(22, serverHello(ch, { random: HELLO_RETRY_REQUEST_RANDOM, exts: [sv13, { type: ExtensionType.key_share, data: ext.encodeKeyShareHrr(group) }] }));
    const { err, after } = await clientAgainst(async (c, ch) => {
      c.sock.write(hrr(ch, NamedGroup.secp256r1));
      const ch2 = await readClientHello(c.sock); // after our compatibility change_cipher_spec
      const shares = ext.keyShareClient(findExtension(decodeClientHello(splitHandshake(ch2).messages[0]!.body).extensions, ExtensionType.key_share)!);
      assert.deepEqual(shares.map((s) => s.group), [NamedGroup.secp256r1]);
      c.sock.write(hrr(ch2, NamedGroup.secp384r1));
    });
    assert.equal(err.code, "ERR_TLS_PROTOCOL");
    assert.equal((err as { alert?: string }).alert, "unexpected_message");
    const recs = records(after);
    assert.deepEqual(recs.at(-1), { type: 21, version: 0x0303, body: Buffer.from([2, 10]) });
  });

  test("a HelloRetryRequest that changes nothing (asks for the group we sent) → illegal_parameter", async () => {
    const { err, after } = await clientAgainst((c, ch) => {
      c.sock.write(record(22, serverHello(ch, { random: HELLO_RETRY_REQUEST_RANDOM, exts: [sv13, { type: ExtensionType.key_share, data: ext.encodeKeyShareHrr(NamedGroup.x25519) }] })));
    });
    assert.equal((err as { alert?: string }).alert, "illegal_parameter");
    assert.deepEqual(after, alertRecord(47));
  });

  test("a ServerHello with a cipher suite we did not offer → illegal_parameter", async () => {
    const { err, after } = await clientAgainst((c, ch) => {
      c.sock.write(record(22, serverHello(ch, { suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, exts: [sv13, { type: ExtensionType.key_share, data: ext.encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) }) }] })));
    });
    assert.equal((err as { alert?: string }).alert, "illegal_parameter");
    assert.deepEqual(after, alertRecord(47));
  });

  test("an all-zero (small-order) x25519 key share → illegal_parameter", async () => {
    const { err, after } = await clientAgainst((c, ch) => {
      c.sock.write(record(22, serverHello(ch, { exts: [sv13, { type: ExtensionType.key_share, data: ext.encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }) }] })));
    });
    assert.equal((err as { alert?: string }).alert, "illegal_parameter");
    assert.deepEqual(after, alertRecord(47));
  });

  test("a ServerHello that does not echo our session id → illegal_parameter", async () => {
    const { err } = await clientAgainst((c, ch) => {
      c.sock.write(record(22, serverHello(ch, { noSessionEcho: true, exts: [sv13, { type: ExtensionType.key_share, data: ext.encodeKeyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) }) }] })));
    });
    assert.equal((err as { alert?: string }).alert, "illegal_parameter");
  });

  test("a handshake message header announcing 16 MiB → decode_error at once", async () => {
    const { err, after } = await clientAgainst((c) => {
      c.sock.write(record(22, Uint8Array.of(HandshakeType.server_hello, 0xff, 0xff, 0xff, 0, 0)));
    });
    assert.equal((err as { alert?: string }).alert, "decode_error");
    assert.deepEqual(after, alertRecord(50));
  });

  test("application data before the handshake → unexpected_message", async () => {
    const { err, after } = await clientAgainst((c) => {
      c.sock.write(record(23, new Uint8Array(40)));
    });
    assert.equal(err.code, "ERR_TLS_ALERT");
    assert.deepEqual(after, alertRecord(10));
  });

  test("a fatal alert instead of a ServerHello → ERR_TLS_ALERT received", async () => {
    const { err } = await clientAgainst((c) => {
      c.sock.write(alertRecord(40));
    });
    assert.equal(err.code, "ERR_TLS_ALERT");
    assert.equal((err as { direction?: string }).direction, "received");
    assert.equal((err as { alert?: string }).alert, "handshake_failure");
  });

  test("silence → ERR_TLS_TIMEOUT; half a ServerHello then silence → ERR_TLS_TIMEOUT; a close mid-record → ERR_TLS_UNEXPECTED_EOF", async () => {
    assert.equal((await clientAgainst(() => undefined)).err.code, "ERR_TLS_TIMEOUT");
    assert.equal((await clientAgainst((c, ch) => void c.sock.write(record(22, serverHello(ch, {})).subarray(0, 30)))).err.code, "ERR_TLS_TIMEOUT");
    assert.equal((await clientAgainst((c, ch) => void c.sock.end(record(22, serverHello(ch, {})).subarray(0, 30)))).err.code, "ERR_TLS_UNEXPECTED_EOF");
  });

  test("every connection gave its arena memory back", () => {
    assert.equal(core.arena.inUse, arenaBaseline);
  });
});

/** A seeded PRNG (mulberry32), so that a failing mutation can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation of a flight of records: bit flips, byte overwrites, truncation, length fields, insertion, deletion. */
function mutate(flight: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(flight);
  const at = () => Math.floor(rnd() * b.length);
  switch (Math.floor(rnd() * 6)) {
    case 0:
      for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++) b[at()]! ^= 1 << Math.floor(rnd() * 8);
      return b;
    case 1:
      b[at()] = Math.floor(rnd() * 256);
      return b;
    case 2:
      return b.subarray(0, at());
    case 3: {
      // a length field: a record header's or a handshake header's (offset 5 + 1..3)
      const p = rnd() < 0.5 ? 3 : 6 + Math.floor(rnd() * 3);
      if (p < b.length) b[p] = rnd() < 0.5 ? 0 : 0xff;
      return b;
    }
    case 4: {
      const p = at();
      return Buffer.concat([b.subarray(0, p), Buffer.from([Math.floor(rnd() * 256)]), b.subarray(p)]);
    }
    default: {
      const p = at();
      return Buffer.concat([b.subarray(0, p), b.subarray(p + 1 + Math.floor(rnd() * 8))]);
    }
  }
}

describe("seeded mutations of real OpenSSL flights", { skip: sys.skip }, () => {
  let server: MtlsServer;
  let serverPort: number;
  const serverErrors: unknown[] = [];
  before(async () => {
    arenaBaseline = baselineOf(core);
    server = createMtlsServer({ store, allowedPeers: POOL_MEMBERS, policy: { handshakeTimeoutMs: TIMEOUT } }, (s) => {
      s.on("error", () => undefined);
      s.destroy();
    });
    server.on("tlsClientError", (e) => serverErrors.push(e));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    serverPort = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r(), true));
  });

  /** The records a Node client sends first (its ClientHello), captured through a proxy to our server. */
  async function captureClientHello(o: tls.ConnectionOptions): Promise<Buffer> {
    let ch: Buffer | undefined;
    const proxy = await recordProxy(serverPort, { toServer: (r) => ((ch ??= Buffer.from(r)), r) });
    const c = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port: proxy.port, servername: GATEWAY, ...o });
    c.on("error", () => undefined);
    await within(once(c, "secureConnect"), 5000, "capture handshake");
    c.destroy();
    await proxy.close();
    return ch!;
  }

  for (const [label, opts] of [
    ["TLS 1.3 ClientHello", { minVersion: "TLSv1.3" }],
    ["TLS 1.2 ClientHello", { maxVersion: "TLSv1.2" }],
  ] as const) {
    test(`our server: 150 mutations of OpenSSL's ${label}`, async () => {
      const ch = await captureClientHello(opts as tls.ConnectionOptions);
      const rnd = prng(label.length * 7919);
      const codes = new Map<string, number>();
      let alerts = 0;
      for (let i = 0; i < 150; i++) {
        const m = mutate(ch, rnd);
        const n = serverErrors.length;
        const c = net.connect(serverPort, "127.0.0.1");
        const got: Buffer[] = [];
        c.on("data", (d) => got.push(d));
        c.on("error", () => undefined);
        const closed = once(c, "close");
        await once(c, "connect");
        // the mutated hello, then end of stream: whatever our server makes of it, it must answer and close
        c.end(m);
        await within(closed, TIMEOUT * 4, `mutation ${i}: our server must close the connection`);
        await within((async () => { while (serverErrors.length === n) await new Promise((r) => setTimeout(r, 2)); })(), 2000, `mutation ${i}: a tlsClientError`);
        const e = serverErrors[n];
        assert.ok(e instanceof TlsError, `mutation ${i}: a TlsError, not ${String(e)}`);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        const recs = records(Buffer.concat(got));
        // an alert, or (a mutation that left the hello valid) our flight: handshake, change_cipher_spec, protected records
        for (const r of recs) assert.ok([20, 21, 22, 23].includes(r.type), `mutation ${i}: record type ${r.type}`);
        // the alert the error names is the alert that went out, in the clear (no keys yet)
        const sent = e instanceof TlsHandshakeError ? e.alertNumber : e instanceof TlsAlertError && e.direction === "sent" ? e.alertNumber : undefined;
        if (sent !== undefined) {
          alerts++;
          assert.deepEqual([...recs.at(-1)!.body], [2, sent], `mutation ${i}: ${e.code} ${e.message}`);
        } else {
          assert.ok(["ERR_TLS_UNEXPECTED_EOF", "ERR_TLS_TIMEOUT"].includes(e.code), `mutation ${i}: ${e.code} without an alert: ${e.message}`);
        }
      }
      assert.ok(alerts >= 40, `${alerts} alerts; codes ${JSON.stringify([...codes])}`);
      assert.ok(codes.size >= 3, JSON.stringify([...codes]));
    });
  }

  test("our client: 150 mutations of OpenSSL's TLS 1.2 server flight", async () => {
    // record the Node server's first flight (ServerHello .. ServerHelloDone, all in the clear in TLS 1.2)
    const node = tls.createServer({ ...nodeTlsOptions(pki), requestCert: true, maxVersion: "TLSv1.2" }, (s) => s.destroy());
    node.on("tlsClientError", () => undefined);
    node.listen(0, "127.0.0.1");
    await once(node, "listening");
    let flight: Buffer | undefined;
    const proxy = await recordProxy((node.address() as net.AddressInfo).port, { toClient: (r) => ((flight = flight ? Buffer.concat([flight, r]) : Buffer.from(r)), r) });
    await connectMtls({ host: "127.0.0.1", port: proxy.port, servername: POOL, store }).then((s) => s.destroy(), () => undefined);
    await proxy.close();
    node.close();
    // keep the records up to ServerHelloDone
    const recs = records(flight!).filter((r) => r.type === 22);
    const serverFlight = Buffer.concat(recs.map((r) => record(r.type, r.body, r.version)));
    const rnd = prng(4242);
    const codes = new Map<string, number>();
    for (let i = 0; i < 150; i++) {
      const m = i === 0 ? serverFlight : mutate(serverFlight, rnd);
      const { err } = await clientAgainst((c) => void c.sock.end(m));
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      // the unmutated replay is refused too: the ServerKeyExchange signature covers our fresh random
      if (i === 0) assert.equal(err.code, "ERR_TLS_BAD_SIGNATURE");
    }
    assert.ok(codes.size >= 3, JSON.stringify([...codes]));
  });

  test("every connection gave its arena memory back", async () => {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(core.arena.inUse, arenaBaseline);
  });
});

describe("our server against crafted clients", { skip: sys.skip }, () => {
  let server: MtlsServer;
  let port: number;
  const errors: TlsError[] = [];
  before(async () => {
    server = createMtlsServer({ store, allowedPeers: POOL_MEMBERS, policy: { handshakeTimeoutMs: TIMEOUT } });
    server.on("tlsClientError", (e) => errors.push(e));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r(), true));
  });

  /** Sends bytes; returns what came back before our server closed, and its error. */
  async function send(bytes: Buffer | Buffer[], o: { endAfter?: boolean } = {}): Promise<{ back: Buffer; err: TlsError }> {
    const n = errors.length;
    const c = net.connect(port, "127.0.0.1");
    c.on("error", () => undefined);
    const got: Buffer[] = [];
    c.on("data", (d) => got.push(d));
    const closed = once(c, "close");
    await once(c, "connect");
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) {
      c.write(b);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (o.endAfter) c.end();
    await within(closed, TIMEOUT + 3000, "our server to close");
    await within((async () => { while (errors.length === n) await new Promise((r) => setTimeout(r, 5)); })(), 2000, "tlsClientError");
    return { back: Buffer.concat(got), err: errors[n]! };
  }

  test("an SSL 2.0-format ClientHello → ERR_TLS_PROTOCOL_VERSION, protocol_version", async () => {
    // SSLv2 CLIENT-HELLO (as old clients sent for compatibility): 2-byte header with the top bit set
    const v2 = Buffer.from("801f010301000600000010000033000039" + "00".repeat(16), "hex");
    const { back, err } = await send(v2);
    assert.equal(err.code, "ERR_TLS_PROTOCOL_VERSION");
    assert.deepEqual(back, alertRecord(70));
  });

  test("an SSL 3.0 ClientHello → ERR_TLS_PROTOCOL_VERSION, protocol_version", async () => {
    const body = Buffer.concat([Buffer.from([3, 0]), Buffer.alloc(32, 1), Buffer.from([0, 0, 2, 0, 0x2f, 1, 0])]);
    const hs = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
    const { back, err } = await send(record(22, hs, 0x0300));
    assert.equal(err.code, "ERR_TLS_PROTOCOL_VERSION");
    assert.match(err.message, /SSL 3\.0/);
    assert.deepEqual(back, alertRecord(70));
  });

  test("a ClientHello cut short inside its vectors → decode_error", async () => {
    const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 1), Buffer.from([0, 0, 40, 0x13, 1])]);
    const hs = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
    const { back, err } = await send(record(22, hs));
    assert.equal((err as { alert?: string }).alert, "decode_error");
    assert.deepEqual(back, alertRecord(50));
  });

  test("a record of an unknown content type → unexpected_message", async () => {
    const { back, err } = await send(record(99, new Uint8Array(10)));
    assert.equal(err.code, "ERR_TLS_ALERT");
    assert.deepEqual(back, alertRecord(10));
  });

  test("a ClientHello sent one byte at a time still completes within the deadline; silence times out", async () => {
    const ch = await new Promise<Buffer>((resolve) => {
      const p = recordProxy(port, { toServer: (r) => (resolve(Buffer.from(r)), r) });
      void p.then((proxy) => {
        const c = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port: proxy.port, servername: GATEWAY });
        c.on("error", () => undefined);
        c.on("secureConnect", () => (c.destroy(), void proxy.close()));
      });
    });
    const c = net.connect(port, "127.0.0.1");
    const got: Buffer[] = [];
    c.on("data", (d) => got.push(d));
    await once(c, "connect");
    for (const byte of ch) {
      c.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    await within((async () => { while (!records(Buffer.concat(got)).some((r) => r.type === 22)) await new Promise((r) => setTimeout(r, 5)); })(), TIMEOUT, "our ServerHello");
    const n = errors.length;
    c.destroy();
    // that connection's end is reported first (ERR_TLS_UNEXPECTED_EOF): wait for it
    await within((async () => { while (errors.length === n) await new Promise((r) => setTimeout(r, 5)); })(), 2000, "tlsClientError");
    const { err } = await send(Buffer.from([22, 3, 1]));
    assert.equal(err.code, "ERR_TLS_TIMEOUT");
  });
});
