// Differential suite against libsrtp (Debian's libsrtp2-dev, driven through our C harness in
// host/interop/libsrtp, compiled during the test run). For every profile libsrtp supports, MKI off
// and on (two master keys, the sender switching half way), random keys and SSRCs, sequence numbers
// starting just below 65535 (so the ROC rolls over), CSRCs and header extensions:
//   - SRTP bytes from our sender equal libsrtp's, packet for packet;
//   - every packet each side protects unprotects on the other, fed in a reordered order;
//   - SRTCP likewise both ways; bytes are compared with our stream started at SRTCP index 1
//     (libsrtp's first index; RFC 3711's, which we follow by default, is 0);
//   - a stream joined with set-ROC gives the same bytes on both sides.
// Known departures of the linked libsrtp from the RFCs (detected by the harness at start-up) are
// reported and their cases skipped: AES-192 key derivation (libsrtp #763) and SRTCP-with-MKI
// unprotect for the _32 suites (libsrtp #733).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SRTP_PROFILES, type SrtpProfileInfo, type SrtpReceiver, type SrtpSender } from "../../../host/index.js";
import { LibsrtpHarness, isPacketError, type LibsrtpMasterKey, type LibsrtpPacketResult } from "../../../host/interop/libsrtp/index.js";
import { requirePkgConfig } from "../../helpers/system.js";
import { TMP_DIR } from "../../helpers/paths.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { toHex } from "../../helpers/vectors.js";
import { Rng, randomRtcp, randomRtp, reorder } from "./reference.js";

const sys = requirePkgConfig("libsrtp2", "libsrtp2-dev");

function bytes(r: LibsrtpPacketResult | undefined, what: string): Uint8Array {
  assert.ok(r instanceof Uint8Array, `${what}: libsrtp answered ${JSON.stringify(r)}`);
  return r;
}

describe("SRTP/SRTCP against libsrtp, byte for byte", { skip: sys.skip }, () => {
  let h: LibsrtpHarness;
  before(async () => {
    h = await LibsrtpHarness.start({ cacheDir: TMP_DIR });
  });
  after(async () => {
    await h?.close();
  });

  for (const variant of VARIANTS) {
    let seed = 0x5eed0000 + (variant === "simd" ? 0 : 1000);
    for (const p of SRTP_PROFILES) {
      for (const withMki of [false, true]) {
        const s = seed++;
        it(`${variant}: ${p.name}${withMki ? ", two keys with MKIs" : ""}`, async (t) => {
          const info = h.profiles.find((x) => x.name === p.name);
          if (!info?.supported) return t.skip(`the linked libsrtp ${h.version} does not support ${p.name}`);
          if (info.deviations.includes("aes192-kdf")) return t.skip(`libsrtp ${h.version} derives AES-192 keys with the AES-256 PRF (cisco/libsrtp #763); no RFC 6188 implementation can interoperate with it`);
          const mkiBug = withMki && info.deviations.includes("srtcp-mki-srtp-tag-length");
          await runCase(t, h, variant, p, withMki, s, mkiBug);
        });
      }
    }
  }

  it("a stream joined with set-ROC: same bytes on both sides", async () => {
    const core = await shippedCore("simd");
    const rng = new Rng(99);
    const key = { masterKey: rng.bytes(16), masterSalt: rng.bytes(14) };
    const ssrc = 0x600dd00d;
    const lib = await h.createSession({ role: "sender", profile: "AES_CM_128_HMAC_SHA1_80", keys: [key], ssrc });
    const tx = core.srtp.sender({ profile: "AES_CM_128_HMAC_SHA1_80", ...key });
    try {
      await h.setRoc(lib, ssrc, 0x12345);
      tx.setRoc(ssrc, 0x12345);
      const plain = Array.from({ length: 40 }, (_, n) => randomRtp(rng, ssrc, 65520 + n, 50));
      const theirs = await h.protect(lib, plain);
      const ours = plain.map((x) => tx.protect(x));
      for (let i = 0; i < plain.length; i++) assert.equal(toHex(ours[i]!), toHex(bytes(theirs[i], `packet ${i}`)), `packet ${i}`);
      assert.equal(tx.getRoc(ssrc), 0x12346);
      assert.equal(await h.getRoc(lib, ssrc), 0x12346);
    } finally {
      tx.close();
      await h.destroySession(lib);
    }
  });
});

