// Differential test against an independent node:crypto SRTP (reference.ts): every profile, MKI on
// and off, random keys, SSRCs, header shapes (CSRCs, extensions) and payload sizes, sequence numbers
// starting near 65535 so the ROC rolls over, and a receiver fed the packets reordered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SRTP_PROFILES, type SrtpProfileInfo } from "../../../host/index.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { Rng, randomRtcp, randomRtp, refProtectRtcp, refProtectRtp, refSessionKeys, reorder } from "./reference.js";

function run(variant: (typeof VARIANTS)[number], p: SrtpProfileInfo, withMki: boolean, seed: number) {
  return async () => {
    const core = await shippedCore(variant);
    const rng = new Rng(seed);
    const masterKey = rng.bytes(p.masterKeyLength);
    const masterSalt = rng.bytes(p.masterSaltLength);
    const mki = withMki ? rng.bytes(1 + rng.int(4)) : undefined;
    const opts = { profile: p.name, masterKey, masterSalt, ...(mki ? { mki } : {}) };
    const rtpKeys = refSessionKeys(p, masterKey, masterSalt, false);
    const rtcpKeys = refSessionKeys(p, masterKey, masterSalt, true);
    const tx = core.srtp.sender(opts);
    const rx = core.srtp.receiver(opts);
    try {
      const ssrcs = [rng.u32(), rng.u32()];
      for (const ssrc of ssrcs) {
        const seq0 = 65530 + rng.int(6);
        const plain: Uint8Array[] = [];
        const sealed: Uint8Array[] = [];
        for (let n = 0; n < 120; n++) {
          const seq = (seq0 + n) & 0xffff;
          const roc = seq0 + n > 0xffff ? 1 : 0;
          const shape = rng.int(4);
          const rtp = randomRtp(rng, ssrc, seq, rng.int(300), {
            csrc: shape === 1 ? 1 + rng.int(15) : 0,
            ...(shape >= 2 ? { ext: rng.int(4) } : {}),
          });
          const ours = tx.protect(rtp);
          assert.equal(toHex(ours), toHex(refProtectRtp({ profile: p, keys: rtpKeys, ...(mki ? { mki } : {}) }, rtp, roc)), `packet ${n} (seq ${seq})`);
          plain.push(rtp);
          sealed.push(ours);
        }
        assert.equal(tx.getRoc(ssrc), 1);
        const order = reorder(rng, [...sealed.keys()], 6);
        for (const i of order) assert.equal(toHex(rx.unprotect(sealed[i]!)), toHex(plain[i]!), `reordered packet ${i}`);
        assert.equal(rx.getRoc(ssrc), 1);
        for (let n = 0; n < 12; n++) {
          const rtcp = randomRtcp(rng, ssrc, 8 + 4 * rng.int(30));
          const ours = tx.protectRtcp(rtcp);
          assert.equal(toHex(ours), toHex(refProtectRtcp({ profile: p, keys: rtcpKeys, ...(mki ? { mki } : {}) }, rtcp, n)), `rtcp ${n}`);
          assert.equal(toHex(rx.unprotectRtcp(ours)), toHex(rtcp));
        }
      }
      const st = rx.stats();
      assert.equal(st.packets, 2 * (120 + 12));
      assert.equal(st.authFailures, 0);
    } finally {
      tx.close();
      rx.close();
    }
  };
}

for (const variant of VARIANTS) {
  let seed = 1000;
  for (const p of SRTP_PROFILES) {
    for (const withMki of [false, true]) {
      test(`${variant}: ${p.name}${withMki ? " with MKI" : ""} matches node:crypto SRTP, across a ROC roll-over, reordered`, run(variant, p, withMki, seed++));
    }
  }
}
