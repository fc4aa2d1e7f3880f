// Zeroization on release, verified by reading the core's memory: after an SRTP sender/receiver is
// closed, a TLS record layer destroyed, a GCM/HMAC/AES/hash context closed or an arena block freed,
// no byte of the core's memory differs from what it was before the object existed (except the
// shared packet/record staging buffers, which hold no keys), and none of the keys, derived session
// keys or traffic secrets can be found anywhere in it. Each test first shows that the secrets (or
// the context bytes) ARE in memory while the object lives, so the check after release can fail.
// The certificate store's sealing keys (JavaScript memory) are checked the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCore, type Core, TlsRecordLayer, ContentType, cipherSuite } from "../../../host/index.js";
import { VARIANTS } from "../../helpers/cores.js";
import { refSessionKeys } from "../srtp/reference.js";
import { srtpProfile } from "../../../host/srtp/profiles.js";
import { CertStore } from "../../../host/certs/cert-store.js";
import { MemoryDeviceKey, type DeviceKey } from "../../../host/certs/device-key.js";
import { rmTmp, tmpDir } from "../certs/pki.js";
import { join } from "node:path";
import { once } from "node:events";
import type net from "node:net";
import { connectMtls } from "../../../host/tls/connect-mtls.js";
import { createMtlsServer } from "../../../host/tls/mtls-server.js";
import type { MtlsSocket } from "../../../host/tls/mtls-socket.js";
import { requireCommand } from "../../helpers/system.js";
import { GATEWAY, gatewayStore, tlsPki } from "../../helpers/tls-pki.js";
import { arenaBaseline } from "../tls/mtls-helpers.js";

function pattern(n: number, start: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i * 29) & 0xff);
}

function find(mem: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(mem.buffer, mem.byteOffset, mem.byteLength).indexOf(Buffer.from(needle));
}

/** Offsets where `after` differs from `before`, outside the allowed ranges (at most `limit` of them). */
function changedOutside(before: Uint8Array, after: Uint8Array, allowed: [number, number][], limit = 9): number[] {
  const out: number[] = [];
  const a = Buffer.from(before.buffer, before.byteOffset, before.byteLength);
  const b = Buffer.from(after.buffer, after.byteOffset, after.byteLength);
  const CHUNK = 4096;
  for (let c = 0; c < a.length && out.length < limit; c += CHUNK) {
    const end = Math.min(a.length, c + CHUNK);
    if (a.compare(b, c, end, c, end) === 0) continue;
    for (let i = c; i < end && out.length < limit; i++) {
      if (a[i] === b[i]) continue;
      if (allowed.some(([s, e]) => i >= s && i < e)) continue;
      out.push(i);
    }
  }
  return out;
}

function srtpShared(core: Core): [number, number][] {
  const b = core.srtp.buffers as unknown as { io: number; ioCap: number; scratchPtr: number; batchPtr: number; batchCap: number };
  return [
    [b.io, b.io + b.ioCap],
    [b.scratchPtr, b.scratchPtr + 64],
    [b.batchPtr, b.batchPtr + b.batchCap],
  ];
}

