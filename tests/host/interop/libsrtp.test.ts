// The libsrtp interop harness itself: building, the protocol, libsrtp's known answers, the RFC
// SRTCP tag pairing, round trips for every supported profile with and without MKI, replay,
// tampering, ROC set/get, hostile input, batching, and the in-C bench.
// libsrtp-reference.test.ts checks the bytes against an independent node:crypto SRTP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requirePkgConfig } from "../../helpers/system.js";
import { TMP_DIR } from "../../helpers/paths.js";
import { hex, loadVectors, toHex } from "../../helpers/vectors.js";
import {
  InteropError,
  LIBSRTP_INSTALL,
  LIBSRTP_PROFILES,
  LibsrtpHarness,
  isPacketError,
  libsrtpAvailable,
  type LibsrtpMasterKey,
  type LibsrtpPacketResult,
  type LibsrtpProfileInfo,
} from "../../../host/interop/libsrtp/index.js";
import { REF_PROFILES, deriveSessionKeys, prng, randomRtcp, randomRtp, refProtectRtp } from "./libsrtp-reference.js";

const sys = requirePkgConfig("libsrtp2", "libsrtp2-dev");

function bytes(r: LibsrtpPacketResult | undefined, what = "packet"): Uint8Array {
  assert.ok(r instanceof Uint8Array, `${what}: libsrtp answered ${JSON.stringify(r)}`);
  return r;
}

function errorOf(r: LibsrtpPacketResult | undefined): string | undefined {
  return r !== undefined && isPacketError(r) ? r.error : undefined;
}

