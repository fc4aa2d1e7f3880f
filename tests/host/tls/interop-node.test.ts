// Interop with Node's `tls` (OpenSSL 3) on loopback, both directions, mutual authentication
// required: every TLS 1.3 and TLS 1.2 suite we offer, each group (x25519, P-256, P-384: the
// P-256/P-384 cells of TLS 1.3 go through a HelloRetryRequest, since our first key share is
// x25519), RSA-2048 and ECDSA P-256 PKIs. Data both ways in every cell; large writes, KeyUpdate
// (requested and automatic before the AEAD limit) and close_notify in their own tests.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import tls from "node:tls";
import { createHash } from "node:crypto";
import { connectMtls } from "../../../host/tls/connect-mtls.js";
import { createMtlsServer, type MtlsServer } from "../../../host/tls/mtls-server.js";
import type { MtlsSocket } from "../../../host/tls/mtls-socket.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, nodeTlsOptions, tlsPki, type PkiKind, type TlsPki } from "../../helpers/tls-pki.js";
import { requireCommand } from "../../helpers/system.js";
import { echoRoundTrip, nodeEchoServer, randomPayload, within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");

interface Cell {
  version: "TLSv1.3" | "TLSv1.2";
  /** OpenSSL's name (TLS 1.2) or the IANA name (TLS 1.3), as Node's `ciphers` takes it. */
  openssl: string;
  iana: string;
  nodeGroup: "X25519" | "P-256" | "P-384";
  group: "x25519" | "secp256r1" | "secp384r1";
}

const GROUPS = [
  ["X25519", "x25519"],
  ["P-256", "secp256r1"],
  ["P-384", "secp384r1"],
] as const;

function cells(kind: PkiKind): Cell[] {
  const auth = kind === "rsa2048" ? "RSA" : "ECDSA";
  const suites: [Cell["version"], string, string][] = [
    ["TLSv1.3", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"],
    ["TLSv1.3", "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"],
    ["TLSv1.2", `ECDHE-${auth}-AES128-GCM-SHA256`, `TLS_ECDHE_${auth}_WITH_AES_128_GCM_SHA256`],
    ["TLSv1.2", `ECDHE-${auth}-AES256-GCM-SHA384`, `TLS_ECDHE_${auth}_WITH_AES_256_GCM_SHA384`],
  ];
  return suites.flatMap(([version, openssl, iana]) => GROUPS.map(([nodeGroup, group]) => ({ version, openssl, iana, nodeGroup, group })));
}

const name = (c: Cell) => `${c.version} ${c.iana} ${c.group}`;

/**
 * Node's ecdhCurve for a cell. In TLS 1.2 the groups list also bounds the curves of ECDSA
 * certificates (RFC 8422 §5.1), so the P-256 PKI's curve is listed after the cell's group.
 */
function curves(c: Cell, kind: PkiKind): string {
  return c.version === "TLSv1.2" && kind === "p256" && c.nodeGroup !== "P-256" ? `${c.nodeGroup}:P-256` : c.nodeGroup;
}

for (const kind of ["rsa2048", "p256"] as const) {
  describe(`our client → Node tls server (${kind})`, { skip: sys.skip, concurrency: 4 }, () => {
    let pki: TlsPki;
    let store: CertStore;
    before(async () => {
      pki = tlsPki(kind);
      store = (await gatewayStore(pki)).store;
    });
    after(() => store.close());

    for (const c of cells(kind)) {
      test(name(c), async () => {
        // honorCipherOrder: OpenSSL then picks the group by its own list, not ours
        const peer = await nodeEchoServer({
          ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, minVersion: c.version, maxVersion: c.version, ciphers: c.openssl, ecdhCurve: curves(c, kind),
          honorCipherOrder: true,
        });
        try {
          const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store });
          assert.equal(s.version, c.version);
          assert.equal(s.suite, c.iana);
          assert.equal(s.group, c.group);
          // our first key share is x25519: a TLS 1.3 server limited to P-256 or P-384 asks for another
          assert.equal(s.helloRetryRequest, c.version === "TLSv1.3" && c.group !== "x25519");
          assert.equal(s.peerChain[0]!.subject, `CN=${POOL}`);
          assert.deepEqual(s.peerChain[0]!.sans, [POOL, ...POOL_MEMBERS]);
          assert.equal(s.peerChain.length, 3); // leaf, issuing CA (sent), root (anchor)
          assert.equal(s.peerChain[0]!.fingerprint256, createHash("sha256").update(pki.pool.der).digest("hex"));
          const msg = randomPayload(1000);
          assert.deepEqual(new Uint8Array(await echoRoundTrip(s, msg)), msg);
          // the Node server verified our chain and saw the gateway's certificate
          const nodeSide = peer.secure[0]!;
          assert.equal(nodeSide.authorized, true);
          assert.equal(nodeSide.getPeerCertificate().subject.CN, GATEWAY);
          assert.equal(nodeSide.getCipher().standardName, c.iana);
          s.end();
          await within(once(s, "close"), 5000, "close after close_notify");
        } finally {
          await peer.close();
        }
      });
    }
  });

  describe(`Node tls client → our server (${kind})`, { skip: sys.skip, concurrency: 4 }, () => {
    let pki: TlsPki;
    let store: CertStore;
    let server: MtlsServer;
    let port: number;
    const secure: MtlsSocket[] = [];
    before(async () => {
      pki = tlsPki(kind);
      store = (await gatewayStore(pki)).store;
      server = createMtlsServer({ store, allowedPeers: POOL_MEMBERS }, (s) => {
        secure.push(s);
        s.on("data", (d) => s.write(d));
        s.on("end", () => s.end());
        s.on("error", () => undefined); // clients reset connections at the end of tests
      });
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as { port: number }).port;
    });
    after(async () => {
      await new Promise<void>((r) => server.close(() => r(), true));
      store.close();
    });

    for (const c of cells(kind)) {
      test(name(c), async () => {
        // the Mediation Server's certificate from the usual template: serverAuth only, also as a client
        const client = tls.connect({
          ...nodeTlsOptions(pki), host: "127.0.0.1", port, servername: GATEWAY, minVersion: c.version, maxVersion: c.version, ciphers: c.openssl, ecdhCurve: curves(c, kind),
        });
        await within(once(client, "secureConnect"), 10_000, "Node client handshake");
        try {
          assert.equal(client.authorized, true, String(client.authorizationError));
          assert.equal(client.getProtocol(), c.version);
          assert.equal(client.getCipher().standardName, c.iana);
          assert.equal(client.getPeerCertificate().subject.CN, GATEWAY);
          const msg = randomPayload(3000);
          assert.deepEqual(new Uint8Array(await echoRoundTrip(client, msg)), msg);
          const ours = secure.find((s) => s.remotePort === client.localPort)!;
          assert.ok(ours, "our server reported the connection");
          assert.equal(ours.version, c.version);
          assert.equal(ours.suite, c.iana);
          assert.equal(ours.group, c.group);
          assert.equal(ours.peerChain[0]!.subject, `CN=${POOL}`);
          assert.equal(ours.serverName, GATEWAY);
        } finally {
          client.end();
          await within(once(client, "close"), 5000, "close");
        }
      });
    }
  });
}

