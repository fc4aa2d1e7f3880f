// Record framing, reassembly and the receive-side rules that need no keys: unprotected records
// (before the handshake installs keys), fragmentation, chunked input at every byte boundary, and
// the hostile headers every record is checked against (RFC 8446 §5, §5.1, §6; RFC 5246 §6.2.1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { TlsRecordLayer, TlsAlertError, TlsError, ContentType, CoreError, type Core } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { hex, toHex } from "../../helpers/vectors.js";

function header(type: number, version: number, len: number): Uint8Array {
  return Uint8Array.of(type, version >> 8, version & 0xff, len >> 8, len & 0xff);
}

function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const r = new Uint8Array(5 + body.length);
  r.set(header(type, version, body.length));
  r.set(body, 5);
  return r;
}

function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function isAlert(name: string, direction: "sent" | "received" = "sent") {
  return (e: unknown) => {
    assert.ok(e instanceof TlsAlertError, `expected TlsAlertError, got ${String(e)}`);
    assert.equal(e.code, "ERR_TLS_ALERT");
    assert.equal(e.alert, name);
    assert.equal(e.direction, direction);
    return true;
  };
}

for (const variant of VARIANTS) {
  const core = () => shippedCore(variant);
  const layer = async (): Promise<[Core, TlsRecordLayer]> => {
    const c = await core();
    return [c, TlsRecordLayer.create(c)];
  };

  test(`${variant}: unprotected handshake is fragmented at 2^14 and reassembled from one chunk`, async () => {
    const [, rl] = await layer();
    const msg = bytes(40000);
    rl.setLegacyRecordVersion(0x0301);
    const wire = rl.seal(ContentType.handshake, msg);
    assert.equal(wire.length, 40000 + 3 * 5);
    assert.equal(toHex(wire.subarray(0, 5)), "1603014000");
    assert.equal(toHex(wire.subarray(16389, 16394)), "1603014000");
    assert.equal(toHex(wire.subarray(32778, 32783)), "1603011c40");
    const rd = TlsRecordLayer.create(await core());
    rd.feed(wire);
    const recs = rd.readRecords();
    assert.deepEqual(recs.map((r) => r.data.length), [16384, 16384, 7232]);
    assert.ok(recs.every((r) => r.type === ContentType.handshake));
    assert.deepEqual(concat(...recs.map((r) => r.data)), msg);
    assert.equal(rd.atRecordBoundary, true);
    rl.destroy();
    rd.destroy();
  });

  test(`${variant}: records split at every byte boundary, and byte by byte, reassemble exactly`, async () => {
    const c = await core();
    const wire = concat(record(22, bytes(37)), record(22, bytes(1, 9)), record(21, Uint8Array.of(1, 0)));
    for (let cut = 0; cut <= wire.length; cut++) {
      const rd = TlsRecordLayer.create(c);
      rd.feed(wire.subarray(0, cut));
      const first = rd.readRecords();
      rd.feed(wire.subarray(cut));
      const all = first.concat(rd.readRecords());
      assert.equal(all.length, 3, `cut at ${cut}`);
      assert.deepEqual(all[0]!.data, bytes(37));
      assert.deepEqual(all[1]!.data, bytes(1, 9));
      assert.equal(all[2]!.type, ContentType.alert);
      rd.destroy();
    }
    const rd = TlsRecordLayer.create(c);
    const got = [];
    for (const b of wire) {
      rd.feed(Uint8Array.of(b));
      got.push(...rd.readRecords());
    }
    assert.equal(got.length, 3);
    assert.equal(rd.atRecordBoundary, true);
    rd.destroy();
  });

  test(`${variant}: a partial record waits for more bytes and is not a record boundary`, async () => {
    const [, rd] = await layer();
    rd.feed(header(22, 0x0303, 10));
    assert.equal(rd.readRecord(), null);
    assert.equal(rd.atRecordBoundary, false);
    assert.equal(rd.pendingInput, 5);
    rd.feed(bytes(4));
    assert.equal(rd.readRecord(), null);
    assert.equal(rd.pendingInput, 9);
    rd.feed(bytes(6));
    assert.equal(rd.readRecord()!.data.length, 10);
    assert.equal(rd.atRecordBoundary, true);
    rd.destroy();
  });

  test(`${variant}: hostile headers give their alert before any body arrives`, async () => {
    const cases: [string, Uint8Array, string][] = [
      ["unknown content type 24 (heartbeat)", header(24, 0x0303, 3), "unexpected_message"],
      ["content type 0", header(0, 0x0303, 3), "unexpected_message"],
      ["an HTTP request", new TextEncoder().encode("GET / HTTP/1.1\r\n"), "unexpected_message"],
      ["SSLv2-style header", Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01), "unexpected_message"],
      ["major version 2", header(22, 0x0200, 3), "protocol_version"],
      ["unprotected length 2^14 + 1", header(22, 0x0303, 16385), "record_overflow"],
      ["length 2^14 + 257", header(22, 0x0303, 16384 + 257), "record_overflow"],
      ["length 0xffff", header(23, 0x0303, 0xffff), "record_overflow"],
    ];
    for (const [what, wire, alert] of cases) {
      const [, rd] = await layer();
      rd.feed(wire);
      let err: unknown;
      try {
        rd.readRecord();
      } catch (e) {
        err = e;
      }
      assert.ok(isAlert(alert)(err), what);
      const e = err as TlsAlertError;
      assert.equal(e.fatal, true);
      // the alert this side sends is ready for the socket (unprotected here: 15 03 03 00 02 02 <desc>)
      assert.equal(toHex(e.alertRecord!), `1503030002 02${e.alertNumber.toString(16).padStart(2, "0")}`.replace(" ", ""), what);
      // sticky: the read direction stays failed, and no second alert is produced
      rd.feed(record(22, bytes(4)));
      assert.throws(() => rd.readRecord(), (e2: unknown) => isAlert(alert)(e2) && (e2 as TlsAlertError).alertRecord === undefined);
      // and the write direction is closed after the fatal alert
      assert.throws(() => rd.seal(ContentType.handshake, bytes(3)), (e3: unknown) => e3 instanceof TlsError && e3.code === "ERR_TLS_CLOSED");
      rd.destroy();
    }
  });

  test(`${variant}: unprotected records with forbidden contents`, async () => {
    const cases: [string, Uint8Array, string][] = [
      ["application data before keys", record(23, bytes(5)), "unexpected_message"],
      ["empty handshake fragment", record(22, new Uint8Array(0)), "unexpected_message"],
      ["alert of 3 bytes", record(21, Uint8Array.of(2, 40, 0)), "decode_error"],
      ["alert of 1 byte", record(21, Uint8Array.of(2)), "decode_error"],
      ["alert level 3", record(21, Uint8Array.of(3, 40)), "decode_error"],
      ["change_cipher_spec before any handshake", record(20, Uint8Array.of(1)), "unexpected_message"],
    ];
    for (const [what, wire, alert] of cases) {
      const [, rd] = await layer();
      rd.feed(wire);
      assert.throws(() => rd.readRecord(), isAlert(alert), what);
      rd.destroy();
    }
  });

  test(`${variant}: TLS 1.3 compatibility change_cipher_spec is dropped only while allowed and only as {0x01}`, async () => {
    const [, rd] = await layer();
    rd.setVersion("1.3");
    rd.allowCompatibilityChangeCipherSpec(true);
    rd.feed(concat(record(20, Uint8Array.of(1)), record(22, bytes(3))));
    const r = rd.readRecord()!;
    assert.equal(r.type, ContentType.handshake, "the CCS was dropped, the handshake record delivered");
    rd.feed(record(20, Uint8Array.of(2)));
    assert.throws(() => rd.readRecord(), isAlert("unexpected_message"));
    rd.destroy();

    const [, rd2] = await layer();
    rd2.setVersion("1.3");
    rd2.allowCompatibilityChangeCipherSpec(true);
    rd2.feed(record(20, Uint8Array.of(1, 1)));
    assert.throws(() => rd2.readRecord(), isAlert("unexpected_message"), "two bytes");
    rd2.destroy();

    const [, rd3] = await layer();
    rd3.setVersion("1.3");
    rd3.feed(record(20, Uint8Array.of(1)));
    assert.throws(() => rd3.readRecord(), isAlert("unexpected_message"), "not allowed (after the peer's Finished)");
    rd3.destroy();

    // a flood of dropped records is refused after 16 in a row (as Go's maxUselessRecords)
    const [, rd4] = await layer();
    rd4.setVersion("1.3");
    rd4.allowCompatibilityChangeCipherSpec(true);
    const ccs = record(20, Uint8Array.of(1));
    for (let i = 0; i < 16; i++) rd4.feed(ccs);
    assert.equal(rd4.readRecord(), null);
    rd4.feed(ccs);
    assert.throws(() => rd4.readRecord(), isAlert("unexpected_message"));
    rd4.destroy();
  });

  test(`${variant}: TLS 1.2 change_cipher_spec is delivered; a malformed one is decode_error`, async () => {
    const [, rd] = await layer();
    rd.setVersion("1.2");
    rd.feed(record(20, Uint8Array.of(1)));
    const r = rd.readRecord()!;
    assert.equal(r.type, ContentType.changeCipherSpec);
    assert.deepEqual(r.data, Uint8Array.of(1));
    rd.feed(record(20, Uint8Array.of(0)));
    assert.throws(() => rd.readRecord(), isAlert("decode_error"));
    rd.destroy();
  });

  test(`${variant}: TLS 1.2 record versions other than 0x0303 are protocol_version`, async () => {
    const [, rd] = await layer();
    rd.setVersion("1.2");
    rd.feed(record(22, bytes(4), 0x0301));
    assert.throws(() => rd.readRecord(), isAlert("protocol_version"));
    rd.destroy();
    // TLS 1.3 ignores legacy_record_version (RFC 8446 §5.1) as long as it looks like TLS
    const [, rd13] = await layer();
    rd13.setVersion("1.3");
    rd13.feed(record(22, bytes(4), 0x0301));
    assert.equal(rd13.readRecord()!.data.length, 4);
    rd13.destroy();
  });

  test(`${variant}: alerts from the peer: fatal ones fail the read side, close_notify ends it`, async () => {
    const [, rd] = await layer();
    rd.feed(record(21, Uint8Array.of(2, 42)));
    assert.throws(() => rd.readRecord(), (e: unknown) => isAlert("bad_certificate", "received")(e) && (e as TlsAlertError).alertNumber === 42 && (e as TlsAlertError).alertRecord === undefined);
    rd.feed(record(22, bytes(3)));
    assert.throws(() => rd.readRecord(), isAlert("bad_certificate", "received"), "sticky");
    assert.ok(isAlert("bad_certificate", "received")(rd.failure("read")));
    assert.equal(rd.failure("write"), undefined, "receiving an alert does not close our write side");
    rd.destroy();

    const [, rd2] = await layer();
    rd2.feed(concat(record(21, Uint8Array.of(1, 0)), record(22, bytes(3))));
    const a = rd2.readRecord()!;
    assert.equal(a.type, ContentType.alert);
    assert.deepEqual(a.data, Uint8Array.of(1, 0));
    assert.equal(rd2.readClosed, true);
    assert.equal(rd2.readRecord(), null, "data after close_notify is ignored (RFC 8446 §6.1)");
    rd2.destroy();

    // TLS 1.2: a warning alert other than close_notify passes through; TLS 1.3 treats it as fatal
    const [, rd3] = await layer();
    rd3.setVersion("1.2");
    rd3.feed(record(21, Uint8Array.of(1, 100)));
    assert.deepEqual(rd3.readRecord()!.data, Uint8Array.of(1, 100));
    rd3.destroy();
    const [, rd4] = await layer();
    rd4.setVersion("1.3");
    rd4.feed(record(21, Uint8Array.of(1, 100)));
    assert.throws(() => rd4.readRecord(), isAlert("no_renegotiation_RESERVED", "received"));
    rd4.destroy();
    const [, rd5] = await layer();
    rd5.setVersion("1.3");
    rd5.feed(record(21, Uint8Array.of(1, 90)));
    assert.deepEqual(rd5.readRecord()!.data, Uint8Array.of(1, 90), "user_canceled is a closure alert, not an error");
    rd5.destroy();
  });

  test(`${variant}: sending alerts closes the write side; close_notify is a warning`, async () => {
    const [, rl] = await layer();
    assert.equal(toHex(rl.closeNotify()), "15030300020100");
    assert.throws(() => rl.seal(ContentType.handshake, bytes(2)), (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_CLOSED");
    rl.destroy();
    const [, rl2] = await layer();
    assert.equal(toHex(rl2.sealAlert("handshake_failure")), "15030300020228");
    assert.throws(() => rl2.sealAlert("close_notify"), (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_CLOSED");
    rl2.destroy();
  });

  test(`${variant}: seal refuses what must never be sent`, async () => {
    const [, rl] = await layer();
    assert.throws(() => rl.seal(ContentType.applicationData, bytes(3)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_STATE", "application data in the clear");
    assert.throws(() => rl.seal(ContentType.handshake, new Uint8Array(0)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG", "empty handshake");
    assert.throws(() => rl.seal(ContentType.changeCipherSpec, Uint8Array.of(2)), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG");
    assert.throws(() => rl.seal(ContentType.alert, Uint8Array.of(1, 0)), (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_ARG");
    // TLS 1.3 compatibility CCS is always the unprotected 14 03 03 00 01 01
    rl.setVersion("1.3");
    assert.equal(toHex(rl.seal(ContentType.changeCipherSpec, Uint8Array.of(1))), "140303000101");
    rl.destroy();
  });

  test(`${variant}: record_size_limit does not apply to unprotected records (RFC 8449 §4)`, async () => {
    const [, rl] = await layer();
    rl.setRecordSizeLimit("write", 64);
    assert.equal(rl.maxFragment, 16384);
    assert.throws(() => rl.setRecordSizeLimit("write", 63), (e: unknown) => e instanceof CoreError && e.code === "ERR_CORE_ARG");
    rl.destroy();
  });

  test(`${variant}: the raw exports refuse bad pointers and uninitialised contexts without trapping`, async () => {
    const c = await core();
    const f = (n: string) => c.fn(n);
    const end = c.arena.end;
    const h = c.arena.alloc(f("tls_half_ctx_size")());
    const r = c.arena.alloc(f("tls_reasm_ctx_size")());
    const buf = c.arena.alloc(64);
    assert.equal(f("tls_half_init")(0, 0), -1, "context in static data");
    assert.equal(f("tls_half_init")(end - 8, 0), -1, "context past the end");
    assert.equal(f("tls_record_seal")(h, 22, buf, 4, buf + 8, 32), -7, "uninitialised half: ERR_STATE");
    assert.equal(f("tls_half_init")(h, 2), -2, "bad direction");
    assert.equal(f("tls_half_init")(h, 1), 0);
    assert.equal(f("tls_record_seal")(h, 22, buf, 4, end - 4, 32), -1, "output past the end");
    assert.equal(f("tls_record_seal")(h, 22, 0xfffffff0, 0x20, buf, 32), -1, "input wraps");
    assert.equal(f("tls_record_seal")(h, 22, buf, 16, buf + 8, 32), -2, "overlapping input and output");
    assert.equal(f("tls_record_seal")(h, 22, buf, 4, buf + 16, 8), -4, "capacity too small");
    assert.equal(f("tls_record_seal")(h, 22, buf, 4, buf + 16, 9), 9);
    assert.equal(f("tls_record_open")(h, buf + 16, 9, buf + 32, 16), -7, "open on a write half");
    assert.equal(f("tls_reasm_feed")(r, h, buf, 4), -7, "uninitialised reassembly buffer");
    assert.equal(f("tls_reasm_init")(r), 0);
    assert.equal(f("tls_reasm_feed")(r, h, buf, 4), -7, "reassembly with a write half");
    assert.equal(f("tls_half_init")(h, 0), 0);
    assert.equal(f("tls_reasm_commit")(r, h, 6), -2, "commit more than wanted");
    assert.equal(f("tls_reasm_open")(r, h, buf, 64), -7, "no complete record");
    assert.equal(f("tls_transcript_update")(buf, buf, 4), -7, "transcript not initialised");
    assert.equal(f("tls13_ks_derive")(buf, 5, 0, buf), -7, "key schedule not initialised");
    for (const p of [h, r, buf]) c.arena.release(p);
  });
}

test("a destroyed record layer refuses every call with ERR_TLS_DESTROYED and its contexts are wiped", async () => {
  const core = await shippedCore("simd");
  const warm = TlsRecordLayer.create(core); // allocates the core's shared staging buffers once
  warm.installKeys("write", "TLS_AES_128_GCM_SHA256", bytes(16), bytes(12));
  warm.seal(ContentType.applicationData, bytes(100));
  warm.destroy();
  const before = core.arena.inUse;
  const rl = TlsRecordLayer.create(core);
  rl.installKeys("write", "TLS_AES_128_GCM_SHA256", bytes(16), bytes(12));
  rl.seal(ContentType.applicationData, bytes(100));
  rl.destroy();
  rl.destroy();
  assert.equal(core.arena.inUse, before, "the per-connection blocks are freed (shared I/O buffers stay with the core)");
  const destroyed = (e: unknown) => e instanceof TlsError && e.code === "ERR_TLS_DESTROYED";
  assert.throws(() => rl.seal(ContentType.applicationData, bytes(1)), destroyed);
  assert.throws(() => rl.readRecord(), destroyed);
  assert.throws(() => rl.sealAlert("close_notify"), destroyed);
  assert.throws(() => rl.keyUpdate("write"), destroyed);
});
