// TLS 1.3 record protection beyond the RFC 8448 trace: differential tests against Node's AES-GCM over
// the RFC 8446 §5.2-5.4 construction (padding both ways, AES-256), record_size_limit (RFC 8449),
// AEAD usage limits (RFC 8446 §5.5), sequence-number exhaustion, and hostile protected records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TlsRecordLayer, TlsAlertError, TlsError, ContentType, cipherSuite, type Core } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { hex, toHex, loadVectors } from "../../helpers/vectors.js";
import { seal13, sealInner13, openInner13, testBytes, be64 } from "./record-helpers.js";

const AES128 = cipherSuite("TLS_AES_128_GCM_SHA256")!;
const AES256 = cipherSuite("TLS_AES_256_GCM_SHA384")!;

function pair(core: Core, suite = AES128) {
  const key = testBytes(suite.keyLength, 21);
  const iv = testBytes(12, 22);
  const w = TlsRecordLayer.create(core);
  const r = TlsRecordLayer.create(core);
  w.installKeys("write", suite, key, iv);
  r.installKeys("read", suite, key, iv);
  return { w, r, key, iv };
}

function alertIs(name: string, direction: "sent" | "received" = "sent") {
  return (e: unknown) => e instanceof TlsAlertError && e.alert === name && e.direction === direction;
}