async function rejectsWith(p: Promise<unknown>, code: string, extra?: (e: InteropError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InteropError, `expected InteropError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    extra?.(e);
    return true;
  });
}

function randomKeys(p: LibsrtpProfileInfo, r: ReturnType<typeof prng>, mkis: Uint8Array[] | undefined): LibsrtpMasterKey[] {
  return (mkis ?? [undefined]).map((mki) => ({
    masterKey: r.bytes(p.masterKeyLength),
    masterSalt: r.bytes(p.masterSaltLength),
    ...(mki ? { mki } : {}),
  }));
}

describe("libsrtp harness: availability and build", { skip: sys.skip }, () => {
  it("libsrtpAvailable() finds cc and libsrtp2; a missing compiler is reported with the install command", async () => {
    assert.deepEqual(libsrtpAvailable(), { ok: true });
    const missing = libsrtpAvailable({ cc: "/nonexistent/cc" });
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.install, LIBSRTP_INSTALL);
    await rejectsWith(LibsrtpHarness.start({ cacheDir: TMP_DIR, cc: "/nonexistent/cc" }), "ERR_INTEROP_UNAVAILABLE", (e) =>
      assert.equal(e.install, LIBSRTP_INSTALL),
    );
    const noPc = libsrtpAvailable({ pkgConfig: "/nonexistent/pkg-config" });
    assert.equal(noPc.ok, false);
  });

  it("compiles once into the cache dir and reuses the binary", async () => {
    const a = await LibsrtpHarness.start({ cacheDir: TMP_DIR });
    const t0 = performance.now();
    const b = await LibsrtpHarness.start({ cacheDir: TMP_DIR });
    const ms = performance.now() - t0;
    try {
      assert.equal(a.binaryPath, b.binaryPath);
      assert.ok(a.binaryPath.startsWith(TMP_DIR));
      assert.ok(ms < 5000, `second start took ${ms} ms`);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a cached binary that others can write is not run: it is rebuilt", async () => {
    const dir = join(TMP_DIR, "libsrtp-cache-perms");
    mkdirSync(dir, { recursive: true });
    const a = await LibsrtpHarness.start({ cacheDir: dir });
    await a.close();
    chmodSync(a.binaryPath, 0o777);
    const b = await LibsrtpHarness.start({ cacheDir: dir });
    await b.close();
    assert.equal(b.binaryPath, a.binaryPath);
    assert.equal(statSync(b.binaryPath).mode & 0o777, 0o755);
  });

  it("a source that does not compile fails with ERR_INTEROP_BUILD and the compiler's message", async () => {
    const dir = join(TMP_DIR, "libsrtp-broken");
    mkdirSync(dir, { recursive: true });
    const src = join(dir, "broken.c");
    writeFileSync(src, "#include <srtp2/srtp.h>\nint main(void) { return this_is_not_defined; }\n");
    await rejectsWith(LibsrtpHarness.start({ cacheDir: dir, sourcePath: src }), "ERR_INTEROP_BUILD", (e) => assert.match(e.message, /this_is_not_defined/));
  });
});

describe("libsrtp harness", { skip: sys.skip }, () => {
  let h: LibsrtpHarness;
  before(async () => {
    h = await LibsrtpHarness.start({ cacheDir: TMP_DIR });
  });
  after(async () => {
    await h?.close();
  });

  const supported = (): LibsrtpProfileInfo[] => h.profiles.filter((p) => p.supported);

  it("reports libsrtp's version and every profile, with what the linked libsrtp supports", (t) => {
    assert.match(h.version, /\b2\.\d+\.\d+/);
    assert.equal(h.versionNumber >>> 24, 2);
    assert.deepEqual(
      h.profiles.map((p) => p.name),
      [...LIBSRTP_PROFILES],
    );
    const base = h.profiles.find((p) => p.name === "AES_CM_128_HMAC_SHA1_80")!;
    assert.equal(base.supported, true);
    assert.equal(base.knownAnswer, "pass");
    for (const p of h.profiles) {
      t.diagnostic(`${p.name}: ${p.supported ? "supported" : "unsupported"}, known answer ${p.knownAnswer}, deviations [${p.deviations.join(", ")}]`);
      assert.equal(p.masterKeyLength, REF_PROFILES[p.name]!.keyLength);
      assert.equal(p.masterSaltLength, REF_PROFILES[p.name]!.saltLength);
      // A failing known answer is only acceptable when its cause was diagnosed.
      if (p.knownAnswer === "fail") assert.ok(p.deviations.length > 0, `${p.name} fails its known answer for no known reason`);
    }
    assert.equal(h.supports("AES_CM_128_HMAC_SHA1_80"), true);
    assert.equal(h.supports("AES_CM_128_HMAC_SHA1_81"), false);
  });

  it("SRTCP uses the RFC pairing (80-bit SRTCP tag for the _32 suites), as libsrtp's own profile setters do", async () => {
    for (const p of h.profiles) {
      const gcm = p.name.startsWith("AEAD_");
      assert.equal(p.srtpTagLength, gcm ? 16 : p.name.endsWith("_32") ? 4 : 10, p.name);
      assert.equal(p.srtcpTagLength, gcm ? 16 : 10, p.name);
      if (typeof p.libsrtpProfileSetter === "object") {
        assert.equal(p.libsrtpProfileSetter.srtpTagLength, p.srtpTagLength, p.name);
        assert.equal(p.libsrtpProfileSetter.srtcpTagLength, p.srtcpTagLength, p.name);
        assert.equal(p.libsrtpProfileSetter.samePolicies, true, p.name);
      }
    }
    // libsrtp has profile numbers for these, and its setters must agree with the RFC pairing.
    for (const name of ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM", "NULL_HMAC_SHA1_80"]) {
      assert.equal(typeof h.profiles.find((p) => p.name === name)!.libsrtpProfileSetter, "object", name);
    }
    // And the packets have the lengths that says: RTP + tag; RTCP + E||index + tag.
    const r = prng(3);
    for (const p of supported()) {
      const s = await h.createSession({ role: "sender", profile: p.name, keys: randomKeys(p, r, undefined) });
      const rtpIn = randomRtp(r, 2, 0x1111);
      const [rtp] = await h.protect(s, [rtpIn]);
      assert.equal(bytes(rtp).length, rtpIn.length + p.srtpTagLength, p.name);
      const rtcpIn = randomRtcp(r, 0x2222);
      const [rtcp] = await h.protect(s, [rtcpIn], { rtcp: true });
      assert.equal(bytes(rtcp).length, rtcpIn.length + 4 + p.srtcpTagLength, p.name);
      await h.destroySession(s);
    }
  });

  it("reproduces every protect() vector of srtp_packets_libsrtp.json, and unprotects them", async (t) => {
    const v = loadVectors("srtp_packets_libsrtp");
    assert.equal(v.cases.length, 8);
    for (const c of v.cases) {
      const info = h.profiles.find((p) => p.name === c.profile)!;
      if (!info.supported) {
        t.diagnostic(`${c.name}: profile not supported by the linked libsrtp`);
        continue;
      }
      const rtcp = c.kind === "srtcp";
      // baresip/re's SRTCP case used a 32-bit SRTCP tag (a policy choice of that test, not the
      // RFC pairing): reproduced through the explicit srtcpTagLength option.
      const srtcpTagLength = rtcp && c.auth_tag_len === 4 ? { srtcpTagLength: 4 } : {};
      const keys = [{ masterKey: hex(c.master_key), masterSalt: hex(c.master_salt) }];
      const tx = await h.createSession({ role: "sender", profile: c.profile, keys, ...srtcpTagLength });
      const rx = await h.createSession({ role: "receiver", profile: c.profile, keys, ...srtcpTagLength });
      const [got] = await h.protect(tx, [hex(c.plaintext_packet)], { rtcp });
      const [opened] = await h.unprotect(rx, [hex(c.protected_packet)], { rtcp });
      if (info.deviations.includes("aes192-kdf")) {
        // Known libsrtp bug (cisco/libsrtp #763): the test in libsrtp-reference.test.ts shows the
        // output is exactly what the AES-256-PRF key derivation gives.
        t.diagnostic(`${c.name}: the linked libsrtp has the AES-192 KDF bug; the RFC 6188 answer cannot match`);
        assert.notEqual(toHex(bytes(got)), c.protected_packet);
        assert.equal(toHex(bytes(got)).slice(0, 24), c.protected_packet.slice(0, 24), "header");
        assert.equal(errorOf(opened), "auth_fail");
      } else {
        assert.equal(toHex(bytes(got, c.name)), c.protected_packet, c.name);
        assert.equal(toHex(bytes(opened, c.name)), c.plaintext_packet, c.name);
      }
      await h.destroySession(tx);
      await h.destroySession(rx);
    }
  });

  it(
    "RFC 7714 §16/§17 packets",
    { skip: "not expressible: libsrtp takes master keys only and RFC 7714 gives session keys; those vectors check the node:crypto reference in libsrtp-reference.test.ts, which then checks libsrtp's GCM output" },
    () => {},
  );

  it("sender -> receiver round trip for every supported profile, MKI off and on, SRTP and SRTCP", async () => {
    const r = prng(11);
    for (const p of supported()) {
      for (const mkis of [undefined, [Uint8Array.of(1)], [Uint8Array.of(0, 0, 0, 1), Uint8Array.of(0, 0, 0, 2)]]) {
        const what = `${p.name} mki=${mkis ? mkis.map((m) => toHex(m)).join("/") : "off"}`;
        const keys = randomKeys(p, r, mkis);
        const tx = await h.createSession({ role: "sender", profile: p.name, keys });
        const rx = await h.createSession({ role: "receiver", profile: p.name, keys });
        const mkiIndex = keys.length - 1; // the last key: with two keys, not the default
        const ssrc = r.u32();
        const rtp = Array.from({ length: 40 }, (_, i) => randomRtp(r, 65520 + i, ssrc));
        const sealed = await h.protect(tx, rtp, { mkiIndex });
        sealed.forEach((s, i) => {
          const b = bytes(s, what);
          assert.equal(b.length, rtp[i]!.length + p.srtpTagLength + (mkis?.[0]?.length ?? 0), what);
          if (mkis) {
            // The MKI sits before the tag (RFC 3711) or after the GCM tag (libsrtp's AEAD layout).
            const mki = toHex(mkis[mkiIndex]!);
            const at = p.name.startsWith("AEAD_") ? b.length - mki.length / 2 : b.length - p.srtpTagLength - mki.length / 2;
            assert.equal(toHex(b.subarray(at, at + mki.length / 2)), mki, what);
          }
        });
        const opened = await h.unprotect(rx, sealed.map((s) => bytes(s)));
        opened.forEach((o, i) => assert.equal(toHex(bytes(o, what)), toHex(rtp[i]!), what));

        const rtcp = Array.from({ length: 20 }, () => randomRtcp(r, ssrc));
        const sealedC = await h.protect(tx, rtcp, { rtcp: true, mkiIndex });
        const openedC = await h.unprotect(
          rx,
          sealedC.map((s) => bytes(s, what)),
          { rtcp: true },
        );
        if (mkis !== undefined && p.deviations.includes("srtcp-mki-srtp-tag-length")) {
          // The detected libsrtp bug looks for the MKI inside the tag: bad_mki, except when the
          // tag bytes there happen to equal an MKI (the right key's: the packet opens; the other
          // key's: auth_fail).
          openedC.forEach((o, i) => {
            if (o instanceof Uint8Array) assert.equal(toHex(o), toHex(rtcp[i]!), what);
            else assert.ok(["bad_mki", "auth_fail"].includes(errorOf(o)!), `${what}: ${JSON.stringify(o)}`);
          });
          assert.ok(openedC.some((o) => errorOf(o) === "bad_mki"), `${what}: the deviation did not show`);
        } else {
          openedC.forEach((o, i) => assert.equal(toHex(bytes(o, what)), toHex(rtcp[i]!), what));
        }
        await h.destroySession(tx);
        await h.destroySession(rx);
      }
    }
  });

  it("an MKI the receiver does not know fails with bad_mki; a known one selects its key", async () => {
    const p = h.profiles.find((x) => x.name === "AES_CM_128_HMAC_SHA1_80")!;
    const r = prng(12);
    const [k1, k2] = randomKeys(p, r, [Uint8Array.of(1), Uint8Array.of(2)]);
    const rx = await h.createSession({ role: "receiver", profile: p.name, keys: [k1!, k2!] });
    const txKnown = await h.createSession({ role: "sender", profile: p.name, keys: [k2!] });
    const txUnknown = await h.createSession({ role: "sender", profile: p.name, keys: [{ ...k2!, mki: Uint8Array.of(3) }] });
    const pkt = randomRtp(r, 10, 0x3333);
    const [known] = await h.protect(txKnown, [pkt]);
    const [unknown] = await h.protect(txUnknown, [randomRtp(r, 11, 0x3333)]);
    const [a, b] = await h.unprotect(rx, [bytes(known), bytes(unknown)]);
    assert.equal(toHex(bytes(a)), toHex(pkt));
    assert.equal(errorOf(b), "bad_mki");
    await rejectsWith(h.protect(txKnown, [pkt], { mkiIndex: 1 }), "ERR_INTEROP_PARAM");
    for (const s of [rx, txKnown, txUnknown]) await h.destroySession(s);
  });

  it("replay protection: a repeat fails with replay_fail, a packet behind the window with replay_old", async () => {
    const p = h.profiles.find((x) => x.name === "AES_CM_128_HMAC_SHA1_80")!;
    const r = prng(13);
    const keys = randomKeys(p, r, undefined);
    const tx = await h.createSession({ role: "sender", profile: p.name, keys });
    const rx = await h.createSession({ role: "receiver", profile: p.name, keys, replayWindow: 64 });
    const sealed = (await h.protect(tx, Array.from({ length: 200 }, (_, i) => randomRtp(r, 1000 + i, 0x4444)))).map((s) => bytes(s));
    // Deliver 0..9 then 100..199: 10..99 were never seen, but 10..135 are behind the 64-wide window.
    const res = await h.unprotect(rx, [...sealed.slice(0, 10), ...sealed.slice(100), sealed[150]!, sealed[20]!, sealed[199]!, sealed[140]!]);
    assert.ok(res.slice(0, 110).every((x) => x instanceof Uint8Array));
    assert.equal(errorOf(res[110]), "replay_fail");
    assert.equal(errorOf(res[111]), "replay_old");
    assert.equal(errorOf(res[112]), "replay_fail");
    assert.equal(errorOf(res[113]), "replay_fail"); // 140 is inside the window and was seen
    // SRTCP too.
    const c = (await h.protect(tx, [randomRtcp(r, 0x4444), randomRtcp(r, 0x4444)], { rtcp: true })).map((s) => bytes(s));
    const resC = await h.unprotect(rx, [c[0]!, c[1]!, c[0]!], { rtcp: true });
    assert.deepEqual(resC.map(errorOf), [undefined, undefined, "replay_fail"]);
    // And a sender refuses to reuse an index unless allowRepeatTx is set.
    const pkt = randomRtp(r, 5, 0x5555);
    const again = await h.protect(tx, [pkt, pkt]);
    assert.deepEqual(again.map(errorOf), [undefined, "replay_fail"]);
    const txRepeat = await h.createSession({ role: "sender", profile: p.name, keys, allowRepeatTx: true });
    const rep = await h.protect(txRepeat, [pkt, pkt]);
    assert.equal(toHex(bytes(rep[1])), toHex(bytes(rep[0])));
    for (const s of [tx, rx, txRepeat]) await h.destroySession(s);
  });

  it("a tampered packet fails authentication, for every supported profile, SRTP and SRTCP", async () => {
    const r = prng(14);
    for (const p of supported()) {
      const keys = randomKeys(p, r, undefined);
      const tx = await h.createSession({ role: "sender", profile: p.name, keys });
      const rx = await h.createSession({ role: "receiver", profile: p.name, keys });
      const rtp = (await h.protect(tx, Array.from({ length: 4 }, (_, i) => randomRtp(r, 100 + i, 0x6666, 100)))).map((s) => bytes(s));
      const rtcp = (await h.protect(tx, [randomRtcp(r, 0x6666), randomRtcp(r, 0x6666)], { rtcp: true })).map((s) => bytes(s));
      const flip = (b: Uint8Array, at: number): Uint8Array => {
        const c = Uint8Array.from(b);
        c[at]! ^= 0x01;
        return c;
      };
      // tag (last byte), payload (after the header), header (timestamp byte)
      const bad = [flip(rtp[0]!, rtp[0]!.length - 1), flip(rtp[1]!, rtp[1]!.length - p.srtpTagLength - 1), flip(rtp[2]!, 5)];
      const res = await h.unprotect(rx, bad);
      assert.deepEqual(res.map(errorOf), ["auth_fail", "auth_fail", "auth_fail"], p.name);
      // the untouched packet still opens: failures did not disturb the stream
      assert.ok((await h.unprotect(rx, [rtp[3]!]))[0] instanceof Uint8Array, p.name);
      const badC = [flip(rtcp[0]!, rtcp[0]!.length - 1), flip(rtcp[1]!, 9)];
      const resC = await h.unprotect(rx, badC, { rtcp: true });
      assert.deepEqual(resC.map(errorOf), ["auth_fail", "auth_fail"], p.name);
      await h.destroySession(tx);
      await h.destroySession(rx);
    }
  });

  it("ROC: set on a specific-SSRC stream applies from the next packet; get follows the sequence wrap", async () => {
    const p = REF_PROFILES.AES_CM_128_HMAC_SHA1_80!;
    const r = prng(15);
    const key = { masterKey: r.bytes(16), masterSalt: r.bytes(14) };
    const ssrc = 0x77777777;
    const tx = await h.createSession({ role: "sender", profile: p.name, keys: [key], ssrc });
    assert.equal(await h.getRoc(tx, ssrc), 0);
    await h.setRoc(tx, ssrc, 7);
    const pkt = randomRtp(r, 100, ssrc);
    const [sealed] = await h.protect(tx, [pkt]);
    const k = deriveSessionKeys(p, key.masterKey, key.masterSalt, false);
    assert.equal(toHex(bytes(sealed)), toHex(refProtectRtp(p, k, pkt, 7)));
    assert.equal(await h.getRoc(tx, ssrc), 7);
    // A receiver told the ROC opens it; one left at ROC 0 cannot.
    const rx = await h.createSession({ role: "receiver", profile: p.name, keys: [key], ssrc });
    await h.setRoc(rx, ssrc, 7);
    assert.equal(toHex(bytes((await h.unprotect(rx, [bytes(sealed)]))[0])), toHex(pkt));
    const rx0 = await h.createSession({ role: "receiver", profile: p.name, keys: [key], ssrc });
    assert.equal(errorOf((await h.unprotect(rx0, [bytes(sealed)]))[0]), "auth_fail");
    // Forward steps below 2^15 up to the wrap: 100 -> 20000 -> 40000 -> 65534, 65535, 0, 1 -> ROC 8.
    // (A single jump of 2^15 or more would be read as a late packet of ROC 6: RFC 3711 §3.3.1.)
    const wrapSeqs = [20000, 40000, 65534, 65535, 0, 1];
    const wrap = wrapSeqs.map((seq) => randomRtp(r, seq, ssrc));
    const sealedWrap = await h.protect(tx, wrap);
    assert.equal(await h.getRoc(tx, ssrc), 8);
    wrap.forEach((w, i) => assert.equal(toHex(bytes(sealedWrap[i])), toHex(refProtectRtp(p, k, w, wrapSeqs[i]! >= 20000 ? 7 : 8)), `seq ${wrapSeqs[i]}`));
    const opened = await h.unprotect(rx, sealedWrap.map((s) => bytes(s)));
    assert.ok(opened.every((o) => o instanceof Uint8Array));
    assert.equal(await h.getRoc(rx, ssrc), 8);
    // Unknown SSRC: libsrtp's bad_param, surfaced as ERR_INTEROP_LIBSRTP.
    await rejectsWith(h.getRoc(tx, ssrc + 1), "ERR_INTEROP_LIBSRTP", (e) => assert.equal(e.libraryStatus, "bad_param"));
    await rejectsWith(h.setRoc(tx, ssrc + 1, 1), "ERR_INTEROP_LIBSRTP", (e) => assert.equal(e.libraryStatus, "bad_param"));
    for (const s of [tx, rx, rx0]) await h.destroySession(s);
  });

  it("index estimation near the stream start (pins libsrtp's behaviour for differential suites)", async () => {
    // While a stream's highest index is at most 2^15, libsrtp never guesses a ROC below 0: after
    // seq 100 a jump to 65000 stays in ROC 0. Past 2^15 it estimates per RFC 3711 §3.3.1.
    const p = REF_PROFILES.AES_CM_128_HMAC_SHA1_80!;
    const r = prng(18);
    const key = { masterKey: r.bytes(16), masterSalt: r.bytes(14) };
    const k = deriveSessionKeys(p, key.masterKey, key.masterSalt, false);
    for (const [seqs, rocs] of [
      [[100, 65000], [0, 0]],
      [[40000, 100], [0, 1]],
      [[40000, 65535, 0, 65533], [0, 0, 1, 0]], // a late packet just before the wrap keeps ROC 0
    ] as const) {
      const tx = await h.createSession({ role: "sender", profile: p.name, keys: [key], ssrc: 0x8888 });
      const pkts = seqs.map((q) => randomRtp(r, q, 0x8888));
      const sealed = await h.protect(tx, pkts);
      pkts.forEach((pkt, i) => assert.equal(toHex(bytes(sealed[i])), toHex(refProtectRtp(p, k, pkt, rocs[i]!)), `seqs ${seqs.join(",")} #${i}`));
      await h.destroySession(tx);
    }
  });

  it("rejects bad parameters with ERR_INTEROP_PARAM and keeps working", async () => {
    const ok = { masterKey: new Uint8Array(16), masterSalt: new Uint8Array(14) };
    const create = (over: Record<string, unknown>) => h.createSession({ role: "sender", profile: "AES_CM_128_HMAC_SHA1_80", keys: [ok], ...over });
    await rejectsWith(create({ profile: "AES_CM_128_HMAC_SHA1_99" }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ keys: [{ masterKey: new Uint8Array(15), masterSalt: new Uint8Array(14) }] }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ keys: [{ masterKey: new Uint8Array(16), masterSalt: new Uint8Array(12) }] }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ keys: [] }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ keys: [ok, ok] }), "ERR_INTEROP_PARAM"); // several keys need MKIs
    await rejectsWith(create({ keys: [{ ...ok, mki: Uint8Array.of(1) }, ok] }), "ERR_INTEROP_PARAM"); // all or none
    await rejectsWith(create({ keys: [{ ...ok, mki: new Uint8Array(5) }] }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ replayWindow: 10 }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ replayWindow: 40000 }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ srtcpTagLength: 7 }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ ssrc: -1 }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ role: "both" }), "ERR_INTEROP_PARAM");
    await rejectsWith(create({ keys: [{ masterKey: new Uint8Array(300), masterSalt: new Uint8Array(14) }] }), "ERR_INTEROP_PARAM");
    await rejectsWith(h.protect(999999, [new Uint8Array(20)]), "ERR_INTEROP_PARAM");
    await rejectsWith(h.protect(1, [new Uint8Array(70000)]), "ERR_INTEROP_PARAM");
    const s = await create({});
    await h.destroySession(s);
    await rejectsWith(h.protect(s, [new Uint8Array(20)]), "ERR_INTEROP_PARAM");
    await rejectsWith(h.destroySession(s), "ERR_INTEROP_PARAM");
    await rejectsWith(h.bench({ profile: "AES_CM_128_HMAC_SHA1_80", op: "protect", packetSize: 8, count: 10 }), "ERR_INTEROP_PARAM");
    await rejectsWith(h.bench({ profile: "NOPE", op: "protect", packetSize: 172, count: 10 }), "ERR_INTEROP_PARAM");
    // still alive
    const again = await create({});
    assert.ok((await h.protect(again, [randomRtp(prng(1), 1, 1)]))[0] instanceof Uint8Array);
    await h.destroySession(again);
  });

  it("survives hostile input: malformed requests and garbage packets", async () => {
    const tag = (b: Buffer): [number, number] => [b[0]!, b[1]!];
    assert.deepEqual(tag(await h.rawRequest(new Uint8Array(0))), [1, 1]); // empty frame
    assert.deepEqual(tag(await h.rawRequest(Uint8Array.of(99))), [1, 1]); // unknown opcode
    assert.deepEqual(tag(await h.rawRequest(Uint8Array.of(2, 0, 200))), [1, 1]); // truncated create
    // protect: count says 3, one packet present; and a length running past the frame
    assert.deepEqual(tag(await h.rawRequest(Uint8Array.of(4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0xaa))), [1, 1]);
    assert.deepEqual(tag(await h.rawRequest(Uint8Array.of(4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0, 0))), [1, 1]);
    assert.deepEqual(tag(await h.rawRequest(Uint8Array.of(4, 1, 0, 0, 0, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0))), [1, 1]); // bad flags
    assert.deepEqual(tag(await h.rawRequest(Uint8Array.of(8, 3, 65, 65, 65))), [1, 1]); // truncated bench
    // Garbage packets of every short length, plus RTP headers whose CSRC count or extension
    // length runs past the end, through every supported profile in both directions.
    const r = prng(16);
    const garbage: Uint8Array[] = [];
    for (let len = 0; len <= 48; len++) garbage.push(r.bytes(len));
    for (let i = 0; i < 40; i++) {
      const b = r.bytes(12 + r.int(40));
      b[0] = 0x80 | 0x10 | r.int(16);
      garbage.push(b);
    }
    for (const p of supported()) {
      for (const mkis of [undefined, [Uint8Array.of(9, 9)]]) {
        const keys = randomKeys(p, r, mkis);
        const tx = await h.createSession({ role: "sender", profile: p.name, keys });
        const rx = await h.createSession({ role: "receiver", profile: p.name, keys });
        for (const rtcp of [false, true]) {
          const a = await h.protect(tx, garbage, { rtcp });
          const b = await h.unprotect(rx, garbage, { rtcp });
          assert.equal(a.length, garbage.length);
          assert.equal(b.length, garbage.length);
          // Nothing unauthenticated may come out of unprotect.
          b.forEach((x, i) => assert.ok(isPacketError(x), `${p.name} rtcp=${rtcp} garbage #${i} (${garbage[i]!.length} bytes) unprotected`));
        }
        await h.destroySession(tx);
        await h.destroySession(rx);
      }
    }
    const [hello] = await h.protect(await h.createSession({ role: "sender", profile: "AES_CM_128_HMAC_SHA1_80", keys: randomKeys(supported()[0]!, r, undefined) }), [randomRtp(r, 1, 1)]);
    assert.ok(hello instanceof Uint8Array, "harness still answers");
  });

  it("a frame length above 64 MiB is answered with an error and ends the harness; later calls fail with ERR_INTEROP_PROTOCOL", async () => {
    const h2 = await LibsrtpHarness.start({ cacheDir: TMP_DIR });
    try {
      h2.rawWrite(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
      // Answers are matched in order, so this request receives the answer to the bad frame.
      const answer = await h2.rawRequest(Uint8Array.of(1));
      assert.deepEqual([answer[0], answer[1]], [1, 1]);
      await rejectsWith(h2.getRoc(1, 1), "ERR_INTEROP_PROTOCOL", (e) => assert.match(e.message, /ended/));
      await rejectsWith(h2.getRoc(1, 1), "ERR_INTEROP_PROTOCOL");
    } finally {
      await h2.close();
    }
  });

  it("batches of tens of thousands of packets, and concurrent calls, come back complete and in order", async () => {
    const p = h.profiles.find((x) => x.name === "AES_CM_128_HMAC_SHA1_80")!;
    const r = prng(17);
    const keys = randomKeys(p, r, [Uint8Array.of(1)]);
    const tx = await h.createSession({ role: "sender", profile: p.name, keys });
    const rx = await h.createSession({ role: "receiver", profile: p.name, keys });
    const n = 30000; // 172-byte packets: more than one 4 MiB frame each way
    const payload = r.bytes(160);
    const plain = Array.from({ length: n }, (_, i) => {
      const b = new Uint8Array(172);
      b.set([0x80, 0x00, (i >> 8) & 0xff, i & 0xff, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
      b.set(payload, 12);
      b[12] = i & 0xff;
      return b;
    });
    const t0 = performance.now();
    const sealed = await h.protect(tx, plain);
    const opened = await h.unprotect(
      rx,
      sealed.map((s) => bytes(s)),
    );
    const ms = performance.now() - t0;
    assert.equal(opened.length, n);
    for (let i = 0; i < n; i += 997) assert.equal(toHex(bytes(opened[i])), toHex(plain[i]!));
    assert.ok(opened.every((o) => o instanceof Uint8Array));
    assert.ok(ms < 20000, `${n} packets each way took ${ms} ms`);
    // Concurrent calls on separate sessions: same answers as one at a time.
    const sessions = await Promise.all(Array.from({ length: 8 }, () => h.createSession({ role: "sender", profile: p.name, keys })));
    const batches = sessions.map((_, i) => Array.from({ length: 50 }, (_, j) => randomRtp(r, 100 * i + j, 0x1000 + i)));
    const concurrent = await Promise.all(sessions.map((s, i) => h.protect(s, batches[i]!)));
    const seqTx = await h.createSession({ role: "sender", profile: p.name, keys });
    for (let i = 0; i < sessions.length; i++) {
      const one = await h.protect(seqTx, batches[i]!);
      assert.deepEqual(concurrent[i]!.map((x) => toHex(bytes(x))), one.map((x) => toHex(bytes(x))));
    }
    for (const s of [tx, rx, seqTx, ...sessions]) await h.destroySession(s);
  });

  it("bench: times libsrtp in C for RTP and RTCP, protect and unprotect", async (t) => {
    for (const profile of ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"].filter((x) => h.supports(x))) {
      for (const op of ["protect", "unprotect"] as const) {
        for (const rtcp of [false, true]) {
          const res = await h.bench({ profile, op, packetSize: 172, count: 3000, rtcp, mki: rtcp });
          assert.equal(res.packets, 3000);
          assert.ok(res.pps > 1000 && Number.isFinite(res.pps), `${profile} ${op}: ${res.pps}`);
          t.diagnostic(`${profile} ${op} ${rtcp ? "RTCP" : "RTP"} 172 B: ${Math.round(res.pps)} packets/s (3000 packets, not a benchmark)`);
        }
      }
    }
  });
});
