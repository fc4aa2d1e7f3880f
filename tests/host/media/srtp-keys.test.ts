// Key handling over a provider (node-srtp here): both forms of a Skype key accepted, a replay
// across forms refused, re-key grace, MKI-only re-key in the running context.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SrtpRxRing, SrtpTxState } from "../../../host/media/srtp-keys.js";
import { srtpErrorCode, type SrtpKey } from "../../../host/media/srtp-provider.js";
import { nodeSrtp } from "../../../host/sim/mediation/node-srtp.js";
import { buildRtp } from "../../../host/media/rtp.js";
import { buildRr } from "../../../host/media/rtcp.js";
import { toHex } from "../../helpers/vectors.js";

const K1 = { masterKey: new Uint8Array(16).fill(1), masterSalt: new Uint8Array(14).fill(2) };
const K2 = { masterKey: new Uint8Array(16).fill(3), masterSalt: new Uint8Array(14).fill(4) };
const withMki = (k: { masterKey: Uint8Array; masterSalt: Uint8Array }, m: number): SrtpKey => ({ ...k, mki: Uint8Array.of(m) });
const P = "AES_CM_128_HMAC_SHA1_80" as const;
const rtp = (seq: number) => buildRtp({ payloadType: 0, sequence: seq, timestamp: seq * 160, ssrc: 0x5555 }, new Uint8Array(160).fill(seq & 0xff));

test("both forms of one key (with and without MKI) authenticate; a packet stripped of its MKI is a replay", () => {
  const ring = new SrtpRxRing(nodeSrtp);
  ring.set(P, [withMki(K1, 1), K1]);
  assert.equal(ring.size, 2);
  const txMki = nodeSrtp.sender({ profile: P, ...withMki(K1, 1) });
  const a = txMki.protect(rtp(1));
  assert.equal(toHex(ring.unprotect(a)), toHex(rtp(1)));
  assert.equal(ring.lastForm, "mki:01");
  // the same packet with its MKI byte removed: valid tag, but already received
  const stripped = new Uint8Array(a.length - 1);
  stripped.set(a.subarray(0, 172));
  stripped.set(a.subarray(173), 172);
  assert.throws(() => ring.unprotect(stripped), (e: unknown) => srtpErrorCode(e) === "ERR_SRTP_REPLAY");
  // a packet sent without MKI is accepted through the other form
  const txPlain = nodeSrtp.sender({ profile: P, ...K1 });
  txPlain.protect(rtp(1)); // skip seq 1 (already seen)
  const b = txPlain.protect(rtp(2));
  assert.equal(toHex(ring.unprotect(b)), toHex(rtp(2)));
  assert.equal(ring.lastForm, "no-mki");
  // SRTCP: the same rule
  const r = txMki.protectRtcp(buildRr(0x5555));
  ring.unprotectRtcp(r);
  const rs = new Uint8Array(r.length - 1);
  rs.set(r.subarray(0, r.length - 11));
  rs.set(r.subarray(r.length - 10), r.length - 11);
  assert.throws(() => ring.unprotectRtcp(rs), (e: unknown) => srtpErrorCode(e) === "ERR_SRTP_REPLAY");
  // an unknown MKI and a forged packet
  const other = nodeSrtp.sender({ profile: P, ...withMki(K1, 9) });
  assert.throws(() => ring.unprotect(other.protect(rtp(3))), (e: unknown) => ["ERR_SRTP_AUTH", "ERR_SRTP_MKI"].includes(srtpErrorCode(e)!));
  const forged = Uint8Array.from(txMki.protect(rtp(4)));
  forged[30]! ^= 1;
  assert.throws(() => ring.unprotect(forged), (e: unknown) => srtpErrorCode(e) === "ERR_SRTP_AUTH");
});

test("re-key: old keys stay accepted for the grace period, then are refused", () => {
  let now = 1000;
  const ring = new SrtpRxRing(nodeSrtp, 500, {}, () => now);
  ring.set(P, [K1]);
  const old = nodeSrtp.sender({ profile: P, ...K1 });
  const neu = nodeSrtp.sender({ profile: P, ...K2 });
  ring.unprotect(old.protect(rtp(1)));
  ring.set(P, [K2]);
  const lateOld = old.protect(rtp(2));
  ring.unprotect(neu.protect(rtp(3)));
  ring.unprotect(lateOld); // in flight across the re-key
  now += 600;
  assert.throws(() => ring.unprotect(old.protect(rtp(4))), (e: unknown) => srtpErrorCode(e) === "ERR_SRTP_AUTH");
  ring.unprotect(neu.protect(rtp(5)));
  assert.equal(ring.size, 1);
});

test("re-key where only the MKI changes: the running receiver takes the new key (context carries on)", () => {
  let now = 0;
  const ring = new SrtpRxRing(nodeSrtp, 100, {}, () => now);
  ring.set(P, [withMki(K1, 1)]);
  const tx = new SrtpTxState(nodeSrtp, P, withMki(K1, 1));
  for (let s = 65530; s < 65536; s++) ring.unprotect(tx.protect(rtp(s)));
  // new key, new MKI: the sender switches inside its context (ROC continues across the wrap)
  assert.equal(tx.update(P, withMki(K2, 2)), "switched");
  ring.set(P, [withMki(K2, 2)]);
  assert.equal(ring.size, 1, "no second receiver");
  for (let s = 0; s < 5; s++) ring.unprotect(tx.protect(rtp(s))); // ROC 1
  now += 200;
  for (let s = 5; s < 8; s++) ring.unprotect(tx.protect(rtp(s)));
  // only the MKI changes, same key
  assert.equal(tx.update(P, withMki(K2, 3)), "switched");
  ring.set(P, [withMki(K2, 3)]);
  ring.unprotect(tx.protect(rtp(8)));
  assert.equal(tx.update(P, withMki(K2, 3)), "same");
  assert.equal(tx.update(P, K1), "replaced", "no MKI: a new context");
});