describe("large writes, KeyUpdate, close_notify (Node tls peer)", { skip: sys.skip }, () => {
  let pki: TlsPki;
  let store: CertStore;
  before(async () => {
    pki = tlsPki("p256");
    store = (await gatewayStore(pki)).store;
  });
  after(() => store.close());

  for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
    test(`${version}: 4 MiB each way in one write, and many small writes`, async () => {
      const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, minVersion: version, maxVersion: version });
      try {
        const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store });
        const big = randomPayload(4 << 20);
        const back = await echoRoundTrip(s, big, 30_000);
        assert.equal(back.length, big.length);
        assert.ok(Buffer.from(big).equals(back));
        const parts = Array.from({ length: 200 }, (_, i) => randomPayload(1 + ((i * 37) % 700)));
        const all = Buffer.concat(parts);
        const got: Buffer[] = [];
        let n = 0;
        const done = new Promise<void>((r) => s.on("data", (d: Buffer) => ((n += d.length), got.push(d), n >= all.length && r())));
        for (const p of parts) s.write(p);
        await within(done, 10_000, "small writes echoed");
        assert.ok(Buffer.concat(got).equals(all));
        s.destroy();
      } finally {
        await peer.close();
      }
    });
  }

  test("TLS 1.3 KeyUpdate: ours alone, ours requesting the peer's (OpenSSL answers), data flows across", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3" });
    try {
      const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store });
      const events: string[] = [];
      s.on("keyUpdate", (e: { direction: string; requested: boolean }) => events.push(`${e.direction}:${e.requested}`));
      assert.deepEqual(new Uint8Array(await echoRoundTrip(s, Uint8Array.of(1, 2, 3))), Uint8Array.of(1, 2, 3));
      s.keyUpdate(false);
      assert.deepEqual(new Uint8Array(await echoRoundTrip(s, Uint8Array.of(4, 5))), Uint8Array.of(4, 5));
      s.keyUpdate(true);
      const msg = randomPayload(70_000);
      assert.deepEqual(new Uint8Array(await echoRoundTrip(s, msg)), msg);
      assert.deepEqual(events, ["write:false", "write:true", "read:false"]); // OpenSSL answered our request with its own KeyUpdate
      assert.deepEqual(s.keyUpdates, { sent: 2, received: 1 });
      s.end();
      await within(once(s, "close"), 5000, "close");
    } finally {
      await peer.close();
    }
  });

  test("TLS 1.3: KeyUpdate is sent automatically at the write key's usage limit", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.3" });
    try {
      // a tiny limit stands in for RFC 8446 §5.5's 2^24.5 records
      const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store, aeadLimits: { soft: 5, hard: 64 } });
      for (let i = 0; i < 30; i++) {
        const m = randomPayload(100 + i);
        assert.deepEqual(new Uint8Array(await echoRoundTrip(s, m)), m);
      }
      // 30 records at 5 per key (the Finished counted under the first): about 6 updates
      assert.ok(s.keyUpdates.sent >= 5, `sent ${s.keyUpdates.sent} KeyUpdates`);
      s.destroy();
    } finally {
      await peer.close();
    }
  });

  test("TLS 1.2: KeyUpdate is refused (it needs renegotiation)", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true, maxVersion: "TLSv1.2" });
    try {
      const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store });
      assert.throws(() => s.keyUpdate(), { code: "ERR_TLS_CONFIG" });
      s.destroy();
    } finally {
      await peer.close();
    }
  });

  test("close_notify both ways: the Node server sees a clean end, and its close_notify ends our stream", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true });
    try {
      const s = await connectMtls({ host: "127.0.0.1", port: peer.port, servername: POOL, store });
      await echoRoundTrip(s, Uint8Array.of(9));
      const nodeSide = peer.secure[0]!;
      const nodeEnded = once(nodeSide, "end");
      s.end();
      await within(nodeEnded, 5000, "Node saw our close_notify");
      // the Node server answers end() with its own close_notify: our readable ends, then the socket closes
      const ended = once(s, "end");
      const closed = once(s, "close");
      s.resume();
      await within(ended, 5000, "our stream ended");
      await within(closed, 5000, "our socket closed");
      assert.equal(peer.errors.length, 0);
    } finally {
      await peer.close();
    }
  });
});
