// RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256) replayed through the core:
// the transcript hashes, the key schedule from the (EC)DHE shared secret to every traffic secret,
// each traffic key and IV, both Finished messages, the resumption PSK, and all seven protected
// records opened and re-sealed byte for byte with the RFC's sequence numbers.
// Source: tests/vectors/tls13_rfc8448_simple_1rtt.json (RFC 8448 text, parsed; see its `source`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  TlsRecordLayer, TlsTranscript, TlsSecret, Tls13KeySchedule, TlsAlertError, ContentType, cipherSuite,
  tls13Finished, tls13VerifyFinished, tls13TrafficKeys, tls13ResumptionPsk, tls13NextTrafficSecret, type Core,
} from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { loadVectors, hex, toHex } from "../../helpers/vectors.js";

const V = loadVectors("tls13_rfc8448_simple_1rtt");
const SUITE = cipherSuite("TLS_AES_128_GCM_SHA256")!;
const steps = V.key_schedule as { step: string; output: string; ikm?: string; transcript_hash?: string }[];
const step = (prefix: string) => steps.find((s) => s.step.startsWith(prefix))!;
const keyCases = V.cases.filter((c) => c.type === "hkdf_expand_label_traffic_key_iv");
const recordCases = V.cases.filter((c) => c.type === "protected_record");
const plain = V.plaintext_records as { sender: string; payload: string; complete_record: string }[];
const finishedKeys = V.finished_keys as { actor: string; base_key: string; finished_key: string }[];
/**
 * RFC 8448 §3 '{server} generate resumption secret "tls13 resumption"' (ticket_nonce 00 00), as
 * quoted from the RFC text in aws/s2n-tls tests/unit/s2n_tls13_secrets_rfc8448_test.c and
 * bcgit/bc-java's RFC 8448 test; not in the vector file.
 */
const RESUMPTION_PSK = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";

/** Splits handshake messages (type, uint24 length, body). */
function handshakeMessages(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; ) {
    const len = (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!;
    out.push(data.subarray(o, o + 4 + len));
    o += 4 + len;
  }
  return out;
}

function record(name: string) {
  return recordCases.find((c) => (c.name as string).includes(name))!;
}

