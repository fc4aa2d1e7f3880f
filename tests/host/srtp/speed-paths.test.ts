// The speed paths of the SRTP engine against the independent node:crypto SRTP (reference.ts):
// keystream kept for the next packet (assembly/srtp/keystream.ts) must never be used for the wrong
// packet — interleaved SSRCs, gaps, repeats, sizes that change, key changes with and without MKI,
// a key slot reused for a new key — on both builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { srtpProfile } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { Rng, randomRtp, refProtectRtp, refSessionKeys } from "./reference.js";

const P = srtpProfile("AES_CM_128_HMAC_SHA1_80");

for (const variant of VARIANTS) {
  test(`${variant}: kept keystream is used only by the packet it belongs to (SSRCs, gaps, repeats, sizes, key changes)`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(0x5eed);
    const keys = [0, 1, 2].map(() => ({ masterKey: rng.bytes(16), masterSalt: rng.bytes(14), mki: rng.bytes(1) }));
    keys[1]!.mki = new Uint8Array([keys[0]!.mki[0]! ^ 1]);
    keys[2]!.mki = keys[0]!.mki; // same MKI as key 0: installed into key 0's slot after it is removed
    const refs = keys.map((k) => refSessionKeys(P, k.masterKey, k.masterSalt, false));
    const tx = core.srtp.sender({ profile: P.name, ...keys[0]!, maxKeys: 2, allowRepeatTx: true });
    const rx = core.srtp.receiver({ profile: P.name, ...keys[0]!, maxKeys: 2 });
    tx.addKey(keys[1]!);
    rx.addKey(keys[1]!);
    const ssrcs = [0x11111111, 0x22222222, 0x33333333];
    const seq = new Map(ssrcs.map((s) => [s, rng.int(60000)]));
    let active = 0;
    try {
      for (let n = 0; n < 600; n++) {
        const r = rng.int(100);
        if (r < 4) {
          active = active === 0 ? 1 : 0; // switch the protecting key
          tx.useKey(keys[active]!.mki);
        } else if (r === 4 && active === 1) {
          // replace key 0 by key 2 (same MKI, same slot)
          tx.removeKey(keys[0]!.mki);
          rx.removeKey(keys[0]!.mki);
          const k = keys[0]!;
          keys[0] = keys[2]!;
          keys[2] = k;
          const rk = refs[0]!;
          refs[0] = refs[2]!;
          refs[2] = rk;
          tx.addKey(keys[0]!);
          rx.addKey(keys[0]!);
        }
        // mostly one SSRC in order; sometimes another SSRC, a gap, or the same sequence number again
        const ssrc = rng.int(10) < 7 ? ssrcs[0]! : ssrcs[1 + rng.int(2)]!;
        let s = seq.get(ssrc)!;
        const jump = rng.int(20);
        if (jump === 0) s += 1 + rng.int(5); // lost packets
        else if (jump === 1 && n > 0) s -= 1; // a retransmission of the previous one
        s &= 0xffff;
        if (s === 0xffff) s = 0; // stay below a ROC roll-over (covered by differential.test.ts)
        seq.set(ssrc, (s + 1) & 0xffff);
        const size = rng.int(8) === 0 ? rng.int(400) : 160;
        const rtp = randomRtp(rng, ssrc, s, size);
        const ours = tx.protect(rtp);
        const want = refProtectRtp({ profile: P, keys: refs[active]!, mki: keys[active]!.mki }, rtp, 0);
        assert.equal(toHex(ours), toHex(want), `packet ${n}: SSRC ${ssrc.toString(16)} seq ${s} size ${size} key ${active}`);
        if (jump !== 1) assert.equal(toHex(rx.unprotect(ours)), toHex(rtp), `unprotect ${n}`);
      }
    } finally {
      tx.close();
      rx.close();
    }
  });
}

