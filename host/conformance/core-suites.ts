// The known-answer suites `gwsdk conformance core` runs: one per vector file (or part of one) the
// core can answer. Each suite names the exports it needs, so a core build without them is reported
// "not implemented" instead of failing on the first call. Cases go through the same typed host
// wrappers the SDK uses (core.crypto.*, the TLS record layer), so what passes here is what the SDK
// relies on. docs/conformance.md lists what each suite proves.
import type { Core } from "../core/load-core.js";
import type { HashAlg } from "../core/crypto/hash.js";
import { TlsRecordLayer, ContentType } from "../tls/record-layer.js";
import { cipherSuite } from "../tls/record-suites.js";
import { TlsSecret } from "../tls/key-schedule-secret.js";
import { TlsTranscript } from "../tls/key-schedule-transcript.js";
import { Tls13KeySchedule, tls13Finished, tls13TrafficKeys } from "../tls/key-schedule-tls13.js";
import { srtpProfile, type SrtpProfileName } from "../srtp/profiles.js";
import { bytesOf, firstDifference, type FirstDifference } from "./report.js";
import type { VectorFile } from "./package-files.js";

/** Thrown by CaseContext.bytes when a value differs; the runner turns it into a failed case. */
export class Mismatch extends Error {
  constructor(readonly difference: FirstDifference) {
    super(`${difference.field} differs at byte ${difference.offset}`);
  }
}

/** Thrown by CaseContext.expect for a property that is not a byte comparison. */
export class PropertyFailure extends Error {}

/** Thrown by a case that does not apply (a policy the SDK does not offer); reported as skipped with the reason. */
export class SkipCase extends Error {}

/** What a case body uses to compare results. */
export interface CaseContext {
  /** Compares bytes; throws Mismatch at the first difference. */
  bytes(field: string, expectedHex: string, actual: Uint8Array): void;
  /** Checks a property; throws PropertyFailure with the message when false. */
  expect(ok: boolean, message: string): void;
}

export interface SuiteCase {
  name: string;
  run(core: Core, t: CaseContext): void;
}

export interface CoreSuite {
  /** Stable id (JSON, JUnit classname): kebab-case. */
  id: string;
  /** What it checks, for the table. */
  title: string;
  /** The vector file under tests/vectors/. */
  file: string;
  /** Exports every case needs (checked before running). */
  requires: readonly string[];
  /** The cases of the file; a sequential suite may add dispose() to free what its cases share. */
  cases(v: VectorFile): SuiteCase[] | { cases: SuiteCase[]; dispose(): void };
  /**
   * Cases that run in order and share state (a key schedule): when one throws, the rest are
   * reported as not reached. Default false: every case is independent.
   */
  sequential?: boolean;
  /** A note shown with the suite (e.g. "not authoritative"). */
  note?: string;
}

const AES_KEY = ["aes_ctx_size", "aes_key_init"] as const;
const AES_CTR = [...AES_KEY, "aes_ctr_state_size", "aes_ctr_init", "aes_ctr_run"] as const;
const SHA = ["sha_digest", "sha_ctx_size", "sha_init", "sha_update", "sha_final"] as const;
const HMAC = ["hmac_key_size", "hmac_key_init", "hmac_compute", "hmac_ctx_size", "hmac_init", "hmac_update", "hmac_final"] as const;
const GCM = ["gcm_ctx_size", "gcm_key_init", "gcm_seal", "gcm_open"] as const;
const TLS_RECORD = [
  "tls_half_ctx_size", "tls_half_init", "tls_half_close", "tls_half_set_version", "tls_half_set_key", "tls_reasm_ctx_size",
  "tls_reasm_init", "tls_reasm_close", "tls_reasm_want", "tls_reasm_write_ptr", "tls_reasm_commit", "tls_reasm_ready",
  "tls_reasm_open", "tls_half_last_type", "tls_record_seal", "tls_record_sealed_size", "tls_half_flags", "tls_alert_seal",
  "tls_half_seq",
] as const;

const HASH_NAMES: Readonly<Record<string, HashAlg>> = {
  "SHA-1": "sha1",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "HMAC-SHA-1": "sha1",
  "HMAC-SHA-256": "sha256",
  "HMAC-SHA-384": "sha384",
  "HMAC-SHA-512": "sha512",
};