for (const variant of VARIANTS) {
  test(`${variant}: closing an SRTP sender and receiver leaves no key material anywhere in the core's memory`, async () => {
    const core = await loadCore({ variant });
    for (const profile of ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_256_GCM"] as const) {
      const info = srtpProfile(profile);
      // The shared packet buffers exist once per core: make them first, with a throwaway session.
      const warmKey = { profile, masterKey: new Uint8Array(info.masterKeyLength).fill(1), masterSalt: new Uint8Array(info.masterSaltLength).fill(2), mki: Uint8Array.of(9) };
      const w = core.srtp.sender(warmKey);
      w.protectBatch([new Uint8Array(172).fill(0x80)]);
      w.stats();
      w.close();
      const before = core.u8.slice();

      const masterKey = pattern(info.masterKeyLength, 0xc1);
      const masterSalt = pattern(info.masterSaltLength, 0x5a);
      const opts = { profile, masterKey, masterSalt, mki: Uint8Array.of(1) };
      const tx = core.srtp.sender(opts);
      const rx = core.srtp.receiver(opts);
      for (let i = 0; i < 40; i++) {
        const rtp = new Uint8Array(172);
        rtp.set([0x80, 0, 0, i, 0, 0, 0, i, 0x12, 0x34, 0x56, 0x78]);
        rx.unprotect(tx.protect(rtp));
        const rtcp = Uint8Array.of(0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78);
        rx.unprotectRtcp(tx.protectRtcp(rtcp));
      }
      rx.addKey({ masterKey: pattern(info.masterKeyLength, 0x33), masterSalt: pattern(info.masterSaltLength, 0x44), mki: Uint8Array.of(2) });
      const secrets = [masterKey, masterSalt, pattern(info.masterKeyLength, 0x33)];
      for (const rtcp of [false, true]) {
        const k = refSessionKeys(info, masterKey, masterSalt, rtcp);
        secrets.push(k.encKey, k.salt);
        if (k.authKey.length) secrets.push(k.authKey);
      }
      const live = core.u8.slice();
      assert.ok(changedOutside(before, live, srtpShared(core)).length > 0, "the sessions are in memory while they live");
      const visible = secrets.filter((s) => find(live, s) >= 0).length;

      tx.close();
      rx.close();
      const after = core.u8.slice();
      const leftovers = secrets.map((s) => find(after, s)).filter((i) => i >= 0);
      assert.deepEqual(leftovers, [], `${profile}: key material still in memory at ${leftovers.join(", ")}`);
      assert.deepEqual(changedOutside(before, after, srtpShared(core)), [], `${profile}: bytes the sessions wrote are still there`);
      // how many of the raw secrets the live sessions held in the clear (informative: the rest live as key schedules)
      assert.ok(visible >= 1, `${profile}: the test sees at least one raw secret while the sessions live (${visible})`);
    }
  });

  test(`${variant}: destroying a TLS record layer wipes its traffic secrets, keys and IVs`, async () => {
    const core = await loadCore({ variant });
    const warm = TlsRecordLayer.create(core);
    warm.installKeys("write", cipherSuite("TLS_AES_128_GCM_SHA256")!, new Uint8Array(16), new Uint8Array(12));
    warm.feed(warm.seal(ContentType.applicationData, new Uint8Array(20000)));
    warm.destroy();
    const io = (await import("../../../host/tls/record-io.js")).recordIo(core);
    const shared: [number, number][] = [
      [io.open, io.open + 16384 + 256],
      [io.sealIn, io.sealIn + io.sealInCap],
      [io.sealOut, io.sealOut + io.sealOutCap],
    ];
    const before = core.u8.slice();

    const secret = pattern(48, 0x71);
    const key = pattern(32, 0x93);
    const iv = pattern(12, 0x17);
    const w = TlsRecordLayer.create(core);
    const r = TlsRecordLayer.create(core);
    w.installKeys("write", cipherSuite("TLS_AES_256_GCM_SHA384")!, key, iv);
    r.installKeys("read", cipherSuite("TLS_AES_256_GCM_SHA384")!, key, iv);
    const rec = w.seal(ContentType.applicationData, new TextEncoder().encode("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:secret"));
    r.feed(rec);
    assert.equal(r.readRecords().length, 1);
    // a TLS 1.2 pair as well (4-byte salt), and a TLS 1.3 half keyed from a traffic secret
    const w12 = TlsRecordLayer.create(core);
    w12.installKeys("write", cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")!, key.subarray(0, 16), iv.subarray(0, 4));
    w12.seal(ContentType.applicationData, Uint8Array.of(1, 2, 3));
    const halves = core.fn("tls_half_ctx_size")();
    const h13 = core.arena.alloc(halves);
    core.fn("tls_half_init")(h13, 1);
    const ps = core.put(secret);
    assert.equal(core.fn("tls13_half_install")(h13, 2, 3, ps, 48), 0);
    core.arena.release(ps);
    const live = core.u8.slice();
    assert.ok(find(live, secret) >= 0, "the traffic secret is in the half connection while it lives");
    assert.ok(find(live, iv) >= 0, "the static IV is in the half connection while it lives");

    w.destroy();
    r.destroy();
    w12.destroy();
    core.fn("tls_half_close")(h13);
    core.arena.release(h13);
    const after = core.u8.slice();
    for (const [name, s] of [["traffic secret", secret], ["key", key], ["key (128)", key.subarray(0, 16)], ["iv", iv]] as const) {
      assert.equal(find(after, s), -1, `${name} still in memory`);
    }
    assert.equal(find(after, new TextEncoder().encode("inline:secret")), -1, "decrypted application data (SDES keys!) left in the staging buffers");
    assert.deepEqual(changedOutside(before, after, shared), [], "bytes the record layers wrote are still there");
  });

  test(`${variant}: closing GCM, HMAC, hash and AES-CTR contexts and freeing arena blocks wipes them`, async () => {
    const core = await loadCore({ variant });
    const c = core.crypto;
    const before = core.u8.slice();
    const gk = pattern(32, 0x21);
    const hk = pattern(40, 0x61);
    const ak = pattern(16, 0xa1);
    const gcm = c.gcm.key(gk);
    const sealed = gcm.seal(pattern(12, 1), pattern(20, 2), pattern(100, 3));
    assert.throws(() => gcm.open(pattern(12, 1), pattern(20, 2), sealed.ciphertext, new Uint8Array(16)));
    const hmac = c.hash.hmacKey("sha256", hk);
    hmac.compute(pattern(300, 4));
    hmac.verify(pattern(300, 4), new Uint8Array(32));
    const hs = c.hash.createHash("sha384");
    hs.update(pattern(1000, 5));
    const ctr = c.aes.ctr(ak, pattern(16, 6), "ctr128");
    ctr.update(pattern(77, 7));
    const block = core.arena.alloc(4096);
    core.u8.set(pattern(4096, 8), block);
    const live = core.u8.slice();
    assert.ok(changedOutside(before, live, [], 2000).length >= 2000, "the contexts are in memory while they live");

    gcm.close();
    hmac.close();
    hs.close();
    ctr.close();
    core.arena.release(block);
    assert.throws(() => core.withBlocks([64], (p) => {
      core.u8.set(pattern(64, 9), p!);
      throw new Error("fails half-way");
    }));
    const after = core.u8.slice();
    for (const s of [gk, hk, ak]) assert.equal(find(after, s), -1, "a key is still in memory");
    assert.deepEqual(changedOutside(before, after, []), [], "bytes the contexts wrote are still there (including the static work areas below the arena)");
  });
}

test("closing the certificate store wipes its sealing keys; the device key copies it loads are wiped", async () => {
  const dir = tmpDir("zeroize-store");
  try {
    const handed: Uint8Array[] = [];
    const inner = new MemoryDeviceKey(pattern(32, 0x3c));
    const spy: DeviceKey = {
      location: "memory (spy)",
      exists: () => inner.exists(),
      create: () => inner.create(),
      load: async () => {
        const k = await inner.load();
        handed.push(k);
        return k;
      },
    };
    const store = await CertStore.open(join(dir, "store"), { deviceKey: spy });
    await store.trustList();
    const keys = (store as unknown as { keys: { enc: Uint8Array; mac: Uint8Array } }).keys;
    assert.ok(keys.enc.some((b) => b !== 0) && keys.mac.some((b) => b !== 0), "the store holds its sealing keys while open");
    assert.ok(handed.length >= 1);
    for (const k of handed) assert.ok(k.every((b) => b === 0), "a device key copy was not wiped after use");
    store.close();
    assert.ok(keys.enc.every((b) => b === 0) && keys.mac.every((b) => b === 0), "sealing keys not wiped by close()");
  } finally {
    rmTmp(dir);
  }
});

const openssl = requireCommand("openssl", ["version"], "openssl");

test("closing mutual-TLS connections (both roles, TLS 1.3 and 1.2) wipes every traffic secret from the core's memory", { skip: openssl.skip }, async () => {
  const pki = tlsPki("p256");
  const server = await gatewayStore(pki);
  const client = await gatewayStore(pki); // the same identity on both ends: what is tested is the release
  const core = await loadCore({ variant: "simd" });
  try {
    for (const versions of [["TLSv1.3"], ["TLSv1.2"]] as ("TLSv1.3" | "TLSv1.2")[][]) {
      const base = arenaBaseline(core);
      const secrets: Uint8Array[] = [];
      const keylog = (line: string) => {
        const hex = line.trim().split(" ")[2];
        if (hex) secrets.push(new Uint8Array(Buffer.from(hex, "hex")));
      };
      const accepted: MtlsSocket[] = [];
      const srv = createMtlsServer({ store: server.store, allowedPeers: [GATEWAY], core, keylog, policy: { versions } }, (s) => {
        accepted.push(s);
        s.on("data", (d: Buffer) => s.write(d));
        s.on("end", () => s.end());
        s.on("error", () => undefined);
      });
      srv.listen(0, "127.0.0.1");
      await once(srv, "listening");
      const c = await connectMtls({ host: "127.0.0.1", port: (srv.address() as net.AddressInfo).port, servername: GATEWAY, store: client.store, core, keylog, policy: { versions } });
      const echoed = new Promise<void>((res) => c.once("data", () => res()));
      c.write("OPTIONS sip:gw1.contoso.com SIP/2.0\r\n\r\n");
      await echoed;
      assert.ok(secrets.length >= 2, `${secrets.length} secrets logged`);
      const live = core.u8.slice();
      // TLS 1.3 halves keep their traffic secret (for KeyUpdate): it must be there now. TLS 1.2 logs
      // only the master secret, which the core never holds (the halves hold the key block's keys).
      if (versions[0] === "TLSv1.3") assert.ok(secrets.some((x) => find(live, x) >= 0), "a traffic secret is in the core's memory while the connection lives");
      c.end();
      await once(c, "close");
      for (let i = 0; i < 100 && srv.connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise<void>((res) => srv.close(() => res(), true));
      const after = core.u8.slice();
      const left = secrets.map((x) => find(after, x)).filter((i) => i >= 0);
      assert.deepEqual(left, [], `${versions[0]}: traffic secrets still in the core's memory at ${left.join(", ")}`);
      assert.equal(core.arena.inUse, base, `${versions[0]}: arena blocks left behind`);
    }
  } finally {
    server.store.close();
    client.store.close();
    rmTmp(server.dir);
    rmTmp(client.dir);
  }
});