for (const variant of VARIANTS) {
  test(`${variant}: RFC 8448 §3 key schedule, transcript and Finished messages, end to end`, async () => {
    const core: Core = await shippedCore(variant);
    const t = TlsTranscript.create(core); // both hashes until the suite is known, as a client runs it
    const ch = hex(plain[0]!.payload);
    const sh = hex(plain[1]!.payload);
    t.update(ch, sh);
    t.select("sha256");
    const csTh = step('Derive-Secret(., "c hs traffic"').transcript_hash!;
    assert.equal(toHex(t.hash()), csTh, "Transcript-Hash(ClientHello, ServerHello)");

    const ks = Tls13KeySchedule.create(core, "sha256");
    assert.equal(ks.stage, "early");
    assert.throws(() => ks.deriveSecret("c hs traffic", t), (e: unknown) => (e as { code?: string }).code === "ERR_CORE_STATE", "handshake labels need the handshake stage");
    ks.deriveHandshakeSecret(hex(step('HKDF-Extract (extract secret "handshake")').ikm!));
    assert.equal(ks.stage, "handshake");
    const chts = ks.deriveSecret("c hs traffic", t);
    const shts = ks.deriveSecret("s hs traffic", t);
    assert.equal(toHex(chts.reveal()), step('Derive-Secret(., "c hs traffic"').output);
    assert.equal(toHex(shts.reveal()), step('Derive-Secret(., "s hs traffic"').output);

    // the server's first protected record: EncryptedExtensions .. Finished, opened with keys derived in the core
    const rl = TlsRecordLayer.create(core);
    rl.setVersion("1.3");
    rl.allowCompatibilityChangeCipherSpec(true);
    rl.installTls13("read", SUITE, shts);
    rl.feed(hex(record("EncryptedExtensions").encrypted_record));
    const flight = rl.readRecord()!;
    assert.equal(flight.type, ContentType.handshake);
    const [ee, cert, cv, sfin] = handshakeMessages(flight.data);
    assert.deepEqual([ee![0], cert![0], cv![0], sfin![0]], [8, 11, 15, 20]);
    t.update(ee!, cert!, cv!);
    // server Finished: ours equals the RFC's, the RFC's verifies, a flipped bit is decrypt_error
    const sVerify = sfin!.subarray(4);
    assert.equal(toHex(tls13Finished(core, "sha256", shts, t)), toHex(sVerify));
    tls13VerifyFinished(core, "sha256", shts, t, sVerify);
    const bad = Uint8Array.from(sVerify);
    bad[31]! ^= 1;
    assert.throws(() => tls13VerifyFinished(core, "sha256", shts, t, bad), (e: unknown) => e instanceof TlsAlertError && e.alert === "decrypt_error" && e.direction === "sent");
    assert.throws(() => tls13VerifyFinished(core, "sha256", shts, t, sVerify.subarray(0, 31)), (e: unknown) => e instanceof TlsAlertError && e.alert === "decrypt_error");
    // the finished_key of the vector file, recomputed independently: HMAC(finished_key, transcript) in Node
    const fk = finishedKeys.find((f) => f.actor === "server")!;
    assert.equal(fk.base_key, toHex(shts.reveal()));
    assert.equal(createHmac("sha256", hex(fk.finished_key)).update(t.hash()).digest("hex"), toHex(sVerify));
    t.update(sfin!);
    assert.equal(toHex(t.hash()), step('Derive-Secret(., "c ap traffic"').transcript_hash);

    ks.deriveMasterSecret();
    assert.equal(ks.stage, "master");
    const cats = ks.deriveSecret("c ap traffic", t);
    const sats = ks.deriveSecret("s ap traffic", t);
    const ems = ks.deriveSecret("exp master", t);
    assert.equal(toHex(cats.reveal()), step('Derive-Secret(., "c ap traffic"').output);
    assert.equal(toHex(sats.reveal()), step('Derive-Secret(., "s ap traffic"').output);
    assert.equal(toHex(ems.reveal()), step('Derive-Secret(., "exp master"').output);

    // the client's Finished: computed over CH..server Finished with the client handshake secret
    const cfinRec = record("client Finished");
    const cVerify = hex(cfinRec.plaintext_payload).subarray(4);
    assert.equal(toHex(tls13Finished(core, "sha256", chts, t)), toHex(cVerify));
    const cfk = finishedKeys.find((f) => f.actor === "client")!;
    assert.equal(createHmac("sha256", hex(cfk.finished_key)).update(t.hash()).digest("hex"), toHex(cVerify));
    t.update(hex(cfinRec.plaintext_payload));
    assert.equal(toHex(t.hash()), step('Derive-Secret(., "res master"').transcript_hash);
    const rms = ks.deriveSecret("res master", t);
    assert.equal(toHex(rms.reveal()), step('Derive-Secret(., "res master"').output);
    const psk = tls13ResumptionPsk(core, "sha256", rms, Uint8Array.of(0, 0));
    assert.equal(toHex(psk.reveal()), RESUMPTION_PSK);

    // "derived" steps and Extract inputs: the stage secrets themselves stay in the core; their
    // effects are checked above. Labels of another stage are refused:
    assert.throws(() => ks.deriveSecret("s hs traffic", t), (e: unknown) => (e as { code?: string }).code === "ERR_CORE_STATE");
    assert.throws(() => ks.deriveSecret("ext binder", t), (e: unknown) => (e as { code?: string }).code === "ERR_CORE_STATE");

    for (const s of [chts, shts, cats, sats, ems, rms, psk]) s.destroy();
    assert.throws(() => chts.reveal(), (e: unknown) => (e as { code?: string }).code === "ERR_TLS_SECRET_DESTROYED");
    ks.destroy();
    t.destroy();
    rl.destroy();
  });

  test(`${variant}: RFC 8448 §3 traffic keys and IVs from each traffic secret`, async () => {
    const core = await shippedCore(variant);
    for (const c of keyCases) {
      const s = TlsSecret.import(core, hex(c.traffic_secret), "sha256");
      const { key, iv } = tls13TrafficKeys(core, "sha256", s, 16);
      assert.equal(toHex(key), c.key, `${c.name} key`);
      assert.equal(toHex(iv), c.iv, `${c.name} iv`);
      s.destroy();
    }
  });

  test(`${variant}: RFC 8448 §3 all seven protected records open and re-seal byte for byte`, async () => {
    const core = await shippedCore(variant);
    const byKeys = new Map<string, typeof recordCases>();
    for (const c of recordCases) {
      const list = byKeys.get(c.keys) ?? [];
      list.push(c);
      byKeys.set(c.keys, list);
    }
    let checked = 0;
    for (const [keys, list] of byKeys) {
      list.sort((a, b) => a.sequence_number - b.sequence_number);
      const secretCase = keyCases.find((k) => k.name === keys)!;
      // one layer from the traffic secret (derivation in the core), one from the raw key and IV
      for (const mode of ["secret", "raw"] as const) {
        const reader = TlsRecordLayer.create(core);
        const writer = TlsRecordLayer.create(core);
        for (const rl of [reader, writer]) rl.setVersion("1.3");
        if (mode === "secret") {
          const s = TlsSecret.import(core, hex(secretCase.traffic_secret), "sha256");
          reader.installTls13("read", SUITE, s);
          writer.installTls13("write", SUITE, s);
          s.destroy();
        } else {
          reader.installKeys("read", SUITE, hex(list[0]!.key), hex(list[0]!.iv));
          writer.installKeys("write", SUITE, hex(list[0]!.key), hex(list[0]!.iv));
        }
        for (const c of list) {
          assert.equal(reader.sequence("read"), BigInt(c.sequence_number), `${c.name}: sequence number`);
          reader.feed(hex(c.encrypted_record));
          const r = reader.readRecord()!;
          assert.equal(r.type, c.content_type, c.name);
          assert.equal(toHex(r.data), c.plaintext_payload, c.name);
          const sealed = c.content_type === ContentType.alert
            ? writer.sealAlert(hex(c.plaintext_payload)[1]!, hex(c.plaintext_payload)[0] as 1 | 2)
            : writer.seal(c.content_type, hex(c.plaintext_payload));
          assert.equal(toHex(sealed), c.encrypted_record, `${c.name}: re-sealed`);
          assert.equal(toHex(sealed.subarray(0, 5)), c.aad_record_header);
          checked++;
        }
        reader.destroy();
        writer.destroy();
      }
    }
    assert.equal(checked, 14);
  });

  test(`${variant}: KeyUpdate: the next secret is HKDF-Expand-Label(secret, "traffic upd"), both sides agree`, async () => {
    const core = await shippedCore(variant);
    const c = keyCases.find((k) => k.name === "client_application")!;
    const s0 = TlsSecret.import(core, hex(c.traffic_secret), "sha256");
    // independent HKDF-Expand-Label in Node: info = 0020 0b "tls13 traffic upd" 00 (one HMAC block)
    const info = Buffer.concat([Buffer.from([0, 32, 17]), Buffer.from("tls13 traffic upd"), Buffer.from([0, 1])]);
    const expected = createHmac("sha256", hex(c.traffic_secret)).update(info).digest("hex");
    const s1 = tls13NextTrafficSecret(core, "sha256", s0);
    assert.equal(toHex(s1.reveal()), expected);
    const w = TlsRecordLayer.create(core);
    const r = TlsRecordLayer.create(core);
    w.installTls13("write", SUITE, s0);
    r.installTls13("read", SUITE, s0);
    r.feed(w.seal(ContentType.applicationData, hex("01020304")));
    assert.equal(toHex(r.readRecord()!.data), "01020304");
    w.keyUpdate("write");
    r.keyUpdate("read");
    assert.equal(w.sequence("write"), 0n);
    const rec = w.seal(ContentType.applicationData, hex("05060708"));
    // the record under the updated key is what the raw next-generation key produces
    const raw = TlsRecordLayer.create(core);
    const k1 = tls13TrafficKeys(core, "sha256", s1, 16);
    raw.installKeys("write", SUITE, k1.key, k1.iv);
    assert.equal(toHex(raw.seal(ContentType.applicationData, hex("05060708"))), toHex(rec));
    r.feed(rec);
    assert.equal(toHex(r.readRecord()!.data), "05060708");
    for (const x of [w, r, raw]) x.destroy();
    s0.destroy();
    s1.destroy();
  });
}