function hashOf(name: string): HashAlg {
  const h = HASH_NAMES[name];
  if (!h) throw new Error(`unknown hash "${name}" in the vector file`);
  return h;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Zero-pads to a multiple of 16 bytes (GHASH input). */
function pad16(b: Uint8Array): Uint8Array {
  const r = b.length % 16;
  return r === 0 ? b : concat(b, new Uint8Array(16 - r));
}

/** GHASH's final block: 64-bit bit lengths of A and C, big-endian. */
function lengthBlock(aadBytes: number, ctBytes: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(aadBytes) * 8n);
  v.setBigUint64(8, BigInt(ctBytes) * 8n);
  return b;
}

function bigEndian16(b: Uint8Array): number {
  return (b[14]! << 8) | b[15]!;
}

// ------------------------------------------------------------------------------------------------

const aesBlock: CoreSuite = {
  id: "aes-fips197",
  title: "AES-128/192/256 block (FIPS-197 App. C)",
  file: "aes_fips197_appendix_c.json",
  requires: [...AES_KEY, "aes_ecb_encrypt"],
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        t.bytes("ciphertext", c.ciphertext, core.crypto.aes.ecbEncrypt(bytesOf(c.key), bytesOf(c.plaintext)));
      },
    })),
};

const aesCtr: CoreSuite = {
  id: "aes-ctr-sp800-38a",
  title: "AES-CTR (SP 800-38A F.5), one call and split calls",
  file: "aes_ctr_sp800_38a_f5.json",
  requires: AES_CTR,
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const key = bytesOf(c.key);
        const iv = bytesOf(c.initial_counter);
        const pt = bytesOf(c.plaintext);
        t.bytes("ciphertext", c.ciphertext, core.crypto.aes.ctrXor(key, iv, "ctr128", pt));
        // the keystream continues across calls of odd lengths (a partial block carried over)
        const s = core.crypto.aes.ctr(key, iv, "ctr128");
        try {
          const cuts = [0, 1, 16, 33, pt.length];
          const parts: Uint8Array[] = [];
          for (let i = 1; i < cuts.length; i++) parts.push(s.update(pt.subarray(cuts[i - 1]!, cuts[i]!)));
          t.bytes("ciphertext (calls of 1, 15, 17, 31 bytes)", c.ciphertext, concat(...parts));
        } finally {
          s.close();
        }
      },
    })),
};

const aesCm: CoreSuite = {
  id: "srtp-aes-cm-keystream",
  title: "SRTP AES-CM keystream (RFC 3711 B.2, RFC 6188 §7)",
  file: "srtp_aes_cm_keystream.json",
  requires: AES_CTR,
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const key = bytesOf(c.session_key);
        const iv = bytesOf(c.iv_initial_counter);
        const blocks = c.blocks as { counter: string; keystream: string }[];
        const start = bigEndian16(iv);
        // the whole segment when the file gives its length (RFC 3711 B.2: 0xff02 blocks), else up to the last listed block
        const last = Math.max(...blocks.map((b) => bigEndian16(bytesOf(b.counter)) - start));
        const length = typeof c.keystream_segment_length_octets === "number" ? c.keystream_segment_length_octets : (last + 1) * 16;
        t.expect(length >= (last + 1) * 16, `the segment length ${length} does not reach the last listed block`);
        // streamed in 4 KiB pieces (a board's core may have a small arena), keeping the listed blocks
        const wanted = new Map(blocks.map((b) => [(bigEndian16(bytesOf(b.counter)) - start) * 16, b]));
        const got = new Map<number, Uint8Array>();
        let first32: Uint8Array | undefined;
        const s = core.crypto.aes.ctr(key, iv, "aesCm");
        try {
          const zeros = new Uint8Array(4096);
          for (let off = 0; off < length; off += zeros.length) {
            const ks = s.update(zeros.subarray(0, Math.min(zeros.length, length - off)));
            if (off === 0) first32 = ks.slice(0, 32);
            for (const at of wanted.keys()) if (at >= off && at < off + ks.length) got.set(at, ks.slice(at - off, at - off + 16));
          }
        } finally {
          s.close();
        }
        for (const [at, b] of wanted) t.bytes(`keystream block ${b.counter.slice(-4)}`, b.keystream, got.get(at) ?? new Uint8Array(0));
        if (typeof c.keystream_first_32_octets === "string") t.bytes("first 32 keystream octets", c.keystream_first_32_octets, first32 ?? new Uint8Array(0));
      },
    })),
};

