// The SrtpError codes of the issue-3 contract (audit 3.1): every failure the contract names throws
// the code it lists — a conformance suite switching on those ten codes never meets another code for
// them — and the four extensions (ERR_SRTP_FULL, _NO_STREAM, _STATE, _ARG) occur only where
// docs/api.md "Errors" says. Both shipped builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SrtpError } from "../../../host/index.js";
import type { SrtpErrorCode } from "../../../host/srtp/errors.js";
import { VARIANTS, shippedCore } from "../../helpers/cores.js";
import { REPO_ROOT } from "../../helpers/paths.js";

/** The closed list of issue 3 ("Failures throw SrtpError with code one of ..."). */
const CONTRACT: SrtpErrorCode[] = [
  "ERR_SRTP_AUTH", "ERR_SRTP_REPLAY", "ERR_SRTP_REPLAY_OLD", "ERR_SRTP_MKI", "ERR_SRTP_KEY_EXPIRED",
  "ERR_SRTP_MALFORMED", "ERR_SRTP_BUFFER", "ERR_SRTP_PROFILE", "ERR_SRTP_KEY", "ERR_SRTP_REPEAT_TX",
];
const EXTENSIONS: SrtpErrorCode[] = ["ERR_SRTP_FULL", "ERR_SRTP_NO_STREAM", "ERR_SRTP_STATE", "ERR_SRTP_ARG"];

const P = "AES_CM_128_HMAC_SHA1_80" as const;
const KEY = { masterKey: new Uint8Array(16).fill(0x11), masterSalt: new Uint8Array(14).fill(0x22), mki: Uint8Array.of(1) };

function rtp(seq: number, ssrc = 0x1234, payload = 160): Uint8Array {
  const b = Buffer.alloc(12 + payload, 0x55);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(1000, 4);
  b.writeUInt32BE(ssrc, 8);
  return new Uint8Array(b);
}

function rtcp(ssrc = 0x1234): Uint8Array {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc, 4);
  return new Uint8Array(b);
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SrtpError, `an SrtpError, not ${String(e)}`);
    return e.code;
  }
  return "no error";
}

