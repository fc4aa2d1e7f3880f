// The public host API: keys and MKIs, key-usage limits and their events, ROC handling, repeated
// sequence numbers, output capacity, batches, streams (many SSRCs, removal), stats, close, options.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SRTP_PROFILES, SrtpError, type SrtpKeyLimitEvent } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { Rng, randomRtcp, randomRtp } from "./reference.js";

const K1 = { masterKey: new Uint8Array(16).fill(1), masterSalt: new Uint8Array(14).fill(2), mki: Uint8Array.of(1) };
const K2 = { masterKey: new Uint8Array(16).fill(3), masterSalt: new Uint8Array(14).fill(4), mki: Uint8Array.of(2) };
const P = "AES_CM_128_HMAC_SHA1_80" as const;

function isCode(code: string) {
  return (e: unknown) => e instanceof SrtpError && e.code === code;
}

for (const variant of VARIANTS) {
  test(`${variant}: the host profile table agrees with the core's`, async () => {
    const core = await shippedCore(variant);
    const f = core.fn("srtp_profile_param");
    for (const p of SRTP_PROFILES) {
      assert.equal(f(p.id, 0), { "aes-cm": 1, "aes-gcm": 2, null: 3 }[p.cipher]);
      assert.equal(f(p.id, 1), p.masterKeyLength);
      assert.equal(f(p.id, 2), p.masterSaltLength);
      assert.equal(f(p.id, 3), p.srtpTagLength);
      assert.equal(f(p.id, 4), p.srtcpTagLength);
      assert.equal(f(p.id, 6), p.dtlsId ?? 0);
    }
    assert.equal(f(0, 1), -2);
    assert.equal(f(11, 1), -2);
    assert.equal(f(1, 7), -2);
  });

  test(`${variant}: MKI: the sender switches keys on request, the receiver picks the key by MKI`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(10);
    const tx = core.srtp.sender({ profile: P, ...K1 });
    const rx = core.srtp.receiver({ profile: P, ...K1 });
    try {
      tx.addKey(K2);
      const a = tx.protect(randomRtp(rng, 5, 1, 20));
      assert.equal(a[32], 1, "MKI 1 on the wire before the tag");
      tx.useKey(K2.mki);
      const b = tx.protect(randomRtp(rng, 5, 2, 20));
      assert.equal(b[32], 2);
      const rb = tx.protectRtcp(randomRtcp(rng, 5, 8));
      rx.unprotect(a);
      assert.throws(() => rx.unprotect(b), isCode("ERR_SRTP_MKI"));
      rx.addKey(K2);
      rx.unprotect(b);
      rx.unprotectRtcp(rb);
      rx.removeKey(K1.mki);
      const c = tx.protect(randomRtp(rng, 5, 3, 20));
      rx.unprotect(c);
      tx.useKey(K1.mki);
      assert.throws(() => rx.unprotect(tx.protect(randomRtp(rng, 5, 4, 20))), isCode("ERR_SRTP_MKI"));
      assert.throws(() => tx.useKey(Uint8Array.of(9)), isCode("ERR_SRTP_MKI"));
      assert.throws(() => tx.addKey({ ...K2 }), isCode("ERR_SRTP_MKI"), "a duplicate MKI");
      assert.throws(() => tx.addKey({ ...K2, mki: Uint8Array.of(3, 3) }), isCode("ERR_SRTP_MKI"), "another MKI length");
      tx.removeKey(K1.mki);
      assert.throws(() => tx.protect(randomRtp(rng, 5, 5, 20)), isCode("ERR_SRTP_STATE"), "no active key");
      tx.useKey(K2.mki);
      tx.protect(randomRtp(rng, 5, 5, 20));
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: key limits: SDES lifetime honoured, soft event then hard event, then refusal`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(11);
    const txEvents: SrtpKeyLimitEvent[] = [];
    const rxEvents: SrtpKeyLimitEvent[] = [];
    const tx = core.srtp.sender({ profile: P, ...K1, lifetime: 10, onKeyLimit: (e) => txEvents.push(e) });
    const rx = core.srtp.receiver({ profile: P, ...K1, lifetime: 10, onKeyLimit: (e) => rxEvents.push(e) });
    try {
      // The lifetime bounds SRTP and SRTCP packets each (RFC 3711 §9.2 counts them apart).
      const sealed: Uint8Array[] = [];
      for (let n = 0; n < 10; n++) sealed.push(tx.protect(randomRtp(rng, 6, n, 10)));
      const rtcpSealed: Uint8Array[] = [];
      for (let n = 0; n < 9; n++) rtcpSealed.push(tx.protectRtcp(randomRtcp(rng, 6, 8)));
      assert.deepEqual(
        txEvents.map((e) => [e.remaining, e.hard, e.mki?.[0]]),
        [
          [5, false, 1],
          [0, true, 1],
        ],
      );
      assert.throws(() => tx.protect(randomRtp(rng, 6, 10, 10)), isCode("ERR_SRTP_KEY_EXPIRED"));
      tx.protectRtcp(randomRtcp(rng, 6, 8)); // the tenth SRTCP packet
      assert.throws(() => tx.protectRtcp(randomRtcp(rng, 6, 8)), isCode("ERR_SRTP_KEY_EXPIRED"));
      for (const x of sealed) rx.unprotect(x);
      for (const x of rtcpSealed) rx.unprotectRtcp(x);
      assert.deepEqual(rxEvents.map((e) => [e.remaining, e.hard]), [[5, false], [0, true]]);
      // Re-key by MKI: the sender goes on under a new key.
      tx.addKey({ ...K2, lifetime: 2 ** 31 });
      tx.useKey(K2.mki);
      rx.addKey(K2);
      rx.unprotect(tx.protect(randomRtp(rng, 6, 10, 10)));
      assert.equal(tx.stats().keyUses, 1);
      assert.equal(rx.stats(6).keyUses, 1);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: an onKeyLimit handler may call other sessions (shared buffers) without harm`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(19);
    const other = core.srtp.sender({ profile: P, ...K2 });
    const otherOut: Uint8Array[] = [];
    const tx = core.srtp.sender({ profile: P, ...K1, lifetime: 4, onKeyLimit: () => otherOut.push(other.protect(randomRtp(rng, 99, otherOut.length, 500))) });
    const ref = core.srtp.sender({ profile: P, ...K1 });
    try {
      for (let n = 0; n < 4; n++) {
        const p = randomRtp(rng, 5, n, 30);
        assert.equal(toHex(tx.protect(p)), toHex(ref.protect(p)), `packet ${n}`);
      }
      assert.equal(otherOut.length, 2, "soft and hard events");
      assert.equal(otherOut[1]!.length, 12 + 500 + 1 + 10);
    } finally {
      tx.close();
      ref.close();
      other.close();
    }
  });

  test(`${variant}: repeated sequence numbers: refused by default, allowed (identical output) when configured`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(12);
    const rtp = randomRtp(rng, 8, 100, 30);
    const tx = core.srtp.sender({ profile: P, ...K1 });
    const tx2 = core.srtp.sender({ profile: P, ...K1, allowRepeatTx: true });
    try {
      tx.protect(rtp);
      const e = (() => {
        try {
          tx.protect(rtp);
        } catch (x) {
          return x;
        }
      })();
      assert.ok(e instanceof SrtpError && e.code === "ERR_SRTP_REPEAT_TX" && e.ssrc === 8 && e.index === 100);
      assert.equal(toHex(tx2.protect(rtp)), toHex(tx2.protect(rtp)));
    } finally {
      tx.close();
      tx2.close();
    }
  });

  test(`${variant}: ROC: sequence wrap from 65530, set-ROC to 2^15 (index 2^31), and the end of the index space`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(13);
    const tx = core.srtp.sender({ profile: P, ...K1 });
    const rx = core.srtp.receiver({ profile: P, ...K1 });
    try {
      for (let s = 65530; s < 65536 + 5; s++) rx.unprotect(tx.protect(randomRtp(rng, 1, s & 0xffff, 8)));
      assert.equal(tx.getRoc(1), 1);
      assert.equal(rx.getRoc(1), 1);
      // A stream joined at packet index 2^31 (ROC 0x8000).
      tx.setRoc(2, 0x8000);
      rx.setRoc(2, 0x8000);
      const p = randomRtp(rng, 2, 0, 8);
      const sealed = tx.protect(p);
      assert.equal(toHex(rx.unprotect(sealed)), toHex(p));
      assert.equal(rx.getRoc(2), 0x8000);
      // A receiver that assumes ROC 0 cannot authenticate it (the ROC is in the tag).
      const rx0 = core.srtp.receiver({ profile: P, ...K1 });
      assert.throws(() => rx0.unprotect(sealed), (e: unknown) => e instanceof SrtpError && e.code === "ERR_SRTP_AUTH" && e.index === 0);
      rx0.close();
      // The last ROC: seq 65535 works, the wrap to ROC 2^32 is refused.
      tx.setRoc(3, 0xffffffff);
      tx.protect(randomRtp(rng, 3, 65535, 8));
      assert.throws(() => tx.protect(randomRtp(rng, 3, 0, 8)), isCode("ERR_SRTP_KEY_EXPIRED"));
      assert.throws(() => tx.getRoc(4), isCode("ERR_SRTP_NO_STREAM"));
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: protectInto / unprotectInto respect the output capacity exactly`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(14);
    const tx = core.srtp.sender({ profile: P, ...K1 });
    const rx = core.srtp.receiver({ profile: P, ...K1 });
    try {
      const rtp = randomRtp(rng, 3, 3, 100);
      const short = new Uint8Array(112 + 10).fill(0xee); // needs 112 + 1 + 10
      assert.throws(() => tx.protectInto(rtp, short), isCode("ERR_SRTP_BUFFER"));
      assert.ok(short.every((x) => x === 0xee), "nothing written");
      const out = new Uint8Array(123);
      assert.equal(tx.protectInto(rtp, out), 123);
      const back = new Uint8Array(111);
      assert.throws(() => rx.unprotectInto(out, back), isCode("ERR_SRTP_BUFFER"));
      const back2 = new Uint8Array(200);
      assert.equal(rx.unprotectInto(out, back2), 112);
      assert.equal(toHex(back2.subarray(0, 112)), toHex(rtp));
      const rtcp = randomRtcp(rng, 3, 20);
      const o2 = new Uint8Array(20 + 4 + 1 + 10);
      assert.equal(tx.protectRtcpInto(rtcp, o2), 35);
      assert.equal(rx.unprotectRtcpInto(o2, new Uint8Array(20)), 20);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: batches give the same bytes as single calls; a bad packet fails alone`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(15);
    for (const p of SRTP_PROFILES) {
      const k = { masterKey: rng.bytes(p.masterKeyLength), masterSalt: rng.bytes(p.masterSaltLength), mki: Uint8Array.of(7) };
      const a = core.srtp.sender({ profile: p.name, ...k });
      const b = core.srtp.sender({ profile: p.name, ...k });
      const rx = core.srtp.receiver({ profile: p.name, ...k });
      try {
        const rtp = Array.from({ length: 40 }, (_, n) => randomRtp(rng, 100 + (n % 3), 65520 + n, rng.int(200)));
        const rtcp = Array.from({ length: 6 }, (_, n) => randomRtcp(rng, 100 + (n % 3), 8 + 4 * n));
        const single = rtp.map((x) => a.protect(x));
        const batch = b.protectBatch(rtp);
        assert.deepEqual(batch.map((x) => toHex(x as Uint8Array)), single.map(toHex));
        const rsingle = rtcp.map((x) => a.protectRtcp(x));
        const rbatch = b.protectBatch(rtcp, { rtcp: true });
        assert.deepEqual(rbatch.map((x) => toHex(x as Uint8Array)), rsingle.map(toHex));
        const bad = single[5]!.slice();
        bad[12]! ^= 1; // first octet after the header: payload or tag

        const opened = rx.unprotectBatch([...single.slice(0, 5), bad, ...single.slice(5)]);
        assert.ok(opened[5] instanceof SrtpError && opened[5].code === "ERR_SRTP_AUTH" && opened[5].ssrc === 102);
        assert.deepEqual(opened.filter((x) => x instanceof Uint8Array).map((x) => toHex(x as Uint8Array)), rtp.map(toHex));
        const ropened = rx.unprotectBatch(rbatch as Uint8Array[], { rtcp: true });
        assert.deepEqual(ropened.map((x) => toHex(x as Uint8Array)), rtcp.map(toHex));
      } finally {
        a.close();
        b.close();
        rx.close();
      }
    }
  });

  test(`${variant}: 10,000 SSRCs in one session, per-SSRC state <= 256 bytes, O(1) table, removal wipes`, async () => {
    const core = await shippedCore(variant);
    const sizes = core.srtp.sizes({ maxStreams: 10000, maxKeys: 1 });
    assert.ok(sizes.perStream <= 256, `per-SSRC bytes ${sizes.perStream}`);
    assert.ok(sizes.session < core.arena.end - core.arena.base, "fits the default arena");
    const k = { masterKey: new Uint8Array(16).fill(9), masterSalt: new Uint8Array(14).fill(8) };
    const tx = core.srtp.sender({ profile: P, ...k, maxStreams: 10000 });
    const rx = core.srtp.receiver({ profile: P, ...k, maxStreams: 10000 });
    try {
      const rng = new Rng(16);
      const ssrcs = Array.from({ length: 10000 }, (_, n) => (0x10000000 + n * 7919) >>> 0);
      const rtp = ssrcs.map((s) => randomRtp(rng, s, 1, 8));
      for (let i = 0; i < rtp.length; i += 1000) {
        const sealed = tx.protectBatch(rtp.slice(i, i + 1000)) as Uint8Array[];
        const opened = rx.unprotectBatch(sealed);
        assert.ok(opened.every((x) => x instanceof Uint8Array));
      }
      assert.equal(tx.streamCount, 10000);
      assert.equal(rx.streamCount, 10000);
      // Full: a new SSRC is refused, even when its packet authenticates.
      const extra = tx.protectBatch([randomRtp(rng, 0xffff0000, 1, 8)])[0];
      assert.ok(extra instanceof SrtpError && extra.code === "ERR_SRTP_FULL");
      const tx2 = core.srtp.sender({ profile: P, ...k });
      assert.throws(() => rx.unprotect(tx2.protect(randomRtp(rng, 0xffff0000, 1, 8))), isCode("ERR_SRTP_FULL"));
      tx2.close();
      // Remove one; the slot is reused, and the stream starts over (its old state is gone).
      rx.removeStream(ssrcs[42]!);
      assert.equal(rx.streamCount, 9999);
      assert.throws(() => rx.getRoc(ssrcs[42]!), isCode("ERR_SRTP_NO_STREAM"));
      assert.throws(() => rx.removeStream(ssrcs[42]!), isCode("ERR_SRTP_NO_STREAM"));
      const again = tx.protect(randomRtp(rng, ssrcs[42]!, 2, 8));
      rx.unprotect(again);
      assert.equal(rx.stats(ssrcs[42]!).packets, 1);
      for (let n = 0; n < 10000; n += 997) assert.equal(rx.getRoc(ssrcs[n]!), 0);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: a receiver creates a stream only after its first packet authenticates`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(17);
    const tx = core.srtp.sender({ profile: P, ...K1 });
    const rx = core.srtp.receiver({ profile: P, ...K1 });
    try {
      const p = tx.protect(randomRtp(rng, 0xabcdef, 10, 10));
      const bad = p.slice();
      bad[13]! ^= 1;
      assert.throws(() => rx.unprotect(bad), isCode("ERR_SRTP_AUTH"));
      assert.equal(rx.streamCount, 0);
      assert.equal(rx.stats().authFailures, 1);
      rx.unprotect(p);
      assert.equal(rx.streamCount, 1);
      const s = rx.stats(0xabcdef);
      assert.deepEqual(s, { packets: 1, bytes: 22, authFailures: 0, replays: 0, keyUses: 1 });
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: options are checked and close() returns the arena`, async () => {
    const core = await shippedCore(variant);
    core.srtp.releaseBuffers();
    const before = core.arena.inUse;
    assert.throws(() => core.srtp.sender({ profile: "AES_CM_128_HMAC_SHA1_99" as never, ...K1 }), isCode("ERR_SRTP_PROFILE"));
    assert.throws(() => core.srtp.sender({ profile: P, masterKey: new Uint8Array(15), masterSalt: new Uint8Array(14) }), isCode("ERR_SRTP_KEY"));
    assert.throws(() => core.srtp.sender({ profile: P, masterKey: new Uint8Array(16), masterSalt: new Uint8Array(12) }), isCode("ERR_SRTP_KEY"));
    assert.throws(() => core.srtp.sender({ profile: "AEAD_AES_128_GCM", masterKey: new Uint8Array(16), masterSalt: new Uint8Array(14) }), isCode("ERR_SRTP_KEY"));
    assert.throws(() => core.srtp.sender({ profile: P, ...K1, replayWindow: 63 }), isCode("ERR_SRTP_ARG"));
    assert.throws(() => core.srtp.sender({ profile: P, ...K1, replayWindow: 32768 }), isCode("ERR_SRTP_ARG"));
    assert.throws(() => core.srtp.sender({ profile: P, ...K1, mki: new Uint8Array(5) }), isCode("ERR_SRTP_MKI"));
    assert.throws(() => core.srtp.sender({ profile: P, ...K1, lifetime: 0.5 }), isCode("ERR_SRTP_ARG"));
    assert.equal(core.arena.inUse, before, "failed constructors leave nothing behind");
    const rx = core.srtp.receiver({ profile: P, ...K1, replayWindow: 32767 });
    const tx = core.srtp.sender({ profile: P, ...K1 });
    const rng = new Rng(18);
    const first = tx.protect(randomRtp(rng, 1, 0, 4));
    for (let s = 1; s < 30000; s++) tx.protect(randomRtp(rng, 1, s, 4));
    rx.unprotect(tx.protect(randomRtp(rng, 1, 30000, 4)));
    rx.unprotect(first); // 30000 behind, inside a window of 32767
    tx.close();
    rx.close();
    rx.close();
    assert.throws(() => rx.unprotect(first), isCode("ERR_SRTP_STATE"));
    core.srtp.releaseBuffers();
    assert.equal(core.arena.inUse, before, "sessions and shared buffers all returned");
  });
}