const sha: CoreSuite = {
  id: "sha-fips180",
  title: "SHA-1/256/384 (FIPS 180 examples)",
  file: "sha_fips180.json",
  requires: SHA,
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const alg = hashOf(c.algorithm);
        let msg: Uint8Array;
        if (c.message_ascii_repeat) {
          const r = c.message_ascii_repeat as { char: string; count: number };
          msg = new Uint8Array(r.count).fill(r.char.charCodeAt(0));
        } else msg = bytesOf(c.message_hex);
        t.bytes("digest", c.digest, core.crypto.hash.digest(alg, msg));
        // the same message streamed in uneven pieces
        const s = core.crypto.hash.createHash(alg);
        try {
          for (let o = 0, step = 1; o < msg.length; o += step, step = step * 3 + 1) s.update(msg.subarray(o, Math.min(msg.length, o + step)));
          t.bytes("digest (streamed)", c.digest, s.digest());
        } finally {
          s.close();
        }
      },
    })),
};

function hmacCases(v: VectorFile, defaultAlg: HashAlg): SuiteCase[] {
  return v.cases.map((c) => ({
    name: c.name,
    run(core, t) {
      const alg = c.algorithm ? hashOf(c.algorithm) : defaultAlg;
      const key = bytesOf(c.key);
      const data = bytesOf(c.data);
      if (typeof c.mac === "string") t.bytes("mac", c.mac, core.crypto.hash.hmac(alg, key, data));
      for (const [field, bits] of [["mac_truncated_96", 96], ["mac_truncated_128", 128]] as const) {
        if (typeof c[field] === "string") t.bytes(`mac truncated to ${bits} bits`, c[field], core.crypto.hash.hmac(alg, key, data, bits / 8));
      }
    },
  }));
}

const hmacSha1: CoreSuite = {
  id: "hmac-sha1-rfc2202",
  title: "HMAC-SHA-1 (RFC 2202)",
  file: "hmac_sha1_rfc2202.json",
  requires: HMAC,
  cases: (v) => hmacCases(v, "sha1"),
};

const hmacSha2: CoreSuite = {
  id: "hmac-sha2-rfc4231",
  title: "HMAC-SHA-256/384 (RFC 4231)",
  file: "hmac_sha2_rfc4231.json",
  requires: HMAC,
  cases: (v) => hmacCases(v, "sha256"),
};

const hkdf: CoreSuite = {
  id: "hkdf-rfc5869",
  title: "HKDF-SHA-256/SHA-1 (RFC 5869 App. A)",
  file: "hkdf_rfc5869.json",
  requires: ["hkdf_extract", "hkdf_expand"],
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const alg = hashOf(c.hash);
        const prk = core.crypto.hash.hkdfExtract(alg, bytesOf(c.salt), bytesOf(c.ikm)); // no salt = empty = HashLen zeros
        t.bytes("PRK", c.prk, prk);
        t.bytes("OKM", c.okm, core.crypto.hash.hkdfExpand(alg, bytesOf(c.prk), bytesOf(c.info), c.L));
      },
    })),
};

const ghash: CoreSuite = {
  id: "ghash",
  title: "GHASH(H, A, C) (BearSSL KAT, GCM spec values)",
  file: "ghash.json",
  requires: ["ghash_run"],
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const a = bytesOf(c.aad);
        const ct = bytesOf(c.ciphertext);
        const h = bytesOf(c.H);
        t.bytes("GHASH", c.ghash, core.crypto.gcm.ghash(h, undefined, concat(pad16(a), pad16(ct), lengthBlock(a.length, ct.length))));
        // the same value absorbed in three calls, Y carried between them
        let y = core.crypto.gcm.ghash(h, undefined, a);
        y = core.crypto.gcm.ghash(h, y, ct);
        t.bytes("GHASH (three calls)", c.ghash, core.crypto.gcm.ghash(h, y, lengthBlock(a.length, ct.length)));
      },
    })),
};

const gcm: CoreSuite = {
  id: "aes-gcm-mcgrew-viega",
  title: "AES-GCM seal/open/forgery (McGrew–Viega 1–18)",
  file: "aes_gcm_mcgrew_viega.json",
  requires: GCM,
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const key = bytesOf(c.key);
        const iv = bytesOf(c.iv);
        const aad = bytesOf(c.aad);
        const sealed = core.crypto.gcm.seal(key, iv, aad, bytesOf(c.plaintext));
        t.bytes("ciphertext", c.ciphertext, sealed.ciphertext);
        t.bytes("tag", c.tag, sealed.tag);
        t.bytes("plaintext (open)", c.plaintext, core.crypto.gcm.open(key, iv, aad, bytesOf(c.ciphertext), bytesOf(c.tag)));
        expectForgeryRefused(t, () => {
          const tag = bytesOf(c.tag);
          tag[tag.length - 1]! ^= 0x01;
          core.crypto.gcm.open(key, iv, aad, bytesOf(c.ciphertext), tag);
        });
      },
    })),
};

