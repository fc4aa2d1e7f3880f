// TLS 1.2 AES-GCM record protection (RFC 5246 §6.2.3.3, RFC 5288 §3) and the TLS 1.2 key schedule
// (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627; RFC 5705). No public TLS 1.2 GCM record known answer
// exists: the computed example in tests/vectors (pyca/cryptography) plus differential tests against
// Node's AES-GCM built from the RFC 5288 construction, and against P_hash written from RFC 5246 §5
// over Node's HMAC. Real OpenSSL handshakes are in record-openssl.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  TlsRecordLayer, TlsTranscript, TlsSecret, Tls12KeySchedule, TlsAlertError, ContentType, cipherSuite, type Core,
} from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";
import { seal12, open12, prf12, testBytes, type NodeHash } from "./record-helpers.js";

const V = loadVectors("tls12_gcm_record_computed");
const SUITES = [cipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")!, cipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")!];

function pair(core: Core, suite = SUITES[0]!, key?: Uint8Array, salt?: Uint8Array) {
  const k = key ?? testBytes(suite.keyLength, 7);
  const s = salt ?? testBytes(4, 8);
  const w = TlsRecordLayer.create(core);
  const r = TlsRecordLayer.create(core);
  w.installKeys("write", suite, k, s);
  r.installKeys("read", suite, k, s);
  return { w, r, k, s };
}

