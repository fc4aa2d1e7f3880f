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