/**
 * A forged input must be refused as an authentication failure: ERR_CORE_AUTH from the primitives,
 * the bad_record_mac alert from the TLS record layer.
 */
function expectForgeryRefused(t: CaseContext, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: string; alert?: string; message?: string };
    const ok = err.code === "ERR_CORE_AUTH" || (err.code === "ERR_TLS_ALERT" && err.alert === "bad_record_mac");
    t.expect(ok, `a forged tag was refused with ${err.code ?? "an error"}${err.alert ? ` (${err.alert})` : ""}: ${err.message ?? String(e)}; expected an authentication failure`);
    return;
  }
  t.expect(false, "a forged tag (last bit flipped) was accepted");
}

const rfc7714: CoreSuite = {
  id: "srtp-aes-gcm-rfc7714",
  title: "SRTP/SRTCP AES-GCM transform (RFC 7714 §16–17)",
  file: "srtp_aes_gcm_rfc7714.json",
  requires: GCM,
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const key = bytesOf(c.key);
        const iv = bytesOf(c.iv);
        const aad = bytesOf(c.aad);
        const sealed = core.crypto.gcm.seal(key, iv, aad, bytesOf(c.plaintext));
        t.bytes("ciphertext||tag", c.ciphertext_and_tag, concat(sealed.ciphertext, sealed.tag));
        const ctt = bytesOf(c.ciphertext_and_tag);
        t.bytes("plaintext (open)", c.plaintext, core.crypto.gcm.open(key, iv, aad, ctt.subarray(0, ctt.length - 16), ctt.subarray(ctt.length - 16)));
      },
    })),
};

// ---- SRTP engine (core.srtp) ---------------------------------------------------------------------

const SRTP = [
  "srtp_profile_param", "srtp_session_size", "srtp_key_slot_size", "srtp_stream_slot_size", "srtp_session_init", "srtp_key_add", "srtp_key_use",
  "srtp_key_remove", "srtp_protect", "srtp_unprotect", "srtcp_protect", "srtcp_unprotect", "srtp_batch", "srtp_set_roc", "srtp_get_roc",
  "srtcp_set_index", "srtcp_get_index", "srtp_events",
] as const;

/** An SRTP error of the expected kind, else a PropertyFailure naming what happened. */
function expectSrtpError(t: CaseContext, what: string, codes: readonly string[], fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    const code = (e as { code?: string }).code;
    t.expect(code !== undefined && codes.includes(code), `${what}: refused with ${code ?? String(e)}, expected ${codes.join(" or ")}`);
    return;
  }
  t.expect(false, `${what}: accepted, expected ${codes.join(" or ")}`);
}

const srtpPackets: CoreSuite = {
  id: "srtp-packets-libsrtp",
  title: "SRTP/SRTCP protect/unprotect (libsrtp, baresip vectors)",
  file: "srtp_packets_libsrtp.json",
  requires: SRTP,
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const p = srtpProfile(c.profile);
        // baresip's SRTCP case was made with a 32-bit SRTCP tag, outside the RFC pairing (tests/vectors/README.md)
        const srtcpTagLength = c.kind === "srtcp" && typeof c.auth_tag_len === "number" && c.auth_tag_len !== p.srtcpTagLength ? c.auth_tag_len : undefined;
        const opts = { profile: c.profile as SrtpProfileName, masterKey: bytesOf(c.master_key), masterSalt: bytesOf(c.master_salt), ...(srtcpTagLength ? { srtcpTagLength } : {}) };
        const ssrc = parseInt(c.ssrc, 16) >>> 0;
        const tx = core.srtp.sender(opts);
        const rx = core.srtp.receiver(opts);
        try {
          const sealed = bytesOf(c.protected_packet);
          if (c.kind === "srtp") {
            if (c.roc) tx.setRoc(ssrc, c.roc);
            t.bytes("protected packet", c.protected_packet, tx.protect(bytesOf(c.plaintext_packet)));
            const bad = sealed.slice();
            bad[bad.length - 1]! ^= 0x01;
            expectSrtpError(t, "a packet with a flipped tag bit", ["ERR_SRTP_AUTH"], () => rx.unprotect(bad));
            t.bytes("unprotected packet", c.plaintext_packet, rx.unprotect(sealed));
            expectSrtpError(t, "the same packet again", ["ERR_SRTP_REPLAY"], () => rx.unprotect(sealed));
          } else {
            // libsrtp numbers SRTCP from 1, RFC 3711 from 0: start the stream at the vector's index
            tx.setSrtcpIndex(ssrc, c.srtcp_index);
            t.bytes("protected packet", c.protected_packet, tx.protectRtcp(bytesOf(c.plaintext_packet)));
            const bad = sealed.slice();
            bad[bad.length - 1]! ^= 0x01;
            expectSrtpError(t, "a packet with a flipped tag bit", ["ERR_SRTP_AUTH"], () => rx.unprotectRtcp(bad));
            t.bytes("unprotected packet", c.plaintext_packet, rx.unprotectRtcp(sealed));
            expectSrtpError(t, "the same packet again", ["ERR_SRTP_REPLAY"], () => rx.unprotectRtcp(sealed));
          }
        } finally {
          tx.close();
          rx.close();
        }
      },
    })),
};