async function runCase(
  t: { diagnostic: (m: string) => void }, h: LibsrtpHarness, variant: (typeof VARIANTS)[number], p: SrtpProfileInfo, withMki: boolean, seed: number, mkiBug: boolean,
): Promise<void> {
  const core = await shippedCore(variant);
  const rng = new Rng(seed);
  const keys: LibsrtpMasterKey[] = [0, 1].slice(0, withMki ? 2 : 1).map((n) => ({
    masterKey: rng.bytes(p.masterKeyLength),
    masterSalt: rng.bytes(p.masterSaltLength),
    ...(withMki ? { mki: Uint8Array.of(0x10 + n) } : {}),
  }));
  const libTx = await h.createSession({ role: "sender", profile: p.name, keys });
  const libRx = await h.createSession({ role: "receiver", profile: p.name, keys });
  const ours = (role: "sender" | "receiver"): SrtpSender | SrtpReceiver => {
    const s = role === "sender" ? core.srtp.sender({ profile: p.name, ...keys[0]!, maxKeys: 2 }) : core.srtp.receiver({ profile: p.name, ...keys[0]!, maxKeys: 2 });
    if (withMki) s.addKey(keys[1]!);
    return s;
  };
  const tx = ours("sender") as SrtpSender;
  const txFrom1 = ours("sender") as SrtpSender; // SRTCP numbered from 1, like libsrtp
  const rx = ours("receiver") as SrtpReceiver;
  try {
    for (const ssrc of [rng.u32(), rng.u32()]) {
      const seq0 = 65500 + rng.int(35);
      const n = 160;
      const plain = Array.from({ length: n }, (_, i) => {
        const shape = rng.int(4);
        return randomRtp(rng, ssrc, (seq0 + i) & 0xffff, rng.int(260), {
          csrc: shape === 1 ? 1 + rng.int(15) : 0,
          ...(shape >= 2 ? { ext: rng.int(4) } : {}),
        });
      });
      // First half under key 0, second half under key 1 (when there are two).
      const theirs = [...(await h.protect(libTx, plain.slice(0, n / 2), { mkiIndex: 0 }))];
      const mine = plain.slice(0, n / 2).map((x) => tx.protect(x));
      if (withMki) tx.useKey(keys[1]!.mki!);
      theirs.push(...(await h.protect(libTx, plain.slice(n / 2), { mkiIndex: withMki ? 1 : 0 })));
      mine.push(...plain.slice(n / 2).map((x) => tx.protect(x)));
      if (withMki) tx.useKey(keys[0]!.mki!);
      for (let i = 0; i < n; i++) assert.equal(toHex(mine[i]!), toHex(bytes(theirs[i], `libsrtp protect ${i}`)), `SRTP packet ${i} (seq ${(seq0 + i) & 0xffff})`);
      // Each side unprotects the other's packets, reordered (the first packet first).
      const order = reorder(rng, [...plain.keys()], 5);
      const opened = await h.unprotect(libRx, order.map((i) => mine[i]!));
      order.forEach((i, k) => assert.equal(toHex(bytes(opened[k], `libsrtp unprotect ${i}`)), toHex(plain[i]!)));
      const ourOrder = reorder(rng, [...plain.keys()], 5);
      for (const i of ourOrder) assert.equal(toHex(rx.unprotect(bytes(theirs[i], `packet ${i}`))), toHex(plain[i]!), `our unprotect of libsrtp packet ${i}`);
      assert.equal(rx.getRoc(ssrc), 1);
      // SRTCP
      const m = 16;
      const rtcp = Array.from({ length: m }, () => randomRtcp(rng, ssrc, 8 + 4 * rng.int(40)));
      const theirsRtcp = [...(await h.protect(libTx, rtcp.slice(0, m / 2), { rtcp: true, mkiIndex: 0 }))];
      if (withMki) txFrom1.useKey(keys[0]!.mki!);
      txFrom1.setSrtcpIndex(ssrc, 1);
      const from1 = rtcp.slice(0, m / 2).map((x) => txFrom1.protectRtcp(x));
      theirsRtcp.push(...(await h.protect(libTx, rtcp.slice(m / 2), { rtcp: true, mkiIndex: withMki ? 1 : 0 })));
      if (withMki) txFrom1.useKey(keys[1]!.mki!);
      from1.push(...rtcp.slice(m / 2).map((x) => txFrom1.protectRtcp(x)));
      for (let i = 0; i < m; i++) assert.equal(toHex(from1[i]!), toHex(bytes(theirsRtcp[i], `libsrtp protect rtcp ${i}`)), `SRTCP packet ${i}`);
      for (let i = 0; i < m; i++) assert.equal(toHex(rx.unprotectRtcp(theirsRtcp[i] as Uint8Array)), toHex(rtcp[i]!), `our unprotect of libsrtp SRTCP ${i}`);
      // Our RFC-numbered SRTCP (index from 0) opens in libsrtp.
      const mineRtcp = rtcp.map((x) => tx.protectRtcp(x));
      if (mkiBug) {
        t.diagnostic(`${p.name}: libsrtp ${h.version} cannot unprotect SRTCP with an MKI when the SRTCP tag is longer than the SRTP tag (cisco/libsrtp #733); that direction is not checked`);
      } else {
        const back = await h.unprotect(libRx, mineRtcp, { rtcp: true });
        back.forEach((r, i) => assert.equal(toHex(bytes(r, `libsrtp unprotect rtcp ${i}`)), toHex(rtcp[i]!)));
      }
      assert.ok(!isPacketError(theirs[0]!));
    }
  } finally {
    tx.close();
    txFrom1.close();
    rx.close();
    await h.destroySession(libTx);
    await h.destroySession(libRx);
  }
}
