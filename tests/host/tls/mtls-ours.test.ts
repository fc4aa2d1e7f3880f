// Our client against our server: policies meeting (versions, FIPS → HelloRetryRequest),
// record_size_limit (RFC 8449: OpenSSL 3 does not implement it, so only we can exercise it; the
// record sizes are read off the wire), KeyUpdate started by the server, SNI, a trust change taking
// effect on the next handshake, idle timeouts, many concurrent handshakes on one shared core, and
// every connection giving its arena memory back.
import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { connectMtls, type ConnectMtlsOptions } from "../../../host/tls/connect-mtls.js";
import { createMtlsServer, type CreateMtlsServerOptions, type MtlsServer } from "../../../host/tls/mtls-server.js";
import type { KeyUpdateEvent, MtlsSocket } from "../../../host/tls/mtls-socket.js";
import type { TlsError } from "../../../host/tls/errors.js";
import { sharedCore } from "../../../host/tls/shared-core.js";
import { DOWNGRADE_TLS12 } from "../../../host/tls/handshake/constants.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import type { Core } from "../../../host/core/load-core.js";
import { GATEWAY, gatewayStore, tlsPki, type TlsPki } from "../../helpers/tls-pki.js";
import { requireCommand } from "../../helpers/system.js";
import { arenaBaseline, echoRoundTrip, randomPayload, recordProxy, within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");

let pki: TlsPki;
let store: CertStore;
let core: Core;
let baseline = 0;

before(async () => {
  if (sys.skip) return;
  pki = tlsPki("p256");
  store = (await gatewayStore(pki)).store;
  core = await sharedCore();
  baseline = arenaBaseline(core);
});
after(() => store?.close());

/** Our echo server; returns it with its port and the sockets it accepted. */
async function ourServer(o: Partial<CreateMtlsServerOptions> = {}): Promise<{ server: MtlsServer; port: number; accepted: MtlsSocket[]; close(): Promise<void> }> {
  const accepted: MtlsSocket[] = [];
  const server = createMtlsServer({ store, allowedPeers: [GATEWAY], ...o }, (s) => {
    accepted.push(s);
    s.on("data", (d) => s.write(d));
    s.on("end", () => s.end());
    s.on("error", () => undefined);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    server,
    accepted,
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => server.close(() => r(), true)),
  };
}

/** The server side of the n-th connection (a TLS 1.3 server finishes after the client). */
async function accepted(srv: { accepted: MtlsSocket[] }, n = 0): Promise<MtlsSocket> {
  await within((async () => { while (srv.accepted.length <= n) await new Promise((r) => setTimeout(r, 2)); })(), 5000, "the server's side of the connection");
  return srv.accepted[n]!;
}

const connect = (port: number, o: Partial<ConnectMtlsOptions> = {}) => connectMtls({ host: "127.0.0.1", port, servername: GATEWAY, store, ...o });

describe("our client ↔ our server", { skip: sys.skip }, () => {
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, 50));
    if (process.env.MTLS_DEBUG_ARENA) console.log("arena in use", core.arena.inUse);
  });
  test("defaults: TLS 1.3, AES-256-GCM (Schannel's order), x25519, SNI seen by the server", async () => {
    const srv = await ourServer();
    try {
      const c = await connect(srv.port);
      assert.deepEqual([c.version, c.suite, c.group, c.helloRetryRequest], ["TLSv1.3", "TLS_AES_256_GCM_SHA384", "x25519", false]);
      const msg = randomPayload(50_000);
      assert.deepEqual(new Uint8Array(await echoRoundTrip(c, msg)), msg);
      const s = await accepted(srv);
      assert.equal(s.serverName, GATEWAY);
      assert.equal(s.peerChain[0]!.subject, `CN=${GATEWAY}`);
      assert.equal(c.signatureScheme, "ecdsa_secp256r1_sha256");
      c.end();
      await within(once(c, "close"), 5000, "close");
    } finally {
      await srv.close();
    }
  });

  test("a TLS 1.2-only client and a 1.3-capable server: TLS 1.2, with the downgrade sentinel in the server random", async () => {
    const srv = await ourServer();
    let serverRandomTail: Buffer | undefined;
    const proxy = await recordProxy(srv.port, {
      toClient: (r) => {
        if (r[0] === 22 && r[5] === 2) serverRandomTail ??= Buffer.from(r.subarray(11 + 24, 11 + 32));
        return r;
      },
    });
    try {
      const c = await connect(proxy.port, { policy: { versions: ["TLSv1.2"] } });
      assert.equal(c.version, "TLSv1.2");
      assert.equal(c.suite, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
      assert.deepEqual(new Uint8Array(serverRandomTail!), DOWNGRADE_TLS12);
      c.destroy();
    } finally {
      await proxy.close();
      await srv.close();
    }
  });

  test("FIPS server, default client: a HelloRetryRequest moves the client from x25519 to P-256", async () => {
    const srv = await ourServer({ policy: { fips: true } });
    try {
      const c = await connect(srv.port);
      assert.equal(c.group, "secp256r1");
      assert.equal(c.helloRetryRequest, true);
      assert.equal((await accepted(srv)).helloRetryRequest, true);
      assert.deepEqual(new Uint8Array(await echoRoundTrip(c, Uint8Array.of(1, 2, 3))), Uint8Array.of(1, 2, 3));
      c.destroy();
      // a FIPS client offers P-256 first: no retry
      const f = await connect(srv.port, { policy: { fips: true } });
      assert.deepEqual([f.group, f.helloRetryRequest], ["secp256r1", false]);
      f.destroy();
    } finally {
      await srv.close();
    }
  });

  for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
    test(`${version}: record_size_limit 512 advertised by the client bounds every protected record the server sends`, async () => {
      const srv = await ourServer({ policy: { versions: [version] } });
      const sizes: number[] = [];
      let protectedPhase = false;
      const proxy = await recordProxy(srv.port, {
        toClient: (r) => {
          if (r[0] === 23 || (version === "TLSv1.2" && r[0] === 20)) protectedPhase = true;
          if (protectedPhase && r[0] !== 20) sizes.push(r.readUInt16BE(3));
          return r;
        },
      });
      try {
        const c = await connect(proxy.port, { recordSizeLimit: 512 });
        assert.equal((await accepted(srv)).peerRecordSizeLimit, 512);
        assert.equal(c.peerRecordSizeLimit, 16385); // the server advertises no limit of its own
        const msg = randomPayload(20_000);
        assert.deepEqual(new Uint8Array(await echoRoundTrip(c, msg)), msg);
        // TLS 1.3: inner plaintext (content + type byte) ≤ 512, + 16-byte tag; TLS 1.2: 512 + 8-byte explicit nonce + tag
        const max = version === "TLSv1.3" ? 512 + 16 : 512 + 8 + 16;
        assert.ok(sizes.length > 40, `${sizes.length} records`);
        assert.ok(sizes.every((n) => n <= max), `largest record ${Math.max(...sizes)} > ${max}`);
        assert.equal(Math.max(...sizes), max);
        c.destroy();
      } finally {
        await proxy.close();
        await srv.close();
      }
    });
  }

  test("KeyUpdate started by the server, with and without a request; automatic on both sides under tiny limits", async () => {
    const srv = await ourServer({ aeadLimits: { soft: 4, hard: 100 } });
    try {
      const c = await connect(srv.port, { aeadLimits: { soft: 3, hard: 100 } });
      await echoRoundTrip(c, Uint8Array.of(0));
      const s = await accepted(srv);
      const seen: KeyUpdateEvent[] = [];
      c.on("keyUpdate", (e: KeyUpdateEvent) => seen.push(e));
      s.keyUpdate(true);
      const m = randomPayload(3000);
      assert.deepEqual(new Uint8Array(await echoRoundTrip(c, m)), m);
      assert.deepEqual(seen.slice(0, 2).map((e) => `${e.direction}:${e.requested}`), ["read:true", "write:false"]);
      for (let i = 0; i < 20; i++) await echoRoundTrip(c, randomPayload(10 + i));
      assert.ok(c.keyUpdates.sent >= 6, JSON.stringify(c.keyUpdates));
      assert.ok(s.keyUpdates.sent >= 5, JSON.stringify(s.keyUpdates));
      assert.equal(c.keyUpdates.received, s.keyUpdates.sent);
      c.end();
      await within(once(c, "close"), 5000, "close");
    } finally {
      await srv.close();
    }
  });

  test("40 handshakes at once on the shared core, each with its own data", async () => {
    const srv = await ourServer();
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const c = await connect(srv.port, i % 2 ? { policy: { versions: ["TLSv1.2"] } } : {});
          const m = randomPayload(1000 + i * 97);
          const back = await echoRoundTrip(c, m);
          c.destroy();
          return Buffer.from(m).equals(back);
        }),
      );
      assert.ok(results.every(Boolean));
      assert.equal(srv.accepted.length, 40);
    } finally {
      await srv.close();
    }
  });

  test("a trust change in the store takes effect on the next handshake (no restart)", async () => {
    const { store: s2 } = await gatewayStore(pki);
    const srv = await ourServer();
    try {
      (await connectMtls({ host: "127.0.0.1", port: srv.port, servername: GATEWAY, store: s2 })).destroy();
      await s2.trustAdd(Buffer.from(pki.evilRootPem));
      const [root] = (await s2.trustList()).filter((a) => a.subject.includes("O=Contoso"));
      await s2.trustRemove(root!.fingerprintSha256);
      await assert.rejects(connectMtls({ host: "127.0.0.1", port: srv.port, servername: GATEWAY, store: s2 }), { code: "ERR_TLS_CERT_UNTRUSTED" });
    } finally {
      await srv.close();
      s2.close();
    }
  });

  test("idle timeout: an open connection without input is closed with ERR_TLS_TIMEOUT", async () => {
    const srv = await ourServer({ idleTimeoutMs: 150 });
    try {
      const c = await connect(srv.port);
      c.on("error", () => undefined);
      const s = await accepted(srv);
      const closed = new Promise((r) => s.once("close", r));
      const serverErr = new Promise<TlsError>((r) => s.once("error", (e) => r(e as TlsError)));
      await within(closed, 3000, "idle close");
      assert.equal((await serverErr).code, "ERR_TLS_TIMEOUT");
      c.destroy();
    } finally {
      await srv.close();
    }
  });

  test("writes after end() and after destroy() fail with ERR_TLS_CLOSED; every connection freed its arena memory", async () => {
    const srv = await ourServer();
    try {
      const c = await connect(srv.port);
      c.destroy();
      await once(c, "close");
      await assert.rejects(new Promise((resolve, reject) => c.write("x", (e) => (e ? reject(e) : resolve(undefined)))), (e: Error & { code?: string }) => {
        return e.code === "ERR_TLS_CLOSED" || e.code === "ERR_STREAM_DESTROYED";
      });
      assert.throws(() => c.keyUpdate(), { code: "ERR_TLS_CLOSED" });
    } finally {
      await srv.close();
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(core.arena.inUse, baseline);
  });
});