for (const variant of VARIANTS) {
  test(`${variant}: TLS 1.3 records equal Node's AES-GCM over RFC 8446 §5.2, both ways, with and without padding`, async () => {
    const core = await shippedCore(variant);
    for (const suite of [AES128, AES256]) {
      const { w, r, key, iv } = pair(core, suite);
      let seq = 0n;
      for (const [i, n] of [0, 1, 15, 16, 31, 500, 4096, 16383, 16384].entries()) {
        const type = i % 3 === 0 ? ContentType.applicationData : ContentType.handshake;
        if (n === 0 && type !== ContentType.applicationData) continue;
        const pt = testBytes(n, i + 30);
        const ours = w.seal(type, pt);
        assert.equal(toHex(ours), toHex(seal13(key, iv, seq, type, pt)), `seal ${n}`);
        // a peer that pads: any amount up to the inner limit
        const pad = Math.min(i * 37, 16385 - n - 1);
        r.feed(seal13(key, iv, seq, type, pt, pad));
        const got = r.readRecord()!;
        assert.equal(got.type, type);
        assert.equal(toHex(got.data), toHex(pt), `open ${n} with ${pad} bytes of padding`);
        seq++;
      }
      w.destroy();
      r.destroy();
    }
  });

  test(`${variant}: TLS 1.3 send padding rounds TLSInnerPlaintext up to the block, capped at 2^14 + 1`, async () => {
    const core = await shippedCore(variant);
    const { w, key, iv, r } = pair(core);
    w.setPadding(256);
    const rec = w.seal(ContentType.handshake, testBytes(10, 1));
    assert.equal(rec.length, 5 + 256 + 16);
    const inner = openInner13(key, iv, 0n, rec);
    assert.equal(toHex(inner.subarray(0, 11)), toHex(Buffer.concat([testBytes(10, 1), Buffer.from([22])])));
    assert.ok(inner.subarray(11).every((b) => b === 0), "padding octets are zero (RFC 8446 §5.4)");
    const full = w.seal(ContentType.applicationData, testBytes(16384, 2));
    assert.equal(full.length, 5 + 16385 + 16, "a full record is not padded past 2^14 + 1");
    r.feed(rec);
    r.feed(full);
    assert.deepEqual(r.readRecords().map((x) => x.data.length), [10, 16384]);
    w.destroy();
    r.destroy();
  });

  test(`${variant}: record_size_limit: the writer fragments to the peer's limit, the reader enforces ours (RFC 8449)`, async () => {
    const core = await shippedCore(variant);
    const { w, r, key, iv } = pair(core);
    w.setRecordSizeLimit("write", 100); // includes the content type in TLS 1.3
    assert.equal(w.maxFragment, 99);
    const wire = w.seal(ContentType.applicationData, testBytes(250, 3));
    assert.equal(wire.length, 3 * (5 + 16) + 250 + 3);
    r.setRecordSizeLimit("read", 100);
    r.feed(wire);
    assert.deepEqual(r.readRecords().map((x) => x.data.length), [99, 99, 52]);
    // a record with a 101-byte inner plaintext breaks our advertised limit of 100
    r.feed(seal13(key, iv, 3n, 23, testBytes(100, 4)));
    assert.throws(() => r.readRecord(), alertIs("record_overflow"));
    w.destroy();
    r.destroy();
    // the ciphertext length is refused from the header alone once it exceeds limit + 256
    const r2 = TlsRecordLayer.create(core);
    r2.installKeys("read", AES128, key, iv);
    r2.setRecordSizeLimit("read", 100);
    r2.feed(Uint8Array.of(23, 3, 3, 0x01, 0x5d)); // 349 = 100 + 255 allowed? no: 349 > 355? -> allowed length is 355
    assert.equal(r2.readRecord(), null, "349 <= 100 + 255 is still waiting for its body");
    r2.destroy();
    const r3 = TlsRecordLayer.create(core);
    r3.installKeys("read", AES128, key, iv);
    r3.setRecordSizeLimit("read", 100);
    r3.feed(Uint8Array.of(23, 3, 3, 0x01, 0x64)); // 356 > 355
    assert.throws(() => r3.readRecord(), alertIs("record_overflow"));
    r3.destroy();
  });

  test(`${variant}: hostile TLS 1.3 records: each gives its alert, none leaks plaintext, later records fail too`, async () => {
    const core = await shippedCore(variant);
    const key = testBytes(16, 41);
    const iv = testBytes(12, 42);
    const pt = testBytes(80, 43);
    const good = seal13(key, iv, 0n, 23, pt);
    const flip = (at: number) => {
      const b = Buffer.from(good);
      b[at]! ^= 0x40;
      return b;
    };
    const cases: [string, Uint8Array, string][] = [
      ["tampered tag", flip(good.length - 1), "bad_record_mac"],
      ["tampered ciphertext", flip(9), "bad_record_mac"],
      ["tampered header version (in the AAD)", flip(2), "bad_record_mac"],
      ["record of the next sequence number", seal13(key, iv, 1n, 23, pt), "bad_record_mac"],
      ["record under another key", seal13(testBytes(16, 1), iv, 0n, 23, pt), "bad_record_mac"],
      ["ciphertext shorter than a tag", Buffer.from([23, 3, 3, 0, 15, ...testBytes(15, 5)]), "bad_record_mac"],
      ["length 2^14 + 257", Buffer.from([23, 3, 3, 0x41, 0x01]), "record_overflow"],
      ["inner plaintext 2^14 + 2 (authentic)", sealInner13(key, iv, 0n, Buffer.concat([testBytes(16384, 6), Buffer.from([23, 0])])), "record_overflow"],
      ["all-zero inner plaintext", sealInner13(key, iv, 0n, Buffer.alloc(40)), "unexpected_message"],
      ["empty inner plaintext", sealInner13(key, iv, 0n, Buffer.alloc(0)), "unexpected_message"],
      ["protected change_cipher_spec", seal13(key, iv, 0n, 20, Uint8Array.of(1)), "unexpected_message"],
      ["inner content type 24", seal13(key, iv, 0n, 24, pt), "unexpected_message"],
      ["inner content type 1", seal13(key, iv, 0n, 1, pt), "unexpected_message"],
      ["outer type handshake once protected", sealInner13(key, iv, 0n, Buffer.concat([pt, Buffer.from([22])]), 22), "unexpected_message"],
      ["plaintext alert once protected", Buffer.from([21, 3, 3, 0, 2, 2, 40]), "unexpected_message"],
      ["empty handshake content", seal13(key, iv, 0n, 22, new Uint8Array(0)), "unexpected_message"],
      ["empty alert content", seal13(key, iv, 0n, 21, new Uint8Array(0)), "unexpected_message"],
      ["alert of 3 bytes", seal13(key, iv, 0n, 21, Uint8Array.of(2, 40, 1)), "decode_error"],
      ["unprotected CCS not allowed", Buffer.from([20, 3, 3, 0, 1, 1]), "unexpected_message"],
    ];
    for (const [what, rec, alert] of cases) {
      const r = TlsRecordLayer.create(core);
      r.installKeys("read", AES128, key, iv);
      r.installKeys("write", AES128, key, iv);
      r.feed(rec);
      let err: unknown;
      try {
        r.readRecord();
      } catch (e) {
        err = e;
      }
      assert.ok(alertIs(alert)(err), `${what}: got ${String(err)}`);
      // the alert goes out protected under this layer's write keys: a 2-byte alert record
      const ar = (err as TlsAlertError).alertRecord!;
      assert.equal(ar.length, 5 + 2 + 1 + 16, what);
      assert.equal(toHex(openInner13(key, iv, 0n, ar)), `02${(err as TlsAlertError).alertNumber.toString(16).padStart(2, "0")}15`);
      r.feed(good);
      assert.throws(() => r.readRecord(), alertIs(alert), `${what}: the next, valid record is refused`);
      r.destroy();
    }
  });

  test(`${variant}: no plaintext escapes a refused record: untouched on bad_record_mac, zeroed after a content-rule failure (ABI)`, async () => {
    const core = await shippedCore(variant);
    const f = (n: string) => core.fn(n);
    const key = testBytes(16, 61);
    const iv = testBytes(12, 62);
    const secretish = Buffer.alloc(200, 0x77);
    const cases: [Buffer, number, boolean][] = [
      [(() => { const b = seal13(key, iv, 0n, 23, secretish); b[b.length - 1]! ^= 1; return b; })(), -65, false],
      [seal13(key, iv, 0n, 21, secretish), -67, true], // authentic, but a 200-byte alert
      [seal13(key, iv, 0n, 20, secretish), -66, true], // authentic, but a protected change_cipher_spec
      [sealInner13(key, iv, 0n, Buffer.concat([secretish, Buffer.from([99])])), -66, true], // unknown inner type
    ];
    for (const [rec, status, decrypted] of cases) {
      const h = core.arena.alloc(f("tls_half_ctx_size")());
      const rp = core.put(rec);
      const out = core.arena.alloc(512);
      core.withBlocks([16, 12], (kp, ip) => {
        core.u8.set(key, kp!);
        core.u8.set(iv, ip!);
        f("tls_half_init")(h, 0);
        f("tls_half_set_key")(h, 0x0304, 1, kp!, 16, ip!, 12);
      });
      core.u8.fill(0xa5, out, out + 512);
      assert.equal(f("tls_record_open")(h, rp, rec.length, out, 512), status);
      const o = core.u8.subarray(out, out + 512);
      assert.ok(!o.includes(0x77), "no plaintext byte in the output");
      const inner = rec.length - 5 - 16;
      if (decrypted) assert.ok(o.subarray(0, inner).every((b) => b === 0) && o.subarray(inner).every((b) => b === 0xa5), "decrypted range zeroed, rest untouched");
      else assert.ok(o.every((b) => b === 0xa5), "untouched");
      f("tls_half_close")(h);
      for (const p of [h, rp, out]) core.arena.release(p);
    }
  });

  test(`${variant}: a protected record split at every byte boundary opens the same, and so does a tampered one fail the same`, async () => {
    const core = await shippedCore(variant);
    const v = loadVectors("tls13_rfc8448_simple_1rtt");
    const c = v.cases.find((x) => (x.name as string).includes("{client} send application_data"))!;
    const rec = hex(c.encrypted_record);
    const bad = Uint8Array.from(rec);
    bad[bad.length - 5]! ^= 1;
    for (let cut = 0; cut <= rec.length; cut++) {
      for (const [wire, ok] of [[rec, true], [bad, false]] as const) {
        const r = TlsRecordLayer.create(core);
        r.installKeys("read", AES128, hex(c.key), hex(c.iv));
        r.feed(wire.subarray(0, cut));
        if (cut < wire.length) assert.equal(r.readRecord(), null);
        r.feed(wire.subarray(cut));
        if (ok) assert.equal(toHex(r.readRecord()!.data), c.plaintext_payload);
        else assert.throws(() => r.readRecord(), alertIs("bad_record_mac"));
        r.destroy();
      }
    }
  });

  test(`${variant}: empty application data is allowed, but not 17 in a row`, async () => {
    const core = await shippedCore(variant);
    const { w, r } = pair(core);
    for (let i = 0; i < 16; i++) r.feed(w.seal(ContentType.applicationData, new Uint8Array(0)));
    r.feed(w.seal(ContentType.applicationData, Uint8Array.of(7)));
    const recs = r.readRecords();
    assert.equal(recs.length, 17);
    assert.deepEqual(recs[16]!.data, Uint8Array.of(7));
    for (let i = 0; i < 17; i++) r.feed(w.seal(ContentType.applicationData, new Uint8Array(0)));
    assert.throws(() => r.readRecords(), alertIs("unexpected_message"));
    w.destroy();
    r.destroy();
  });

  test(`${variant}: protected alerts: fatal received, close_notify closes, user_canceled passes`, async () => {
    const core = await shippedCore(variant);
    const a = pair(core);
    a.r.feed(a.w.sealAlert("certificate_required"));
    assert.throws(() => a.r.readRecord(), alertIs("certificate_required", "received"));
    assert.throws(() => a.w.seal(ContentType.applicationData, Uint8Array.of(1)), (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_CLOSED");
    a.w.destroy();
    a.r.destroy();
    const b = pair(core);
    b.r.feed(b.w.sealAlert("user_canceled"));
    b.r.feed(b.w.seal(ContentType.applicationData, Uint8Array.of(1, 2)));
    b.r.feed(b.w.closeNotify());
    const recs = b.r.readRecords();
    assert.deepEqual(recs.map((x) => [x.type, toHex(x.data)]), [[21, "015a"], [23, "0102"], [21, "0100"]]);
    assert.equal(b.r.readClosed, true);
    b.w.destroy();
    b.r.destroy();
  });

  test(`${variant}: AEAD usage limits: soft limit signals a KeyUpdate once, hard limit stops application data, KeyUpdate resets`, async () => {
    const core = await shippedCore(variant);
    let signalled = 0;
    const w = TlsRecordLayer.create(core, { usageLimits: { soft: 3, hard: 20 }, onKeyUpdateDue: () => signalled++ });
    const r = TlsRecordLayer.create(core);
    const key = testBytes(16, 1);
    const iv = testBytes(12, 2);
    const { TlsSecret } = await import("../../../host/index.js");
    const s = TlsSecret.import(core, testBytes(32, 3), "sha256");
    w.installTls13("write", AES128, s);
    r.installTls13("read", AES128, s);
    for (let i = 0; i < 3; i++) r.feed(w.seal(ContentType.applicationData, Uint8Array.of(i)));
    assert.equal(w.keyUpdateDue, true);
    assert.equal(signalled, 1);
    r.feed(w.seal(ContentType.applicationData, Uint8Array.of(3)));
    assert.equal(signalled, 1, "signalled once per key");
    // application data stops 16 records before the hard limit (room for KeyUpdate and alerts)
    assert.throws(() => w.seal(ContentType.applicationData, Uint8Array.of(4)), (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_KEY_LIMIT");
    assert.throws(() => w.seal(ContentType.applicationData, testBytes(16385, 1)), (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_KEY_LIMIT");
    // the KeyUpdate handshake message still goes out under the old key
    const keyUpdate = Uint8Array.of(24, 0, 0, 1, 0);
    r.feed(w.seal(ContentType.handshake, keyUpdate));
    w.keyUpdate("write");
    assert.equal(w.keyUpdateDue, false);
    assert.equal(w.sequence("write"), 0n);
    assert.equal(r.readRecords().length, 5);
    r.keyUpdate("read");
    r.feed(w.seal(ContentType.applicationData, Uint8Array.of(9)));
    assert.deepEqual(r.readRecord()!.data, Uint8Array.of(9));
    void key;
    void iv;
    s.destroy();
    w.destroy();
    r.destroy();
  });

  test(`${variant}: the 64-bit sequence number: 2^64 - 1 is the last one used, then the direction fails (ABI)`, async () => {
    const core = await shippedCore(variant);
    const f = (n: string) => core.fn(n);
    const H_SEQ = 32; // assembly/tls/half.ts layout (docs/tls-record.md)
    const key = testBytes(16, 51);
    const iv = testBytes(12, 52);
    const size = f("tls_half_ctx_size")();
    const w = core.arena.alloc(size);
    const rd = core.arena.alloc(size);
    const io = core.arena.alloc(256);
    const out = core.arena.alloc(256);
    core.withBlocks([16, 12], (kp, ip) => {
      core.u8.set(key, kp!);
      core.u8.set(iv, ip!);
      for (const [h, dir] of [[w, 1], [rd, 0]]) {
        assert.equal(f("tls_half_init")(h!, dir!), 0);
        assert.equal(f("tls_half_set_key")(h!, 0x0304, 1, kp!, 16, ip!, 12), 0);
        assert.equal(f("tls_half_set_usage_limits")(h!, 0, 0), 0);
      }
    });
    const view = new DataView(core.memory.buffer);
    const start = 0xffff_ffff_ffff_fffen;
    view.setBigUint64(w + H_SEQ, start, true);
    view.setBigUint64(rd + H_SEQ, start, true);
    for (const seq of [start, start + 1n]) {
      core.u8.set(testBytes(10, 1), io);
      const n = f("tls_record_seal")(w, 23, io, 10, out, 256);
      assert.equal(n, 5 + 11 + 16);
      const rec = core.take(out, n);
      assert.equal(toHex(rec), toHex(seal13(key, iv, seq, 23, testBytes(10, 1))), `record at seq ${seq}`);
      core.u8.set(rec, io);
      assert.equal(f("tls_record_open")(rd, io, n, out, 256), 10);
    }
    assert.equal(f("tls_half_flags")(w) & 4, 4, "exhausted");
    assert.equal(f("tls_record_seal")(w, 23, io, 10, out, 256), -72, "ERR_TLS_SEQ_EXHAUSTED");
    assert.equal(f("tls_record_seal")(w, 22, io, 10, out, 256), -72, "sticky");
    assert.equal(f("tls_alert_seal")(w, 2, 80, out, 256), -72, "not even an alert can be sent");
    core.u8.set(seal13(key, iv, 0n, 23, testBytes(10, 1)), io);
    assert.equal(f("tls_record_open")(rd, io, 32, out, 256), -72, "read side too");
    // a TLS 1.3 KeyUpdate would have reset the number; the failure itself is final
    assert.equal(f("tls13_half_key_update")(w), -72);
    // the explicit nonce of TLS 1.2 carries the whole 64-bit number
    assert.equal(be64(start).toString("hex"), "fffffffffffffffe");
    for (const p of [w, rd]) f("tls_half_close")(p);
    assert.ok(core.u8.subarray(w, w + size).every((b) => b === 0), "tls_half_close wipes the whole context");
    for (const p of [w, rd, io, out]) core.arena.release(p);
  });

  test(`${variant}: a sealed batch is all-or-nothing: capacity, limits and sequence numbers are checked first`, async () => {
    const core = await shippedCore(variant);
    const f = (n: string) => core.fn(n);
    const h = core.arena.alloc(f("tls_half_ctx_size")());
    const src = core.arena.alloc(40000);
    const out = core.arena.alloc(41000);
    core.withBlocks([16, 12], (kp, ip) => {
      assert.equal(f("tls_half_init")(h, 1), 0);
      assert.equal(f("tls_half_set_key")(h, 0x0304, 1, kp!, 16, ip!, 12), 0);
    });
    const need = f("tls_record_sealed_size")(h, 23, 40000);
    assert.equal(need, 40000 + 3 * (5 + 1 + 16));
    core.u8.fill(0xee, out, out + 41000);
    assert.equal(f("tls_record_seal")(h, 23, src, 40000, out, need - 1), -4);
    assert.ok(core.u8.subarray(out, out + 41000).every((b) => b === 0xee), "nothing written");
    assert.equal(BigInt(f("tls_half_seq")(h) as unknown as bigint), 0n, "no sequence number used");
    assert.equal(f("tls_half_set_usage_limits")(h, 0, 18), 0);
    assert.equal(f("tls_record_seal")(h, 23, src, 40000, out, 41000), -73, "3 records would pass the application-data limit of 18 - 16");
    assert.equal(f("tls_record_seal")(h, 23, src, 20000, out, 41000), need - 20000 - (5 + 1 + 16), "2 records fit");
    assert.equal(BigInt(f("tls_half_seq")(h) as unknown as bigint), 2n);
    f("tls_half_close")(h);
    for (const p of [h, src, out]) core.arena.release(p);
  });
}