const srtpKdf: CoreSuite = {
  id: "srtp-kdf",
  title: "SRTP key derivation (RFC 3711 B.3, RFC 6188 §7.2/7.4)",
  file: "srtp_kdf.json",
  requires: [...SRTP, "srtp_key_add_session_keys"],
  // The session keys stay inside the core: a sender keyed with the master key must protect exactly
  // as one loaded with the vector's session keys, for SRTP (labels 0-2) or SRTCP (labels 3-5).
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        t.expect(c.kdr === 0 && /^0+$/.test(String(c.index)), "only kdr = 0 is offered (RFC 3711 §4.3.1 default; SDES keys carry no KDR)");
        const profile: SrtpProfileName = c.prf === "AES_256_CM_PRF" ? "AES_256_CM_HMAC_SHA1_80" : c.prf === "AES_192_CM_PRF" ? "AES_192_CM_HMAC_SHA1_80" : "AES_CM_128_HMAC_SHA1_80";
        const out = new Map<number, Uint8Array>();
        for (const d of c.derivations as { label: number; output: string; output_first_20?: string }[]) out.set(d.label, bytesOf(d.output_first_20 ?? d.output).subarray(0, d.label % 3 === 1 ? 20 : undefined));
        const rtcp = out.has(3);
        const base = rtcp ? 3 : 0;
        const ke = out.get(base)!;
        const ka = out.get(base + 1)!;
        const ks = out.get(base + 2)!;
        t.expect(!!ke && !!ka && !!ks, "the vector file lacks a derivation");
        const dummy = { ke: new Uint8Array(ke.length).fill(0x5a), ka: new Uint8Array(20).fill(0x5b), ks: new Uint8Array(ks.length).fill(0x5c) };
        const srtpSet = rtcp ? dummy : { ke, ka, ks };
        const srtcpSet = rtcp ? { ke, ka, ks } : dummy;
        const master = core.srtp.sender({ profile, masterKey: bytesOf(c.master_key), masterSalt: bytesOf(c.master_salt) });
        const session = core.srtp.sender({ profile, masterKey: new Uint8Array(ke.length), masterSalt: new Uint8Array(14) });
        try {
          session.removeKey();
          session.addSessionKeys(concat(srtpSet.ke, srtpSet.ka, srtpSet.ks, srtcpSet.ke, srtcpSet.ka, srtcpSet.ks));
          for (let n = 0; n < 3; n++) {
            const ssrc = 0x0badcafe + n;
            if (rtcp) {
              const pkt = new Uint8Array(8 + 20 * n + 12).map((_, i) => (i * 37 + n) & 0xff);
              pkt.set([0x80, 201, 0, pkt.length / 4 - 1], 0);
              new DataView(pkt.buffer).setUint32(4, ssrc);
              t.bytes(`SRTCP packet ${n} (keys derived from the master key vs the vector's session keys)`, Buffer.from(session.protectRtcp(pkt)).toString("hex"), master.protectRtcp(pkt));
            } else {
              const pkt = new Uint8Array(12 + 40 * n + 20).map((_, i) => (i * 29 + n) & 0xff);
              pkt.set([0x80, 0], 0);
              new DataView(pkt.buffer).setUint16(2, 100 + n);
              new DataView(pkt.buffer).setUint32(8, ssrc);
              t.bytes(`SRTP packet ${n} (keys derived from the master key vs the vector's session keys)`, Buffer.from(session.protect(pkt)).toString("hex"), master.protect(pkt));
            }
          }
        } finally {
          master.close();
          session.close();
        }
      },
    })),
};

