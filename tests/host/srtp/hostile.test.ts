// Hostile input: every malformed, truncated, forged, replayed or too-old packet gets its own error,
// nothing crashes, and no refused packet changes a stream's state (replay window, ROC, SRTCP index).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SrtpError, type SrtpErrorCode, type SrtpReceiver, type SrtpSender } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { Rng, randomRtcp, randomRtp } from "./reference.js";

const KEY = { masterKey: new Uint8Array(16).fill(0x2b), masterSalt: new Uint8Array(14).fill(0x7e) };

function code(e: unknown): string {
  assert.ok(e instanceof SrtpError, `expected an SrtpError, got ${String(e)}`);
  return e.code;
}

function throwsCode(fn: () => unknown, ...codes: SrtpErrorCode[]): SrtpError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected ${codes.join("|")}, got success`);
  assert.ok(codes.includes(code(err) as SrtpErrorCode), `expected ${codes.join("|")}, got ${code(err)}`);
  return err as SrtpError;
}

async function pair(variant: (typeof VARIANTS)[number], extra: Record<string, unknown> = {}): Promise<[SrtpSender, SrtpReceiver]> {
  const core = await shippedCore(variant);
  const opts = { profile: "AES_CM_128_HMAC_SHA1_80" as const, ...KEY, ...extra };
  return [core.srtp.sender(opts), core.srtp.receiver(opts)];
}

for (const variant of VARIANTS) {
  test(`${variant}: malformed RTP is refused before any crypto (protect and unprotect)`, async () => {
    const [tx, rx] = await pair(variant);
    try {
      const rng = new Rng(1);
      const good = randomRtp(rng, 0x11, 1, 40);
      for (const v of [0x00, 0x40, 0xc0]) {
        const bad = good.slice();
        bad[0] = v;
        throwsCode(() => tx.protect(bad), "ERR_SRTP_MALFORMED");
        throwsCode(() => rx.unprotect(bad), "ERR_SRTP_MALFORMED");
      }
      for (let n = 0; n < 12; n++) throwsCode(() => tx.protect(good.subarray(0, n)), "ERR_SRTP_MALFORMED");
      // CSRC count past the end: 15 CSRCs need 72 header octets.
      const csrc = good.slice(0, 40);
      csrc[0] = 0x8f;
      throwsCode(() => tx.protect(csrc), "ERR_SRTP_MALFORMED");
      throwsCode(() => rx.unprotect(csrc), "ERR_SRTP_MALFORMED");
      // Extension header cut, and extension length past the end.
      const ext = good.slice(0, 14);
      ext[0] = 0x90;
      throwsCode(() => tx.protect(ext), "ERR_SRTP_MALFORMED");
      const ext2 = good.slice();
      ext2[0] = 0x90;
      ext2[14] = 0xff;
      ext2[15] = 0xff;
      throwsCode(() => tx.protect(ext2), "ERR_SRTP_MALFORMED");
      throwsCode(() => rx.unprotect(ext2), "ERR_SRTP_MALFORMED");
      // Padding: count 0, and count larger than the payload.
      const pad = good.slice();
      pad[0] = 0xa0;
      pad[pad.length - 1] = 0;
      throwsCode(() => tx.protect(pad), "ERR_SRTP_MALFORMED");
      pad[pad.length - 1] = 41;
      throwsCode(() => tx.protect(pad), "ERR_SRTP_MALFORMED");
      pad[pad.length - 1] = 40;
      assert.equal(tx.protect(pad).length, 62);
      // RTCP: short, bad version
      throwsCode(() => tx.protectRtcp(new Uint8Array([0x80, 200, 0, 1, 0, 0, 0])), "ERR_SRTP_MALFORMED");
      throwsCode(() => tx.protectRtcp(new Uint8Array([0x40, 200, 0, 1, 0, 0, 0, 1])), "ERR_SRTP_MALFORMED");
      throwsCode(() => rx.unprotectRtcp(new Uint8Array(21)), "ERR_SRTP_MALFORMED");
      assert.equal(tx.streamCount, 1, "no stream was created by a refused packet");
      assert.equal(rx.streamCount, 0);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: truncated and bit-flipped SRTP/SRTCP fail, count, and leave the stream as it was`, async () => {
    const [tx, rx] = await pair(variant);
    try {
      const rng = new Rng(2);
      const ssrc = 0xfeedf00d;
      const first = tx.protect(randomRtp(rng, ssrc, 65530, 50));
      rx.unprotect(first);
      const plain = randomRtp(rng, ssrc, 65531, 50);
      const sealed = tx.protect(plain);
      let failures = 0;
      for (let n = 0; n < sealed.length; n++) {
        throwsCode(() => rx.unprotect(sealed.subarray(0, n)), "ERR_SRTP_MALFORMED", "ERR_SRTP_AUTH");
      }
      for (let bit = 0; bit < sealed.length * 8; bit += 7) {
        const bad = sealed.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const e = throwsCode(() => rx.unprotect(bad), "ERR_SRTP_AUTH", "ERR_SRTP_MALFORMED", "ERR_SRTP_REPLAY", "ERR_SRTP_REPLAY_OLD");
        if (e.code === "ERR_SRTP_AUTH") failures++;
      }
      assert.ok(rx.stats(ssrc).authFailures >= failures && failures > 0);
      assert.equal(rx.getRoc(ssrc), 0);
      assert.equal(toHex(rx.unprotect(sealed)), toHex(plain), "the genuine packet still opens");
      const rtcp = randomRtcp(rng, ssrc, 40);
      const sr = tx.protectRtcp(rtcp);
      for (let n = 0; n < sr.length; n++) throwsCode(() => rx.unprotectRtcp(sr.subarray(0, n)), "ERR_SRTP_MALFORMED", "ERR_SRTP_AUTH");
      const flipped = sr.slice();
      flipped[sr.length - 1]! ^= 0x80;
      throwsCode(() => rx.unprotectRtcp(flipped), "ERR_SRTP_AUTH");
      assert.equal(toHex(rx.unprotectRtcp(sr)), toHex(rtcp));
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: a forged packet moves neither the ROC nor the replay window`, async () => {
    const [tx, rx] = await pair(variant);
    try {
      const rng = new Rng(3);
      const ssrc = 0x0badcafe;
      const packets: Uint8Array[] = [];
      for (let s = 65520; s < 65536; s++) packets.push(tx.protect(randomRtp(rng, ssrc, s, 20)));
      const after = tx.protect(randomRtp(rng, ssrc, 3, 20)); // ROC 1
      for (const p of packets.slice(0, 10)) rx.unprotect(p);
      // A forgery claiming seq 3 (the receiver would take it as ROC 1), and one far ahead.
      const forged = after.slice();
      forged[20]! ^= 0xff;
      const e = throwsCode(() => rx.unprotect(forged), "ERR_SRTP_AUTH");
      assert.equal(e.ssrc, ssrc);
      assert.equal(e.index, 0x10003, "the error names the estimated packet index");
      assert.equal(rx.getRoc(ssrc), 0);
      // Packets 10..15 (ROC 0) still open: the window did not slide.
      for (const p of packets.slice(10)) rx.unprotect(p);
      rx.unprotect(after);
      assert.equal(rx.getRoc(ssrc), 1);
      throwsCode(() => rx.unprotect(after), "ERR_SRTP_REPLAY");
      throwsCode(() => rx.unprotect(packets[15]!), "ERR_SRTP_REPLAY");
      const st = rx.stats(ssrc);
      assert.equal(st.packets, 17);
      assert.equal(st.replays, 2);
      assert.equal(st.authFailures, 1);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: replays and too-old packets, SRTP and SRTCP`, async () => {
    const [tx, rx] = await pair(variant, { replayWindow: 64 });
    try {
      const rng = new Rng(4);
      const ssrc = 77;
      const sealed: Uint8Array[] = [];
      for (let s = 1000; s < 1200; s++) sealed.push(tx.protect(randomRtp(rng, ssrc, s, 10)));
      rx.unprotect(sealed[199]!);
      rx.unprotect(sealed[199 - 63]!); // inside the window of 64
      throwsCode(() => rx.unprotect(sealed[199 - 64]!), "ERR_SRTP_REPLAY_OLD");
      throwsCode(() => rx.unprotect(sealed[199 - 63]!), "ERR_SRTP_REPLAY");
      const rtcps: Uint8Array[] = [];
      for (let n = 0; n < 200; n++) rtcps.push(tx.protectRtcp(randomRtcp(rng, ssrc, 12)));
      rx.unprotectRtcp(rtcps[199]!);
      rx.unprotectRtcp(rtcps[199 - 127]!); // SRTCP window: 128
      throwsCode(() => rx.unprotectRtcp(rtcps[199 - 128]!), "ERR_SRTP_REPLAY_OLD");
      throwsCode(() => rx.unprotectRtcp(rtcps[199]!), "ERR_SRTP_REPLAY");
      assert.equal(rx.getSrtcpIndex(ssrc), 199);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: unknown MKI is its own error`, async () => {
    const core = await shippedCore(variant);
    const opts = { profile: "AES_CM_128_HMAC_SHA1_80" as const, ...KEY, mki: Uint8Array.of(1) };
    const tx = core.srtp.sender(opts);
    const rx = core.srtp.receiver(opts);
    try {
      const rng = new Rng(5);
      const p = tx.protect(randomRtp(rng, 9, 9, 30));
      const bad = p.slice();
      bad[12 + 30] = 2; // the MKI octet
      throwsCode(() => rx.unprotect(bad), "ERR_SRTP_MKI");
      const r = tx.protectRtcp(randomRtcp(rng, 9, 16));
      const badr = r.slice();
      badr[16 + 4] = 7;
      throwsCode(() => rx.unprotectRtcp(badr), "ERR_SRTP_MKI");
      rx.unprotect(p);
      rx.unprotectRtcp(r);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: SRTCP index roll-over: the sender stops at 2^31, the receiver refuses a wrapped index`, async () => {
    const [tx, rx] = await pair(variant);
    try {
      const rng = new Rng(6);
      const ssrc = 0x5151;
      tx.setSrtcpIndex(ssrc, 0x7ffffffe);
      const a = tx.protectRtcp(randomRtcp(rng, ssrc, 8));
      const b = tx.protectRtcp(randomRtcp(rng, ssrc, 8));
      assert.equal(Buffer.from(b).readUInt32BE(8), 0xffffffff, "E=1, index 2^31-1");
      throwsCode(() => tx.protectRtcp(randomRtcp(rng, ssrc, 8)), "ERR_SRTP_KEY_EXPIRED");
      assert.equal(tx.getSrtcpIndex(ssrc), 0x80000000);
      rx.unprotectRtcp(a);
      rx.unprotectRtcp(b);
      // A sender that wrapped to index 0 (a broken peer) is refused as too old.
      const tx2 = (await shippedCore(variant)).srtp.sender({ profile: "AES_CM_128_HMAC_SHA1_80", ...KEY });
      const wrapped = tx2.protectRtcp(randomRtcp(rng, ssrc, 8));
      tx2.close();
      throwsCode(() => rx.unprotectRtcp(wrapped), "ERR_SRTP_REPLAY_OLD");
      assert.equal(rx.getSrtcpIndex(ssrc), 0x7fffffff);
    } finally {
      tx.close();
      rx.close();
    }
  });

  test(`${variant}: random garbage never crashes and never creates state`, async () => {
    const [tx, rx] = await pair(variant, { mki: Uint8Array.of(3) });
    try {
      const rng = new Rng(7);
      for (let n = 0; n < 3000; n++) {
        const len = rng.int(n < 1500 ? 64 : 600);
        const g = rng.bytes(len);
        if (rng.int(2)) g[0] = (g[0]! & 0x3f) | 0x80; // mostly version 2, to get past the first check
        if (rng.int(4) === 0 && len > 30) g[len - 11] = 3; // a known MKI sometimes
        for (const f of [() => rx.unprotect(g), () => rx.unprotectRtcp(g)]) {
          try {
            f();
            assert.fail("garbage authenticated");
          } catch (e) {
            assert.ok(e instanceof SrtpError, String(e));
          }
        }
      }
      assert.equal(rx.streamCount, 0);
      assert.equal(rx.stats().packets, 0);
      const p = randomRtp(rng, 1, 1, 10);
      assert.equal(toHex(rx.unprotect(tx.protect(p))), toHex(p));
    } finally {
      tx.close();
      rx.close();
    }
  });
}