for (const variant of VARIANTS) {
  test(`${variant}: TLS 1.2 AES-128-GCM computed example (tests/vectors, not authoritative) seals and opens at seq 1`, async () => {
    const core = await shippedCore(variant);
    for (const c of V.cases) {
      const { w, r } = pair(core, SUITES[0], hex(c.key), hex(c.salt_fixed_iv));
      r.feed(w.seal(ContentType.applicationData, hex("00"))); // sequence number 0
      assert.equal(r.readRecord()!.data.length, 1);
      const rec = w.seal(c.content_type, hex(c.plaintext));
      assert.equal(toHex(rec), c.record);
      assert.equal(toHex(rec.subarray(5, 13)), c.nonce_explicit, "the explicit nonce is the sequence number");
      r.feed(hex(c.record));
      const got = r.readRecord()!;
      assert.equal(got.type, c.content_type);
      assert.equal(toHex(got.data), c.plaintext);
      w.destroy();
      r.destroy();
    }
  });

  test(`${variant}: TLS 1.2 records equal Node's AES-GCM over the RFC 5288 construction, both ways, AES-128 and AES-256`, async () => {
    const core = await shippedCore(variant);
    for (const suite of SUITES) {
      const { w, r, k, s } = pair(core, suite);
      const lengths = [0, 1, 15, 16, 17, 100, 1000, 4096, 16383, 16384];
      let seq = 0n;
      for (const [i, n] of lengths.entries()) {
        const type = n === 0 ? ContentType.applicationData : i % 2 ? ContentType.handshake : ContentType.applicationData;
        const pt = testBytes(n, i + 1);
        const ours = w.seal(type, pt);
        assert.equal(toHex(ours), toHex(seal12(k, s, seq, type, pt)), `seal len ${n}`);
        assert.equal(toHex(open12(k, s, seq, ours)), toHex(pt));
        // a record whose explicit nonce is not the sequence number (RFC 5288 allows any unique value)
        const theirs = seal12(k, s, seq, type, pt, testBytes(8, 100 + i));
        r.feed(theirs);
        const got = r.readRecord()!;
        assert.equal(got.type, type);
        assert.equal(toHex(got.data), toHex(pt), `open len ${n}`);
        seq++;
      }
      // large writes are fragmented at 2^14 (RFC 5246 §6.2.1), each record with the next sequence number
      const big = testBytes(40000, 99);
      const wire = w.seal(ContentType.applicationData, big);
      const r1 = wire.subarray(0, 5 + 8 + 16384 + 16);
      assert.equal(toHex(r1), toHex(seal12(k, s, seq, 23, big.subarray(0, 16384))));
      r.feed(wire);
      const parts = r.readRecords();
      assert.deepEqual(parts.map((p) => p.data.length), [16384, 16384, 7232]);
      assert.equal(r.sequence("read"), seq + 3n);
      w.destroy();
      r.destroy();
    }
  });

  test(`${variant}: TLS 1.2 hostile records: each gives its alert, writes no plaintext, and the direction stays failed`, async () => {
    const core = await shippedCore(variant);
    const k = testBytes(16, 1);
    const s = testBytes(4, 2);
    const pt = testBytes(64, 3);
    const good = seal12(k, s, 0n, 23, pt);
    const flip = (at: number) => {
      const b = Buffer.from(good);
      b[at]! ^= 0x01;
      return b;
    };
    const cases: [string, Uint8Array, string][] = [
      ["tampered tag", flip(good.length - 1), "bad_record_mac"],
      ["tampered ciphertext", flip(20), "bad_record_mac"],
      ["tampered explicit nonce", flip(6), "bad_record_mac"],
      ["content type changed (it is in the AAD)", flip(0) /* 23 -> 22 */, "bad_record_mac"],
      ["wrong sequence number (record from seq 1)", seal12(k, s, 1n, 23, pt), "bad_record_mac"],
      ["shorter than nonce + tag", Buffer.from([23, 3, 3, 0, 23, ...testBytes(23, 4)]), "bad_record_mac"],
      ["empty body", Buffer.from([23, 3, 3, 0, 0]), "bad_record_mac"],
      ["ciphertext length 2^14 + 2049", Buffer.from([23, 3, 3, 0x48, 0x01]), "record_overflow"],
      ["plaintext 2^14 + 1 inside an allowed length", seal12(k, s, 0n, 23, testBytes(16385, 5)), "record_overflow"],
      ["record version 0x0302", Buffer.concat([Buffer.from([23, 3, 2]), good.subarray(3)]), "protocol_version"],
      ["authentic empty handshake record", seal12(k, s, 0n, 22, new Uint8Array(0)), "unexpected_message"],
      ["authentic 3-byte alert", seal12(k, s, 0n, 21, Uint8Array.of(2, 40, 0)), "decode_error"],
    ];
    for (const [what, rec, alert] of cases) {
      const r = TlsRecordLayer.create(core);
      r.installKeys("read", SUITES[0]!, k, s);
      r.feed(rec);
      assert.throws(() => r.readRecord(), (e: unknown) => e instanceof TlsAlertError && e.alert === alert && e.direction === "sent", what);
      r.feed(good);
      assert.throws(() => r.readRecord(), (e: unknown) => e instanceof TlsAlertError && e.alert === alert, `${what}: records after the failure`);
      r.destroy();
    }
    // at the ABI: a failed open leaves the output buffer exactly as it was
    const h = core.arena.alloc(core.fn("tls_half_ctx_size")());
    const recP = core.arena.alloc(good.length);
    const out = core.arena.alloc(256);
    core.withBlocks([16, 4], (kp, sp) => {
      core.u8.set(k, kp!);
      core.u8.set(s, sp!);
      assert.equal(core.fn("tls_half_init")(h, 0), 0);
      assert.equal(core.fn("tls_half_set_key")(h, 0x0303, 1, kp!, 16, sp!, 4), 0);
    });
    core.u8.set(flip(good.length - 3), recP);
    core.u8.fill(0xa5, out, out + 256);
    assert.equal(core.fn("tls_record_open")(h, recP, good.length, out, 256), -65);
    assert.ok(core.u8.subarray(out, out + 256).every((b) => b === 0xa5), "no plaintext written on bad_record_mac");
    assert.equal(core.fn("tls_half_alert")(h), 20);
    core.fn("tls_half_close")(h);
    for (const p of [h, recP, out]) core.arena.release(p);
  });

  test(`${variant}: TLS 1.2 fatal alert from the peer, protected`, async () => {
    const core = await shippedCore(variant);
    const { w, r } = pair(core);
    r.feed(w.sealAlert("bad_certificate"));
    assert.throws(() => r.readRecord(), (e: unknown) => e instanceof TlsAlertError && e.alert === "bad_certificate" && e.direction === "received" && e.alertNumber === 42);
    w.destroy();
    r.destroy();
  });

  for (const hash of ["sha256", "sha384"] as NodeHash[]) {
    test(`${variant}: TLS 1.2 key schedule (${hash}) equals P_${hash} built on Node's HMAC (RFC 5246 §5)`, async () => {
      const core = await shippedCore(variant);
      const pms = testBytes(48, 11);
      const cr = testBytes(32, 12);
      const sr = testBytes(32, 13);
      const messages = [testBytes(200, 14), testBytes(1500, 15), testBytes(70, 16)];
      const t = TlsTranscript.create(core); // both hashes, as before the ServerHello
      t.update(...messages);
      t.select(hash);
      const sessionHash = createHash(hash).update(Buffer.concat(messages)).digest();
      assert.equal(toHex(t.hash()), toHex(sessionHash));

      // extended master secret (RFC 7627 §4)
      const ems = Tls12KeySchedule.fromExtendedMasterSecret(core, { hash, preMasterSecret: pms, transcript: t, clientRandom: cr, serverRandom: sr });
      const emsRef = prf12(hash, pms, "extended master secret", sessionHash, 48);
      assert.equal(toHex(ems.masterSecret.reveal()), toHex(emsRef));
      // classic master secret (RFC 5246 §8.1), from a pre-master secret held in the core
      const pmsHandle = TlsSecret.import(core, pms);
      const classic = Tls12KeySchedule.fromMasterSecret(core, { hash, preMasterSecret: pmsHandle, clientRandom: cr, serverRandom: sr });
      const msRef = prf12(hash, pms, "master secret", Buffer.concat([cr, sr]), 48);
      assert.equal(toHex(classic.masterSecret.reveal()), toHex(msRef));
      pmsHandle.destroy();

      // key block (server_random first, RFC 5246 §6.3), 100 bytes to cross several P_hash blocks
      const kbRef = prf12(hash, emsRef, "key expansion", Buffer.concat([sr, cr]), 100);
      assert.equal(toHex(ems.keyBlock(100)), toHex(kbRef));

      // Finished verify_data (RFC 5246 §7.4.9), and its constant-time check
      for (const sender of ["client", "server"] as const) {
        const ref = prf12(hash, emsRef, `${sender} finished`, sessionHash, 12);
        assert.equal(toHex(ems.finished(sender, t)), toHex(ref));
        ems.verifyFinished(sender, t, ref);
        const bad = Buffer.from(ref);
        bad[0]! ^= 0x80;
        assert.throws(() => ems.verifyFinished(sender, t, bad), (e: unknown) => e instanceof TlsAlertError && e.alert === "decrypt_error");
        assert.throws(() => ems.verifyFinished(sender, t, ref.subarray(0, 11)), (e: unknown) => e instanceof TlsAlertError && e.alert === "decrypt_error");
      }

      // RFC 5705 exporter, with and without context (they differ)
      const label = "EXPORTER-test-label";
      const ctx = testBytes(20, 17);
      assert.equal(toHex(ems.exportKeyingMaterial(label, ctx, 42)), toHex(prf12(hash, emsRef, label, Buffer.concat([cr, sr, Buffer.from([0, 20]), ctx]), 42)));
      assert.equal(toHex(ems.exportKeyingMaterial(label, undefined, 42)), toHex(prf12(hash, emsRef, label, Buffer.concat([cr, sr]), 42)));
      assert.notEqual(toHex(ems.exportKeyingMaterial(label, new Uint8Array(0), 16)), toHex(ems.exportKeyingMaterial(label, undefined, 16)));

      // installTls12: each side's key and salt from the key block, kept inside the core
      const suite = SUITES.find((s) => s.hash === hash)!;
      const kl = suite.keyLength;
      const kb = prf12(hash, emsRef, "key expansion", Buffer.concat([sr, cr]), 2 * kl + 8);
      const ck = kb.subarray(0, kl), sk = kb.subarray(kl, 2 * kl), civ = kb.subarray(2 * kl, 2 * kl + 4), siv = kb.subarray(2 * kl + 4);
      const client = TlsRecordLayer.create(core);
      const server = TlsRecordLayer.create(core);
      client.installTls12("write", suite, ems, "client");
      client.installTls12("read", suite, ems, "server");
      server.installTls12("write", suite, ems, "server");
      server.installTls12("read", suite, ems, "client");
      const msg = testBytes(300, 18);
      const c2s = client.seal(ContentType.applicationData, msg);
      assert.equal(toHex(c2s), toHex(seal12(ck, civ, 0n, 23, msg)));
      const s2c = server.seal(ContentType.handshake, msg);
      assert.equal(toHex(s2c), toHex(seal12(sk, siv, 0n, 22, msg)));
      server.feed(c2s);
      client.feed(s2c);
      assert.equal(toHex(server.readRecord()!.data), toHex(msg));
      assert.equal(toHex(client.readRecord()!.data), toHex(msg));
      // TLS 1.2 keys are installed once: no renegotiation, no KeyUpdate
      assert.throws(() => client.installTls12("write", suite, ems, "client"), (e: unknown) => (e as { code?: string }).code === "ERR_CORE_STATE");
      assert.throws(() => client.keyUpdate("write"), (e: unknown) => (e as { code?: string }).code === "ERR_CORE_STATE");

      for (const x of [client, server, ems, classic, t]) x.destroy();
      assert.throws(() => ems.finished("client", t), (e: unknown) => (e as { code?: string }).code !== undefined);
    });
  }
}