const rfc7714Packets: CoreSuite = {
  id: "srtp-rfc7714-packets",
  title: "SRTP/SRTCP AEAD_AES_GCM whole packets (RFC 7714 §16–17)",
  file: "srtp_aes_gcm_rfc7714.json",
  requires: [...SRTP, "srtp_key_add_session_keys"],
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const profile: SrtpProfileName = c.key.length === 32 ? "AEAD_AES_128_GCM" : "AEAD_AES_256_GCM";
        // RFC 7714 gives session keys; SRTP and SRTCP use the same key and salt in its examples
        const keys = concat(bytesOf(c.key), bytesOf(c.salt), bytesOf(c.key), bytesOf(c.salt));
        const ssrc = parseInt(c.ssrc, 16) >>> 0;
        const blank = { profile, masterKey: new Uint8Array(c.key.length / 2), masterSalt: new Uint8Array(12) };
        const tx = core.srtp.sender(blank);
        const rx = core.srtp.receiver(blank);
        try {
          for (const s of [tx, rx]) {
            s.removeKey();
            s.addSessionKeys(keys);
          }
          if (c.kind === "srtp") {
            if (c.mode === "tag_only") throw new SkipCase("SRTP authentication without encryption under an AEAD profile is a policy the SDK does not offer (SRTP has no E flag)");
            tx.setRoc(ssrc, parseInt(c.roc, 16));
            t.bytes("protected packet", c.protected_packet, tx.protect(bytesOf(c.unprotected_packet)));
            t.bytes("unprotected packet", c.unprotected_packet, rx.unprotect(bytesOf(c.protected_packet)));
          } else {
            if (c.e_flag === 1) {
              tx.setSrtcpIndex(ssrc, parseInt(c.srtcp_index, 16));
              t.bytes("protected packet", c.protected_packet, tx.protectRtcp(bytesOf(c.unprotected_packet)));
            }
            // receivers honour E = 0 (tag only) as well as E = 1
            t.bytes("unprotected packet", c.unprotected_packet, rx.unprotectRtcp(bytesOf(c.protected_packet)));
          }
        } finally {
          tx.close();
          rx.close();
        }
      },
    })),
};

// ---- TLS 1.3, RFC 8448 §3 ----------------------------------------------------------------------

const TLS13_SUITE = "TLS_AES_128_GCM_SHA256";

const tls13Keys: CoreSuite = {
  id: "tls13-rfc8448-traffic-keys",
  title: "TLS 1.3 traffic key/IV (RFC 8448 §3 HKDF-Expand-Label)",
  file: "tls13_rfc8448_simple_1rtt.json",
  requires: ["tls13_traffic_keys"],
  cases: (v) =>
    v.cases
      .filter((c) => c.type === "hkdf_expand_label_traffic_key_iv")
      .map((c) => ({
        name: `${c.name} key and IV`,
        run(core, t) {
          const s = TlsSecret.import(core, bytesOf(c.traffic_secret), "sha256");
          try {
            const { key, iv } = tls13TrafficKeys(core, "sha256", s, 16);
            t.bytes("key", c.key, key);
            t.bytes("iv", c.iv, iv);
          } finally {
            s.destroy();
          }
        },
      })),
};

/** Advances a writer/reader pair to sequence number n with records of their own, then runs fn. */
function atSequence(writer: TlsRecordLayer, reader: TlsRecordLayer, n: number): void {
  for (let i = 0; i < n; i++) {
    reader.feed(writer.seal(ContentType.applicationData, Uint8Array.of(i)));
    reader.readRecord();
  }
}