for (const variant of VARIANTS) {
  test(`${variant}: every failure the contract names throws the code it lists`, async () => {
    const S = (await shippedCore(variant)).srtp;
    // Each case is checked where it stands: later packets move the replay window.
    const seen = new Set<string>();
    const check = (what: string, want: SrtpErrorCode, f: () => unknown) => {
      assert.equal(codeOf(f), want, what);
      seen.add(want);
    };
    const tx = S.sender({ profile: P, ...KEY });
    const rx = S.receiver({ profile: P, ...KEY });
    const first = tx.protect(rtp(1));
    rx.unprotect(first);
    check("a packet received twice", "ERR_SRTP_REPLAY", () => rx.unprotect(first));
    for (let i = 2; i < 300; i++) rx.unprotect(tx.protect(rtp(i)));
    const late = S.sender({ profile: P, ...KEY }).protect(rtp(5));
    check("a packet behind the replay window", "ERR_SRTP_REPLAY_OLD", () => rx.unprotect(late));
    const flipped = tx.protect(rtp(400));
    flipped[flipped.length - 1]! ^= 1;
    check("a flipped tag", "ERR_SRTP_AUTH", () => rx.unprotect(flipped));
    const rtcpFlipped = tx.protectRtcp(rtcp());
    rtcpFlipped[rtcpFlipped.length - 1]! ^= 1;
    check("a flipped SRTCP tag", "ERR_SRTP_AUTH", () => rx.unprotectRtcp(rtcpFlipped));
    const otherMki = tx.protect(rtp(401));
    otherMki[otherMki.length - 11] = 9; // the MKI sits before the 10-byte tag
    check("an unknown MKI", "ERR_SRTP_MKI", () => rx.unprotect(otherMki));
    check("useKey of an unknown MKI", "ERR_SRTP_MKI", () => tx.useKey(Uint8Array.of(7)));
    check("a sequence number protected again", "ERR_SRTP_REPEAT_TX", () => tx.protect(rtp(401)));
    check("protectInto a short buffer", "ERR_SRTP_BUFFER", () => tx.protectInto(rtp(500), new Uint8Array(50)));
    check("unprotectInto a short buffer", "ERR_SRTP_BUFFER", () => rx.unprotectInto(tx.protect(rtp(501)), new Uint8Array(20)));
    check("protectRtcpInto a short buffer", "ERR_SRTP_BUFFER", () => tx.protectRtcpInto(rtcp(), new Uint8Array(10)));
    const v1 = rtp(600);
    v1[0] = 0x40;
    const csrc = rtp(601, 0x1234, 0);
    csrc[0] = 0x8f;
    const ext = rtp(602, 0x1234, 4);
    ext[0] = 0x90;
    ext[14] = 0xff;
    ext[15] = 0xff;
    for (const [what, pkt] of [["a truncated packet", new Uint8Array(5)], ["an empty packet", new Uint8Array(0)], ["version 1", v1], ["CSRCs past the end", csrc], ["an extension past the end", ext]] as const) {
      check(`protect: ${what}`, "ERR_SRTP_MALFORMED", () => tx.protect(pkt));
      check(`unprotect: ${what}`, "ERR_SRTP_MALFORMED", () => rx.unprotect(pkt));
    }
    check("a truncated SRTCP packet", "ERR_SRTP_MALFORMED", () => rx.unprotectRtcp(new Uint8Array(6)));
    check("an unknown profile", "ERR_SRTP_PROFILE", () => S.sender({ ...KEY, profile: "AES_CM_129_HMAC_SHA1_80" as typeof P }));
    check("a master key of the wrong length", "ERR_SRTP_KEY", () => S.sender({ profile: P, masterKey: new Uint8Array(15), masterSalt: new Uint8Array(14) }));
    check("a master salt of the wrong length", "ERR_SRTP_KEY", () => S.receiver({ profile: P, masterKey: new Uint8Array(16), masterSalt: new Uint8Array(12) }));
    check("an AEAD salt of 14 octets", "ERR_SRTP_KEY", () => S.sender({ profile: "AEAD_AES_128_GCM", masterKey: new Uint8Array(16), masterSalt: new Uint8Array(14) }));
    check("addKey with a key of the wrong length", "ERR_SRTP_KEY", () => tx.addKey({ masterKey: new Uint8Array(32), masterSalt: new Uint8Array(14), mki: Uint8Array.of(2) }));
    const limited = S.sender({ profile: P, ...KEY, lifetime: 2 });
    limited.protect(rtp(1));
    limited.protect(rtp(2));
    check("the SDES lifetime used up (sender)", "ERR_SRTP_KEY_EXPIRED", () => limited.protect(rtp(3)));
    const wrap = S.sender({ profile: P, ...KEY });
    wrap.setSrtcpIndex(0x1234, 2 ** 31 - 1);
    wrap.protectRtcp(rtcp());
    check("the SRTCP index space used up", "ERR_SRTP_KEY_EXPIRED", () => wrap.protectRtcp(rtcp()));

    assert.deepEqual([...seen].sort(), [...CONTRACT].sort(), "every code of the contract is exercised");
  });

  test(`${variant}: the four extensions occur only for capacity, unknown streams, a closed or keyless session, and bad arguments`, async () => {
    const S = (await shippedCore(variant)).srtp;
    const tx = S.sender({ profile: P, ...KEY });
    const cases: [string, SrtpErrorCode, () => unknown][] = [
      ["a second SSRC with maxStreams 1 (sender)", "ERR_SRTP_FULL", () => {
        const s = S.sender({ profile: P, ...KEY, maxStreams: 1 });
        s.protect(rtp(1, 1));
        s.protect(rtp(1, 2));
      }],
      ["a second SSRC with maxStreams 1 (receiver, authenticated)", "ERR_SRTP_FULL", () => {
        const r = S.receiver({ profile: P, ...KEY, maxStreams: 1 });
        const s = S.sender({ profile: P, ...KEY });
        r.unprotect(s.protect(rtp(1, 1)));
        r.unprotect(s.protect(rtp(1, 2)));
      }],
      ["a second key with maxKeys 1", "ERR_SRTP_FULL", () => S.sender({ profile: P, ...KEY, maxKeys: 1 }).addKey({ ...KEY, mki: Uint8Array.of(2) })],
      ["getRoc of an unknown SSRC", "ERR_SRTP_NO_STREAM", () => tx.getRoc(0xdead)],
      ["stats of an unknown SSRC", "ERR_SRTP_NO_STREAM", () => tx.stats(0xdead)],
      ["removeStream of an unknown SSRC", "ERR_SRTP_NO_STREAM", () => tx.removeStream(0xdead)],
      ["a closed session", "ERR_SRTP_STATE", () => {
        const s = S.sender({ profile: P, ...KEY });
        s.close();
        s.protect(rtp(1));
      }],
      ["a sender whose active key was removed", "ERR_SRTP_STATE", () => {
        const s = S.sender({ profile: P, ...KEY });
        s.removeKey(KEY.mki);
        s.protect(rtp(1));
      }],
      ["replayWindow 63", "ERR_SRTP_ARG", () => S.sender({ profile: P, ...KEY, replayWindow: 63 })],
      ["lifetime 0", "ERR_SRTP_ARG", () => S.sender({ profile: P, ...KEY, lifetime: 0 })],
      ["maxStreams 0", "ERR_SRTP_ARG", () => S.sender({ profile: P, ...KEY, maxStreams: 0 })],
      ["srtcpTagLength with an AEAD profile", "ERR_SRTP_ARG", () => S.sender({ profile: "AEAD_AES_128_GCM", masterKey: new Uint8Array(16), masterSalt: new Uint8Array(12), srtcpTagLength: 4 })],
      ["a packet that is not a Uint8Array", "ERR_SRTP_ARG", () => tx.protect("x" as unknown as Uint8Array)],
      ["setRoc(-1)", "ERR_SRTP_ARG", () => tx.setRoc(1, -1)],
    ];
    for (const [what, want, f] of cases) {
      assert.equal(codeOf(f), want, what);
      assert.ok(EXTENSIONS.includes(want));
    }
  });
}

test("docs/api.md lists the contract's ten codes and names the four extensions with when they occur", () => {
  const api = readFileSync(join(REPO_ROOT, "docs", "api.md"), "utf8");
  const section = api.slice(api.indexOf("### Errors"), api.indexOf("### Memory"));
  for (const c of [...CONTRACT, ...EXTENSIONS]) assert.match(section, new RegExp(`\\| \`${c}\` \\|`), c);
  assert.match(section, /extensions/i);
});