for (const variant of VARIANTS) {
  test(`${variant}: protectInPlace / unprotectInPlace, on arena buffers (zero-copy) and plain buffers, equal protect / unprotect`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(77);
    const key = { profile: P.name, masterKey: rng.bytes(16), masterSalt: rng.bytes(14) };
    const ref = core.srtp.sender(key);
    const tx = core.srtp.sender(key);
    const rx = core.srtp.receiver(key);
    const arena = core.srtp.allocPacket();
    try {
      for (let n = 0; n < 40; n++) {
        const rtp = randomRtp(rng, 0xabcdef01, 1000 + n, rng.int(300));
        const want = ref.protect(rtp);
        const onArena = n % 2 === 0;
        const buf = onArena ? arena : new Uint8Array(rtp.length + 64);
        buf.set(rtp);
        const len = tx.protectInPlace(buf, rtp.length);
        assert.equal(toHex(buf.subarray(0, len)), toHex(want), `protect ${n} (${onArena ? "arena" : "plain"})`);
        assert.equal(rx.unprotectInPlace(buf, len), rtp.length);
        assert.equal(toHex(buf.subarray(0, rtp.length)), toHex(rtp));
        // a forgery is refused and leaves the buffer as it was
        buf.set(want);
        buf[len - 1]! ^= 1;
        const before = toHex(buf.subarray(0, len));
        assert.throws(() => rx.unprotectInPlace(buf, len), (e: unknown) => (e as { code?: string }).code === "ERR_SRTP_REPLAY" || (e as { code?: string }).code === "ERR_SRTP_AUTH");
        assert.equal(toHex(buf.subarray(0, len)), before);
      }
      assert.throws(() => tx.protectInPlace(new Uint8Array(20), 21), /length/);
      const tight = new Uint8Array(172);
      tight.set(randomRtp(rng, 0xabcdef01, 5000, 160));
      assert.throws(() => tx.protectInPlace(tight), (e: unknown) => (e as { code?: string }).code === "ERR_SRTP_BUFFER");
    } finally {
      core.srtp.freePacket(arena);
      ref.close();
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: SrtpBatch over many sessions equals the single-packet calls, errors per slot`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(99);
    const calls = 12;
    const keys = Array.from({ length: calls }, (_, i) => ({ profile: (i % 4 === 3 ? "AEAD_AES_128_GCM" : P.name) as "AES_CM_128_HMAC_SHA1_80", masterKey: rng.bytes(16), masterSalt: rng.bytes(i % 4 === 3 ? 12 : 14) }));
    const tx = keys.map((k) => core.srtp.sender(k));
    const rx = keys.map((k) => core.srtp.receiver(k));
    const ref = keys.map((k) => core.srtp.sender(k));
    const batch = core.srtp.batch({ slots: calls * 2, slotSize: 512 });
    try {
      for (let tick = 0; tick < 20; tick++) {
        const plain: Uint8Array[] = [];
        for (let c = 0; c < calls; c++) {
          const rtp = randomRtp(rng, 0x1000 + c, 100 + tick, tick % 5 === 4 ? rng.int(400) : 160);
          plain.push(rtp);
          batch.put(c, tx[c]!, rtp);
        }
        assert.equal(batch.protect(calls), calls);
        const sealed: Uint8Array[] = [];
        for (let c = 0; c < calls; c++) {
          const n = batch.result(c);
          assert.equal(toHex(batch.slot(c).subarray(0, n)), toHex(ref[c]!.protect(plain[c]!)), `tick ${tick} call ${c}`);
          sealed.push(batch.slot(c).slice(0, n));
        }
        // unprotect, with one forged and one replayed packet among them
        for (let c = 0; c < calls; c++) batch.put(c, rx[c]!, sealed[c]!);
        const forged = tick % calls;
        batch.slot(forged)[sealed[forged]!.length - 1]! ^= 0x80;
        assert.equal(batch.unprotect(calls), calls - 1);
        for (let c = 0; c < calls; c++) {
          if (c === forged) {
            assert.equal(batch.error(c)?.code, "ERR_SRTP_AUTH");
            assert.equal(toHex(batch.slot(c).subarray(0, sealed[c]!.length - 1)), toHex(sealed[c]!.subarray(0, sealed[c]!.length - 1)), "a refused packet is left as it was");
          } else {
            assert.equal(batch.error(c), undefined);
            assert.equal(toHex(batch.slot(c).subarray(0, batch.result(c))), toHex(plain[c]!));
          }
        }
        const again = (forged + 1) % calls;
        batch.put(0, rx[again]!, sealed[again]!);
        assert.equal(batch.unprotect(1), 0);
        assert.equal(batch.error(0)?.code, "ERR_SRTP_REPLAY");
      }
      // wrong direction: a receiver in a protect batch is refused for that slot only
      batch.put(0, rx[0]!, randomRtp(rng, 0x1000, 9000, 160));
      batch.put(1, tx[1]!, randomRtp(rng, 0x1001, 9000, 160));
      assert.equal(batch.protect(2), 1);
      assert.equal(batch.error(0)?.code, "ERR_SRTP_STATE");
      assert.equal(batch.error(1), undefined);
    } finally {
      batch.release();
      for (const s of [...tx, ...rx, ...ref]) s.close();
    }
  });

  test(`${variant}: srtp_batch_many refuses hostile descriptors per packet and never traps`, async () => {
    const core = await shippedCore(variant);
    const f = (name: string, ...a: number[]) => core.fn(name)(...a);
    const rng = new Rng(5);
    const tx = core.srtp.sender({ profile: P.name, masterKey: rng.bytes(16), masterSalt: rng.bytes(14) });
    const s = tx.contextAddress();
    const d = core.arena.alloc(24 * 6);
    const pkt = core.arena.alloc(256);
    const dv = new DataView(core.memory.buffer);
    const desc = (i: number, session: number, ptr: number, len: number, cap: number) => {
      dv.setUint32(d + i * 24, session, true);
      dv.setUint32(d + i * 24 + 4, ptr, true);
      dv.setUint32(d + i * 24 + 8, len, true);
      dv.setUint32(d + i * 24 + 12, cap, true);
    };
    try {
      core.u8.set(randomRtp(rng, 7, 1, 100), pkt);
      desc(0, s + 16, pkt, 112, 256); // not a session
      desc(1, 0xfffffff0, pkt, 112, 256); // outside memory
      desc(2, s, pkt, 300, 256); // len > cap
      desc(3, s, core.arena.end - 8, 4, 64); // packet past the arena
      desc(4, s, s + 64, 20, 64); // packet inside the session context
      desc(5, s, pkt, 112, 256); // fine
      assert.equal(f("srtp_batch_many", 0, d, 6), 1);
      const res = [0, 1, 2, 3, 4, 5].map((i) => dv.getInt32(d + i * 24 + 16, true));
      assert.deepEqual(res.slice(0, 5), [-44, -44, -1, -1, -1]); // ERR_SRTP_STATE x2, ERR_BOUNDS x3
      assert.equal(res[5], 122);
      assert.equal(f("srtp_batch_many", 4, d, 1), -2, "bad op is ERR_ARG");
      assert.equal(f("srtp_batch_many", 0, core.arena.end - 8, 1), -1, "descriptors outside the arena are ERR_BOUNDS");
      assert.equal(f("srtp_batch_many", 0, d, 0), 0);
      for (let k = 0; k < 200; k++) {
        for (let i = 0; i < 6; i++) desc(i, rng.u32(), rng.int(10) < 5 ? pkt : rng.u32(), rng.int(400), rng.int(400));
        const r = f("srtp_batch_many", rng.int(4), d, 6);
        assert.ok(r >= 0 && r <= 6);
      }
    } finally {
      core.arena.release(d);
      core.arena.release(pkt);
      tx.close();
    }
  });
}

for (const variant of VARIANTS) {
  test(`${variant}: protectInto / unprotectInto copy out the right bytes as lengths change and the I/O buffer grows (kept views)`, async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(0x1a70);
    const masterKey = rng.bytes(16), masterSalt = rng.bytes(14);
    const refs = refSessionKeys(P, masterKey, masterSalt, false);
    const tx = core.srtp.sender({ profile: P.name, masterKey, masterSalt });
    const rx = core.srtp.receiver({ profile: P.name, masterKey, masterSalt });
    const out = new Uint8Array(9000);
    const back = new Uint8Array(9000);
    try {
      // lengths repeat (a view is reused), change, and once pass the 2 KiB I/O buffer (it moves)
      const sizes = [160, 160, 20, 160, 1200, 160, 5000, 160, 20, 0, 160, 5000, 1200];
      for (let s = 0; s < sizes.length; s++) {
        const rtp = randomRtp(rng, 0x0badcafe, 100 + s, sizes[s]!);
        out.fill(0xee);
        const n = tx.protectInto(rtp, out);
        const want = refProtectRtp({ profile: P, keys: refs }, rtp, 0);
        assert.equal(toHex(out.subarray(0, n)), toHex(want), `protectInto, packet ${s}`);
        assert.equal(out[n], 0xee, "nothing written past the result");
        const m = rx.unprotectInto(out.subarray(0, n), back);
        assert.equal(toHex(back.subarray(0, m)), toHex(rtp), `unprotectInto, packet ${s}`);
      }
      // a too-short output still fails with ERR_SRTP_BUFFER and leaves it untouched
      const rtp = randomRtp(rng, 0x0badcafe, 200, 160);
      const small = new Uint8Array(rtp.length + 5).fill(0x55);
      assert.throws(() => tx.protectInto(rtp, small), { code: "ERR_SRTP_BUFFER" });
      assert.ok(small.every((b) => b === 0x55));
    } finally {
      tx.close();
      rx.close();
    }
  });
}

// srtp_batch_many queues the HMAC of up to four packets of different sessions and computes their
// tags in one pass (assembly/srtp/lanes.ts). Whatever the mix — a session twice in one batch, two
// descriptors on one buffer, MKIs, 32- and 80-bit tags, GCM and NULL-cipher sessions among them,
// forged and replayed packets, any length — the results must be those of the same packets
// processed one by one, in order (here: by a second core instance, packet by packet).
for (const variant of VARIANTS) {
  test(`${variant}: srtp_batch_many with HMAC lanes equals one-by-one processing (repeats, shared buffers, MKI, tag lengths, errors)`, async () => {
    const core = await shippedCore(variant);
    const twin = await shippedCore(variant);
    const rng = new Rng(0x1a4e5);
    const profiles = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM", "NULL_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_80"] as const;
    const sessions = 9;
    const specs = Array.from({ length: sessions }, (_, i) => {
      const profile = profiles[i % profiles.length]!;
      const info = srtpProfile(profile);
      return { profile, masterKey: rng.bytes(info.masterKeyLength), masterSalt: rng.bytes(info.masterSaltLength), ...(i % 3 === 1 ? { mki: rng.bytes(1 + (i % 4)) } : {}) };
    });
    const tx = specs.map((k) => core.srtp.sender({ ...k, allowRepeatTx: true }));
    const rx = specs.map((k) => core.srtp.receiver(k));
    const refTx = specs.map((k) => twin.srtp.sender({ ...k, allowRepeatTx: true }));
    const refRx = specs.map((k) => twin.srtp.receiver(k));
    const MAXN = 24, BUF = 1600;
    const descs = core.arena.alloc(24 * MAXN);
    const area = core.arena.alloc(BUF * MAXN);
    const dv = () => new DataView(core.memory.buffer);
    const seq = specs.map(() => rng.int(65536));
    const staticBefore = core.u8.slice(0, core.fn("arena_base")());
    /** Runs one batch: entries [session index, buffer index, length]; returns results and final buffers, and the same one by one. */
    const run = (op: 0 | 1, entries: [number, number, number][], init: Uint8Array[]) => {
      const n = entries.length;
      const u8 = core.u8;
      u8.fill(0, area, area + BUF * MAXN);
      for (let b = 0; b < init.length; b++) u8.set(init[b]!, area + b * BUF);
      entries.forEach(([c, b, len], i) => {
        const v = dv();
        v.setUint32(descs + i * 24, (op === 0 ? tx : rx)[c]!.contextAddress(), true);
        v.setUint32(descs + i * 24 + 4, area + b * BUF, true);
        v.setUint32(descs + i * 24 + 8, len, true);
        v.setUint32(descs + i * 24 + 12, BUF, true);
        v.setInt32(descs + i * 24 + 16, 0, true);
      });
      const ok = core.fn("srtp_batch_many")(op, descs, n);
      const got = entries.map((_, i) => dv().getInt32(descs + i * 24 + 16, true));
      const gotBufs = init.map((_, b) => toHex(core.u8.subarray(area + b * BUF, area + (b + 1) * BUF)));
      // one by one, on copies of the same buffers
      const bufs = init.map((x) => { const y = new Uint8Array(BUF); y.set(x); return y; });
      const want = entries.map(([c, b, len]) => {
        try {
          return op === 0 ? refTx[c]!.protectInPlace(bufs[b]!, len) : refRx[c]!.unprotectInPlace(bufs[b]!, len);
        } catch (e) {
          return (e as { status?: number }).status ?? NaN;
        }
      });
      return { ok, got, gotBufs, want, wantBufs: bufs.map((x) => toHex(x)) };
    };
    try {
      let laneRuns = 0;
      for (let round = 0; round < 80; round++) {
        const n = 1 + rng.int(MAXN);
        const entries: [number, number, number][] = [];
        const init: Uint8Array[] = [];
        const sealedFor: [number, Uint8Array][] = [];
        for (let i = 0; i < n; i++) {
          const c = rng.int(sessions);
          if (rng.int(8) !== 0) seq[c] = (seq[c]! + 1) & 0xffff; // else the same sequence number again
          const share = i > 0 && rng.int(10) === 0; // a descriptor on an earlier one's buffer
          const b = share ? entries[rng.int(i)]![1] : init.length;
          const rtp = randomRtp(rng, 0x5000 + c, seq[c]!, rng.int(6) === 0 ? rng.int(1300) : 160);
          if (!share) init.push(rtp);
          entries.push([c, b, share ? rng.int(400) : rtp.length]);
        }
        const p = run(0, entries, init);
        assert.deepEqual(p.got, p.want, `round ${round}: protect results`);
        assert.deepEqual(p.gotBufs, p.wantBufs, `round ${round}: protected bytes`);
        assert.equal(p.ok, p.want.filter((r) => r >= 0).length);
        // unprotect what was protected (unshared buffers), with forgeries, duplicates and a shared buffer
        const uEntries: [number, number, number][] = [];
        const uInit: Uint8Array[] = [];
        entries.forEach(([c, b, _], i) => {
          const r = p.want[i]!;
          if (r < 0 || entries.some((e, k) => k !== i && e[1] === b)) return;
          const pkt = Uint8Array.from(Buffer.from(p.wantBufs[b]!, "hex").subarray(0, r));
          sealedFor.push([c, pkt]);
        });
        for (const [c, pkt] of sealedFor) {
          const x = pkt.slice();
          if (rng.int(7) === 0) x[x.length - 1 - rng.int(Math.min(4, x.length))]! ^= 1 << rng.int(8); // forged (tag or MKI)
          uEntries.push([c, uInit.length, x.length]);
          uInit.push(x);
          if (rng.int(9) === 0) uEntries.push([c, uInit.length - 1, x.length]); // the same packet again, same buffer
          if (rng.int(9) === 0) { uEntries.push([c, uInit.length, x.length]); uInit.push(x.slice()); } // a duplicate: replay
        }
        if (uEntries.length === 0 || uEntries.length > MAXN) continue;
        laneRuns++;
        const u = run(1, uEntries, uInit);
        assert.deepEqual(u.got, u.want, `round ${round}: unprotect results`);
        assert.deepEqual(u.gotBufs, u.wantBufs, `round ${round}: unprotected bytes`);
      }
      assert.ok(laneRuns > 40, `unprotect batches run: ${laneRuns}`);
      // lane records, computed tags, job table, IVs: all zero again (static memory as before the batches)
      assert.ok(Buffer.from(core.u8.subarray(0, staticBefore.length)).equals(Buffer.from(staticBefore)), "static scratch wiped after the batches");
      // session state matches too: the same counters on both sides
      for (let c = 0; c < sessions; c++) {
        assert.deepEqual(tx[c]!.stats(), refTx[c]!.stats(), `sender ${c} stats`);
        assert.deepEqual(rx[c]!.stats(), refRx[c]!.stats(), `receiver ${c} stats`);
      }
    } finally {
      core.arena.release(descs);
      core.arena.release(area);
      for (const s of [...tx, ...rx, ...refTx, ...refRx]) s.close();
    }
  });
}