const tls13Records: CoreSuite = {
  id: "tls13-rfc8448-records",
  title: "TLS 1.3 records open and re-seal (RFC 8448 §3)",
  file: "tls13_rfc8448_simple_1rtt.json",
  requires: TLS_RECORD,
  cases: (v) =>
    v.cases
      .filter((c) => c.type === "protected_record")
      .map((c) => ({
        name: c.name.replace(/^RFC 8448 §3 /, ""),
        run(core, t) {
          const suite = cipherSuite(TLS13_SUITE)!;
          const writer = TlsRecordLayer.create(core);
          const reader = TlsRecordLayer.create(core);
          try {
            for (const rl of [writer, reader]) rl.setVersion("1.3");
            writer.installKeys("write", suite, bytesOf(c.key), bytesOf(c.iv));
            reader.installKeys("read", suite, bytesOf(c.key), bytesOf(c.iv));
            atSequence(writer, reader, c.sequence_number);
            const payload = bytesOf(c.plaintext_payload);
            const sealed =
              c.content_type === ContentType.alert ? writer.sealAlert(payload[1]!, payload[0] as 1 | 2) : writer.seal(c.content_type, payload);
            t.bytes("record (sealed)", c.encrypted_record, sealed);
            reader.feed(bytesOf(c.encrypted_record));
            const rec = reader.readRecord();
            t.expect(rec !== null, "the record did not open (no record returned)");
            t.expect(rec!.type === c.content_type, `opened content type ${rec!.type}, expected ${c.content_type}`);
            t.bytes("plaintext (opened)", c.plaintext_payload, rec!.data);
          } finally {
            writer.destroy();
            reader.destroy();
          }
        },
      })),
};

function handshakeMessages(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 4 <= data.length; ) {
    const len = (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!;
    out.push(data.subarray(o, o + 4 + len));
    o += 4 + len;
  }
  return out;
}

/**
 * RFC 8448 §3's key schedule as a client runs it: transcript of the plaintext handshake messages,
 * the (EC)DHE shared secret in, every Derive-Secret of the file out, and both Finished messages.
 * One schedule runs through the cases in order (sequential).
 */
function tls13ScheduleCases(v: VectorFile): { cases: SuiteCase[]; dispose(): void } {
  const steps = v.key_schedule as { step: string; output: string; ikm?: string }[];
  const plain = v.plaintext_records as { sender: string; payload: string }[];
  const records = v.cases.filter((c) => c.type === "protected_record");
  const step = (label: string) => {
    const s = steps.find((x) => x.step.startsWith(`Derive-Secret(., "${label}"`));
    if (!s) throw new Error(`the vector file has no Derive-Secret step "${label}"`);
    return s;
  };
  const sharedSecret = steps.find((s) => s.step.startsWith('HKDF-Extract (extract secret "handshake")'))?.ikm;
  const serverFlight = records.find((c) => (c.name as string).includes("EncryptedExtensions"));
  const clientFinished = records.find((c) => (c.name as string).includes("client Finished"));
  let st:
    | { t: TlsTranscript; ks: Tls13KeySchedule; secrets: TlsSecret[]; shts?: TlsSecret; chts?: TlsSecret; flight?: Uint8Array[] }
    | undefined;
  const state = () => {
    if (!st) throw new Error("the key schedule was not started");
    return st;
  };
  const keep = (s: TlsSecret) => {
    state().secrets.push(s);
    return s;
  };
  const derive = (core: Core, t: CaseContext, label: string) => {
    const s = keep(state().ks.deriveSecret(label as Parameters<Tls13KeySchedule["deriveSecret"]>[0], state().t));
    t.bytes(`Derive-Secret "${label}"`, step(label).output, s.reveal());
    return s;
  };
  const dispose = () => {
    if (!st) return;
    for (const s of st.secrets) s.destroy();
    st.ks.destroy();
    st.t.destroy();
    st = undefined;
  };
  const cases: SuiteCase[] = [
    {
      name: 'handshake secrets ("c hs traffic", "s hs traffic") from ClientHello..ServerHello',
      run(core, t) {
        t.expect(!!sharedSecret && !!serverFlight && !!clientFinished && plain.length >= 2, "the vector file lacks the shared secret or the handshake records");
        const tr = TlsTranscript.create(core);
        try {
          st = { t: tr, ks: Tls13KeySchedule.create(core, "sha256"), secrets: [] };
        } catch (e) {
          tr.destroy();
          throw e;
        }
        tr.update(bytesOf(plain[0]!.payload), bytesOf(plain[1]!.payload));
        tr.select("sha256");
        st.ks.deriveHandshakeSecret(bytesOf(sharedSecret!));
        st.chts = derive(core, t, "c hs traffic");
        st.shts = derive(core, t, "s hs traffic");
      },
    },
    {
      name: "server Finished verify_data (EncryptedExtensions..CertificateVerify)",
      run(core, t) {
        const s = state();
        const reader = TlsRecordLayer.create(core);
        try {
          reader.setVersion("1.3");
          reader.installTls13("read", cipherSuite(TLS13_SUITE)!, s.shts!);
          reader.feed(bytesOf(serverFlight!.encrypted_record));
          const rec = reader.readRecord();
          t.expect(rec !== null && rec.type === ContentType.handshake, "the server's handshake record did not open under the derived key");
          s.flight = handshakeMessages(rec!.data);
        } finally {
          reader.destroy();
        }
        const [ee, cert, cv, fin] = s.flight;
        t.expect(!!fin && fin[0] === 20, "the server flight does not end in Finished");
        s.t.update(ee!, cert!, cv!);
        t.bytes("server verify_data", Buffer.from(fin!.subarray(4)).toString("hex"), tls13Finished(core, "sha256", s.shts!, s.t));
        s.t.update(fin!);
      },
    },
    {
      name: 'application secrets ("c ap traffic", "s ap traffic", "exp master")',
      run(core, t) {
        state().ks.deriveMasterSecret();
        for (const label of ["c ap traffic", "s ap traffic", "exp master"]) derive(core, t, label);
      },
    },
    {
      name: 'client Finished verify_data and "res master"',
      run(core, t) {
        const s = state();
        const payload = bytesOf(clientFinished!.plaintext_payload);
        t.bytes("client verify_data", Buffer.from(payload.subarray(4)).toString("hex"), tls13Finished(core, "sha256", s.chts!, s.t));
        s.t.update(payload);
        derive(core, t, "res master");
      },
    },
  ];
  return { cases, dispose };
}

const tls13Schedule: CoreSuite = {
  id: "tls13-rfc8448-key-schedule",
  title: "TLS 1.3 key schedule and Finished (RFC 8448 §3)",
  file: "tls13_rfc8448_simple_1rtt.json",
  requires: [
    ...TLS_RECORD, "tls_transcript_ctx_size", "tls_transcript_init", "tls_transcript_select", "tls_transcript_update", "tls_transcript_hash",
    "tls_transcript_close", "tls13_ks_ctx_size", "tls13_ks_init", "tls13_ks_handshake", "tls13_ks_master", "tls13_ks_derive", "tls13_ks_stage",
    "tls13_ks_close", "tls13_finished", "tls13_half_install",
  ],
  sequential: true,
  cases: tls13ScheduleCases,
};

const tls12Record: CoreSuite = {
  id: "tls12-gcm-record",
  title: "TLS 1.2 AES-128-GCM record (computed example)",
  file: "tls12_gcm_record_computed.json",
  requires: TLS_RECORD,
  note: "the file is a self-computed regression vector, not a published known answer (no public TLS 1.2 GCM record KAT exists)",
  cases: (v) =>
    v.cases.map((c) => ({
      name: c.name,
      run(core, t) {
        const suite = cipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")!;
        const writer = TlsRecordLayer.create(core);
        const reader = TlsRecordLayer.create(core);
        try {
          for (const rl of [writer, reader]) rl.setVersion("1.2");
          writer.installKeys("write", suite, bytesOf(c.key), bytesOf(c.salt_fixed_iv));
          reader.installKeys("read", suite, bytesOf(c.key), bytesOf(c.salt_fixed_iv));
          atSequence(writer, reader, c.sequence_number);
          t.bytes("record (sealed)", c.record, writer.seal(c.content_type, bytesOf(c.plaintext)));
          reader.feed(bytesOf(c.record));
          const rec = reader.readRecord();
          t.expect(rec !== null && rec.type === c.content_type, "the record did not open with its content type");
          t.bytes("plaintext (opened)", c.plaintext, rec!.data);
          const forged = bytesOf(c.record);
          forged[forged.length - 1]! ^= 0x01;
          reader.feed(forged);
          expectForgeryRefused(t, () => reader.readRecord());
        } finally {
          writer.destroy();
          reader.destroy();
        }
      },
    })),
};

/** Every suite, in report order. */
export const CORE_SUITES: readonly CoreSuite[] = Object.freeze([
  aesBlock,
  aesCtr,
  aesCm,
  sha,
  hmacSha1,
  hmacSha2,
  hkdf,
  ghash,
  gcm,
  rfc7714,
  srtpKdf,
  srtpPackets,
  rfc7714Packets,
  tls13Keys,
  tls13Schedule,
  tls13Records,
  tls12Record,
]);
